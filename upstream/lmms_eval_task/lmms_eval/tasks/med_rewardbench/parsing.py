"""Read a judge's Med-RewardBench verdict out of free-form model output.

A judge is asked for one JSON object naming a winner (A or B) on six dimensions, but
models answer in every shape: fenced or bare JSON, Python dicts, truncated objects,
markdown tables, bold lists, ``key=value`` lines, a single ``[[A]]``. This module reads
every verdict a careful human reader would read from such text and refuses everything
else: a tie, a refusal, an echoed template or prose that merely mentions both letters
gives ``None`` for that dimension, never a guess.

How a verdict is found (see :func:`parse_verdict`):

1. The output is split into what the judge said and what it thought (``<think>``
   blocks). Thinking is consulted only if nothing is found outside it.
2. Every ``{...}`` object (outside JSON string literals) is read, strictly as JSON when
   it is valid and otherwise with a tolerant parser; each object naming dimensions is a
   candidate. Text inside a read object is hidden from the line rules below, so a
   ``reason`` string can never contribute a verdict.
3. The remaining text is read line by line: ``Dimension: X`` lines and bold lists,
   ``key=value`` lists, markdown tables, dimension headings followed by a winner line,
   and lone overall verdicts (``[[A]]``, ``Final verdict: B``, ...).
4. Of all candidates, the last complete one (six winners) wins; failing that, the one with
   the most winners (later wins ties). Candidates are never merged. A lone overall verdict
   counts only when no candidate names a dimension winner.

Decisions on ambiguous cases:

* Text is NFKC-normalised first, so full-width ``Ａ``/``Ｂ`` and full-width keys and
  braces read as their ASCII forms.
* A value counts when it *starts* with a winner ("B, because A misses the fracture");
  a second letter right after it ("A or B", "A/B", "A=B", "A, B"), a tie word in its
  first clause ("A is as good as B") or a negation ("not A") makes it None. "A > B" is A
  and "A < B" is B. A leading "A" followed by an ordinary word is the article ("A small
  nodule ...") and is None.
* A cut-off quoted value (``"overall": "B``) is dropped: it may have been "Both". A bare
  value at the end of the text (``overall: B``) is kept, as a final "Overall: B" line is.
* Generic verdict keys and lines ("Final verdict: A", "Winner: B", ``[[A]]``) fill only
  ``overall``. Next to per-dimension lines they supply that list's missing ``overall``
  (an explicit ``Overall:`` beats them); alone they are a lone verdict.
* "Overall: A" alone is a one-dimension structured verdict (key_value_lines), not a
  lone verdict, so lone_verdict="all_dimensions" does not spread it.
* "X is better." is a lone verdict only as a sentence ending within the last three lines,
  and not when that sentence names another dimension ("In terms of relevance, A is
  better."). A bare letter ("A", "**B**", "[[A]]" on its own) is a verdict only when it is
  all the judge said apart from a labelled reason ("A\n\nReason: ..."); beside free prose
  it is a fragment, never a guess. A lower-case bare "a" counts only as the whole output.
* ``[[C]]`` (MT-Bench's tie) and "Final verdict: tie" are noted as ties.
* Think tags are recognised anywhere, even inside a JSON string (models emit them as raw
  text). A ``</think>`` with no ``<think>`` before it ends a thinking prefix (chat
  templates often open the block inside the prompt).
* A {...} in a "Reason: ..." line, or inside any JSON string, is never a candidate.

Inputs are untrusted: nothing is evaluated, every regular expression is free of nested
unbounded repetition and the work on any input is linear in its length (and bounded for
very long outputs, see ``FULL_SCAN_CHARS``).
"""

from __future__ import annotations

import json
import re
import types
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, get_args

# Relative, so the same file runs as part of an lmms-eval task folder (see export_lmms_eval).
from .constants import DIMENSIONS, WINNERS, Dimension, Winner

__all__ = [
    "DEFAULT_LONE_VERDICT",
    "LONE_VERDICT_POLICIES",
    "METHODS",
    "METHOD_JSON",
    "METHOD_JSON_LENIENT",
    "METHOD_JSON_TRUNCATED",
    "METHOD_KEY_VALUE_LINES",
    "METHOD_KEY_VALUE_LIST",
    "METHOD_LONE_VERDICT",
    "METHOD_MARKDOWN_TABLE",
    "METHOD_NONE",
    "REQUEST_FAILED_PREFIX",
    "THINK_SUFFIX",
    "LoneVerdictPolicy",
    "ParseStatus",
    "Verdict",
    "parse_verdict",
    "unreadable_verdict",
    "verdict_status",
]

ParseStatus = Literal["ok", "partial", "unparseable"]
LoneVerdictPolicy = Literal["overall_only", "all_dimensions"]
LONE_VERDICT_POLICIES: Final[tuple[LoneVerdictPolicy, ...]] = get_args(LoneVerdictPolicy)
# What a lone overall verdict ("[[A]]") fills unless a task, a rescore or an adapter says
# otherwise: only `overall`. The paper's parser uses "all_dimensions".
DEFAULT_LONE_VERDICT: Final[LoneVerdictPolicy] = "overall_only"

# --------------------------------------------------------------------------------------
# Public names of the rules that can produce a verdict (Verdict.method).
# --------------------------------------------------------------------------------------
METHOD_JSON: Final = "json"  # a JSON object that json.loads accepts as is
METHOD_JSON_LENIENT: Final = "json_lenient"  # quotes, commas, keys or case repaired
METHOD_JSON_TRUNCATED: Final = "json_truncated"  # object cut off; its complete pairs used
METHOD_KEY_VALUE_LINES: Final = "key_value_lines"  # "Accuracy: A" lines, bold lists, YAML
METHOD_KEY_VALUE_LIST: Final = "key_value_list"  # "accuracy=A, relevance=B, ..." on a line
METHOD_MARKDOWN_TABLE: Final = "markdown_table"  # | Accuracy | A | rows, or transposed
METHOD_LONE_VERDICT: Final = "lone_verdict"  # a single overall verdict: [[A]], Winner: B
METHOD_NONE: Final = "none"
METHODS: Final[tuple[str, ...]] = (
    METHOD_JSON,
    METHOD_JSON_LENIENT,
    METHOD_JSON_TRUNCATED,
    METHOD_KEY_VALUE_LINES,
    METHOD_KEY_VALUE_LIST,
    METHOD_MARKDOWN_TABLE,
    METHOD_LONE_VERDICT,
    METHOD_NONE,
)
# Appended to a method when the verdict could only be found inside <think> blocks.
THINK_SUFFIX: Final = "+think"

# lmms-eval's marker for a request that never produced model output.
REQUEST_FAILED_PREFIX: Final = "[LMMS_EVAL_REQUEST_FAILED"

# --------------------------------------------------------------------------------------
# Work bounds. Judges put the verdict at the end (the template's order) and it is short
# (~200 characters), so on outputs longer than FULL_SCAN_CHARS only the first HEAD_CHARS
# and the last TAIL_CHARS are examined: the tail holds the verdict of a model that
# reasoned at length, the head holds the verdict keys of an object whose reason string
# runs away. This keeps a 1 MB output well under the 50 ms budget whatever its shape.
# --------------------------------------------------------------------------------------
FULL_SCAN_CHARS: Final = 32_000
HEAD_CHARS: Final = 8_000
TAIL_CHARS: Final = FULL_SCAN_CHARS - HEAD_CHARS
# At most this many {...} spans are parsed per window, latest first: a verdict is among
# the last objects of an output, and thousands of stray braces must not cost thousands
# of parses. Spans whose "{" is not followed by a key-like character are never parsed.
MAX_OBJECT_PARSES: Final = 64
# Tokens the tolerant parser may read per window over all its attempts. A verdict object
# is a few dozen tokens; this is ample for many real objects and caps junk at ~10 ms.
PARSE_STEP_BUDGET: Final = 20_000
# Lines examined per window (the last ones; the first ones in a head window). A verdict
# layout is a few dozen lines at the end of an output; per-line rules cost microseconds,
# so tens of thousands of short lines would otherwise dominate the time.
MAX_LINES: Final = 1_000
# Nesting deeper than this is not a verdict (wrapper -> object -> per-dimension object is
# depth 3); deeper structures are treated as cut off, which bounds recursion.
MAX_NESTING: Final = 12
# Values are judged by how they start ("A - because ..."); reading further is wasted.
_MAX_VALUE_CHARS: Final = 400
# Dimension names and wrapper keys are short; a longer "key" is prose.
_MAX_KEY_CHARS: Final = 48
_MAX_KEY_WORDS: Final = 5
# A verdict table has six rows of a few cells; more cells in a row are not read.
_MAX_TABLE_CELLS: Final = 16
# Lines between two items of one line-based verdict (explanations in between allowed).
_MAX_LINE_GAP: Final = 8
# Lines after a dimension heading ("### Accuracy") in which its winner line may follow.
_MAX_HEADING_GAP: Final = 3
# "X is better." only concludes an answer when it is among its last lines.
_CONCLUDING_LINES: Final = 3
# Think tags handled one by one; beyond this (pathological input) the rest is split at
# its last tag, which keeps the split linear.
_MAX_THINK_TAGS: Final = 256
_MAX_REASON_CHARS: Final = 4_000
_NOTE_VALUE_CHARS: Final = 40
_REQUEST_FAILED_NOTE_CHARS: Final = 200
_NFKC_CHUNK: Final = 2_048
_NFKC_CUT_SLACK: Final = 32

# --------------------------------------------------------------------------------------
# Vocabulary.
# --------------------------------------------------------------------------------------
# Ways a judge names one of the two answers ("Assistant A", "Response B", ...).
_WORDING: Final = r"(?:assistant|answer|response|model|output|candidate|option|resp\.?)"

# Exact canonical spellings (also used for the "exact key beats fuzzy key" rule).
_CANONICAL: Final[Mapping[str, Dimension]] = types.MappingProxyType({d: d for d in DIMENSIONS})
# Prefixes of the compacted key (lower case, letters and digits only). They cover
# adjective forms and suffixes: accurate, relevancy, comprehensive, creative,
# responsive, overall_winner, Overall Preference.
_STEMS: Final[tuple[tuple[str, Dimension], ...]] = (
    ("accura", "accuracy"),
    ("acura", "accuracy"),
    ("relev", "relevance"),
    ("relav", "relevance"),
    ("comprehen", "comprehensiveness"),
    ("comprehan", "comprehensiveness"),
    ("creativ", "creativity"),
    ("responsiv", "responsiveness"),
    ("overal", "overall"),
)
# Targets of the edit-distance match, for misspellings the stems miss
# ("creativty" is caught by a stem, "reponsiveness" and "acuracy" by distance).
_FUZZY_TARGETS: Final[tuple[tuple[str, Dimension], ...]] = (
    ("accuracy", "accuracy"),
    ("accurate", "accuracy"),
    ("relevance", "relevance"),
    ("relevancy", "relevance"),
    ("relevant", "relevance"),
    ("comprehensiveness", "comprehensiveness"),
    ("comprehensive", "comprehensiveness"),
    ("creativity", "creativity"),
    ("creative", "creativity"),
    ("responsiveness", "responsiveness"),
    ("responsive", "responsiveness"),
    ("overall", "overall"),
)
_FUZZY_MIN_LEN: Final = 6
_FUZZY_MAX_DISTANCE: Final = 2

# Ranks of a key's claim on a dimension within one object or block: an exact canonical
# key beats a stem, a stem beats a misspelling, and any of them beats a generic verdict
# key ("Final verdict: A"), which only stands in for a missing "overall".
_RANK_EXACT: Final = 3
_RANK_STEM: Final = 2
_RANK_FUZZY: Final = 1
_RANK_GENERIC: Final = 0

# Keys holding a winner without naming a dimension. At top level they are a lone overall
# verdict; inside a per-dimension object ({"accuracy": {"winner": "A"}}) they hold that
# dimension's winner. Compared in compact form.
_VERDICT_KEYS: Final = frozenset(
    {
        "winner", "choice", "better", "preferred", "preference", "answer", "verdict",
        "result", "decision", "pick", "selected", "selection", "judgment", "judgement",
        "conclusion", "finalanswer", "finalverdict", "finaldecision", "finalchoice",
        "finaljudgment", "finaljudgement", "finalwinner", "finalresult", "finalpick",
        "betteranswer", "betterresponse", "betterassistant", "betterone",
        "preferredanswer", "preferredresponse", "preferredassistant",
        "winninganswer", "winningresponse", "bestanswer", "bestresponse",
        "chosen", "chosenanswer", "chosenresponse",
    }
)  # fmt: skip
# Keys whose value is the judge's own explanation (first word of the key).
_REASON_WORDS: Final = frozenset(
    {"reason", "reasons", "reasoning", "explanation", "explanations", "rationale",
     "justification", "justifications"}
)  # fmt: skip
# Words that make a key something other than a winner slot: per-dimension reasons,
# scores ("accuracy_score": 8), notes.
_NON_VERDICT_WORDS: Final = _REASON_WORDS | frozenset(
    {"score", "scores", "rating", "ratings", "points", "grade", "comment", "comments",
     "note", "notes", "analysis", "summary", "confidence", "feedback", "critique"}
)  # fmt: skip

# Words that may follow a leading "A" when it is a verdict ("A is better", "A because"),
# as opposed to the article ("A small nodule ...").
_A_CONTINUATIONS: Final = frozenset(
    {"is", "was", "wins", "won", "win", "better", "superior", "preferred", "because",
     "since", "as", "clearly", "slightly", "marginally", "definitely", "obviously",
     "overall", "again", "too", "also", "provides", "gives", "offers", "has", "had",
     "does", "did", "answers", "due", "with", "for", "here", "only", "outperforms",
     "performs", "edges", "by", "seems", "appears", "gets", "takes", "remains",
     "stands", "would", "should", "and"}
)  # fmt: skip

# --------------------------------------------------------------------------------------
# Regular expressions. None has nested unbounded repetition; all are used with match()
# at a position, on a single line, or on a value already cut to _MAX_VALUE_CHARS.
# --------------------------------------------------------------------------------------
_VALUE_TRIM: Final = " \t\r\n*_`\"'“”‘’„«»[](){}<>#~.,;:!"
# Around a reason line's text: markup and YAML block markers ("reason: |"), not its words.
_REASON_TRIM: Final = " \t\r\n*_`\"'“”|>"
_PLACEHOLDER_RE: Final = re.compile(r"[ab][ \t]*\|[ \t]*[ab]", re.IGNORECASE)
_TIE_START_RE: Final = re.compile(
    r"(?:ties?|tied|both|neither|equal|equally|same|none|n/?a|null|nil|draw|either|"
    r"no[ \t]+(?:winner|preference|difference|clear)|cannot|can't|can[ \t]?not|unable|"
    r"undecided|undetermined|unclear|unknown|comparable|similar|indistinguishable|even)\b",
    re.IGNORECASE,
)
_LEADING_WINNER_RE: Final = re.compile(
    rf"(?:(?P<wording>{_WORDING})[ \t_-]*)?(?P<letter>[ab])(?![a-z0-9])", re.IGNORECASE
)
_NEXT_WORD_RE: Final = re.compile(r"[ \t]+([a-z]+)", re.IGNORECASE)
# A second letter right after the first: "A=B", "A or B", "A/B", "A and B", "A, B".
_SECOND_LETTER_RE: Final = re.compile(
    rf"[ \t]*(?:[=/|&+]|\b(?:and|or|nor|vs\.?|versus|equals?|tied?[ \t]+with)\b)[ \t]*"
    rf"(?:{_WORDING}[ \t_-]*)?[ab](?![a-z0-9])",
    re.IGNORECASE,
)
_SECOND_LETTER_LOOSE_RE: Final = re.compile(rf"(?:[ \t]*,[ \t]*|[ \t]+)(?:(?i:{_WORDING})[ \t_-]*)?[AB](?![A-Za-z0-9])")
_BETTER_THAN_RE: Final = re.compile(
    rf"[ \t]*(?:>+|≫|\bbetter[ \t]+than\b|\bbeats\b|\boutperforms\b)[ \t]*"
    rf"(?:{_WORDING}[ \t_-]*)?[ab](?![a-z0-9])",
    re.IGNORECASE,
)
_WORSE_THAN_RE: Final = re.compile(
    rf"[ \t]*(?:<+|≪|\bworse[ \t]+than\b)[ \t]*(?:{_WORDING}[ \t_-]*)?(?P<other>[ab])(?![a-z0-9])",
    re.IGNORECASE,
)
_CLAUSE_END_RE: Final = re.compile(r"[,;.:(\-–—]|\bbecause\b|\bsince\b", re.IGNORECASE)
_CLAUSE_TIE_RE: Final = re.compile(
    r"\b(?:equal|equally|tie|tied|ties|same|as[ \t]+good[ \t]+as|both|neither|"
    r"comparable|similar)\b",
    re.IGNORECASE,
)
_CLAUSE_NEGATION_RE: Final = re.compile(r"\b(?:not|worse|loses|lost|inferior|fails)\b", re.IGNORECASE)
_DASH_ONLY: Final = frozenset({"", "-", "--", "---", "—", "–", "?", "??", "..."})

_CAMEL_RE: Final = re.compile(r"([a-z])([A-Z])")
_NON_ALNUM_RE: Final = re.compile(r"[^0-9a-z]+")

# Scanner for {...} spans: braces and quote characters that may open a string literal.
_SCAN_STOP_RE: Final = re.compile("[{}\"'“]")
_OPEN_RUN_RE: Final = re.compile(r"\{+")
_STRING_STOPS: Final[Mapping[str, re.Pattern[str]]] = types.MappingProxyType(
    {'"': re.compile(r'["\\]'), "'": re.compile(r"['\\]"), "“": re.compile(r"[”“\\]")}
)
# A quote closes a string only where a JSON token could follow it. This lets a reason
# such as "Assistant A says "mass" here" survive unescaped inner quotes.
_AFTER_CLOSER_RE: Final = re.compile(r"[ \t]*(?:[,:;}\]\r\n]|$)")
_STRING_OPENERS_BEFORE: Final = frozenset("{[,:\"'”")
_OPENER_LOOKBACK: Final = 256
_BLANKS: Final = frozenset(" \t\r\n")
_KEY_QUOTES: Final = frozenset("\"'“_")
_ESCAPE_RE: Final = re.compile(r"\\(u[0-9a-fA-F]{4}|.)", re.DOTALL)
_SIMPLE_ESCAPES: Final[Mapping[str, str]] = types.MappingProxyType(
    {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\", '"': '"', "'": "'"}
)
_WS_RE: Final = re.compile(r"[ \t\r\n]*")
_BARE_KEY_RE: Final = re.compile(r"[^:=,;{}\[\]\n\"'“]+")
_BARE_VALUE_OBJ_RE: Final = re.compile(r"[^,}\n]*")
_BARE_VALUE_ARR_RE: Final = re.compile(r"[^,\]\n]*")

_THINK_TAG_RE: Final = re.compile(r"<(/?)think(?:ing)?[ \t]*>", re.IGNORECASE)
_REASON_PREFIX_RE: Final = re.compile(
    r"[\W_]*(?:reason|reasons|reasoning|explanation|rationale|justification)\b[^:=\n]{0,24}[:=]",
    re.IGNORECASE,
)

# A key of a line layout: up to six words of bounded length (so a failed match costs a
# constant, not the length of a long run of word characters), starting with a letter.
# Words are separated
# by a few blanks, which never overlap the word characters, so the split is unambiguous
# and the key never ends in blanks that a following [ \t]* could also take (adjacent
# overlapping quantifiers backtrack polynomially on long blank runs).
_LINE_KEY: Final = r"(?P<key>[^\W\d_][\w/&'-]{0,40}(?:[ \t]{1,3}[\w/&'-]{1,40}){0,5})"
_LINE_PREFIX: Final = r"[ \t>]*(?:(?:[-*+•·]|\d{1,3}[.)])[ \t]*)?(?:\#{1,6}[ \t]*)?(?:<(?:b|strong|em|i)>)?"
_HTML_CLOSE: Final = r"(?:</(?:b|strong|em|i)>)?"
# One "key: value" line: optional quote marker, bullet, heading hashes and markup around
# the key, then a separator.
_KV_LINE_RE: Final = re.compile(
    _LINE_PREFIX
    + r"[*_`\"'“]{0,3}"
    + _LINE_KEY
    + r"(?:[ \t]*\([^()\n]{0,40}\))?[*_`\"'”]{0,3}"
    + _HTML_CLOSE
    + r"[ \t]*"
    r"(?P<sep>:|=>|->|=|→|[-–—](?=[ \t]))[*_`\"'”]{0,3}(?P<value>.*)"
)
# A line that is only a (dimension) name: "### Accuracy", "**Accuracy**", "Accuracy:".
_HEADING_LINE_RE: Final = re.compile(
    _LINE_PREFIX + r"[*_`]{0,3}" + _LINE_KEY + r"[*_`]{0,3}" + _HTML_CLOSE + r"(?:[ \t]*:)?(?:[ \t]*[*_`]{1,3})?[ \t]*"
)
# One "key: value" piece of a "k=v, k=v" list.
_KV_PIECE_RE: Final = re.compile(r"[ \t]*[*_`\"'“]{0,3}" + _LINE_KEY + r"[*_`\"'”]{0,3}[ \t]*[:=][ \t]*(?P<value>.*)")
# Pieces of a "k=v" list: split at commas and semicolons, and at blanks before "word=" or
# "word:" (for 'accuracy="A" relevance="B"'). The look-ahead is bounded, and a blank run
# is tried once, from its start and without backtracking, which keeps the split linear.
_PIECE_SPLIT_RE: Final = re.compile(r"[,;]|(?<![ \t])[ \t]++(?=[A-Za-z_]{1,40}[ \t]*[:=])")
_TABLE_SEPARATOR_CELL_RE: Final = re.compile(r":?-{1,}:?")
# A line holding only a winner: "A", "**B**", "Assistant A", "[[B]]", "(A)", "B.".
# Only markdown, quote and bracket wrappers: '{"a' is the start of an object, not "A".
_BARE_LINE_MAX: Final = 40
_BARE_LINE_RE: Final = re.compile(
    r"[ \t>]*(?:\*{1,2}|_{1,2}|`)?[\"'“”‘’]?(?:\[\[|[\[(])?[ \t]*"
    rf"(?:(?P<wording>{_WORDING})[ \t_-]*)?(?P<letter>[ab])"
    r"[ \t]*(?:\]\]|[\])])?[\"'“”‘’]?(?:\*{1,2}|_{1,2}|`)?[.!]?[ \t]*",
    re.IGNORECASE,
)
# Lone overall verdicts inside a line.
# MT-Bench style; [[C]] is that format's tie.
_DOUBLE_BRACKET_RE: Final = re.compile(r"\[\[[ \t]*([abc])[ \t]*\]\]", re.IGNORECASE)
_FINAL_PHRASE_RE: Final = re.compile(
    r"\bfinal[ \t]+(?:answer|verdict|decision|choice|judge?ment|pick|winner|result)\b"
    r"[ \t*:]*(?:(?:is\b|=|-)[ \t*:]*)?(?P<value>.{0,80})",
    re.IGNORECASE,
)
_WINNER_PHRASE_RE: Final = re.compile(
    r"\b(?:the[ \t]+)?(?:winner|better[ \t]+(?:answer|response|one|assistant)|"
    r"preferred[ \t]+(?:answer|response|one|assistant)|stronger[ \t]+(?:answer|response))"
    r"[ \t]+is[ \t*:]*(?P<value>.{0,80})",
    re.IGNORECASE,
)
_CONCLUDING_RE: Final = re.compile(
    rf"(?:\b{_WORDING}[ \t_-]*(?P<l1>[ab])|(?<![\w'’])(?P<l2>(?-i:[AB])))(?![a-z0-9])"
    rf"(?:'s[ \t]+(?:answer|response))?[ \t]+(?:is|was)[ \t]+"
    r"(?:(?:clearly|overall|slightly|much|marginally|definitely|the)[ \t]+){0,3}"
    r"(?:better|superior|preferred|stronger|preferable|the[ \t]+winner|winner)"
    r"(?:[ \t]+(?:answer|response|one|choice|option|overall))?[ \t]*(?:[.!]|$)",
    re.IGNORECASE,
)
# "I prefer Assistant A." as a concluding sentence.
_PREFER_RE: Final = re.compile(
    rf"\bI(?:[ \t]+would)?[ \t]+(?:prefer|choose|pick|select|favou?r)[ \t]+(?:{_WORDING}[ \t_-]*)?(?P<l1>[ab])"
    r"(?![a-z0-9])(?:'s[ \t]+(?:answer|response))?(?:[ \t]+overall)?[ \t]*(?:[.!]|$)",
    re.IGNORECASE,
)
# A concluding sentence about one named dimension ("In terms of relevance, Assistant A is
# better.") is not an overall verdict.
_OTHER_DIMENSION_RE: Final = re.compile(r"accura|relev|relav|comprehen|creativ|responsiv", re.IGNORECASE)
_SENTENCE_END_RE: Final = re.compile(r"[.!?;]")
_QUALIFIER_LOOKBACK: Final = 200
_REFUSAL_RE: Final = re.compile(
    r"\bI[ \t]*(?:cannot|can't|can[ \t]not|am[ \t]+unable[ \t]+to|am[ \t]+not[ \t]+able[ \t]+to|"
    r"won't|will[ \t]+not|must[ \t]+decline|'m[ \t]+(?:unable|not[ \t]+able))|"
    r"\b(?:unable|not[ \t]+possible)[ \t]+to[ \t]+(?:evaluate|assess|determine|judge|compare)",
    re.IGNORECASE,
)


# --------------------------------------------------------------------------------------
# The result.
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    """What a judge decided, per dimension, and how the parser found (or missed) it."""

    choices: Mapping[Dimension, Winner | None]
    status: ParseStatus
    method: str
    reason: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        # Freeze the mapping in DIMENSIONS order whatever the caller passed, so equal
        # verdicts compare (and serialise) equal.
        unknown = set(self.choices) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"unknown dimensions in choices: {sorted(map(str, unknown))}")
        frozen: dict[Dimension, Winner | None] = {}
        for dim in DIMENSIONS:
            value = self.choices.get(dim)
            if value is not None and value not in WINNERS:
                raise ValueError(f"choice for {dim} must be 'A', 'B' or None, not {value!r}")
            frozen[dim] = value
        object.__setattr__(self, "choices", types.MappingProxyType(frozen))

    def __hash__(self) -> int:
        return hash((tuple(self.choices.items()), self.status, self.method, self.reason, self.note))

    @property
    def decided(self) -> int:
        """Number of dimensions with a winner."""
        return sum(1 for value in self.choices.values() if value is not None)

    def to_dict(self) -> dict[str, object]:
        """A JSON-serialisable copy (choices keep DIMENSIONS order)."""
        return {
            "choices": dict(self.choices),
            "status": self.status,
            "method": self.method,
            "reason": self.reason,
            "note": self.note,
        }


def verdict_status(choices: Mapping[Dimension, Winner | None]) -> ParseStatus:
    """``ok`` with a winner on all six dimensions, ``partial`` with some, ``unparseable`` with none."""
    decided = sum(1 for dim in DIMENSIONS if choices.get(dim) is not None)
    if decided == len(DIMENSIONS):
        return "ok"
    return "partial" if decided else "unparseable"


def unreadable_verdict(note: str) -> Verdict:
    """A verdict with no winner at all; ``note`` says why (failed request, missing prediction, ...)."""
    return Verdict(choices={}, status="unparseable", method=METHOD_NONE, reason=None, note=note)


_unparseable = unreadable_verdict


# --------------------------------------------------------------------------------------
# Internal structures (all local to one parse call).
# --------------------------------------------------------------------------------------
@dataclass
class _Obj:
    """A parsed object: its key/value pairs in order (duplicates kept)."""

    pairs: list[tuple[str, object]]
    truncated: bool = False


@dataclass
class _Slot:
    rank: int
    value: object
    inline: bool = False


@dataclass
class _Candidate:
    order: tuple[int, int]
    kind: Literal["structured", "lone"]
    method: str
    choices: dict[Dimension, Winner | None]
    notes: list[str]
    reason: str | None
    template: bool = False
    noted: frozenset[Dimension] = frozenset()

    @property
    def decided(self) -> int:
        return sum(1 for value in self.choices.values() if value is not None)


@dataclass
class _KeyClass:
    kind: Literal["dim", "verdict", "reason", "other"]
    dim: Dimension | None = None
    rank: int = 0


@dataclass
class _Findings:
    candidates: list[_Candidate] = field(default_factory=list)
    refusal: bool = False
    cut_off: bool = False  # an object cut off before its first complete pair


# --------------------------------------------------------------------------------------
# Values.
# --------------------------------------------------------------------------------------
def _scalar_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def _read_winner(raw: str) -> tuple[Winner | None, str]:
    """Winner named at the start of a value, or None and why: "empty", "tie",
    "ambiguous" (both letters), "placeholder" (the template's "A|B") or "other"."""
    head = raw[:_MAX_VALUE_CHARS].strip()
    core = head.strip(_VALUE_TRIM)
    if core in _DASH_ONLY:
        return None, "empty"
    if _PLACEHOLDER_RE.fullmatch(core):
        return None, "placeholder"
    if _TIE_START_RE.match(core):
        return None, "tie"
    match = _LEADING_WINNER_RE.match(core)
    if match is None:
        return None, "other"
    letter = match.group("letter")
    rest = core[match.end() :]
    if _SECOND_LETTER_RE.match(rest) or (letter.isupper() and _SECOND_LETTER_LOOSE_RE.match(rest)):
        return None, "ambiguous"  # "A or B", "A/B", "A=B", "A, B"
    if match.group("wording") is None and letter in "aA":
        # "A small nodule": a leading "A" followed by an ordinary word is the article.
        word = _NEXT_WORD_RE.match(rest)
        if word is not None and word.group(1).lower() not in _A_CONTINUATIONS:
            return None, "other"
    worse = _WORSE_THAN_RE.match(rest)
    if worse is not None:
        # "A < B": the other answer is the better one.
        if worse.group("other").upper() == letter.upper():
            return None, "other"
        return ("B" if letter in "aA" else "A"), ""
    if not _BETTER_THAN_RE.match(rest):
        clause = _CLAUSE_END_RE.split(rest, maxsplit=1)[0]
        if _CLAUSE_TIE_RE.search(clause):
            return None, "tie"
        if _CLAUSE_NEGATION_RE.search(clause):
            return None, "other"
    return ("A" if letter in "aA" else "B"), ""


def _winner_of_value(value: object) -> tuple[Winner | None, str, str]:
    """(winner, problem, text shown in a note) for a dimension's value of any shape."""
    if isinstance(value, _Obj):
        for key, inner in reversed(value.pairs):
            if _compact(key) in _VERDICT_KEYS:
                return _winner_of_value(inner)
        return None, "nested", ""
    if isinstance(value, list):
        if len(value) == 1:
            return _winner_of_value(value[0])
        return None, "other", "[...]"
    text = _scalar_text(value)
    if text is None:
        return None, "other", ""
    winner, problem = _read_winner(text)
    return winner, problem, text


def _states_verdict(value: object) -> bool:
    """Whether a generic key's value ("Answer: ...", {"result": ...}) is a verdict at all:
    a winner, a tie or a placeholder, rather than prose that happens to sit under it."""
    return not isinstance(value, (_Obj, list)) and _winner_of_value(value)[1] != "other"


def _problem_note(dim: Dimension, problem: str, shown: str) -> str:
    if problem == "tie":
        return f"tie/both/neither for {dim}"
    if problem == "ambiguous":
        return f"value '{shown.strip()[:_NOTE_VALUE_CHARS]}' for {dim} names both answers"
    if problem == "placeholder":
        return f"template placeholder 'A|B' for {dim}"
    if problem == "empty":
        return f"no value for {dim}"
    if problem == "nested":
        return f"no winner key in the nested object for {dim}"
    shown = " ".join(shown.split())
    if len(shown) > _NOTE_VALUE_CHARS:
        shown = shown[:_NOTE_VALUE_CHARS] + "…"
    return f"value '{shown}' for {dim} is not A or B"


# --------------------------------------------------------------------------------------
# Keys.
# --------------------------------------------------------------------------------------
def _key_words(key: str) -> list[str]:
    spaced = _CAMEL_RE.sub(r"\1 \2", key)
    return [word for word in _NON_ALNUM_RE.split(spaced.lower()) if word]


def _compact(key: str) -> str:
    return "".join(_key_words(key))


def _edit_distance_at_most(a: str, b: str, limit: int) -> int | None:
    """Levenshtein distance of a and b if it is <= limit, else None (banded, O(len * limit))."""
    if abs(len(a) - len(b)) > limit:
        return None
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [limit + 1] * len(b)
        low = max(1, i - limit)
        high = min(len(b), i + limit)
        for j in range(low, high + 1):
            cost = 0 if char_a == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if min(current[max(0, low - 1) : high + 1]) > limit:
            return None
        previous = current
    return previous[len(b)] if previous[len(b)] <= limit else None


def _classify_key(key: str, cache: dict[str, _KeyClass]) -> _KeyClass:
    known = cache.get(key)
    if known is not None:
        return known
    result = _classify_key_uncached(key)
    cache[key] = result
    return result


def _classify_key_uncached(key: str) -> _KeyClass:
    if len(key) > _MAX_KEY_CHARS:
        return _KeyClass("other")
    words = _key_words(key)
    if not words or len(words) > _MAX_KEY_WORDS:
        return _KeyClass("other")
    compact = "".join(words)
    exact = _CANONICAL.get(compact)
    if exact is not None:
        return _KeyClass("dim", exact, _RANK_EXACT)
    if words[0] in _REASON_WORDS:
        return _KeyClass("reason")
    if any(word in _NON_VERDICT_WORDS or word in ("a", "b") for word in words):
        # "accuracy_reason", "accuracy_score", "Answer A": about a dimension or an
        # answer, but not a winner slot.
        return _KeyClass("other")
    if compact in _VERDICT_KEYS:
        return _KeyClass("verdict")
    for stem, dim in _STEMS:
        if compact.startswith(stem):
            return _KeyClass("dim", dim, _RANK_STEM)
    first = words[0]
    if len(first) >= _FUZZY_MIN_LEN:
        best: dict[Dimension, int] = {}
        for target, dim in _FUZZY_TARGETS:
            distance = _edit_distance_at_most(first, target, _FUZZY_MAX_DISTANCE)
            if distance is not None and distance < best.get(dim, _FUZZY_MAX_DISTANCE + 1):
                best[dim] = distance
        if best:
            closest = min(best.values())
            winners = [dim for dim, distance in best.items() if distance == closest]
            if len(winners) == 1:  # equally close to two names: not a guess we make
                return _KeyClass("dim", winners[0], _RANK_FUZZY)
    return _KeyClass("other")


# --------------------------------------------------------------------------------------
# Building candidates from slots (shared by objects, lines and tables).
# --------------------------------------------------------------------------------------
def _put_slot(slots: dict[Dimension, _Slot], dim: Dimension, slot: _Slot) -> None:
    # Higher rank wins; at equal rank the later key wins, as with duplicate JSON keys.
    held = slots.get(dim)
    if held is None or slot.rank >= held.rank:
        slots[dim] = slot


def _candidate_from_slots(
    slots: dict[Dimension, _Slot],
    *,
    order: tuple[int, int],
    method: str,
    reason: str | None,
) -> _Candidate | None:
    if not slots:
        return None
    lone = all(slot.rank == _RANK_GENERIC for slot in slots.values())
    choices: dict[Dimension, Winner | None] = {dim: None for dim in DIMENSIONS}
    notes: list[str] = []
    noted: set[Dimension] = set()
    placeholders = 0
    for dim in DIMENSIONS:
        slot = slots.get(dim)
        if slot is None:
            continue
        winner, problem, shown = _winner_of_value(slot.value)
        choices[dim] = winner
        if winner is None:
            placeholders += problem == "placeholder"
            notes.append(_problem_note(dim, problem, shown))
            noted.add(dim)
    decided = sum(1 for value in choices.values() if value is not None)
    template = decided == 0 and (
        placeholders > 0 or (reason is not None and reason.strip().lower() == "brief explanation")
    )
    return _Candidate(
        order=order,
        kind="lone" if lone else "structured",
        method=METHOD_LONE_VERDICT if lone else method,
        choices=choices,
        notes=notes,
        reason=reason,
        template=template,
        noted=frozenset(noted),
    )


# --------------------------------------------------------------------------------------
# Objects: scanning for {...} spans and reading them tolerantly.
# --------------------------------------------------------------------------------------
class _StepBudget:
    """Work left for the tolerant parser in one window, shared by all its attempts:
    nested cut-off objects overlap, so per-attempt limits alone would be quadratic."""

    __slots__ = ("left",)

    def __init__(self, steps: int) -> None:
        self.left = steps


def _string_end(text: str, start: int, limit: int, budget: _StepBudget | None = None) -> int:
    """Index just after the string literal opening at start, or -1 if it never closes
    (or the budget ran out before it did)."""
    stop = _STRING_STOPS[text[start]]
    i = start + 1
    while True:
        if budget is not None:
            budget.left -= 1
            if budget.left < 0:
                return -1
        match = stop.search(text, i, limit)
        if match is None:
            return -1
        k = match.start()
        if text[k] == "\\":
            i = k + 2
            continue
        if _AFTER_CLOSER_RE.match(text, k + 1, limit):
            return k + 1
        i = k + 1


def _opens_string(text: str, i: int) -> bool:
    # A quote starts a literal only where JSON expects a key or value; an apostrophe in
    # "A's answer" (or a stray inch mark) inside a brace does not. Look-back is bounded
    # because whitespace runs may be long.
    j = i - 1
    low = max(0, i - _OPENER_LOOKBACK)
    while j >= low and text[j] in " \t\r\n":
        j -= 1
    return j >= low and text[j] in _STRING_OPENERS_BEFORE


@dataclass
class _Spans:
    starts: list[int]
    ends: list[int]  # exclusive; len(text) for objects never closed
    closed: list[bool]
    plausible: list[bool]  # "{" followed by a key-like character: worth a parse


def _scan_objects(text: str) -> _Spans:
    """All {...} spans outside string literals (one pass; strings are skipped by regex).
    This loop runs once per brace and quote, so its lookups are bound to locals."""
    starts: list[int] = []
    ends: list[int] = []
    closed: list[bool] = []
    plausible: list[bool] = []
    stack: list[int] = []
    search = _SCAN_STOP_RE.search
    n = len(text)
    pos = 0
    while pos < n:
        if stack:
            match = search(text, pos)
            if match is None:
                break
            i = match.start()
        else:
            i = text.find("{", pos)
            if i < 0:
                break
        char = text[i]
        if char == "{":
            if text.startswith("{{", i):
                # A run of "{" is recorded with list operations, not one loop turn per
                # brace (runs are the costliest junk); only its last brace can open a key.
                run = _OPEN_RUN_RE.match(text, i)
                run_end = run.end() if run is not None else i + 1
                count = run_end - i
                first = len(starts)
                stack.extend(range(first, first + count))
                starts.extend(range(i, run_end))
                ends.extend([n] * count)
                closed.extend([False] * count)
                plausible.extend([False] * (count - 1))
            else:
                run_end = i + 1
                stack.append(len(starts))
                starts.append(i)
                ends.append(n)
                closed.append(False)
            after = text[run_end : run_end + 1]
            if after in _BLANKS and after:
                blank = _WS_RE.match(text, run_end)
                after = text[blank.end() : blank.end() + 1] if blank is not None else ""
            plausible.append(after.isalnum() or after in _KEY_QUOTES)
            pos = run_end
        elif char == "}":
            if stack:
                index = stack.pop()
                ends[index] = i + 1
                closed[index] = True
            pos = i + 1
        elif _opens_string(text, i):
            end = _string_end(text, i, n)
            if end < 0:
                break  # an unterminated string runs to the end: open objects are cut off
            pos = end
        else:
            pos = i + 1
    return _Spans(starts, ends, closed, plausible)


class _LenientParser:
    """Reads a JSON-like object: quotes of any kind, bare keys and values, missing or
    trailing commas, '=' for ':', and text cut off anywhere (keeping complete pairs)."""

    __slots__ = ("budget", "end", "halted", "keyed", "pos", "text")

    def __init__(self, text: str, start: int, end: int, budget: _StepBudget) -> None:
        self.text = text
        self.pos = start
        self.end = end
        self.budget = budget
        # Nesting too deep or work budget spent: stop everywhere, keep what is complete.
        self.halted = False
        # Whether a "key:" was seen: then the text is an object, even one cut off
        # before its first complete pair, and no other rule may read inside it.
        self.keyed = False

    def _skip_ws(self) -> None:
        match = _WS_RE.match(self.text, self.pos, self.end)
        if match is not None:
            self.pos = match.end()

    def _string(self) -> tuple[str, bool]:
        start = self.pos
        end = _string_end(self.text, start, self.end, self.budget)
        if end < 0:
            self.pos = self.end
            return "", False
        self.pos = end
        body = self.text[start + 1 : end - 1]
        if "\\" in body:
            body = _ESCAPE_RE.sub(_decode_escape, body)
        return body, True

    def parse_object(self, depth: int) -> tuple[_Obj, bool]:
        obj = _Obj([])
        self.pos += 1  # the "{"
        if depth > MAX_NESTING:
            self.halted = True
            obj.truncated = True
            return obj, False
        text, end, budget = self.text, self.end, self.budget
        while True:
            budget.left -= 1
            if budget.left < 0:
                self.halted = True
            self._skip_ws()
            if self.pos >= end or self.halted:
                obj.truncated = True
                return obj, False
            char = text[self.pos]
            if char in ",;":
                self.pos += 1
                continue
            if char == "}":
                self.pos += 1
                return obj, True
            if not obj.pairs and depth == 0 and char not in _STRING_STOPS and not char.isalnum():
                # An object opens with a key; "{{", "{ -" or "{[" is prose or a template.
                return obj, False
            if char in "]:=":
                self.pos += 1
                continue
            if char in "{[":
                self._value(depth)  # a stray structure in key position: read past it
                if self.halted:
                    obj.truncated = True
                    return obj, False
                continue
            if char in _STRING_STOPS:
                key, complete = self._string()
                if not complete:
                    obj.truncated = True
                    return obj, False
            else:
                match = _BARE_KEY_RE.match(text, self.pos, end)
                if match is None:  # unreachable: every other character starts a bare key
                    self.pos += 1
                    continue
                key = match.group().strip()
                self.pos = match.end()
            self._skip_ws()
            if self.pos >= end:
                obj.truncated = True
                return obj, False
            if text[self.pos] not in ":=":
                if not obj.pairs and depth == 0:
                    return obj, False  # "{like this": prose in braces, not an object
                continue  # a stray word between pairs: resynchronise at the next token
            self.pos += 1
            self.keyed = True
            value, complete = self._value(depth, in_array=False)
            if isinstance(value, _Obj) and value.pairs:
                obj.pairs.append((key, value))  # a cut-off nested object keeps its pairs
            elif complete:
                obj.pairs.append((key, value))
            if not complete or self.halted:
                obj.truncated = True
                return obj, False

    def _array(self, depth: int) -> tuple[list[object], bool]:
        items: list[object] = []
        self.pos += 1  # the "["
        if depth > MAX_NESTING:
            self.halted = True
            return items, False
        budget = self.budget
        while True:
            budget.left -= 1
            if budget.left < 0:
                self.halted = True
            self._skip_ws()
            if self.pos >= self.end or self.halted:
                return items, False
            char = self.text[self.pos]
            if char in ",;":
                self.pos += 1
                continue
            if char in "]}":
                self.pos += 1
                return items, char == "]"
            value, complete = self._value(depth, in_array=True)
            if complete or (isinstance(value, _Obj) and value.pairs):
                items.append(value)
            if not complete or self.halted:
                return items, False

    def _value(self, depth: int, in_array: bool = False) -> tuple[object, bool]:
        self._skip_ws()
        if self.pos >= self.end:
            return None, False
        char = self.text[self.pos]
        if char == "{":
            return self.parse_object(depth + 1)
        if char == "[":
            return self._array(depth + 1)
        if char in _STRING_STOPS:
            return self._string()
        pattern = _BARE_VALUE_ARR_RE if in_array else _BARE_VALUE_OBJ_RE
        match = pattern.match(self.text, self.pos, self.end)
        assert match is not None  # the pattern matches the empty string
        self.pos = match.end()
        value = match.group().strip()
        # A bare value ends at a delimiter or at the end of the text, like a final
        # "Overall: B" line: nothing marks it as cut off, unlike an unclosed quote.
        return value, bool(value) or self.pos < self.end


def _decode_escape(match: re.Match[str]) -> str:
    token = match.group(1)
    if token[0] == "u" and len(token) == 5:
        return chr(int(token[1:], 16))
    return _SIMPLE_ESCAPES.get(token, token)


def _json_pairs_hook(pairs: list[tuple[str, object]]) -> _Obj:
    return _Obj(list(pairs))


def _read_object(
    text: str, start: int, end: int, closed: bool, budget: _StepBudget
) -> tuple[tuple[_Obj, str] | None, bool]:
    """(the object at text[start:end] and how it was read, or None if it has no complete
    pair; whether it is an object at all, i.e. it reached "key:")."""
    parser = _LenientParser(text, start, end, budget)
    obj, _ = parser.parse_object(0)
    if not obj.pairs:
        return None, parser.keyed
    if closed and not obj.truncated:
        # Strict JSON decides the method and, being exact, the values. It runs only on
        # objects the tolerant reader accepted, so stray braces never cost a decode.
        try:
            value = json.loads(text[start:end], object_pairs_hook=_json_pairs_hook)
        except (ValueError, RecursionError):
            value = None
        if isinstance(value, _Obj) and value.pairs:
            return (value, METHOD_JSON), True
    return (obj, (METHOD_JSON_TRUNCATED if obj.truncated else METHOD_JSON_LENIENT)), True


def _object_candidates(
    obj: _Obj,
    *,
    method: str,
    order: tuple[int, int],
    cache: dict[str, _KeyClass],
    inherited_reason: str | None = None,
    depth: int = 0,
) -> list[_Candidate]:
    """Candidates of one object: itself if it names dimensions (or a generic winner),
    otherwise those of the objects it wraps ({"verdict": {...}}, [{...}])."""
    slots: dict[Dimension, _Slot] = {}
    reason: str | None = None
    wrapped: list[_Obj] = []
    for key, value in obj.pairs:
        key_class = _classify_key(key, cache)
        if key_class.kind == "dim" and key_class.dim is not None:
            _put_slot(slots, key_class.dim, _Slot(key_class.rank, value))
        elif key_class.kind == "reason":
            text = _scalar_text(value)
            if text is not None and text.strip():
                reason = text.strip()[:_MAX_REASON_CHARS]
        elif key_class.kind == "verdict" and _states_verdict(value):
            _put_slot(slots, "overall", _Slot(_RANK_GENERIC, value))
        if isinstance(value, _Obj):
            wrapped.append(value)
        elif isinstance(value, list):
            wrapped.extend(item for item in value if isinstance(item, _Obj))
    reason = reason or inherited_reason
    if any(slot.rank > _RANK_GENERIC for slot in slots.values()):
        candidate = _candidate_from_slots(slots, order=order, method=method, reason=reason)
        return [candidate] if candidate is not None else []
    found: list[_Candidate] = []
    if depth < MAX_NESTING:
        for index, inner in enumerate(wrapped):
            found.extend(
                _object_candidates(
                    inner,
                    method=method,
                    order=(order[0], order[1] * 64 + index),
                    cache=cache,
                    inherited_reason=reason,
                    depth=depth + 1,
                )
            )
    if found:
        return found
    candidate = _candidate_from_slots(slots, order=order, method=method, reason=reason)
    return [candidate] if candidate is not None else []


def _in_reason_line(text: str, start: int) -> bool:
    """Whether the object at start sits in a "Reason: ..." line (then it is reason text)."""
    low = max(0, start - 200)
    line_start = text.rfind("\n", low, start) + 1 or low
    return _REASON_PREFIX_RE.match(text, line_start, start) is not None


def _scan_json(
    text: str, base: int, cache: dict[str, _KeyClass]
) -> tuple[list[_Candidate], list[tuple[int, int]], bool]:
    """Candidates from objects, the spans to hide from the line rules, and whether an
    object was cut off before its first complete pair."""
    spans = _scan_objects(text)
    candidates: list[_Candidate] = []
    masked: list[tuple[int, int]] = []
    # Latest-ending first (the verdict is at the end; the parse budget goes there), and
    # of spans ending together (objects cut off at the end of the text) the outer first.
    # Spans nest, so every span processed after an accepted one either lies inside it
    # (a per-dimension object, a string's braces: skipped) or wholly before it.
    order = sorted(
        (index for index, plausible in enumerate(spans.plausible) if plausible),
        key=lambda index: (-spans.ends[index], spans.starts[index]),
    )
    budget = MAX_OBJECT_PARSES
    steps = _StepBudget(PARSE_STEP_BUDGET)
    accepted_start = -1
    cut_off = False
    for index in order:
        start, end = spans.starts[index], spans.ends[index]
        if accepted_start >= 0 and start >= accepted_start:
            continue
        if budget == 0:
            break
        budget -= 1
        read, keyed = _read_object(text, start, end, spans.closed[index], steps)
        if keyed:
            masked.append((start, end))
        if read is None:
            cut_off = cut_off or keyed
            continue  # objects inside it may still be verdicts (e.g. under a prose "{")
        accepted_start = start
        if _in_reason_line(text, start):
            continue
        obj, method = read
        candidates.extend(_object_candidates(obj, method=method, order=(base + end, 0), cache=cache))
    masked.sort()
    return candidates, masked, cut_off


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """text with each span blanked but its position kept; the span's edges become line
    breaks so text around an object never fuses into one line."""
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        if start < last:
            continue
        pieces.append(text[last:start])
        length = end - start
        pieces.append("\n" + " " * (length - 2) + "\n" if length >= 2 else "\n" * length)
        last = end
    pieces.append(text[last:])
    return "".join(pieces)


# --------------------------------------------------------------------------------------
# Lines: key/value layouts, tables, headings and lone verdicts.
# --------------------------------------------------------------------------------------
@dataclass
class _Block:
    method: str
    slots: dict[Dimension, _Slot] = field(default_factory=dict)
    reason: str | None = None
    last_line: int = -1
    last_pos: int = 0
    all_inline: bool = True


class _LineReader:
    """Groups line items into blocks. A block ends when a dimension repeats (the judge
    starts over, so it is a new candidate), after a long gap, or at a table edge."""

    def __init__(self, base: int, cache: dict[str, _KeyClass]) -> None:
        self.base = base
        self.cache = cache
        self.block: _Block | None = None
        self.candidates: list[_Candidate] = []
        self.sequence = 0
        self.last_reason: str | None = None  # of the last block, kept even if it had no slots

    def close(self) -> None:
        block = self.block
        self.block = None
        if block is not None and block.reason and block.reason.strip():
            self.last_reason = block.reason.strip()
        if block is None or not block.slots:
            return
        method = (
            METHOD_KEY_VALUE_LIST if (block.method == METHOD_KEY_VALUE_LINES and block.all_inline) else block.method
        )
        self.sequence += 1
        candidate = _candidate_from_slots(
            block.slots,
            order=(self.base + block.last_pos, self.sequence),
            method=method,
            reason=block.reason.strip() if block.reason else None,
        )
        if candidate is not None:
            self.candidates.append(candidate)

    def _block_for(self, line: int, method: str) -> _Block:
        block = self.block
        if block is not None and (block.method != method or line - block.last_line > _MAX_LINE_GAP):
            self.close()
            block = None
        if block is None:
            block = _Block(method=method, last_line=line)
            self.block = block
        return block

    def add(
        self, dim: Dimension, rank: int, value: object, *, line: int, pos: int, method: str, inline: bool = False
    ) -> None:
        block = self._block_for(line, method)
        held = block.slots.get(dim)
        # The same kind of claim twice (two "Accuracy:" lines, two "Final verdict:"
        # lines) means the judge started over: that is a new candidate. A generic verdict
        # next to an explicit "Overall:" line is not a repeat; the explicit one wins.
        if held is not None and (rank > _RANK_GENERIC) == (held.rank > _RANK_GENERIC):
            self.close()
            block = self._block_for(line, method)
        _put_slot(block.slots, dim, _Slot(rank, value, inline))
        block.all_inline = block.all_inline and inline
        block.last_line = line
        block.last_pos = pos

    def set_reason(self, reason: str, *, line: int, method: str) -> None:
        block = self._block_for(line, method)
        block.reason = reason[:_MAX_REASON_CHARS]
        block.last_line = line

    def extend_reason(self, more: str) -> None:
        block = self.block
        if block is None or block.reason is None or len(block.reason) >= _MAX_REASON_CHARS:
            return
        block.reason = (block.reason + "\n" + more if block.reason else more)[:_MAX_REASON_CHARS]


def _split_cells(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    body = body.removesuffix("|")
    return [cell.strip() for cell in body.split("|", _MAX_TABLE_CELLS)[:_MAX_TABLE_CELLS]]


def _is_separator_row(cells: list[str]) -> bool:
    return all(_TABLE_SEPARATOR_CELL_RE.fullmatch(cell.replace(" ", "")) for cell in cells if cell) and any(cells)


def _cell_key(cell: str) -> str:
    return cell.strip(_VALUE_TRIM)


def _read_table(rows: list[tuple[int, int, list[str]]], reader: _LineReader) -> None:
    """Read one markdown table (rows of (line index, end position, cells))."""
    cache = reader.cache
    data = [row for row in rows if not _is_separator_row(row[2])]
    if not data:
        return
    header = data[0][2]
    separator_follows = len(rows) > 1 and _is_separator_row(rows[1][2]) and not _is_separator_row(rows[0][2])
    header_classes = [_classify_key(_cell_key(cell), cache) for cell in header]
    header_dims = [(j, kc.dim) for j, kc in enumerate(header_classes) if kc.kind == "dim" and kc.dim is not None]
    if len(header_dims) >= 2:
        # Transposed: the header names the dimensions, each later row is one verdict.
        for line, pos, cells in data[1:]:
            reader.close()
            for j, dim in header_dims:
                if j < len(cells) and cells[j]:
                    reader.add(dim, header_classes[j].rank, cells[j], line=line, pos=pos, method=METHOD_MARKDOWN_TABLE)
        reader.close()
        return
    # A header row ("| Dimension | Winner | Reason |") names columns, not a verdict: in
    # markdown it is the row above the "|---|" line; without one, a row with no winner.
    is_header = not any(kc.kind == "dim" for kc in header_classes[:2]) and (
        separator_follows or not any(_read_winner(cell)[0] is not None for cell in header)
    )
    winner_column: int | None = None
    if is_header:
        for j, kc in enumerate(header_classes):
            if kc.kind == "verdict" and j > 0:
                winner_column = j
                break
    for line, pos, cells in data[1:] if is_header else data:
        key_index = -1
        key_class: _KeyClass | None = None
        for j in range(min(2, len(cells))):
            kc = _classify_key(_cell_key(cells[j]), cache)
            if kc.kind in ("dim", "verdict", "reason"):
                key_index, key_class = j, kc
                break
        if key_class is None:
            continue
        rest = cells[key_index + 1 :]
        if key_class.kind == "reason":
            if rest and rest[0]:
                reader.set_reason(rest[0], line=line, method=METHOD_MARKDOWN_TABLE)
            continue
        value: str | None = None
        if winner_column is not None and winner_column > key_index:
            value = cells[winner_column] if winner_column < len(cells) else None
        else:
            for cell in rest:
                if cell and _read_winner(cell)[0] is not None:
                    value = cell
                    break
            if value is None and rest and rest[0]:
                value = rest[0]
        if value is None:
            continue
        if key_class.kind == "dim" and key_class.dim is not None:
            reader.add(key_class.dim, key_class.rank, value, line=line, pos=pos, method=METHOD_MARKDOWN_TABLE)
        else:
            reader.add("overall", _RANK_GENERIC, value, line=line, pos=pos, method=METHOD_MARKDOWN_TABLE)
    reader.close()


def _is_table_row(stripped: str) -> bool:
    return stripped.startswith("|") or stripped.count("|") >= 2


def _bare_winner(line: str, *, any_case: bool) -> str | None:
    """The winner if the line is only a winner ("A", "**B**", "Assistant A", "[[B]]").
    A lone lower-case letter counts only where context makes it a verdict (any_case)."""
    if len(line) > _BARE_LINE_MAX:
        return None
    match = _BARE_LINE_RE.fullmatch(line)
    if match is None:
        return None
    letter = match.group("letter")
    if letter.islower() and match.group("wording") is None and not any_case:
        return None
    return letter.upper()


def _lone_in_line(line: str, *, concluding: bool) -> str | None:
    """A lone overall verdict stated in this line, as a value to read, if any."""
    found: list[tuple[int, str]] = []
    for match in _DOUBLE_BRACKET_RE.finditer(line):
        letter = match.group(1).upper()
        found.append((match.start(), "tie" if letter == "C" else letter))
    for pattern in (_FINAL_PHRASE_RE, _WINNER_PHRASE_RE):
        for match in pattern.finditer(line):
            value = match.group("value")
            if _read_winner(value)[0] is not None:
                found.append((match.start(), value))
    if concluding:
        # The patterns end at the end of a sentence, so "A is better at naming the
        # lesion" (a per-aspect remark) never matches.
        for pattern in (_CONCLUDING_RE, _PREFER_RE):
            for match in pattern.finditer(line):
                # The qualifier sits in the same sentence, just before; looking back a
                # bounded distance keeps a long line of such sentences linear.
                sentence = line[max(0, match.start() - _QUALIFIER_LOOKBACK) : match.start()]
                sentence = _SENTENCE_END_RE.split(sentence)[-1]
                if _OTHER_DIMENSION_RE.search(sentence):
                    continue
                found.append((match.start(), match.group("l1") or match.groupdict().get("l2") or ""))
    if not found:
        return None
    return max(found, key=lambda item: item[0])[1]


def _scan_lines(
    text: str, base: int, cache: dict[str, _KeyClass], *, at_start: bool, at_end: bool, had_objects: bool
) -> list[_Candidate]:
    """Candidates from the line layouts of text. at_start / at_end: whether text begins /
    ends where the judge's output does (rules about its first and last lines apply);
    had_objects: whether objects were blanked out of it (then it is not "just a letter")."""
    lines = text.split("\n")
    if len(lines) > MAX_LINES:
        if at_end:
            lines = lines[-MAX_LINES:]
            base += len(text) - len("\n".join(lines))
            at_start = False
        else:
            lines = lines[:MAX_LINES]
            at_end = False
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return []
    # A bare letter is a verdict only when it is all the judge said, apart from a
    # labelled reason ("A\n\nReason: ..."): anywhere else a lone letter is a fragment.
    whole_text = at_start and at_end and not had_objects
    bare_letter: tuple[str, int, int] | None = None  # (winner, line, position)
    other_lines = 0  # non-blank lines that are neither the bare letter nor reason text
    if not at_end:
        concluding_from = len(lines)
    elif len(nonblank) >= _CONCLUDING_LINES:
        concluding_from = nonblank[-_CONCLUDING_LINES]
    else:
        concluding_from = nonblank[0]
    reader = _LineReader(base, cache)
    table: list[tuple[int, int, list[str]]] = []
    heading: tuple[Dimension, int, int] | None = None  # (dimension, rank, line) awaiting a winner
    reason_open = False
    reason_indent = 0
    pos = 0
    for index, line in enumerate(lines):
        pos += len(line) + 1
        stripped = line.strip()
        if not stripped:
            reason_open = False
            continue
        other_lines += 1  # taken back below for reason lines and a bare letter
        if _is_table_row(stripped):
            table.append((index, pos, _split_cells(stripped)))
            reason_open = False
            continue
        if table:
            reader.close()
            _read_table(table, reader)
            table = []
        if heading is not None and index - heading[2] > _MAX_HEADING_GAP:
            heading = None
        indent = len(line) - len(line.lstrip())
        if reason_open and indent > reason_indent:
            # Indented under "reason:" (a YAML block): the judge's prose, whatever it says.
            reader.extend_reason(stripped)
            other_lines -= 1
            continue

        match = _KV_LINE_RE.match(line)
        kc = _classify_key(match.group("key").strip(), cache) if match is not None else None
        if match is not None and kc is not None and kc.kind == "reason":
            reader.set_reason(match.group("value").strip(_REASON_TRIM), line=index, method=METHOD_KEY_VALUE_LINES)
            reason_open = True  # following lines continue it until a blank line
            reason_indent = indent
            other_lines -= 1
            continue

        # "k=v, k=v, ..." on one line.
        if stripped.count(":") + stripped.count("=") >= 2:
            pieces: list[tuple[Dimension, int, str]] = []
            for piece in _PIECE_SPLIT_RE.split(stripped, maxsplit=_MAX_TABLE_CELLS):
                piece_match = _KV_PIECE_RE.match(piece)
                if piece_match is None:
                    continue
                piece_class = _classify_key(piece_match.group("key").strip(), cache)
                piece_value = piece_match.group("value")
                if piece_class.kind == "dim" and piece_class.dim is not None:
                    pieces.append((piece_class.dim, piece_class.rank, piece_value))
                elif piece_class.kind == "verdict" and _states_verdict(piece_value):
                    pieces.append(("overall", _RANK_GENERIC, piece_value))
            if sum(1 for piece in pieces if piece[1] > _RANK_GENERIC) >= 2:
                for dim, rank, value in pieces:
                    reader.add(dim, rank, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES, inline=True)
                heading = None
                reason_open = False
                continue

        if match is not None and kc is not None:
            value = match.group("value")
            empty = not value.strip(_VALUE_TRIM + "|>")
            if kc.kind == "dim" and kc.dim is not None:
                reason_open = False
                if empty:
                    heading = (kc.dim, kc.rank, index)
                else:
                    heading = None
                    reader.add(kc.dim, kc.rank, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                continue
            if kc.kind == "verdict" and not empty and (heading is not None or _states_verdict(value)):
                reason_open = False
                if heading is not None:
                    reader.add(heading[0], heading[1], value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                    heading = None
                else:
                    reader.add("overall", _RANK_GENERIC, value, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
                continue
        else:
            head = _HEADING_LINE_RE.fullmatch(line)
            if head is not None:
                kc = _classify_key(head.group("key").strip(), cache)
                if kc.kind == "dim" and kc.dim is not None:
                    heading = (kc.dim, kc.rank, index)
                    reason_open = False
                    continue

        if reason_open:
            # Continuation of a multi-line reason: its letters are the judge's prose.
            reader.extend_reason(stripped)
            other_lines -= 1
            continue

        bare = _bare_winner(line, any_case=heading is not None or (whole_text and len(nonblank) == 1))
        if bare is not None and heading is not None:
            reader.add(heading[0], heading[1], bare, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
            heading = None
            continue
        if bare is not None and whole_text and bare_letter is None:
            bare_letter = (bare, index, pos)
            other_lines -= 1
            continue
        lone = _lone_in_line(line, concluding=index >= concluding_from)
        if lone is not None:
            reader.add("overall", _RANK_GENERIC, lone, line=index, pos=pos, method=METHOD_KEY_VALUE_LINES)
    if table:
        reader.close()
        _read_table(table, reader)
    reader.close()
    if bare_letter is not None and other_lines == 0:
        winner, _, letter_pos = bare_letter
        letter_candidate = _candidate_from_slots(
            {"overall": _Slot(_RANK_GENERIC, winner)},
            order=(base + letter_pos, reader.sequence + 1),
            method=METHOD_LONE_VERDICT,
            reason=reader.last_reason,
        )
        if letter_candidate is not None:
            reader.candidates.append(letter_candidate)
    return reader.candidates


# --------------------------------------------------------------------------------------
# Text preparation: think blocks and windows.
# --------------------------------------------------------------------------------------
def _split_think(text: str) -> tuple[str, str]:
    """(what the judge said, what it thought). An unclosed <think> runs to the end; a
    </think> before any <think> (the chat template opened it) closes everything before."""
    if "hink" not in text and "HINK" not in text:
        return text, ""  # the regex scan below costs more than this on long outputs
    outside: list[str] = []
    inside: list[str] = []
    thinking = False
    pos = 0
    for seen, match in enumerate(_THINK_TAG_RE.finditer(text), start=1):
        if seen > _MAX_THINK_TAGS:
            rest = text[pos:]
            lowered = rest.lower()
            last_close = lowered.rfind("</think")
            last_open = lowered.rfind("<think")
            if last_close > last_open:  # the text ends after a closing tag
                close_end = rest.find(">", last_close) + 1
                inside.append(rest[:close_end])
                outside.append(rest[close_end:])
            else:  # the text ends inside a think block
                inside.append(rest)
            return "\n".join(outside), "\n".join(inside)
        closing = bool(match.group(1))
        chunk = text[pos : match.start()]
        if thinking:
            inside.append(chunk)
            if closing:
                thinking = False
        elif closing and seen == 1:
            inside.append(chunk)
        else:
            outside.append(chunk)
            thinking = not closing
        pos = match.end()
    (inside if thinking else outside).append(text[pos:])
    return "\n".join(outside), "\n".join(inside)


def _cut_point(text: str, index: int) -> int:
    # Never split a base character from its combining marks (NFKC composes them).
    stop = min(len(text), index + _NFKC_CUT_SLACK)
    while index < stop and unicodedata.combining(text[index]):
        index += 1
    return index


def _nfkc_head(text: str, limit: int) -> str:
    """NFKC of the start of text, at most limit characters. Normalised chunk by chunk so
    the cost follows the output: NFKC expands some characters 18-fold (U+FDFA)."""
    if text.isascii():
        return text[:limit]
    pieces: list[str] = []
    produced = 0
    start = 0
    while start < len(text) and produced < limit:
        end = _cut_point(text, start + _NFKC_CHUNK) if start + _NFKC_CHUNK < len(text) else len(text)
        piece = unicodedata.normalize("NFKC", text[start:end])
        pieces.append(piece)
        produced += len(piece)
        start = end
    return "".join(pieces)[:limit]


def _nfkc_tail(text: str, limit: int) -> str:
    """NFKC of the end of text, at most limit characters (see _nfkc_head)."""
    if text.isascii():
        return text[-limit:]
    pieces: list[str] = []
    produced = 0
    end = len(text)
    while end > 0 and produced < limit:
        start = _cut_point(text, end - _NFKC_CHUNK) if end > _NFKC_CHUNK else 0
        if start >= end:  # a run of combining marks longer than the slack
            start = max(0, end - _NFKC_CHUNK)
        piece = unicodedata.normalize("NFKC", text[start:end])
        pieces.append(piece)
        produced += len(piece)
        end = start
    pieces.reverse()
    return "".join(pieces)[-limit:]


def _windows(text: str) -> list[str]:
    """The NFKC-normalised text to examine: all of it, or its head and tail windows."""
    if len(text) > FULL_SCAN_CHARS:
        # Padding around a verdict must not push it out of the windows. (Collapsing
        # blank runs inside the text too would need a regex pass over all of it, which
        # costs more than the whole parse; a verdict with more than a window of text on
        # both sides is the documented blind spot of the bound.)
        text = text.strip()
    if len(text) <= FULL_SCAN_CHARS:
        normal = _nfkc_head(text, FULL_SCAN_CHARS + 1)
        if len(normal) <= FULL_SCAN_CHARS:
            return [normal]
        # Expanded past the bound by NFKC: the bound holds after normalisation too.
        return [normal[:HEAD_CHARS], _nfkc_tail(text, TAIL_CHARS)]
    return [_nfkc_head(text, HEAD_CHARS), _nfkc_tail(text, TAIL_CHARS)]


def _find(text: str) -> _Findings:
    findings = _Findings()
    cache: dict[str, _KeyClass] = {}
    base = 0
    windows = _windows(text)
    for number, window in enumerate(windows):
        json_candidates, masked, cut_off = _scan_json(window, base, cache)
        findings.cut_off = findings.cut_off or cut_off
        plain = _mask(window, masked)
        findings.candidates.extend(json_candidates)
        findings.candidates.extend(
            _scan_lines(
                plain, base, cache, at_start=number == 0, at_end=number == len(windows) - 1, had_objects=bool(masked)
            )
        )
        findings.refusal = findings.refusal or _REFUSAL_RE.search(plain) is not None
        base += len(window) + 1
    findings.candidates.sort(key=lambda candidate: candidate.order)
    return findings


def _choose(candidates: list[_Candidate]) -> _Candidate | None:
    structured = [c for c in candidates if c.kind == "structured" and c.decided > 0]
    complete = [c for c in structured if c.decided == len(DIMENSIONS)]
    if complete:
        return complete[-1]
    if structured:
        best = structured[0]
        for candidate in structured[1:]:
            if candidate.decided >= best.decided:
                best = candidate
        return best
    lone = [c for c in candidates if c.kind == "lone" and c.decided > 0]
    return lone[-1] if lone else None


def _verdict_from(candidate: _Candidate, policy: LoneVerdictPolicy, suffix: str) -> Verdict:
    choices = dict(candidate.choices)
    notes = list(candidate.notes)
    if candidate.kind == "lone":
        notes = []
        if policy == "all_dimensions":
            choices = {dim: choices["overall"] for dim in DIMENSIONS}
        else:
            notes.append("lone overall verdict; the other dimensions were not stated")
    else:
        notes.extend(f"no value for {dim}" for dim in DIMENSIONS if choices[dim] is None and dim not in candidate.noted)
    status = verdict_status(choices)
    return Verdict(
        choices=choices,
        status=status,
        method=candidate.method + suffix,
        reason=candidate.reason or None,
        note=None if status == "ok" else ("; ".join(notes) or None),
    )


def _failure_note(findings: list[_Findings], had_think: bool) -> str:
    candidates = [c for found in findings for c in found.candidates]
    if any(c.template for c in candidates):
        return "format template echoed without a verdict"
    notes: list[str] = []
    for candidate in candidates:
        for note in candidate.notes:
            if note not in notes:
                notes.append(note)
    if notes:
        return "; ".join(notes[:8])
    if any(found.refusal for found in findings):
        return "judge declined to give a verdict"
    if any(found.cut_off for found in findings):
        return "output cut off inside the verdict object before its first complete pair"
    if had_think:
        return "no verdict found outside or inside the think block"
    return "no verdict found"


def _parse(text: object, policy: LoneVerdictPolicy) -> Verdict:
    if not isinstance(text, str):
        return _unparseable(f"judge output is not a string (got {type(text).__name__})")
    stripped = text.strip()
    if stripped.startswith(REQUEST_FAILED_PREFIX):
        return _unparseable(f"judge request failed: {stripped[:_REQUEST_FAILED_NOTE_CHARS]}")
    if not stripped:
        return _unparseable("empty output")
    said, thought = _split_think(text)
    outside = _find(said)
    chosen = _choose(outside.candidates)
    if chosen is not None:
        return _verdict_from(chosen, policy, "")
    if thought.strip():
        inside = _find(thought)
        chosen = _choose(inside.candidates)
        if chosen is not None:
            return _verdict_from(chosen, policy, THINK_SUFFIX)
        return _unparseable(_failure_note([outside, inside], had_think=True))
    return _unparseable(_failure_note([outside], had_think=False))


def parse_verdict(text: str, *, lone_verdict: LoneVerdictPolicy = DEFAULT_LONE_VERDICT) -> Verdict:
    """Read a judge's verdict from its raw output. Never raises on any ``text``.

    ``lone_verdict`` decides what a lone overall verdict ("[[A]]", "Final verdict: B")
    fills: only ``overall`` (default), or all six dimensions as the paper's parser does.
    An unknown policy is a programming error and raises ``ValueError``.
    """
    if lone_verdict not in LONE_VERDICT_POLICIES:
        raise ValueError(f"lone_verdict must be one of {', '.join(LONE_VERDICT_POLICIES)}, not {lone_verdict!r}")
    try:
        return _parse(text, lone_verdict)
    except Exception as error:
        return _unparseable(f"parser error ({type(error).__name__}); output treated as unparseable")

"""Stage 4b: reading values — the winner a value names ("B", "Assistant A - because ...",
"A > B"), or why it names none (a tie, both letters, the template's placeholder)."""

from __future__ import annotations

import json
import re
from typing import Final

from ..constants import Dimension, Winner
from .keys import VERDICT_KEYS, WORDING, compact
from .model import Obj

_NOTE_VALUE_CHARS: Final = 40
# Values are judged by how they start ("A - because ..."); reading further is wasted.
_MAX_VALUE_CHARS: Final = 400
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

# Regular expressions. None has nested unbounded repetition; all are used with match()
# at a position, on a single line, or on a value already cut to _MAX_VALUE_CHARS.
VALUE_TRIM: Final = " \t\r\n*_`\"'“”‘’„«»[](){}<>#~.,;:!"
# Around a reason line's text: markup and YAML block markers ("reason: |"), not its words.
REASON_TRIM: Final = " \t\r\n*_`\"'“”|>"
_PLACEHOLDER_RE: Final = re.compile(r"[ab][ \t]*\|[ \t]*[ab]", re.IGNORECASE)
_TIE_START_RE: Final = re.compile(
    r"(?:ties?|tied|both|neither|equal|equally|same|none|n/?a|null|nil|draw|either|"
    r"no[ \t]+(?:winner|preference|difference|clear)|cannot|can't|can[ \t]?not|unable|"
    r"undecided|undetermined|unclear|unknown|comparable|similar|indistinguishable|even)\b",
    re.IGNORECASE,
)
_LEADING_WINNER_RE: Final = re.compile(
    rf"(?:(?P<wording>{WORDING})[ \t_-]*)?(?P<letter>[ab])(?![a-z0-9])", re.IGNORECASE
)
_NEXT_WORD_RE: Final = re.compile(r"[ \t]+([a-z]+)", re.IGNORECASE)
# A second letter right after the first: "A=B", "A or B", "A/B", "A and B", "A, B".
_SECOND_LETTER_RE: Final = re.compile(
    rf"[ \t]*(?:[=/|&+]|\b(?:and|or|nor|vs\.?|versus|equals?|tied?[ \t]+with)\b)[ \t]*"
    rf"(?:{WORDING}[ \t_-]*)?[ab](?![a-z0-9])",
    re.IGNORECASE,
)
_SECOND_LETTER_LOOSE_RE: Final = re.compile(rf"(?:[ \t]*,[ \t]*|[ \t]+)(?:(?i:{WORDING})[ \t_-]*)?[AB](?![A-Za-z0-9])")
_BETTER_THAN_RE: Final = re.compile(
    rf"[ \t]*(?:>+|≫|\bbetter[ \t]+than\b|\bbeats\b|\boutperforms\b)[ \t]*"
    rf"(?:{WORDING}[ \t_-]*)?[ab](?![a-z0-9])",
    re.IGNORECASE,
)
_WORSE_THAN_RE: Final = re.compile(
    rf"[ \t]*(?:<+|≪|\bworse[ \t]+than\b)[ \t]*(?:{WORDING}[ \t_-]*)?(?P<other>[ab])(?![a-z0-9])",
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


def scalar_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def read_winner(raw: str) -> tuple[Winner | None, str]:
    """Winner named at the start of a value, or None and why: "empty", "tie",
    "ambiguous" (both letters), "placeholder" (the template's "A|B") or "other"."""
    head = raw[:_MAX_VALUE_CHARS].strip()
    core = head.strip(VALUE_TRIM)
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


def winner_of_value(value: object) -> tuple[Winner | None, str, str]:
    """(winner, problem, text shown in a note) for a dimension's value of any shape."""
    if isinstance(value, Obj):
        for key, inner in reversed(value.pairs):
            if compact(key) in VERDICT_KEYS:
                return winner_of_value(inner)
        return None, "nested", ""
    if isinstance(value, list):
        if len(value) == 1:
            return winner_of_value(value[0])
        return None, "other", "[...]"
    text = scalar_text(value)
    if text is None:
        return None, "other", ""
    winner, problem = read_winner(text)
    return winner, problem, text


def states_verdict(value: object) -> bool:
    """Whether a generic key's value ("Answer: ...", {"result": ...}) is a verdict at all:
    a winner, a tie or a placeholder, rather than prose that happens to sit under it."""
    return not isinstance(value, (Obj, list)) and winner_of_value(value)[1] != "other"


def problem_note(dim: Dimension, problem: str, shown: str) -> str:
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

"""Stage 4b: reading values — the winner a value names ("B", "Assistant A - because ...",
"A > B", "回答B", "A 6/10 vs B 8/10", ``{"A": 7, "B": 9}``), or why it names none (a tie,
both letters, the template's placeholder, equal scores).

A value is judged by how it starts: a winner followed by an explanation ("B, because A
misses the fracture") is that winner. A value that is a sentence ("Assistant A describes
the mass, but Assistant B correctly identifies it as solid") is read by the prose rules
for its dimension; only a sentence that says nothing either way falls back to the answer
it starts with. A later correction inside a value wins ("B, no, A on reflection").
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Final

from ..constants import Dimension, Winner
from .keys import classify_key, compact
from .lexicon import Lexicon, lexicon
from .model import Context, Obj, Pair, Source
from .prose import statements
from .prose_words import first_clause_kinds

__all__ = [
    "REASON_TRIM",
    "VALUE_TRIM",
    "Reading",
    "mark_of",
    "number_of",
    "pair_of_object",
    "problem_note",
    "read_winner",
    "scalar_text",
    "states_verdict",
    "winner_of_value",
]

# Values are judged by how they start ("A - because ..."); reading further is wasted.
_MAX_VALUE_CHARS: Final = 400
_NOTE_VALUE_CHARS: Final = 40
VALUE_TRIM: Final = " \t\r\n*_`\"'“”‘’„«»[](){}<>#~.,;:!"
# Around a reason line's text: markup and YAML block markers ("reason: |"), not its words.
REASON_TRIM: Final = " \t\r\n*_`\"'“”|>"
_DASH_ONLY: Final = frozenset({"", "-", "--", "---", "—", "–", "?", "??", "..."})
_LETTERS: Final = frozenset({"A", "B", "a", "b"})
_PLACEHOLDER_RE: Final = re.compile(r"[ab][ \t]*\|[ \t]*[ab]", re.IGNORECASE)
_STRUCK_RE: Final = re.compile(r"~~[^~\n]{0,80}~~")
_NEXT_WORD_RE: Final = re.compile(r"[ \t]+([a-z]+)", re.IGNORECASE)
# After a leading winner: an explanation follows a separator ("B - ...", "A (more ...)").
_SEPARATOR_RE: Final = re.compile(r"[ \t]*(?:$|[,;.:(\-–—!|/，；。：（]|because\b|since\b|as\b|due\b)", re.IGNORECASE)
_CLAUSE_END_RE: Final = re.compile(r"[,;.:(\-–—]|\bbecause\b|\bsince\b|，|；|。", re.IGNORECASE)
_NUMBER_RE: Final = re.compile(
    r"[ \t]*(?P<n>\d{1,3}(?:\.\d{1,2})?)[ \t]*(?:(?:/|out of)[ \t]*(?P<d>\d{1,3}))?[ \t]*(?P<p>%)?"
)
_WORDS_FOR_PROSE: Final = 3
_SCORE: Final = r"\d{1,3}(?:\.\d{1,2})?(?:[ \t]*/[ \t]*\d{1,3})?%?"
# Longest answer name read at the start of a value ("the second response").
_MAX_NAME_CHARS: Final = 40
_DIGIT_RE: Final = re.compile(r"\d")
_WORD_RE: Final = re.compile(r"[^\W\d_]{2}")  # a word (or two CJK characters): something to read


@dataclass(frozen=True)
class Reading:
    """A value's winner (or None and why) and where the winner came from."""

    winner: Winner | None
    problem: str = ""  # empty, tie, equal_scores, ambiguous, placeholder, nested, mixed, other
    source: Source = "letter"


@functools.lru_cache(maxsize=2)
def _patterns(lex: Lexicon) -> dict[str, re.Pattern[str]]:
    wording = lex.wording
    return {
        "leading": re.compile(
            rf"(?:(?P<wording>{wording})[ \t_-]*(?:#?(?P<number>[12一二])|(?P<letter>[ab]))|(?P<bare>[ab]))"
            r"(?![a-z0-9])",
            re.IGNORECASE,
        ),
        "second": re.compile(
            rf"[ \t]*(?:[/|&+]|{lex.value_pair_re})[ \t]*(?:{wording}[ \t_-]*)?[ab](?![a-z0-9])", re.IGNORECASE
        ),
        "second_loose": re.compile(rf"(?:[ \t]*,[ \t]*|[ \t]+)(?:(?i:{wording})[ \t_-]*)?[AB](?![A-Za-z0-9])"),
        "better": re.compile(rf"[ \t]*{lex.better_than_re}[ \t]*(?:{wording}[ \t_-]*)?[ab](?![a-z0-9])", re.IGNORECASE),
        "worse": re.compile(
            rf"[ \t]*{lex.worse_than_re}[ \t]*(?:{wording}[ \t_-]*)?(?P<other>[ab])(?![a-z0-9])", re.IGNORECASE
        ),
        # "4 vs 9 (B)", "6/10 - 8/10 (Assistant B)": scores, then the winner named in brackets.
        "scored_winner": re.compile(
            rf"{_SCORE}[ \t]*(?:vs\.?|versus|to|[-–—:,;])[ \t]*{_SCORE}[ \t]*"
            rf"[(\[（][ \t]*(?:(?i:{wording})[ \t_-]*)?(?P<letter>[AB])[ \t]*[)\]）]"
        ),
        "pair_item": re.compile(
            rf"(?:(?i:{wording})[ \t_-]*)?(?P<letter>[AB])(?![A-Za-z])[ \t]*(?:[:=]|:[ \t]*score|scores?)?[ \t]*"
            r"(?P<n>\d{1,3}(?:\.\d{1,2})?)[ \t]*(?:(?:/|out of)[ \t]*(?P<d>\d{1,3}))?(?!\d|\.\d)"
        ),
    }


def scalar_text(value: object) -> str | None:
    if isinstance(value, str):
        return value
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value)
    return None


def number_of(value: object) -> float | None:
    """A score: 8, 8.5, "8", "8/10", "4 out of 5", "80%" (fractions compare by their ratio)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str) or len(value) > 24:
        return None
    match = _NUMBER_RE.fullmatch(value.strip(" \t*_`\"'"))
    if match is None:
        return None
    number = float(match.group("n"))
    if match.group("d"):
        denominator = float(match.group("d"))
        return number / denominator if denominator else None
    return number / 100 if match.group("p") else number


def mark_of(value: object) -> int | None:
    """A table mark: 1 for a positive one (✅, ✓, x), -1 for a negative one (❌, ➖), 0 for
    an empty cell, None for anything else."""
    if value is None:
        return 0
    if not isinstance(value, str):
        return None
    cell = value.strip(" \t*_`\"'")
    if not cell:
        return 0
    lex = lexicon()
    if cell in lex.marks_positive or cell.lower() in lex.marks_positive:
        return 1
    if cell in lex.marks_negative or cell.lower() in lex.marks_negative:
        return -1
    return None


def pair_of_text(text: str) -> Pair | None:
    """Two scores named by answer in one value: "A 6/10 vs B 8/10", "A: 7, B: 9"."""
    scores: dict[str, float] = {}
    for match in _patterns(lexicon())["pair_item"].finditer(text):
        letter = match.group("letter")
        number = float(match.group("n"))
        if match.group("d"):
            denominator = float(match.group("d"))
            if not denominator:
                return None
            number /= denominator
        if letter in scores:
            return None
        scores[letter] = number
    if set(scores) != {"A", "B"}:
        return None
    return Pair(scores["A"], scores["B"])


def pair_of_object(obj: Obj, context: Context | None = None) -> Pair | None:
    """Per-answer scores or marks of one dimension: {"A": 7, "B": 9}, {"score_a": 8, "score_b": 6},
    {"Assistant A": "✓", "Assistant B": "✗"}."""
    context = context or Context()
    values: dict[str, object] = {}
    for key, value in obj.pairs:
        kind = classify_key(key, context)
        if kind.kind == "answer" and kind.answer is not None:
            values[kind.answer] = value
    if set(values) != {"A", "B"}:
        return None
    a, b = number_of(values["A"]), number_of(values["B"])
    if a is not None and b is not None:
        return Pair(a, b)
    mark_a, mark_b = mark_of(values["A"]), mark_of(values["B"])
    if mark_a is not None and mark_b is not None and (mark_a or mark_b):
        return Pair(mark_a, mark_b, "marks")
    return None


def _compare(pair: Pair) -> Reading:
    if pair.kind == "marks":
        if (pair.a > 0) == (pair.b > 0):
            return Reading(None, "tie" if pair.a > 0 else "other", "marks")
        return Reading("A" if pair.a > 0 else "B", "", "marks")
    if pair.a == pair.b:
        return Reading(None, "equal_scores", "scores")
    return Reading("A" if pair.a > pair.b else "B", "", "scores")


def read_winner(raw: str, *, dim: Dimension | None = None, legend: dict[str, Winner] | None = None) -> Reading:
    """The winner a text value names, or None and why: "empty", "tie", "equal_scores",
    "ambiguous" (both letters), "placeholder" (the template's "A|B"), "mixed" (a sentence
    naming both winners) or "other". dim: the dimension the value is for, if known."""
    head = raw[:_MAX_VALUE_CHARS].strip()
    if "~~" in head:
        head = _STRUCK_RE.sub(" ", head)  # "~~A~~ B": the judge struck A out
    core = head.strip(VALUE_TRIM)
    if core in _LETTERS:
        return Reading("A" if core in "Aa" else "B")  # the common case, at once
    if core in _DASH_ONLY:
        return Reading(None, "empty")
    if _PLACEHOLDER_RE.fullmatch(core):
        return Reading(None, "placeholder")
    if legend and core in legend:
        return Reading(legend[core], "", "legend")
    lex = lexicon()
    ordinal = lex.answer_ordinals.get(core.lower())
    if ordinal is not None:
        return Reading(ordinal)  # "first", "second" under a dimension's key
    reference = _reference(core, lex)
    if reference is not None:
        return Reading(reference)  # "the former", "the latter": the answers in their order
    pair = pair_of_text(core) if _DIGIT_RE.search(core) else None
    if pair is not None:
        return _compare(pair)
    if core[:1].isdigit():
        named = _patterns(lex)["scored_winner"].fullmatch(head.strip(" \t*_`\"'.!"))
        if named is not None:
            return Reading("A" if named.group("letter") == "A" else "B")
    patterns = _patterns(lex)
    if lex.value_none_start_re.match(core):
        return _prose_reading(core, dim) or Reading(None, "tie")
    match = patterns["leading"].match(core)
    if match is None:
        named = _named_answer(core, lex)
        if named is None:
            return _prose_reading(core, dim) or Reading(None, "other")
        winner, named_end = named  # "second answer", "the first response"
        letter = winner
    else:
        letter = match.group("letter") or match.group("bare")
        if letter is None:
            letter = "A" if match.group("number") in ("1", "一") else "B"
        winner = "A" if letter in "aA" else "B"
        named_end = match.end()
    rest = core[named_end:]
    if _WORD_RE.search(rest) is not None and _revises(rest, lex):
        # "B. Wait, no — B's details are wrong. Accuracy: A.": the value corrects itself in words.
        revised = _prose_reading(core, dim)
        if revised is not None and (revised.winner is not None or revised.problem == "mixed"):
            return revised
    correction = _corrected(core, named_end) if rest.strip() else None
    if correction is not None:
        return Reading(correction)
    tie_operator = rest.lstrip(" \t")[:2].rstrip(" \t")
    if tie_operator in lex.tie_operators or tie_operator[:1] in lex.tie_operators:
        after = rest.lstrip(" \t")[len(tie_operator) :]
        if patterns["leading"].match(after.lstrip(" \t")) is not None:
            return Reading(None, "tie")  # "A = B", "A ≈ B"
    if patterns["second"].match(rest) or (letter.isupper() and patterns["second_loose"].match(rest)):
        return Reading(None, "ambiguous")  # "A or B", "A/B", "A and B", "A, B"
    if match is not None and match.group("wording") is None and letter in "aA":
        # "A small nodule": a leading "A" followed by an ordinary word is the article.
        word = _NEXT_WORD_RE.match(rest)
        if word is not None and word.group(1).lower() not in lex.article_continuations:
            return Reading(None, "other")
    worse = patterns["worse"].match(rest)
    if worse is not None:
        # "A < B": the other answer is the better one.
        if worse.group("other").upper() == winner:
            return Reading(None, "other")
        return Reading("B" if winner == "A" else "A")
    if patterns["better"].match(rest):
        return Reading(winner)
    if _SEPARATOR_RE.match(rest) is None and len(rest.split()) >= _WORDS_FOR_PROSE:
        # A sentence about the answer it starts with: read it as a sentence.
        reading = _prose_reading(core, dim)
        if reading is not None:
            return reading
        kinds = first_clause_kinds(core)
        if kinds & {"criticism", "eval_negative", "negation", "tie", "worse", "less", "hypothetical"}:
            return Reading(None, "other")
        if "other_answer" in kinds:
            return Reading(None, "other")  # "A says pneumonia; B says effusion": no verdict
        return Reading(winner, "", "prose")  # read from a sentence, not stated as a value
    clause = _CLAUSE_END_RE.split(rest, maxsplit=1)[0]
    if lex.value_tie_re.search(clause):
        return Reading(None, "tie")
    if lex.value_negation_re.search(clause):
        return Reading(None, "other")
    return Reading(winner)


_REVISING_KINDS: Final = frozenset({"correction", "correction_choice", "reopen"})


def _revises(rest: str, lex: Lexicon) -> bool:
    """Whether the text after a value's leading winner announces a correction ("wait", "actually")."""
    lowered = rest.lower()
    return any(
        lex.phrases[" ".join(found.group().split())].kind in _REVISING_KINDS
        for scanner in lex.phrase_res
        for found in scanner.finditer(lowered)
        if " ".join(found.group().split()) in lex.phrases
    )


def _reference(core: str, lex: Lexicon) -> Winner | None:
    """A value that is only "the former" / "the latter" (前者 / 后者): A / B, the answers in
    the order the judge was given them."""
    if len(core) > _MAX_NAME_CHARS or core.count(" ") > 1:
        return None
    words = " ".join(core.lower().split())
    phrase = lex.phrases.get(words) or lex.phrases.get("the " + words)
    if phrase is None or phrase.kind not in ("former", "latter"):
        return None
    return "A" if phrase.kind == "former" else "B"


def _named_answer(core: str, lex: Lexicon) -> tuple[Winner, int] | None:
    """(answer, where its name ends) when the value opens with an answer's name in words
    ("second answer", "the first response", "第二个回答")."""
    lowered = core[:_MAX_NAME_CHARS].lower()
    for scanner in lex.answer_res:
        found = scanner.match(lowered)
        if found is not None:
            winner, needs_capital = lex.answer_phrases.get(" ".join(found.group().split()), ("A", True))
            if not needs_capital:
                return winner, found.end()
    return None


def _corrected(core: str, after: int) -> Winner | None:
    """The answer of the last explicit correction inside a value ("B, no, A on reflection")."""
    found = None
    for match in lexicon().value_correction_re.finditer(core, after):
        found = match.group("letter").upper()
    return ("A" if found == "A" else "B") if found else None


def _prose_reading(core: str, dim: Dimension | None) -> Reading | None:
    """The value read as sentences about its dimension; None if they say nothing."""
    if len(core.split()) < _WORDS_FOR_PROSE and (core.isascii() or sum(char.isalpha() for char in core[:8]) < 2):
        return None  # a word or two (or a symbol): no sentence; Chinese has no blanks, so count its characters
    context = frozenset((dim,)) if dim is not None else frozenset()
    said = [s for s in statements(core, context=context) if dim is None or dim in s.dims or not s.dims]
    if dim is None:
        said = [s for s in said if not s.dims or "overall" in s.dims]
    if not said:
        return None
    letters = {s.winner for s in said if s.winner is not None}
    corrected = [s for s in said if s.correction]
    if len(letters) > 1 and corrected and corrected[-1].winner is not None:
        return Reading(corrected[-1].winner, "", "prose")
    if len(letters) > 1 or (letters and any(s.winner is None for s in said)):
        return Reading(None, "mixed", "prose")
    if letters:
        (letter,) = letters
        return Reading(letter, "", "prose")
    return Reading(None, "tie", "prose")


def winner_of_value(
    value: object, *, dim: Dimension | None = None, legend: dict[str, Winner] | None = None
) -> tuple[Reading, str]:
    """(reading, text shown in a note) for a dimension's value of any shape."""
    if isinstance(value, Pair):
        return _compare(value), f"{value.a:g} vs {value.b:g}"
    if isinstance(value, Obj):
        verdict_keys = lexicon().verdict_keys
        for key, inner in reversed(value.pairs):
            if compact(key) in verdict_keys:
                return winner_of_value(inner, dim=dim, legend=legend)
        pair = pair_of_object(value)
        if pair is not None:
            return _compare(pair), f"{pair.a:g} vs {pair.b:g}"
        return Reading(None, "nested"), ""
    if isinstance(value, list):
        if len(value) == 1:
            return winner_of_value(value[0], dim=dim, legend=legend)
        return Reading(None, "other"), "[...]"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and legend:
        key = f"{value:g}" if isinstance(value, float) else str(value)
        if key in legend:
            return Reading(legend[key], "", "legend"), key
    text = scalar_text(value)
    if text is None:
        return Reading(None, "other"), ""
    return read_winner(text, dim=dim, legend=legend), text


def states_verdict(value: object) -> bool:
    """Whether a generic key's value ("Answer: ...", {"result": ...}) is a verdict at all:
    a winner, a tie or a placeholder, rather than prose that happens to sit under it."""
    if isinstance(value, (Obj, list)):
        return False
    reading, _ = winner_of_value(value)
    return reading.problem not in ("other", "mixed") and not (reading.source == "prose" and reading.winner is None)


def problem_note(dim: Dimension, problem: str, shown: str) -> str:
    if problem == "tie":
        return f"tie/both/neither for {dim}"
    if problem == "equal_scores":
        return f"equal scores ({shown}): a tie for {dim}"
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
    if problem == "mixed":
        return f"value '{shown}' for {dim} argues for both answers"
    return f"value '{shown}' for {dim} is not A or B"

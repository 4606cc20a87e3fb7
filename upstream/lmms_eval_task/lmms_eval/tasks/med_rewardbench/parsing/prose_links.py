"""Prose, stage 3: praise and criticism that make a verdict, and readings that reach past
one clause.

* A sentence that praises one answer and criticises the other ("A misreads the scan,
  whereas B correctly identifies the mass"), or praises one under a frame naming the
  dimension ("Regarding accuracy, the second assistant gets the diagnosis right").

* A dimension label written inline in prose ("... Creativity is comparable. Overall:
  Assistant 1."): the answer after the label is that dimension's winner, as on a line of
  its own.
* A contrast split over two adjacent sentences ("Assistant A gives the correct answer,
  which is osteomyelitis. Assistant B gives the wrong answer."): one sentence praises an
  answer and the next criticises the other on a dimension their words name (here
  accuracy), so the praised answer wins it. Both sentences must judge one answer each and
  nothing else; praise of both, or criticism of one alone, says nothing.
"""

from __future__ import annotations

import itertools
import re
from typing import Final

from ..constants import Dimension, Winner
from .prose_clauses import has_verdict_word
from .prose_words import Segment, Token

__all__ = [
    "Judgement",
    "adjacent_contrast",
    "corrections_named",
    "judgement_of",
    "label_choice",
    "leftover_of",
    "sentence_contrast",
]

# What a segment says of its subject without comparing: (subject, praised, criticised,
# dimensions its praise or criticism words name).
Judgement = tuple[str | None, bool, bool, frozenset[Dimension]]

_OTHER: Final[dict[str, Winner]] = {"A": "B", "B": "A"}
_PRAISE_KINDS: Final = frozenset({"praise", "adjective", "eval_positive"})
_DIMENSION_JUDGEMENTS: Final = frozenset({"praise", "adjective", "criticism"})
# Before the label only punctuation or markup; between label and answer a separator;
# after the answer nothing but the sentence's end.
_LABEL_LEAD_RE: Final = re.compile(r"[\W\d_]*")
_LABEL_GAP_RE: Final = re.compile(r"[ \t*_]*(?:(?:[:：=,，]|->|→)[ \t*_]*)?")
# After the answer a correction names: the end of its clause ("relevance: B, as ...").
_NAMED_TAIL_RE: Final = re.compile(r"[ \t*_]*(?:[,.;:!)\]，。；：！）]|$)")
_LABEL_TAIL_RE: Final = re.compile(r"[\W_]*")


def label_choice(tokens: list[Token], text: str, start: int, end: int) -> tuple[frozenset[Dimension], Winner] | None:
    """(dimensions, winner) when the sentence is only "Dimension: <answer>" ("Overall, B."), or a
    conclusion and an answer ("Therefore, B."; no dimension: a closing choice)."""
    if len(tokens) < 2:
        return None
    answer = tokens[-1]
    names = tokens[:-1]
    if answer.kind != "answer" or answer.letter not in ("A", "B"):
        return None
    concluding = names[0].kind == "conclusion"  # "Therefore, B.", "In conclusion: Assistant A."
    if concluding:
        names = names[1:]
    if names and (names[0].kind != "dim" or names[-1].kind != "dim"):
        return None
    if any(t.kind not in ("dim", "conjunction") for t in names) or not (names or concluding):
        return None
    if _LABEL_LEAD_RE.fullmatch(text, start, tokens[0].start) is None:
        return None
    if concluding and names and _LABEL_LEAD_RE.fullmatch(text, tokens[0].end, names[0].start) is None:
        return None
    named_last = names[-1] if names else tokens[0]
    if _LABEL_GAP_RE.fullmatch(text, named_last.end, answer.start) is None:
        return None
    if _LABEL_TAIL_RE.fullmatch(text, answer.end, end) is None:
        return None
    dims = frozenset(t.dim for t in names if t.dim is not None)
    return (dims, "A" if answer.letter == "A" else "B") if dims or concluding else None


def corrections_named(tokens: list[Token], text: str) -> list[tuple[Dimension, Winner]]:
    """(dimension, answer) for each dimension named right before an answer that ends its
    clause: "Correction to relevance: B, as A ...", "I meant overall B."."""
    found: list[tuple[Dimension, Winner]] = []
    for name, answer in itertools.pairwise(tokens):
        if name.kind != "dim" or name.dim is None or answer.kind != "answer" or answer.letter not in ("A", "B"):
            continue
        if _LABEL_GAP_RE.fullmatch(text, name.end, answer.start) is None:
            continue
        if _NAMED_TAIL_RE.match(text, answer.end) is None:
            continue
        found.append((name.dim, "A" if answer.letter == "A" else "B"))
    return found


def adjacent_contrast(before: list[Judgement], after: list[Judgement]) -> tuple[Winner, frozenset[Dimension]] | None:
    """(winner, dimensions) when one sentence praises one answer and the next criticises the
    other, or the reverse."""
    first = {subject for subject, _, _, _ in before}
    second = {subject for subject, _, _, _ in after}
    if len(first) != 1 or len(second) != 1 or first == second or not (first | second) <= {"A", "B"}:
        return None
    judged = [*before, *after]
    praised = {s for s, good, bad, _ in judged if good and not bad}
    criticised = {s for s, good, bad, _ in judged if bad and not good}
    if any(good and bad for _, good, bad, _ in judged) or len(praised) != 1 or len(criticised) != 1:
        return None
    if praised == criticised:
        return None
    dims = frozenset().union(*(d for _, _, _, d in judged))
    if not dims:
        return None
    (winner,) = praised
    return ("A" if winner == "A" else "B"), dims


def judgement_of(segment: Segment, negated: bool) -> Judgement:
    """(subject, praised, criticised, dimensions) of a segment without comparison."""
    if has_verdict_word(segment.tokens):
        return (None, False, False, frozenset())
    # Without a comparison an adjective is praise: "A's answer is accurate, whereas ...".
    praised = any(t.kind in _PRAISE_KINDS for t in segment.tokens) and not negated
    criticised = negated or any(t.kind in ("criticism", "eval_negative") for t in segment.tokens)
    dims = frozenset(t.dim for t in segment.tokens if t.kind in _DIMENSION_JUDGEMENTS and t.dim is not None)
    return (segment.subject, praised, criticised, dims)


def leftover_of(segment: Segment, negated: bool, covered: set[Dimension]) -> Judgement | None:
    """What a segment says of its one answer on dimensions its verdicts do not cover: "B's
    answer is correct" (accuracy), beside "... and more relevant" (relevance, covered)."""
    if segment.subject not in ("A", "B"):
        return None
    words = [t for t in segment.tokens if t.kind in _DIMENSION_JUDGEMENTS and t.dim is not None]
    words = [t for t in words if t.dim not in covered]
    if covered and not words:
        return None
    evaluations = (
        {t.kind for t in segment.tokens if t.kind in ("eval_positive", "eval_negative")} if not covered else set()
    )
    praised = not negated and (any(t.kind in _PRAISE_KINDS for t in words) or "eval_positive" in evaluations)
    criticised = negated or any(t.kind == "criticism" for t in words) or "eval_negative" in evaluations
    if not praised and not criticised:
        return None
    return (segment.subject, praised, criticised, frozenset(t.dim for t in words if t.dim is not None))


def sentence_contrast(
    absolutes: list[Judgement], frame: frozenset[Dimension]
) -> tuple[Winner, frozenset[Dimension]] | None:
    """(winner, dimensions) of a sentence that praises one answer and criticises the other,
    or praises one under a frame naming the dimension."""
    praised = {s for s, good, bad, _ in absolutes if s in ("A", "B") and good and not bad}
    criticised = {s for s, good, bad, _ in absolutes if s in ("A", "B") and bad and not good}
    mixed = {s for s, good, bad, _ in absolutes if s in ("A", "B") and good and bad}
    unknown_praise = any(s is None and good and not bad for s, good, bad, _ in absolutes)
    if mixed or praised & criticised or any(s == "both" for s, _, _, _ in absolutes):
        return None
    dims = frozenset().union(*(d for _, _, _, d in absolutes)) | frame
    winner: str | None = None
    if len(praised) == 1:
        (letter,) = praised
        if _OTHER[letter] in criticised or (frame and not criticised):
            winner = letter
    elif not praised and len(criticised) == 1 and unknown_praise:
        (letter,) = criticised
        winner = _OTHER[letter]
    if winner is None or not dims:
        return None
    return ("A" if winner == "A" else "B"), dims

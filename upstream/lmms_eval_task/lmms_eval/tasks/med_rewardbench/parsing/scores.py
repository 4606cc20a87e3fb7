"""Stage 3d: scores in line layouts, and legends of numeric winners.

A judge that scores instead of choosing writes per-answer blocks ("**Assistant A**" then
"- Accuracy: 6/10" lines), per-dimension blocks ("### Accuracy" then "- Assistant A: 7/10",
"- Assistant B: 9/10") or one line per answer ("Assistant A: accuracy 7, relevance 8").
The higher score wins a dimension; equal scores are a tie. (Score pairs within one value,
"A 6/10 vs B 8/10", and score objects and tables are read by the values, objects and table
rules.) A legend ("1 = Assistant A, 2 = Assistant B") turns numeric winners into letters.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Final

from ..constants import Dimension, Winner
from .candidates import candidate_from_slots
from .keys import classify_key
from .lexicon import lexicon
from .methods import METHOD_KEY_VALUE_LINES
from .model import RANK_GENERIC, RANK_STEM, Candidate, Context, Pair, Slot
from .values import number_of

__all__ = ["ScoreBook", "legend_of", "numbered_legend", "states_pair_order"]

# "accuracy 7", "Relevance: 8/10", "creativity=6.5" inside one answer's line.
_DIMENSION_SCORE_RE: Final = re.compile(
    r"(?P<key>[^\W\d_][\w -]{0,30}?)[ \t]*[:=(-]?[ \t]*(?P<score>\d{1,3}(?:\.\d{1,2})?(?:[ \t]*/[ \t]*\d{1,3})?)"
)
_MAX_LEGEND_CHARS: Final = 120
# An answer's total score opening its line's value: "8/10", "8.5/10 — accurate, ...", "7 (good)".
_TOTAL_SCORE_RE: Final = re.compile(
    r"[ \t*_]*(?P<score>\d{1,3}(?:\.\d{1,2})?(?:[ \t]*(?:/|out of)[ \t]*\d{1,3})?)[ \t*_]*(?:$|[-—–:;,(]|\.(?:[ \t]|$))"
    r"(?![ \t]*\d)"  # "5, 6, 5, ...": the first of a list of scores, not a total
)
# A header naming the dimensions in the order of the score lists below it:
# "Scores (accuracy, relevance, comprehensiveness, ...):".
_ORDER_SPLIT_RE: Final = re.compile(r"[,;/、，；()（）:：]|\band\b|和")
_MIN_ORDERED: Final = 3
_MAX_ORDER_LABEL_WORDS: Final = 2
_MAX_ORDER_CHARS: Final = 200
_ORDER_LABEL_RE: Final = re.compile(r"[*_ \t]*[^\W\d_]+(?:[ \t][^\W\d_]+)?[*_ \t]*[:：]")
# "5, 6, 5, 4, 8, 5": one score per dimension of such a header.
_SCORE_LIST_RE: Final = re.compile(
    r"[ \t*_]*\d{1,3}(?:\.\d{1,2})?(?:/\d{1,3})?(?:[ \t]*[,;][ \t]*\d{1,3}(?:\.\d{1,2})?(?:/\d{1,3})?){2,11}[ \t.*_]*"
)
_LISTED_SCORE_RE: Final = re.compile(r"\d{1,3}(?:\.\d{1,2})?(?:/\d{1,3})?")


def legend_of(text: str) -> dict[str, Winner]:
    """The digits a legend maps to the answers ("1 = A, 2 = B", "(1: Assistant A; 2: Assistant B)")."""
    mapping: dict[str, Winner] = {}
    for match in lexicon().legend_re.finditer(text):
        digit, letter = match.group("digit"), match.group("letter").upper()
        winner: Winner = "A" if letter == "A" else "B"
        if mapping.get(digit, winner) != winner:
            return {}
        mapping[digit] = winner
    if set(mapping.values()) != {"A", "B"}:
        return {}
    return mapping


def numbered_legend(text: str) -> dict[str, Winner]:
    """The judge's own numbering of the answers: a text that calls them "Assistant 1" and
    "Response 2" means them by a bare "1" or "2" too."""
    if "1" not in text and "2" not in text:
        return {}  # the common case, without a regex pass
    if _numbered_names(lexicon().wording).search(text) is None:
        return {}
    return {"1": "A", "2": "B"}


def states_pair_order(text: str) -> bool:
    """Whether the text says two-number lists are ordered A then B ("scores are [A, B]",
    ``"order": ["A", "B"]``)."""
    if "[" not in text and "(" not in text:
        return False
    return _pair_order(lexicon().wording).search(text) is not None


@functools.lru_cache(maxsize=2)
def _numbered_names(wording: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z])(?i:{wording})[ \t_-]{{0,2}}#?[12](?![\d.,])")


@functools.lru_cache(maxsize=2)
def _pair_order(wording: str) -> re.Pattern[str]:
    def name(letter: str) -> str:
        return rf"[\"']?(?:(?i:{wording})[ \t_-]{{0,2}})?{letter}[\"']?"

    return re.compile(rf"[\[(][ \t]{{0,3}}{name('A')}[ \t]{{0,3}}[,;/][ \t]{{0,3}}{name('B')}[ \t]{{0,3}}[\])]")


@dataclass
class ScoreBook:
    """Scores seen in line layouts: answer -> dimension -> score, and where they were."""

    context: Context
    base: int
    scores: dict[Winner, dict[Dimension, float]] = field(default_factory=dict)
    answer: Winner | None = None  # the answer whose block is being read
    answer_line: int = -1
    last_pos: int = 0
    heading_lines: set[int] = field(default_factory=set)
    totals: dict[Winner, float] = field(default_factory=dict)  # "Assistant A: 6/10" (no dimension named)
    order: list[Dimension] = field(default_factory=list)  # a header's dimensions, for lists of scores

    def start_answer(self, answer: Winner, line: int) -> None:
        """A line naming only an answer ("**Assistant A**", "Assistant B scores:")."""
        self.answer = answer
        self.answer_line = line

    def end_answer(self) -> None:
        self.answer = None

    def record(self, answer: Winner, dim: Dimension, value: object, *, pos: int, line: int | None = None) -> bool:
        score = number_of(value)
        if score is None:
            return False
        self.scores.setdefault(answer, {})[dim] = score
        self.last_pos = pos
        if line is not None:
            self.heading_lines.add(line)
        return True

    def record_list(self, answer: Winner, text: str, *, pos: int) -> bool:
        """ "accuracy 7, relevance 8/10, ..." after an answer's name; True if two or more were read."""
        found = 0
        for match in _DIMENSION_SCORE_RE.finditer(text):
            key = classify_key(match.group("key").strip(), self.context)
            if key.kind == "dim" and key.dim is not None:
                found += self.record(answer, key.dim, match.group("score"), pos=pos)
        return found >= 2

    def note_order(self, line: str) -> bool:
        """A header naming three or more dimensions in order ("Scores (accuracy, relevance,
        ...):", "Order: accuracy, relevance, ..."), and nothing else but a short label: the
        lists of scores below it follow that order. True if the line is one."""
        stripped = line.strip().rstrip("*_ \t")
        if len(stripped) > _MAX_ORDER_CHARS or "=" in stripped:
            return False
        if not stripped.endswith((":", "：", ")", "）")) and _ORDER_LABEL_RE.match(stripped) is None:
            return False  # neither "Scores (...):" nor "Order: ..."
        if len(_ORDER_SPLIT_RE.findall(stripped)) < _MIN_ORDERED or any(char.isdigit() for char in stripped):
            return False  # "Assistant A: accuracy 6, relevance 7, ...": scores, not a header
        dims: list[Dimension] = []
        label = True  # a short label may open the header ("Scores", "Order")
        for piece in _ORDER_SPLIT_RE.split(stripped):
            piece = piece.strip(" \t*_`\"'.")
            if not piece:
                continue
            key = classify_key(piece, self.context)
            if key.kind == "dim" and key.dim is not None and key.dim not in dims:
                dims.append(key.dim)
                label = False
            elif label and not dims and len(piece.split()) <= _MAX_ORDER_LABEL_WORDS:
                label = False
            else:
                return False
        if len(dims) < _MIN_ORDERED:
            return False
        self.order = dims
        return True

    def record_ordered(self, answer: Winner, text: str, *, pos: int) -> bool:
        """ "5, 6, 5, 4, 8, 5" after an answer's name, under a header naming the dimensions."""
        if not self.order or _SCORE_LIST_RE.fullmatch(text) is None:
            return False
        scores = _LISTED_SCORE_RE.findall(text)
        if len(scores) != len(self.order):
            return False
        for dim, score in zip(self.order, scores, strict=True):
            self.record(answer, dim, score, pos=pos)
        return True

    def record_total(self, answer: Winner, text: str, *, pos: int) -> bool:
        """ "Assistant A: 6/10" — a score for the whole answer; True if the text opens with one."""
        match = _TOTAL_SCORE_RE.match(text)
        score = number_of(match.group("score")) if match is not None else None
        if score is None:
            return False
        self.totals[answer] = score
        self.last_pos = pos
        return True

    def candidate(self) -> Candidate | None:
        """The verdict of the scores, if both answers were scored on some dimension; two
        total scores are an overall verdict (alone, a lone one)."""
        a, b = self.scores.get("A", {}), self.scores.get("B", {})
        shared = [dim for dim in a if dim in b]
        slots: dict[Dimension, Slot] = {dim: Slot(RANK_STEM, Pair(a[dim], b[dim])) for dim in shared}
        if len(self.totals) == 2 and "overall" not in slots:
            slots["overall"] = Slot(RANK_GENERIC, Pair(self.totals["A"], self.totals["B"]))
        if not slots:
            return None
        return candidate_from_slots(
            slots,
            order=(self.base + self.last_pos, 0),
            method=METHOD_KEY_VALUE_LINES,
            reason=None,
            context=self.context,
        )

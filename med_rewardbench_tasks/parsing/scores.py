"""Stage 3d: scores in line layouts, and legends of numeric winners.

A judge that scores instead of choosing writes per-answer blocks ("**Assistant A**" then
"- Accuracy: 6/10" lines), per-dimension blocks ("### Accuracy" then "- Assistant A: 7/10",
"- Assistant B: 9/10") or one line per answer ("Assistant A: accuracy 7, relevance 8").
The higher score wins a dimension; equal scores are a tie. (Score pairs within one value,
"A 6/10 vs B 8/10", and score objects and tables are read by the values, objects and table
rules.) A legend ("1 = Assistant A, 2 = Assistant B") turns numeric winners into letters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

from ..constants import Dimension, Winner
from .candidates import candidate_from_slots
from .keys import classify_key
from .lexicon import lexicon
from .methods import METHOD_KEY_VALUE_LINES
from .model import RANK_STEM, Candidate, Context, Pair, Slot
from .values import number_of

__all__ = ["ScoreBook", "legend_of"]

# "accuracy 7", "Relevance: 8/10", "creativity=6.5" inside one answer's line.
_DIMENSION_SCORE_RE: Final = re.compile(
    r"(?P<key>[^\W\d_][\w -]{0,30}?)[ \t]*[:=(-]?[ \t]*(?P<score>\d{1,3}(?:\.\d{1,2})?(?:[ \t]*/[ \t]*\d{1,3})?)"
)
_MAX_LEGEND_CHARS: Final = 120


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

    def candidate(self) -> Candidate | None:
        """The verdict of the scores, if both answers were scored on some dimension."""
        a, b = self.scores.get("A", {}), self.scores.get("B", {})
        shared = [dim for dim in a if dim in b]
        if not shared:
            return None
        slots = {dim: Slot(RANK_STEM, Pair(a[dim], b[dim])) for dim in shared}
        return candidate_from_slots(
            slots,
            order=(self.base + self.last_pos, 0),
            method=METHOD_KEY_VALUE_LINES,
            reason=None,
            context=self.context,
        )

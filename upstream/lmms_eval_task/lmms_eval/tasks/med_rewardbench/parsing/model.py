"""Internal structures of one parse call: objects read from the text, claims on a
dimension (slots), candidate verdicts and what a window yielded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from ..constants import Dimension, Winner

Source = Literal["letter", "legend", "scores", "marks", "prose"]

# Ranks of a key's claim on a dimension within one object or block: an exact canonical
# key beats a stem, a stem beats a misspelling, and any of them beats a generic verdict
# key ("Final verdict: A"), which only stands in for a missing "overall".
RANK_EXACT: Final = 3
RANK_STEM: Final = 2
RANK_FUZZY: Final = 1
RANK_GENERIC: Final = 0

# Nesting deeper than this is not a verdict (wrapper -> object -> per-dimension object is
# depth 3); deeper structures are treated as cut off, which bounds recursion.
MAX_NESTING: Final = 12
# A judge's reason is kept up to this length.
MAX_REASON_CHARS: Final = 4_000


@dataclass
class Obj:
    """A parsed object: its key/value pairs in order (duplicates kept)."""

    pairs: list[tuple[str, object]]
    truncated: bool = False


@dataclass(frozen=True)
class Pair:
    """What a verdict says of each answer on one dimension: two scores ("A 6/10 vs B 8/10",
    {"A": 7, "B": 9}) or two table marks (1 a positive mark, -1 a negative one, 0 none)."""

    a: float
    b: float
    kind: Literal["scores", "marks"] = "scores"


@dataclass
class Slot:
    """A claim on one dimension: the raw value and the rank of the key that holds it."""

    rank: int
    value: object
    inline: bool = False


@dataclass
class Candidate:
    """One complete reading of the output (an object, a block of lines, a table, the prose).

    ``order`` sorts candidates by where they end (``order[0]``, a position in the text the
    parser reads). ``explicit`` is false when most of its winners were read from sentences
    ("Accuracy: Assistant B correctly identifies ...") rather than stated as values."""

    order: tuple[int, int]
    kind: Literal["structured", "prose", "lone"]
    method: str
    choices: dict[Dimension, Winner | None]
    notes: list[str]
    reason: str | None
    template: bool = False
    noted: frozenset[Dimension] = frozenset()
    explicit: bool = True
    opening: bool = False  # a lone verdict the output opens with: what follows is its reason

    @property
    def decided(self) -> int:
        return sum(1 for value in self.choices.values() if value is not None)


@dataclass(frozen=True)
class KeyClass:
    """What a key names: a dimension (with the rank of the match), a generic verdict, the
    judge's reason, or something else."""

    kind: Literal["dim", "verdict", "reason", "answer", "score", "label", "other"]
    dim: Dimension | None = None
    rank: int = 0
    answer: Winner | None = None  # kind "answer" ("Assistant A"), "score" ("accuracy_a")


@dataclass
class Context:
    """What one parse call shares between its rules: the keys classified so far and the
    legend of numeric winners ("1 = Assistant A, 2 = Assistant B"), if the text has one."""

    keys: dict[str, KeyClass] = field(default_factory=dict)
    legend: dict[str, Winner] = field(default_factory=dict)
    # The text says lists of two numbers are (A, B) scores: "scores are [A, B]".
    pair_order: bool = False


@dataclass
class Findings:
    """Everything one text (what the judge said, or what it thought) yielded."""

    candidates: list[Candidate] = field(default_factory=list)
    refusal: bool = False
    cut_off: bool = False  # an object cut off before its first complete pair
    options: bool = False  # lists multiple-choice options A-D: a lone letter names an option
    # Each window's text with objects blanked, and where it starts (for the prose rules).
    plain: list[tuple[int, str]] = field(default_factory=list)

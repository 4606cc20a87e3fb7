"""Internal structures of one parse call: objects read from the text, claims on a
dimension (slots), candidate verdicts and what a window yielded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, Literal

from ..constants import Dimension, Winner

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


@dataclass
class Slot:
    """A claim on one dimension: the raw value and the rank of the key that holds it."""

    rank: int
    value: object
    inline: bool = False


@dataclass
class Candidate:
    """One complete reading of the output (an object, a block of lines, a table)."""

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
class KeyClass:
    """What a key names: a dimension (with the rank of the match), a generic verdict, the
    judge's reason, or something else."""

    kind: Literal["dim", "verdict", "reason", "other"]
    dim: Dimension | None = None
    rank: int = 0


@dataclass
class Findings:
    """Everything one text (what the judge said, or what it thought) yielded."""

    candidates: list[Candidate] = field(default_factory=list)
    refusal: bool = False
    cut_off: bool = False  # an object cut off before its first complete pair

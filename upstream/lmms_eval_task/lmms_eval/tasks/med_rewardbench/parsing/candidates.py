"""Candidates: turning claims on dimensions (slots) into candidate verdicts, and choosing
among the candidates of one text."""

from __future__ import annotations

from ..constants import DIMENSIONS, Dimension, Winner
from .methods import METHOD_LONE_VERDICT, METHOD_MARKS, METHOD_SCORES
from .model import RANK_GENERIC, Candidate, Context, Slot
from .values import problem_note, winner_of_value

__all__ = ["candidate_from_slots", "choose", "put_slot"]


def put_slot(slots: dict[Dimension, Slot], dim: Dimension, slot: Slot) -> None:
    # Higher rank wins; at equal rank the later key wins, as with duplicate JSON keys.
    held = slots.get(dim)
    if held is None or slot.rank >= held.rank:
        slots[dim] = slot


def candidate_from_slots(
    slots: dict[Dimension, Slot],
    *,
    order: tuple[int, int],
    method: str,
    reason: str | None,
    context: Context,
) -> Candidate | None:
    """The candidate these slots make (None if there are none); lone if all are generic.

    Its method is the layout's, or "scores" / "marks" when every winner came from
    comparing two scores or two table marks."""
    if not slots:
        return None
    lone = all(slot.rank == RANK_GENERIC for slot in slots.values())
    choices: dict[Dimension, Winner | None] = {dim: None for dim in DIMENSIONS}
    notes: list[str] = []
    noted: set[Dimension] = set()
    sources: list[str] = []
    placeholders = 0
    for dim in DIMENSIONS:
        slot = slots.get(dim)
        if slot is None:
            continue
        reading, shown = winner_of_value(slot.value, dim=None if lone else dim, legend=context.legend)
        choices[dim] = reading.winner
        if reading.winner is None:
            placeholders += reading.problem == "placeholder"
            notes.append(problem_note(dim, reading.problem, shown))
            noted.add(dim)
        else:
            sources.append(reading.source)
    decided = len(sources)
    template = decided == 0 and (
        placeholders > 0 or (reason is not None and reason.strip().lower() == "brief explanation")
    )
    if sources and all(source == "scores" for source in sources):
        method = METHOD_SCORES
    elif sources and all(source == "marks" for source in sources):
        method = METHOD_MARKS
    return Candidate(
        order=order,
        kind="lone" if lone else "structured",
        method=METHOD_LONE_VERDICT if lone else method,
        choices=choices,
        notes=notes,
        reason=reason,
        template=template,
        noted=frozenset(noted),
        explicit=2 * sources.count("prose") < decided or decided == 0,
    )


def choose(candidates: list[Candidate]) -> Candidate | None:
    """The verdict of one text. Candidates are never merged.

    1. the last complete candidate whose winners are stated as values (JSON, lines, tables);
    2. else the last complete one of any kind (winners read from sentences, the prose);
    3. else the one with the most winners: stated values before sentences, later first;
    4. else the last lone overall verdict.
    """
    full = len(DIMENSIONS)
    verdicts = [c for c in candidates if c.kind in ("structured", "prose") and c.decided > 0]
    complete = [c for c in verdicts if c.decided == full]
    stated = [c for c in complete if c.kind == "structured" and c.explicit]
    if stated:
        return stated[-1]
    if complete:
        return complete[-1]
    if verdicts:
        best = verdicts[0]
        for candidate in verdicts[1:]:
            if (candidate.decided, _weight(candidate)) >= (best.decided, _weight(best)):
                best = candidate
        return best
    lone = [c for c in candidates if c.kind == "lone" and c.decided > 0]
    return lone[-1] if lone else None


def _weight(candidate: Candidate) -> int:
    if candidate.kind == "prose":
        return 0
    return 2 if candidate.explicit else 1

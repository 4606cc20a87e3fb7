"""Candidates: turning claims on dimensions (slots) into candidate verdicts, and choosing
among the candidates of one text."""

from __future__ import annotations

from ..constants import DIMENSIONS, Dimension, Winner
from .methods import METHOD_LONE_VERDICT
from .model import RANK_GENERIC, Candidate, Slot
from .values import problem_note, winner_of_value


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
) -> Candidate | None:
    """The candidate these slots make (None if there are none); lone if all are generic."""
    if not slots:
        return None
    lone = all(slot.rank == RANK_GENERIC for slot in slots.values())
    choices: dict[Dimension, Winner | None] = {dim: None for dim in DIMENSIONS}
    notes: list[str] = []
    noted: set[Dimension] = set()
    placeholders = 0
    for dim in DIMENSIONS:
        slot = slots.get(dim)
        if slot is None:
            continue
        winner, problem, shown = winner_of_value(slot.value)
        choices[dim] = winner
        if winner is None:
            placeholders += problem == "placeholder"
            notes.append(problem_note(dim, problem, shown))
            noted.add(dim)
    decided = sum(1 for value in choices.values() if value is not None)
    template = decided == 0 and (
        placeholders > 0 or (reason is not None and reason.strip().lower() == "brief explanation")
    )
    return Candidate(
        order=order,
        kind="lone" if lone else "structured",
        method=METHOD_LONE_VERDICT if lone else method,
        choices=choices,
        notes=notes,
        reason=reason,
        template=template,
        noted=frozenset(noted),
    )


def choose(candidates: list[Candidate]) -> Candidate | None:
    """The last complete structured candidate, else the most decided one (later wins ties),
    else the last lone verdict. Candidates are never merged."""
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

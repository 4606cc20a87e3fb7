"""Stage 2b: what a read object says — its own dimension keys, or the objects it wraps
({"verdict": {...}}, [{...}])."""

from __future__ import annotations

from ..constants import Dimension
from .candidates import candidate_from_slots, put_slot
from .keys import classify_key
from .model import MAX_NESTING, MAX_REASON_CHARS, RANK_GENERIC, Candidate, KeyClass, Obj, Slot
from .values import scalar_text, states_verdict


def object_candidates(
    obj: Obj,
    *,
    method: str,
    order: tuple[int, int],
    cache: dict[str, KeyClass],
    inherited_reason: str | None = None,
    depth: int = 0,
) -> list[Candidate]:
    """Candidates of one object: itself if it names dimensions (or a generic winner),
    otherwise those of the objects it wraps ({"verdict": {...}}, [{...}])."""
    slots: dict[Dimension, Slot] = {}
    reason: str | None = None
    wrapped: list[Obj] = []
    for key, value in obj.pairs:
        key_class = classify_key(key, cache)
        if key_class.kind == "dim" and key_class.dim is not None:
            put_slot(slots, key_class.dim, Slot(key_class.rank, value))
        elif key_class.kind == "reason":
            text = scalar_text(value)
            if text is not None and text.strip():
                reason = text.strip()[:MAX_REASON_CHARS]
        elif key_class.kind == "verdict" and states_verdict(value):
            put_slot(slots, "overall", Slot(RANK_GENERIC, value))
        if isinstance(value, Obj):
            wrapped.append(value)
        elif isinstance(value, list):
            wrapped.extend(item for item in value if isinstance(item, Obj))
    reason = reason or inherited_reason
    if any(slot.rank > RANK_GENERIC for slot in slots.values()):
        candidate = candidate_from_slots(slots, order=order, method=method, reason=reason)
        return [candidate] if candidate is not None else []
    found: list[Candidate] = []
    if depth < MAX_NESTING:
        for index, inner in enumerate(wrapped):
            found.extend(
                object_candidates(
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
    candidate = candidate_from_slots(slots, order=order, method=method, reason=reason)
    return [candidate] if candidate is not None else []

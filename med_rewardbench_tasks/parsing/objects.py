"""Stage 2b: what a read object says — its own dimension keys, per-answer scores, a list of
per-dimension objects, or the objects it wraps ({"verdict": {...}}, [{...}]).

Shapes read besides ``{"accuracy": "A", ...}``:

* a score pair per dimension: ``{"accuracy": {"A": 7, "B": 9}}``, ``{"accuracy_a": 7, "accuracy_b": 9}``;
* one score object per answer: ``{"Assistant A": {"accuracy": 7, ...}, "Assistant B": {...}}``;
* a list of per-dimension objects: ``[{"dimension": "accuracy", "winner": "A"}, ...]``;
* a generic verdict beside a nested one: ``{"evaluation": {...five dimensions...}, "final_verdict": "B"}``
  (the generic verdict stands in for a missing ``overall``, as in line layouts).
"""

from __future__ import annotations

from ..constants import Dimension, Winner
from .candidates import candidate_from_slots, put_slot
from .keys import classify_key, scored_dimension
from .model import MAX_NESTING, MAX_REASON_CHARS, RANK_GENERIC, RANK_STEM, Candidate, Context, Obj, Pair, Slot
from .values import number_of, pair_of_object, pair_of_text, scalar_text, states_verdict

__all__ = ["object_candidates"]


def object_candidates(
    obj: Obj,
    *,
    method: str,
    order: tuple[int, int],
    context: Context,
    inherited_reason: str | None = None,
    inherited_generic: Slot | None = None,
    depth: int = 0,
) -> list[Candidate]:
    """Candidates of one object: itself if it names dimensions (or a generic winner),
    otherwise those of the objects it wraps."""
    slots: dict[Dimension, Slot] = {}
    reason: str | None = None
    wrapped: list[Obj] = []
    per_answer: dict[Winner, Obj] = {}
    scores: dict[Dimension, dict[Winner, object]] = {}
    generic: Slot | None = None
    for key, value in obj.pairs:
        key_class = classify_key(key, context)
        if key_class.kind == "dim" and key_class.dim is not None:
            put_slot(slots, key_class.dim, Slot(key_class.rank, _ordered_pair(value, context)))
        elif key_class.kind == "reason":
            text = scalar_text(value)
            if text is not None and text.strip():
                reason = text.strip()[:MAX_REASON_CHARS]
        elif key_class.kind == "verdict" and states_verdict(value):
            generic = Slot(RANK_GENERIC, value)
        elif key_class.kind == "answer" and key_class.answer is not None and isinstance(value, Obj):
            per_answer[key_class.answer] = value
        elif key_class.kind == "score" and key_class.dim is not None and key_class.answer is not None:
            scores.setdefault(key_class.dim, {})[key_class.answer] = value
        elif key_class.kind == "other" and _compares_answers(value, context):
            scored = scored_dimension(key)  # "accuracy_score": {"A": 7, "B": 9}
            if scored is not None:
                put_slot(slots, scored, Slot(RANK_STEM, value))
        if isinstance(value, Obj):
            wrapped.append(value)
        elif isinstance(value, list):
            items = [item for item in value if isinstance(item, Obj)]
            labelled = _labelled_items(items, context)
            if labelled:
                for dim, slot in labelled.items():
                    put_slot(slots, dim, slot)
            else:
                wrapped.extend(items)
    reason = reason or inherited_reason
    _add_score_pairs(slots, scores)
    if len(per_answer) == 2:
        _add_score_pairs(slots, _per_answer_scores(per_answer, context))
    generic = generic or inherited_generic
    if any(slot.rank > RANK_GENERIC for slot in slots.values()):
        if generic is not None:
            put_slot(slots, "overall", generic)
        candidate = candidate_from_slots(slots, order=order, method=method, reason=reason, context=context)
        return [candidate] if candidate is not None else []
    found: list[Candidate] = []
    if depth < MAX_NESTING:
        for index, inner in enumerate(wrapped):
            found.extend(
                object_candidates(
                    inner,
                    method=method,
                    order=(order[0], order[1] * 64 + index),
                    context=context,
                    inherited_reason=reason,
                    inherited_generic=generic,
                    depth=depth + 1,
                )
            )
    if found:
        return found
    if generic is not None:
        slots["overall"] = generic
    candidate = candidate_from_slots(slots, order=order, method=method, reason=reason, context=context)
    return [candidate] if candidate is not None else []


def _compares_answers(value: object, context: Context) -> bool:
    """Whether a value holds a score for each answer: {"A": 7, "B": 9}, "A: 7, B: 9"."""
    if isinstance(value, Obj):
        return pair_of_object(value, context) is not None
    return isinstance(value, str) and pair_of_text(value) is not None


def labelled_items_of(items: list[Obj], context: Context) -> dict[Dimension, Slot]:
    """The slots of per-dimension objects read one by one (see :func:`_labelled_items`)."""
    return _labelled_items(items, context)


def _labelled_items(items: list[Obj], context: Context) -> dict[Dimension, Slot]:
    """[{"dimension": "accuracy", "winner": "A"}, {"criterion": "Relevance", "A": 6, "B": 8}]:
    each object names its dimension under a label key and holds a winner or two scores."""
    slots: dict[Dimension, Slot] = {}
    for item in items:
        dim: Dimension | None = None
        value: object = None
        answers: dict[Winner, object] = {}
        for key, inner in item.pairs:
            key_class = classify_key(key, context)
            if key_class.kind == "label":
                text = scalar_text(inner)
                named = classify_key(text.strip(), context) if text else None
                if named is not None and named.kind == "dim":
                    dim = named.dim
            elif key_class.kind == "verdict":
                value = inner
            elif key_class.kind == "answer" and key_class.answer is not None:
                answers[key_class.answer] = inner
        if dim is None:
            continue
        if value is None and len(answers) == 2:
            a, b = number_of(answers["A"]), number_of(answers["B"])
            value = Pair(a, b) if a is not None and b is not None else None
        if value is not None:
            put_slot(slots, dim, Slot(RANK_STEM, value))
    return slots


def _ordered_pair(value: object, context: Context) -> object:
    """[7, 9] under a dimension is a score pair when the text says lists are [A, B]."""
    if not context.pair_order or not isinstance(value, list) or len(value) != 2:
        return value
    a, b = number_of(value[0]), number_of(value[1])
    return Pair(a, b) if a is not None and b is not None else value


def _per_answer_scores(per_answer: dict[Winner, Obj], context: Context) -> dict[Dimension, dict[Winner, object]]:
    """{"Assistant A": {"accuracy": 7}, "Assistant B": {"accuracy": 9}} -> accuracy: {A: 7, B: 9}."""
    scores: dict[Dimension, dict[Winner, object]] = {}
    for answer, inner in per_answer.items():
        for key, value in inner.pairs:
            key_class = classify_key(key, context)
            if key_class.kind == "dim" and key_class.dim is not None:
                scores.setdefault(key_class.dim, {})[answer] = value
    return scores


def _add_score_pairs(slots: dict[Dimension, Slot], scores: dict[Dimension, dict[Winner, object]]) -> None:
    for dim, by_answer in scores.items():
        if set(by_answer) != {"A", "B"}:
            continue
        a, b = number_of(by_answer["A"]), number_of(by_answer["B"])
        if a is not None and b is not None:
            put_slot(slots, dim, Slot(RANK_STEM - 1 if dim in slots else RANK_STEM, Pair(a, b)))

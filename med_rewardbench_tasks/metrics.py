"""Scoring a judge's verdicts against expert labels: one aggregation path for every number.

A *judgment* is one presentation of a case (answers in the original order, or swapped)
with the judge's parsed picks. Every metric is a ratio of per-case sums,
``sum(numerator) / sum(denominator)`` over cases, so the lmms-eval tasks, ``rescore`` and
the reports compute identical values from the same judgments, and a bootstrap that
resamples *cases* moves a case's six dimensions and both of its orders together.

Metrics (``d`` is a dimension; ``mean_*`` pools the six dimensions, which for the
accuracies is exactly the mean of the six):

* ``d_acc`` — the judge named the expert's winner, in the original order. As in the paper,
  a dimension the judge did not state counts as wrong.
* ``parse_failure_rate`` — presentations whose verdict was not readable for all six dimensions.
* ``d_swapped_acc`` — accuracy when the answers are shown the other way round.
* ``d_strict_acc`` — right in both orders.
* ``d_consistency`` — the same underlying answer picked in both orders.
* ``d_first_position_rate`` — in the original order, of the winners the judge stated, the
  share that went to the answer shown first (A). An always-A judge scores 1; a judge that
  is always right scores the experts' A-rate, ``d_expert_first_position_rate``. Unstated
  winners are left out: a parse failure is not a preference (``parse_failure_rate`` counts them).
* ``d_longer_pick_rate`` — of the winners the judge stated on presentations whose answers
  differ in length, the share that went to the longer answer; ``d_expert_longer_rate`` is
  how often the experts' winner was the longer one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, get_args

from med_rewardbench_tasks.constants import (
    ACCURACY_METRICS,
    DIMENSIONS,
    HEADLINE_METRICS,
    MEAN_ACCURACY_METRIC,
    ORGANS,
    PARSE_FAILURE_METRIC,
    Dimension,
    Winner,
    metric_key,
)
from med_rewardbench_tasks.parsing import Verdict

Order = Literal["original", "swapped"]
ORDERS: Final[tuple[Order, ...]] = get_args(Order)

_OTHER: Final[dict[str, Winner]] = {"A": "B", "B": "A"}

SWAP_MEASURES: Final = ("swapped_acc", "strict_acc", "consistency", "first_position_rate")
LENGTH_MEASURES: Final = ("longer_pick_rate", "expert_longer_rate")
REFERENCE_MEASURES: Final = ("expert_first_position_rate",)


def _per_dimension(measure: str) -> tuple[str, ...]:
    return (*(f"{dimension}_{measure}" for dimension in DIMENSIONS), f"mean_{measure}")


SWAP_METRICS: Final[tuple[str, ...]] = tuple(name for measure in SWAP_MEASURES for name in _per_dimension(measure))
LENGTH_METRICS: Final[tuple[str, ...]] = tuple(name for measure in LENGTH_MEASURES for name in _per_dimension(measure))
REFERENCE_METRICS: Final[tuple[str, ...]] = tuple(
    name for measure in REFERENCE_MEASURES for name in _per_dimension(measure)
)
ALL_METRICS: Final[tuple[str, ...]] = (*HEADLINE_METRICS, *SWAP_METRICS, *LENGTH_METRICS, *REFERENCE_METRICS)

BOOTSTRAP_REPLICATES: Final = 2000
BOOTSTRAP_SEED: Final = 20250829
CONFIDENCE_LEVEL: Final = 0.95


def interval_names(metric: str) -> tuple[str, str]:
    """Result keys of a metric's 95% interval: ``accuracy_acc`` -> ``accuracy_ci_low``, ``accuracy_ci_high``.

    The keys must not contain the metric's own name: lmms-eval picks the subtask metrics a
    group aggregates by substring, and would average interval bounds across organs.
    """
    stem = metric.removesuffix("_acc").removesuffix("_rate")
    return f"{stem}_ci_low", f"{stem}_ci_high"


INTERVAL_METRICS: Final[tuple[str, ...]] = tuple(name for metric in HEADLINE_METRICS for name in interval_names(metric))


def swap_winner(winner: Winner | None) -> Winner | None:
    """The same answer's letter once the two answers trade places."""
    return None if winner is None else _OTHER[winner]


@dataclass(frozen=True)
class Presentation:
    """One case as a judge saw it; winners are in the letters shown (A = shown first)."""

    question_id: str
    organ: str
    order: Order
    expert: Mapping[Dimension, Winner]
    longer: Winner | None  # the longer shown answer; None when both are equally long
    department: str | None = None

    @property
    def case_key(self) -> tuple[str, str]:
        return (self.organ, self.question_id)


@dataclass(frozen=True)
class Judgment:
    """A presentation and what the judge picked on it (shown letters; None = not stated)."""

    presentation: Presentation
    choices: Mapping[Dimension, Winner | None]
    parsed: bool

    @classmethod
    def from_verdict(cls, presentation: Presentation, verdict: Verdict) -> Judgment:
        return cls(presentation, dict(verdict.choices), verdict.status == "ok")

    def correct(self, dimension: Dimension) -> bool:
        return self.choices.get(dimension) == self.presentation.expert[dimension]

    def underlying_pick(self, dimension: Dimension) -> Literal[1, 2] | None:
        """Which dataset answer (1 or 2) the judge picked, whatever the order it was shown in."""
        choice = self.choices.get(dimension)
        if choice is None:
            return None
        first_shown_is_answer1 = self.presentation.order == "original"
        return 1 if (choice == "A") == first_shown_is_answer1 else 2


def presentation_values(judgment: Judgment) -> dict[str, float]:
    """The headline metrics of a single presentation (lmms-eval averages these per task)."""
    values = {metric_key(dimension): float(judgment.correct(dimension)) for dimension in DIMENSIONS}
    values[MEAN_ACCURACY_METRIC] = sum(values[key] for key in ACCURACY_METRICS) / len(ACCURACY_METRICS)
    values[PARSE_FAILURE_METRIC] = float(not judgment.parsed)
    return values


# ---------------------------------------------------------------------------------------
# Per-case ratios: every metric is sum(numerators) / sum(denominators) over cases.
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseRatios:
    cases: tuple[tuple[str, str], ...]
    numerators: Mapping[str, tuple[float, ...]]
    denominators: Mapping[str, tuple[float, ...]]


Term = tuple[float, float]  # (numerator, denominator) of one case


def _term(holds: bool | None) -> Term:
    """One case's contribution to a share: nothing when the case has no presentation it applies to."""
    return (0.0, 0.0) if holds is None else (float(holds), 1.0)


def _consistent(original: Judgment, swapped: Judgment, dimension: Dimension) -> bool:
    pick = original.underlying_pick(dimension)
    return pick is not None and pick == swapped.underlying_pick(dimension)


def _case_terms(original: Judgment | None, swapped: Judgment | None) -> dict[str, Term]:
    judged = [judgment for judgment in (original, swapped) if judgment is not None]
    with_longer = [judgment for judgment in judged if judgment.presentation.longer is not None]
    terms: dict[str, Term] = {}
    for d in DIMENSIONS:
        terms[f"{d}_acc"] = _term(original and original.correct(d))
        stated_first = None if original is None else original.choices.get(d)
        terms[f"{d}_first_position_rate"] = _term(None if stated_first is None else stated_first == "A")
        terms[f"{d}_expert_first_position_rate"] = _term(original and original.presentation.expert[d] == "A")
        terms[f"{d}_swapped_acc"] = _term(swapped and swapped.correct(d))
        if original is not None and swapped is not None:
            terms[f"{d}_strict_acc"] = _term(original.correct(d) and swapped.correct(d))
            terms[f"{d}_consistency"] = _term(_consistent(original, swapped, d))
        else:
            terms[f"{d}_strict_acc"] = terms[f"{d}_consistency"] = _term(None)
        stated = [j for j in with_longer if j.choices.get(d) is not None]
        terms[f"{d}_longer_pick_rate"] = (
            float(sum(j.choices.get(d) == j.presentation.longer for j in stated)),
            float(len(stated)),
        )
        terms[f"{d}_expert_longer_rate"] = (
            float(sum(j.presentation.expert[d] == j.presentation.longer for j in with_longer)),
            float(len(with_longer)),
        )
    # A mean metric pools the six dimensions' terms. Where their denominators are equal (the
    # accuracies, consistency) that is exactly the mean of the six rates; the rates over stated
    # picks become the share of all stated picks.
    for measure in ("acc", *SWAP_MEASURES, *LENGTH_MEASURES, *REFERENCE_MEASURES):
        parts = [terms[f"{d}_{measure}"] for d in DIMENSIONS]
        name = MEAN_ACCURACY_METRIC if measure == "acc" else f"mean_{measure}"
        terms[name] = (sum(numerator for numerator, _ in parts), sum(denominator for _, denominator in parts))
    terms[PARSE_FAILURE_METRIC] = (float(sum(not j.parsed for j in judged)), float(len(judged)))
    return terms


def case_ratios(judgments: Iterable[Judgment]) -> CaseRatios:
    """Group presentations by case and compute each case's numerator and denominator for every metric."""
    by_case: dict[tuple[str, str], dict[Order, Judgment]] = {}
    for judgment in judgments:
        orders = by_case.setdefault(judgment.presentation.case_key, {})
        if judgment.presentation.order in orders:
            raise ValueError(
                f"case {judgment.presentation.case_key} judged twice in the {judgment.presentation.order} order"
            )
        orders[judgment.presentation.order] = judgment
    # Cases in key order, so a bootstrap draw (and so every interval) does not depend on the
    # order the judgments arrived in (lmms-eval's, a report's, a rescore's).
    by_case = dict(sorted(by_case.items()))
    numerators: dict[str, list[float]] = {name: [] for name in ALL_METRICS}
    denominators: dict[str, list[float]] = {name: [] for name in ALL_METRICS}
    for orders in by_case.values():
        terms = _case_terms(orders.get("original"), orders.get("swapped"))
        for name in ALL_METRICS:
            numerator, denominator = terms[name]
            numerators[name].append(numerator)
            denominators[name].append(denominator)
    return CaseRatios(
        cases=tuple(by_case),
        numerators={name: tuple(values) for name, values in numerators.items()},
        denominators={name: tuple(values) for name, values in denominators.items()},
    )


def point_estimates(ratios: CaseRatios) -> dict[str, float]:
    """Every metric whose denominator is not zero (swap metrics need swapped presentations)."""
    estimates = {}
    for name in ALL_METRICS:
        denominator = sum(ratios.denominators[name])
        if denominator:
            estimates[name] = sum(ratios.numerators[name]) / denominator
    return estimates


def bootstrap_intervals(
    ratios: CaseRatios,
    metrics: Iterable[str],
    *,
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE_LEVEL,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals from resampling cases with replacement (one draw shared by all metrics).

    A replicate in which a metric has no denominator (possible for small swap samples) is
    left out of that metric's percentiles.
    """
    import numpy as np

    names = [name for name in metrics if sum(ratios.denominators[name])]
    n_cases = len(ratios.cases)
    if n_cases == 0 or not names:
        return {}
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_cases, size=(replicates, n_cases))
    tail = (1.0 - level) / 2.0
    intervals = {}
    for name in names:
        numerators = np.asarray(ratios.numerators[name])[draws].sum(axis=1)
        denominators = np.asarray(ratios.denominators[name])[draws].sum(axis=1)
        valid = denominators > 0
        if not valid.any():
            continue
        values = numerators[valid] / denominators[valid]
        low, high = np.quantile(values, [tail, 1.0 - tail])
        intervals[name] = (float(low), float(high))
    return intervals


@dataclass(frozen=True)
class MetricTable:
    """Point estimates and 95% intervals of every metric over one set of judgments."""

    n_cases: int
    n_presentations: int
    values: Mapping[str, float]
    intervals: Mapping[str, tuple[float, float]]

    def value(self, name: str) -> float:
        return self.values.get(name, math.nan)


def metric_table(judgments: Sequence[Judgment], *, intervals_for: Iterable[str] | None = None) -> MetricTable:
    ratios = case_ratios(judgments)
    values = point_estimates(ratios)
    wanted = ALL_METRICS if intervals_for is None else tuple(intervals_for)
    return MetricTable(
        n_cases=len(ratios.cases),
        n_presentations=len(judgments),
        values=values,
        intervals=bootstrap_intervals(ratios, [name for name in wanted if name in values]),
    )


def tables_by_organ(
    judgments: Sequence[Judgment], *, intervals_for: Iterable[str] | None = HEADLINE_METRICS
) -> dict[str, MetricTable]:
    """One table per organ system present, in the paper's organ order (unknown organs last, sorted)."""
    groups: dict[str, list[Judgment]] = {}
    for judgment in judgments:
        groups.setdefault(judgment.presentation.organ, []).append(judgment)
    order = [organ for organ in ORGANS if organ in groups] + sorted(set(groups) - set(ORGANS))
    return {organ: metric_table(groups[organ], intervals_for=intervals_for) for organ in order}


# ---------------------------------------------------------------------------------------
# Records: how presentations and judgments travel through lmms-eval's samples log.
# ---------------------------------------------------------------------------------------
def presentation_record(presentation: Presentation) -> dict[str, object]:
    """JSON-ready identity of a presentation (lmms-eval logs it as the sample's ``target``)."""
    record: dict[str, object] = {
        "question_id": presentation.question_id,
        "organ": presentation.organ,
        "order": presentation.order,
        "winners": dict(presentation.expert),
        "longer": presentation.longer,
    }
    if presentation.department is not None:
        record["department"] = presentation.department
    return record


def presentation_from_record(record: Mapping[str, object]) -> Presentation:
    """The inverse of :func:`presentation_record`; a malformed record raises ValueError."""
    if not isinstance(record, Mapping):
        raise ValueError(f"a presentation record must be an object, got {type(record).__name__}")
    missing = [key for key in ("question_id", "organ", "order", "winners") if record.get(key) is None]
    if missing:
        raise ValueError(f"presentation record lacks {', '.join(missing)}")
    order = record["order"]
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    winners = record["winners"]
    if not isinstance(winners, Mapping) or any(winners.get(d) not in ("A", "B") for d in DIMENSIONS):
        raise ValueError(f"winners must give A or B for all six dimensions, got {winners!r}")
    longer = record.get("longer")
    if longer not in ("A", "B", None):
        raise ValueError(f"longer must be A, B or null, not {longer!r}")
    department = record.get("department")
    return Presentation(
        question_id=str(record["question_id"]),
        organ=str(record["organ"]),
        order=order,  # type: ignore[arg-type]
        expert={d: winners[d] for d in DIMENSIONS},
        longer=longer,  # type: ignore[arg-type]
        department=None if department is None else str(department),
    )


def _letters(choices: Mapping[Dimension, Winner | None]) -> str:
    return "".join(choices.get(dimension) or "-" for dimension in DIMENSIONS)


def _from_letters(letters: str) -> dict[Dimension, Winner | None]:
    if len(letters) != len(DIMENSIONS) or set(letters) - {"A", "B", "-"}:
        raise ValueError(f"expected six of A, B or -, got {letters!r}")
    return {d: (None if c == "-" else c) for d, c in zip(DIMENSIONS, letters, strict=True)}  # type: ignore[misc]


def encode_judgment(judgment: Judgment) -> tuple[object, ...]:
    """A compact, hashable form.

    (organ, question_id, order, expert letters, judge letters, parsed, longer, department).
    """
    p = judgment.presentation
    return (
        p.organ,
        p.question_id,
        p.order,
        _letters(p.expert),
        _letters(judgment.choices),
        int(judgment.parsed),
        p.longer or "-",
        p.department,
    )


def decode_judgment(code: Sequence[object]) -> Judgment:
    organ, question_id, order, expert, choices, parsed, longer, department = code
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    if longer not in ("A", "B", "-"):
        raise ValueError(f"longer must be A, B or -, not {longer!r}")
    if parsed not in (0, 1, True, False):
        raise ValueError(f"parsed must be 0 or 1, not {parsed!r}")
    if question_id is None or organ is None:
        raise ValueError("a judgment needs its organ and question_id")
    expert_choices = _from_letters(str(expert))
    if None in expert_choices.values():
        raise ValueError(f"expert winners must all be A or B, got {expert!r}")
    return Judgment(
        presentation=Presentation(
            question_id=str(question_id),
            organ=str(organ),
            order=order,  # type: ignore[arg-type]
            expert=expert_choices,  # type: ignore[arg-type]
            longer=None if longer == "-" else longer,  # type: ignore[arg-type]
            department=None if department is None else str(department),
        ),
        choices=_from_letters(str(choices)),
        parsed=bool(parsed),
    )

"""Scoring a judge's verdicts against expert labels: one aggregation path for every number.

A *judgment* (:class:`~.records.Judgment`) is one presentation of a case (answers in the
original order, or swapped) with the judge's parsed picks. Every metric is a ratio of
per-case sums, ``sum(numerator) / sum(denominator)`` over cases, so the lmms-eval tasks,
``rescore`` and the reports compute identical values from the same judgments, and a
bootstrap that resamples *cases* moves a case's six dimensions and both of its orders
together. What each metric measures, and its direction, is in :mod:`.metric_names`.

Every metric the lmms-eval tasks report counts each case (or presentation) it applies to
in its denominator, whatever the judge stated: a share of *cases*, so the size-weighted
mean lmms-eval computes for a group is exactly the pooled value (``report`` computes the
pooled value from the samples log; a test checks they agree). The rates over *stated*
picks (``first_position_rate``, ``longer_pick_rate``) appear in the report only, beside the
experts' own rate: a parse failure is not a preference.

For lmms-eval, :func:`presentation_values` gives a plain task's per-doc values and
:func:`swap_values` a swap task's; :func:`paired_value` aggregates the swap metrics that
pair a case's two docs (see :mod:`.metric_names` for where each value comes from).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from .constants import DIMENSIONS, ORGANS, Dimension
from .metric_names import (
    ACCURACY_METRICS,
    ALL_METRICS,
    HEADLINE_METRICS,
    MEAN_ACCURACY_METRIC,
    PAIRED_METRICS,
    PARSE_FAILURE_METRIC,
    SWAP_TASK_METRICS,
    metric_name,
)
from .records import Judgment, Order, judgment_from_record, judgment_record

BOOTSTRAP_REPLICATES: Final = 2000
BOOTSTRAP_SEED: Final = 20250829
CONFIDENCE_LEVEL: Final = 0.95


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


def _dimension_terms(original: Judgment | None, swapped: Judgment | None, d: Dimension) -> dict[str, Term]:
    both = original is not None and swapped is not None
    # The judge's letter in each order (None: not stated, or the order is missing).
    first = None if original is None else original.choices.get(d)
    second = None if swapped is None else swapped.choices.get(d)
    judged = [judgment for judgment in (original, swapped) if judgment is not None]
    with_longer = [judgment for judgment in judged if judgment.presentation.longer is not None]
    stated = [j for j in with_longer if j.choices.get(d) is not None]
    return {
        "acc": _term(original and original.correct(d)),
        "swapped_acc": _term(swapped and swapped.correct(d)),
        "strict_acc": _term(original.correct(d) and swapped.correct(d) if both else None),  # type: ignore[union-attr]
        "consistency": _term(_consistent(original, swapped, d) if both else None),  # type: ignore[arg-type]
        # The same letter twice is the same *position* twice, i.e. a different answer each time.
        "first_position_bias": _term(first == second == "A" if both else None),
        "second_position_bias": _term(first == second == "B" if both else None),
        "first_position_rate": _term(None if first is None else first == "A"),
        "expert_first_position_rate": _term(original and original.presentation.expert[d] == "A"),
        "longer_pick_rate": (
            float(sum(j.choices.get(d) == j.presentation.longer for j in stated)),
            float(len(stated)),
        ),
        "expert_longer_rate": (
            float(sum(j.presentation.expert[d] == j.presentation.longer for j in with_longer)),
            float(len(with_longer)),
        ),
    }


def _case_terms(original: Judgment | None, swapped: Judgment | None) -> dict[str, Term]:
    by_dimension = {d: _dimension_terms(original, swapped, d) for d in DIMENSIONS}
    terms: dict[str, Term] = {}
    for measure in by_dimension[DIMENSIONS[0]]:
        for d in DIMENSIONS:
            terms[metric_name(d, measure)] = by_dimension[d][measure]
        # A mean metric pools the six dimensions' terms. Where their denominators are equal
        # (every metric lmms-eval reports) that is exactly the mean of the six rates; the rates
        # over stated picks become the share of all stated picks.
        parts = [by_dimension[d][measure] for d in DIMENSIONS]
        terms[metric_name("mean", measure)] = (
            sum(numerator for numerator, _ in parts),
            sum(denominator for _, denominator in parts),
        )
    judged = [judgment for judgment in (original, swapped) if judgment is not None]
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
# Per-doc values for lmms-eval (see metric_names.SWAP_TASK_METRICS for where each comes from)
# ---------------------------------------------------------------------------------------
def _accuracy(judgment: Judgment) -> float:
    return sum(judgment.correct(d) for d in DIMENSIONS) / len(DIMENSIONS)


def presentation_values(judgment: Judgment) -> dict[str, float]:
    """A plain task's per-doc values: the headline metrics of one presentation (lmms-eval averages them)."""
    values = {name: float(judgment.correct(d)) for name, d in zip(ACCURACY_METRICS, DIMENSIONS, strict=True)}
    values[MEAN_ACCURACY_METRIC] = _accuracy(judgment)
    values[PARSE_FAILURE_METRIC] = float(not judgment.parsed)
    return values


def swap_values(judgment: Judgment) -> dict[str, object]:
    """A swap task's per-doc values: numbers for the metrics one doc decides, the judgment record for the pairs.

    The keys every doc returns come first: lmms-eval takes a task's size (the group's weight)
    from the last metric it collected, and a key first returned by the other order's docs is
    then collected last, so the size is the number of cases whichever order came first.
    """
    record = judgment_record(judgment)
    values: dict[str, object] = {PARSE_FAILURE_METRIC: float(not judgment.parsed)}
    values.update(dict.fromkeys(PAIRED_METRICS, record))
    order: Order = judgment.presentation.order
    own = presentation_values(judgment) if order == "original" else {"mean_swapped_acc": _accuracy(judgment)}
    values.update({name: own[name] for name, source in SWAP_TASK_METRICS.items() if source == order})
    return values


def paired_value(name: str, records: Iterable[Sequence[object]]) -> float:
    """A paired swap metric over judgment records (both orders of each case); NaN without a complete case."""
    if name not in PAIRED_METRICS:
        raise ValueError(f"{name!r} is not one of the paired swap metrics {PAIRED_METRICS}")
    judgments = [judgment_from_record(record) for record in records]
    return metric_table(judgments, intervals_for=()).value(name)

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

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

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

if TYPE_CHECKING:
    import numpy as np

    from .constants import Winner

BOOTSTRAP_REPLICATES: Final = 2000
BOOTSTRAP_SEED: Final = 20250829
CONFIDENCE_LEVEL: Final = 0.95


# ---------------------------------------------------------------------------------------
# Per-case ratios: every metric is sum(numerators) / sum(denominators) over cases.
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CaseRatios:
    """Every metric's numerator and denominator per case (numpy arrays, cases in key order)."""

    cases: tuple[tuple[str, str], ...]
    numerators: Mapping[str, np.ndarray]
    denominators: Mapping[str, np.ndarray]


# How a letter is coded in the arrays below: 0 = no letter (not stated, or no such presentation).
_LETTER_CODE: Final = {"A": 1, "B": 2}


def _pair_by_case(judgments: Iterable[Judgment]) -> dict[tuple[str, str], dict[Order, Judgment]]:
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
    return dict(sorted(by_case.items()))


@dataclass(frozen=True)
class _Order:
    """One order's presentations of every case as arrays: case x dimension letter codes, per-case flags."""

    present: np.ndarray  # the case was judged in this order
    parsed: np.ndarray  # ... and its verdict was read for all six dimensions
    choice: np.ndarray  # the judge's letter
    expert: np.ndarray  # the experts' letter, as shown in this order
    longer: np.ndarray  # the longer shown answer's letter (0: equally long)

    @classmethod
    def of(cls, judgments: Sequence[Judgment | None]) -> _Order:
        import numpy as np

        return cls(
            present=np.array([judgment is not None for judgment in judgments], dtype=bool),
            parsed=np.array([judgment is not None and judgment.parsed for judgment in judgments], dtype=bool),
            choice=np.array([_codes(judgment and judgment.choices) for judgment in judgments], np.int8).reshape(
                -1, len(DIMENSIONS)
            ),
            expert=np.array(
                [_codes(judgment and judgment.presentation.expert) for judgment in judgments], np.int8
            ).reshape(-1, len(DIMENSIONS)),
            longer=np.array(
                [_LETTER_CODE.get((judgment and judgment.presentation.longer) or "", 0) for judgment in judgments],
                dtype=np.int8,
            ),
        )


def _codes(letters: Mapping[Dimension, Winner | None] | None) -> list[int]:
    if letters is None:
        return [0] * len(DIMENSIONS)
    return [_LETTER_CODE.get(letters.get(dimension) or "", 0) for dimension in DIMENSIONS]


def _per_dimension(flags: np.ndarray) -> np.ndarray:
    """A per-case flag, repeated for each dimension (case x dimension)."""
    import numpy as np

    return np.broadcast_to(flags[:, None], (len(flags), len(DIMENSIONS)))


def _longer_terms(order: _Order) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """One order's length terms: the judge's picks of the longer answer among its stated picks, and
    the experts' among the presentations whose answers differ in length."""
    longer = order.longer[:, None]
    differ = _per_dimension(order.longer > 0)
    stated = differ & (order.choice > 0)
    return {
        "longer_pick_rate": (stated & (order.choice == longer), stated),
        "expert_longer_rate": (differ & (order.expert == longer), differ),
    }


def _measure_terms(original: _Order, swapped: _Order) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each measure's (numerator, denominator) as case x dimension arrays; see metric_names.MEASURES."""
    has_original = _per_dimension(original.present)
    has_swapped = _per_dimension(swapped.present)
    has_both = has_original & has_swapped
    right_original = has_original & (original.choice == original.expert)
    right_swapped = has_swapped & (swapped.choice == swapped.expert)
    first, second = original.choice, swapped.choice
    # Shown first in the original order is shown second in the swapped one: the same answer is
    # picked twice when the letters differ, the same *position* when they are equal.
    consistent = has_both & (first > 0) & (second > 0) & (first != second)
    terms = {
        "acc": (right_original, has_original),
        "swapped_acc": (right_swapped, has_swapped),
        "strict_acc": (has_both & right_original & right_swapped, has_both),
        "consistency": (consistent, has_both),
        "first_position_bias": (has_both & (first == 1) & (second == 1), has_both),
        "second_position_bias": (has_both & (first == 2) & (second == 2), has_both),
        "first_position_rate": (first == 1, first > 0),
        "expert_first_position_rate": (has_original & (original.expert == 1), has_original),
    }
    # The length measures count the presentations of both orders.
    in_original, in_swapped = _longer_terms(original), _longer_terms(swapped)
    for measure, (numerator, denominator) in in_original.items():
        other_numerator, other_denominator = in_swapped[measure]
        terms[measure] = (numerator.astype(int) + other_numerator, denominator.astype(int) + other_denominator)
    return {
        measure: (numerator.astype(float), denominator.astype(float))
        for measure, (numerator, denominator) in terms.items()
    }


def case_ratios(judgments: Iterable[Judgment]) -> CaseRatios:
    """Group presentations by case and compute each case's numerator and denominator for every metric.

    A mean metric pools the six dimensions' terms. Where their denominators are equal (every
    metric lmms-eval reports) that is exactly the mean of the six rates; the rates over stated
    picks become the share of all stated picks.
    """

    by_case = _pair_by_case(judgments)
    original = _Order.of([orders.get("original") for orders in by_case.values()])
    swapped = _Order.of([orders.get("swapped") for orders in by_case.values()])
    numerators: dict[str, np.ndarray] = {}
    denominators: dict[str, np.ndarray] = {}
    for measure, (numerator, denominator) in _measure_terms(original, swapped).items():
        for column, dimension in enumerate(DIMENSIONS):
            numerators[metric_name(dimension, measure)] = numerator[:, column]
            denominators[metric_name(dimension, measure)] = denominator[:, column]
        numerators[metric_name("mean", measure)] = numerator.sum(axis=1)
        denominators[metric_name("mean", measure)] = denominator.sum(axis=1)
    failed = (original.present & ~original.parsed).astype(float) + (swapped.present & ~swapped.parsed)
    numerators[PARSE_FAILURE_METRIC] = failed
    denominators[PARSE_FAILURE_METRIC] = original.present.astype(float) + swapped.present
    return CaseRatios(
        cases=tuple(by_case),
        numerators={name: numerators[name] for name in ALL_METRICS},
        denominators={name: denominators[name] for name in ALL_METRICS},
    )


def point_estimates(ratios: CaseRatios) -> dict[str, float]:
    """Every metric whose denominator is not zero (swap metrics need swapped presentations)."""
    estimates = {}
    for name in ALL_METRICS:
        denominator = float(ratios.denominators[name].sum())
        if denominator:
            estimates[name] = float(ratios.numerators[name].sum()) / denominator
    return estimates


@functools.lru_cache(maxsize=32)
def resample_counts(n_cases: int, *, replicates: int = BOOTSTRAP_REPLICATES, seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """replicates x cases: how often each case is drawn into each bootstrap replicate (seeded; read-only).

    Cached: a report draws the same counts for every judge's table of the same size.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_cases, size=(replicates, n_cases))
    offsets = (np.arange(replicates) * n_cases)[:, None]
    counts = np.bincount((draws + offsets).ravel(), minlength=replicates * n_cases).reshape(replicates, n_cases)
    counts = counts.astype(float)
    counts.setflags(write=False)
    return counts


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

    names = [name for name in metrics if ratios.denominators[name].sum()]
    n_cases = len(ratios.cases)
    if n_cases == 0 or not names:
        return {}
    # A replicate's sum is the drawn cases' terms weighted by how often each was drawn, so all
    # metrics' sums are two matrix products. The terms are whole numbers: the sums are exact.
    counts = resample_counts(n_cases, replicates=replicates, seed=seed)
    numerators = counts @ np.stack([ratios.numerators[name] for name in names], axis=1)
    denominators = counts @ np.stack([ratios.denominators[name] for name in names], axis=1)
    tail = (1.0 - level) / 2.0
    valid = denominators > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        values = numerators / denominators
    # Metrics defined in every replicate (nearly all) in one call; the others one by one.
    complete = valid.all(axis=0)
    complete_bounds = iter(np.quantile(values[:, complete], [tail, 1.0 - tail], axis=0).T if complete.any() else ())
    intervals = {}
    for column, name in enumerate(names):
        if complete[column]:
            low, high = next(complete_bounds)
        elif valid[:, column].any():
            low, high = np.quantile(values[valid[:, column], column], [tail, 1.0 - tail])
        else:
            continue
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

"""Agreement beyond accuracy, and whether one judge is really better than another.

Two questions the accuracy table cannot answer:

* **Is the agreement more than chance?** The experts' winners are not 50/50 (the benchmark's
  experts prefer one position on some dimensions), so a judge that always names the same
  letter can score well on accuracy. Per dimension we report

  - *Cohen's kappa* against the experts, ``(p_o - p_e) / (1 - p_e)``: ``p_o`` is the
    accuracy, ``p_e`` the agreement expected from the judge's and the experts' letter rates
    alone (``P_judge(A) P_expert(A) + P_judge(B) P_expert(B)``). An always-A judge has
    kappa 0 whatever the experts' rate; undefined (``–``) when ``p_e`` is 1.
  - *balanced accuracy*: the mean, over the experts' two winners, of the share of cases the
    judge got right among the cases with that winner (an always-A judge scores 0.5). When
    one winner never occurs in the set, it is the share right among the other.

  **An unstated verdict** (a dimension the parser could not read) counts as *wrong*, as it
  does for accuracy in the paper: in kappa it is a third judge category that never agrees
  with the experts (it adds to neither ``P_judge(A)`` nor ``P_judge(B)``), so ``p_o`` stays
  exactly the accuracy; in balanced accuracy it is a miss in its expert class. The
  ``mean`` row is the mean of the six dimensions' values, like ``mean_acc``.

* **Is judge X better than judge Y?** For two judges scored on the same cases, the
  difference of their mean accuracies, with a *paired* 95% bootstrap interval (cases
  resampled with replacement, both judges' verdicts on a case moving together) and a
  two-sided *paired sign-flip randomisation test* p-value (under "no difference" the two
  judges' per-case accuracies are exchangeable, so each case's difference is as likely
  negated). The p-values are Holm-corrected across all pairs compared in the report. A
  pair judged on different cases is refused: the difference would mix judge and case set.

Every interval uses the metrics' bootstrap settings (replicates, seed, level, cases in key
order), so kappa's interval comes from the same resampled case sets as the accuracy's. The
random draws come from local generators (``numpy.random.default_rng``) with fixed seeds:
the same inputs always give the same numbers. numpy is imported only when computing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import TYPE_CHECKING, Final

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.metrics import BOOTSTRAP_REPLICATES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL, resample_counts
from med_rewardbench_tasks.records import Judgment

if TYPE_CHECKING:
    import numpy as np

CaseKey = tuple[str, str]

PERMUTATIONS: Final = 10_000
# The sign flips are a stream of their own, so adding a judge never shifts the bootstrap draws.
PERMUTATION_SEED: Final = BOOTSTRAP_SEED + 1
_CHUNK: Final = 1_000  # sign-flip rows per matrix product (bounds memory at any case count)
DIMENSION_ROWS: Final = (*DIMENSIONS, "mean")


class DifferentCasesError(ValueError):
    """Two judges cannot be compared case by case: they were not judged on the same cases."""


# ---------------------------------------------------------------------------------------
# Agreement with the experts
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Agreement:
    """One dimension (or the mean of the six): point values and 95% intervals."""

    dimension: str
    n_cases: int
    accuracy: float
    kappa: float
    balanced_accuracy: float
    kappa_interval: tuple[float, float]
    balanced_accuracy_interval: tuple[float, float]
    expert_a_rate: float
    judge_a_rate: float  # over all cases: unstated picks are neither A nor B
    unstated_rate: float


def original_order(judgments: Sequence[Judgment]) -> list[Judgment]:
    """The presentations accuracy is scored on (the original order), one per case, in case-key order."""
    chosen = [judgment for judgment in judgments if judgment.presentation.order == "original"]
    return sorted(chosen, key=lambda judgment: judgment.presentation.case_key)


# Per-case indicator columns of one dimension, in this order.
_COLUMNS: Final = ("correct", "judge_a", "judge_b", "expert_a", "correct_expert_a", "correct_expert_b")


def _indicators(judgments: Sequence[Judgment]) -> np.ndarray:
    """cases x (6 dimensions x 6 indicators), 0/1."""
    import numpy as np

    rows = []
    for judgment in judgments:
        row = []
        for dimension in DIMENSIONS:
            pick = judgment.choices.get(dimension)
            expert = judgment.presentation.expert[dimension]
            correct = pick == expert
            row += [
                correct,
                pick == "A",
                pick == "B",
                expert == "A",
                correct and expert == "A",
                correct and expert == "B",
            ]
        rows.append(row)
    return np.asarray(rows, dtype=float).reshape(len(judgments), len(DIMENSIONS) * len(_COLUMNS))


def _statistics(sums: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """accuracy, kappa, balanced accuracy per dimension from indicator sums (any leading shape)."""
    import numpy as np

    shaped = sums.reshape(*sums.shape[:-1], len(DIMENSIONS), len(_COLUMNS))
    correct, judge_a, judge_b, expert_a, right_a, right_b = (shaped[..., i] for i in range(len(_COLUMNS)))
    n = n[..., None]
    expert_b = n - expert_a
    with np.errstate(divide="ignore", invalid="ignore"):
        accuracy = correct / n
        chance = (judge_a * expert_a + judge_b * expert_b) / (n * n)
        kappa = np.where(chance < 1.0, (accuracy - chance) / (1.0 - chance), np.nan)
        recall_a = np.where(expert_a > 0, right_a / expert_a, np.nan)
        recall_b = np.where(expert_b > 0, right_b / expert_b, np.nan)
        balanced = np.where(
            np.isnan(recall_a), recall_b, np.where(np.isnan(recall_b), recall_a, (recall_a + recall_b) / 2)
        )
    return accuracy, kappa, balanced


def _percentiles(values: np.ndarray, level: float) -> tuple[float, float]:
    import numpy as np

    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return (math.nan, math.nan)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(finite, [tail, 1.0 - tail])
    return (float(low), float(high))


def agreement_table(
    judgments: Sequence[Judgment],
    *,
    replicates: int = BOOTSTRAP_REPLICATES,
    seed: int = BOOTSTRAP_SEED,
    level: float = CONFIDENCE_LEVEL,
) -> tuple[Agreement, ...]:
    """Accuracy, Cohen's kappa and balanced accuracy per dimension and their mean, with intervals."""
    import numpy as np

    scored = original_order(judgments)
    if not scored:
        return ()
    indicators = _indicators(scored)
    n_cases = len(scored)
    totals = indicators.sum(axis=0)
    accuracy, kappa, balanced = _statistics(totals, np.asarray(float(n_cases)))
    counts = resample_counts(n_cases, replicates=replicates, seed=seed)
    replicate_sums = counts @ indicators
    _, kappas, balanceds = _statistics(replicate_sums, np.full(replicates, float(n_cases)))
    shaped = totals.reshape(len(DIMENSIONS), len(_COLUMNS))
    rows = []
    for index, dimension in enumerate(DIMENSIONS):
        rows.append(
            Agreement(
                dimension=dimension,
                n_cases=n_cases,
                accuracy=float(accuracy[index]),
                kappa=float(kappa[index]),
                balanced_accuracy=float(balanced[index]),
                kappa_interval=_percentiles(kappas[:, index], level),
                balanced_accuracy_interval=_percentiles(balanceds[:, index], level),
                expert_a_rate=float(shaped[index, 3] / n_cases),
                judge_a_rate=float(shaped[index, 1] / n_cases),
                unstated_rate=float(1 - (shaped[index, 1] + shaped[index, 2]) / n_cases),
            )
        )
    with np.errstate(invalid="ignore"):
        mean_kappas = kappas.mean(axis=1)  # NaN when any dimension's kappa is undefined
        mean_balanced = balanceds.mean(axis=1)
    rows.append(
        Agreement(
            dimension="mean",
            n_cases=n_cases,
            accuracy=float(np.mean(accuracy)),
            kappa=float(np.mean(kappa)),
            balanced_accuracy=float(np.mean(balanced)),
            kappa_interval=_percentiles(mean_kappas, level),
            balanced_accuracy_interval=_percentiles(mean_balanced, level),
            expert_a_rate=float(np.mean(shaped[:, 3]) / n_cases),
            judge_a_rate=float(np.mean(shaped[:, 1]) / n_cases),
            unstated_rate=float(np.mean(1 - (shaped[:, 1] + shaped[:, 2]) / n_cases)),
        )
    )
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Judge against judge
# ---------------------------------------------------------------------------------------
def case_accuracies(judgments: Sequence[Judgment]) -> dict[CaseKey, float]:
    """Each case's accuracy over the six dimensions in the original order (its share of ``mean_acc``)."""
    return {
        judgment.presentation.case_key: sum(judgment.correct(d) for d in DIMENSIONS) / len(DIMENSIONS)
        for judgment in original_order(judgments)
    }


@dataclass(frozen=True)
class PairComparison:
    """``first`` minus ``second`` in mean accuracy; ``refused`` says why a pair was not compared."""

    first: str
    second: str
    n_cases: int
    difference: float = math.nan
    interval: tuple[float, float] = (math.nan, math.nan)
    p_value: float = math.nan
    p_holm: float = math.nan
    refused: str | None = None


def check_same_cases(first: str, a: Mapping[CaseKey, float], second: str, b: Mapping[CaseKey, float]) -> None:
    if a.keys() == b.keys():
        return
    only_a, only_b = len(a.keys() - b.keys()), len(b.keys() - a.keys())
    example = sorted((a.keys() - b.keys()) or (b.keys() - a.keys()))[0]
    raise DifferentCasesError(
        f"{first!r} and {second!r} were judged on different cases ({only_a} only in the first, {only_b} only "
        f"in the second, e.g. {example[0]}/{example[1]}); a paired comparison needs the same cases"
    )


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment: family-wise error control across all the comparisons."""
    order = sorted(range(len(p_values)), key=lambda index: p_values[index])
    adjusted = [math.nan] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def compare_judges(
    accuracies: Mapping[str, Mapping[CaseKey, float]],
    *,
    replicates: int = BOOTSTRAP_REPLICATES,
    permutations: int = PERMUTATIONS,
    seed: int = BOOTSTRAP_SEED,
    permutation_seed: int = PERMUTATION_SEED,
    level: float = CONFIDENCE_LEVEL,
) -> list[PairComparison]:
    """Every pair of judges (in the given order), compared on their shared case set or refused."""
    import numpy as np

    labels = list(accuracies)
    # Judges on the same case set are compared in one matrix product per set.
    groups: dict[frozenset[CaseKey], list[str]] = {}
    for label in labels:
        groups.setdefault(frozenset(accuracies[label]), []).append(label)
    estimates: dict[tuple[str, str], tuple[float, tuple[float, float], float]] = {}
    for cases, members in groups.items():
        pairs = list(combinations(members, 2))
        if not pairs or not cases:
            continue
        keys = sorted(cases)
        matrix = np.asarray([[accuracies[label][key] for label in members] for key in keys])
        column = {label: index for index, label in enumerate(members)}
        differences = np.stack([matrix[:, column[a]] - matrix[:, column[b]] for a, b in pairs], axis=1)
        n = len(keys)
        observed = differences.mean(axis=0)
        counts = resample_counts(n, replicates=replicates, seed=seed)
        resampled = counts @ differences / n
        rng = np.random.default_rng(permutation_seed)
        extreme = np.zeros(len(pairs))
        tolerance = 1e-12  # ties with the observed value count as at least as extreme
        for start in range(0, permutations, _CHUNK):
            signs = rng.choice((-1.0, 1.0), size=(min(_CHUNK, permutations - start), n))
            null = np.abs(signs @ differences / n)
            extreme += (null >= np.abs(observed) - tolerance).sum(axis=0)
        p_values = (extreme + 1) / (permutations + 1)
        for index, pair in enumerate(pairs):
            estimates[pair] = (
                float(observed[index]),
                _percentiles(resampled[:, index], level),
                float(p_values[index]),
            )
    comparisons: list[PairComparison] = []
    for first, second in combinations(labels, 2):
        if (first, second) in estimates:
            difference, bounds, p = estimates[(first, second)]
            comparisons.append(PairComparison(first, second, len(accuracies[first]), difference, bounds, p))
            continue
        try:
            check_same_cases(first, accuracies[first], second, accuracies[second])
            reason = "no cases"
        except DifferentCasesError as error:
            reason = str(error)
        comparisons.append(PairComparison(first, second, 0, refused=reason))
    compared = [index for index, comparison in enumerate(comparisons) if comparison.refused is None]
    for index, adjusted in zip(compared, holm([comparisons[i].p_value for i in compared]), strict=True):
        comparison = comparisons[index]
        comparisons[index] = PairComparison(
            comparison.first,
            comparison.second,
            comparison.n_cases,
            comparison.difference,
            comparison.interval,
            comparison.p_value,
            adjusted,
        )
    return comparisons

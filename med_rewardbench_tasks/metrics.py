"""Scoring a judge's verdicts against expert labels.

Every number the package reports is a mean over cases of the per-case values made by
:func:`case_metrics`, so lmms-eval (``aggregation: mean``), ``rescore`` and the reports
all agree. As in the paper, a dimension the judge did not state counts as wrong;
``parse_failure_rate`` (the share of cases whose verdict was not fully readable) shows how
much of the accuracy was lost that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from med_rewardbench_tasks.constants import (
    ACCURACY_METRICS,
    DIMENSIONS,
    HEADLINE_METRICS,
    MEAN_ACCURACY_METRIC,
    PARSE_FAILURE_METRIC,
    Dimension,
    Winner,
    metric_key,
)
from med_rewardbench_tasks.parsing import Verdict

_OTHER: Final[dict[str, Winner]] = {"A": "B", "B": "A"}


def swap_winner(winner: Winner | None) -> Winner | None:
    """The same answer's letter once the two answers trade places."""
    return None if winner is None else _OTHER[winner]  # type: ignore[return-value]


def correctness(choices: Mapping[Dimension, Winner | None], labels: Mapping[Dimension, Winner]) -> dict[Dimension, bool]:
    """Per dimension: did the judge name the expert's winner? An unstated winner is wrong."""
    return {dimension: choices.get(dimension) == labels[dimension] for dimension in DIMENSIONS}


def case_metrics(correct: Mapping[Dimension, bool], *, parse_failed: bool) -> dict[str, float]:
    """The per-case values whose means are the headline metrics."""
    values = {metric_key(dimension): float(correct[dimension]) for dimension in DIMENSIONS}
    values[MEAN_ACCURACY_METRIC] = sum(values[key] for key in ACCURACY_METRICS) / len(ACCURACY_METRICS)
    values[PARSE_FAILURE_METRIC] = float(parse_failed)
    return values


def score_verdict(verdict: Verdict, labels: Mapping[Dimension, Winner]) -> dict[str, float]:
    """Per-case metric values of one parsed verdict, in the order the answers were shown."""
    return case_metrics(correctness(verdict.choices, labels), parse_failed=verdict.status != "ok")


def mean_metrics(per_case: Iterable[Mapping[str, float]], keys: Iterable[str] = HEADLINE_METRICS) -> dict[str, float]:
    """Means of per-case values; an empty input is an error rather than a silent zero."""
    rows = list(per_case)
    if not rows:
        raise ValueError("no cases to aggregate")
    return {key: sum(row[key] for row in rows) / len(rows) for key in keys}

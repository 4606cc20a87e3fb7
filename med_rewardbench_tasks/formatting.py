"""How numbers and names are shown to people, shared by ``report`` and ``rescore``.

Rates are fractions everywhere in the code and in the CSV/XLSX files; they become
percentages only here, when they are written for a person to read.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.metric_names import MEAN_ACCURACY_METRIC, PARSE_FAILURE_METRIC
from med_rewardbench_tasks.metrics import BOOTSTRAP_REPLICATES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL, MetricTable

MISSING: Final = "–"


def _or_missing(show: Callable[..., str], *values: float | None) -> str:
    """``show(*values)``, or ``–`` when a value is missing: None, or NaN (a metric with no denominator)."""
    return MISSING if any(value is None or math.isnan(value) for value in values) else show(*values)


def percent(value: float | None) -> str:
    """``0.4778`` -> ``47.8%``; None or NaN (a metric with no denominator) -> ``–``."""
    return _or_missing(lambda rate: f"{100 * rate:.1f}%", value)


def interval(low: float | None, high: float | None) -> str:
    """A 95% interval in percent points: ``[37.8, 57.8]``."""
    return _or_missing(lambda low, high: f"[{100 * low:.1f}, {100 * high:.1f}]", low, high)


def signed_points(value: float | None) -> str:
    """A difference of two rates in percent points: ``+3.2``."""
    return _or_missing(lambda points: f"{100 * points:+.1f}", value)


def coefficient(value: float | None) -> str:
    """A statistic on its own scale (Cohen's kappa): ``0.412``."""
    return _or_missing(lambda statistic: f"{statistic:.3f}", value)


def coefficient_interval(low: float | None, high: float | None) -> str:
    """An interval of a statistic on its own scale: ``[0.301, 0.523]``."""
    return _or_missing(lambda low, high: f"[{low:.3f}, {high:.3f}]", low, high)


def p_value(value: float | None) -> str:
    """A p-value to three decimals, or ``<0.001``."""
    return _or_missing(lambda p: "<0.001" if p < 0.001 else f"{p:.3f}", value)


def title(name: str) -> str:
    """``gastrointestinal_tract`` -> ``Gastrointestinal tract``."""
    return name.replace("_", " ").capitalize()


def dimension_title(dimension: str) -> str:
    return "Mean" if dimension == "mean" else title(dimension)


def metric_title(metric: str) -> str:
    if metric == PARSE_FAILURE_METRIC:
        return "Parse-failure rate"
    if metric == MEAN_ACCURACY_METRIC:
        return "Mean accuracy (six dimensions)"
    return f"Accuracy: {metric.removesuffix('_acc')}"


def slugify(label: str) -> str:
    """A file-name-safe form of a judge label."""
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return slug or "judge"


def unique_slugs(labels: Sequence[str]) -> dict[str, str]:
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for label in labels:
        base = slug = slugify(label)
        n = 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        slugs[label] = slug
    return slugs


def text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "    ") -> str:
    """A plain-text table for the terminal: first column left-aligned, the rest right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]
    lines = []
    for index, row in enumerate([headers, *rows]):
        cells = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append(indent + "  ".join(cells).rstrip())
        if index == 0:
            lines.append(indent + "  ".join("-" * width for width in widths))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Metric tables as JSON and as terminal text (``rescore``)
# ---------------------------------------------------------------------------------------
def bootstrap_settings() -> dict[str, Any]:
    return {"replicates": BOOTSTRAP_REPLICATES, "seed": BOOTSTRAP_SEED, "level": CONFIDENCE_LEVEL, "unit": "case"}


def table_json(table: MetricTable) -> dict[str, Any]:
    return {
        "n_cases": table.n_cases,
        "n_presentations": table.n_presentations,
        "metrics": dict(table.values),
        "intervals": {name: list(bounds) for name, bounds in table.intervals.items()},
    }


def _ci(table: MetricTable, metric: str) -> str:
    low, high = table.intervals.get(metric, (None, None))
    return interval(low, high)


def format_metric_table(table: MetricTable, indent: str = "    ") -> str:
    """Per dimension: accuracy with its interval, and the swap metrics when the set has swapped presentations."""
    swap = "mean_consistency" in table.values  # only sets with both orders of some case have it
    headers = ["dimension", "accuracy", "95% CI (%)"]
    if swap:
        headers += ["swapped", "strict", "consistency", "judge picks A", "experts pick A"]
    rows = []
    for dimension in (*DIMENSIONS, "mean"):
        row = [dimension, percent(table.values.get(f"{dimension}_acc")), _ci(table, f"{dimension}_acc")]
        if swap:
            row += [
                percent(table.values.get(f"{dimension}_{measure}"))
                for measure in (
                    "swapped_acc",
                    "strict_acc",
                    "consistency",
                    "first_position_rate",
                    "expert_first_position_rate",
                )
            ]
        rows.append(row)
    failure = (
        f"{indent}parse-failure rate: {percent(table.values.get(PARSE_FAILURE_METRIC))} "
        f"{_ci(table, PARSE_FAILURE_METRIC)}"
    )
    return text_table(headers, rows, indent) + "\n" + failure

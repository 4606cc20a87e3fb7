"""The report's tables: raw values in rows, one row per judge and line.

Every view is rendered from these rows: the CSV files and XLSX sheets hold them as they are
(fractions, not percentages); the Markdown and HTML pages format them (:mod:`.views`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.formatting import unique_slugs
from med_rewardbench_tasks.metric_names import ACCURACY_METRICS, MEAN_ACCURACY_METRIC, PARSE_FAILURE_METRIC
from med_rewardbench_tasks.metrics import MetricTable
from med_rewardbench_tasks.report.judges import DIMENSION_ROWS, JudgeResults
from med_rewardbench_tasks.report.statistics import PairComparison, compare_judges
from med_rewardbench_tasks.report.vote import VoteSummary

ALL_ROW: Final = "All"
NOT_RECORDED: Final = "not recorded"
ACCURACY_COLUMNS: Final = (*ACCURACY_METRICS, MEAN_ACCURACY_METRIC)
SWAP_COLUMNS: Final = (
    "original_acc",
    "swapped_acc",
    "strict_acc",
    "consistency",
    "first_position_bias",
    "second_position_bias",
    "first_position_rate",
    "expert_first_position_rate",
)

ColumnKind = Literal["text", "count", "rate", "number"]


@dataclass(frozen=True)
class Column:
    key: str
    kind: ColumnKind


@dataclass
class Table:
    """One table of the report: a CSV file, an XLSX sheet and (per judge) Markdown/HTML sections."""

    name: str  # file stem and sheet name
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def rows_for(self, model: str) -> list[dict[str, Any]]:
        return [row for row in self.rows if row.get("model") == model]


@dataclass(frozen=True)
class Report:
    title: str
    judges: tuple[JudgeResults, ...]
    tables: Mapping[str, Table]
    slugs: Mapping[str, str]
    comparisons: tuple[PairComparison, ...] = ()
    votes: tuple[VoteSummary, ...] = ()


def _columns(kind: ColumnKind, *keys: str) -> tuple[Column, ...]:
    return tuple(Column(key, kind) for key in keys)


def _with_intervals(metrics: Sequence[str]) -> tuple[str, ...]:
    return tuple(key for metric in metrics for key in (metric, f"{metric}_ci_low", f"{metric}_ci_high"))


def value(table: MetricTable, metric: str) -> float | None:
    found = table.value(metric)
    return None if math.isnan(found) else found


def _interval_cells(table: MetricTable, metric: str) -> dict[str, float | None]:
    low, high = table.intervals.get(metric, (None, None))
    return {metric: value(table, metric), f"{metric}_ci_low": low, f"{metric}_ci_high": high}


def _finite(number: float) -> float | None:
    return None if math.isnan(number) else number


# ---------------------------------------------------------------------------------------
# Per judge
# ---------------------------------------------------------------------------------------
def _metric_rows(model: str, key: str, groups: Mapping[str, MetricTable], overall: MetricTable) -> list[dict[str, Any]]:
    rows = []
    for name, table in [*groups.items(), (ALL_ROW, overall)]:
        row: dict[str, Any] = {"model": model, key: name, "n_cases": table.n_cases}
        for metric in ACCURACY_COLUMNS:
            row.update(_interval_cells(table, metric))
        rows.append(row)
    return rows


def _grouped_accuracy_table(judges: Sequence[JudgeResults], key: Literal["organ", "department"]) -> Table | None:
    chosen = [judge for judge in judges if key == "organ" or judge.by_department is not None]
    if not chosen:
        return None
    title = "Accuracy by organ system" if key == "organ" else "Accuracy by clinical department"
    table = Table(
        f"accuracy_by_{key}",
        title,
        (
            *_columns("text", "model", key),
            *_columns("count", "n_cases"),
            *_columns("rate", *_with_intervals(ACCURACY_COLUMNS)),
        ),
    )
    for judge in chosen:
        groups = judge.by_organ if key == "organ" else judge.by_department
        assert groups is not None
        table.rows += _metric_rows(judge.label, key, groups, judge.accuracy)
    return table


def _headline_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "headline",
        "Headline metrics",
        (
            *_columns("text", "model", "metric"),
            *_columns("count", "n_cases"),
            *_columns("rate", "value", "ci_low", "ci_high"),
        ),
    )
    for judge in judges:
        for metric in (*ACCURACY_COLUMNS, PARSE_FAILURE_METRIC):
            low, high = judge.accuracy.intervals.get(metric, (None, None))
            table.rows.append(
                {
                    "model": judge.label,
                    "metric": metric,
                    "n_cases": judge.accuracy.n_cases,
                    "value": value(judge.accuracy, metric),
                    "ci_low": low,
                    "ci_high": high,
                }
            )
    return table


def _agreement_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "agreement",
        "Agreement with the experts beyond chance",
        (
            *_columns("text", "model", "dimension"),
            *_columns("count", "n_cases"),
            *_columns("rate", "accuracy"),
            *_columns("number", "kappa", "kappa_ci_low", "kappa_ci_high"),
            *_columns("rate", "balanced_accuracy", "balanced_accuracy_ci_low", "balanced_accuracy_ci_high"),
            *_columns("rate", "expert_a_rate", "judge_a_rate", "unstated_rate"),
        ),
    )
    for judge in judges:
        for row in judge.agreement:
            table.rows.append(
                {
                    "model": judge.label,
                    "dimension": row.dimension,
                    "n_cases": row.n_cases,
                    "accuracy": _finite(row.accuracy),
                    "kappa": _finite(row.kappa),
                    "kappa_ci_low": _finite(row.kappa_interval[0]),
                    "kappa_ci_high": _finite(row.kappa_interval[1]),
                    "balanced_accuracy": _finite(row.balanced_accuracy),
                    "balanced_accuracy_ci_low": _finite(row.balanced_accuracy_interval[0]),
                    "balanced_accuracy_ci_high": _finite(row.balanced_accuracy_interval[1]),
                    "expert_a_rate": row.expert_a_rate,
                    "judge_a_rate": row.judge_a_rate,
                    "unstated_rate": row.unstated_rate,
                }
            )
    return table


def _position_table(judges: Sequence[JudgeResults]) -> Table | None:
    with_swap = [judge for judge in judges if judge.swap is not None]
    if not with_swap:
        return None
    table = Table(
        "position_bias",
        "Position bias (answers shown in both orders)",
        (
            *_columns("text", "model", "dimension"),
            *_columns("count", "n_cases", "n_cases_both_orders"),
            *_columns("rate", *SWAP_COLUMNS, "consistency_ci_low", "consistency_ci_high"),
        ),
    )
    for judge in with_swap:
        swap = judge.swap
        assert swap is not None
        for dimension in DIMENSION_ROWS:
            low, high = swap.intervals.get(f"{dimension}_consistency", (None, None))
            table.rows.append(
                {
                    "model": judge.label,
                    "dimension": dimension,
                    "n_cases": swap.n_cases,
                    "n_cases_both_orders": judge.swap_cases_both_orders,
                    "original_acc": value(swap, f"{dimension}_acc"),
                    "swapped_acc": value(swap, f"{dimension}_swapped_acc"),
                    "strict_acc": value(swap, f"{dimension}_strict_acc"),
                    "consistency": value(swap, f"{dimension}_consistency"),
                    "first_position_bias": value(swap, f"{dimension}_first_position_bias"),
                    "second_position_bias": value(swap, f"{dimension}_second_position_bias"),
                    "first_position_rate": value(swap, f"{dimension}_first_position_rate"),
                    "expert_first_position_rate": value(swap, f"{dimension}_expert_first_position_rate"),
                    "consistency_ci_low": low,
                    "consistency_ci_high": high,
                }
            )
    return table


def _length_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "length_bias",
        "Length bias",
        (
            *_columns("text", "model", "dimension", "source"),
            *_columns("count", "n_presentations"),
            *_columns("rate", "longer_pick_rate", "longer_pick_ci_low", "longer_pick_ci_high", "expert_longer_rate"),
        ),
    )
    for judge in judges:
        for dimension in DIMENSION_ROWS:
            low, high = judge.length.intervals.get(f"{dimension}_longer_pick_rate", (None, None))
            table.rows.append(
                {
                    "model": judge.label,
                    "dimension": dimension,
                    "source": judge.length_source,
                    "n_presentations": judge.length_presentations,
                    "longer_pick_rate": value(judge.length, f"{dimension}_longer_pick_rate"),
                    "longer_pick_ci_low": low,
                    "longer_pick_ci_high": high,
                    "expert_longer_rate": value(judge.length, f"{dimension}_expert_longer_rate"),
                }
            )
    return table


def _verdict_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "verdicts",
        "Verdict status and parser method",
        (
            *_columns("text", "model", "variant", "field", "value"),
            *_columns("count", "count"),
            *_columns("rate", "share"),
        ),
    )
    for judge in judges:
        for variant, samples in (("plain", judge.evaluation.plain), ("swap", judge.evaluation.swap)):
            if not samples:
                continue
            for field_name, counts in (
                ("status", Counter(sample.verdict.status for sample in samples)),
                ("method", Counter(sample.verdict.method for sample in samples)),
                ("lone_verdict_policy", Counter(sample.policy or "raw text" for sample in samples)),
            ):
                for name, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                    table.rows.append(
                        {
                            "model": judge.label,
                            "variant": variant,
                            "field": field_name,
                            "value": name,
                            "count": count,
                            "share": count / len(samples),
                        }
                    )
    return table


def _runs_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "runs",
        "Runs read",
        (
            *_columns(
                "text",
                "model",
                "dataset",
                "date_id",
                "tasks",
                "results_file",
                "lone_verdict_policy",
                "data_sources",
                "incomplete",
            ),
            *_columns("count", "n_presentations"),
        ),
    )
    for judge in judges:
        evaluation = judge.evaluation
        table.rows.append(
            {
                "model": judge.label,
                "dataset": evaluation.dataset,
                "date_id": evaluation.run.date_id,
                "tasks": " ".join(evaluation.tasks),
                "results_file": str(evaluation.run.results_path) if evaluation.run.results_path else None,
                "lone_verdict_policy": ", ".join(evaluation.policies()),
                "data_sources": "; ".join(source or NOT_RECORDED for source in evaluation.sources()),
                "incomplete": "; ".join(
                    f"{short.task}: {short.logged} of {short.expected} logged" for short in evaluation.incomplete
                )
                or None,
                "n_presentations": len(evaluation.samples),
            }
        )
    return table


# ---------------------------------------------------------------------------------------
# Across judges
# ---------------------------------------------------------------------------------------
def ranked(judges: Sequence[JudgeResults]) -> list[JudgeResults]:
    def mean_acc(judge: JudgeResults) -> float:
        found = judge.accuracy.value(MEAN_ACCURACY_METRIC)
        return -math.inf if math.isnan(found) else found

    return sorted(judges, key=lambda judge: (-mean_acc(judge), judge.label))


def _leaderboard_table(judges: Sequence[JudgeResults]) -> Table | None:
    if len(judges) < 2:
        return None
    table = Table(
        "leaderboard",
        "Leaderboard",
        (
            *_columns("count", "rank"),
            *_columns("text", "model", "dataset"),
            *_columns("count", "n_cases"),
            *_columns("rate", "mean_acc", "mean_acc_ci_low", "mean_acc_ci_high"),
            *_columns("number", "mean_kappa"),
            *_columns("rate", "mean_balanced_accuracy", PARSE_FAILURE_METRIC, "mean_consistency"),
        ),
    )
    for rank, judge in enumerate(ranked(judges), start=1):
        mean = judge.agreement_for("mean")
        table.rows.append(
            {
                "rank": rank,
                "model": judge.label,
                "dataset": judge.evaluation.dataset,
                "n_cases": judge.accuracy.n_cases,
                **_interval_cells(judge.accuracy, MEAN_ACCURACY_METRIC),
                "mean_kappa": None if mean is None else _finite(mean.kappa),
                "mean_balanced_accuracy": None if mean is None else _finite(mean.balanced_accuracy),
                PARSE_FAILURE_METRIC: value(judge.accuracy, PARSE_FAILURE_METRIC),
                "mean_consistency": None if judge.swap is None else value(judge.swap, "mean_consistency"),
            }
        )
    return table


def _comparison_table(comparisons: Sequence[PairComparison]) -> Table | None:
    if not comparisons:
        return None
    table = Table(
        "comparisons",
        "Judge against judge: difference in mean accuracy",
        (
            *_columns("text", "judge", "versus"),
            *_columns("count", "n_cases"),
            *_columns("rate", "difference", "ci_low", "ci_high"),
            *_columns("number", "p_value", "p_holm"),
            *_columns("text", "not_compared"),
        ),
    )
    for comparison in comparisons:
        table.rows.append(
            {
                "judge": comparison.first,
                "versus": comparison.second,
                "n_cases": comparison.n_cases,
                "difference": _finite(comparison.difference),
                "ci_low": _finite(comparison.interval[0]),
                "ci_high": _finite(comparison.interval[1]),
                "p_value": _finite(comparison.p_value),
                "p_holm": _finite(comparison.p_holm),
                "not_compared": comparison.refused,
            }
        )
    return table


def _vote_table(votes: Sequence[VoteSummary]) -> Table | None:
    if not votes:
        return None
    table = Table(
        "votes",
        "Majority vote: ties and abstentions",
        (*_columns("text", "model", "voters", "dimension"), *_columns("count", "decisions", "ties", "unstated_votes")),
    )
    for vote in votes:
        per_dimension = vote.decisions // len(DIMENSIONS)
        for dimension in (*DIMENSIONS, "all"):
            everything = dimension == "all"
            table.rows.append(
                {
                    "model": vote.label,
                    "voters": "; ".join(vote.voters),
                    "dimension": dimension,
                    "decisions": vote.decisions if everything else per_dimension,
                    "ties": sum(vote.ties.values()) if everything else vote.ties[dimension],
                    "unstated_votes": sum(vote.unstated_votes.values())
                    if everything
                    else vote.unstated_votes[dimension],
                }
            )
    return table


def build_report(judges: Sequence[JudgeResults], *, title: str, votes: Sequence[VoteSummary] = ()) -> Report:
    judges = tuple(judges)
    comparisons = tuple(compare_judges({judge.label: judge.case_accuracies for judge in ranked(judges)}))
    candidates = (
        _leaderboard_table(judges),
        _comparison_table(comparisons if len(judges) > 1 else ()),
        _runs_table(judges),
        _grouped_accuracy_table(judges, "organ"),
        _headline_table(judges),
        _agreement_table(judges),
        _grouped_accuracy_table(judges, "department"),
        _position_table(judges),
        _length_table(judges),
        _verdict_table(judges),
        _vote_table(votes),
    )
    tables = {table.name: table for table in candidates if table is not None}
    slugs = unique_slugs([judge.label for judge in judges])
    return Report(title, judges, tables, slugs, comparisons, tuple(votes))

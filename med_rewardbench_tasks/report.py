"""``med-rewardbench report``: tables, a leaderboard and figures from lmms-eval runs.

Reads the results and samples logs lmms-eval wrote (``--log_samples``), recomputes every
number from the logged verdicts with :func:`med_rewardbench_tasks.metrics.metric_table` (so
the report, ``rescore`` and lmms-eval agree by construction) and writes into ``--out``:

* ``report.md`` — per judge: accuracy by organ system (paper layout, ``All`` row
  case-weighted with its 95% interval), headline metrics, accuracy by clinical department
  (only when the data carry departments), position bias and length bias (swap runs), verdict
  status and parser-method counts; a leaderboard when there are several judges;
* one CSV per table (raw floats, one row per judge and line) and ``report.xlsx`` (one sheet
  per table);
* ``accuracy_by_dimension.png`` and ``organ_heatmap_<judge>.png``.

matplotlib and openpyxl are imported only when the report is written.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from med_rewardbench_tasks.metric_names import (
    ACCURACY_METRICS,
    HEADLINE_METRICS,
    MEAN_ACCURACY_METRIC,
    PARSE_FAILURE_METRIC,
)
from med_rewardbench_tasks.metrics import (
    BOOTSTRAP_REPLICATES,
    BOOTSTRAP_SEED,
    CONFIDENCE_LEVEL,
    MetricTable,
    metric_table,
    tables_by_organ,
)
from med_rewardbench_tasks.records import Judgment
from med_rewardbench_tasks.runs import Evaluation, RunReadError, evaluations, find_runs

DEFAULT_OUT: Final = Path("med_rewardbench_report")
DEFAULT_TITLE: Final = "Med-RewardBench report"
ALL_ROW: Final = "All"
NO_DEPARTMENT: Final = "(not given)"
FIGURE_DPI: Final = 200
# Okabe & Ito's palette: distinguishable with every common colour-vision deficiency.
PALETTE: Final = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES: Final = ("", "//", "..", "xx", "\\\\", "--", "oo", "++")

ACCURACY_COLUMNS: Final = (*ACCURACY_METRICS, MEAN_ACCURACY_METRIC)
DIMENSION_ROWS: Final = (*DIMENSIONS, "mean")
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


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        nargs="+",
        type=Path,
        metavar="RESULTS_DIR_OR_FILE",
        help="lmms-eval --output_path folders (searched recursively), results JSON files or samples JSONL files",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT}/)")
    parser.add_argument("--title", default=DEFAULT_TITLE, help=f"report title (default: {DEFAULT_TITLE!r})")


def run(args: argparse.Namespace) -> int:
    try:
        found = find_runs(args.inputs)
        judged = evaluations(found.runs)
    except (RunReadError, OSError) as error:
        print(f"med-rewardbench report: error: {error}", file=sys.stderr)
        return 2
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    report = build_report(judged, title=args.title)
    written = write_report(report, args.out)
    print(f"wrote {len(written)} files to {args.out}/ ({len(judged)} judge(s))")
    for path in written:
        print(f"  {path.name}")
    return 0


# ---------------------------------------------------------------------------------------
# Tables: raw values in rows; the Markdown, CSV and XLSX views are rendered from them.
# ---------------------------------------------------------------------------------------
ColumnKind = Literal["text", "count", "rate"]


@dataclass(frozen=True)
class Column:
    key: str
    kind: ColumnKind


@dataclass
class Table:
    """One table of the report: a CSV file, an XLSX sheet and (per judge) Markdown sections."""

    name: str  # file stem and sheet name
    title: str
    columns: tuple[Column, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def rows_for(self, model: str) -> list[dict[str, Any]]:
        return [row for row in self.rows if row.get("model") == model]


def _text(*keys: str) -> tuple[Column, ...]:
    return tuple(Column(key, "text") for key in keys)


def _counts(*keys: str) -> tuple[Column, ...]:
    return tuple(Column(key, "count") for key in keys)


def _rates(*keys: str) -> tuple[Column, ...]:
    return tuple(Column(key, "rate") for key in keys)


def _with_intervals(metrics: Sequence[str]) -> tuple[str, ...]:
    return tuple(key for metric in metrics for key in (metric, f"{metric}_ci_low", f"{metric}_ci_high"))


def _interval_cells(table: MetricTable, metric: str) -> dict[str, float | None]:
    low, high = table.intervals.get(metric, (None, None))
    return {metric: _value(table, metric), f"{metric}_ci_low": low, f"{metric}_ci_high": high}


def _value(table: MetricTable, metric: str) -> float | None:
    value = table.value(metric)
    return None if math.isnan(value) else value


# ---------------------------------------------------------------------------------------
# Metrics per judge (every number comes from metric_table)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JudgeResults:
    evaluation: Evaluation
    accuracy_source: str
    accuracy: MetricTable
    by_organ: Mapping[str, MetricTable]
    by_department: Mapping[str, MetricTable] | None
    swap: MetricTable | None
    swap_cases_both_orders: int
    length: MetricTable
    length_source: str
    length_presentations: int

    @property
    def label(self) -> str:
        return self.evaluation.label


def _grouped(judgments: Sequence[Judgment], key: Callable[[Judgment], str]) -> dict[str, list[Judgment]]:
    groups: dict[str, list[Judgment]] = {}
    for judgment in judgments:
        groups.setdefault(key(judgment), []).append(judgment)
    return groups


def judge_results(evaluation: Evaluation) -> JudgeResults:
    accuracy_judgments = evaluation.accuracy_judgments()
    accuracy = metric_table(accuracy_judgments)
    by_organ = tables_by_organ(accuracy_judgments)
    by_department = None
    # Departments only when the data say so: a case without one is "not given", never guessed.
    if any(judgment.presentation.department is not None for judgment in accuracy_judgments):
        groups = _grouped(accuracy_judgments, lambda judgment: judgment.presentation.department or NO_DEPARTMENT)
        by_department = {
            name: metric_table(groups[name], intervals_for=HEADLINE_METRICS)
            for name in sorted(groups, key=lambda name: (name == NO_DEPARTMENT, name))
        }
    swap_judgments = evaluation.swap_judgments()
    swap = metric_table(swap_judgments) if swap_judgments else None
    orders = _grouped(swap_judgments, lambda judgment: "/".join(judgment.presentation.case_key))
    both_orders = sum(1 for presentations in orders.values() if len(presentations) == 2)
    # Length preference is read from the swap runs when there are any: there the longer answer
    # is shown first as often as second, so a position bias cannot pass for a length bias.
    length, length_judgments, length_source = (
        (swap, swap_judgments, "swap tasks (both orders)")
        if swap is not None
        else (accuracy, accuracy_judgments, "plain tasks (original order only)")
    )
    return JudgeResults(
        evaluation=evaluation,
        accuracy_source="plain tasks" if evaluation.plain else "swap tasks, original order",
        accuracy=accuracy,
        by_organ=by_organ,
        by_department=by_department,
        swap=swap,
        swap_cases_both_orders=both_orders,
        length=length,
        length_source=length_source,
        length_presentations=sum(1 for judgment in length_judgments if judgment.presentation.longer is not None),
    )


# ---------------------------------------------------------------------------------------
# The report's tables
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Report:
    title: str
    judges: tuple[JudgeResults, ...]
    tables: Mapping[str, Table]
    slugs: Mapping[str, str]


def slugify(label: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
    return slug or "judge"


def _unique_slugs(labels: Sequence[str]) -> dict[str, str]:
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


def _metric_rows(model: str, key: str, groups: Mapping[str, MetricTable], overall: MetricTable) -> list[dict[str, Any]]:
    rows = []
    for name, table in [*groups.items(), (ALL_ROW, overall)]:
        row: dict[str, Any] = {"model": model, key: name, "n_cases": table.n_cases}
        for metric in ACCURACY_COLUMNS:
            row.update(_interval_cells(table, metric))
        rows.append(row)
    return rows


def _accuracy_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "accuracy_by_organ",
        "Accuracy by organ system",
        (*_text("model", "organ"), *_counts("n_cases"), *_rates(*_with_intervals(ACCURACY_COLUMNS))),
    )
    for judge in judges:
        table.rows += _metric_rows(judge.label, "organ", judge.by_organ, judge.accuracy)
    return table


def _department_table(judges: Sequence[JudgeResults]) -> Table | None:
    with_departments = [judge for judge in judges if judge.by_department is not None]
    if not with_departments:
        return None
    table = Table(
        "accuracy_by_department",
        "Accuracy by clinical department",
        (*_text("model", "department"), *_counts("n_cases"), *_rates(*_with_intervals(ACCURACY_COLUMNS))),
    )
    for judge in with_departments:
        assert judge.by_department is not None
        table.rows += _metric_rows(judge.label, "department", judge.by_department, judge.accuracy)
    return table


def _headline_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "headline",
        "Headline metrics",
        (*_text("model", "metric"), *_counts("n_cases"), *_rates("value", "ci_low", "ci_high")),
    )
    for judge in judges:
        for metric in HEADLINE_METRICS:
            low, high = judge.accuracy.intervals.get(metric, (None, None))
            table.rows.append(
                {
                    "model": judge.label,
                    "metric": metric,
                    "n_cases": judge.accuracy.n_cases,
                    "value": _value(judge.accuracy, metric),
                    "ci_low": low,
                    "ci_high": high,
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
            *_text("model", "dimension"),
            *_counts("n_cases", "n_cases_both_orders"),
            *_rates(*SWAP_COLUMNS, "consistency_ci_low", "consistency_ci_high"),
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
                    "original_acc": _value(swap, f"{dimension}_acc"),
                    "swapped_acc": _value(swap, f"{dimension}_swapped_acc"),
                    "strict_acc": _value(swap, f"{dimension}_strict_acc"),
                    "consistency": _value(swap, f"{dimension}_consistency"),
                    "first_position_bias": _value(swap, f"{dimension}_first_position_bias"),
                    "second_position_bias": _value(swap, f"{dimension}_second_position_bias"),
                    "first_position_rate": _value(swap, f"{dimension}_first_position_rate"),
                    "expert_first_position_rate": _value(swap, f"{dimension}_expert_first_position_rate"),
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
            *_text("model", "dimension", "source"),
            *_counts("n_presentations"),
            *_rates("longer_pick_rate", "longer_pick_ci_low", "longer_pick_ci_high", "expert_longer_rate"),
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
                    "longer_pick_rate": _value(judge.length, f"{dimension}_longer_pick_rate"),
                    "longer_pick_ci_low": low,
                    "longer_pick_ci_high": high,
                    "expert_longer_rate": _value(judge.length, f"{dimension}_expert_longer_rate"),
                }
            )
    return table


def _verdict_table(judges: Sequence[JudgeResults]) -> Table:
    table = Table(
        "verdicts",
        "Verdict status and parser method",
        (*_text("model", "variant", "field", "value"), *_counts("count"), *_rates("share")),
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
                for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                    table.rows.append(
                        {
                            "model": judge.label,
                            "variant": variant,
                            "field": field_name,
                            "value": value,
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
            *_text("model", "dataset", "date_id", "tasks", "results_file", "lone_verdict_policy"),
            *_counts("n_presentations"),
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
                "n_presentations": len(evaluation.samples),
            }
        )
    return table


def _leaderboard_table(judges: Sequence[JudgeResults]) -> Table | None:
    if len(judges) < 2:
        return None
    table = Table(
        "leaderboard",
        "Leaderboard",
        (
            *_counts("rank"),
            *_text("model", "dataset"),
            *_counts("n_cases"),
            *_rates("mean_acc", "mean_acc_ci_low", "mean_acc_ci_high", PARSE_FAILURE_METRIC, "mean_consistency"),
        ),
    )

    def mean_acc(judge: JudgeResults) -> float:
        value = judge.accuracy.value(MEAN_ACCURACY_METRIC)
        return -math.inf if math.isnan(value) else value

    ranked = sorted(judges, key=lambda judge: (-mean_acc(judge), judge.label))
    for rank, judge in enumerate(ranked, start=1):
        table.rows.append(
            {
                "rank": rank,
                "model": judge.label,
                "dataset": judge.evaluation.dataset,
                "n_cases": judge.accuracy.n_cases,
                **_interval_cells(judge.accuracy, MEAN_ACCURACY_METRIC),
                PARSE_FAILURE_METRIC: _value(judge.accuracy, PARSE_FAILURE_METRIC),
                "mean_consistency": None if judge.swap is None else _value(judge.swap, "mean_consistency"),
            }
        )
    return table


def build_report(judged: Sequence[Evaluation], *, title: str = DEFAULT_TITLE) -> Report:
    judges = tuple(judge_results(evaluation) for evaluation in judged)
    candidates = (
        _leaderboard_table(judges),
        _runs_table(judges),
        _accuracy_table(judges),
        _headline_table(judges),
        _department_table(judges),
        _position_table(judges),
        _length_table(judges),
        _verdict_table(judges),
    )
    tables = {table.name: table for table in candidates if table is not None}
    return Report(title, judges, tables, _unique_slugs([judge.label for judge in judges]))


# ---------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------
def percent(value: float | None) -> str:
    return "–" if value is None or math.isnan(value) else f"{100 * value:.1f}%"


def interval(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return "–"
    return f"[{100 * low:.1f}, {100 * high:.1f}]"


def _md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: Sequence[str] | None = None) -> str:
    align = align or ["left"] + ["right"] * (len(headers) - 1)
    rule = ["---:" if side == "right" else "---" for side in align]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _title(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _dimension_title(dimension: str) -> str:
    return "Mean" if dimension == "mean" else _title(dimension)


_ACCURACY_HEADERS: Final = [*(_title(d) for d in DIMENSIONS), "Mean"]


def _md_grouped_accuracy(rows: Sequence[Mapping[str, Any]], key: str, heading: str) -> str:
    body = []
    for row in rows:
        name = str(row[key])
        cells = [percent(row[metric]) for metric in ACCURACY_COLUMNS]
        if name == ALL_ROW:
            body.append([f"**{ALL_ROW}**", f"**{row['n_cases']}**", *(f"**{cell}**" for cell in cells)])
            body.append(
                [
                    "All, 95% CI",
                    "",
                    *(interval(row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]) for metric in ACCURACY_COLUMNS),
                ]
            )
        else:
            body.append([_title(name) if key == "organ" else name, str(row["n_cases"]), *cells])
    return _md_table([heading, "n", *_ACCURACY_HEADERS], body)


def _md_headline(rows: Sequence[Mapping[str, Any]]) -> str:
    body = [
        [
            _metric_title(row["metric"]),
            percent(row["value"]),
            interval(row["ci_low"], row["ci_high"]),
        ]
        for row in rows
    ]
    return _md_table(["Metric", "Value", "95% CI (%)"], body)


def _metric_title(metric: str) -> str:
    if metric == PARSE_FAILURE_METRIC:
        return "Parse-failure rate"
    if metric == MEAN_ACCURACY_METRIC:
        return "Mean accuracy (six dimensions)"
    return f"Accuracy: {metric.removesuffix('_acc')}"


def _md_position(rows: Sequence[Mapping[str, Any]]) -> str:
    body = [
        [
            _dimension_title(row["dimension"]),
            percent(row["original_acc"]),
            percent(row["swapped_acc"]),
            percent(row["strict_acc"]),
            percent(row["consistency"]),
            interval(row["consistency_ci_low"], row["consistency_ci_high"]),
            percent(row["first_position_bias"]),
            percent(row["second_position_bias"]),
            percent(row["first_position_rate"]),
            percent(row["expert_first_position_rate"]),
        ]
        for row in rows
    ]
    headers = [
        "Dimension",
        "Original acc.",
        "Swapped acc.",
        "Strict acc.",
        "Consistency",
        "Consistency 95% CI (%)",
        "Picks first twice",
        "Picks second twice",
        "Judge picks A",
        "Experts pick A",
    ]
    return _md_table(headers, body)


def _md_length(rows: Sequence[Mapping[str, Any]]) -> str:
    body = [
        [
            _dimension_title(row["dimension"]),
            percent(row["longer_pick_rate"]),
            interval(row["longer_pick_ci_low"], row["longer_pick_ci_high"]),
            percent(row["expert_longer_rate"]),
        ]
        for row in rows
    ]
    return _md_table(["Dimension", "Judge picks longer", "95% CI (%)", "Experts pick longer"], body)


def _md_verdicts(rows: Sequence[Mapping[str, Any]]) -> str:
    body = [
        [row["variant"], row["field"].replace("_", " "), f"`{row['value']}`", str(row["count"]), percent(row["share"])]
        for row in rows
    ]
    return _md_table(["Tasks", "Field", "Value", "Count", "Share"], body, ["left", "left", "left", "right", "right"])


def _md_leaderboard(rows: Sequence[Mapping[str, Any]]) -> str:
    body = [
        [
            str(row["rank"]),
            row["model"],
            row["dataset"],
            str(row["n_cases"]),
            percent(row["mean_acc"]),
            interval(row["mean_acc_ci_low"], row["mean_acc_ci_high"]),
            percent(row[PARSE_FAILURE_METRIC]),
            percent(row["mean_consistency"]),
        ]
        for row in rows
    ]
    headers = ["Rank", "Judge", "Data", "n", "Mean accuracy", "95% CI (%)", "Parse failures", "Mean consistency"]
    return _md_table(headers, body, ["right", "left", "left", "right", "right", "right", "right", "right"])


def _policy_statement(judges: Sequence[JudgeResults]) -> str:
    policies = {judge.label: judge.evaluation.policies() for judge in judges}
    distinct = {policy for found in policies.values() for policy in found}
    explain = (
        "`overall_only`: a lone overall verdict such as `[[A]]` fills only *overall*; "
        "`all_dimensions`: it fills all six, as the paper's parser does"
    )
    if len(distinct) == 1:
        (policy,) = distinct
        if policy == "raw text":
            return (
                "Lone-verdict policy: the samples logs hold no verdict records, so the raw outputs were "
                f"parsed here with `overall_only` ({explain})."
            )
        return f"Lone-verdict policy: verdicts were parsed with **`{policy}`** (from the verdict records; {explain})."
    listed = "; ".join(f"{label}: {', '.join(found)}" for label, found in policies.items())
    return f"Lone-verdict policy differs between judges ({explain}): {listed}."


def render_markdown(report: Report) -> str:
    judges = report.judges
    level = round(100 * CONFIDENCE_LEVEL)
    parts = [
        f"# {report.title}",
        (
            f"{len(judges)} judge(s). All numbers are recomputed from the logged verdicts. Intervals are "
            f"{level}% case-resampling bootstrap intervals ({BOOTSTRAP_REPLICATES} replicates, seed "
            f"{BOOTSTRAP_SEED}): cases are drawn with replacement, and a case's six dimensions (and both "
            "of its orders in swap tasks) move together. A dimension the judge did not state counts as "
            "wrong; the parse-failure rate shows how often that happened. The `All` rows are case-weighted."
        ),
        _policy_statement(judges),
    ]
    if "leaderboard" in report.tables:
        parts += ["## Leaderboard", "Sorted by mean accuracy.", _md_leaderboard(report.tables["leaderboard"].rows)]
    parts += ["![Accuracy by dimension](accuracy_by_dimension.png)"]
    runs = report.tables["runs"]
    parts += [
        "## Runs",
        _md_table(
            ["Judge", "Data", "Run", "Tasks", "Presentations"],
            [
                [
                    row["model"],
                    row["dataset"],
                    row["date_id"],
                    _task_summary(row["tasks"].split()),
                    str(row["n_presentations"]),
                ]
                for row in runs.rows
            ],
            ["left", "left", "left", "left", "right"],
        ),
    ]
    for judge in judges:
        parts += _md_judge_section(report, judge)
    return "\n\n".join(parts) + "\n"


def _task_summary(tasks: Sequence[str]) -> str:
    """``med_rewardbench_<organ>`` x13 reads as one entry; other task names are listed."""
    shown: list[str] = []
    for prefix in ("med_rewardbench_swap_", "med_rewardbench_"):
        organ_tasks = [task for task in tasks if task.removeprefix(prefix) in ORGANS and task.startswith(prefix)]
        if len(organ_tasks) > 1:
            shown.append(f"`{prefix}<organ>` ({len(organ_tasks)} organ systems)")
            tasks = [task for task in tasks if task not in organ_tasks]
    return ", ".join([*(f"`{task}`" for task in tasks), *shown])


def _md_judge_section(report: Report, judge: JudgeResults) -> list[str]:
    label = judge.label
    tables = report.tables
    parts = [
        f"## {label}",
        f"### Accuracy by organ system ({judge.accuracy_source})",
        _md_grouped_accuracy(tables["accuracy_by_organ"].rows_for(label), "organ", "Organ system"),
        f"![Accuracy by organ system and dimension](organ_heatmap_{report.slugs[label]}.png)",
        "### Headline metrics",
        _md_headline(tables["headline"].rows_for(label)),
    ]
    if judge.by_department is not None:
        parts += [
            "### Accuracy by clinical department",
            _md_grouped_accuracy(tables["accuracy_by_department"].rows_for(label), "department", "Department"),
        ]
    if judge.swap is not None:
        parts += [
            "### Position bias",
            (
                f"Each case is judged with the answers in the original order and swapped "
                f"({judge.swap_cases_both_orders} of {judge.swap.n_cases} cases have both). *Strict*: right in "
                "both orders; *consistency*: the same answer picked in both orders; *picks first (second) twice*: "
                "the answer shown first (second) picked in both orders, so the verdict followed the position "
                "(0 for the experts); *judge picks A*: share of original-order verdicts naming the answer shown "
                "first, beside the experts' share — a judge without position bias that is always right matches "
                "the experts."
            ),
            _md_position(tables["position_bias"].rows_for(label)),
        ]
    parts += [
        "### Length bias",
        (
            f"Over {judge.length_presentations} presentations whose answers differ in length, from the "
            f"{judge.length_source}: how often the judge picked the longer answer, beside how often the "
            "experts' winner was the longer one."
        ),
        _md_length(tables["length_bias"].rows_for(label)),
        "### Verdicts",
        _md_verdicts(tables["verdicts"].rows_for(label)),
    ]
    return parts


# ---------------------------------------------------------------------------------------
# CSV and XLSX
# ---------------------------------------------------------------------------------------
def _cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def write_csv(table: Table, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.key for column in table.columns])
        for row in table.rows:
            writer.writerow(["" if _cell(row.get(c.key)) is None else row[c.key] for c in table.columns])


def write_xlsx(tables: Sequence[Table], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append([column.key for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([_cell(row.get(column.key)) for column in table.columns])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            if column.kind == "rate":
                # Stored as fractions (numbers, not text); shown as percentages.
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = "0.0%"
            width = max([len(column.key)] + [len(str(row.get(column.key) or "")) for row in table.rows[:200]])
            sheet.column_dimensions[letter].width = min(max(10, width + 2), 60)
        sheet.freeze_panes = "A2"
    workbook.save(path)


# ---------------------------------------------------------------------------------------
# Figures
# ---------------------------------------------------------------------------------------
def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def plot_accuracy_by_dimension(judges: Sequence[JudgeResults], path: Path) -> None:
    """Grouped bars: the six dimensions and the mean, one bar per judge, 95% interval error bars."""
    import textwrap

    import numpy as np

    plt = _pyplot()
    groups = len(ACCURACY_COLUMNS)
    width = 0.8 / len(judges)
    fig, ax = plt.subplots(figsize=(max(8.0, 1.1 * groups + 0.35 * groups * len(judges)), 4.8))
    x = np.arange(groups)
    for index, judge in enumerate(judges):
        values = np.array([100 * judge.accuracy.value(metric) for metric in ACCURACY_COLUMNS])
        bounds = [judge.accuracy.intervals.get(metric, (math.nan, math.nan)) for metric in ACCURACY_COLUMNS]
        errors = np.array(
            [
                [value - 100 * low for value, (low, _) in zip(values, bounds, strict=True)],
                [100 * high - value for value, (_, high) in zip(values, bounds, strict=True)],
            ]
        )
        ax.bar(
            x - 0.4 + width * (index + 0.5),
            values,
            width,
            yerr=np.nan_to_num(errors),
            capsize=3,
            color=PALETTE[index % len(PALETTE)],
            hatch=HATCHES[(index // len(PALETTE)) % len(HATCHES)],
            edgecolor="black",
            linewidth=0.5,
            error_kw={"elinewidth": 1, "ecolor": "black"},
            label="\n".join(textwrap.wrap(f"{judge.label} (n={judge.accuracy.n_cases})", 48)),
        )
    ax.axhline(50, color="grey", linestyle="--", linewidth=1, label="Chance (50%)")
    ax.set_xticks(x, [*(_title(d) for d in DIMENSIONS), "Mean"], rotation=15)
    ax.set_xlabel("Judged dimension")
    ax.set_ylabel("Accuracy against expert labels (%)")
    ax.set_ylim(0, 105)
    ax.set_title(f"Judge accuracy by dimension (error bars: {round(100 * CONFIDENCE_LEVEL)}% bootstrap CI)")
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def plot_organ_heatmap(judge: JudgeResults, path: Path) -> None:
    """Organ system x dimension accuracy, the value written in every cell; the last row is All."""
    import textwrap

    import numpy as np

    plt = _pyplot()
    rows = [*judge.by_organ.items(), (ALL_ROW, judge.accuracy)]
    values = np.array([[100 * table.value(metric) for metric in ACCURACY_COLUMNS] for _, table in rows])
    fig, ax = plt.subplots(figsize=(8.5, max(3.6, 1.8 + 0.42 * len(rows))))
    image = ax.imshow(values, cmap="cividis", vmin=0, vmax=100, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        text = "–" if math.isnan(value) else f"{value:.1f}"
        # cividis is dark at the low end: white text there, black on the light end.
        color = "white" if math.isnan(value) or value < 55 else "black"
        ax.text(j, i, text, ha="center", va="center", color=color, fontsize=8)
    ax.set_xticks(range(len(ACCURACY_COLUMNS)), [*(_title(d) for d in DIMENSIONS), "Mean"], rotation=30, ha="right")
    ax.set_yticks(
        range(len(rows)), [f"{_title(name) if name != ALL_ROW else ALL_ROW} (n={t.n_cases})" for name, t in rows]
    )
    ax.axhline(len(rows) - 1.5, color="white", linewidth=2)
    ax.set_xlabel("Judged dimension")
    ax.set_ylabel("Organ system")
    ax.set_title("\n".join(textwrap.wrap(f"{judge.label}: accuracy by organ system (%)", 70)))
    colorbar = fig.colorbar(image, ax=ax)
    colorbar.set_label("Accuracy against expert labels (%)")
    fig.tight_layout()
    fig.savefig(path, dpi=FIGURE_DPI)
    plt.close(fig)


def write_report(report: Report, out: Path) -> list[Path]:
    """Write report.md, one CSV per table, report.xlsx and the figures; returns the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    markdown = out / "report.md"
    markdown.write_text(render_markdown(report), encoding="utf-8")
    written.append(markdown)
    for table in report.tables.values():
        path = out / f"{table.name}.csv"
        write_csv(table, path)
        written.append(path)
    workbook = out / "report.xlsx"
    write_xlsx(list(report.tables.values()), workbook)
    written.append(workbook)
    figure = out / "accuracy_by_dimension.png"
    plot_accuracy_by_dimension(report.judges, figure)
    written.append(figure)
    for judge in report.judges:
        heatmap = out / f"organ_heatmap_{report.slugs[judge.label]}.png"
        plot_organ_heatmap(judge, heatmap)
        written.append(heatmap)
    return written

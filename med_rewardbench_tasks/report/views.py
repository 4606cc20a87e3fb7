"""What a person reads: the tables' rows formatted as cells, and the explanations around them.

Shared by the Markdown and the HTML page, so both say the same thing. Prose may use two
marks, ``**strong**`` and ```code```, which each renderer turns into its own markup (after
escaping, in HTML).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from med_rewardbench_tasks.constants import DIMENSIONS, ORGANS
from med_rewardbench_tasks.formatting import (
    MISSING,
    coefficient,
    coefficient_interval,
    dimension_title,
    interval,
    metric_title,
    p_value,
    percent,
    signed_points,
    title,
)
from med_rewardbench_tasks.metric_names import PARSE_FAILURE_METRIC
from med_rewardbench_tasks.metrics import BOOTSTRAP_REPLICATES, BOOTSTRAP_SEED, CONFIDENCE_LEVEL
from med_rewardbench_tasks.report.judges import JudgeResults
from med_rewardbench_tasks.report.statistics import PERMUTATIONS
from med_rewardbench_tasks.report.tables import ACCURACY_COLUMNS, ALL_ROW, Report

Align = Literal["left", "right"]
ACCURACY_HEADERS: Final = (*(title(d) for d in DIMENSIONS), "Mean")


@dataclass(frozen=True)
class View:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: tuple[Align, ...] = ()
    strong_rows: frozenset[int] = frozenset()
    code_columns: frozenset[int] = field(default_factory=frozenset)

    def alignment(self) -> tuple[Align, ...]:
        return self.align or ("left", *("right",) * (len(self.headers) - 1))


def grouped_accuracy(rows: Sequence[Mapping[str, Any]], key: str, heading: str) -> View:
    body: list[tuple[str, ...]] = []
    strong = set()
    for row in rows:
        name = str(row[key])
        cells = tuple(percent(row[metric]) for metric in ACCURACY_COLUMNS)
        if name == ALL_ROW:
            strong.add(len(body))
            body.append((ALL_ROW, str(row["n_cases"]), *cells))
            body.append(
                (
                    "All, 95% CI",
                    "",
                    *(interval(row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]) for metric in ACCURACY_COLUMNS),
                )
            )
        else:
            body.append((title(name) if key == "organ" else name, str(row["n_cases"]), *cells))
    return View((heading, "n", *ACCURACY_HEADERS), tuple(body), strong_rows=frozenset(strong))


def headline(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (metric_title(row["metric"]), percent(row["value"]), interval(row["ci_low"], row["ci_high"])) for row in rows
    )
    return View(("Metric", "Value", "95% CI (%)"), body)


def agreement(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (
            dimension_title(row["dimension"]),
            percent(row["accuracy"]),
            coefficient(row["kappa"]),
            coefficient_interval(row["kappa_ci_low"], row["kappa_ci_high"]),
            percent(row["balanced_accuracy"]),
            interval(row["balanced_accuracy_ci_low"], row["balanced_accuracy_ci_high"]),
            percent(row["judge_a_rate"]),
            percent(row["expert_a_rate"]),
            percent(row["unstated_rate"]),
        )
        for row in rows
    )
    headers = (
        "Dimension",
        "Accuracy",
        "Cohen's kappa",
        "Kappa 95% CI",
        "Balanced accuracy",
        "95% CI (%)",
        "Judge picks A",
        "Experts pick A",
        "Unstated",
    )
    return View(headers, body)


def position(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (
            dimension_title(row["dimension"]),
            percent(row["original_acc"]),
            percent(row["swapped_acc"]),
            percent(row["strict_acc"]),
            percent(row["consistency"]),
            interval(row["consistency_ci_low"], row["consistency_ci_high"]),
            percent(row["first_position_bias"]),
            percent(row["second_position_bias"]),
            percent(row["first_position_rate"]),
            percent(row["expert_first_position_rate"]),
        )
        for row in rows
    )
    headers = (
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
    )
    return View(headers, body)


def length(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (
            dimension_title(row["dimension"]),
            percent(row["longer_pick_rate"]),
            interval(row["longer_pick_ci_low"], row["longer_pick_ci_high"]),
            percent(row["expert_longer_rate"]),
        )
        for row in rows
    )
    return View(("Dimension", "Judge picks longer", "95% CI (%)", "Experts pick longer"), body)


def verdicts(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (row["variant"], row["field"].replace("_", " "), str(row["value"]), str(row["count"]), percent(row["share"]))
        for row in rows
    )
    return View(
        ("Tasks", "Field", "Value", "Count", "Share"),
        body,
        ("left", "left", "left", "right", "right"),
        code_columns=frozenset({2}),
    )


def leaderboard(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (
            str(row["rank"]),
            row["model"],
            row["dataset"],
            str(row["n_cases"]),
            percent(row["mean_acc"]),
            interval(row["mean_acc_ci_low"], row["mean_acc_ci_high"]),
            coefficient(row["mean_kappa"]),
            percent(row["mean_balanced_accuracy"]),
            percent(row[PARSE_FAILURE_METRIC]),
            percent(row["mean_consistency"]),
        )
        for row in rows
    )
    headers = (
        "Rank",
        "Judge",
        "Data",
        "n",
        "Mean accuracy",
        "95% CI (%)",
        "Mean kappa",
        "Mean balanced acc.",
        "Parse failures",
        "Mean consistency",
    )
    return View(headers, body, ("right", "left", "left", *("right",) * 7))


def comparisons(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (
            row["judge"],
            row["versus"],
            str(row["n_cases"]) if row["not_compared"] is None else MISSING,
            signed_points(row["difference"]),
            interval(row["ci_low"], row["ci_high"]),
            p_value(row["p_value"]),
            p_value(row["p_holm"]),
            row["not_compared"] or "",
        )
        for row in rows
    )
    headers = ("Judge", "Versus", "n", "Difference (points)", "95% CI (points)", "p", "p (Holm)", "Not compared")
    return View(headers, body, ("left", "left", *("right",) * 5, "left"))


def runs(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (
            row["model"],
            row["dataset"],
            row["date_id"],
            task_summary(row["tasks"].split()),
            str(row["n_presentations"]),
            row["data_sources"],
            row["incomplete"] or "",
        )
        for row in rows
    )
    return View(
        ("Judge", "Data", "Run", "Tasks", "Presentations", "Data source (from the logs)", "Incomplete logs"),
        body,
        ("left", "left", "left", "left", "right", "left", "left"),
    )


def votes(rows: Sequence[Mapping[str, Any]]) -> View:
    body = tuple(
        (
            row["model"],
            dimension_title(row["dimension"]) if row["dimension"] != "all" else "All dimensions",
            str(row["decisions"]),
            str(row["ties"]),
            str(row["unstated_votes"]),
        )
        for row in rows
    )
    return View(("Voted judge", "Dimension", "Decisions", "Ties (no verdict)", "Unstated votes"), body)


def task_summary(tasks: Sequence[str]) -> str:
    """``med_rewardbench_<organ>`` x13 reads as one entry; other task names are listed."""
    shown: list[str] = []
    for prefix in ("med_rewardbench_swap_", "med_rewardbench_"):
        organ_tasks = [task for task in tasks if task.removeprefix(prefix) in ORGANS and task.startswith(prefix)]
        if len(organ_tasks) > 1:
            shown.append(f"`{prefix}<organ>` ({len(organ_tasks)} organ systems)")
            tasks = [task for task in tasks if task not in organ_tasks]
    return ", ".join([*(f"`{task}`" for task in tasks), *shown])


# ---------------------------------------------------------------------------------------
# Explanations
# ---------------------------------------------------------------------------------------
def introduction(report: Report) -> str:
    level = round(100 * CONFIDENCE_LEVEL)
    return (
        f"{len(report.judges)} judge(s). All numbers are recomputed from the logged verdicts. Intervals are "
        f"{level}% case-resampling bootstrap intervals ({BOOTSTRAP_REPLICATES} replicates, seed "
        f"{BOOTSTRAP_SEED}): cases are drawn with replacement, and a case's six dimensions (and both "
        "of its orders in swap tasks) move together. A dimension the judge did not state counts as "
        "wrong; the parse-failure rate shows how often that happened. The `All` rows are case-weighted."
    )


def policy_statement(judges: Sequence[JudgeResults]) -> str:
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


AGREEMENT_TEXT: Final = (
    "Accuracy alone flatters a judge that follows the experts' majority letter. *Cohen's kappa* "
    "corrects the agreement for chance (0: no better than the judge's and experts' letter rates "
    "predict; 1: perfect); *balanced accuracy* averages the share right over the cases the experts "
    "gave to A and those they gave to B (an always-A judge scores 50%). An unstated verdict counts as "
    "wrong in both, as in accuracy. The Mean row averages the six dimensions."
)


def comparison_text() -> str:
    level = round(100 * CONFIDENCE_LEVEL)
    return (
        "Each pair of judges on the same cases: the difference in mean accuracy (first minus second, in "
        f"percent points), its {level}% paired bootstrap interval (cases resampled, both judges' verdicts on "
        f"a case together), and the p-value of a paired sign-flip randomisation test ({PERMUTATIONS} "
        "flips), Holm-corrected across all pairs. A pair judged on different cases is not compared."
    )


def vote_text(report: Report) -> str:
    return (
        "The majority-vote judge takes, per presentation and dimension, the letter most judges stated. An "
        "unstated pick abstains; a tie gives no verdict on that dimension, which counts as wrong. Voters: "
        + "; ".join(f"{vote.label}: {', '.join(vote.voters)}" for vote in report.votes)
        + "."
    )


def position_text(judge: JudgeResults) -> str:
    assert judge.swap is not None
    return (
        f"Each case is judged with the answers in the original order and swapped "
        f"({judge.swap_cases_both_orders} of {judge.swap.n_cases} cases have both). *Strict*: right in "
        "both orders; *consistency*: the same answer picked in both orders; *picks first (second) twice*: "
        "the answer shown first (second) picked in both orders, so the verdict followed the position "
        "(0 for the experts); *judge picks A*: share of original-order verdicts naming the answer shown "
        "first, beside the experts' share — a judge without position bias that is always right matches "
        "the experts."
    )


def length_text(judge: JudgeResults) -> str:
    return (
        f"Over {judge.length_presentations} presentations whose answers differ in length, from the "
        f"{judge.length_source}: how often the judge picked the longer answer, beside how often the "
        "experts' winner was the longer one."
    )


def incomplete_text(judge: JudgeResults) -> str | None:
    shortfalls = judge.evaluation.incomplete
    if not shortfalls:
        return None
    listed = "; ".join(f"`{short.task}`: {short.logged} of {short.expected}" for short in shortfalls)
    return (
        f"**Incomplete logs**: scored on what was logged, not on every case the run evaluated ({listed}). "
        "These numbers are not comparable with a complete run."
    )


@dataclass(frozen=True)
class Section:
    """One part of a judge's results: a heading, the explanation above the table (if any), the table."""

    heading: str
    table: View
    text: str | None = None


def judge_sections(report: Report, judge: JudgeResults) -> list[Section]:
    """A judge's sections after its accuracy by organ system, in the order both pages show them."""
    label = judge.label
    tables = report.tables
    sections = [
        Section("Headline metrics", headline(tables["headline"].rows_for(label))),
        Section("Agreement beyond chance", agreement(tables["agreement"].rows_for(label)), AGREEMENT_TEXT),
    ]
    if judge.by_department is not None:
        rows = tables["accuracy_by_department"].rows_for(label)
        sections.append(Section("Accuracy by clinical department", grouped_accuracy(rows, "department", "Department")))
    if judge.swap is not None:
        sections.append(
            Section("Position bias", position(tables["position_bias"].rows_for(label)), position_text(judge))
        )
    sections += [
        Section("Length bias", length(tables["length_bias"].rows_for(label)), length_text(judge)),
        Section("Verdicts", verdicts(tables["verdicts"].rows_for(label))),
    ]
    return sections

"""Every number the report shows about one judge, computed once from its logged verdicts.

All rates come from :func:`med_rewardbench_tasks.metrics.metric_table` (so the report,
``rescore`` and lmms-eval agree by construction); kappa and balanced accuracy from
:mod:`.statistics`. Intervals are computed only for the metrics the report shows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.metric_names import HEADLINE_METRICS
from med_rewardbench_tasks.metrics import MetricTable, metric_table, tables_by_organ
from med_rewardbench_tasks.records import Judgment
from med_rewardbench_tasks.report.evaluations import Evaluation
from med_rewardbench_tasks.report.statistics import Agreement, CaseKey, agreement_table, case_accuracies

NO_DEPARTMENT: Final = "(not given)"
DIMENSION_ROWS: Final = (*DIMENSIONS, "mean")
CONSISTENCY_METRICS: Final = tuple(f"{dimension}_consistency" for dimension in DIMENSION_ROWS)
LONGER_PICK_METRICS: Final = tuple(f"{dimension}_longer_pick_rate" for dimension in DIMENSION_ROWS)


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
    agreement: tuple[Agreement, ...]
    case_accuracies: Mapping[CaseKey, float]

    @property
    def label(self) -> str:
        return self.evaluation.label

    def agreement_for(self, dimension: str) -> Agreement | None:
        return next((row for row in self.agreement if row.dimension == dimension), None)


def grouped(judgments: Sequence[Judgment], key: Callable[[Judgment], str]) -> dict[str, list[Judgment]]:
    groups: dict[str, list[Judgment]] = {}
    for judgment in judgments:
        groups.setdefault(key(judgment), []).append(judgment)
    return groups


def judge_results(evaluation: Evaluation) -> JudgeResults:
    accuracy_judgments = evaluation.accuracy_judgments()
    swap_judgments = evaluation.swap_judgments()
    # Length preference is read from the swap runs when there are any: there the longer answer
    # is shown first as often as second, so a position bias cannot pass for a length bias.
    swap_intervals = (*CONSISTENCY_METRICS, *LONGER_PICK_METRICS)
    if swap_judgments and not evaluation.plain:
        # Only the swap tasks ran: accuracy is their original order, the same judgments, so one table serves both.
        accuracy = swap = metric_table(swap_judgments, intervals_for=(*HEADLINE_METRICS, *swap_intervals))
    else:
        accuracy = metric_table(
            accuracy_judgments, intervals_for=(*HEADLINE_METRICS, *(() if swap_judgments else LONGER_PICK_METRICS))
        )
        swap = metric_table(swap_judgments, intervals_for=swap_intervals) if swap_judgments else None
    by_organ = tables_by_organ(accuracy_judgments)
    by_department = None
    # Departments only when the data say so: a case without one is "not given", never guessed.
    if any(judgment.presentation.department is not None for judgment in accuracy_judgments):
        groups = grouped(accuracy_judgments, lambda judgment: judgment.presentation.department or NO_DEPARTMENT)
        by_department = {
            name: metric_table(groups[name], intervals_for=HEADLINE_METRICS)
            for name in sorted(groups, key=lambda name: (name == NO_DEPARTMENT, name))
        }
    orders = grouped(swap_judgments, lambda judgment: "/".join(judgment.presentation.case_key))
    both_orders = sum(1 for presentations in orders.values() if len(presentations) == 2)
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
        agreement=agreement_table(accuracy_judgments),
        case_accuracies=case_accuracies(accuracy_judgments),
    )

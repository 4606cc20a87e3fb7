"""Evaluations: what one judge did on one dataset, the unit every table and the case browser show.

A run's tasks are pooled by dataset (the 13 organ tasks form the benchmark; the shipped
sample is its own dataset) and by variant (plain tasks, or the swap tasks that show every
case in both orders).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from med_rewardbench_tasks.records import Judgment
from med_rewardbench_tasks.runs import Coverage, Dataset, LoggedSample, Run, judgments

RAW_TEXT_POLICY = "raw text"


@dataclass(frozen=True)
class Evaluation:
    """One judge on one dataset in one run: its plain tasks pooled, and its swap tasks pooled."""

    label: str
    run: Run
    dataset: Dataset
    plain: tuple[LoggedSample, ...]
    swap: tuple[LoggedSample, ...]

    @property
    def samples(self) -> tuple[LoggedSample, ...]:
        return self.plain + self.swap

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(sorted({sample.task for sample in self.samples}))

    @cached_property
    def _plain_judgments(self) -> tuple[Judgment, ...]:
        return tuple(judgments(self.plain))

    @cached_property
    def _swap_judgments(self) -> tuple[Judgment, ...]:
        return tuple(judgments(self.swap))

    def plain_judgments(self) -> list[Judgment]:
        return list(self._plain_judgments)

    def swap_judgments(self) -> list[Judgment]:
        return list(self._swap_judgments)

    def accuracy_judgments(self) -> list[Judgment]:
        """The benchmark as judged: the plain tasks, or the swap tasks' original order when only those ran."""
        return self.plain_judgments() if self.plain else self.swap_judgments()

    @property
    def accuracy_samples(self) -> tuple[LoggedSample, ...]:
        """The logged samples behind :meth:`accuracy_judgments`."""
        return self.plain if self.plain else self.swap

    def policies(self) -> tuple[str, ...]:
        """Lone-verdict policies the verdicts were parsed with (``raw text`` when no verdict record was logged)."""
        return tuple(sorted({sample.policy or RAW_TEXT_POLICY for sample in self.samples}))

    def sources(self) -> tuple[str | None, ...]:
        """The data sources the logged cases name (None: a log from before sources were recorded)."""
        named = {sample.source for sample in self.samples}
        return (*sorted(source for source in named if source is not None), *((None,) if None in named else ()))

    @property
    def incomplete(self) -> tuple[Coverage, ...]:
        """The run's tasks of this evaluation whose logs did not cover every evaluated document."""
        mine = set(self.tasks)
        return tuple(short for short in self.run.incomplete if short.task in mine)


def evaluations(runs: Sequence[Run]) -> list[Evaluation]:
    """Split runs into evaluations with unique labels (a run's date is added where two labels collide)."""
    found: list[Evaluation] = []
    for run in runs:
        datasets = run.datasets()
        for dataset in datasets:
            label = run.label if len(datasets) == 1 or dataset == "benchmark" else f"{run.label} [sample]"
            found.append(Evaluation(label, run, dataset, run.pool(dataset, "plain"), run.pool(dataset, "swap")))
    return unique_labels(found)


def unique_labels(found: list[Evaluation]) -> list[Evaluation]:
    counts: dict[str, int] = {}
    for evaluation in found:
        counts[evaluation.label] = counts.get(evaluation.label, 0) + 1
    relabelled = [
        evaluation
        if counts[evaluation.label] == 1
        else replace(evaluation, label=f"{evaluation.label} @ {evaluation.run.date_id}")
        for evaluation in found
    ]
    seen: dict[str, int] = {}
    unique = []
    for evaluation in relabelled:
        seen[evaluation.label] = seen.get(evaluation.label, 0) + 1
        n = seen[evaluation.label]
        unique.append(evaluation if n == 1 else replace(evaluation, label=f"{evaluation.label} #{n}"))
    return unique

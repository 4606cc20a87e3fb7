"""``report --vote``: a majority-vote judge built from several judges' logged verdicts.

For every presentation (a case in one order) and every dimension, each judge's stated pick
is one vote; the winner is the letter with more votes. Two rules make the ensemble honest:

* an **unstated** pick (the parser could not read that dimension) is no vote: it abstains,
  and is counted;
* a **tie** (as many A as B votes, including no votes at all) gives no verdict on that
  dimension, which then counts as wrong like any unstated verdict, and is counted.

The voted verdicts become a judge like any other: scored by the same metrics, listed in the
leaderboard and the comparisons, browsable case by case (its "raw output" is the tally).
Judges vote together only on the same presentations of the same dataset; voting needs at
least two judges.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.parsing import Verdict
from med_rewardbench_tasks.parsing.methods import REPORT_MAJORITY_VOTE
from med_rewardbench_tasks.report.evaluations import Evaluation
from med_rewardbench_tasks.runs import LoggedSample, Run

VOTE_PATH: Final = Path("majority-vote")


class VoteError(ValueError):
    """The judges cannot vote together; the message says which differ and how."""


@dataclass(frozen=True)
class VoteSummary:
    label: str
    voters: tuple[str, ...]
    presentations: int
    decisions: int  # presentations x dimensions
    ties: Counter[str] = field(default_factory=Counter)  # per dimension
    unstated_votes: Counter[str] = field(default_factory=Counter)  # per dimension


def _key(sample: LoggedSample) -> tuple[str, str, str]:
    return (*sample.presentation.case_key, sample.presentation.order)


def _check_same(voters: Sequence[Evaluation], variant: str) -> list[dict[tuple[str, str, str], LoggedSample]]:
    by_judge = [{_key(sample): sample for sample in getattr(judge, variant)} for judge in voters]
    first = by_judge[0]
    for judge, samples in zip(voters[1:], by_judge[1:], strict=True):
        if samples.keys() != first.keys():
            only = sorted(samples.keys() ^ first.keys())[0]
            raise VoteError(
                f"cannot vote: {voters[0].label!r} and {judge.label!r} were not judged on the same presentations "
                f"({variant} tasks: {len(first)} vs {len(samples)}; e.g. {'/'.join(only)} is in only one)"
            )
        for key, sample in samples.items():
            if dict(sample.presentation.expert) != dict(first[key].presentation.expert):
                raise VoteError(
                    f"cannot vote: {voters[0].label!r} and {judge.label!r} logged different expert winners for "
                    f"case {'/'.join(key[:2])} ({key[2]} order) at {first[key].where} and {sample.where}: "
                    "they were run on different data"
                )
    return by_judge


def _tally(samples: Sequence[LoggedSample]) -> tuple[Verdict, str, dict[str, bool], dict[str, int]]:
    choices = {}
    ties: dict[str, bool] = {}
    unstated: dict[str, int] = {}
    lines = []
    for dimension in DIMENSIONS:
        votes = Counter(sample.verdict.choices.get(dimension) for sample in samples)
        a, b, none = votes["A"], votes["B"], votes[None]
        choices[dimension] = "A" if a > b else "B" if b > a else None
        ties[dimension] = a == b
        unstated[dimension] = none
        outcome = choices[dimension] or "tie, no verdict"
        lines.append(f"{dimension}: {outcome} (A {a}, B {b}" + (f", unstated {none})" if none else ")"))
    decided = sum(choice is not None for choice in choices.values())
    tied = [dimension for dimension in DIMENSIONS if ties[dimension]]
    verdict = Verdict(
        choices=choices,
        status="ok" if decided == len(DIMENSIONS) else "partial" if decided else "unparseable",
        method=REPORT_MAJORITY_VOTE,
        note=f"tie on {', '.join(tied)}" if tied else None,
    )
    return verdict, f"majority vote of {len(samples)} judges\n" + "\n".join(lines), ties, unstated


def _voted(by_judge: list[dict[tuple[str, str, str], LoggedSample]], summary: VoteSummary) -> list[LoggedSample]:
    voted = []
    for line, (key, first) in enumerate(by_judge[0].items(), start=1):
        samples = [judge[key] for judge in by_judge]
        verdict, tally, ties, unstated = _tally(samples)
        summary.ties.update(dimension for dimension, tied in ties.items() if tied)
        summary.unstated_votes.update(unstated)
        policies = {sample.policy for sample in samples}
        sources = {sample.source for sample in samples}
        voted.append(
            LoggedSample(
                path=VOTE_PATH,
                line=line,
                task=first.task,
                doc_id=first.doc_id,
                presentation=first.presentation,
                raw_output=tally,
                verdict=verdict,
                policy=policies.pop() if len(policies) == 1 else None,
                source=sources.pop() if len(sources) == 1 else None,
                prompt=first.prompt,
            )
        )
    return voted


def majority_vote(voters: Sequence[Evaluation]) -> tuple[Evaluation, VoteSummary]:
    """One voted judge from judges of the same dataset judged on the same presentations."""
    if len(voters) < 2:
        raise VoteError(f"cannot vote: a majority vote needs at least two judges, got {len(voters)}")
    datasets = {judge.dataset for judge in voters}
    if len(datasets) > 1:
        raise VoteError(f"cannot vote: the judges were run on different datasets ({', '.join(sorted(datasets))})")
    label = f"majority vote of {len(voters)} judges"
    variants = [variant for variant in ("plain", "swap") if all(getattr(judge, variant) for judge in voters)]
    if not variants:
        raise VoteError(
            "cannot vote: the judges share no task variant (some ran only the plain tasks, others only the swap tasks)"
        )
    summary = VoteSummary(label, tuple(judge.label for judge in voters), 0, 0)
    pooled: dict[str, tuple[LoggedSample, ...]] = {"plain": (), "swap": ()}
    for variant in variants:
        pooled[variant] = tuple(_voted(_check_same(voters, variant), summary))
    presentations = sum(len(samples) for samples in pooled.values())
    summary = VoteSummary(
        label, summary.voters, presentations, presentations * len(DIMENSIONS), summary.ties, summary.unstated_votes
    )
    run = Run(label=label, date_id="vote", directory=Path("."), results_path=None, results=None, tasks=())
    return Evaluation(label, run, voters[0].dataset, pooled["plain"], pooled["swap"]), summary


def vote_by_dataset(judges: Sequence[Evaluation]) -> tuple[list[tuple[Evaluation, VoteSummary]], list[str]]:
    """A voted judge per dataset with at least two judges; notes for the datasets left out."""
    voted, notes = [], []
    for dataset in dict.fromkeys(judge.dataset for judge in judges):
        members = [judge for judge in judges if judge.dataset == dataset]
        if len(members) < 2:
            notes.append(f"only one judge on the {dataset} data ({members[0].label})")
            continue
        voted.append(majority_vote(members))
    return voted, notes

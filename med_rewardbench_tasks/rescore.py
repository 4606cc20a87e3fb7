"""``med-rewardbench rescore``: re-parse logged judge outputs and recompute every metric, without the model.

Two inputs:

* **lmms-eval samples logs** (``--log_samples``): each logged raw output (``resps``) is parsed
  again with the *current* parser, and every metric is recomputed with
  :func:`~med_rewardbench_tasks.metrics.metric_table`, per task and pooled per run (the 13
  organ tasks form the benchmark). The output says how many verdicts changed against the
  logged ones, so a parser change can be judged on real outputs before anything is rerun.
  By default each output is parsed with the lone-verdict policy it was logged with. A log
  that holds fewer cases than its results file counted is refused (``--allow-incomplete``
  scores it, flagged).
* **the paper pipeline's output files** (``--paper-outputs PRED.jsonl ... --labels DIR``):
  see :mod:`med_rewardbench_tasks.paper_outputs`.

``--json OUT.json`` writes the same numbers as machine-readable JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from med_rewardbench_tasks.constants import LABELS_DIR
from med_rewardbench_tasks.formatting import (
    bootstrap_settings,
    format_metric_table,
    percent,
    table_json,
    text_table,
)
from med_rewardbench_tasks.metric_names import MEAN_ACCURACY_METRIC, PARSE_FAILURE_METRIC
from med_rewardbench_tasks.metrics import (
    BOOTSTRAP_REPLICATES,
    BOOTSTRAP_SEED,
    CONFIDENCE_LEVEL,
    MetricTable,
    metric_table,
)
from med_rewardbench_tasks.paper_outputs import (
    PaperOutputError,
    format_paper_result,
    paper_result_json,
    score_paper_outputs,
)
from med_rewardbench_tasks.parsing import (
    DEFAULT_LONE_VERDICT,
    LONE_VERDICT_POLICIES,
    LoneVerdictPolicy,
    Verdict,
    parse_verdict,
)
from med_rewardbench_tasks.records import Judgment, letters
from med_rewardbench_tasks.runs import (
    LoggedSample,
    Run,
    RunReadError,
    TaskLog,
    find_runs,
    pool_samples,
)

PROGRAM: Final = "med-rewardbench rescore"


class RescoreError(ValueError):
    """Input that cannot be rescored honestly; the message names the file and line."""


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        nargs="*",
        type=Path,
        metavar="SAMPLES_OR_DIR",
        help="lmms-eval samples logs (<date_id>_samples_<task>.jsonl), results files or output folders",
    )
    parser.add_argument(
        "--lone-verdict",
        choices=LONE_VERDICT_POLICIES,
        default=None,
        help=(
            "what a lone overall verdict ('[[A]]') fills: only overall, or all six dimensions as the paper's "
            f"parser does (default: the policy each output was logged with; {DEFAULT_LONE_VERDICT} for --paper-outputs)"
        ),
    )
    parser.add_argument("--json", type=Path, metavar="OUT.json", help="also write the results as JSON")
    parser.add_argument(
        "--allow-incomplete",
        action="store_true",
        help="rescore a run whose samples log holds fewer cases than its results file counted (flagged)",
    )
    parser.add_argument(
        "--paper-outputs",
        nargs="+",
        type=Path,
        metavar="PRED.jsonl",
        help="score the paper pipeline's output files instead (rows: question_id, modality_type, chosen_answer)",
    )
    parser.add_argument(
        "--labels",
        type=Path,
        metavar="DIR",
        help=f"with --paper-outputs: folder with the label files ({LABELS_DIR}/<organ>.jsonl or <organ>.jsonl)",
    )


def run(args: argparse.Namespace) -> int:
    problem = _argument_problem(args) or (_json_problem(args.json) if args.json else None)
    if problem:
        print(f"{PROGRAM}: error: {problem}", file=sys.stderr)
        return 2
    try:
        if args.paper_outputs:
            policy = args.lone_verdict or DEFAULT_LONE_VERDICT
            result = score_paper_outputs(args.paper_outputs, args.labels, policy)
            print(format_paper_result(result))
            payload = paper_result_json(result)
        else:
            found = find_runs(args.inputs, allow_incomplete=args.allow_incomplete)
            for note in found.notes:
                print(f"note: {note}", file=sys.stderr)
            rescored = [rescore_run(run_, args.lone_verdict) for run_ in found.runs]
            print(format_rescored(rescored, args.lone_verdict))
            payload = rescored_json(rescored, args.lone_verdict)
    except (RunReadError, RescoreError, PaperOutputError, OSError) as error:
        print(f"{PROGRAM}: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        try:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        except OSError as error:
            print(f"{PROGRAM}: error: cannot write {args.json}: {error}", file=sys.stderr)
            return 2
        print(f"wrote {args.json}")
    return 0


def _json_problem(path: Path) -> str | None:
    """Why ``--json`` cannot be written, found before the (long) rescoring rather than after it."""
    if path.is_dir():
        return f"--json {path} is a folder; give a file name such as {path / 'rescore.json'}"
    for parent in path.parents:
        if parent.exists():
            return None if parent.is_dir() else f"--json {path}: {parent} is a file, not a folder"
    return None


def _argument_problem(args: argparse.Namespace) -> str | None:
    if args.paper_outputs and args.inputs:
        return "give either samples logs or --paper-outputs, not both"
    if not args.paper_outputs and not args.inputs:
        return "nothing to rescore: give samples logs (or folders), or --paper-outputs PRED.jsonl --labels DIR"
    if args.paper_outputs and args.labels is None:
        return "--paper-outputs needs --labels DIR"
    if args.labels is not None and not args.paper_outputs:
        return "--labels is only used with --paper-outputs"
    return None


# ---------------------------------------------------------------------------------------
# lmms-eval samples logs
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    sample: LoggedSample
    rescored: Verdict


@dataclass(frozen=True)
class RescoredSet:
    """Judgments rebuilt from re-parsed outputs, their metrics, and what changed against the log."""

    name: str
    tasks: tuple[str, ...]
    samples_files: tuple[Path, ...]
    table: MetricTable
    changes: tuple[Change, ...]
    n_presentations: int
    statuses: Mapping[str, int]


@dataclass(frozen=True)
class RescoredRun:
    run: Run
    tasks: tuple[RescoredSet, ...]
    pooled: tuple[RescoredSet, ...]  # one per dataset and variant with more than one task


def reparse(sample: LoggedSample, policy: LoneVerdictPolicy | None) -> Verdict:
    """The sample's raw output through the current parser (with the logged policy unless one is given)."""
    if sample.raw_output is None:
        raise RescoreError(f"{sample.where}: no raw judge output was logged (resps), so it cannot be parsed again")
    chosen = policy or sample.policy or DEFAULT_LONE_VERDICT
    if chosen not in LONE_VERDICT_POLICIES:
        raise RescoreError(f"{sample.where}: unknown lone_verdict_policy {chosen!r} in the verdict record")
    return parse_verdict(sample.raw_output, lone_verdict=chosen)  # type: ignore[arg-type]


def _changed(logged: Verdict, rescored: Verdict) -> bool:
    # What scoring depends on: the six picks and whether the verdict was fully read.
    return dict(logged.choices) != dict(rescored.choices) or logged.status != rescored.status


def rescore_samples(
    name: str,
    samples: Sequence[LoggedSample],
    policy: LoneVerdictPolicy | None,
    cache: dict[tuple[Path, int], Verdict],
) -> RescoredSet:
    judgments: list[Judgment] = []
    changes: list[Change] = []
    statuses: Counter[str] = Counter()
    for sample in samples:
        key = (sample.path, sample.line)
        if key not in cache:
            cache[key] = reparse(sample, policy)
        verdict = cache[key]
        judgments.append(Judgment.from_verdict(sample.presentation, verdict))
        statuses[verdict.status] += 1
        if _changed(sample.verdict, verdict):
            changes.append(Change(sample, verdict))
    return RescoredSet(
        name=name,
        tasks=tuple(sorted({sample.task for sample in samples})),
        samples_files=tuple(sorted({sample.path for sample in samples})),
        table=metric_table(judgments),
        changes=tuple(changes),
        n_presentations=len(samples),
        statuses=dict(statuses),
    )


def _pool_name(logs: Sequence[TaskLog]) -> str:
    variant = logs[0].variant
    if logs[0].dataset == "sample":
        return "sample, both orders pooled" if variant == "swap" else "sample, pooled"
    return "med_rewardbench_swap (pooled)" if variant == "swap" else "med_rewardbench (pooled)"


def rescore_run(run_: Run, policy: LoneVerdictPolicy | None) -> RescoredRun:
    cache: dict[tuple[Path, int], Verdict] = {}  # each output is parsed once, even when it is also in a pooled set
    tasks = tuple(rescore_samples(log.task, log.samples, policy, cache) for log in run_.tasks)
    pooled = []
    for dataset in run_.datasets():
        for variant in ("plain", "swap"):
            logs = [log for log in run_.tasks if log.dataset == dataset and log.variant == variant]
            if len(logs) > 1:
                pooled.append(rescore_samples(_pool_name(logs), pool_samples(logs), policy, cache))
    return RescoredRun(run_, tasks, tuple(pooled))


def _verdict_json(verdict: Verdict) -> dict[str, Any]:
    return {"choices": dict(verdict.choices), "status": verdict.status, "method": verdict.method}


def _set_json(rescored: RescoredSet) -> dict[str, Any]:
    return {
        "name": rescored.name,
        "tasks": list(rescored.tasks),
        "samples_files": [str(path) for path in rescored.samples_files],
        **table_json(rescored.table),
        "statuses": dict(rescored.statuses),
        "changed_verdicts": len(rescored.changes),
        "changes": [
            {
                "where": change.sample.where,
                "task": change.sample.task,
                "doc_id": change.sample.doc_id,
                "logged": _verdict_json(change.sample.verdict),
                "rescored": _verdict_json(change.rescored),
            }
            for change in rescored.changes
        ],
    }


def rescored_json(rescored: Sequence[RescoredRun], policy: LoneVerdictPolicy | None) -> dict[str, Any]:
    return {
        "mode": "samples",
        "lone_verdict": policy or "as_logged",
        "bootstrap": bootstrap_settings(),
        "runs": [
            {
                "label": item.run.label,
                "date_id": item.run.date_id,
                "results_file": str(item.run.results_path) if item.run.results_path else None,
                "tasks": {task.name: _set_json(task) for task in item.tasks},
                "pooled": [_set_json(pool) for pool in item.pooled],
            }
            for item in rescored
        ],
    }


def _format_set(rescored: RescoredSet) -> str:
    table = rescored.table
    lines = [
        f"  {rescored.name}: {rescored.n_presentations} presentations, {table.n_cases} cases; "
        f"verdicts changed vs. the log: {len(rescored.changes)} of {rescored.n_presentations}",
        format_metric_table(table),
    ]
    for change in rescored.changes[:5]:
        before, after = change.sample.verdict, change.rescored
        lines.append(
            f"    changed {change.sample.where}: "
            f"{letters(before.choices)} ({before.status}) -> {letters(after.choices)} ({after.status})"
        )
    if len(rescored.changes) > 5:
        lines.append(f"    ... and {len(rescored.changes) - 5} more (see --json)")
    return "\n".join(lines)


def format_rescored(rescored: Sequence[RescoredRun], policy: LoneVerdictPolicy | None) -> str:
    level = round(100 * CONFIDENCE_LEVEL)
    parts = [
        f"Rescored with the current parser; lone-verdict policy: {policy or 'as logged'}. "
        f"Intervals: {level}% case-resampling bootstrap ({BOOTSTRAP_REPLICATES} replicates, seed {BOOTSTRAP_SEED})."
    ]
    for item in rescored:
        parts.append(f"\n{item.run.label} — run {item.run.date_id}")
        if item.pooled:
            for pool in item.pooled:
                parts.append(_format_set(pool))
            headers = ["task", "n", "mean accuracy", "parse failures", "changed"]
            rows = [
                [
                    task.name,
                    str(task.n_presentations),
                    percent(task.table.values.get(MEAN_ACCURACY_METRIC)),
                    percent(task.table.values.get(PARSE_FAILURE_METRIC)),
                    str(len(task.changes)),
                ]
                for task in item.tasks
            ]
            parts.append("  per task:\n" + text_table(headers, rows))
        else:
            parts += [_format_set(task) for task in item.tasks]
    total = sum(task.n_presentations for item in rescored for task in item.tasks)
    changed = sum(len(task.changes) for item in rescored for task in item.tasks)
    parts.append(f"\nverdicts changed vs. the logged ones: {changed} of {total}")
    return "\n".join(parts)

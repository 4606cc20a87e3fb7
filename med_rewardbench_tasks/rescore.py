"""``med-rewardbench rescore``: re-parse logged judge outputs and recompute every metric, without the model.

Two inputs:

* **lmms-eval samples logs** (``--log_samples``): each logged raw output (``resps``) is parsed
  again with the *current* parser, and every metric is recomputed with
  :func:`~med_rewardbench_tasks.metrics.metric_table`, per task and pooled per run (the 13
  organ tasks form the benchmark). The output says how many verdicts changed against the
  logged ones, so a parser change can be judged on real outputs before anything is rerun.
  By default each output is parsed with the lone-verdict policy it was logged with.
* **the paper pipeline's output files** (``--paper-outputs PRED.jsonl ... --labels DIR``):
  JSONL rows with ``question_id``, ``modality_type`` (the organ) and ``chosen_answer`` (the
  raw output, or an already normalised ``{dimension: "A"/"B"}`` dict), scored against the
  label files as the paper scores them: every labelled case of an organ that appears in the
  predictions is in the denominator, and a missing or unreadable prediction is wrong on all
  six dimensions (and counts as a parse failure).

``--json OUT.json`` writes the same numbers as machine-readable JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from med_rewardbench_tasks.constants import (
    DIMENSIONS,
    LABELS_DIR,
    ORGANS,
    WINNERS,
    Dimension,
    Winner,
)
from med_rewardbench_tasks.jsonio import json_object
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
)
from med_rewardbench_tasks.parsing import (
    DEFAULT_LONE_VERDICT,
    LONE_VERDICT_POLICIES,
    LoneVerdictPolicy,
    Verdict,
    parse_verdict,
    unreadable_verdict,
    verdict_status,
)
from med_rewardbench_tasks.records import Judgment, Presentation, letters, question_id
from med_rewardbench_tasks.runs import (
    LoggedSample,
    Run,
    RunReadError,
    TaskLog,
    find_runs,
    pool_samples,
)

NORMALISED_DICT_METHOD: Final = "normalised_dict"
PAPER_COLUMNS: Final = (*ACCURACY_METRICS, MEAN_ACCURACY_METRIC, PARSE_FAILURE_METRIC)


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
    problem = _argument_problem(args)
    if problem:
        print(f"med-rewardbench rescore: error: {problem}", file=sys.stderr)
        return 2
    try:
        if args.paper_outputs:
            policy = args.lone_verdict or DEFAULT_LONE_VERDICT
            result = score_paper_outputs(args.paper_outputs, args.labels, policy)
            print(format_paper_result(result))
            payload = paper_result_json(result)
        else:
            found = find_runs(args.inputs)
            for note in found.notes:
                print(f"note: {note}", file=sys.stderr)
            rescored = [rescore_run(run_, args.lone_verdict) for run_ in found.runs]
            print(format_rescored(rescored, args.lone_verdict))
            payload = rescored_json(rescored, args.lone_verdict)
    except (RunReadError, RescoreError, OSError) as error:
        print(f"med-rewardbench rescore: error: {error}", file=sys.stderr)
        return 2
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


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
# Shared: metric tables as JSON and as text
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


def _pct(value: float | None) -> str:
    from med_rewardbench_tasks.report import percent

    return percent(value)


def _ci(table: MetricTable, metric: str) -> str:
    from med_rewardbench_tasks.report import interval

    low, high = table.intervals.get(metric, (None, None))
    return interval(low, high)


def _value(table: MetricTable, metric: str) -> float | None:
    return table.values.get(metric)


def _text_table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "    ") -> str:
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


def format_metric_table(table: MetricTable, indent: str = "    ") -> str:
    """Per dimension: accuracy with its interval, and the swap metrics when the set has swapped presentations."""
    swap = "mean_consistency" in table.values  # only sets with both orders of some case have it
    headers = ["dimension", "accuracy", "95% CI (%)"]
    if swap:
        headers += ["swapped", "strict", "consistency", "judge picks A", "experts pick A"]
    rows = []
    for dimension in (*DIMENSIONS, "mean"):
        row = [dimension, _pct(_value(table, f"{dimension}_acc")), _ci(table, f"{dimension}_acc")]
        if swap:
            row += [
                _pct(_value(table, f"{dimension}_{measure}"))
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
        f"{indent}parse-failure rate: {_pct(_value(table, PARSE_FAILURE_METRIC))} {_ci(table, PARSE_FAILURE_METRIC)}"
    )
    return _text_table(headers, rows, indent) + "\n" + failure


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
                    _pct(_value(task.table, MEAN_ACCURACY_METRIC)),
                    _pct(_value(task.table, PARSE_FAILURE_METRIC)),
                    str(len(task.changes)),
                ]
                for task in item.tasks
            ]
            parts.append("  per task:\n" + _text_table(headers, rows))
        else:
            parts += [_format_set(task) for task in item.tasks]
    total = sum(task.n_presentations for item in rescored for task in item.tasks)
    changed = sum(len(task.changes) for item in rescored for task in item.tasks)
    parts.append(f"\nverdicts changed vs. the logged ones: {changed} of {total}")
    return "\n".join(parts)


# ---------------------------------------------------------------------------------------
# The paper pipeline's output files
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prediction:
    organ: str
    question_id: str
    where: str
    verdict: Verdict


@dataclass(frozen=True)
class PaperResult:
    prediction_files: tuple[Path, ...]
    label_files: Mapping[str, Path]
    policy: LoneVerdictPolicy
    organs: Mapping[str, MetricTable]
    missing: Mapping[str, int]  # labelled cases with no prediction, per organ
    all: MetricTable
    statuses: Mapping[str, int]


def verdict_from_dict(raw: Mapping[str, Any]) -> Verdict:
    """An already normalised ``chosen_answer`` dict: A/B per dimension; anything else is not stated."""
    by_key = {str(key).strip().lower(): value for key, value in raw.items()}
    choices: dict[Dimension, Winner | None] = {}
    for dimension in DIMENSIONS:
        value = by_key.get(dimension)
        letter = value.strip().upper() if isinstance(value, str) else None
        choices[dimension] = letter if letter in WINNERS else None  # type: ignore[assignment]
    status = verdict_status(choices)
    missing = [dimension for dimension, choice in choices.items() if choice is None]
    note = f"no A/B winner for: {', '.join(missing)}" if missing else None
    return Verdict(choices=choices, status=status, method=NORMALISED_DICT_METHOD, note=note)


def _prediction_verdict(value: Any, *, where: str, policy: LoneVerdictPolicy) -> Verdict:
    if value is None:
        return unreadable_verdict("chosen_answer is null")
    if isinstance(value, str):
        return parse_verdict(value, lone_verdict=policy)
    if isinstance(value, Mapping):
        return verdict_from_dict(value)
    raise RescoreError(f"{where}: chosen_answer must be a string, an object or null, got {type(value).__name__}")


def read_paper_outputs(paths: Iterable[Path], policy: LoneVerdictPolicy) -> dict[tuple[str, str], Prediction]:
    predictions: dict[tuple[str, str], Prediction] = {}
    for path in paths:
        if not path.is_file():
            raise RescoreError(f"{path}: no such file")
        with path.open(encoding="utf-8") as handle:
            for line_number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                where = f"{path}:{line_number}"
                prediction = _read_prediction(text, where=where, policy=policy)
                key = (prediction.organ, prediction.question_id)
                if key in predictions:
                    raise RescoreError(
                        f"{where}: question_id {prediction.question_id} of {prediction.organ} "
                        f"already predicted at {predictions[key].where}"
                    )
                predictions[key] = prediction
    return predictions


def _read_prediction(text: str, *, where: str, policy: LoneVerdictPolicy) -> Prediction:
    row = json_object(text, where=where, error=RescoreError)
    for key in ("question_id", "modality_type", "chosen_answer"):
        if key not in row:
            raise RescoreError(f"{where}: no {key!r}")
    organ = str(row["modality_type"]).strip()
    if organ not in ORGANS:
        raise RescoreError(
            f"{where}: modality_type {row['modality_type']!r} is not an organ system ({', '.join(ORGANS)})"
        )
    verdict = _prediction_verdict(row["chosen_answer"], where=where, policy=policy)
    return Prediction(organ, question_id(row["question_id"]), where, verdict)


def label_file(labels_dir: Path, organ: str) -> Path:
    for candidate in (labels_dir / LABELS_DIR / f"{organ}.jsonl", labels_dir / f"{organ}.jsonl"):
        if candidate.is_file():
            return candidate
    raise RescoreError(
        f"{labels_dir}: no label file for organ {organ!r} (looked for {LABELS_DIR}/{organ}.jsonl and {organ}.jsonl)"
    )


def read_labels(path: Path) -> dict[str, dict[Dimension, Winner]]:
    from med_rewardbench_tasks.data import DataValidationError, read_label_file, validate_labels

    try:
        raw = read_label_file(path)
        return {qid: validate_labels(labels, where=f"{path}:{line}") for qid, (line, labels) in raw.items()}
    except DataValidationError as error:
        raise RescoreError(str(error)) from error


def score_paper_outputs(paths: Sequence[Path], labels_dir: Path, policy: LoneVerdictPolicy) -> PaperResult:
    predictions = read_paper_outputs(paths, policy)
    if not predictions:
        raise RescoreError(f"no predictions in {', '.join(map(str, paths))}")
    organs = [organ for organ in ORGANS if any(key[0] == organ for key in predictions)]
    files = {organ: label_file(labels_dir, organ) for organ in organs}
    labels = {organ: read_labels(files[organ]) for organ in organs}
    for (organ, qid), prediction in predictions.items():
        if qid not in labels[organ]:
            raise RescoreError(f"{prediction.where}: question_id {qid} has no label in {files[organ]}")
    by_organ: dict[str, list[Judgment]] = {}
    missing: dict[str, int] = {}
    statuses: Counter[str] = Counter()
    for organ in organs:
        judged = by_organ.setdefault(organ, [])
        missing[organ] = 0
        # The paper's denominator: every labelled case of the organ, predicted or not.
        for qid, expert in labels[organ].items():
            prediction = predictions.get((organ, qid))
            verdict = prediction.verdict if prediction else unreadable_verdict("no prediction for this case")
            missing[organ] += prediction is None
            statuses["missing" if prediction is None else verdict.status] += 1
            presentation = Presentation(question_id=qid, organ=organ, order="original", expert=expert, longer=None)
            judged.append(Judgment.from_verdict(presentation, verdict))
    return PaperResult(
        prediction_files=tuple(paths),
        label_files=files,
        policy=policy,
        organs={organ: metric_table(judged, intervals_for=HEADLINE_METRICS) for organ, judged in by_organ.items()},
        missing=missing,
        all=metric_table([judgment for judged in by_organ.values() for judgment in judged]),
        statuses=dict(statuses),
    )


def paper_result_json(result: PaperResult) -> dict[str, Any]:
    return {
        "mode": "paper_outputs",
        "prediction_files": [str(path) for path in result.prediction_files],
        "label_files": {organ: str(path) for organ, path in result.label_files.items()},
        "lone_verdict": result.policy,
        "bootstrap": bootstrap_settings(),
        "organs": {
            organ: {**table_json(table), "missing_predictions": result.missing[organ]}
            for organ, table in result.organs.items()
        },
        "all": {**table_json(result.all), "missing_predictions": sum(result.missing.values())},
        "statuses": dict(result.statuses),
    }


def format_paper_result(result: PaperResult) -> str:
    headers = ["organ", "n", *PAPER_COLUMNS, "missing"]
    missing = {**result.missing, "All": sum(result.missing.values())}
    rows = [
        [organ, str(table.n_cases), *(f"{table.value(name):.4f}" for name in PAPER_COLUMNS), str(missing[organ])]
        for organ, table in [*result.organs.items(), ("All", result.all)]
    ]
    level = round(100 * CONFIDENCE_LEVEL)
    return "\n".join(
        [
            f"Paper outputs scored against {len(result.label_files)} label file(s); "
            f"lone-verdict policy: {result.policy}.",
            "Every labelled case of each organ is counted; a missing or unreadable prediction is wrong on all six "
            "dimensions and counts as a parse failure.",
            "",
            _text_table(headers, rows, indent=""),
            "",
            f"All organs, with {level}% case-resampling bootstrap intervals ({BOOTSTRAP_REPLICATES} replicates, "
            f"seed {BOOTSTRAP_SEED}):",
            format_metric_table(result.all),
            "    verdicts: " + ", ".join(f"{status} {count}" for status, count in sorted(result.statuses.items())),
        ]
    )

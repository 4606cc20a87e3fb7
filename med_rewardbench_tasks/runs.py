"""Reading lmms-eval output folders back into Med-RewardBench judgments.

lmms-eval (0.7.3, ``--output_path OUT --log_samples``) writes, somewhere under ``OUT``
(directly, or in a ``<model_name_sanitized>/`` subfolder), one ``<date_id>_results.json``
per run and one ``<date_id>_samples_<task>.jsonl`` per task of that run. This module finds
those files, pairs each results file with the samples files of the same run (same folder,
same ``date_id``), labels the run with a readable model name and turns every logged sample
into a :class:`~med_rewardbench_tasks.metrics.Judgment`:

* ``target`` is the case record written by ``doc_to_target``
  (:func:`~med_rewardbench_tasks.records.presentation_from_record`);
* ``filtered_resps[0]`` is the verdict record written by the ``VerdictFilter``
  (:func:`~med_rewardbench_tasks.records.decode_verdict`);
* ``resps[0]`` is the judge's raw output, kept for ``med-rewardbench rescore``.

A run's tasks are pooled by *dataset* (the 13 organ tasks form the benchmark; the shipped
sample is its own dataset) and by *variant* (plain tasks, or the ``*_swap*`` tasks that show
every case in both orders). Each case keeps its organ, so per-organ tables come from the
pooled set.

Malformed input is refused with an error naming the file and the line: a sample that cannot
be read is never skipped, because dropping it would change every denominator.
Nothing here does any work at import time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from med_rewardbench_tasks.jsonio import json_object
from med_rewardbench_tasks.parsing import Verdict
from med_rewardbench_tasks.records import (
    Judgment,
    Presentation,
    policy_of_record,
    presentation_from_record,
    verdict_of,
    verdict_record,
)

Variant = Literal["plain", "swap"]
Dataset = Literal["benchmark", "sample"]

TASK_PREFIX: Final = "med_rewardbench"
SAMPLE_TASK_PREFIX: Final = "med_rewardbench_sample"
RESULTS_RE: Final = re.compile(r"^(?P<date_id>.+?)_results\.json$")
SAMPLES_RE: Final = re.compile(r"^(?P<date_id>.+?)_samples_(?P<task>.+)\.jsonl$")

# model_args keys that name the judge; the first one present becomes the label's detail.
_IDENTITY_ARGS: Final = ("pretrained", "model", "model_version", "model_name", "model_id", "model_path")
# model_args that must never reach a report (API keys travel in model_args).
_SECRET_WORDS: Final = ("key", "token", "secret", "password", "auth")


class RunReadError(ValueError):
    """An lmms-eval output cannot be read honestly; the message names the file (and line)."""


# ---------------------------------------------------------------------------------------
# Task names
# ---------------------------------------------------------------------------------------
def is_benchmark_task(task: str) -> bool:
    """A task of this package (other tasks of a suite run are not ours to score)."""
    return task == TASK_PREFIX or task.startswith(f"{TASK_PREFIX}_")


def task_variant(task: str) -> Variant:
    """``med_rewardbench_swap_<organ>`` and ``med_rewardbench_sample_swap`` show each case in both orders."""
    return "swap" if "swap" in task.split("_") else "plain"


def task_dataset(task: str) -> Dataset:
    """The shipped synthetic sample is a dataset of its own; it must never be pooled with the benchmark."""
    return "sample" if task.startswith(SAMPLE_TASK_PREFIX) else "benchmark"


# ---------------------------------------------------------------------------------------
# Samples
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoggedSample:
    """One line of a samples log: the case as shown, the raw output and the verdict lmms-eval scored."""

    path: Path
    line: int
    task: str
    doc_id: int
    presentation: Presentation
    raw_output: str | None  # None only when lmms-eval logged no raw output at all
    verdict: Verdict
    policy: str | None  # lone-verdict policy of the verdict record; None when no record was logged
    source: str | None = None  # the data source the target names (repository@revision or a folder), if any
    prompt: str | None = None  # the prompt text lmms-eval logged as ``input``, if any

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def judgment(self) -> Judgment:
        return Judgment.from_verdict(self.presentation, self.verdict)


@dataclass(frozen=True)
class TaskLog:
    """Every logged sample of one task in one run, in ``doc_id`` order (the order lmms-eval aggregates in)."""

    task: str
    path: Path
    samples: tuple[LoggedSample, ...]

    @property
    def variant(self) -> Variant:
        return task_variant(self.task)

    @property
    def dataset(self) -> Dataset:
        return task_dataset(self.task)


def _first_output(value: Any, *, key: str, where: str) -> str:
    """The first output of a ``resps``/``filtered_resps`` entry (lmms-eval nests it one level for some outputs)."""
    if isinstance(value, list) and value and isinstance(value[0], list):
        value = value[0]
    if not isinstance(value, list) or not value:
        raise RunReadError(f"{where}: {key} must be a non-empty list, got {value!r:.80}")
    first = value[0]
    if not isinstance(first, str):
        raise RunReadError(f"{where}: {key}[0] must be a string, got {type(first).__name__}")
    return first


def parse_sample_line(text: str, *, path: Path, line: int, task: str) -> LoggedSample:
    """One samples-log line as a :class:`LoggedSample`; any defect raises naming ``path:line``."""
    where = f"{path}:{line}"
    sample = json_object(text, where=where, error=RunReadError)
    doc_id = sample.get("doc_id")
    if not isinstance(doc_id, int) or isinstance(doc_id, bool):
        raise RunReadError(f"{where}: doc_id must be an integer, got {doc_id!r}")
    presentation, source = _presentation(sample.get("target"), where=where)
    if presentation.order == "swapped" and task_variant(task) != "swap":
        raise RunReadError(f"{where}: a swapped presentation in task {task!r}, which is not a swap task")
    filtered = _first_output(sample.get("filtered_resps"), key="filtered_resps", where=where)
    record = verdict_record(filtered)
    if "resps" in sample:
        raw: str | None = _first_output(sample["resps"], key="resps", where=where)
    else:
        # lmms-eval leaves resps out when it equals filtered_resps: then the filtered output is
        # the raw text (a YAML without our filter); a verdict record means the raw text is lost.
        raw = None if record is not None else filtered
    try:
        verdict = verdict_of(filtered, record)
    except (KeyError, TypeError, ValueError) as error:
        raise RunReadError(f"{where}: filtered_resps[0] is not a readable verdict record ({error!r})") from error
    return LoggedSample(
        path=path,
        line=line,
        task=task,
        doc_id=doc_id,
        presentation=presentation,
        raw_output=raw,
        verdict=verdict,
        policy=policy_of_record(record),
        source=_optional_text(source),
        prompt=prompt if isinstance(prompt := sample.get("input"), str) else None,
    )


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _presentation(target: Any, *, where: str) -> tuple[Presentation, Any]:
    """The presentation a target record describes, and the data source it names (older logs name none)."""
    if not isinstance(target, str):
        raise RunReadError(f"{where}: target must be the JSON case record written by doc_to_target, got {target!r:.80}")
    record = json_object(target, where=where, error=RunReadError, what="target")
    try:
        return presentation_from_record(record), record.get("source")
    except KeyError as error:
        raise RunReadError(f"{where}: target has no {error.args[0]!r}") from error
    except (TypeError, ValueError) as error:
        raise RunReadError(f"{where}: target is not a Med-RewardBench case record: {error}") from error


def read_samples_file(path: Path, task: str | None = None) -> TaskLog:
    """Every sample of one samples log, sorted by ``doc_id``; the task defaults to the one in the file name."""
    if task is None:
        match = SAMPLES_RE.match(path.name)
        if match is None:
            raise RunReadError(f"{path}: not an lmms-eval samples file (<date_id>_samples_<task>.jsonl)")
        task = match["task"]
    samples: list[LoggedSample] = []
    seen: dict[int, int] = {}
    with path.open(encoding="utf-8") as handle:
        for line_number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            sample = parse_sample_line(text, path=path, line=line_number, task=task)
            if sample.doc_id in seen:
                raise RunReadError(
                    f"{path}:{line_number}: doc_id {sample.doc_id} already logged on line {seen[sample.doc_id]}"
                )
            seen[sample.doc_id] = line_number
            samples.append(sample)
    if not samples:
        raise RunReadError(f"{path}: no samples logged")
    return TaskLog(task, path, tuple(sorted(samples, key=lambda sample: sample.doc_id)))


# ---------------------------------------------------------------------------------------
# Runs
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Coverage:
    """How many samples one task's log holds against how many lmms-eval evaluated (``n-samples``)."""

    task: str
    path: Path
    logged: int
    expected: int
    missing_doc_ids: tuple[int, ...]

    def describe(self) -> str:
        shown = ", ".join(map(str, self.missing_doc_ids[:8])) + (" ..." if len(self.missing_doc_ids) > 8 else "")
        missing = f"; missing doc_id {shown}" if shown else ""
        return (
            f"{self.path}: {self.logged} samples logged, but the results file counted {self.expected} "
            f"for task {self.task} (n-samples){missing}"
        )


def expected_samples(results: Mapping[str, Any], task: str) -> int | None:
    """lmms-eval's count of the documents it evaluated for a task (``n-samples`` -> ``effective``)."""
    counts = results.get("n-samples")
    entry = counts.get(task) if isinstance(counts, Mapping) else None
    value = entry.get("effective") if isinstance(entry, Mapping) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def coverage(results: Mapping[str, Any] | None, logs: Iterable[TaskLog]) -> tuple[Coverage, ...]:
    """The logs that do not cover every document the results file counted (a log cut short, a lost line)."""
    if results is None:
        return ()
    short = []
    for log in logs:
        expected = expected_samples(results, log.task)
        if expected is None or expected == len(log.samples):
            continue
        logged_ids = {sample.doc_id for sample in log.samples}
        missing = tuple(doc_id for doc_id in range(expected) if doc_id not in logged_ids)
        short.append(Coverage(log.task, log.path, len(log.samples), expected, missing))
    return tuple(short)


@dataclass(frozen=True)
class Run:
    """One lmms-eval invocation: its results file (when found) and the samples of its Med-RewardBench tasks."""

    label: str
    date_id: str
    directory: Path
    results_path: Path | None
    results: Mapping[str, Any] | None
    tasks: tuple[TaskLog, ...]  # sorted by task name
    ignored_tasks: tuple[str, ...] = ()  # other tasks of the same run (e.g. a suite's), not scored here
    # Tasks whose log holds fewer (or more) samples than the results file counted; scored only
    # when the caller allowed incomplete logs, and then flagged wherever the run is shown.
    incomplete: tuple[Coverage, ...] = ()

    def task(self, name: str) -> TaskLog:
        for log in self.tasks:
            if log.task == name:
                return log
        raise KeyError(name)

    def logged_metrics(self, task: str) -> dict[str, float]:
        """What lmms-eval reported for a task or group, keys without the ``,<filter>`` suffix."""
        if self.results is None:
            return {}
        section = self.results.get("results", {}).get(task) or self.results.get("groups", {}).get(task) or {}
        return {
            key.split(",", 1)[0]: value
            for key, value in section.items()
            if "," in key and isinstance(value, (int, float)) and not isinstance(value, bool)
        }

    def datasets(self) -> tuple[Dataset, ...]:
        present = {log.dataset for log in self.tasks}
        return tuple(dataset for dataset in ("benchmark", "sample") if dataset in present)

    def pool(self, dataset: Dataset, variant: Variant) -> tuple[LoggedSample, ...]:
        """The samples of every task of one dataset and variant, as one set (organ tasks form the group)."""
        return pool_samples(log for log in self.tasks if log.dataset == dataset and log.variant == variant)


def pool_samples(logs: Iterable[TaskLog]) -> tuple[LoggedSample, ...]:
    """Concatenate task logs (in task-name order), refusing a case presented twice in the same order."""
    pooled: list[LoggedSample] = []
    seen: dict[tuple[str, str, str], LoggedSample] = {}
    for log in sorted(logs, key=lambda log: log.task):
        for sample in log.samples:
            key = (*sample.presentation.case_key, sample.presentation.order)
            if key in seen:
                raise RunReadError(
                    f"{sample.where}: case {sample.presentation.organ}/{sample.presentation.question_id} "
                    f"({sample.presentation.order} order) was already judged at {seen[key].where}"
                )
            seen[key] = sample
            pooled.append(sample)
    return tuple(pooled)


def judgments(samples: Iterable[LoggedSample]) -> list[Judgment]:
    return [sample.judgment for sample in samples]


def _model_args(raw: Any) -> list[tuple[str, str]]:
    if isinstance(raw, Mapping):
        return [(str(key), str(value)) for key, value in raw.items()]
    if not isinstance(raw, str) or not raw.strip():
        return []
    pairs = []
    for part in raw.split(","):
        key, _, value = part.partition("=")
        if key.strip():
            pairs.append((key.strip(), value.strip()))
    return pairs


def model_label(results: Mapping[str, Any]) -> str | None:
    """A readable judge name from a results file: ``qwen2_5_vl (Qwen/Qwen2.5-VL-7B-Instruct)``,
    ``med_rewardbench_baseline (strategy=longer_answer)``. Secrets in ``model_args`` are never shown."""
    config = results.get("config")
    config = config if isinstance(config, Mapping) else {}
    model = config.get("model") or results.get("model_source") or results.get("model_name")
    if not model:
        return None
    args = [(key, value) for key, value in _model_args(config.get("model_args")) if value]
    args = [(key, value) for key, value in args if not any(word in key.lower() for word in _SECRET_WORDS)]
    identity = dict(args)
    for key in _IDENTITY_ARGS:
        if identity.get(key):
            return f"{model} ({identity[key]})"
    if args:
        return f"{model} ({', '.join(f'{key}={value}' for key, value in args)})"
    return str(model)


def _read_results(path: Path) -> Mapping[str, Any]:
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise RunReadError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from error
    if not isinstance(results, dict) or not isinstance(results.get("results"), dict):
        raise RunReadError(f"{path}: not an lmms-eval results file (no 'results' object)")
    return results


def _result_tasks(results: Mapping[str, Any]) -> list[str]:
    """Tasks (not groups) a results file reports."""
    groups = set(results.get("groups") or {})
    groups |= {name for name, members in (results.get("group_subtasks") or {}).items() if members}
    return [name for name in results["results"] if name not in groups]


@dataclass
class _RunFiles:
    results: Path | None = None
    samples: dict[str, Path] = field(default_factory=dict)
    complete: bool = False  # every samples file of the run was collected (a results file or a folder was given)


def _collect(paths: Iterable[Path]) -> dict[tuple[Path, str], _RunFiles]:
    runs: dict[tuple[Path, str], _RunFiles] = {}

    def entry(path: Path, date_id: str) -> _RunFiles:
        return runs.setdefault((path.parent.resolve(), date_id), _RunFiles())

    def add_folder(folder: Path, date_id: str | None) -> None:
        for candidate in sorted(folder.iterdir()):
            match = SAMPLES_RE.match(candidate.name)
            if candidate.is_file() and match and (date_id is None or match["date_id"] == date_id):
                entry(candidate, match["date_id"]).samples[match["task"]] = candidate

    for path in paths:
        if not path.exists():
            raise RunReadError(f"{path}: no such file or directory")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            for candidate in files:
                if match := RESULTS_RE.match(candidate.name):
                    found = entry(candidate, match["date_id"])
                    found.results, found.complete = candidate, True
                elif match := SAMPLES_RE.match(candidate.name):
                    found = entry(candidate, match["date_id"])
                    found.samples[match["task"]] = candidate
                    found.complete = True
            continue
        if match := RESULTS_RE.match(path.name):
            found = entry(path, match["date_id"])
            found.results, found.complete = path, True
            add_folder(path.parent, match["date_id"])
        elif match := SAMPLES_RE.match(path.name):
            found = entry(path, match["date_id"])
            found.samples[match["task"]] = path
            results = path.parent / f"{match['date_id']}_results.json"
            if results.is_file():
                found.results = results
        else:
            raise RunReadError(
                f"{path}: neither an lmms-eval results file (<date_id>_results.json) "
                "nor a samples file (<date_id>_samples_<task>.jsonl)"
            )
    return runs


@dataclass(frozen=True)
class FoundRuns:
    runs: tuple[Run, ...]
    notes: tuple[str, ...]  # what was found but not scored, for the user to see


def find_runs(paths: Sequence[Path], *, allow_incomplete: bool = False) -> FoundRuns:
    """Every run under the given results files, samples files and folders (searched recursively).

    A results file or a folder brings every samples file of its runs; a samples file given on
    its own brings only itself (with its run's results file, when there is one, for the label).
    A run whose results list a Med-RewardBench task with no samples log is refused: its
    numbers could not be recomputed. So is a task whose log holds fewer samples than the
    results file counted (``n-samples``), unless ``allow_incomplete``: then the run is scored
    on what was logged and carries the shortfall in :attr:`Run.incomplete`.
    """
    notes: list[str] = []
    runs: list[Run] = []
    for (directory, date_id), files in sorted(_collect(paths).items(), key=lambda item: (str(item[0][0]), item[0][1])):
        results = _read_results(files.results) if files.results else None
        ours = {task: path for task, path in files.samples.items() if is_benchmark_task(task)}
        ignored = tuple(sorted(set(files.samples) - set(ours)))
        where = files.results or next(iter(files.samples.values()))
        if results is not None and files.complete:
            missing = [task for task in _result_tasks(results) if is_benchmark_task(task) and task not in ours]
            if missing:
                raise RunReadError(
                    f"{files.results}: no samples log for task(s) {', '.join(missing)} "
                    f"(expected {date_id}_samples_<task>.jsonl beside it; run lmms-eval with --log_samples)"
                )
        if not ours:
            if results is not None and any(is_benchmark_task(task) for task in _result_tasks(results)):
                raise RunReadError(f"{where}: no samples logged (run lmms-eval with --log_samples)")
            notes.append(f"{where}: no Med-RewardBench task in this run; not scored")
            continue
        if ignored:
            notes.append(f"run {date_id} in {directory}: other tasks not scored here: {', '.join(ignored)}")
        label = (model_label(results) if results else None) or f"{directory.name} run {date_id}"
        logs = tuple(read_samples_file(ours[task], task) for task in sorted(ours))
        incomplete = coverage(results, logs)
        if incomplete and not allow_incomplete:
            raise RunReadError(
                "incomplete samples log(s), which would be scored as a smaller run:\n  "
                + "\n  ".join(short.describe() for short in incomplete)
                + "\n(rerun the task(s), or pass --allow-incomplete to score what was logged, flagged as incomplete)"
            )
        notes += [f"INCOMPLETE, scored as logged: {short.describe()}" for short in incomplete]
        runs.append(Run(label, date_id, directory, files.results, results, logs, ignored, incomplete))
    if not runs:
        raise RunReadError(f"no Med-RewardBench samples logs found in {', '.join(map(str, paths))}")
    return FoundRuns(tuple(runs), tuple(notes))

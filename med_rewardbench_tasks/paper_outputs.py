"""``med-rewardbench rescore --paper-outputs``: the paper pipeline's output files, scored as the paper scores them.

JSONL rows with ``question_id``, ``modality_type`` (the organ) and ``chosen_answer`` (the raw
output, or an already normalised ``{dimension: "A"/"B"}`` dict), scored against the label
files: every labelled case of an organ that appears in the predictions is in the
denominator, and a missing or unreadable prediction is wrong on all six dimensions (and
counts as a parse failure).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from med_rewardbench_tasks.constants import DIMENSIONS, LABELS_DIR, ORGANS, WINNERS, Dimension, Winner
from med_rewardbench_tasks.formatting import bootstrap_settings, format_metric_table, table_json, text_table
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
from med_rewardbench_tasks.parsing import LoneVerdictPolicy, Verdict, parse_verdict, unreadable_verdict, verdict_status
from med_rewardbench_tasks.parsing.methods import RESCORE_NORMALISED_DICT
from med_rewardbench_tasks.records import Judgment, Presentation, question_id

PAPER_COLUMNS: Final = (*ACCURACY_METRICS, MEAN_ACCURACY_METRIC, PARSE_FAILURE_METRIC)


class PaperOutputError(ValueError):
    """A prediction or label file that cannot be scored honestly; the message names the file and line."""


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
    return Verdict(choices=choices, status=status, method=RESCORE_NORMALISED_DICT, note=note)


def _prediction_verdict(value: Any, *, where: str, policy: LoneVerdictPolicy) -> Verdict:
    if value is None:
        return unreadable_verdict("chosen_answer is null")
    if isinstance(value, str):
        return parse_verdict(value, lone_verdict=policy)
    if isinstance(value, Mapping):
        return verdict_from_dict(value)
    raise PaperOutputError(f"{where}: chosen_answer must be a string, an object or null, got {type(value).__name__}")


def read_paper_outputs(paths: Iterable[Path], policy: LoneVerdictPolicy) -> dict[tuple[str, str], Prediction]:
    predictions: dict[tuple[str, str], Prediction] = {}
    for path in paths:
        if not path.is_file():
            raise PaperOutputError(f"{path}: no such file")
        with path.open(encoding="utf-8") as handle:
            for line_number, text in enumerate(handle, start=1):
                if not text.strip():
                    continue
                where = f"{path}:{line_number}"
                prediction = _read_prediction(text, where=where, policy=policy)
                key = (prediction.organ, prediction.question_id)
                if key in predictions:
                    raise PaperOutputError(
                        f"{where}: question_id {prediction.question_id} of {prediction.organ} "
                        f"already predicted at {predictions[key].where}"
                    )
                predictions[key] = prediction
    return predictions


def _read_prediction(text: str, *, where: str, policy: LoneVerdictPolicy) -> Prediction:
    row = json_object(text, where=where, error=PaperOutputError)
    for key in ("question_id", "modality_type", "chosen_answer"):
        if key not in row:
            raise PaperOutputError(f"{where}: no {key!r}")
    organ = str(row["modality_type"]).strip()
    if organ not in ORGANS:
        raise PaperOutputError(
            f"{where}: modality_type {row['modality_type']!r} is not an organ system ({', '.join(ORGANS)})"
        )
    verdict = _prediction_verdict(row["chosen_answer"], where=where, policy=policy)
    return Prediction(organ, question_id(row["question_id"]), where, verdict)


def label_file(labels_dir: Path, organ: str) -> Path:
    for candidate in (labels_dir / LABELS_DIR / f"{organ}.jsonl", labels_dir / f"{organ}.jsonl"):
        if candidate.is_file():
            return candidate
    raise PaperOutputError(
        f"{labels_dir}: no label file for organ {organ!r} (looked for {LABELS_DIR}/{organ}.jsonl and {organ}.jsonl)"
    )


def read_labels(path: Path) -> dict[str, dict[Dimension, Winner]]:
    from med_rewardbench_tasks.data import DataValidationError, read_label_file, validate_labels

    try:
        raw = read_label_file(path)
        return {qid: validate_labels(labels, where=f"{path}:{line}") for qid, (line, labels) in raw.items()}
    except DataValidationError as error:
        raise PaperOutputError(str(error)) from error


def score_paper_outputs(paths: Sequence[Path], labels_dir: Path, policy: LoneVerdictPolicy) -> PaperResult:
    predictions = read_paper_outputs(paths, policy)
    if not predictions:
        raise PaperOutputError(f"no predictions in {', '.join(map(str, paths))}")
    organs = [organ for organ in ORGANS if any(key[0] == organ for key in predictions)]
    files = {organ: label_file(labels_dir, organ) for organ in organs}
    labels = {organ: read_labels(files[organ]) for organ in organs}
    for (organ, qid), prediction in predictions.items():
        if qid not in labels[organ]:
            raise PaperOutputError(f"{prediction.where}: question_id {qid} has no label in {files[organ]}")
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
            text_table(headers, rows, indent=""),
            "",
            f"All organs, with {level}% case-resampling bootstrap intervals ({BOOTSTRAP_REPLICATES} replicates, "
            f"seed {BOOTSTRAP_SEED}):",
            format_metric_table(result.all),
            "    verdicts: " + ", ".join(f"{status} {count}" for status, count in sorted(result.statuses.items())),
        ]
    )

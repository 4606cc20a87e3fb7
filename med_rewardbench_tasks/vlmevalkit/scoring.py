"""Scoring a VLMEvalKit prediction file: every prediction parsed, the metrics per organ system, files beside it.

No judge model is called: the verdict parser reads each ``prediction`` and the expert labels come
from the file itself (the dataset's TSV columns travel with the predictions).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from med_rewardbench_tasks.constants import DIMENSIONS
from med_rewardbench_tasks.jsonio import json_object, json_value
from med_rewardbench_tasks.metric_names import HEADLINE_METRICS, MEAN_ACCURACY_METRIC
from med_rewardbench_tasks.parsing import DEFAULT_LONE_VERDICT

from .tsv import LABEL_COLUMN, FileFormatError

if TYPE_CHECKING:
    import pandas as pd

    from med_rewardbench_tasks.parsing import LoneVerdictPolicy, Verdict
    from med_rewardbench_tasks.records import Judgment

PREDICTION_COLUMN: Final = "prediction"
# Columns evaluate() needs in a prediction file (VLMEvalKit drops `image` from it).
PREDICTION_FILE_COLUMNS: Final = ("index", "question_id", "organ", "answer1_text", "answer2_text", LABEL_COLUMN)

ALL_CASES_ROW: Final = "all"
SCORE_SUFFIX: Final = "_acc"
VERDICTS_SUFFIX: Final = "_verdicts"
SCORE_COLUMNS: Final = ("organ", "n_cases", *HEADLINE_METRICS)
PRIMARY_METRIC: Final = MEAN_ACCURACY_METRIC


class PredictionFileError(FileFormatError):
    """A prediction file cannot be scored."""


# Formats whose reading cannot run code from the file. A pickle can (unpickling calls whatever the file names).
PREDICTION_FILE_TYPES: Final = (".xlsx", ".tsv", ".csv", ".json", ".jsonl")
PICKLE_FILE_TYPES: Final = (".pkl", ".pickle")


def _json_records(file: Path, suffix: str) -> list[Any]:
    text = file.read_text(encoding="utf-8")
    if suffix == ".json":
        records = json_value(text, where=str(file), error=PredictionFileError)
        return records if isinstance(records, list) else [records]
    return [
        json_object(line, where=f"{file} line {number}", error=PredictionFileError)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]


def read_prediction_file(path: str | os.PathLike[str]) -> pd.DataFrame:
    """A VLMEvalKit prediction file: ``.xlsx`` (its default), ``.tsv``/``.json`` (``PRED_FORMAT``), ``.csv``/``.jsonl``.

    Pickles are refused, never opened: reading one runs code named in the file.
    """
    import pandas as pd

    file = Path(path)
    suffix = file.suffix.lower()
    if suffix in PICKLE_FILE_TYPES:
        raise PredictionFileError(
            f"{file}: a pickle is not read, because reading one runs code stored in the file. Score a prediction "
            "file VLMEvalKit writes as .xlsx (its default), .tsv or .json (PRED_FORMAT=tsv or json), or .csv/.jsonl; "
            "if you trust where this pickle came from, convert it yourself, e.g. "
            f"pandas.read_pickle('{file}').to_excel('{file.with_suffix('.xlsx')}', index=False)"
        )
    if suffix == ".xlsx":
        frame = pd.read_excel(file)
    elif suffix in {".tsv", ".csv"}:  # a reply such as "NA" stays text
        frame = pd.read_csv(file, sep="\t" if suffix == ".tsv" else ",", keep_default_na=False)
    elif suffix in {".json", ".jsonl"}:
        frame = pd.DataFrame(_json_records(file, suffix))
    else:
        raise PredictionFileError(
            f"{file}: unknown prediction file type {suffix!r} (expected {', '.join(PREDICTION_FILE_TYPES)})"
        )
    missing = [column for column in (*PREDICTION_FILE_COLUMNS, PREDICTION_COLUMN) if column not in frame.columns]
    if missing:
        raise PredictionFileError(
            f"{file}: missing column(s) {', '.join(missing)}; a Med-RewardBench prediction file has the dataset's "
            f"TSV columns plus '{PREDICTION_COLUMN}'"
        )
    return frame


def _cell_text(value: Any) -> str:
    """A cell as text: spreadsheets give NaN for empty cells and floats for numbers."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def judgments_from_predictions(
    frame: pd.DataFrame, *, lone_verdict: LoneVerdictPolicy = DEFAULT_LONE_VERDICT, where: str = "predictions"
) -> tuple[list[Judgment], list[Verdict]]:
    """Parse every prediction and pair it with its case; the expert labels come from the file itself."""
    from med_rewardbench_tasks.data import validate_labels
    from med_rewardbench_tasks.parsing import parse_verdict
    from med_rewardbench_tasks.records import Judgment, presentation_of

    judgments: list[Judgment] = []
    verdicts: list[Verdict] = []
    for row_number, row in enumerate(frame.to_dict("records")):
        qid = _cell_text(row["question_id"]).strip()
        labels = validate_labels(
            _cell_text(row[LABEL_COLUMN]), where=f"{where} row {row_number} (index {_cell_text(row['index'])})"
        )
        doc = {
            "question_id": qid,
            "modality_type": _cell_text(row["organ"]).strip(),
            "answer1_text": _cell_text(row["answer1_text"]),
            "answer2_text": _cell_text(row["answer2_text"]),
            "human_answer": labels,
            "swapped": False,
            "department": (_cell_text(row["department"]) or None) if "department" in row else None,
        }
        verdict = parse_verdict(_cell_text(row[PREDICTION_COLUMN]), lone_verdict=lone_verdict)
        judgments.append(Judgment.from_verdict(presentation_of(doc), verdict))
        verdicts.append(verdict)
    return judgments, verdicts


def score_table(judgments: Sequence[Judgment]) -> pd.DataFrame:
    """One row for all cases, then one per organ system (canonical order): n_cases and the headline metrics."""
    import pandas as pd

    from med_rewardbench_tasks.metrics import metric_table, tables_by_organ

    tables = [
        (ALL_CASES_ROW, metric_table(judgments, intervals_for=())),
        *tables_by_organ(judgments, intervals_for=()).items(),
    ]
    rows = [
        {"organ": name, "n_cases": table.n_cases, **{m: table.value(m) for m in HEADLINE_METRICS}}
        for name, table in tables
    ]
    return pd.DataFrame(rows, columns=list(SCORE_COLUMNS))


def verdict_table(frame: pd.DataFrame, judgments: Sequence[Judgment], verdicts: Sequence[Verdict]) -> pd.DataFrame:
    """Per case: what the parser read (status, method, the six picks, its note) beside the experts' winners."""
    import pandas as pd

    rows = []
    for index, judgment, verdict in zip(frame["index"], judgments, verdicts, strict=True):
        row: dict[str, Any] = {
            "index": index,
            "organ": judgment.presentation.organ,
            "question_id": judgment.presentation.question_id,
            "status": verdict.status,
            "method": verdict.method,
        }
        for dimension in DIMENSIONS:
            row[f"judge_{dimension}"] = verdict.choices.get(dimension) or ""
            row[f"expert_{dimension}"] = judgment.presentation.expert[dimension]
        row["reason"] = verdict.reason or ""
        row["note"] = verdict.note or ""
        rows.append(row)
    return pd.DataFrame(rows)


def result_file(eval_file: str | os.PathLike[str], suffix: str, extension: str) -> Path:
    """A file next to the prediction file, named as VLMEvalKit names its intermediate files."""
    file = Path(eval_file)
    return file.with_name(f"{file.stem}{suffix}.{extension}")


def _dump(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix == ".json":
        path.write_text(json.dumps(frame.to_dict("records"), indent=2, ensure_ascii=False), encoding="utf-8")
    else:
        frame.to_csv(path, index=False, encoding="utf-8")


def evaluate_predictions(
    eval_file: str | os.PathLike[str], *, lone_verdict: LoneVerdictPolicy = DEFAULT_LONE_VERDICT
) -> pd.DataFrame:
    """Score a VLMEvalKit prediction file; write ``<stem>_acc.csv`` (metrics) and ``<stem>_verdicts.csv`` (per case).

    The score file is ``.json`` instead when VLMEvalKit's ``EVAL_FORMAT=json`` is set.
    Returns the metrics table (row ``all``, then one per organ system).
    """
    frame = read_prediction_file(eval_file)
    judgments, verdicts = judgments_from_predictions(frame, lone_verdict=lone_verdict, where=str(eval_file))
    if not judgments:
        raise PredictionFileError(f"{eval_file}: no predictions")
    scores = score_table(judgments)
    extension = "json" if os.environ.get("EVAL_FORMAT", "").strip().lower() == "json" else "csv"
    _dump(scores, result_file(eval_file, SCORE_SUFFIX, extension))
    _dump(verdict_table(frame, judgments, verdicts), result_file(eval_file, VERDICTS_SUFFIX, "csv"))
    return scores


def primary_metric(scores: pd.DataFrame) -> dict[str, float]:
    """The headline number VLMEvalKit's run summary shows: mean accuracy over all cases."""
    row = scores[scores["organ"] == ALL_CASES_ROW]
    if row.empty:
        return {}
    return {f"organ={ALL_CASES_ROW}|{PRIMARY_METRIC}": float(row.iloc[0][PRIMARY_METRIC])}

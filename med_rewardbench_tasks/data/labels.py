"""The expert labels: six A/B winners per case, read from a record or a label file and checked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from med_rewardbench_tasks.constants import DIMENSIONS, WINNERS, Dimension, Winner
from med_rewardbench_tasks.jsonio import json_object
from med_rewardbench_tasks.records import question_id

from .model import EMBEDDED_LABEL_COLUMN, DataValidationError

if TYPE_CHECKING:
    from .tables import TableRow


def validate_labels(raw: Any, *, where: str) -> dict[Dimension, Winner]:
    """Six A/B winners from a raw ``human_answer`` (a dict, or a JSON string of one); no other keys."""
    if isinstance(raw, str):
        raw = json_object(raw, where=where, error=DataValidationError, what=EMBEDDED_LABEL_COLUMN)
    if not isinstance(raw, Mapping):
        raise DataValidationError(f"{where}: human_answer must map the six dimensions to A/B, got {type(raw).__name__}")
    unknown = [key for key in raw if key not in DIMENSIONS]
    if unknown:
        raise DataValidationError(
            f"{where}: human_answer has unknown key {unknown[0]!r}"
            + (f" (and {', '.join(map(repr, unknown[1:]))})" if unknown[1:] else "")
            + f"; expected exactly {', '.join(DIMENSIONS)}"
        )
    labels: dict[Dimension, Winner] = {}
    for dimension in DIMENSIONS:
        if raw.get(dimension) is None:
            raise DataValidationError(f"{where}: human_answer has no label for dimension {dimension!r}")
        value = str(raw[dimension]).strip().upper()
        if value not in WINNERS:
            raise DataValidationError(
                f"{where}: human_answer[{dimension!r}] is {raw[dimension]!r}; expert labels must be 'A' or 'B'"
            )
        labels[dimension] = value  # type: ignore[assignment]
    return labels


def label_records(rows: Iterable[TableRow]) -> dict[str, tuple[TableRow, Any]]:
    """``question_id`` -> (its row, raw ``human_answer``); refuses records without either, and duplicates."""
    labels: dict[str, tuple[TableRow, Any]] = {}
    for row in rows:
        if row.values.get("question_id") is None:
            raise DataValidationError(f"{row.where}: expected an object with a question_id")
        qid = question_id(row.values["question_id"])
        if qid in labels:
            first = labels[qid][0]
            said = f"line {first.number}" if first.line_numbered else first.where
            raise DataValidationError(f"{row.where}: duplicate question_id {qid} (first on {said})")
        if EMBEDDED_LABEL_COLUMN not in row.values:
            raise DataValidationError(f"{row.where}: question_id {qid} has no {EMBEDDED_LABEL_COLUMN}")
        labels[qid] = (row, row.values[EMBEDDED_LABEL_COLUMN])
    return labels


def read_label_file(path: Path) -> dict[str, tuple[int, Any]]:
    """``question_id`` -> (line or record number, raw ``human_answer``) from a local .jsonl or .json label file."""
    from .layout import FileSet
    from .sources import Snapshot
    from .tables import iter_rows

    path = Path(path)
    snapshot = Snapshot("local", path.parent.absolute(), (path.name,))
    records = label_records(iter_rows(snapshot, FileSet((path.name,), "json", None)))
    return {qid: (row.number, raw) for qid, (row, raw) in records.items()}

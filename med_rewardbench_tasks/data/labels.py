"""The expert labels: six A/B winners per case, read from a record or a label file and checked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from med_rewardbench_tasks.constants import DIMENSIONS, WINNERS, Dimension, Winner
from med_rewardbench_tasks.jsonio import json_value
from med_rewardbench_tasks.records import question_id

from .model import EMBEDDED_LABEL_COLUMN, DataValidationError

if TYPE_CHECKING:
    from .tables import TableRow


def validate_labels(raw: Any, *, where: str) -> dict[Dimension, Winner]:
    """Six A/B winners from a raw ``human_answer`` (a dict, or a JSON string of one); no other keys.

    Keys match the dimensions whatever their case (``Accuracy``); a dimension given twice is refused.
    """
    if isinstance(raw, str):
        try:
            raw = json_value(raw, where=where, error=DataValidationError, what=EMBEDDED_LABEL_COLUMN)
        except DataValidationError as error:
            shown = raw if len(raw) <= 40 else raw[:37] + "..."
            raise DataValidationError(
                f"{where}: human_answer is the text {shown!r}, not a JSON object mapping each of "
                f"{', '.join(DIMENSIONS)} to 'A' or 'B' ({error.args[0].rpartition(': ')[2]})"
            ) from error
    if not isinstance(raw, Mapping):
        raise DataValidationError(f"{where}: human_answer must map the six dimensions to A/B, got {type(raw).__name__}")
    key_of: dict[str, Any] = {}
    unknown: list[str] = []
    for key in raw:
        dimension = key.strip().lower() if isinstance(key, str) else key
        if dimension not in DIMENSIONS:
            unknown.append(key)
        elif dimension in key_of:
            raise DataValidationError(
                f"{where}: human_answer has unknown key {key!r} (it repeats dimension {dimension!r}, given by "
                f"{key_of[dimension]!r}); give each dimension once"
            )
        else:
            key_of[dimension] = key
    if unknown:
        raise DataValidationError(
            f"{where}: human_answer has unknown key {unknown[0]!r}"
            + (f" (and {', '.join(map(repr, unknown[1:]))})" if unknown[1:] else "")
            + f"; expected exactly {', '.join(DIMENSIONS)}"
        )
    labels: dict[Dimension, Winner] = {}
    for dimension in DIMENSIONS:
        value = raw.get(key_of[dimension]) if dimension in key_of else None
        if value is None:
            raise DataValidationError(f"{where}: human_answer has no label for dimension {dimension!r}")
        winner = str(value).strip().upper()
        if winner not in WINNERS:
            raise DataValidationError(
                f"{where}: human_answer[{dimension!r}] is {value!r}; expert labels must be 'A' or 'B'"
            )
        labels[dimension] = winner  # type: ignore[assignment]
    return labels


def dimension_columns(columns: Iterable[str]) -> dict[Dimension, str]:
    """The six dimensions as columns of their own (``accuracy``, ``Relevance``, ...), if all six are there."""
    found: dict[str, str] = {}
    for column in columns:
        if isinstance(column, str) and column.strip().lower() in DIMENSIONS:
            found.setdefault(column.strip().lower(), column)
    return found if len(found) == len(DIMENSIONS) else {}  # type: ignore[return-value]


def embedded_labels(values: Mapping[str, Any], *, where: str) -> Any:
    """The raw labels a row carries: its ``human_answer``, else the six dimensions as columns; None if neither.

    A row with both must have the same winners in both.
    """
    columns = dimension_columns(values)
    as_columns = {dimension: values[column] for dimension, column in columns.items()} if columns else None
    if EMBEDDED_LABEL_COLUMN not in values:
        return as_columns
    raw = values[EMBEDDED_LABEL_COLUMN]
    if as_columns is not None and validate_labels(raw, where=where) != validate_labels(as_columns, where=where):
        raise DataValidationError(
            f"{where}: the {EMBEDDED_LABEL_COLUMN} column and the columns {', '.join(columns.values())} disagree"
        )
    return raw


def label_records(rows: Iterable[TableRow]) -> dict[str, tuple[TableRow, Any]]:
    """``question_id`` -> (its row, raw labels); refuses records without either, and duplicates."""
    labels: dict[str, tuple[TableRow, Any]] = {}
    for row in rows:
        if row.values.get("question_id") is None:
            raise DataValidationError(f"{row.where}: expected an object with a question_id")
        qid = question_id(row.values["question_id"])
        if qid in labels:
            first = labels[qid][0]
            said = f"line {first.number}" if first.line_numbered else first.where
            raise DataValidationError(f"{row.where}: duplicate question_id {qid} (first on {said})")
        raw = embedded_labels(row.values, where=f"{row.where} (question_id {qid})")
        if raw is None:
            raise DataValidationError(
                f"{row.where}: question_id {qid} has no {EMBEDDED_LABEL_COLUMN} (nor the six dimensions "
                f"{', '.join(DIMENSIONS)} as fields)"
            )
        labels[qid] = (row, raw)
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

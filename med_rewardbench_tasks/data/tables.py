"""Reading rows of the dataset's tables (parquet, JSON Lines, JSON) with bounded memory.

Parquet is streamed a few rows at a time (``pre_buffer`` off, small batches), so a table
of all organs is never held whole: at the benchmark's size its images are hundreds of MiB.
Only the columns the benchmark uses are read. JSON Lines are read line by line with a
cap on a line's length, JSON files whole with a cap on their size, so a damaged or
hostile file ends in an error naming it rather than in exhausted memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from .layout import FileSet, organ_of
from .model import DataValidationError

if TYPE_CHECKING:
    from med_rewardbench_tasks.constants import Organ

    from .sources import Snapshot

ORGAN_COLUMNS: Final = ("modality_type", "organ")
MAX_JSON_LINE_BYTES: Final = 64 * 1024 * 1024
MAX_JSON_FILE_BYTES: Final = 512 * 1024 * 1024
_PARQUET_BATCH_ROWS: Final = 16
_PARQUET_READ_BUFFER: Final = 4 * 1024 * 1024


@dataclass(frozen=True)
class TableRow:
    """One row, with where it came from (for messages and for image paths relative to its file)."""

    file: str  # path relative to the dataset root
    shown: str  # how messages name the file
    number: int  # 0-based row in the file (the line number, 1-based, for JSON Lines)
    line_numbered: bool
    values: dict[str, Any]

    @property
    def where(self) -> str:
        return f"{self.shown}:{self.number}" if self.line_numbered else f"{self.shown} row {self.number}"


def table_columns(snapshot: Snapshot, file_set: FileSet) -> list[str]:
    """The column names of a set's first file (the first record's keys for JSON)."""
    first = file_set.paths[0]
    if file_set.family == "parquet":
        return list(_parquet_file(snapshot, first).schema_arrow.names)
    for row in _json_rows(snapshot, first):
        return list(row.values)
    return []


def iter_rows(
    snapshot: Snapshot,
    file_set: FileSet,
    *,
    columns: Sequence[str] | None = None,
    organ: Organ | None = None,
) -> Iterator[TableRow]:
    """Rows of every file of the set, in order; with ``organ``, only rows whose organ column names it."""
    missing = file_set.missing_shards()
    if missing:
        raise DataValidationError(
            f"{snapshot.display(file_set.paths[0])}: shard(s) {', '.join(f'{i:05d}' for i in missing)} "
            f"of {file_set.shard_count} are missing"
        )
    for path in file_set.paths:
        if file_set.family == "parquet":
            rows = _parquet_rows(snapshot, path, columns, organ)
        else:
            rows = (row for row in _json_rows(snapshot, path) if organ is None or _row_organ(row) == organ)
        yield from rows


def organ_column(names: Sequence[str]) -> str | None:
    return next((column for column in ORGAN_COLUMNS if column in names), None)


def _row_organ(row: TableRow) -> Organ | None:
    column = organ_column(list(row.values))
    return organ_of(row.values.get(column)) if column else None


def _parquet_file(snapshot: Snapshot, path: str) -> Any:
    import pyarrow.parquet as pq

    from .sources import check_regular_file

    local = snapshot.fetch(path)
    shown = snapshot.display(path)
    check_regular_file(local, shown=shown)
    try:
        return pq.ParquetFile(local, pre_buffer=False, buffer_size=_PARQUET_READ_BUFFER)
    except Exception as error:  # pyarrow raises several unrelated types for corrupt files
        raise DataValidationError(f"{shown}: not a readable parquet file ({type(error).__name__}: {error})") from error


def _parquet_rows(
    snapshot: Snapshot, path: str, columns: Sequence[str] | None, organ: Organ | None
) -> Iterator[TableRow]:
    import pyarrow as pa

    parquet = _parquet_file(snapshot, path)
    shown = snapshot.display(path)
    names = parquet.schema_arrow.names
    selected = [name for name in names if columns is None or name in columns]
    selector = organ_column(names) if organ is not None else None
    if organ is not None and selector is None:
        raise DataValidationError(
            f"{shown}: this table holds no organ system's name in its file name, so it needs a "
            f"{' or '.join(ORGAN_COLUMNS)} column to tell the organs apart"
        )
    offset = 0
    try:
        for batch in parquet.iter_batches(batch_size=_PARQUET_BATCH_ROWS, columns=selected):
            numbers = list(range(offset, offset + batch.num_rows))
            offset += batch.num_rows
            if selector is not None:
                keep = [organ_of(value) == organ for value in batch.column(selector).to_pylist()]
                if not any(keep):
                    continue  # the images of other organs never become Python objects
                batch = batch.filter(pa.array(keep))
                numbers = [number for number, kept in zip(numbers, keep, strict=True) if kept]
            for number, values in zip(numbers, batch.to_pylist(), strict=True):
                yield TableRow(path, shown, number, False, values)
    except DataValidationError:
        raise
    except Exception as error:
        raise DataValidationError(f"{shown}: not a readable parquet file ({type(error).__name__}: {error})") from error


def _json_rows(snapshot: Snapshot, path: str) -> Iterator[TableRow]:
    from .image_checks import read_bounded
    from .sources import check_regular_file

    local = snapshot.fetch(path)
    shown = snapshot.display(path)
    check_regular_file(local, shown=shown)
    if path.lower().endswith(".jsonl"):
        yield from _json_lines(local, path, shown)
        return
    text = read_bounded(local, limit=MAX_JSON_FILE_BYTES, what="JSON file", where=shown)
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as error:
        raise DataValidationError(f"{shown}: not valid JSON ({error})") from error
    if isinstance(document, dict) and all(isinstance(value, dict) for value in document.values()):
        # {"<question_id>": {"accuracy": "A", ...}, ...}: a label file keyed by id
        records: list[Any] = [{"question_id": key, "human_answer": value} for key, value in document.items()]
    elif isinstance(document, list):
        records = document
    else:
        raise DataValidationError(
            f"{shown}: expected a JSON list of records, or an object mapping question_id to human_answer"
        )
    for number, record in enumerate(records):
        if not isinstance(record, dict):
            raise DataValidationError(f"{shown} record {number}: expected an object, got {type(record).__name__}")
        yield TableRow(path, shown, number, False, record)


def _json_lines(local: Any, path: str, shown: str) -> Iterator[TableRow]:
    from med_rewardbench_tasks.jsonio import json_object

    with open(local, "rb") as handle:
        number = 0
        while True:
            raw = handle.readline(MAX_JSON_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_JSON_LINE_BYTES:
                raise DataValidationError(f"{shown}:{number}: line longer than {MAX_JSON_LINE_BYTES:,} bytes")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                raise DataValidationError(f"{shown}:{number}: not UTF-8 ({error.reason})") from error
            if not line.strip():
                continue
            record = json_object(line, where=f"{shown}:{number}", error=DataValidationError)
            yield TableRow(path, shown, number, True, record)

"""Reading rows of the dataset's tables (parquet, JSON Lines, JSON) with bounded memory.

Parquet is streamed a few rows at a time (``pre_buffer`` off, small batches), so a table
of all organs is never held whole: at the benchmark's size its images are hundreds of MiB.
Only the columns the benchmark uses are read. JSON Lines are read line by line with a
cap on a line's length, JSON files whole with a cap on their size, so a damaged or
hostile file ends in an error naming it rather than in exhausted memory.
"""

from __future__ import annotations

import codecs
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from .layout import FileSet, organ_of
from .model import EMBEDDED_LABEL_COLUMN, DataValidationError

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
    except json.JSONDecodeError as error:
        if error.msg != "Extra data":
            raise DataValidationError(f"{shown}: not valid JSON ({error})") from error
        # More than one value: JSON Lines under a .json name, as datasets' Dataset.to_json writes it.
        yield from _lines(io.BytesIO(text), path, shown)
        return
    except (ValueError, UnicodeDecodeError) as error:
        raise DataValidationError(f"{shown}: not valid JSON ({error})") from error
    for number, record in enumerate(_json_records(document, shown)):
        if not isinstance(record, dict):
            raise DataValidationError(f"{shown} record {number}: expected an object, got {type(record).__name__}")
        yield TableRow(path, shown, number, False, record)


def _json_records(document: Any, shown: str) -> list[Any]:
    """The records of a JSON document, in each shape that says unambiguously what its rows are.

    * a list of records;
    * columns: ``{"question_id": [...], "question": [...], ...}`` (lists of one length), or as
      pandas' ``to_json()`` writes them, ``{"question_id": {"0": ..., "1": ...}, ...}``;
    * records under one key beside values that are no lists: ``{"version": 1, "data": [...]}``;
    * one record: ``{"question_id": 7, ...}`` (one file per case, read as the shards of its folder);
    * records keyed by anything (pandas' ``orient="index"``): ``{"0": {"question_id": ...}, ...}``;
    * labels keyed by ``question_id``: ``{"<id>": {"accuracy": "A", ...}}`` or ``{"<id>": {"human_answer": ...}}``.
    """
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and document:
        if "question_id" in document and not isinstance(document["question_id"], (list, dict)):
            return [document]  # one record (a file per case, or a table of one)
        values = list(document.values())
        lists = [value for value in values if isinstance(value, list)]
        if len(lists) == len(values) and len({len(value) for value in lists}) == 1 and "question_id" in document:
            return [dict(zip(document, row, strict=True)) for row in zip(*lists, strict=True)]
        if len(lists) == 1 and lists[0] and all(isinstance(item, dict) for item in lists[0]):
            return lists[0]
        if all(isinstance(value, dict) for value in values):
            if "question_id" in document:  # columns, each keyed by the row's index
                index = list(document["question_id"])
                return [{column: document[column].get(key) for column in document} for key in index]
            if all("question_id" in value for value in values):
                return values
            return [
                {"question_id": key, **value}
                if EMBEDDED_LABEL_COLUMN in value
                else {"question_id": key, EMBEDDED_LABEL_COLUMN: value}
                for key, value in document.items()
            ]
    keys = ", ".join(map(repr, list(document)[:8])) if isinstance(document, dict) else ""
    raise DataValidationError(
        f"{shown}: a JSON {type(document).__name__}{f' with keys {keys}' if keys else ''} is no table. Expected a list "
        f"of records, columns holding lists of one length (with a question_id column), one key holding the list of "
        f"records, or an object mapping question_id to its labels; or write the table as JSON Lines (.jsonl)"
    )


def _json_lines(local: Any, path: str, shown: str) -> Iterator[TableRow]:
    with open(local, "rb") as handle:
        yield from _lines(handle, path, shown)


def _lines(handle: BinaryIO, path: str, shown: str) -> Iterator[TableRow]:
    """Records of a JSON Lines stream, one object a line (blank lines skipped, and a leading BOM)."""
    from med_rewardbench_tasks.jsonio import json_object

    number = 0
    while True:
        raw = handle.readline(MAX_JSON_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_JSON_LINE_BYTES:
            raise DataValidationError(f"{shown}:{number}: line longer than {MAX_JSON_LINE_BYTES:,} bytes")
        if number == 1 and raw.startswith(codecs.BOM_UTF8):  # saved by an editor that marks UTF-8 files
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise DataValidationError(f"{shown}:{number}: not UTF-8 ({error.reason})") from error
        if not line.strip():
            continue
        record = json_object(line, where=f"{shown}:{number}", error=DataValidationError)
        yield TableRow(path, shown, number, True, record)

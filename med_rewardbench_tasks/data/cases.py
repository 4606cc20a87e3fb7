"""Reading one organ system's validated cases out of a snapshot, and the checks across organs.

:func:`load_plan` joins an organ's cases with its labels and checks every field (the rules
are in the docstring of :mod:`med_rewardbench_tasks.data`); :func:`checked_organs` compares
the ids of all organs once per version of the data. :func:`layout_of` is the discovery
result of a snapshot, computed once and logged.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from med_rewardbench_tasks.constants import ORGANS, Organ
from med_rewardbench_tasks.records import question_id

from .labels import dimension_columns, embedded_labels, label_records, validate_labels
from .model import EMBEDDED_LABEL_COLUMN, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, Case, DataValidationError, announce

if TYPE_CHECKING:
    from .layout import FileSet, Layout, OrganPlan
    from .sources import Snapshot
    from .tables import TableRow

_CARD_BYTES: Final = 1024 * 1024
_ABSOLUTE_PATH: Final = re.compile(r"^(?:[/\\]|[A-Za-z]:)")
_BASE64: Final = re.compile(r"[A-Za-z0-9+/\s]+={0,2}")
_DATA_URI: Final = re.compile(r"data:image/[\w.+-]+;base64,", re.IGNORECASE)
TEXT_COLUMNS: Final = ("question", "answer1_text", "answer2_text")
IMAGE_COLUMN: Final = "image"
# Where datasets' ImageFolder metadata files name each image: a path relative to the metadata file.
IMAGE_PATH_COLUMNS: Final = ("file_name", "image_file_name")
_MIN_BASE64_CHARS: Final = 256


# ---------------------------------------------------------------------------------------
# Snapshots and their layout (cached per version of the data)
# ---------------------------------------------------------------------------------------
_layouts: dict[Snapshot, Layout] = {}
_benchmark_organs: dict[Snapshot, list[Organ]] = {}


def layout_of(snapshot: Snapshot) -> Layout:
    from .image_checks import read_bounded
    from .layout import CARD_FILE, discover

    if snapshot not in _layouts:
        card = None
        if CARD_FILE in snapshot.files:
            raw = read_bounded(
                snapshot.fetch(CARD_FILE), limit=_CARD_BYTES, what="dataset card", where=snapshot.describe()
            )
            card = raw.decode("utf-8", errors="replace")
        layout = discover(snapshot.files, where=snapshot.describe(), card_text=card)
        if layout.shared_json_tables:
            tables = tuple(s for s in layout.shared_json_tables if _may_hold_cases(snapshot, s))
            layout = dataclasses.replace(layout, shared_json_tables=tables)
        _layouts[snapshot] = layout
        origin = f" (from the Hugging Face cache: {snapshot.from_cache_because})" if snapshot.from_cache_because else ""
        revision = f", revision {snapshot.revision} = commit {snapshot.commit}" if snapshot.commit else ""
        announce(f"Med-RewardBench data: {snapshot.describe()}{revision}{origin}")
    return _layouts[snapshot]


def _may_hold_cases(snapshot: Snapshot, file_set: FileSet) -> bool:
    """Whether a JSON(L) file of no organ has a case's text columns (else it is labels, or no table at all).

    One that is no table of records (``{"built": "today"}``) or no JSON holds no cases; if the
    cases were meant to be there, the error that finds none lists the dataset's files.
    """
    from .tables import table_columns

    try:
        columns = table_columns(snapshot, file_set)
    except DataValidationError:
        return False
    return all(column in columns for column in TEXT_COLUMNS)


def checked_organs(snapshot: Snapshot, layout: Layout) -> list[Organ]:
    """The organ systems the data holds, after checking that no question_id is in two of them.

    Each organ task loads its own organ, and the group only sees its subtasks' results, so
    the one place that sees the whole benchmark is here: the ids of every organ's cases
    (only that column is read) are compared once per version of the data.
    """
    if snapshot in _benchmark_organs:
        return _benchmark_organs[snapshot]
    from .layout import organ_of
    from .tables import ORGAN_COLUMNS, iter_rows, organ_column

    first_seen: dict[str, tuple[Organ, str]] = {}

    def record(qid: str, organ: Organ, where: str) -> None:
        earlier = first_seen.setdefault(qid, (organ, where))
        if earlier[0] != organ:
            raise DataValidationError(
                f"question_id {qid} is in two organ systems: {earlier[0]} ({earlier[1]}) and {organ} ({where}). "
                f"Every case needs its own id across the benchmark, or it is judged and counted twice"
            )

    organs = layout.organs()
    for organ in organs:
        plan = layout.plan(organ)
        for row in iter_rows(snapshot, plan.cases, columns=("question_id", *ORGAN_COLUMNS), organ=_shared(plan)):
            if row.values.get("question_id") is not None:
                record(question_id(row.values["question_id"]), organ, row.where)
    shared = layout.shared_table()
    if shared is not None:
        for row in iter_rows(snapshot, shared, columns=("question_id", *ORGAN_COLUMNS)):
            column = organ_column(list(row.values))
            organ = organ_of(row.values.get(column)) if column else None
            if column is None or organ is None:
                raise DataValidationError(
                    f"{row.where}: {column or ' or '.join(ORGAN_COLUMNS)} is {row.values.get(column or '')!r}, "
                    f"not one of the organ systems ({', '.join(ORGANS)})"
                )
            if organ in organs:
                continue  # that organ has files of its own; the shared table's rows of it are not read
            if row.values.get("question_id") is not None:
                record(question_id(row.values["question_id"]), organ, row.where)
    found = sorted({organ for organ, _ in first_seen.values()} | set(organs), key=ORGANS.index)
    _benchmark_organs[snapshot] = found
    return found


def _shared(plan: OrganPlan) -> Organ | None:
    return plan.organ if plan.shared else None


# ---------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------
def _leaves(relative: str) -> bool:
    return relative == ".." or relative.startswith("../")


def _image_from_path(snapshot: Snapshot, table_file: str, value: str, known: frozenset[str], where: str) -> bytes:
    """An image named by a path relative to the table that names it, or else to the dataset's root.

    The path must stay in the dataset. When both readings name a file, which one was meant
    cannot be told: that is an error naming both.
    """
    from .image_checks import MAX_IMAGE_FILE_BYTES, read_bounded

    if _ABSOLUTE_PATH.match(value) or "\0" in value:
        raise DataValidationError(
            f"{where}: image path {value!r} is absolute; an image path must be relative to the file that names it "
            f"(or to the dataset's root), inside the dataset"
        )
    posix = value.replace("\\", "/")
    from_file = posixpath.normpath(posixpath.join(posixpath.dirname(table_file), posix))
    if _leaves(from_file):
        raise DataValidationError(f"{where}: image path {value!r} leaves the dataset folder")
    from_root = posixpath.normpath(posix)
    tried = [from_file] + ([from_root] if from_root != from_file and not _leaves(from_root) else [])
    if snapshot.kind == "hub":
        present = [relative for relative in tried if relative in known]
    else:
        present = [relative for relative in tried if os.path.lexists(snapshot.root / relative)]
    if len(present) > 1:
        raise DataValidationError(
            f"{where}: image path {value!r} names two files, {present[0]} (relative to {table_file}) and "
            f"{present[1]} (relative to the dataset's root); move or rename one, so that the path names one file"
        )
    if not present:
        raise DataValidationError(
            f"{where}: image {' or '.join(tried)} is not a file of {snapshot.describe()} (image paths are relative to "
            f"the file that names them, {table_file}, or to the dataset's root)"
        )
    relative = present[0]
    if snapshot.kind == "hub":
        local = snapshot.fetch(relative)
    else:
        local = snapshot.root / relative
        real, inside = os.path.realpath(local), os.path.realpath(snapshot.root)
        if os.path.commonpath([real, inside]) != inside:
            raise DataValidationError(
                f"{where}: image path {value!r} leads out of the dataset folder (through a link, to {real})"
            )
    return read_bounded(local, limit=MAX_IMAGE_FILE_BYTES, what="image file", where=where)


def _encoded_image(value: str, where: str) -> bytes | None:
    """The bytes of an image given inline as text: a ``data:image/...;base64,`` URI, or bare base64 (no path has
    only base64 characters and is this long); None for anything else, which is read as a path."""
    uri = _DATA_URI.match(value)
    if uri is None and (len(value) < _MIN_BASE64_CHARS or not _BASE64.fullmatch(value)):
        return None
    try:
        return base64.b64decode(re.sub(r"\s+", "", value[uri.end() :] if uri else value), validate=True)
    except (binascii.Error, ValueError) as error:
        raise DataValidationError(f"{where}: image is given as base64 text that does not decode ({error})") from error


def _case_image(snapshot: Snapshot, row: TableRow, known: frozenset[str], where: str, *, decode: bool) -> bytes:
    from .image_checks import validate_image

    column = next((name for name in (IMAGE_COLUMN, *IMAGE_PATH_COLUMNS) if name in row.values), IMAGE_COLUMN)
    value = row.values.get(column)
    data: Any = None
    path: Any = None
    if isinstance(value, Mapping):  # a datasets Image struct: {"bytes": ..., "path": ...}
        data, path = value.get("bytes"), value.get("path")
    elif isinstance(value, (bytes, bytearray, memoryview)):
        data = value
    elif isinstance(value, str):
        data = _encoded_image(value.strip(), where)
        path = value.strip() if data is None else None
    if data is None and isinstance(path, str) and path:
        data = _image_from_path(snapshot, row.file, path, known, where)
    if not data:
        raise DataValidationError(f"{where}: {column} is missing")
    data = bytes(data) if not isinstance(data, bytes) else data
    if decode:
        validate_image(data, where=where)
    return data


def _text(row: Mapping[str, Any], column: str, *, where: str) -> str:
    value = row.get(column)
    if not isinstance(value, str) or not value.strip():
        raise DataValidationError(f"{where}: {column} must be a non-empty string, got {value!r}")
    return value


def _label_set(plan: OrganPlan, columns: Sequence[str], shown: str) -> FileSet | None:
    if plan.labels is not None or EMBEDDED_LABEL_COLUMN in columns or dimension_columns(columns):
        return plan.labels
    if len(plan.label_candidates) == 1:
        return plan.label_candidates[0]
    if plan.label_candidates:
        listed = "; ".join(candidate.describe() for candidate in plan.label_candidates)
        raise DataValidationError(
            f"{shown}: no {EMBEDDED_LABEL_COLUMN} column, and several files could hold the labels of organ system "
            f"{plan.organ!r}: {listed}"
        )
    raise DataValidationError(
        f"{shown}: no label file ({plan.organ}.jsonl or .json) for it and no {EMBEDDED_LABEL_COLUMN} column "
        f"(nor the six dimensions as columns)"
    )


def _check_columns(plan: OrganPlan, columns: Sequence[str], shown: str) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if IMAGE_COLUMN in missing and any(column in columns for column in IMAGE_PATH_COLUMNS):
        missing.remove(IMAGE_COLUMN)  # an ImageFolder metadata file: file_name holds the image's path
    if not missing:
        return
    shown_columns = ", ".join(map(str, columns[:20])) + (", ..." if len(columns) > 20 else "")
    why = (
        f" It was read as the table of all organs, as no file is named after organ system {plan.organ!r}."
        if plan.shared
        else ""
    )
    raise DataValidationError(
        f"{shown}: missing column(s) {', '.join(missing)} (its columns: {shown_columns or 'none'}).{why} Each case "
        f"needs {', '.join(REQUIRED_COLUMNS)} (the image may also be a path in {' or '.join(IMAGE_PATH_COLUMNS)})"
    )


class _LabelJoin:
    """Labels looked up by a case's question_id, exactly; or, where one side is a number (which cannot
    keep leading zeros), by the number: case 12 finds label "0012" when that is the only such label."""

    def __init__(self, labels: Mapping[str, tuple[TableRow, Any]]) -> None:
        self.labels = labels
        self.used: set[str] = set()
        self._by_number: dict[int, list[str]] = {}
        for key in labels:
            if key.isascii() and key.isdigit():
                self._by_number.setdefault(int(key), []).append(key)

    def find(self, qid: str, raw_qid: Any) -> str | None:
        key: str | None = qid if qid in self.labels else None
        if key is None and qid.isascii() and qid.isdigit():
            keys = self._by_number.get(int(qid), [])
            if len(keys) == 1 and (_is_number(raw_qid) or _is_number(self.labels[keys[0]][0].values["question_id"])):
                key = keys[0]
        if key is not None:
            self.used.add(key)
        return key


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def load_plan(snapshot: Snapshot, plan: OrganPlan, *, decode_images: bool = True) -> list[Case]:
    from .layout import organ_of
    from .tables import ORGAN_COLUMNS, iter_rows, organ_column, table_columns

    shown = snapshot.display(plan.cases.paths[0])
    columns = table_columns(snapshot, plan.cases)
    _check_columns(plan, columns, shown)
    label_set = _label_set(plan, columns, shown)
    labels = label_records(iter_rows(snapshot, label_set)) if label_set is not None else None
    join = _LabelJoin(labels) if labels is not None else None
    labels_of_this_organ = label_set is plan.labels and label_set is not None
    label_file = snapshot.display(label_set.paths[0]) if label_set is not None else ""
    known = frozenset(snapshot.files)
    selector = organ_column(columns)

    cases: list[Case] = []
    first_row_of: dict[str, TableRow] = {}
    wanted = (
        *REQUIRED_COLUMNS,
        *IMAGE_PATH_COLUMNS,
        *ORGAN_COLUMNS,
        *OPTIONAL_COLUMNS,
        EMBEDDED_LABEL_COLUMN,
        *dimension_columns(columns).values(),
    )
    for row in iter_rows(snapshot, plan.cases, columns=wanted, organ=_shared(plan)):
        values = row.values
        raw_qid = values.get("question_id")
        if raw_qid is None or not str(raw_qid).strip():
            raise DataValidationError(f"{row.where}: question_id is empty")
        qid = question_id(raw_qid)
        where = f"{row.where} (question_id {qid})"
        if qid in first_row_of:
            first = first_row_of[qid]
            said = f"row {first.number}" if first.file == row.file else first.where
            raise DataValidationError(f"{where}: duplicate question_id (first at {said})")
        first_row_of[qid] = row

        if selector is not None and organ_of(values.get(selector)) != plan.organ:
            raise DataValidationError(f"{where}: {selector} is {values.get(selector)!r}, expected {plan.organ!r}")

        embedded = embedded_labels(values, where=where)
        if join is not None:
            key = join.find(qid, raw_qid)
            if key is None:
                raise DataValidationError(f"{where}: no label in {label_file} for this question_id")
            label_row, raw_label = join.labels[key]
            case_labels = validate_labels(raw_label, where=f"{label_row.where} (question_id {key})")
            if embedded is not None and validate_labels(embedded, where=where) != case_labels:
                raise DataValidationError(f"{where}: {EMBEDDED_LABEL_COLUMN} column disagrees with {label_row.where}")
        else:
            case_labels = validate_labels(embedded, where=where)

        cases.append(
            Case(
                question_id=qid,
                organ=plan.organ,
                question=_text(values, "question", where=where),
                answer1_text=_text(values, "answer1_text", where=where),
                answer2_text=_text(values, "answer2_text", where=where),
                image=_case_image(snapshot, row, known, where, decode=decode_images),
                labels=case_labels,
                metadata={
                    column: (None if values[column] is None else str(values[column]))
                    for column in OPTIONAL_COLUMNS
                    if column in values
                },
                source=snapshot.source_id,
            )
        )

    if not cases:
        if plan.shared:
            raise DataValidationError(f"{shown}: no rows of organ system {plan.organ!r} (by its {selector} column)")
        raise DataValidationError(f"{shown}: no cases")
    if join is not None and labels_of_this_organ:
        orphans = sorted(set(join.labels) - join.used)
        if orphans:
            raise DataValidationError(
                f"{join.labels[orphans[0]][0].where}: label for question_id {orphans[0]} has no case in {shown}"
                + (f" ({len(orphans) - 1} more such labels)" if len(orphans) > 1 else "")
            )
    return cases

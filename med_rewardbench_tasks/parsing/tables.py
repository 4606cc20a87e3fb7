"""Stage 3b: markdown tables — rows of ``| Accuracy | A |`` (with or without a header,
with a winner column), per-answer columns of scores or marks (``| Accuracy | 6/10 | 9/10 |``,
``| Accuracy | ✅ | ❌ |``), or transposed (the header names the dimensions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from ..constants import Dimension
from .keys import classify_key
from .methods import METHOD_MARKDOWN_TABLE
from .model import RANK_GENERIC, KeyClass, Pair
from .values import VALUE_TRIM, mark_of, number_of, read_winner

if TYPE_CHECKING:
    from .lines import LineReader

# A verdict table has six rows of a few cells; more cells in a row are not read.
MAX_TABLE_CELLS: Final = 16
_TABLE_SEPARATOR_CELL_RE: Final = re.compile(r":?-{1,}:?")


def split_cells(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    body = body.removesuffix("|")
    return [cell.strip() for cell in body.split("|", MAX_TABLE_CELLS)[:MAX_TABLE_CELLS]]


def _is_separator_row(cells: list[str]) -> bool:
    return all(_TABLE_SEPARATOR_CELL_RE.fullmatch(cell.replace(" ", "")) for cell in cells if cell) and any(cells)


def _cell_key(cell: str) -> str:
    return cell.strip(VALUE_TRIM)


def read_table(rows: list[tuple[int, int, list[str]]], reader: LineReader) -> None:
    """Read one markdown table (rows of (line index, end position, cells))."""
    context = reader.context
    data = [row for row in rows if not _is_separator_row(row[2])]
    if not data:
        return
    header = data[0][2]
    separator_follows = len(rows) > 1 and _is_separator_row(rows[1][2]) and not _is_separator_row(rows[0][2])
    header_classes = [classify_key(_cell_key(cell), context) for cell in header]
    header_dims = [(j, kc.dim) for j, kc in enumerate(header_classes) if kc.kind == "dim" and kc.dim is not None]
    if len(header_dims) >= 2:
        _read_transposed(data, header_classes, header_dims, reader)
        return
    answer_columns = _answer_columns(header_classes)
    # A header row ("| Dimension | Winner | Reason |") names columns, not a verdict: in
    # markdown it is the row above the "|---|" line; without one, a row with no winner.
    is_header = answer_columns is not None or (
        not any(kc.kind == "dim" for kc in header_classes[:2])
        and (separator_follows or not any(read_winner(cell).winner is not None for cell in header))
    )
    winner_column: int | None = None
    if is_header:
        for j, kc in enumerate(header_classes):
            if kc.kind == "verdict" and j > 0:
                winner_column = j
                break
    for line, pos, cells in data[1:] if is_header else data:
        key_index = -1
        key_class: KeyClass | None = None
        for j in range(min(2, len(cells))):
            kc = classify_key(_cell_key(cells[j]), context)
            if kc.kind in ("dim", "verdict", "reason"):
                key_index, key_class = j, kc
                break
        if key_class is None:
            continue
        rest = cells[key_index + 1 :]
        if key_class.kind == "reason":
            if rest and rest[0]:
                reader.set_reason(rest[0], line=line, method=METHOD_MARKDOWN_TABLE)
            continue
        value: object = None
        if winner_column is not None and winner_column > key_index:
            value = cells[winner_column] if winner_column < len(cells) and cells[winner_column] else None
        if value is None and answer_columns is not None:
            value = _pair_in_row(cells, answer_columns)  # also when the winner cell is left empty
        if value is None and winner_column is None:
            for cell in rest:
                if cell and read_winner(cell).winner is not None:
                    value = cell
                    break
            if value is None and rest and rest[0]:
                value = rest[0]
        if value is None:
            continue
        if key_class.kind == "dim" and key_class.dim is not None:
            reader.add(key_class.dim, key_class.rank, value, line=line, pos=pos, method=METHOD_MARKDOWN_TABLE)
        else:
            reader.add("overall", RANK_GENERIC, value, line=line, pos=pos, method=METHOD_MARKDOWN_TABLE)
    reader.close()


def _answer_columns(header_classes: list[KeyClass]) -> tuple[int, int] | None:
    """The columns of answer A and answer B ("| Criterion | Assistant A | Assistant B |")."""
    columns = {kc.answer: j for j, kc in enumerate(header_classes) if kc.kind == "answer" and j > 0}
    answers = [kc.answer for kc in header_classes if kc.kind == "answer"]
    if len(answers) != 2 or set(columns) != {"A", "B"}:
        return None
    return columns["A"], columns["B"]


def _pair_in_row(cells: list[str], columns: tuple[int, int]) -> Pair | None:
    """Two scores or two marks under the answers' columns."""
    column_a, column_b = columns
    cell_a = cells[column_a] if column_a < len(cells) else ""
    cell_b = cells[column_b] if column_b < len(cells) else ""
    a, b = number_of(cell_a), number_of(cell_b)
    if a is not None and b is not None:
        return Pair(a, b)
    mark_a, mark_b = mark_of(cell_a), mark_of(cell_b)
    if mark_a is not None and mark_b is not None and (mark_a or mark_b):
        return Pair(mark_a, mark_b, "marks")
    return None


def _read_transposed(
    data: list[tuple[int, int, list[str]]],
    header_classes: list[KeyClass],
    header_dims: list[tuple[int, Dimension]],
    reader: LineReader,
) -> None:
    """The header names the dimensions: each later row is one verdict, or one answer's
    scores ("| Assistant A | 7 | 8 | ... |")."""
    by_answer: dict[str, tuple[int, int, list[str]]] = {}
    for row in data[1:]:
        first = classify_key(_cell_key(row[2][0]), reader.context) if row[2] else None
        if first is not None and first.kind == "answer" and first.answer is not None:
            by_answer[first.answer] = row
    if set(by_answer) == {"A", "B"}:
        line, pos, cells_a = by_answer["A"]
        _, pos_b, cells_b = by_answer["B"]
        reader.close()
        for j, dim in header_dims:
            a = number_of(cells_a[j]) if j < len(cells_a) else None
            b = number_of(cells_b[j]) if j < len(cells_b) else None
            if a is not None and b is not None:
                reader.add(
                    dim,
                    header_classes[j].rank,
                    Pair(a, b),
                    line=line,
                    pos=max(pos, pos_b),
                    method=METHOD_MARKDOWN_TABLE,
                )
        reader.close()
        return
    for line, pos, cells in data[1:]:
        reader.close()
        for j, dim in header_dims:
            if j < len(cells) and cells[j]:
                reader.add(dim, header_classes[j].rank, cells[j], line=line, pos=pos, method=METHOD_MARKDOWN_TABLE)
    reader.close()


def is_table_row(stripped: str) -> bool:
    return stripped.startswith("|") or stripped.count("|") >= 2

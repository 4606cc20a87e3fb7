"""Stage 3b: markdown tables — rows of ``| Accuracy | A |`` (with or without a header,
with a winner column), or transposed (the header names the dimensions)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from .keys import classify_key
from .methods import METHOD_MARKDOWN_TABLE
from .model import RANK_GENERIC, KeyClass
from .values import VALUE_TRIM, read_winner

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
    cache = reader.cache
    data = [row for row in rows if not _is_separator_row(row[2])]
    if not data:
        return
    header = data[0][2]
    separator_follows = len(rows) > 1 and _is_separator_row(rows[1][2]) and not _is_separator_row(rows[0][2])
    header_classes = [classify_key(_cell_key(cell), cache) for cell in header]
    header_dims = [(j, kc.dim) for j, kc in enumerate(header_classes) if kc.kind == "dim" and kc.dim is not None]
    if len(header_dims) >= 2:
        # Transposed: the header names the dimensions, each later row is one verdict.
        for line, pos, cells in data[1:]:
            reader.close()
            for j, dim in header_dims:
                if j < len(cells) and cells[j]:
                    reader.add(dim, header_classes[j].rank, cells[j], line=line, pos=pos, method=METHOD_MARKDOWN_TABLE)
        reader.close()
        return
    # A header row ("| Dimension | Winner | Reason |") names columns, not a verdict: in
    # markdown it is the row above the "|---|" line; without one, a row with no winner.
    is_header = not any(kc.kind == "dim" for kc in header_classes[:2]) and (
        separator_follows or not any(read_winner(cell)[0] is not None for cell in header)
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
            kc = classify_key(_cell_key(cells[j]), cache)
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
        value: str | None = None
        if winner_column is not None and winner_column > key_index:
            value = cells[winner_column] if winner_column < len(cells) else None
        else:
            for cell in rest:
                if cell and read_winner(cell)[0] is not None:
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


def is_table_row(stripped: str) -> bool:
    return stripped.startswith("|") or stripped.count("|") >= 2

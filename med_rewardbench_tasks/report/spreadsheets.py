"""The tables as CSV files and as ``report.xlsx``, safe to open in a spreadsheet program.

Text cells carry data and model output (judge labels, organ and department names, parser
notes), which a spreadsheet must show, never run or choke on:

* **formula injection**: a text that a spreadsheet would read as a formula (it starts with
  ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, e.g. ``=HYPERLINK(...)``) gets a
  leading apostrophe, as OWASP recommends; in the workbook it is also stored as a string
  cell, never a formula;
* **characters XML cannot hold** (control characters, lone surrogates) would make openpyxl
  refuse the whole workbook; they are written as visible escapes (``\\x07``, ``\\ud800``).

Numbers stay numbers (rates as fractions, shown as percentages in the workbook).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from med_rewardbench_tasks.report.tables import Table

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 (and so openpyxl) cannot store: C0 controls but tab/newline/CR, and surrogates.
_UNSTORABLE: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
NUMBER_FORMATS: Final = {"rate": "0.0%", "number": "0.000"}


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def safe_text(text: str) -> str:
    """Text as a spreadsheet cell: unstorable characters escaped, a formula start defused."""
    text = _UNSTORABLE.sub(_visible, text)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell_value(value: Any) -> Any:
    """None for an empty cell; numbers as they are; anything else as safe text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return safe_text(str(value))


def write_csv(table: Table, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.key for column in table.columns])
        for row in table.rows:
            values = [cell_value(row.get(column.key)) for column in table.columns]
            writer.writerow(["" if value is None else value for value in values])


def write_xlsx(tables: Sequence[Table], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append([column.key for column in table.columns])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([cell_value(row.get(column.key)) for column in table.columns])
        for index, column in enumerate(table.columns, start=1):
            letter = get_column_letter(index)
            cells = [cell for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]
            if column.kind in NUMBER_FORMATS:
                # Stored as numbers, not text; rates are fractions shown as percentages.
                for cell in cells:
                    cell.number_format = NUMBER_FORMATS[column.kind]
            elif column.kind == "text":
                # openpyxl stores a string starting with "=" as a formula unless told otherwise.
                for cell in cells:
                    if cell.value is not None:
                        cell.data_type = "s"
            width = max([len(column.key)] + [len(str(cell.value or "")) for cell in cells[:200]])
            sheet.column_dimensions[letter].width = min(max(10, width + 2), 60)
        sheet.freeze_panes = "A2"
    workbook.save(path)

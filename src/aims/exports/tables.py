"""Tables to XLSX and CSV that an auditor can file: frozen header, filters, printable, and no
cell that a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None


# Control characters that XML (and so XLSX) cannot hold; tab and newlines are kept.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _clean(value: Cell) -> Cell:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


def csv_safe(value: Cell) -> Cell:
    """Text a spreadsheet would read as a formula gets a leading apostrophe (OWASP advice)."""
    value = _clean(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_safe(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def to_xlsx(
    *,
    sheet: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[int],
    about: Sequence[tuple[str, str]] = (),
) -> bytes:
    """One data sheet (frozen bold header, filters, wrapped text, landscape, header repeated on
    every printed page, fitted to the page width) and an 'About' sheet saying what it is."""
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet[:31]
    ws.append(list(header))
    for row in rows:
        ws.append([_clean(v) for v in row])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE5F0")
    for column in ws.iter_cols(min_row=2):
        for cell in column:
            # Stored as text, never as a formula, whatever the text starts with.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    info = book.create_sheet("About")
    for key, value in [*about, ("Generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))]:
        info.append([key, value])
        info.cell(row=info.max_row, column=2).data_type = "s"
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

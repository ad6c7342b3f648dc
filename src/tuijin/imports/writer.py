"""Write an .xlsx that clerks can edit and import back with read_sheet."""

from __future__ import annotations

import datetime as dt
import os
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

LIST_SEPARATOR = "；"
# A cell starting with one of these is read as a formula by Excel, WPS and every CSV consumer; user
# text that does is written with a leading apostrophe (and read back without it: normalize.clean_text).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_NAME_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", "_"))
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def display_width(text: str) -> int:
    """Width in Excel columns; CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_xlsx(
    target: str | os.PathLike | BinaryIO,
    headers: list[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "Sheet1",
    notes: dict[str, str] | None = None,
    title: str | None = None,
) -> None:
    """Header always in row 1 so the file imports back unchanged.

    title only goes into the document properties, never into a row.
    """
    wb = Workbook(write_only=True)
    if title:
        wb.properties.title = title
    ws = wb.create_sheet(safe_sheet_name(sheet_name))
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(display_width(header) + 4, 10), 60)

    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(ws, header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        if notes and notes.get(header):
            cell.comment = Comment(notes[header], "tuijin", width=240, height=80)
        header_cells.append(cell)
    ws.append(header_cells)

    for row in rows:
        ws.append([_cell(ws, v) for v in row])
    wb.save(target)


def safe_sheet_name(name: str) -> str:
    """A sheet title Excel accepts: no [ ] : * ? / \\, at most 31 characters, not empty (org names hold "/")."""
    name = ILLEGAL_CHARACTERS_RE.sub("", str(name)).translate(_SHEET_NAME_FORBIDDEN).strip("'")[:31]
    return name or "Sheet1"


def formula_safe(v: str) -> str:
    """User text as it is written to a cell: never something a spreadsheet would evaluate."""
    return "'" + v if v.startswith(FORMULA_STARTS) else v


def _cell(ws, v: Any) -> Any:
    if isinstance(v, (list, tuple, set, frozenset)):
        v = LIST_SEPARATOR.join(str(x) for x in v)
    if isinstance(v, bool):
        return "是" if v else "否"  # what the templates ask clerks to type
    if isinstance(v, dt.datetime):
        # Excel has no time zones: callers pass local time (timezone.localtime)
        cell = WriteOnlyCell(ws, v.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return cell
    if isinstance(v, dt.date):
        cell = WriteOnlyCell(ws, v)
        cell.number_format = "yyyy-mm-dd"
        return cell
    if isinstance(v, str):
        v = formula_safe(ILLEGAL_CHARACTERS_RE.sub("", v))
        if v.startswith("'"):
            # user text must never become a formula (CSV/formula injection): prefixed and stored as text
            cell = WriteOnlyCell(ws, v)
            cell.data_type = "s"
            return cell
    return v

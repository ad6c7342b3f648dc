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
from openpyxl.worksheet.datavalidation import DataValidation

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


_EXAMPLE_FONT = Font(italic=True, color="808080")
_GUIDE_WIDTHS = (16, 10, 48, 40, 36)
LIST_SHEET = "下拉选项"
MAX_INLINE_LIST = 255  # Excel's limit on a data validation's inline list ("a,b,c")


def write_template_xlsx(
    target: str | os.PathLike | BinaryIO,
    headers: list[str],
    *,
    sheet_name: str,
    notes: dict[str, str],
    title: str,
    example: Sequence[Any],
    choices: dict[str, list[str]],
    open_choices: set[str],
    guide: list[list[str]],
    guide_name: str,
) -> None:
    """A blank import template: the header in row 1 (as write_xlsx writes it), the example row in grey
    italics in row 2, a drop-down list on every column with fixed values (rows 2 to the end), and the
    guide sheet after the data sheet. A list too long for Excel's inline form is kept on a hidden sheet
    with no header row, so no sheet but the first looks like a template header to read_sheet."""
    wb = Workbook()
    wb.properties.title = title
    ws = wb.active
    ws.title = safe_sheet_name(sheet_name)
    ws.freeze_panes = "A2"
    for i, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i, value=header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        if notes.get(header):
            cell.comment = Comment(notes[header], "tuijin", width=240, height=80)
        ws.column_dimensions[get_column_letter(i)].width = min(max(display_width(header) + 4, 10), 60)
    for i, value in enumerate(example, start=1):
        cell = ws.cell(row=2, column=i, value=value)
        cell.font = _EXAMPLE_FONT

    lists, used = None, 0
    for i, header in enumerate(headers, start=1):
        values = choices.get(header)
        if not values:
            continue
        inline = ",".join(values)
        if len(inline) + 2 <= MAX_INLINE_LIST and not any("," in v or '"' in v for v in values):
            formula = f'"{inline}"'
        else:
            if lists is None:
                lists = wb.create_sheet(LIST_SHEET)
                lists.sheet_state = "hidden"
            used += 1
            col = get_column_letter(used)
            for r, v in enumerate(values, start=1):
                lists[f"{col}{r}"] = v
            formula = f"'{LIST_SHEET}'!${col}$1:${col}${len(values)}"
        loose = header in open_choices
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showDropDown=False,
            showErrorMessage=True,
            errorStyle="warning" if loose else "stop",
            errorTitle=header,
            error=("不在下拉列表中，请确认填写正确" if loose else f"请从下拉列表中选择{header}"),
            showInputMessage=True,
            promptTitle=header,
            prompt="从下拉列表中选择",
        )
        letter = get_column_letter(i)
        dv.add(f"{letter}2:{letter}1048576")
        ws.add_data_validation(dv)

    gs = wb.create_sheet(safe_sheet_name(guide_name), 1)
    for row in guide:
        gs.append(row)
    for cell in gs[1]:
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
    for i, width in enumerate(_GUIDE_WIDTHS, start=1):
        gs.column_dimensions[get_column_letter(i)].width = width
    wb.save(target)

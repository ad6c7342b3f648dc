"""Read a clerk's Excel sheet into rows keyed by template column names.

Real sheets have title rows above the header, "*" required markers,
full-width brackets, merged cells and blank rows; all of that is handled
here so the importers only see clean rows.
"""

from __future__ import annotations

import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

from .normalize import clean_text

HEADER_SCAN_ROWS = 30
# A sum row clerks add at the bottom ("合计", "总 计：", "小计"), in any cell of the row.
TOTAL_ROW = re.compile(r"(?:合|总|小)\s*计\s*[:：]?")
NOT_EXCEL = "无法读取文件：请上传 Excel 表格（.xlsx）"


def _limits() -> tuple[int, int, int, int]:
    from django.conf import settings

    return (
        settings.TUIJIN_IMPORT_MAX_ROWS,
        settings.TUIJIN_IMPORT_MAX_COLUMNS,
        settings.TUIJIN_IMPORT_MAX_CELLS,
        settings.TUIJIN_IMPORT_MAX_UNPACKED_BYTES,
    )


class SheetError(Exception):
    """The sheet cannot be imported at all; .messages are for the clerk."""

    def __init__(self, messages: list[str]):
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclass
class Row:
    number: int  # row number as Excel/WPS shows it
    values: dict[str, Any]

    def get(self, name: str, default: Any = None) -> Any:
        v = self.values.get(name)
        return default if v is None else v


@dataclass
class Sheet:
    sheet_name: str
    header_row: int  # Excel row number of the header
    columns: dict[str, int]  # expected name -> 0-based column index
    rows: list[Row] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def header_key(v: Any) -> str:
    """Comparable form of a header: "* 时长（小时）" == "时长(小时)"."""
    s = clean_text(v)
    # NFKC here (not in clean_text) so that （）and ( ) headers match while cell text keeps its punctuation.
    return "".join(unicodedata.normalize("NFKC", s).split()).strip("*").casefold() if s else ""


def read_sheet(
    source: str | os.PathLike | bytes | BinaryIO,
    *,
    expected: list[str],
    required: list[str],
    aliases: dict[str, str] | None = None,
) -> Sheet:
    """Find the template header in any worksheet and return its data rows.

    aliases maps other header spellings to an expected name.
    """
    keys = {header_key(name): name for name in expected}
    for alias, name in (aliases or {}).items():
        if name not in expected:
            raise ValueError(f"alias {alias!r} points to unknown column {name!r}")
        keys[header_key(alias)] = name

    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as fh:
            _checked(fh)
    else:
        source = _checked(source)
    with _open(source) as wb:
        best = None  # (rank, sheet, header index)
        for i, meta in enumerate(wb.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = wb.get_sheet_by_index(i)
            # skip_empty_area=False pads from A1, so grid[i][j] is Excel
            # row i+1, column j+1 even when the sheet starts lower/further right.
            top = sheet.to_python(skip_empty_area=False, nrows=HEADER_SCAN_ROWS)
            for h, cells in enumerate(top):
                found = {keys.get(header_key(v)) for v in cells if v != ""} - {None}
                rank = (set(required) <= found, len(found))
                if best is None or rank > best[0]:
                    best = (rank, sheet, h)
        if best is None or best[0][1] == 0:
            raise SheetError([f"未找到表头：请确认表格中有一行列名包含 {'、'.join(required or expected)}"])
        _, sheet, h = best
        grid = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
        sheet_name = sheet.name

    header_row = h + 1
    columns, warnings, errors, dupes = {}, [], [], []
    for c, v in enumerate(grid[h]):
        text = clean_text(v)
        if text is None:
            continue
        name = keys.get(header_key(text))
        if name is None:
            warnings.append(f"第{header_row}行 {' '.join(text.split())}: 不是模板中的列，已忽略")
        elif name in columns:
            if name not in dupes:
                dupes.append(name)
        else:
            columns[name] = c
    errors += [f"第{header_row}行 {name}: 缺少此列" for name in required if name not in columns]
    errors += [f"第{header_row}行 {name}: 列重复" for name in dupes]
    if errors:
        raise SheetError(errors)

    _fill_merged(grid, merged, below=h)
    rows = _data_rows(grid, h + 1, columns)
    warnings += _drop_total_rows(grid, rows)
    return Sheet(
        sheet_name=sheet_name,
        header_row=header_row,
        columns=columns,
        rows=rows,
        warnings=warnings,
    )


def _drop_total_rows(grid: list[list], rows: list[Row]) -> list[str]:
    """Remove 合计/总计/小计 rows at the end of the data (also when the word sits in a column the
    template does not have, such as 序号); returns a warning for each."""
    dropped = []
    while rows:
        cells = grid[rows[-1].number - 1]
        word = next(
            (t for v in cells if isinstance(v, str) and (t := clean_text(v)) and len(t) <= 12 and TOTAL_ROW.match(t)),
            None,
        )
        if word is None:
            break
        dropped.append(f"第{rows.pop().number}行: “{word}”是合计行，不是数据，已跳过")
    return dropped[::-1]


_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"(\d{1,9})\"")
_CELL_ROW = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"[A-Z]{1,4}(\d{1,9})\"")
_CELL_COLUMN = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{1,4})\d{1,9}\"")
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s/>]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>]")
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref=\"(?:[A-Z]{1,4}\d{1,9}:)?([A-Z]{1,4})(\d{1,9})\"")
_OVERLAP = 512  # a tag cut at a chunk boundary is seen whole in the next scan


def _count(pattern: re.Pattern, text: bytes, start: int) -> int:
    """Matches of pattern in text that do not lie wholly in text[:start]: all of them, less those a scan of
    text[:start] alone finds (the scan is the same up to there; these short tags cannot overlap)."""
    return len(pattern.findall(text)) - (len(pattern.findall(text, 0, start)) if start else 0)


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _checked(source):
    """Refuse a sheet whose size would make the reader allocate too much, before it expands anything.

    The reader (calamine) builds a dense grid from A1 to the last cell, so one cell at XFD1048576 asks
    for 17 billion cells, and a small zip can unpack to gigabytes. Here every worksheet of the .xlsx is
    streamed in chunks through the zip's decompressor (memory stays at a chunk): the bytes actually
    unpacked, the declared dimension, the last row and column referenced and the number of cells are
    bounded by settings before calamine sees the file. Takes bytes or a binary file; returns a file
    calamine can open, rewound."""
    max_rows, max_cols, max_cells, max_bytes = _limits()
    opened = io.BytesIO(bytes(source)) if isinstance(source, (bytes, bytearray, memoryview)) else source
    try:
        zf = zipfile.ZipFile(opened)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise SheetError([NOT_EXCEL]) from None
    errors: list[str] = []
    with zf:
        names = zf.namelist()
        if "xl/workbook.xml" not in names:
            raise SheetError([NOT_EXCEL])
        declared = sum(max(i.file_size, 0) for i in zf.infolist())
        if declared > max_bytes:
            raise SheetError([_too_big(max_bytes)])
        unpacked = 0
        for info in zf.infolist():
            if info.filename.endswith("/"):
                continue
            try:
                stream = zf.open(info)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError):
                raise SheetError([NOT_EXCEL]) from None
            is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
            last_row = last_col = cells = rows_seen = 0
            dim_row = dim_col = 0
            tail = b""
            with stream:
                while True:
                    try:
                        chunk = stream.read(1 << 20)
                    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
                        raise SheetError([NOT_EXCEL]) from None
                    if not chunk:
                        break
                    unpacked += len(chunk)
                    if unpacked > max_bytes:  # the sizes a zip declares can lie; the stream cannot
                        raise SheetError([_too_big(max_bytes)])
                    if not is_sheet:
                        continue
                    text = tail + chunk
                    start = len(tail)
                    if not dim_row and (m := _DIMENSION.search(text)):
                        # the reader reserves memory from the declared dimension: bound it like the cells
                        dim_col, dim_row = _column_number(m.group(1)), int(m.group(2))
                        last_row, last_col = max(last_row, dim_row), max(last_col, dim_col)
                    # Maxima over the whole text (a tag in the tail, seen in the last chunk too, changes no
                    # maximum), each distinct value converted once; counts of the tags not wholly in the tail
                    # (those the last chunk counted). A 100,000-row sheet has a million cells: no Python
                    # step per cell.
                    numbers = set(_ROW.findall(text)) | set(_CELL_ROW.findall(text))
                    if numbers:
                        last_row = max(last_row, max(map(int, numbers)))
                    letters = set(_CELL_COLUMN.findall(text))
                    if letters:
                        last_col = max(last_col, max(map(_column_number, letters)))
                    rows_seen += _count(_ROW_TAG, text, start)
                    cells += _count(_CELL_TAG, text, start)
                    tail = text[-_OVERLAP:]
                    last_row = max(last_row, rows_seen)
                    if (
                        last_row > max_rows
                        or last_col > max_cols
                        or cells > max_cells
                        or last_row * max(last_col, 1) > max_cells
                    ):
                        break  # enough to refuse: no need to read the rest
            if not is_sheet:
                continue
            where = f"工作表文件 {info.filename.rsplit('/', 1)[-1]}"
            if last_row > max_rows:
                errors.append(
                    f"表格行数超过上限：{where} 用到第 {last_row} 行，每次最多导入 {max_rows} 行，请拆分后分批导入"
                )
            if last_col > max_cols:
                errors.append(f"表格列数超过上限：{where} 用到第 {last_col} 列，最多 {max_cols} 列，请删去多余的列")
            if not errors and (cells > max_cells or last_row * max(last_col, 1) > max_cells):
                errors.append(
                    f"表格单元格数超过上限：{where} 约 {max(cells, last_row * max(last_col, 1))} 个单元格，"
                    f"最多 {max_cells} 个，请拆分后分批导入"
                )
    if errors:
        raise SheetError(errors)
    opened.seek(0)
    return opened


def _too_big(max_bytes: int) -> str:
    return (
        f"表格解压后超过 {max_bytes // 1024 // 1024} MB 的上限（文件可能已损坏或含大量无用内容），"
        "请删去多余的工作表、图片和空白格式后重新保存，或拆分后分批导入"
    )


def _open(source) -> CalamineWorkbook:
    try:
        if isinstance(source, (bytes, bytearray, memoryview)):
            return CalamineWorkbook.from_filelike(io.BytesIO(source))
        if isinstance(source, (str, os.PathLike)):
            return CalamineWorkbook.from_path(os.fspath(source))
        return CalamineWorkbook.from_filelike(source)
    except (CalamineError, ValueError) as e:
        raise SheetError(["无法读取文件：请上传 Excel 表格（.xlsx）"]) from e


def _fill_merged(grid: list[list], merged, *, below: int) -> None:
    """Copy each merged range's top-left value into all its cells.

    Only ranges starting under the header: a merged header cell must count
    once, and title merges above the header do not matter.
    calamine gives ranges as ((row0, col0), (row1, col1)), 0-based inclusive.
    """
    for (r0, c0), (r1, c1) in merged:
        if r0 <= below or r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        v = grid[r0][c0]
        if v == "" or v is None:
            continue
        # a range can reach past the last row/column that holds data
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            cells = grid[r]
            for c in range(c0, min(c1, len(cells) - 1) + 1):
                cells[c] = v


def _data_rows(grid: list[list], start: int, columns: dict[str, int]) -> list[Row]:
    names, at = list(columns), list(columns.values())
    cleaned: dict[str, str | None] = {}  # office sheets repeat the same strings a lot: each cleaned once
    rows = []
    for i in range(start, len(grid)):
        cells = grid[i]
        width = len(cells)
        values = [cells[c] if c < width else None for c in at]
        blank = True
        for j, v in enumerate(values):
            if type(v) is str:
                w = cleaned.get(v, _UNSEEN)
                if w is _UNSEEN:
                    w = cleaned[v] = clean_text(v)
                values[j] = v = w
            if v is not None:
                blank = False
        if not blank:
            rows.append(Row(i + 1, dict(zip(names, values, strict=True))))
    return rows


_UNSEEN = object()

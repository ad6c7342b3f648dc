"""Sheets are measured before they are expanded: nothing a sheet contains can take a worker down.

The files are built by hand as a hostile sender would (a raw .xlsx zip, no spreadsheet library):
one cell at the last cell Excel allows, one at ALL100000, and a zip that unpacks to 300 MB. Each is
refused with a clerk's message naming the limit, in a subprocess whose peak memory is measured.
"""

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.imports.test_cli import run
from tests.imports.test_org_import import ORG_HEADER, office_sheet, written_state
from tuijin.imports.sheet import SheetError, read_sheet

SRC = Path(__file__).resolve().parents[2] / "src"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
    'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
    '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名册"'
    ' sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def inline(ref, text):
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def header_row():
    names = ["组织编码", "组织名称", "组织类别"]
    return '<row r="1">' + "".join(inline(f"{'ABC'[i]}1", n) for i, n in enumerate(names)) + "</row>"


def raw_xlsx(path, sheet_body, dimension=None, padding=0):
    """A minimal .xlsx; `padding` bytes of whitespace inside the sheet make a zip bomb (compresses ~1000:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(SHEET_HEAD.encode())
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            chunk = b" " * (1 << 20)
            for _ in range(padding // len(chunk)):
                f.write(chunk)
            f.write(sheet_body.encode())
            f.write(b"</sheetData></worksheet>")
    return path


def hostile_files(tmp_path):
    row = '<row r="{r}">{c}</row>'
    return {
        "XFD1048576": raw_xlsx(
            tmp_path / "xfd.xlsx", header_row() + row.format(r=1048576, c=inline("XFD1048576", "x"))
        ),
        "ALL100000": raw_xlsx(tmp_path / "all.xlsx", header_row() + row.format(r=100000, c=inline("ALL100000", "x"))),
        "declared": raw_xlsx(tmp_path / "declared.xlsx", header_row(), dimension="A1:XFD1048576"),
        "bomb": raw_xlsx(tmp_path / "bomb.xlsx", header_row(), padding=300 * (1 << 20)),
    }


PROBE = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1536 << 20, 1536 << 20))  # a regression fails here instead of swapping
import django
django.setup()
from tuijin.imports.sheet import SheetError, read_sheet
read_sheet(sys.argv[1], expected=["组织编码", "组织名称", "组织类别"], required=["组织编码"])  # warm up the reader
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
out = {}
for name, path in json.loads(sys.argv[2]).items():
    try:
        read_sheet(path, expected=["组织编码", "组织名称", "组织类别"], required=["组织编码"])
        out[name] = None
    except SheetError as exc:
        out[name] = exc.messages
out["grew_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base
print(json.dumps(out, ensure_ascii=False))
"""


def test_hostile_sheets_are_refused_with_the_limit_and_without_a_big_allocation(tmp_path):
    files = hostile_files(tmp_path)
    assert files["bomb"].stat().st_size < 2 * (1 << 20)  # under 2 MB on disk, 300 MB unpacked
    small = office_sheet(
        tmp_path / "ok.xlsx", ORG_HEADER, [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"]]
    )
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, str(small), json.dumps({k: str(v) for k, v in files.items()})],
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": str(SRC),
            "DJANGO_SETTINGS_MODULE": "tuijin.settings",
            "TUIJIN_VAR_DIR": str(tmp_path / "var"),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["XFD1048576"][0] == (
        "表格行数超过上限：工作表文件 sheet1.xml 用到第 1048576 行，每次最多导入 300000 行，请拆分后分批导入"
    )
    assert "表格列数超过上限：工作表文件 sheet1.xml 用到第 16384 列，最多 100 列，请删去多余的列" in out["XFD1048576"]
    assert out["ALL100000"] == ["表格列数超过上限：工作表文件 sheet1.xml 用到第 1000 列，最多 100 列，请删去多余的列"]
    assert "用到第 1048576 行" in out["declared"][0]  # the declared dimension alone is enough to refuse
    assert out["bomb"] == [
        "表格解压后超过 200 MB 的上限（文件可能已损坏或含大量无用内容），"
        "请删去多余的工作表、图片和空白格式后重新保存，或拆分后分批导入"
    ]
    assert out["grew_kb"] < 64 * 1024, out["grew_kb"]  # all four refused within 64 MB more than a small import


def test_the_limits_come_from_settings_and_a_sheet_within_them_is_read(tmp_path, settings):
    rows = [[f"XS-A-{i}", f"支部{i}", "XS-A", "党支部", "机关", "第二批"] for i in range(3, 13)]
    path = office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, rows)
    assert len(read_sheet(path, expected=ORG_HEADER, required=["组织编码"]).rows) == 10
    settings.TUIJIN_IMPORT_MAX_ROWS = 5
    with pytest.raises(SheetError, match="每次最多导入 5 行"):
        read_sheet(path, expected=ORG_HEADER, required=["组织编码"])
    settings.TUIJIN_IMPORT_MAX_ROWS, settings.TUIJIN_IMPORT_MAX_COLUMNS = 300_000, 3
    with pytest.raises(SheetError, match="最多 3 列"):
        read_sheet(path, expected=ORG_HEADER, required=["组织编码"])
    settings.TUIJIN_IMPORT_MAX_COLUMNS, settings.TUIJIN_IMPORT_MAX_CELLS = 100, 20
    with pytest.raises(SheetError, match="最多 20 个"):
        read_sheet(path, expected=ORG_HEADER, required=["组织编码"])


def test_the_command_line_refuses_the_sheet_with_exit_2_and_writes_nothing(world, tmp_path):
    path = raw_xlsx(tmp_path / "all.xlsx", header_row() + '<row r="100000">' + inline("ALL100000", "x") + "</row>")
    before = written_state()
    code, out, err = run("import", "orgs", str(path))
    assert code == 2 and err[0] == "表格列数超过上限：工作表文件 sheet1.xml 用到第 1000 列，最多 100 列，请删去多余的列"
    assert written_state() == before

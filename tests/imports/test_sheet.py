import datetime as dt
import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tuijin.imports.normalize import clean_text, parse_bool, parse_date, split_list
from tuijin.imports.sheet import Row, SheetError, read_sheet
from tuijin.imports.writer import write_xlsx

EXPECTED = ["单位代码", "单位名称", "开始日期", "时长（小时）", "是否完成"]
REQUIRED = ["单位代码", "开始日期"]


def make_xlsx(path, cells, merges=(), sheets=None):
    """cells: {"B3": value}; sheets: {name: (cells, merges)} for several sheets."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, (sheet_cells, sheet_merges) in (sheets or {"Sheet1": (cells, merges)}).items():
        ws = wb.create_sheet(name)
        for ref, value in sheet_cells.items():
            ws[ref] = value
        for rng in sheet_merges:
            ws.merge_cells(rng)
    wb.save(path)
    return path


def row_cells(row, values, first_col="A"):
    start = ord(first_col)
    return {f"{chr(start + i)}{row}": v for i, v in enumerate(values) if v is not None}


def read(path, **kw):
    kw.setdefault("expected", EXPECTED)
    kw.setdefault("required", REQUIRED)
    return read_sheet(path, **kw)


# ------------------------------------------------- calamine assumptions


def test_calamine_pads_from_a1_and_reports_merges_zero_based(tmp_path):
    """Row/column indexes only equal Excel positions with skip_empty_area=False."""
    path = make_xlsx(tmp_path / "a.xlsx", {"C4": "x", "D6": "y", "C5": "m"}, merges=["C5:C7"])
    with CalamineWorkbook.from_path(str(path)) as wb:
        sheet = wb.get_sheet_by_index(0)
        assert sheet.start == (3, 2)  # calamine itself starts at the first used cell
        padded = sheet.to_python(skip_empty_area=False)
        assert padded[3][2] == "x" and padded[5][3] == "y"
        assert sheet.to_python()[0][0] == "x"  # the default trims: would shift rows
        assert sheet.merged_cell_ranges == [((4, 2), (6, 2))]
        assert padded[5][2] == ""  # merged cells other than top-left are empty
        # nrows counts from A1 too, so the header scan sees Excel rows 1..30
        assert sheet.to_python(skip_empty_area=False, nrows=4)[3] == ["", "", "x", ""]


# ------------------------------------------------- header detection


def test_title_rows_blank_leading_rows_and_columns(tmp_path):
    cells = {"B2": "2026年度推进情况统计表", "B3": "填报单位：（盖章）"}
    cells |= row_cells(5, ["单位代码", "单位名称", "开始日期", "时长（小时）", "是否完成"], "B")
    cells |= row_cells(6, ["A001", "甲单位", dt.date(2026, 11, 27), 2.5, "是"], "B")
    cells |= row_cells(7, ["A002", "乙单位", "2026年11月28日", 3, "否"], "B")
    path = make_xlsx(tmp_path / "t.xlsx", cells, merges=["B2:F2", "B3:F3"])

    sheet = read(path)
    assert sheet.header_row == 5
    assert sheet.sheet_name == "Sheet1"
    assert sheet.columns == {"单位代码": 1, "单位名称": 2, "开始日期": 3, "时长（小时）": 4, "是否完成": 5}
    assert [r.number for r in sheet.rows] == [6, 7]
    assert sheet.rows[0].values == {
        "单位代码": "A001",
        "单位名称": "甲单位",
        "开始日期": dt.date(2026, 11, 27),
        "时长（小时）": 2.5,
        "是否完成": "是",
    }
    assert sheet.rows[1].get("开始日期") == "2026年11月28日"
    assert sheet.rows[1].get("时长（小时）") == 3
    assert sheet.warnings == []


def test_header_as_first_row(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期"]) | row_cells(2, ["A001", "2026-11-27"])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert sheet.header_row == 1
    assert [r.number for r in sheet.rows] == [2]
    assert set(sheet.rows[0].values) == {"单位代码", "开始日期"}  # only present columns


def test_header_aliases_star_markers_and_parens(tmp_path):
    cells = row_cells(2, ["* 机构代码", "＊开始 日期", "时长(小时)", " 是否完成\u3000", "单位\n名称"])
    cells |= row_cells(3, ["A001", "2026-11-27", 1, "是", "甲"])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells), aliases={"机构代码": "单位代码"})
    assert sheet.columns == {"单位代码": 0, "开始日期": 1, "时长（小时）": 2, "是否完成": 3, "单位名称": 4}
    assert sheet.rows[0].get("单位代码") == "A001"


def test_alias_to_unknown_column_is_a_programming_error(tmp_path):
    path = make_xlsx(tmp_path / "t.xlsx", row_cells(1, ["单位代码", "开始日期"]))
    with pytest.raises(ValueError):
        read(path, aliases={"机构代码": "不存在"})


def test_picks_the_sheet_with_the_header(tmp_path):
    path = make_xlsx(
        tmp_path / "t.xlsx",
        None,
        sheets={
            "填表说明": ({"A1": "请按模板填写", "A2": "单位代码必填"}, []),
            "数据": (row_cells(3, ["单位代码", "开始日期"]) | row_cells(4, ["A001", "2026-11-27"]), []),
        },
    )
    sheet = read(path)
    assert sheet.sheet_name == "数据"
    assert sheet.header_row == 3
    assert [r.number for r in sheet.rows] == [4]


def test_first_sheet_wins_a_tie(tmp_path):
    data = row_cells(1, ["单位代码", "开始日期"]) | row_cells(2, ["A001", "2026-11-27"])
    path = make_xlsx(tmp_path / "t.xlsx", None, sheets={"本月": (data, []), "上月": (data, [])})
    assert read(path).sheet_name == "本月"


def test_header_row_with_most_template_columns_wins(tmp_path):
    cells = {"A1": "单位代码"} | row_cells(2, ["单位代码", "开始日期", "单位名称"])
    cells |= row_cells(3, ["A001", "2026-11-27", "甲"])
    assert read(make_xlsx(tmp_path / "t.xlsx", cells)).header_row == 2


def test_missing_required_column_message(tmp_path):
    cells = {"A1": "统计表"} | row_cells(3, ["单位名称", "时长(小时)", "是否完成"])
    with pytest.raises(SheetError) as e:
        read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert e.value.messages == ["第3行 单位代码: 缺少此列", "第3行 开始日期: 缺少此列"]
    assert str(e.value) == "第3行 单位代码: 缺少此列\n第3行 开始日期: 缺少此列"


def test_no_header_at_all(tmp_path):
    cells = row_cells(1, ["姓名", "电话"]) | row_cells(2, ["张三", "123"])
    with pytest.raises(SheetError) as e:
        read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert len(e.value.messages) == 1
    assert e.value.messages[0].startswith("未找到表头：")


def test_header_below_row_30_is_not_found(tmp_path):
    cells = row_cells(31, ["单位代码", "开始日期"]) | row_cells(32, ["A001", "2026-11-27"])
    with pytest.raises(SheetError, match="未找到表头"):
        read(make_xlsx(tmp_path / "t.xlsx", cells))
    cells = row_cells(30, ["单位代码", "开始日期"]) | row_cells(31, ["A001", "2026-11-27"])
    assert read(make_xlsx(tmp_path / "t2.xlsx", cells)).header_row == 30


def test_extra_column_warning(tmp_path):
    cells = row_cells(2, ["单位代码", "联系电话 ", "开始日期", None, "备注"])
    cells |= row_cells(3, ["A001", "138", "2026-11-27", "x", "y"])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert sheet.warnings == ["第2行 联系电话: 不是模板中的列，已忽略", "第2行 备注: 不是模板中的列，已忽略"]
    assert sheet.rows[0].values == {"单位代码": "A001", "开始日期": "2026-11-27"}


def test_duplicate_column_is_an_error(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期", "*单位代码", "开始日期"])
    with pytest.raises(SheetError) as e:
        read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert e.value.messages == ["第1行 单位代码: 列重复", "第1行 开始日期: 列重复"]


def test_alias_and_name_together_are_duplicates(tmp_path):
    cells = row_cells(1, ["单位代码", "机构代码", "开始日期"])
    with pytest.raises(SheetError, match="第1行 单位代码: 列重复"):
        read(make_xlsx(tmp_path / "t.xlsx", cells), aliases={"机构代码": "单位代码"})


def test_merged_header_cell_counts_once(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期", "单位名称"])
    cells |= row_cells(2, ["A001", "2026-11-27", "甲", "乙"])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells, merges=["C1:D1"]))
    assert sheet.columns["单位名称"] == 2
    assert sheet.warnings == []


# ------------------------------------------------- data area


def test_blank_rows_are_skipped_and_numbers_kept(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期", "单位名称"])
    cells |= row_cells(2, ["A001", "2026-11-27"])
    cells |= row_cells(3, ["  ", "\u3000", "\xa0"])  # looks blank, is blank
    cells |= row_cells(5, ["A002", "2026-11-28"])
    cells |= row_cells(6, [None, None, None, "only an extra column"])
    cells |= row_cells(9, [" ", None, None])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert [r.number for r in sheet.rows] == [2, 5]


def test_fullwidth_and_whitespace_in_cells(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期", "单位名称"])
    cells |= row_cells(2, ["ＡＢ００１\u3000", "２０２６年１１月２７日 ", "\u3000甲单位\xa0 "])
    cells |= row_cells(3, [12, 46353, "乙  单位"])  # code typed as a number, date as a serial
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells))
    first, second = sheet.rows
    assert first.values == {"单位代码": "AB001", "开始日期": "2026年11月27日", "单位名称": "甲单位"}
    assert parse_date(first.get("开始日期")) == dt.date(2026, 11, 27)
    assert second.get("单位代码") == 12  # left as a number (calamine gives 12.0) ...
    assert clean_text(second.get("单位代码")) == "12"  # ... and reads as the code "12"
    assert parse_date(second.get("开始日期")) == dt.date(2026, 11, 27)
    assert second.get("单位名称") == "乙 单位"


def test_vertically_merged_org_code_fills_each_row(tmp_path):
    cells = {"A1": "2026年推进表"} | row_cells(2, ["单位代码", "开始日期", "单位名称"])
    cells |= row_cells(3, ["A001", "2026-11-01", "一"])
    cells |= row_cells(4, [None, "2026-11-02", "二"])
    cells |= row_cells(5, [None, "2026-11-03", "三"])
    cells |= row_cells(6, ["A002", "2026-11-04", "四"])
    path = make_xlsx(tmp_path / "t.xlsx", cells, merges=["A1:C1", "A3:A5"])
    sheet = read(path)
    assert [(r.number, r.get("单位代码")) for r in sheet.rows] == [(3, "A001"), (4, "A001"), (5, "A001"), (6, "A002")]


def test_header_cell_merged_downwards_does_not_leak_into_data(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期"]) | row_cells(2, [None, "2026-11-27"])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells, merges=["A1:A2"]))
    assert sheet.rows[0].values == {"单位代码": None, "开始日期": "2026-11-27"}


def test_horizontally_merged_data_cells(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期", "单位名称"]) | row_cells(2, ["A001", "2026-11-27"])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells, merges=["B2:C2"]))
    assert sheet.rows[0].get("单位名称") == "2026-11-27"


def test_merge_reaching_past_the_data_does_not_crash(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期"]) | row_cells(2, ["A001", "2026-11-27"])
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells, merges=["A2:A6", "B2:D2"]))
    assert [r.number for r in sheet.rows] == [2]


def test_row_get_default():
    row = Row(3, {"a": None, "b": 0})
    assert row.get("a", "x") == "x"
    assert row.get("b", "x") == 0
    assert row.get("missing") is None


# ------------------------------------------------- sources


def test_bytes_and_file_object_sources(tmp_path):
    cells = row_cells(1, ["单位代码", "开始日期"]) | row_cells(2, ["A001", "2026-11-27"])
    data = make_xlsx(tmp_path / "t.xlsx", cells).read_bytes()
    assert read(data).rows[0].get("单位代码") == "A001"
    assert read(io.BytesIO(data)).rows[0].get("单位代码") == "A001"
    assert read(str(tmp_path / "t.xlsx")).rows[0].get("单位代码") == "A001"


def test_not_an_excel_file():
    with pytest.raises(SheetError) as e:
        read(b"name,code\n1,2\n")
    assert e.value.messages[0].startswith("无法读取文件")


# ------------------------------------------------- writer


def test_writer_round_trip(tmp_path):
    headers = ["单位代码", "开始日期", "时长（小时）", "是否完成", "标签", "备注"]
    rows = [
        ["A001", dt.date(2026, 11, 27), 2.5, True, ["甲", "乙"], "=1+1"],
        ["0012", dt.date(2026, 1, 5), 3, False, [], None],
    ]
    out = tmp_path / "out.xlsx"
    write_xlsx(out, headers, rows, sheet_name="推进", notes={"是否完成": "填“是”或“否”"}, title="导出")

    sheet = read_sheet(out, expected=headers, required=headers)
    assert sheet.header_row == 1 and sheet.sheet_name == "推进"
    first, second = sheet.rows
    assert first.number == 2
    assert first.values == {
        "单位代码": "A001",
        "开始日期": dt.date(2026, 11, 27),
        "时长（小时）": 2.5,
        "是否完成": "是",
        "标签": "甲；乙",  # the clerk's full-width punctuation survives the round trip
        "备注": "=1+1",  # text, not a formula
    }
    assert split_list(first.get("标签")) == ["甲", "乙"]
    assert parse_bool(first.get("是否完成")) is True
    assert second.get("单位代码") == "0012"  # leading zeros survive: written as text
    assert second.get("开始日期") == dt.date(2026, 1, 5)
    assert second.get("时长（小时）") == 3
    assert parse_bool(second.get("是否完成")) is False
    assert second.get("标签") is None


def test_writer_formatting(tmp_path):
    out = io.BytesIO()
    write_xlsx(out, ["单位代码", "ID"], [["A001", dt.date(2026, 11, 27)]], notes={"单位代码": "必填"})
    wb = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    ws = wb["Sheet1"]
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("DDEBF7")
    assert ws["A1"].comment.text == "必填"
    assert ws["B1"].comment is None
    assert ws["B2"].number_format == "yyyy-mm-dd"
    assert ws["A2"].data_type == "s"
    # CJK header is wider than an ASCII header of the same length
    assert ws.column_dimensions["A"].width > ws.column_dimensions["B"].width


# ------------------------------------------------- 合计 rows


def test_total_rows_at_the_end_are_skipped_with_a_warning(tmp_path):
    cells = {
        **row_cells(1, ["序号", "单位代码", "单位名称", "开始日期", "时长（小时）"]),
        **row_cells(2, [1, "A01", "一支部", "2026-11-01", 2]),
        **row_cells(3, [2, "A02", "二支部", "2026-11-02", 3]),
        **row_cells(4, ["小计", None, None, None, 5]),
        **row_cells(5, ["合 计：", None, None, None, 5]),
        **row_cells(7, [None, None, None, None, None]),
    }
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert [r.number for r in sheet.rows] == [2, 3]
    assert sheet.warnings[1:] == [
        "第4行: “小计”是合计行，不是数据，已跳过",
        "第5行: “合 计：”是合计行，不是数据，已跳过",
    ]


def test_total_word_in_a_template_column_is_skipped_too(tmp_path):
    cells = {
        **row_cells(1, ["单位代码", "单位名称", "开始日期", "时长（小时）"]),
        **row_cells(2, ["A01", "一支部", "2026-11-01", 2]),
        **row_cells(3, ["总计", None, None, 2]),
    }
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert [r.number for r in sheet.rows] == [2]
    assert sheet.warnings == ["第3行: “总计”是合计行，不是数据，已跳过"]


def test_a_total_row_in_the_middle_and_text_that_mentions_a_total_are_data(tmp_path):
    """Only trailing sum rows go: a row in the middle stays (and fails its checks where it is wrong),
    and a long text that starts with 合计 is what the clerk wrote."""
    cells = {
        **row_cells(1, ["单位代码", "单位名称", "开始日期", "时长（小时）"]),
        **row_cells(2, ["合计", None, None, 2]),
        **row_cells(3, ["A01", "合计完成学习任务的第一党支部", "2026-11-01", 2]),
    }
    sheet = read(make_xlsx(tmp_path / "t.xlsx", cells))
    assert [r.number for r in sheet.rows] == [2, 3]
    assert sheet.warnings == []

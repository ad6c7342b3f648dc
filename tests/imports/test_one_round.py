"""Issue 11: an import reports every error of the sheet in one round. A row whose key cell is wrong (or
repeated) still has its other references checked, so fixing the reported errors never reveals new ones
in a second round. The report is bounded: a sheet broken on every row lists the first 1000 and counts
the rest."""

from tests.imports.test_cli import run
from tests.imports.test_org_import import ORG_HEADER, import_errors, office_sheet, written_state
from tests.imports.test_people_import import PEOPLE_HEADER
from tuijin.imports.normalize import MAX_REPORTED, RowErrors


def test_every_error_of_an_org_sheet_comes_in_one_report(world, tmp_path):
    path = office_sheet(
        tmp_path / "组织.xlsx",
        ORG_HEADER,
        [
            ["", "无编码支部", "XS-NOPE", "党支部", "", ""],  # row 4
            ["XS-A-9", "新支部", "XS-A", "支部X", "", ""],  # row 5
            ["XS-A-9", "重复的支部", "XS-LOST", "党支部", "", ""],  # row 6
            ["XS-A-8", "", "XS-A", "党支部", "火星", "第三批"],  # row 7
            ["XS-A-7", "七支部", "XS-GONE", "党支部", "", ""],  # row 8
        ],
    )
    before = written_state()
    assert import_errors("orgs", path) == [
        "第4行 组织编码: 不能为空",
        "第4行 上级组织编码: 组织“XS-NOPE”不存在（既不在系统中，也不在本表中）",  # was hidden behind 组织编码
        "第5行 组织类别: 应为以下之一：党委、党工委、党组、党总支、党支部，实际为“支部X”",
        "第6行 组织编码: “XS-A-9”与第5行重复",
        "第6行 上级组织编码: 组织“XS-LOST”不存在（既不在系统中，也不在本表中）",  # was hidden behind the repeat
        "第7行 组织名称: 不能为空",
        "第7行 所属领域: 应为以下之一：机关、事业单位、国有企业、学校、医院、农村、社区、非公企业、社会组织、其他，实际为“火星”",
        "第7行 批次: 应为以下之一：第一批、第二批，实际为“第三批”",
        "第8行 上级组织编码: 组织“XS-GONE”不存在（既不在系统中，也不在本表中）",
    ]
    assert written_state() == before


def test_every_error_of_a_people_sheet_comes_in_one_report(world, tmp_path):
    path = office_sheet(
        tmp_path / "人员.xlsx",
        PEOPLE_HEADER,
        [
            ["", "张三", "XS-NOPE", "", "", "", "", ""],  # row 4
            ["N1", "李四", "XS-A-1-1", "党员吧", "", "", "", ""],  # row 5
            ["N2", "王五", "XS-GONE", "", "", "", "", "12345"],  # row 6
            ["N1", "赵六", "XS-B-1", "", "", "", "", ""],  # row 7: repeated, and outside the county
            ["N3", "钱七", "XS-A-2", "", "", "否", "县处级", ""],  # row 8
        ],
    )
    before = written_state()
    assert import_errors("people", path, actor=world.county_office) == [
        "第4行 人员编号: 不能为空",
        "第4行 所在组织编码: 组织“XS-NOPE”不存在，或不在您的管理范围内",  # was hidden behind 人员编号
        "第5行 政治面貌: 应为以下之一：正式党员、预备党员、群众，实际为“党员吧”",
        "第6行 手机号: “12345”不是有效的手机号",
        "第6行 所在组织编码: 组织“XS-GONE”不存在，或不在您的管理范围内",
        "第7行 人员编号: “N1”与第5行重复",
        "第7行 所在组织编码: 组织“XS-B-1”不存在，或不在您的管理范围内",  # was hidden behind the repeat
        "第8行 干部层级: 填写了干部层级，但“是否领导干部”不是“是”",
    ]
    assert written_state() == before


def test_a_sheet_broken_on_every_row_lists_the_first_errors_and_counts_the_rest(world, tmp_path):
    rows = [[f"N{i}", "某人", "XS-GONE", "", "", "", "", ""] for i in range(MAX_REPORTED + 500)]
    path = office_sheet(tmp_path / "人员.xlsx", PEOPLE_HEADER, rows)
    before = written_state()
    errors = import_errors("people", path)
    assert len(errors) == MAX_REPORTED + 1
    assert errors[0] == "第4行 所在组织编码: 组织“XS-GONE”不存在，请先导入组织"
    assert errors[MAX_REPORTED - 1].startswith(f"第{3 + MAX_REPORTED}行 所在组织编码")  # the lowest rows are kept
    assert errors[-1] == ("另有 500 处错误未列出（共 1500 处，只列出行号最前的 1000 处）：请先改正以上错误，再重新检查")
    code, _, err = run("import", "people", str(path))  # the command line counts them all
    assert code == 2 and len(err) == MAX_REPORTED + 2 and err[-1] == "共 1500 处错误，未写入任何数据。"
    assert written_state() == before


def test_the_error_report_keeps_the_lowest_rows_whatever_order_they_were_found_in():
    errors = RowErrors(limit=3)
    for row, column in [(9, "甲"), (2, "乙"), (5, "丙"), (2, "丁"), (1, "戊"), (7, "己")]:
        errors.add(row, column, "错")
    assert len(errors) == 6 and errors
    assert errors.messages == [
        "第1行 戊: 错",
        "第2行 乙: 错",
        "第2行 丁: 错",
        "另有 3 处错误未列出（共 6 处，只列出行号最前的 3 处）：请先改正以上错误，再重新检查",
    ]


def test_the_upload_page_does_not_claim_a_count_it_did_not_list(client, world, tmp_path):
    from tests.imports.test_upload_page import page_text, upload

    client.force_login(world.county_office)
    rows = [[f"N{i}", "某人", "XS-GONE", "", "", "", "", ""] for i in range(MAX_REPORTED + 5)]
    text = page_text(upload(client, "people", office_sheet(tmp_path / "人员.xlsx", PEOPLE_HEADER, rows)))
    assert "人员.xlsx 错误超过 1000 处（总数见最后一行），未写入任何数据" in text
    assert "另有 5 处错误未列出（共 1005 处" in text

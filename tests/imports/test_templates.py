"""Issue 11: every template carries one example row (grey italics, first cell 示例…, skipped on import),
drop-down lists for the columns with fixed values, and a 填写说明 sheet naming every column, whether it is
required, its format and its allowed values. The header row stays the SPEC §4.2 contract."""

import io

import pytest
from openpyxl import load_workbook

from tests.imports.test_org_import import written_state
from tuijin.core.models import DomainEvent
from tuijin.imports.registry import GUIDE_SHEET, KINDS, run_import, write_template
from tuijin.orgs.models import Org, Person
from tuijin.rectification.models import Problem

SPEC_HEADERS = {  # SPEC §4.2, in its order
    "orgs": ["组织编码", "组织名称", "上级组织编码", "组织类别", "所属领域", "批次"],
    "people": ["人员编号", "姓名", "所在组织编码", "政治面貌", "职务", "是否领导干部", "干部层级", "手机号"],
    "study-sessions": [
        "组织编码",
        "日期",
        "学习形式",
        "主题",
        "主讲人",
        "主讲人单位",
        "主讲人类别",
        "学习篇目",
        "参加人员编号",
        "参加人数",
        "时长（小时）",
    ],
    "self-study": ["人员编号", "日期", "篇目编码", "时长（分钟）", "学习心得"],
}
FIXED = {  # columns whose drop-down the issue names, with their values
    ("orgs", "组织类别"): "党委,党工委,党组,党总支,党支部",
    ("people", "政治面貌"): "正式党员,预备党员,群众",
    ("study-sessions", "学习形式"): "中心组学习,支部学习,专题研讨,读书班,宣讲报告,警示教育,现场教学,外出学习",
    ("problems", "问题来源"): "集体查,个人纠,群众评,上级查,本级督,下级提,上级交办,调研发现",
    ("problems", "整改状态"): "待整改,整改中,待验收,已销号,已反弹",
    ("problems", "是否专项整治"): "是,否",
    ("projects", "状态"): "未开始,推进中,已完成",
    ("submissions", "信息类型"): "工作动态,经验做法,典型案例,创新举措",
    ("publicity", "宣传渠道"): "电视,报刊,网络,新媒体,重点路段,公共场所,单位内部",
}


def template(kind) -> bytes:
    buffer = io.BytesIO()
    write_template(kind, buffer)
    return buffer.getvalue()


def drop_downs(ws) -> dict[str, tuple[str, str]]:
    """{column header: (inline list, error style)} of the sheet's list validations."""
    found = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        for cells in dv.sqref.ranges:
            assert cells.min_row == 2 and cells.max_row == 1048576 and cells.min_col == cells.max_col
            found[ws.cell(1, cells.min_col).value] = (dv.formula1.strip('"'), dv.errorStyle)
    return found


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_template_has_the_contract_header_an_example_row_drop_downs_and_a_guide(kind):
    wb = load_workbook(io.BytesIO(template(kind)))
    assert wb.sheetnames == [KINDS[kind].label, GUIDE_SHEET]
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    assert header == KINDS[kind].headers == SPEC_HEADERS.get(kind, header)

    example = ws[2]
    assert example[0].value.startswith("示例") and len(example) == len(header)
    assert all(c.font.italic and c.font.color.rgb.endswith("808080") for c in example)
    assert ws.max_row == 2

    lists = drop_downs(ws)
    assert set(lists) == set(KINDS[kind].choices)
    for (k, column), values in FIXED.items():
        if k == kind:
            assert lists[column] == (values, "stop")
    if kind == "problems":  # a campaign may have its own categories: the list only suggests
        assert lists["问题类别"][1] == "warning"

    guide = [list(r) for r in wb[GUIDE_SHEET].values]
    assert guide[0] == ["列名", "是否必填", "填写格式", "可选值", "示例"]
    by_column = {r[0]: r for r in guide[1 : 1 + len(header)]}
    assert list(by_column) == header
    for column in header:
        _, required, fmt, allowed, _ = by_column[column]
        assert required == ("必填" if column in KINDS[kind].required else "选填")
        assert fmt
        assert (allowed or "") == ("、".join(lists[column][0].split(",")) if column in lists else "")
    assert any("示例" in (r[0] or "") and "跳过" in r[0] for r in guide)


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_untouched_template_imports_nothing_and_reports_no_error(world, kind):
    before, events = written_state(), DomainEvent.objects.count()
    result = run_import(kind, io.BytesIO(template(kind)), actor=None)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 0)
    assert result.warnings == [f"第2行 {KINDS[kind].headers[0]}: 以“示例”开头，是模板中的示例行，已跳过"]
    assert written_state() == before and DomainEvent.objects.count() == events


def filled(kind, rows) -> io.BytesIO:
    """The template as a clerk fills it: rows typed below the example, which stays."""
    wb = load_workbook(io.BytesIO(template(kind)))
    for row in rows:
        wb.worksheets[0].append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_filled_templates_import_their_rows_and_skip_the_example(world):
    result = run_import(
        "orgs",
        filled("orgs", [["XS-A-9", "A县新设党支部", "XS-A", "党支部", "社区", "第二批"]]),
        actor=world.county_office,
    )
    assert (result.created, result.updated) == (1, 0)
    assert Org.objects.get(code="XS-A-9").parent == world.county_a
    assert not Org.objects.filter(code__startswith="示例").exists()

    result = run_import(
        "people",
        filled("people", [["P9", "新党员", "XS-A-9", "预备党员", "", "否", "", ""]]),
        actor=world.county_office,
    )
    assert (result.created, Person.objects.get(number="P9").status) == (1, "预备党员")

    result = run_import(
        "problems",
        filled(
            "problems",
            [
                [
                    "XS-A-9",
                    "2026-01",
                    "理论学习",
                    "集体查",
                    "学习不深入",
                    "每月学习一次；建立台账",
                    "新党员",
                    "2026-12-31",
                    "整改中",
                    "否",
                ]
            ],
        ),
        actor=world.county_office,
    )
    assert result.created == 1
    problem = Problem.objects.get(org__code="XS-A-9", number="2026-01")
    assert (problem.state, problem.source, problem.measures.count()) == ("整改中", "集体查", 2)
    assert result.warnings == ["第2行 组织编码: 以“示例”开头，是模板中的示例行，已跳过"]

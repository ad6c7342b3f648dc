"""`tuijin import research|projects` and `tuijin export` (SPEC §4.1, §4.2): messy sheets are read as meant,
every error is listed as 第N行 列名: 原因 and nothing is written, re-imports never duplicate, and an
export imports back unchanged."""

import datetime as dt

import pytest

from tests.imports.test_cli import data_rows, header_of, run
from tests.imports.test_org_import import office_sheet
from tuijin.core.models import DomainEvent
from tuijin.imports.registry import KINDS, ImportFailed, run_import
from tuijin.rectification.models import Problem
from tuijin.research import actions
from tuijin.research.models import Finding, Project, ProjectEvidence, ProjectStatus, ResearchVisit

from .conftest import PNG, TODAY

RESEARCH = ["人员编号", "日期", "调研地点", "调研主题", "发现问题", "调研成果"]
PROJECTS = ["组织编码", "项目名称", "群众需求", "所属领域", "受益人数", "计划完成时间", "状态"]
FIRST = 4  # office_sheet puts two title rows and the header above the data: the first data row is Excel row 4


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


def state():
    return {
        "visits": sorted(ResearchVisit.objects.values_list("person__number", "date", "topic", "place", "outcome")),
        "findings": sorted(Finding.objects.values_list("visit__topic", "text", "position")),
        "projects": sorted(
            Project.objects.values_list(
                "org__code", "name", "need", "need_category", "beneficiaries", "deadline", "status", "flagged"
            )
        ),
        "events": DomainEvent.objects.count(),
    }


VISIT_ROWS = [
    [
        "A1C1",
        "2026年10月12日",
        "东关小学",
        "农村学校课后服务情况调研",
        "课后服务课程单一，家长满意度不高；部分学校缺少专职保育人员",
        "形成调研报告1篇",
    ],
    None,
    ["Ａ１Ｃ１", 46309, " 幸福村 ", "农村饮水安全情况调研", "水质季节性超标\n管护责任不清", ""],  # 2026-10-14
    ["A1A1", "2026/11/02", "城关镇", "村内道路情况调研", "村内道路、路灯年久失修", None],
]


def test_the_templates_are_the_contract():
    assert KINDS["research"].headers == RESEARCH and KINDS["projects"].headers == PROJECTS


def test_a_messy_research_sheet_is_read_as_meant(world, tmp_path):
    path = office_sheet(tmp_path / "调研.xlsx", RESEARCH, VISIT_ROWS)
    code, out, err = run("import", "research", str(path))
    assert (code, out, err) == (0, ["导入完成：新增 3 条，更新 0 条，未变 0 条"], [])
    school = ResearchVisit.objects.get(topic="农村学校课后服务情况调研")
    assert (school.person.number, school.date, school.org.code) == ("A1C1", dt.date(2026, 10, 12), "XS-A-1")
    assert list(school.findings.values_list("text", flat=True)) == [
        "课后服务课程单一，家长满意度不高",
        "部分学校缺少专职保育人员",
    ]
    water = ResearchVisit.objects.get(topic="农村饮水安全情况调研")
    assert water.date == dt.date(2026, 10, 14) and water.place == "幸福村" and water.findings.count() == 2
    road = ResearchVisit.objects.get(topic="村内道路情况调研")
    assert list(road.findings.values_list("text", flat=True)) == ["村内道路", "路灯年久失修"]  # 、 alone separates


def test_re_importing_the_same_sheet_creates_no_duplicates(world, tmp_path):
    path = office_sheet(tmp_path / "调研.xlsx", RESEARCH, VISIT_ROWS)
    run("import", "research", str(path))
    before = state()
    assert run("import", "research", str(path))[1] == ["导入完成：新增 0 条，更新 0 条，未变 3 条"]
    assert {k: v for k, v in state().items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}


def test_every_error_is_listed_and_nothing_is_written(world, tmp_path):
    path = office_sheet(
        tmp_path / "调研.xlsx",
        RESEARCH,
        [
            ["A1C1", "2026-10-12", "东关小学", "课后服务调研", "", ""],  # row 4: fine
            ["NOBODY", "2026-13-01", "x", "", "", ""],  # row 5
            ["A1C1", "2026-12-01", "x", "未来的调研", "", ""],  # row 6
            ["A1C1", "2026-10-12", "东关小学", "课后服务调研", "", ""],  # row 7: same visit as row 4
        ],
    )
    before = state()
    code, out, err = run("import", "research", str(path))
    assert code == 2 and out == []
    assert err == [
        "第5行 日期: 日期“2026-13-01”不存在，请检查月份和日",
        "第5行 调研主题: 不能为空",
        # reported in the same round as the row's wrong cells (issue 11)
        "第5行 人员编号: 人员编号“NOBODY”不存在，请先导入人员",
        "第6行 日期: 2026-12-01 晚于今天，只能记录已经开展的调研",
        "第7行 调研主题: 与第4行是同一次调研（人员、日期、主题都相同）",
        "共 5 处错误，未写入任何数据。",
    ]
    assert state() == before
    path = office_sheet(tmp_path / "调研2.xlsx", RESEARCH, [["NOBODY", "2026-10-12", "x", "t", "", ""]])
    assert run("import", "research", str(path))[2][0] == "第4行 人员编号: 人员编号“NOBODY”不存在，请先导入人员"


def test_a_unit_reporter_imports_only_its_own_peoples_visits(world, tmp_path):
    path = office_sheet(
        tmp_path / "调研.xlsx",
        RESEARCH,
        [["A1A1", "2026-10-12", "x", "t", "", ""], ["A1C1", "2026-10-12", "x", "t", "", ""]],
    )
    with pytest.raises(ImportFailed) as failed:
        run_import("research", path, actor=world.branch_reporter)
    assert failed.value.errors == ["第5行 人员编号: 人员编号“A1C1”不存在，或不在您的管理范围内"]
    assert ResearchVisit.objects.count() == 0


def test_a_re_import_drops_unlisted_findings_but_keeps_converted_ones(world, tmp_path):
    run("import", "research", str(office_sheet(tmp_path / "a.xlsx", RESEARCH, VISIT_ROWS[:1])))
    visit = ResearchVisit.objects.get()
    kept = visit.findings.get(text="部分学校缺少专职保育人员")
    actions.convert_to_problem(kept, actor=None, found_on=TODAY)
    changed = [
        [
            "A1C1",
            "2026-10-12",
            "东关小学",
            "农村学校课后服务情况调研",
            "课后服务时间与家长下班时间不衔接",
            "形成调研报告2篇",
        ]
    ]
    code, out, _ = run("import", "research", str(office_sheet(tmp_path / "b.xlsx", RESEARCH, changed)))
    assert out == ["导入完成：新增 0 条，更新 1 条，未变 0 条"]
    assert list(visit.findings.values_list("text", flat=True)) == [
        "课后服务时间与家长下班时间不衔接",
        "部分学校缺少专职保育人员",
    ]
    assert ResearchVisit.objects.get().outcome == "形成调研报告2篇" and Problem.objects.count() == 1


def test_the_research_export_imports_back_unchanged(world, tmp_path):
    run("import", "research", str(office_sheet(tmp_path / "a.xlsx", RESEARCH, VISIT_ROWS)))
    actions.record_visit(
        actor=None,
        person=world.cadre,
        date=TODAY,
        topic="到第一党支部调研",
        visited_org=world.branch_a1a,
        findings=["党员活动室、图书角使用率不高"],
    )  # one finding whose text has 、
    out = tmp_path / "导出.xlsx"
    assert run("export", "research", "--org", "XS-A", "--out", str(out))[1] == [f"已导出 4 行到 {out}"]
    assert header_of(out) == RESEARCH
    assert [
        "A1C1",
        dt.datetime(2026, 11, 27),
        "A县教育局第一党支部",
        "到第一党支部调研",
        "党员活动室、图书角使用率不高；",
        None,
    ] in data_rows(out)
    before = state()
    assert run("import", "research", str(out))[1] == ["导入完成：新增 0 条，更新 0 条，未变 4 条"]
    assert {k: v for k, v in state().items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}
    assert run("export", "research", "--org", "XS-B", "--out", str(tmp_path / "b.xlsx"))[1][0].startswith("已导出 0 行")


# ------------------------------------------------------------------ projects

PROJECT_ROWS = [
    [
        "XS-A-1",
        "为城关镇新建3处老年助餐点",
        "城关镇独居和高龄老人120人吃饭难",
        "养老",
        "120人",
        "2026年12月31日",
        "推进中",
    ],
    ["XS-A-1", "日常巡查", None, None, None, None, None],
    ["XS-A-1-1", "解决幸福村32户饮水不安全问题", "幸福村32户村民饮用水水质不达标", "饮水", "1,050", 46387, "未开始"],
]


def test_a_projects_sheet_is_imported_and_flagged_rows_are_reported(world, tmp_path):
    path = office_sheet(tmp_path / "办实事.xlsx", PROJECTS, PROJECT_ROWS)
    code, out, err = run("import", "projects", str(path))
    assert code == 0 and err == []
    assert out == [
        "提示 第5行 项目名称: “日常巡查”疑似泛化（项目名称就是一项常规工作（日常巡查），没有写明为谁、解决什么问题；"
        "未写明群众需求（急难愁盼）；未填写受益人数）",
        "导入完成：新增 3 条，更新 0 条，未变 0 条",
    ]
    meals = Project.objects.get(name="为城关镇新建3处老年助餐点")
    assert (meals.beneficiaries, meals.deadline, meals.status, meals.flagged) == (
        120,
        dt.date(2026, 12, 31),
        ProjectStatus.IN_PROGRESS,
        False,
    )
    assert meals.listed_on == TODAY
    water = Project.objects.get(name="解决幸福村32户饮水不安全问题")
    assert (water.beneficiaries, water.deadline) == (1050, dt.date(2026, 12, 31))
    assert Project.objects.get(name="日常巡查").status == ProjectStatus.NOT_STARTED


def test_re_importing_projects_updates_and_recomputes_flags_without_duplicates(world, tmp_path):
    run("import", "projects", str(office_sheet(tmp_path / "a.xlsx", PROJECTS, PROJECT_ROWS)))
    fixed = [["XS-A-1", "日常巡查", "东关社区居民32户反映夜间治安差", "安全", 96, None, None]]
    code, out, _ = run("import", "projects", str(office_sheet(tmp_path / "b.xlsx", PROJECTS, fixed)))
    assert out[-1] == "导入完成：新增 0 条，更新 1 条，未变 0 条"
    patrol = Project.objects.get(name="日常巡查")
    assert patrol.flagged and patrol.flag_reasons == [
        "项目名称就是一项常规工作（日常巡查），没有写明为谁、解决什么问题"
    ]
    assert Project.objects.count() == 3


def test_project_errors_name_the_row_and_the_column(world, tmp_path):
    path = office_sheet(
        tmp_path / "办实事.xlsx",
        PROJECTS,
        [
            ["XS-A-1", "修路", "村民出行难", "修路", "32户", "明年", "已完成"],  # row 4
            ["XS-B-1", "建桥", "", "", "-5", "", ""],  # row 5
            ["XS-A-1", "修路", "", "", "", "", ""],  # row 6
        ],
    )
    before = state()
    with pytest.raises(ImportFailed) as failed:
        run_import("projects", path, actor=world.county_office)
    assert failed.value.errors == [
        "第4行 所属领域: 应为以下之一：就业、教育、医疗、养老、托育、住房、交通、饮水、环境、安全、助残、便民服务、其他，实际为“修路”",
        "第4行 受益人数: “32户”是户数，请填写受益人数（人）",
        "第4行 计划完成时间: 无法识别的日期“明年”，请写成 2026-11-27 或 2026年11月27日",
        "第4行 状态: 新项目还没有佐证材料，不能直接登记为“已完成”：请先登记为“推进中”，上传佐证材料后再改为“已完成”",
        "第5行 受益人数: 不能小于 0，实际为“-5”",
        "第5行 组织编码: 组织“XS-B-1”不存在，或不在您的管理范围内",
        "第6行 项目名称: 与第4行是同一组织的同一项目",
    ]
    assert state() == before


def test_a_project_cannot_be_imported_as_finished_without_evidence(world, tmp_path):
    row = [["XS-A-1", "为城关镇新建3处老年助餐点", "城关镇独居老人120人吃饭难", "养老", 120, None, "已完成"]]
    with pytest.raises(ImportFailed) as failed:
        run_import("projects", office_sheet(tmp_path / "a.xlsx", PROJECTS, row), actor=None)
    assert failed.value.errors[0].startswith("第4行 状态: 新项目还没有佐证材料")
    row[0][-1] = "推进中"
    run_import("projects", office_sheet(tmp_path / "b.xlsx", PROJECTS, row), actor=None)
    project = Project.objects.get()
    actions.attach_project_evidence(project, actor=None, name="照片.png", data=PNG)
    row[0][-1] = "已完成"
    run_import("projects", office_sheet(tmp_path / "c.xlsx", PROJECTS, row), actor=None)
    project = Project.objects.get()
    assert project.status == ProjectStatus.DONE and project.completed_on == TODAY
    assert ProjectEvidence.objects.count() == 1


def test_the_projects_export_imports_back_unchanged(world, tmp_path):
    run("import", "projects", str(office_sheet(tmp_path / "a.xlsx", PROJECTS, PROJECT_ROWS)))
    out = tmp_path / "导出.xlsx"
    run("export", "projects", "--org", "XS-A", "--out", str(out))
    assert header_of(out) == PROJECTS
    assert data_rows(out)[1] == ["XS-A-1", "日常巡查", None, None, None, None, "未开始"]
    before = state()
    assert run("import", "projects", str(out))[1][-1] == "导入完成：新增 0 条，更新 0 条，未变 3 条"
    assert {k: v for k, v in state().items() if k != "events"} == {k: v for k, v in before.items() if k != "events"}


def test_an_export_as_a_user_holds_only_what_they_see(world, tmp_path):
    run("import", "projects", str(office_sheet(tmp_path / "a.xlsx", PROJECTS, PROJECT_ROWS)))
    out = tmp_path / "b.xlsx"
    run("export", "projects", "--org", "XS-A", "--out", str(out), "--as", "branch_reporter")
    assert run("export", "projects", "--org", "XS-A", "--out", str(out), "--as", "branch_reporter")[0] == 2
    run("export", "projects", "--org", "XS-A-1-1", "--out", str(out), "--as", "branch_reporter")
    assert [r[1] for r in data_rows(out)] == ["解决幸福村32户饮水不安全问题"]

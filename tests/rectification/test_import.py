"""Importing the problem list: all or nothing, re-import never duplicates, an import never skips the rules."""

import datetime as dt

import pytest
from python_calamine import CalamineWorkbook

from tests.imports.test_org_import import import_errors, office_sheet
from tuijin.core.models import DomainEvent
from tuijin.imports.registry import ImportFailed, export_subtree, run_import
from tuijin.rectification import actions
from tuijin.rectification.imports import MeasureSpec, join_measures, parse_measure, split_measures
from tuijin.rectification.models import Measure, Problem, State

from .conftest import PDF, TODAY

HEADER = [
    "组织编码",
    "问题编号",
    "问题类别",
    "问题来源",
    "问题描述",
    "整改措施",
    "责任人",
    "整改时限",
    "整改状态",
    "是否专项整治",
]
TITLES = ("A县教育局党委检视问题清单", "填报单位（盖章）：A县教育局党委　　填报日期：2026年11月27日")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


def sheet(tmp_path, rows, header=HEADER, name="问题.xlsx"):
    """Data row i (0-based, blanks included) is Excel row 4 + i."""
    return office_sheet(tmp_path / name, header, rows, titles=TITLES)


def problem(org, number):
    return Problem.objects.get(org=org, number=number)


def state_of_db():
    return {
        "problems": sorted(
            Problem.objects.values_list(
                "org__code",
                "number",
                "category",
                "source",
                "description",
                "responsible",
                "deadline",
                "state",
                "is_special",
                "version",
            )
        ),
        "measures": sorted(
            Measure.objects.values_list("problem__number", "text", "owner", "deadline", "done", "position")
        ),
        "history": (Problem.history.count(), Measure.history.count()),
        "events": DomainEvent.objects.count(),
    }


# A branch's list as clerks type it: full-width codes, stray spaces, dates three ways, measures
# separated every way the template allows, some with owner and deadline in brackets.
MESSY = [
    [
        "ＸＳ-Ａ-１-１",
        " 2026-001 ",
        "理论学习",
        "集体查",
        "理论学习不深入，学用脱节 ",
        "每周集中学习一次（责任人：甲1，时限：2026年12月1日）；建立学习台账\n开展专题研讨（每月一次）",
        "甲1",
        "2026/12/31",
        None,
        "否",
    ],
    None,
    [
        "XS-A-1-1",
        "2026-002",
        " 工作作风",
        "群众评",
        "为群众办事推诿扯皮",
        "公开办事流程、健全首问负责制",
        "甲2",
        46387,
        "整改中",
        None,
    ],
    [
        "XS-A-1-2",
        "2026-001",
        None,
        "上级查",
        "组织生活会质量不高",
        "整改方案（负责人：乙一、乙二，完成时限：2026-12-15）",
        None,
        None,
        "",
        "是",
    ],
    None,
]


def test_a_messy_problem_sheet_is_read_the_way_the_clerk_meant_it(world, tmp_path):
    result = run_import("problems", sheet(tmp_path, MESSY), actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    first = problem(world.branch_a1a, "2026-001")
    assert (first.category, first.source, first.description, first.responsible, first.deadline) == (
        "理论学习",
        "集体查",
        "理论学习不深入，学用脱节",
        "甲1",
        dt.date(2026, 12, 31),
    )
    assert (first.state, first.found_on, first.is_special) == (State.OPEN, TODAY, False)
    assert [(m.text, m.owner, m.deadline) for m in first.measures.all()] == [
        ("每周集中学习一次", "甲1", dt.date(2026, 12, 1)),  # its own deadline, the row's owner
        ("建立学习台账", "甲1", dt.date(2026, 12, 31)),
        ("开展专题研讨（每月一次）", "甲1", dt.date(2026, 12, 31)),
    ]
    second = problem(world.branch_a1a, "2026-002")
    assert (second.category, second.state, second.deadline) == ("工作作风", State.IN_PROGRESS, dt.date(2026, 12, 31))
    assert [m.text for m in second.measures.all()] == ["公开办事流程", "健全首问负责制"]  # 、 alone separates
    third = problem(world.branch_a1b, "2026-001")
    assert (third.category, third.state, third.is_special) == ("其他", State.OPEN, True)
    assert [(m.text, m.owner, m.deadline) for m in third.measures.all()] == [
        ("整改方案", "乙一、乙二", dt.date(2026, 12, 15))
    ]


def test_the_import_is_one_event_with_history_rows(world, tmp_path):
    events = DomainEvent.objects.count()
    run_import("problems", sheet(tmp_path, MESSY), actor=world.county_office)
    assert DomainEvent.objects.count() == events + 1
    assert DomainEvent.objects.first().verb == "import.problems"
    assert Problem.history.filter(number="2026-001", history_type="+", history_user=world.county_office).count() == 2
    assert Measure.history.filter(history_type="+").count() == Measure.objects.count() == 6


def test_reimporting_the_same_sheet_changes_nothing_and_never_duplicates(world, tmp_path):
    path = sheet(tmp_path, MESSY)
    run_import("problems", path, actor=world.county_office)
    before = state_of_db()

    result = run_import("problems", path, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    after = state_of_db()
    assert after["problems"] == before["problems"] and after["measures"] == before["measures"]
    assert after["history"] == before["history"]
    assert Problem.objects.filter(org=world.branch_a1a, number="2026-001").count() == 1


def test_reimport_updates_fields_and_measures_by_text_and_keeps_done_measures(world, tmp_path, problem):
    # problem fixture: 2026-001 of branch A1a with measures 每周集中学习一次 (甲1, 12-01) and 加强学习.
    done = problem.measures.get(text="每周集中学习一次")
    actions.set_measure_done(done, actor=world.branch_reporter, done=True, as_of=TODAY)
    version = Problem.objects.get(pk=problem.pk).version
    path = sheet(
        tmp_path,
        [
            [
                "XS-A-1-1",
                "2026-001",
                "理论学习",
                "集体查",
                "理论学习不深入、不系统",
                "制定学习计划（责任人：甲2，时限：2026-12-10）",
                "甲2",
                "2026-12-25",
                None,
                "否",
            ]
        ],
    )

    result = run_import("problems", path, actor=world.branch_reporter)

    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    fresh = Problem.objects.get(pk=problem.pk)
    assert (fresh.description, fresh.responsible, fresh.deadline) == (
        "理论学习不深入、不系统",
        "甲2",
        dt.date(2026, 12, 25),
    )
    assert fresh.state == State.IN_PROGRESS  # empty 整改状态 leaves the state alone
    assert fresh.version == version + 1
    assert [(m.text, m.owner, m.done) for m in fresh.measures.all()] == [
        ("制定学习计划", "甲2", False),
        ("每周集中学习一次", "甲1", True),
    ]  # 加强学习 (not done) dropped
    assert Measure.history.filter(text="加强学习", history_type="-").exists()
    assert Problem.objects.count() == 1


def test_a_new_problem_imported_as_closed_is_refused_and_nothing_is_written(world, tmp_path):
    before = state_of_db()
    rows = MESSY[:3] + [
        ["XS-A-1-1", "2026-003", "其他", "集体查", "会议多、文件多", "", "", "", "已销号", ""],
        ["XS-A-1-1", "2026-004", "其他", "集体查", "调研走过场", "", "", "", "待验收", ""],
    ]
    errors = import_errors("problems", sheet(tmp_path, rows), actor=world.county_office)

    assert len(errors) == 2
    assert errors[0].startswith("第7行 整改状态: 不能导入为“已销号”") and "上级办公室或指导组" in errors[0]
    assert errors[1].startswith("第8行 整改状态: 新问题还没有支撑材料")
    assert state_of_db() == before


def test_state_changes_in_a_sheet_follow_the_rules_for_the_owner_org(world, tmp_path, problem):
    row = ["XS-A-1-1", "2026-001", "理论学习", "集体查", "理论学习不深入，学用脱节", "甲1", "2026-12-20"]

    def reimport(state, actor=world.branch_reporter, name="a.xlsx"):
        return run_import(
            "problems", sheet(tmp_path, [row + [state, "否"]], header=HEADER[:5] + HEADER[6:], name=name), actor=actor
        )

    for state in ("已销号", "已反弹"):
        with pytest.raises(ImportFailed) as failed:
            reimport(state)
        assert failed.value.errors[0].startswith(f"第4行 整改状态: 不能导入为“{state}”")
    with pytest.raises(ImportFailed) as failed:
        reimport("待验收")
    assert "还没有上传支撑材料" in failed.value.errors[0]

    assert reimport("待整改").unchanged == 1
    assert reimport("整改中").updated == 1
    with pytest.raises(ImportFailed) as failed:
        reimport("待整改")
    assert failed.value.errors == ["第4行 整改状态: 问题当前为“整改中”，不能改回“待整改”"]
    actions.attach_evidence(problem, actor=world.branch_reporter, name="记录.pdf", data=PDF)
    assert reimport("待验收").updated == 1
    assert Problem.objects.get(pk=problem.pk).state == State.SUBMITTED
    with pytest.raises(ImportFailed) as failed:  # sending back is the reviewer's
        reimport("整改中")
    assert "退回整改" in failed.value.errors[0]
    with pytest.raises(ImportFailed):  # not even the county office may close by import
        reimport("已销号", actor=world.county_office)


def test_a_closed_problem_reimports_unchanged_but_cannot_be_edited(world, tmp_path, submitted):
    actions.close_problem(submitted, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿")
    row = [
        "XS-A-1-1",
        "2026-001",
        "理论学习",
        "集体查",
        "理论学习不深入，学用脱节",
        "每周集中学习一次（责任人：甲1，时限：2026-12-01）；加强学习",
        "甲1",
        "2026-12-20",
        "已销号",
        "否",
    ]
    assert run_import("problems", sheet(tmp_path, [row]), actor=world.branch_reporter).unchanged == 1
    row[4] = "改写后的描述"
    errors = import_errors("problems", sheet(tmp_path, [row], name="b.xlsx"), actor=world.branch_reporter)
    assert errors == ["第4行 问题编号: 问题“2026-001”已销号，不能再修改（本行改动了：问题描述）"]


def test_rows_for_orgs_the_actor_may_not_manage_are_errors_naming_the_row(world, tmp_path):
    rows = [
        ["XS-A-1-1", "1", "其他", "集体查", "甲", "", "", "", "", ""],
        ["XS-A-2", "1", "其他", "集体查", "乙", "", "", "", "", ""],
        ["XS-B-1", "1", "其他", "上级查", "丙", "", "", "", "", ""],
    ]
    errors = import_errors("problems", sheet(tmp_path, rows), actor=world.branch_reporter)
    assert errors == [
        "第5行 组织编码: 组织“XS-A-2”不存在，或不在您的管理范围内",
        "第6行 组织编码: 组织“XS-B-1”不存在，或不在您的管理范围内",
    ]
    # The guidance group sees county B but keeps no problem list of its own there.
    errors = import_errors("problems", sheet(tmp_path, rows[2:], name="g.xlsx"), actor=world.guide)
    assert errors == ["第4行 组织编码: 无权维护组织“B县第一党支部”的问题清单"]
    assert not Problem.objects.exists()


def test_cell_errors_name_row_and_column(world, tmp_path):
    rows = [
        ["XS-A-1-1", "", "思想", "自查", "", "学习（时限：明年）", "", "2026-02-30", "完成", "也许"],
        ["XS-A-1-1", "9", "其他", None, "描述", "", "", "", "", ""],
        ["XS-A-1-1", "9", "其他", "集体查", "描述", "", "", "", "", ""],
    ]
    errors = import_errors("problems", sheet(tmp_path, rows), actor=world.county_office)
    assert errors[:7] == [
        "第4行 问题编号: 不能为空",
        "第4行 问题类别: 应为以下之一：理论学习、政治素质、能力本领、担当作为、工作作风、廉洁自律、服务群众、其他，实际为“思想”",
        "第4行 问题来源: 应为以下之一：集体查、个人纠、群众评、上级查、本级督、下级提、上级交办、调研发现，实际为“自查”",
        "第4行 问题描述: 不能为空",
        "第4行 整改措施: 措施“学习”的时限：无法识别的日期“明年”，请写成 2026-11-27 或 2026年11月27日",
        "第4行 整改时限: 日期“2026-02-30”不存在，请检查月份和日",
        "第4行 整改状态: 应为以下之一：待整改、整改中、待验收、已销号、已反弹，实际为“完成”",
    ]
    assert errors[7] == "第4行 是否专项整治: 应填“是”或“否”，实际为“也许”"
    assert "第6行 问题编号: “9”与第5行是同一组织的同一问题编号" in errors
    assert (
        "第5行 问题来源: 新问题必须填写问题来源（集体查、个人纠、群众评、上级查、本级督、下级提、上级交办、调研发现）"
        in errors
    )


def test_a_withdrawn_problem_cannot_come_back_through_an_old_sheet(world, tmp_path, problem):
    actions.withdraw_problem(problem, actor=world.branch_reporter, reason="与其他问题重复")
    row = ["XS-A-1-1", "2026-001", "理论学习", "集体查", "理论学习不深入，学用脱节", "", "甲1", "", "", ""]
    errors = import_errors("problems", sheet(tmp_path, [row]), actor=world.branch_reporter)
    assert errors == ["第4行 问题编号: 问题“2026-001”已撤回（与其他问题重复），不能再导入；请从表中删去此行"]


def test_an_escalated_problem_in_an_old_sheet_is_skipped_with_a_warning(world, tmp_path, problem):
    actions.escalate(problem, actor=world.branch_reporter, to=world.county_a, reason="需要县里协调")
    row = ["XS-A-1-1", "2026-001", "理论学习", "集体查", "理论学习不深入，学用脱节", "", "甲1", "", "", ""]
    result = run_import("problems", sheet(tmp_path, [row]), actor=world.branch_reporter)
    assert (result.created, result.unchanged) == (0, 1)
    assert any("已提交中共A县委解决" in w for w in result.warnings)
    assert not Problem.objects.filter(org=world.branch_a1a).exists()


def test_dry_run_counts_and_writes_nothing(world, tmp_path):
    before = state_of_db()
    result = run_import("problems", sheet(tmp_path, MESSY), actor=world.county_office, dry_run=True)
    assert (result.created, result.dry_run) == (3, True)
    assert state_of_db() == before


def test_the_export_is_the_ledger_and_reimports_unchanged(world, tmp_path, problem, submitted):
    actions.close_problem(submitted, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿")
    actions.create_problem(
        actor=world.county_office,
        org=world.branch_a2,
        number="2026-001",
        source="上级查",
        description="村务公开不及时",
        category="服务群众",
        is_special=True,
        found_on=TODAY,
        measures=[{"text": "健全公开、监督制度"}],
    )
    actions.create_problem(
        actor=world.county_office,
        org=world.branch_a1b,
        number="A-7",
        source="群众评",
        description="窗口服务态度差",
        deadline=dt.date(2026, 12, 1),
        found_on=TODAY,
        measures=[
            {"text": "开展作风整顿（每周一次）", "owner": "乙一"},
            {"text": "设立意见箱", "deadline": dt.date(2026, 12, 5)},
        ],
    )
    gone = actions.create_problem(
        actor=world.county_office,
        org=world.branch_a2,
        number="2026-002",
        source="集体查",
        description="重复登记",
        found_on=TODAY,
    )
    actions.withdraw_problem(gone, actor=world.county_office, reason="重复")
    actions.create_problem(
        actor=world.city_office, org=world.branch_b1, source="集体查", description="县外", found_on=TODAY
    )

    out = tmp_path / "台账.xlsx"
    assert export_subtree("problems", world.county_a, out, user=world.county_office) == 3
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[0] == HEADER
    assert [r[:2] for r in rows[1:]] == [["XS-A-1-1", "2026-001"], ["XS-A-1-2", "A-7"], ["XS-A-2", "2026-001"]]
    assert rows[1][5] == "每周集中学习一次（责任人：甲1，时限：2026-12-01）；加强学习"
    assert rows[1][8] == "已销号"
    assert rows[2][5] == "开展作风整顿（每周一次）（责任人：乙一）；设立意见箱（时限：2026-12-05）"
    assert rows[3][5] == "健全公开、监督制度；" and rows[3][9] == "是"
    before = state_of_db()

    result = run_import("problems", out, actor=world.county_office)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    after = state_of_db()
    assert after["problems"] == before["problems"] and after["measures"] == before["measures"]
    assert after["history"] == before["history"]


@pytest.mark.parametrize(
    "item, spec",
    [
        ("建立学习台账", MeasureSpec("建立学习台账")),
        (
            "每周集中学习一次（责任人：甲1，时限：2026-12-01）",
            MeasureSpec("每周集中学习一次", "甲1", dt.date(2026, 12, 1)),
        ),
        ("每周学习 (负责人: 张三, 完成时限: 2026年12月1日)", MeasureSpec("每周学习", "张三", dt.date(2026, 12, 1))),
        ("开展专题研讨（每月一次）", MeasureSpec("开展专题研讨（每月一次）")),
        (
            "开展专题研讨（每月一次）（时限：2026/12/31）",
            MeasureSpec("开展专题研讨（每月一次）", "", dt.date(2026, 12, 31)),
        ),
        ("公开办事流程（责任人：李四）", MeasureSpec("公开办事流程", "李四")),
        ("修订制度（责任人：王五 时限：2026-12-20）", MeasureSpec("修订制度", "王五", dt.date(2026, 12, 20))),
    ],
)
def test_a_measure_may_carry_its_owner_and_deadline_in_brackets(item, spec):
    assert parse_measure(item) == spec
    assert parse_measure(join_measures([spec]).rstrip("；")) == spec


@pytest.mark.parametrize(
    "item, reason",
    [
        ("（责任人：张三）", "没有写措施内容"),
        ("学习（时限：2026-13-01）", "不存在"),
        ("学习（责任人：张三，负责人：李四）", "写了两次"),
    ],
)
def test_a_measure_that_cannot_be_read_says_why(item, reason):
    with pytest.raises(ValueError, match=reason):
        parse_measure(item)


@pytest.mark.parametrize(
    "cell, items",
    [
        ("甲；乙;丙\n丁", ["甲", "乙", "丙", "丁"]),
        ("甲、乙、丙", ["甲", "乙", "丙"]),
        ("健全学习、考核制度；公开办事流程", ["健全学习、考核制度", "公开办事流程"]),
        ("健全学习、考核制度；", ["健全学习、考核制度"]),
        ("整改（责任人：张三、李四；时限：2026-12-01）", ["整改（责任人：张三、李四；时限：2026-12-01）"]),
        (None, []),
    ],
)
def test_measures_in_one_cell_are_split_on_the_template_separators(cell, items):
    assert split_measures(cell) == items


def test_a_hand_down_parent_keeps_its_state_out_of_reach_of_an_import(world, tmp_path):
    parent = actions.hand_down(
        actor=world.county_office,
        org=world.county_a,
        targets=[world.branch_a2],
        description="第一议题制度落实不到位",
        deadline=None,
        found_on=TODAY,
    )
    row = ["XS-A", parent.number, "其他", "上级交办", "第一议题制度落实不到位", "", "", "", "整改中", "否"]
    errors = import_errors("problems", sheet(tmp_path, [row]), actor=world.county_office)
    assert errors == ["第4行 整改状态: 交办事项由各单位分别整改、分别验收，本事项的状态不能修改"]
    row[8] = "待整改"
    assert run_import("problems", sheet(tmp_path, [row], name="b.xlsx"), actor=world.county_office).unchanged == 1

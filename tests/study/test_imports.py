"""`study-sessions` and `self-study` imports and exports: messy sheets accepted where the meaning is clear,
every error named by row and column, nothing written unless all is valid, re-imports never duplicate,
and an export imports back unchanged. Sheets have two title rows, so data starts on Excel row 4."""

import datetime as dt

import pytest

from tests.imports.test_cli import run
from tests.imports.test_org_import import office_sheet
from tuijin.core.models import DomainEvent
from tuijin.imports.registry import KINDS, ImportFailed, export_subtree, run_import
from tuijin.study import queries
from tuijin.study.models import Attendance, Coverage, SelfStudy, StudySession

from .conftest import AS_OF

SESSION_HEADER = KINDS["study-sessions"].headers
SELF_HEADER = KINDS["self-study"].headers


def sessions_sheet(path, rows):
    return office_sheet(path, SESSION_HEADER, rows)


def study_state():
    return {
        "sessions": sorted(
            StudySession.objects.values_list(
                "org__code", "date", "form", "topic", "speaker", "headcount", "hours", "version"
            )
        ),
        "attendance": sorted(Attendance.objects.values_list("session__topic", "person__number")),
        "self": sorted(
            SelfStudy.objects.values_list("person__number", "date", "chapter__code", "minutes", "reflection")
        ),
        "coverage": Coverage.objects.count(),
        "history": StudySession.history.count() + SelfStudy.history.count(),
        "events": DomainEvent.objects.count(),
    }


def errors_of(kind, path, actor=None):
    with pytest.raises(ImportFailed) as failed:
        run_import(kind, path, actor=actor)
    return failed.value.errors


GOOD_ROW = [
    "XS-A-1-1",
    "2026年10月10日",
    " 支部学习 ",
    "学习党的二十大报告",
    "张三",
    "A县委党校",
    "党校专家",
    "R1-01、R1-02",
    "A1A1；A1A2\nA1A3",
    "３",
    "1.5",
]


def test_a_messy_sheet_of_sessions_is_imported_and_feeds_each_attendee(world, campaign, tmp_path):
    path = sessions_sheet(
        tmp_path / "集体学习.xlsx",
        [
            GOOD_ROW,
            None,
            ["XS-A-1-2", 46300, "专题研讨", "对照检视专题研讨", "", "", "", "R2-01", "", 12, None],
        ],
    )
    result = run_import("study-sessions", path, actor=world.county_office)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    s = StudySession.objects.get(topic="学习党的二十大报告")
    assert (s.date, s.form, s.speaker_category, s.headcount, float(s.hours)) == (
        dt.date(2026, 10, 10),
        "支部学习",
        "党校专家",
        3,
        1.5,
    )
    assert sorted(p.number for p in s.attendees.all()) == ["A1A1", "A1A2", "A1A3"]
    assert StudySession.objects.get(topic="对照检视专题研讨").date == dt.date(2026, 10, 5)  # Excel serial 46300
    progress = queries.person_progress(world.p_a1a[2], campaign, AS_OF)
    assert progress.covered == 2  # A1A3 was only on the sheet, and has R1-01 and R1-02
    assert DomainEvent.objects.filter(verb="import.study_sessions").count() == 1


def test_reimporting_the_same_sheet_creates_no_duplicates(world, campaign, tmp_path):
    path = sessions_sheet(tmp_path / "s.xlsx", [GOOD_ROW])
    run_import("study-sessions", path, actor=None)
    before = study_state()
    result = run_import("study-sessions", path, actor=None)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    after = study_state()
    assert after.pop("events") == before.pop("events") + 1 and after == before


def test_a_changed_row_updates_the_session_and_who_attended(world, campaign, tmp_path):
    run_import("study-sessions", sessions_sheet(tmp_path / "a.xlsx", [GOOD_ROW]), actor=None)
    changed = GOOD_ROW[:8] + ["A1A1", "", "2"]
    result = run_import("study-sessions", sessions_sheet(tmp_path / "b.xlsx", [changed]), actor=None)
    assert (result.created, result.updated) == (0, 1)
    s = StudySession.objects.get()
    assert [p.number for p in s.attendees.all()] == ["A1A1"] and s.headcount is None and s.version == 2
    assert queries.person_progress(world.p_a1a[2], campaign, AS_OF).covered == 0


def test_attendee_numbers_not_in_the_org_are_errors_naming_the_row_and_the_number(world, campaign, tmp_path):
    path = sessions_sheet(
        tmp_path / "s.xlsx",
        [
            GOOD_ROW[:8] + ["A1A1、A1B1、X999", "", ""],
        ],
    )
    before = study_state()
    errors = errors_of("study-sessions", path)
    assert errors == [
        "第4行 参加人员编号: 人员编号“A1B1”在A县教育局第一党支部（含下级组织）中不存在",
        "第4行 参加人员编号: 人员编号“X999”在A县教育局第一党支部（含下级组织）中不存在",
    ]
    assert study_state() == before


def test_every_bad_cell_of_a_session_sheet_is_listed_and_nothing_is_written(world, campaign, tmp_path):
    path = sessions_sheet(
        tmp_path / "s.xlsx",
        [
            ["XS-Z", "2026-10-01", "支部学习", "主题一", "", "", "", "", "", 5, ""],  # row 4
            ["XS-A-1-1", "2026-13-01", "座谈会", "", "", "", "", "", "", 5, ""],  # row 5
            ["XS-A-1-1", "2026-12-01", "支部学习", "主题三", "", "", "党校专家", "R9-99", "A1A1", 0, "30"],  # row 6
            ["XS-A-1-1", "2026-10-02", "支部学习", "主题四", "", "", "", "", "", "", ""],  # row 7
            GOOD_ROW,  # row 8
            GOOD_ROW,  # row 9
        ],
    )
    before = study_state()
    errors = errors_of("study-sessions", path)
    assert errors == [
        "第4行 组织编码: 组织“XS-Z”不存在，请先导入组织",
        "第5行 日期: 日期“2026-13-01”不存在，请检查月份和日",
        "第5行 学习形式: 应为以下之一：中心组学习、支部学习、专题研讨、读书班、宣讲报告、警示教育、现场教学、外出学习，实际为“座谈会”",
        "第5行 主题: 不能为空",
        "第6行 日期: 2026-12-01 晚于今天，只能记录已经开展的学习",
        "第6行 时长（小时）: 时长应在 0 到 24 小时之间，实际为“30”",
        "第6行 主讲人: 主讲人类别为“党校专家”时，请填写主讲人姓名",
        # reported in the same round as the row's wrong date (issue 11), no longer only once it is fixed
        "第6行 学习篇目: 篇目编码“R9-99”不在A县教育局第一党支部所参加主题教育的指定书目中",
        "第7行 参加人数: 请填写参加人员或参加人数",
        "第9行 主题: 与第8行是同一次学习（组织、日期、学习形式、主题都相同）",
    ]
    assert study_state() == before


def test_unknown_chapters_and_a_headcount_below_the_list_are_errors(world, campaign, tmp_path):
    path = sessions_sheet(tmp_path / "s.xlsx", [GOOD_ROW[:7] + ["R1-01；R9-99", "A1A1、A1A2", "1", ""]])
    assert errors_of("study-sessions", path) == [
        "第4行 学习篇目: 篇目编码“R9-99”不在A县教育局第一党支部所参加主题教育的指定书目中",
        "第4行 参加人数: 参加人数（1）少于列出的参加人员（2 人）",
    ]


def test_a_unit_reporter_imports_only_for_its_own_org(world, campaign, tmp_path):
    path = sessions_sheet(tmp_path / "s.xlsx", [GOOD_ROW, ["XS-A-1-2"] + GOOD_ROW[1:8] + ["A1B1", "", ""]])
    assert errors_of("study-sessions", path, actor=world.branch_reporter) == [
        "第5行 组织编码: 组织“XS-A-1-2”不存在，或不在您的管理范围内",
        # checked in the same round (issue 11); the person is outside the reporter's scope as well
        "第5行 参加人员编号: 人员编号“A1B1”不存在，或不在您的管理范围内",
    ]
    assert (
        run_import(
            "study-sessions", sessions_sheet(tmp_path / "t.xlsx", [GOOD_ROW]), actor=world.branch_reporter
        ).created
        == 1
    )


def test_a_dry_run_checks_and_writes_nothing(world, campaign, tmp_path):
    before = study_state()
    result = run_import("study-sessions", sessions_sheet(tmp_path / "s.xlsx", [GOOD_ROW]), actor=None, dry_run=True)
    assert result.created == 1 and result.dry_run and study_state() == before


def test_an_export_of_sessions_imports_back_unchanged(scenario, campaign, tmp_path):
    path = tmp_path / "导出.xlsx"
    assert export_subtree("study-sessions", scenario.county_a, path, user=scenario.county_office) == 4
    from tests.imports.test_cli import data_rows, header_of

    assert header_of(path) == SESSION_HEADER
    rows = {r[3]: r for r in data_rows(path)}
    assert rows["学习党的二十大报告"][7:9] == ["R1-01；R1-02；R1-03；R2-01", "A1A1；A1A2；A1A3"]
    before = study_state()
    result = run_import("study-sessions", path, actor=scenario.county_office)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    after = study_state()
    assert after.pop("events") == before.pop("events") + 1 and after == before


def test_an_export_shows_only_what_the_user_may_see(scenario, campaign, tmp_path):
    assert export_subtree("study-sessions", scenario.city, tmp_path / "a.xlsx", user=scenario.branch_reporter) == 1
    assert export_subtree("self-study", scenario.city, tmp_path / "b.xlsx", user=scenario.branch_reporter) == 2


# ------------------------------------------------------------------ self-study


def self_sheet(path, rows):
    return office_sheet(path, SELF_HEADER, rows)


def test_a_self_study_sheet_is_imported_and_counts_toward_progress(world, campaign, tmp_path):
    path = self_sheet(
        tmp_path / "自学.xlsx",
        [
            ["A1A2", "2026/10/3", "r1-01".upper(), "", "读了第一部分"],
            ["Ａ１Ａ２ ", "2026年10月4日", "R1-02", "45", "第一行\n第二行"],
        ],
    )
    result = run_import("self-study", path, actor=world.branch_reporter)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert queries.person_progress(world.p_a1a[1], campaign, AS_OF).covered == 2
    assert SelfStudy.objects.get(chapter__code="R1-02").reflection == "第一行\n第二行"
    again = run_import("self-study", path, actor=world.branch_reporter)
    assert (again.created, again.unchanged) == (0, 2)


def test_a_changed_reflection_updates_the_log(world, campaign, tmp_path):
    run_import("self-study", self_sheet(tmp_path / "a.xlsx", [["A1A2", "2026-10-03", "R1-01", "", "初稿"]]), actor=None)
    result = run_import(
        "self-study", self_sheet(tmp_path / "b.xlsx", [["A1A2", "2026-10-03", "R1-01", "", "改稿"]]), actor=None
    )
    assert result.updated == 1 and SelfStudy.objects.get().reflection == "改稿"


def test_bad_self_study_rows_are_all_listed_and_nothing_is_written(world, campaign, tmp_path):
    path = self_sheet(
        tmp_path / "s.xlsx",
        [
            ["A1A2", "2026-10-03", "R9-01", "", ""],  # row 4
            ["A1B1", "2026-10-03", "R1-01", "", ""],  # row 5: not the reporter's branch
            ["A1A2", "昨天", "R1-01", "-5", ""],  # row 6
            ["A1A3", "2026-10-03", "R1-01", "", ""],  # row 7
            ["A1A3", "2026-10-03", "R1-01", "", ""],  # row 8
        ],
    )
    before = study_state()
    assert errors_of("self-study", path, actor=world.branch_reporter) == [
        "第4行 篇目编码: 篇目编码“R9-01”不在A县教育局第一党支部所参加主题教育的指定书目中",
        "第5行 人员编号: 人员编号“A1B1”不存在，或不在您的管理范围内",
        "第6行 日期: 无法识别的日期“昨天”，请写成 2026-11-27 或 2026年11月27日",
        "第6行 时长（分钟）: 时长应在 1 到 1440 分钟之间，实际为“-5”",
        "第8行 篇目编码: 与第7行重复（同一人同一天同一篇目）",
    ]
    assert study_state() == before


def test_an_export_of_self_study_imports_back_unchanged(scenario, campaign, tmp_path):
    path = tmp_path / "自学导出.xlsx"
    assert export_subtree("self-study", scenario.county_a, path, user=None) == 6
    before = study_state()
    result = run_import("self-study", path, actor=None)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 6)
    after = study_state()
    assert after.pop("events") == before.pop("events") + 1 and after == before


# ------------------------------------------------------------------ the command line


def test_the_command_line_exits_2_listing_errors_and_exports_a_subtree(scenario, campaign, tmp_path):
    bad = sessions_sheet(tmp_path / "bad.xlsx", [GOOD_ROW[:8] + ["X999", "", ""]])
    code, out, err = run("import", "study-sessions", str(bad))
    assert code == 2 and err[0] == "第4行 参加人员编号: 人员编号“X999”在A县教育局第一党支部（含下级组织）中不存在"
    assert err[-1] == "共 1 处错误，未写入任何数据。"
    out_path = tmp_path / "out.xlsx"
    code, out, err = run("export", "study-sessions", "--org", "XS-A", "--out", str(out_path))
    assert code == 0 and out == [f"已导出 4 行到 {out_path}"]
    code, out, err = run("import", "study-sessions", str(out_path))
    assert code == 0 and out[-1] == "导入完成：新增 0 条，更新 0 条，未变 4 条"
    code, out, err = run("export", "self-study", "--org", "XS-A", "--out", str(tmp_path / "self.xlsx"))
    assert code == 0 and out == [f"已导出 6 行到 {tmp_path / 'self.xlsx'}"]


def test_the_upload_page_imports_self_study_for_a_clerk(client, world, campaign, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = self_sheet(
        tmp_path / "自学登记.xlsx",
        [["A1A3", "2026-10-03", "R1-01", "", "读了第一部分"], ["A1B1", "2026-10-03", "R1-01", "", ""]],
    )
    client.force_login(world.branch_reporter)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = client.post(
        "/imports/",
        {"kind": "self-study", "file": SimpleUploadedFile("自学登记.xlsx", path.read_bytes(), xlsx)},
        follow=True,
    )
    page = response.content.decode()
    assert "第5行 人员编号: 人员编号“A1B1”不存在，或不在您的管理范围内" in page and not SelfStudy.objects.exists()

"""Issue 11: study sheets report every error in one round. Chapters and attendees are checked on rows
whose 组织编码, 人员编号 or 日期 is wrong too (as far as they can be without it), so a second round never
reveals unknown chapter codes or person numbers. Sheets have two title rows: data starts on row 4."""

from tests.imports.test_org_import import import_errors, office_sheet
from tuijin.imports.registry import KINDS

from .test_imports import study_state


def test_every_error_of_a_session_sheet_comes_in_one_report(world, campaign, tmp_path):
    path = office_sheet(
        tmp_path / "集体学习.xlsx",
        KINDS["study-sessions"].headers,
        [
            ["XS-NOPE", "2026-10-01", "支部学习", "主题一", "", "", "", "R9-99", "X999", "", ""],  # row 4
            ["XS-A-1-1", "2026-13-01", "支部学习", "主题二", "", "", "", "R9-98", "A1B1", "", ""],  # row 5
            ["XS-A-1-2", "2026-10-01", "专题研讨", "主题三", "", "", "", "R1-01", "A1A1", "", "30"],  # row 6
            ["XS-A-1-2", "2026-10-01", "专题研讨", "主题三", "", "", "", "R7-07", "A1B1", "", ""],  # row 7
        ],
    )
    before = study_state()
    assert import_errors("study-sessions", path) == [
        "第4行 组织编码: 组织“XS-NOPE”不存在，请先导入组织",
        "第4行 学习篇目: 篇目编码“R9-99”不在任何主题教育的指定书目中",
        "第4行 参加人员编号: 人员编号“X999”不存在，请先导入人员",
        "第5行 日期: 日期“2026-13-01”不存在，请检查月份和日",
        "第5行 学习篇目: 篇目编码“R9-98”不在A县教育局第一党支部所参加主题教育的指定书目中",
        "第5行 参加人员编号: 人员编号“A1B1”在A县教育局第一党支部（含下级组织）中不存在",
        "第6行 时长（小时）: 时长应在 0 到 24 小时之间，实际为“30”",
        "第6行 参加人员编号: 人员编号“A1A1”在A县教育局第二党支部（含下级组织）中不存在",
        "第7行 主题: 与第6行是同一次学习（组织、日期、学习形式、主题都相同）",
        "第7行 学习篇目: 篇目编码“R7-07”不在A县教育局第二党支部所参加主题教育的指定书目中",
    ]
    assert study_state() == before


def test_every_error_of_a_self_study_sheet_comes_in_one_report(world, campaign, tmp_path):
    path = office_sheet(
        tmp_path / "自学.xlsx",
        KINDS["self-study"].headers,
        [
            ["X999", "2026-10-01", "R9-99", "", ""],  # row 4: nobody, and a chapter of no reading list
            ["A1A1", "昨天", "R9-98", "", ""],  # row 5
            ["A1A1", "2026-10-01", "R1-01", "半小时", ""],  # row 6
            ["", "2026-10-01", "R8-88", "", ""],  # row 7
            ["B1P1", "2026-10-01", "R6-66", "", ""],  # row 8: outside the county
        ],
    )
    before = study_state()
    assert import_errors("self-study", path, actor=world.county_office) == [
        "第4行 人员编号: 人员编号“X999”不存在，或不在您的管理范围内",
        "第4行 篇目编码: 篇目编码“R9-99”不在任何主题教育的指定书目中",
        "第5行 日期: 无法识别的日期“昨天”，请写成 2026-11-27 或 2026年11月27日",
        "第5行 篇目编码: 篇目编码“R9-98”不在A县教育局第一党支部所参加主题教育的指定书目中",
        "第6行 时长（分钟）: 应为整数，实际为“半小时”",
        "第7行 人员编号: 不能为空",
        "第7行 篇目编码: 篇目编码“R8-88”不在任何主题教育的指定书目中",
        "第8行 人员编号: 人员编号“B1P1”不存在，或不在您的管理范围内",
        "第8行 篇目编码: 篇目编码“R6-66”不在任何主题教育的指定书目中",
    ]
    assert study_state() == before

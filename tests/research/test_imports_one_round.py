"""Issue 11: research and project sheets report every error in one round (a row whose key cell is wrong
still has its person or org checked). Data starts on row 4."""

from tests.imports.test_org_import import import_errors, office_sheet
from tuijin.imports.registry import KINDS
from tuijin.research.models import Project, ResearchVisit


def test_every_error_of_a_research_sheet_comes_in_one_report(world, tmp_path):
    path = office_sheet(
        tmp_path / "调研.xlsx",
        KINDS["research"].headers,
        [
            ["X999", "2026-10-01", "", "调研甲", "", ""],  # row 4
            ["X998", "", "", "调研乙", "", ""],  # row 5
            ["A1C1", "2026-10-01", "", "", "", ""],  # row 6
            ["B1P1", "", "", "调研丁", "", ""],  # row 7: outside the county
        ],
    )
    assert import_errors("research", path, actor=world.county_office) == [
        "第4行 人员编号: 人员编号“X999”不存在，或不在您的管理范围内",
        "第5行 日期: 不能为空",
        "第5行 人员编号: 人员编号“X998”不存在，或不在您的管理范围内",
        "第6行 调研主题: 不能为空",
        "第7行 日期: 不能为空",
        "第7行 人员编号: 人员编号“B1P1”不存在，或不在您的管理范围内",
    ]
    assert not ResearchVisit.objects.exists()


def test_every_error_of_a_project_sheet_comes_in_one_report(world, tmp_path):
    path = office_sheet(
        tmp_path / "办实事.xlsx",
        KINDS["projects"].headers,
        [
            ["XS-NOPE", "项目甲", "", "", "", "", ""],  # row 4
            ["XS-GONE", "", "", "", "", "", ""],  # row 5
            ["XS-A-1-1", "项目丙", "", "火星", "3户", "", ""],  # row 6
            ["XS-B-1", "", "", "", "", "", ""],  # row 7: outside the county
        ],
    )
    assert import_errors("projects", path, actor=world.county_office) == [
        "第4行 组织编码: 组织“XS-NOPE”不存在，或不在您的管理范围内",
        "第5行 项目名称: 不能为空",
        "第5行 组织编码: 组织“XS-GONE”不存在，或不在您的管理范围内",
        "第6行 所属领域: 应为以下之一：就业、教育、医疗、养老、托育、住房、交通、饮水、环境、安全、助残、便民服务、其他，实际为“火星”",
        "第6行 受益人数: “3户”是户数，请填写受益人数（人）",
        "第7行 项目名称: 不能为空",
        "第7行 组织编码: 组织“XS-B-1”不存在，或不在您的管理范围内",
    ]
    assert not Project.objects.exists()

"""Issue 11: a problem sheet reports every error in one round (a row whose 问题编号 is wrong or repeated
still has its org checked). Data starts on row 4."""

from tests.imports.test_org_import import import_errors, office_sheet
from tuijin.imports.registry import KINDS
from tuijin.rectification.models import Problem


def test_every_error_of_a_problem_sheet_comes_in_one_report(world, tmp_path):
    path = office_sheet(
        tmp_path / "问题.xlsx",
        KINDS["problems"].headers,
        [
            ["XS-NOPE", "P1", "", "集体查", "问题甲"],  # row 4
            ["XS-A-1-1", "", "", "集体查", "问题乙"],  # row 5
            ["XS-GONE", "", "", "集体查", "问题丙"],  # row 6
            ["XS-A-1-1", "P2", "", "随便", "问题丁", "", "", "下周", "已销号", "也许"],  # row 7
            ["XS-B-1", "P3", "", "集体查", ""],  # row 8: outside the county
        ],
    )
    assert import_errors("problems", path, actor=world.county_office) == [
        "第4行 组织编码: 组织“XS-NOPE”不存在，或不在您的管理范围内",
        "第5行 问题编号: 不能为空",
        "第6行 问题编号: 不能为空",
        "第6行 组织编码: 组织“XS-GONE”不存在，或不在您的管理范围内",
        "第7行 问题来源: 应为以下之一：集体查、个人纠、群众评、上级查、本级督、下级提、上级交办、调研发现，实际为“随便”",
        "第7行 整改时限: 无法识别的日期“下周”，请写成 2026-11-27 或 2026年11月27日",
        "第7行 是否专项整治: 应填“是”或“否”，实际为“也许”",
        "第7行 问题来源: 新问题必须填写问题来源（集体查、个人纠、群众评、上级查、本级督、下级提、上级交办、调研发现）",
        "第7行 整改状态: 不能导入为“已销号”：销号须由上级办公室或指导组在系统中办理，责任单位不能通过导入设置（新问题还没有支撑材料）",
        "第8行 问题描述: 不能为空",
        "第8行 组织编码: 组织“XS-B-1”不存在，或不在您的管理范围内",
    ]
    assert not Problem.objects.exists()

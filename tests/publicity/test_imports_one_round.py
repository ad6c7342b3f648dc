"""Issue 11: submission and publicity sheets report every error in one round (a row whose key cell is
wrong still has its org and 约稿编号 checked). Data starts on row 4."""

from tests.imports.test_org_import import import_errors, office_sheet
from tuijin.imports.registry import KINDS
from tuijin.publicity.models import PublicityItem, Submission


def test_every_error_of_a_submission_sheet_comes_in_one_report(world, tmp_path):
    path = office_sheet(
        tmp_path / "信息.xlsx",
        KINDS["submissions"].headers,
        [
            ["XS-NOPE", "标题甲", "", "", "2026-10-01", ""],  # row 4
            ["XS-GONE", "", "", "", "2026-10-01", "YG-404"],  # row 5
            ["XS-A-1-1", "标题丙", "", "乱写", "2026-10-01", ""],  # row 6
        ],
    )
    assert import_errors("submissions", path) == [
        "第4行 组织编码: 组织“XS-NOPE”不存在，请先导入组织",
        "第5行 标题: 不能为空",
        "第5行 组织编码: 组织“XS-GONE”不存在，请先导入组织",
        "第5行 约稿编号: 约稿编号“YG-404”不存在",
        "第6行 信息类型: 应为以下之一：工作动态、经验做法、典型案例、创新举措，实际为“乱写”",
    ]
    assert not Submission.objects.exists()


def test_every_error_of_a_publicity_sheet_comes_in_one_report(world, tmp_path):
    path = office_sheet(
        tmp_path / "宣传.xlsx",
        KINDS["publicity"].headers,
        [
            ["XS-NOPE", "电视", "", "报道甲", "2026-10-01", ""],  # row 4
            ["XS-GONE", "火星台", "", "报道乙", "2026-10-01", ""],  # row 5
            ["XS-A-1-1", "电视", "", "报道丙", "", ""],  # row 6
        ],
    )
    assert import_errors("publicity", path) == [
        "第4行 组织编码: 组织“XS-NOPE”不存在，请先导入组织",
        "第5行 宣传渠道: 应为以下之一：电视、报刊、网络、新媒体、重点路段、公共场所、单位内部，实际为“火星台”",
        "第5行 组织编码: 组织“XS-GONE”不存在，请先导入组织",
        "第6行 日期: 不能为空",
    ]
    assert not PublicityItem.objects.exists()

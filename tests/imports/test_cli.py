"""`tuijin import / export / export-template` (SPEC §4.1, §4.2), run in-process through call_command."""

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from tests.imports.test_org_import import ORG_HEADER, office_sheet, written_state
from tests.imports.test_people_import import PEOPLE_HEADER
from tuijin.orgs.models import Org, Person

# The header lists exactly as SPEC §4.2 states them: other offices depend on these names.
SPEC_TEMPLATES = {
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
    "problems": [
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
    ],
    "research": ["人员编号", "日期", "调研地点", "调研主题", "发现问题", "调研成果"],
    "projects": ["组织编码", "项目名称", "群众需求", "所属领域", "受益人数", "计划完成时间", "状态"],
    "submissions": ["组织编码", "标题", "正文", "信息类型", "报送日期", "约稿编号"],
    "publicity": ["组织编码", "宣传渠道", "媒体或地点", "标题或内容", "日期", "链接"],
}


def run(*args, **options):
    """call_command, returning (exit code, stdout lines, stderr lines)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err, **options)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue().splitlines(), err.getvalue().splitlines()


def header_of(path):
    ws = load_workbook(path, read_only=True).active
    return [c for c in next(ws.iter_rows(min_row=1, max_row=1, values_only=True))]


def data_rows(path):
    ws = load_workbook(path, read_only=True).active
    return [list(r) for r in ws.iter_rows(min_row=2, values_only=True)]


NEW_BRANCHES = [
    ["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"],
    None,
    ["XS-A-3-1", "城关社区党支部", "XS-A-3", "党支部", "社区", "第二批"],
]


# ------------------------------------------------------------------ import


def test_import_prints_the_counts_and_exits_zero(world, tmp_path):
    path = office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, NEW_BRANCHES)

    code, out, err = run("import", "orgs", str(path))

    assert (code, out, err) == (0, ["导入完成：新增 2 条，更新 0 条，未变 0 条"], [])
    assert Org.objects.get(code="XS-A-3-1").parent.code == "XS-A-3"
    assert run("import", "orgs", str(path))[1] == ["导入完成：新增 0 条，更新 0 条，未变 2 条"]


def test_an_invalid_sheet_exits_2_listing_every_error_and_writes_nothing(world, tmp_path):
    path = office_sheet(
        tmp_path / "组织.xlsx",
        ORG_HEADER,
        [
            ["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批"],  # row 4
            ["XS-A-4", "A县四支部", "XS-A-0", "党支部", "机关", "第三批"],  # row 5
            None,
            ["XS-A-3", "重复", "XS-A", "党支部", "机关", "第二批"],  # row 7
        ],
    )
    before = written_state()

    code, out, err = run("import", "orgs", str(path))

    assert code == 2 and out == []
    assert err == [
        "第5行 批次: 应为以下之一：第一批、第二批，实际为“第三批”",
        "第5行 上级组织编码: 组织“XS-A-0”不存在（既不在系统中，也不在本表中）",
        "第7行 组织编码: “XS-A-3”与第4行重复",
        "共 3 处错误，未写入任何数据。",
    ]
    assert written_state() == before


def test_a_missing_column_error_names_the_header_row(world, tmp_path):
    path = office_sheet(tmp_path / "人员.xlsx", ["人员编号", "姓名", "手机号"], [["A9", "张三", "13800001111"]])
    code, _, err = run("import", "people", str(path))
    assert code == 2
    assert err == ["第3行 所在组织编码: 缺少此列", "共 1 处错误，未写入任何数据。"]


def test_dry_run_prints_the_counts_and_writes_nothing(world, tmp_path):
    path = office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, NEW_BRANCHES)
    before = written_state()

    code, out, _ = run("import", "orgs", str(path), "--dry-run")

    assert (code, out) == (0, ["检查通过（未写入）：新增 2 条，更新 0 条，未变 0 条"])
    assert written_state() == before


def test_dry_run_still_reports_errors_with_exit_2(world, tmp_path):
    path = office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, [["XS-A-3", "", "XS-A", "党工委", "机关", "第二批"]])
    code, _, err = run("import", "orgs", str(path), "--dry-run")
    assert (code, err[0]) == (2, "第4行 组织名称: 不能为空")


def test_columns_not_in_the_template_are_ignored_with_a_notice(world, tmp_path):
    path = office_sheet(
        tmp_path / "组织.xlsx",
        ORG_HEADER + ["备注"],
        [["XS-A-3", "A县城关街道党工委", "XS-A", "党工委", "机关", "第二批", "新设"]],
    )
    code, out, _ = run("import", "orgs", str(path))
    assert code == 0
    assert out == ["提示 第3行 备注: 不是模板中的列，已忽略", "导入完成：新增 1 条，更新 0 条，未变 0 条"]


def test_import_as_a_user_checks_that_users_rights(world, tmp_path):
    path = office_sheet(
        tmp_path / "人员.xlsx", PEOPLE_HEADER, [["B1P9", "郑新", "XS-B-1", "正式党员", "", "否", "", ""]]
    )
    before = written_state()

    code, _, err = run("import", "people", str(path), "--as", "county_office")

    assert code == 2
    assert err[0].startswith("第4行 所在组织编码: ")
    assert written_state() == before


def test_a_missing_file_a_folder_or_an_unknown_kind_exits_2(world, tmp_path):
    assert run("import", "orgs", str(tmp_path / "nope.xlsx"))[::2] == (2, [f"文件不存在：{tmp_path / 'nope.xlsx'}"])
    assert run("import", "orgs", str(tmp_path))[0] == 2  # a folder, not a file
    path = office_sheet(tmp_path / "组织.xlsx", ORG_HEADER, NEW_BRANCHES)
    code, _, err = run("import", "units", str(path))
    assert code == 2 and err[0].startswith("未知的导入类型“units”")


def test_a_file_that_is_not_a_spreadsheet_exits_2_with_a_clear_message(world, tmp_path):
    path = tmp_path / "组织.xlsx"
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n")
    code, _, err = run("import", "orgs", str(path))
    assert code == 2 and "Excel" in err[0]


# ------------------------------------------------------------------ templates


@pytest.mark.parametrize("kind", SPEC_TEMPLATES)
def test_every_template_has_exactly_the_spec_header(kind, tmp_path):
    out = tmp_path / f"{kind}.xlsx"
    code, stdout, _ = run("export_template", kind, out=str(out))
    assert code == 0 and stdout == [f"已生成模板 {out}"]
    assert header_of(out) == SPEC_TEMPLATES[kind]
    [example] = data_rows(out)  # the example row only, marked so the import skips it (issue 11)
    assert example[0].startswith("示例")


def test_export_template_all_writes_one_template_per_spec_kind(tmp_path):
    code, stdout, _ = run("export_template", "all", out=str(tmp_path / "模板"))
    assert code == 0
    assert sorted(p.name for p in (tmp_path / "模板").iterdir()) == sorted(f"{k}-模板.xlsx" for k in SPEC_TEMPLATES)
    for kind, header in SPEC_TEMPLATES.items():
        assert header_of(tmp_path / "模板" / f"{kind}-模板.xlsx") == header


def test_an_unknown_template_kind_exits_2(tmp_path):
    code, _, err = run("export_template", "units", out=str(tmp_path / "x.xlsx"))
    assert code == 2 and err[0].startswith("未知的模板类型“units”")


def test_the_untouched_template_imports_back_as_nothing_to_do(world, tmp_path):
    # Issue 11: the template's example row is skipped, so the untouched template imports zero rows and no
    # error (a sheet with only a header still says 表头下面没有数据: test_org_import).
    out = tmp_path / "orgs.xlsx"
    run("export_template", "orgs", out=str(out))
    assert run("import", "orgs", str(out)) == (
        0,
        ["提示 第2行 组织编码: 以“示例”开头，是模板中的示例行，已跳过", "导入完成：新增 0 条，更新 0 条，未变 0 条"],
        [],
    )


def installed_console_script():
    """The `tuijin` script installed next to the running interpreter (any checkout, any folder)."""
    beside = Path(sys.executable).parent / "tuijin"
    found = str(beside) if beside.exists() else shutil.which("tuijin")
    assert found, "the console script `tuijin` is not installed: pip install -e ."
    return found


def test_the_installed_console_script_writes_a_template(tmp_path):
    out = tmp_path / "组织模板.xlsx"
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    done = subprocess.run(
        [installed_console_script(), "export-template", "orgs", "--out", str(out)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert header_of(out) == SPEC_TEMPLATES["orgs"]


# ------------------------------------------------------------------ export


def test_export_orgs_writes_exactly_the_subtree_and_imports_back_unchanged(world, tmp_path):
    out = tmp_path / "A县组织.xlsx"

    code, stdout, _ = run("export", "orgs", "--org", "XS-A-1", "--out", str(out))

    assert (code, stdout) == (0, [f"已导出 3 行到 {out}"])
    assert header_of(out) == SPEC_TEMPLATES["orgs"]
    assert data_rows(out) == [
        ["XS-A-1", "A县教育局党委", "XS-A", "党委", "学校", "第二批"],
        ["XS-A-1-1", "A县教育局第一党支部", "XS-A-1", "党支部", "学校", "第二批"],
        ["XS-A-1-2", "A县教育局第二党支部", "XS-A-1", "党支部", "学校", "第二批"],
    ]
    assert run("import", "orgs", str(out))[1] == ["导入完成：新增 0 条，更新 0 条，未变 3 条"]


def test_export_people_masks_phones_and_the_round_trip_keeps_the_stored_ones(world, tmp_path):
    out = tmp_path / "A县人员.xlsx"

    assert run("export", "people", "--org", "XS-A-1", "--out", str(out))[0] == 0

    rows = data_rows(out)
    assert sorted(r[0] for r in rows) == ["A1A1", "A1A2", "A1A3", "A1B1", "A1B2", "A1C1"]
    assert next(r for r in rows if r[0] == "A1A1")[7] == "138****1234"
    assert "13800001234" not in str(rows)
    before = written_state()

    code, stdout, _ = run("import", "people", str(out), "--as", "county_office")

    assert (code, stdout) == (0, ["导入完成：新增 0 条，更新 0 条，未变 6 条"])
    assert Person.objects.get(number="A1A1").phone == "13800001234"
    assert written_state()["people"] == before["people"]


def test_export_as_a_user_contains_only_what_that_user_may_see(world, tmp_path):
    out = tmp_path / "本人.xlsx"
    assert run("export", "people", "--org", "XS-A-1-1", "--out", str(out), "--as", "member")[0] == 0
    assert [r[0] for r in data_rows(out)] == ["A1A1"]


def test_export_of_an_org_outside_the_users_scope_is_refused_like_a_missing_one(world, tmp_path):
    out = tmp_path / "B县.xlsx"
    code, _, err = run("export", "orgs", "--org", "XS-B", "--out", str(out), "--as", "county_office")
    missing = run("export", "orgs", "--org", "XS-Q", "--out", str(out), "--as", "county_office")
    assert code == 2 and not out.exists()
    assert err[0].replace("XS-B", "XS-Q") == missing[2][0]

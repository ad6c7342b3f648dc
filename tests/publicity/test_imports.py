"""`tuijin import submissions|publicity` and `tuijin export` (SPEC §4.1, §4.2)."""

import datetime as dt

import pytest

from tests.imports.test_cli import run
from tests.imports.test_org_import import office_sheet
from tuijin.imports.registry import KINDS, ImportFailed, run_import
from tuijin.publicity import actions
from tuijin.publicity.models import PublicityItem, Submission

TODAY = dt.date(2026, 11, 27)
SUBMISSIONS = ["组织编码", "标题", "正文", "信息类型", "报送日期", "约稿编号"]
PUBLICITY = ["组织编码", "宣传渠道", "媒体或地点", "标题或内容", "日期", "链接"]
FIRST = 4


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


def state():
    return (
        sorted(
            Submission.objects.values_list(
                "org__code", "title", "body", "type", "date", "solicitation__number", "relevance_flagged"
            )
        ),
        sorted(PublicityItem.objects.values_list("org__code", "channel", "outlet", "title", "date", "link")),
    )


def test_the_templates_are_the_contract():
    assert KINDS["submissions"].headers == SUBMISSIONS and KINDS["publicity"].headers == PUBLICITY


def test_a_messy_submissions_sheet_is_read_as_meant_and_exports_back_unchanged(world, tmp_path):
    actions.issue_solicitation(
        actor=None,
        org=world.county_a,
        topic="约稿",
        deadline=dt.date(2026, 11, 30),
        targets=[world.unit_a1],
        number="YG-7",
    )
    rows = [
        ["XS-A-1-1", "第一党支部主题教育专题研讨", "围绕学思想开展专题研讨。", "经验 做法", "2026年11月2日", "YG-7"],
        None,
        ["ＸＳ-A-2 ", "城关镇招商引资推进会", "签约项目 6 个。", "", 46330, ""],
    ]  # 2026-11-04
    code, out, err = run("import", "submissions", str(office_sheet(tmp_path / "s.xlsx", SUBMISSIONS, rows)))
    assert code == 0 and out[-1] == "导入完成：新增 2 条，更新 0 条，未变 0 条", (out, err)
    assert out[0].startswith("提示 第6行 标题: “城关镇招商引资推进会”与学习教育关联不紧密（主要写招商引资")
    first = Submission.objects.get(org__code="XS-A-1-1")
    assert (first.type, first.date, first.solicitation.number) == ("经验做法", dt.date(2026, 11, 2), "YG-7")
    other = Submission.objects.get(org__code="XS-A-2")
    assert other.type == "工作动态" and other.date == dt.date(2026, 11, 4) and other.relevance_flagged
    before = state()
    out_path = tmp_path / "export.xlsx"
    assert run("export", "submissions", "--org", "XS-A", "--out", str(out_path))[1] == [f"已导出 2 行到 {out_path}"]
    code, out, _ = run("import", "submissions", str(out_path))
    assert code == 0 and out[-1] == "导入完成：新增 0 条，更新 0 条，未变 2 条"
    assert state() == before


def test_every_bad_cell_is_reported_and_nothing_is_written(world, tmp_path):
    rows = [
        ["XS-A-1-1", "", "正文", "简报", "2026-11-02", "YG-404"],
        ["NOPE", "标题", "", "", "2026-12-31", ""],
        ["XS-A-1-1", "标题二", "", "", "明天", ""],
    ]
    with pytest.raises(ImportFailed) as exc:
        run_import("submissions", office_sheet(tmp_path / "bad.xlsx", SUBMISSIONS, rows), actor=world.branch_reporter)
    errors = exc.value.errors
    assert f"第{FIRST}行 标题: 不能为空" in errors
    assert any(e.startswith(f"第{FIRST}行 信息类型: 应为以下之一") for e in errors)
    assert any(e.startswith(f"第{FIRST + 1}行 报送日期: 2026-12-31 晚于今天") for e in errors)
    assert any(e.startswith(f"第{FIRST + 2}行 报送日期:") for e in errors)
    assert state() == ([], [])


def test_a_unit_imports_only_its_own_org(world, tmp_path):
    rows = [["XS-A-1-2", "主题教育动态", "", "", "2026-11-02", ""]]
    with pytest.raises(ImportFailed) as exc:
        run_import("submissions", office_sheet(tmp_path / "x.xlsx", SUBMISSIONS, rows), actor=world.branch_reporter)
    assert exc.value.errors == [f"第{FIRST}行 组织编码: 组织“XS-A-1-2”不存在，或不在您的管理范围内"]
    rows = [["XS-B-1", "主题教育动态", "", "", "2026-11-02", ""]]
    with pytest.raises(ImportFailed) as exc:  # the guidance group sees B县 but keeps no records there
        run_import("submissions", office_sheet(tmp_path / "y.xlsx", SUBMISSIONS, rows), actor=world.guide)
    assert exc.value.errors == [f"第{FIRST}行 组织编码: 无权维护组织“B县第一党支部”的信息报送"]


def test_publicity_sheet_round_trip_and_errors(world, tmp_path):
    rows = [
        ["XS-A-1-1", "网络", "X市新闻网", "第一党支部主题教育报道", "2026-11-03", "https://news.example.cn/1"],
        ["XS-A-1-1", "公共场所", "城关广场", "主题教育宣传栏", "2026/11/05", ""],
    ]
    code, out, err = run("import", "publicity", str(office_sheet(tmp_path / "p.xlsx", PUBLICITY, rows)))
    assert code == 0 and out[0] == "导入完成：新增 2 条，更新 0 条，未变 0 条", (out, err)
    before = state()
    out_path = tmp_path / "pe.xlsx"
    run("export", "publicity", "--org", "XS", "--out", str(out_path))
    assert run("import", "publicity", str(out_path))[1][0] == "导入完成：新增 0 条，更新 0 条，未变 2 条"
    assert state() == before
    bad = [["XS-A-1-1", "广播", "", "报道", "2026-11-03", "ftp://x"]]
    with pytest.raises(ImportFailed) as exc:
        run_import("publicity", office_sheet(tmp_path / "pb.xlsx", PUBLICITY, bad), actor=None)
    assert any(e.startswith(f"第{FIRST}行 宣传渠道: 应为以下之一") for e in exc.value.errors)
    assert any(e.startswith(f"第{FIRST}行 链接:") for e in exc.value.errors)
    assert state() == before

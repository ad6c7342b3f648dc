"""Problem sheets as clerks write them (issue 9): deadlines with trailing words, the campaign's own
problem categories, measures that take the row's 责任人/整改时限 or name their own, a 合计 row at the
bottom. Each test writes a real .xlsx with openpyxl and imports it back."""

import datetime as dt
import textwrap

import pytest

from tests.imports.test_org_import import import_errors, office_sheet
from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.loader import CampaignFileError, parse
from tuijin.campaigns.models import DEFAULT_PROBLEM_CATEGORIES, Campaign
from tuijin.core.errors import ActionError
from tuijin.core.indicators import Pair
from tuijin.imports.registry import run_import
from tuijin.rectification import actions
from tuijin.rectification.imports import owner_and_deadline_in_text
from tuijin.rectification.indicators import measure_specificity
from tuijin.rectification.models import Problem

from .conftest import TODAY

HEADER = ["组织编码", "问题编号", "问题类别", "问题来源", "问题描述", "整改措施", "责任人", "整改时限"]
TITLES = ("A县教育局党委检视问题清单",)


def campaign_file(root="XS-A", categories=None):
    line = f"problem_categories = {categories!r}".replace("'", '"') if categories is not None else ""
    return textwrap.dedent(f"""
        [campaign]
        name = "主题教育（{root}）"
        start = 2026-09-01
        end = 2027-01-31
        root = "{root}"
        {line}
    """)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings, tmp_path):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    settings.MEDIA_ROOT = tmp_path / "media"


def sheet(tmp_path, rows, header=HEADER):
    return office_sheet(tmp_path / "问题.xlsx", header, rows, titles=TITLES)


# ------------------------------------------------------------------ measures


def test_measures_take_the_rows_owner_and_deadline_unless_they_name_their_own(world, tmp_path):
    rows = [
        [
            "XS-A-1-1",
            "1",
            "理论学习",
            "集体查",
            "学用脱节",
            (
                "每周集中学习一次；建立学习台账，由办公室负责，2026年12月31日前完成；"
                "开展专题研讨（责任人：甲2，时限：2026-12-10）"
            ),
            "甲1",
            "2026年10月31日前",
        ],
        [
            "XS-A-1-1",
            "2",
            "工作作风",
            "群众评",
            "推诿扯皮",
            "健全首问负责制，责任人：乙1，2026年12月底前完成",
            None,
            None,
        ],
    ]
    result = run_import("problems", sheet(tmp_path, rows), actor=world.county_office)
    assert result.created == 2
    first = Problem.objects.get(org=world.branch_a1a, number="1")
    assert first.deadline == dt.date(2026, 10, 31)  # "…前" is that day
    assert [(m.text, m.owner, m.deadline) for m in first.measures.all()] == [
        ("每周集中学习一次", "甲1", dt.date(2026, 10, 31)),
        ("建立学习台账，由办公室负责，2026年12月31日前完成", "办公室", dt.date(2026, 12, 31)),
        ("开展专题研讨", "甲2", dt.date(2026, 12, 10)),
    ]
    second = Problem.objects.get(org=world.branch_a1a, number="2")
    assert [(m.owner, m.deadline) for m in second.measures.all()] == [("乙1", dt.date(2026, 12, 31))]
    assert measure_specificity([world.branch_a1a], TODAY, None)[world.branch_a1a.pk] == Pair(4, 4)


def test_a_measure_with_no_owner_anywhere_stays_vague(world, tmp_path):
    """The look-alike: no 责任人 in the row or the text, so 措施具体率 must not count it."""
    rows = [["XS-A-1-1", "1", "理论学习", "集体查", "学用脱节", "进一步加强理论学习", None, "2026-12-31"]]
    run_import("problems", sheet(tmp_path, rows), actor=world.county_office)
    m = Problem.objects.get(number="1").measures.get()
    assert (m.owner, m.deadline, m.is_specific) == ("", dt.date(2026, 12, 31), False)
    assert measure_specificity([world.branch_a1a], TODAY, None)[world.branch_a1a.pk] == Pair(0, 1)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("由办公室负责，2026年12月31日前完成", ("办公室", dt.date(2026, 12, 31))),
        ("由党支部书记张三牵头负责，于2026年11月底前完成", ("党支部书记张三", dt.date(2026, 11, 30))),
        ("责任单位：组织部，2026-12-15前完成", ("组织部", dt.date(2026, 12, 15))),
        ("每月开展一次专题学习", ("", None)),
        ("学习2026年11月8日讲话精神", ("", dt.date(2026, 11, 8))),
    ],
)
def test_owner_and_deadline_are_read_from_a_measures_text(text, expected):
    assert owner_and_deadline_in_text(text) == expected


# ------------------------------------------------------------------ categories


def test_a_sheet_uses_the_campaigns_own_categories(world, tmp_path):
    load_campaign(campaign_file(categories=["作风建设", "民生服务", "其他"]), actor=None)
    assert Campaign.objects.get().problem_categories == ["作风建设", "民生服务", "其他"]
    rows = [
        ["XS-A-1-1", "1", "作风建设", "集体查", "文山会海", "精简会议", "甲1", "2026-12-31"],
        ["XS-A-1-1", "2", " 民生服务 ", "群众评", "办事难", "一窗通办", "甲1", "2026-12-31"],
        ["XS-A-1-1", "3", None, "群众评", "其他问题", "整改", "甲1", "2026-12-31"],
    ]
    assert run_import("problems", sheet(tmp_path, rows), actor=world.county_office).created == 3
    assert sorted(Problem.objects.values_list("category", flat=True)) == ["作风建设", "其他", "民生服务"]


def test_an_unknown_category_gets_the_clerks_error_listing_the_allowed_ones(world, tmp_path):
    load_campaign(campaign_file(categories=["作风建设", "民生服务"]), actor=None)
    rows = [
        ["XS-A-1-1", "1", "理论学习", "集体查", "学用脱节", "学习", "甲1", "2026-12-31"],
        ["XS-A-1-1", "2", None, "集体查", "无类别", "学习", "甲1", "2026-12-31"],
    ]
    assert import_errors("problems", sheet(tmp_path, rows), actor=world.county_office) == [
        "第3行 问题类别: 应为以下之一：作风建设、民生服务，实际为“理论学习”",
        "第4行 问题类别: 不能为空，应为以下之一：作风建设、民生服务",
    ]
    assert not Problem.objects.exists()


def test_an_org_outside_the_campaign_keeps_the_default_categories(world, tmp_path):
    """Campaign on county A only: B's branch is not in it, so B's sheet is checked against the default."""
    load_campaign(campaign_file(categories=["作风建设", "其他"]), actor=None)
    rows = [
        ["XS-B-1", "1", "理论学习", "集体查", "学用脱节", "学习", "丙", "2026-12-31"],
        ["XS-B-1", "2", "作风建设", "集体查", "作风", "学习", "丙", "2026-12-31"],
    ]
    errors = import_errors("problems", sheet(tmp_path, rows), actor=world.city_office)
    assert errors == [f"第4行 问题类别: 应为以下之一：{'、'.join(DEFAULT_PROBLEM_CATEGORIES)}，实际为“作风建设”"]


def test_the_form_action_checks_the_campaigns_categories_too(world):
    load_campaign(campaign_file(categories=["作风建设", "其他"]), actor=None)
    actions.create_problem(
        actor=world.county_office,
        org=world.branch_a1a,
        description="文山会海",
        source="集体查",
        category="作风建设",
        found_on=TODAY,
    )
    with pytest.raises(ActionError, match="作风建设、其他"):
        actions.create_problem(
            actor=world.county_office,
            org=world.branch_a1a,
            description="学用脱节",
            source="集体查",
            category="理论学习",
            found_on=TODAY,
        )


def test_the_campaign_file_validates_problem_categories(world):
    assert parse(campaign_file()).campaign["problem_categories"] == DEFAULT_PROBLEM_CATEGORIES
    with pytest.raises(CampaignFileError) as failed:
        parse(campaign_file(categories=["作风建设", "作风建设", "", "很长" * 11]))
    assert failed.value.errors == [
        "[campaign] problem_categories: 类别“作风建设”重复",
        "[campaign] problem_categories: 类别应为非空文字，实际为“”",
        f"[campaign] problem_categories: 类别“{'很长' * 11}”太长（22 字），最多 20 字",
    ]
    with pytest.raises(CampaignFileError, match="应为非空的类别列表"):
        parse(campaign_file(categories=[]))


# ------------------------------------------------------------------ 合计


def test_a_total_row_at_the_end_of_a_problem_sheet_is_skipped_with_a_warning(world, tmp_path):
    rows = [
        ["XS-A-1-1", "1", "理论学习", "集体查", "学用脱节", "学习", "甲1", "2026年12月底"],
        None,
        ["合计", "1个", None, None, None, None, None, None],
    ]
    result = run_import("problems", sheet(tmp_path, rows), actor=world.county_office)
    assert result.created == 1 and result.warnings == ["第5行: “合计”是合计行，不是数据，已跳过"]
    assert Problem.objects.get().deadline == dt.date(2026, 12, 31)

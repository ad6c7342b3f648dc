"""Loading a campaign from TOML (SPEC §4.3): good files load, bad files name every problem."""

import datetime as dt
import textwrap

import pytest
from django.core.management import call_command

from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.loader import CampaignFileError, parse
from tuijin.campaigns.models import Campaign, Chapter, Task

GOOD = textwrap.dedent("""
    [campaign]
    name = "学习贯彻习近平新时代中国特色社会主义思想主题教育（第二批）"
    start = 2026-09-01
    end = 2027-01-31
    root = "XS"
    satisfaction_threshold = 0.9
    satisfaction_min_votes = 10

    [[reading]]
    code = "R1"
    title = "党的二十大报告"
    chapters = ["R1-01 第一部分", "R1-02 第二部分"]

    [[task]]
    code = "T1"
    title = "每个党支部正式党员不少于3名"
    applies_to = { kind = ["党支部"] }
    deadline = 2026-12-31
    rule = { count = "person", where = { status = "正式党员" }, at_least = 3 }

    [[task]]
    code = "T2"
    title = "每名领导干部……"
    applies_to = { kind = ["党委"], level = [2] }
    deadline = 2026-12-31
    rule = { count = "org", where = { kind = "党支部" }, at_least = 2 }
""")


def test_a_good_file_loads_campaign_reading_list_and_tasks(world):
    campaign = load_campaign(GOOD, actor=None)
    assert campaign.start == dt.date(2026, 9, 1) and campaign.root == world.city
    assert list(Chapter.objects.filter(item__campaign=campaign).values_list("code", "title")) == [
        ("R1-01", "第一部分"),
        ("R1-02", "第二部分"),
    ]
    assert set(campaign.tasks.values_list("code", flat=True)) == {"T1", "T2"}


def test_loading_the_same_file_twice_changes_nothing_and_updates_in_place(world):
    first = load_campaign(GOOD, actor=None)
    second = load_campaign(GOOD.replace("at_least = 3", "at_least = 4"), actor=None)
    assert first.pk == second.pk and Campaign.objects.count() == 1
    assert Task.objects.count() == 2
    assert Task.objects.get(code="T1").rule["at_least"] == 4


def test_a_task_dropped_from_the_file_is_removed(world):
    load_campaign(GOOD, actor=None)
    without_t2 = GOOD.split('[[task]]\ncode = "T2"')[0]
    load_campaign(without_t2, actor=None)
    assert list(Task.objects.values_list("code", flat=True)) == ["T1"]


@pytest.mark.parametrize(
    "change, message",
    [
        (
            'count = "person"',
            'count = "persn"',
        ),
        ('where = { status = "正式党员" }', 'where = { statuz = "正式党员" }'),
        ('where = { status = "正式党员" }', 'where = { status = "党员" }'),
        ('applies_to = { kind = ["党支部"] }', 'applies_to = { knd = ["党支部"] }'),
        ("at_least = 3", "at_least = 0"),
        ('root = "XS"', 'root = "NOPE"'),
        ("end = 2027-01-31", "end = 2026-08-01"),
        ('deadline = 2026-12-31\nrule = { count = "person"', 'deadline = "明天"\nrule = { count = "person"'),
    ],
    ids=[
        "unknown-kind",
        "unknown-field",
        "bad-choice",
        "unknown-filter",
        "zero-at-least",
        "unknown-root",
        "end-before-start",
        "bad-date",
    ],
)
def test_bad_files_are_refused_with_a_clear_message(world, change, message):
    bad = GOOD.replace(change, message, 1)
    assert bad != GOOD
    with pytest.raises(CampaignFileError) as exc:
        parse(bad)
    text = "\n".join(exc.value.errors)
    expected = {
        "persn": "未知的记录类型“persn”",
        "statuz": "没有字段“statuz”",
        '"党员"': "值“党员”无效",
        "knd": "未知的适用范围筛选项：knd",
        "at_least = 0": "at_least 应为不小于 1 的整数",
        "NOPE": "组织编码“NOPE”不存在",
        "2026-08-01": "end 应晚于 start",
        "明天": "日期应写成",
    }
    assert any(key in message and value in text for key, value in expected.items()), text


def test_per_leading_cadre_needs_a_kind_with_people(world):
    bad = GOOD.replace(
        'rule = { count = "org", where = { kind = "党支部" }, at_least = 2 }',
        'rule = { count = "org", per = "leading_cadre", at_least = 2 }',
    )
    with pytest.raises(CampaignFileError, match="不能按领导干部计数"):
        parse(bad)


def test_every_error_is_listed_not_just_the_first(world):
    bad = (
        GOOD.replace('"persn"', "")
        .replace('count = "person"', 'count = "persn"')
        .replace("at_least = 2", "at_least = -1")
    )
    with pytest.raises(CampaignFileError) as exc:
        parse(bad)
    assert len(exc.value.errors) >= 2


def test_cli_load_prints_a_summary_and_exits_2_on_errors(world, tmp_path, capsys):
    good = tmp_path / "c.toml"
    good.write_text(GOOD, encoding="utf-8")
    call_command("campaign", "load", str(good))
    assert "2 项部署任务" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace('"person"', '"persn"', 1), encoding="utf-8")
    with pytest.raises(SystemExit) as exc:
        call_command("campaign", "load", str(bad))
    assert exc.value.code == 2
    assert "未知的记录类型“persn”" in capsys.readouterr().err


def test_load_by_an_office_of_another_tree_is_refused(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        load_campaign(GOOD, actor=world.county_office)


def test_a_file_that_drops_a_studied_chapter_is_refused_and_nothing_changes(world, tmp_path, capsys):
    from tuijin.study.actions import log_self_study
    from tuijin.study.models import SelfStudy

    load_campaign(GOOD, actor=None)
    chapter = Chapter.objects.get(code="R1-02")
    log_self_study(
        actor=world.city_office,
        person=world.p_a1a[0],
        date=dt.date(2026, 11, 20),
        chapter=chapter,
        minutes=30,
        today=dt.date(2026, 11, 27),
    )
    dropped = GOOD.replace('chapters = ["R1-01 第一部分", "R1-02 第二部分"]', 'chapters = ["R1-01 第一部分"]')
    with pytest.raises(CampaignFileError) as exc:
        load_campaign(dropped, actor=None)
    assert "R1-02 第二部分" in exc.value.errors[0] and "已有学习记录" in exc.value.errors[0]
    assert Chapter.objects.filter(code="R1-02").exists() and SelfStudy.objects.count() == 1
    # The whole reading item dropped: refused the same way.
    no_reading = GOOD[: GOOD.index("[[reading]]")] + GOOD[GOOD.index("[[task]]") :]
    with pytest.raises(CampaignFileError):
        load_campaign(no_reading, actor=None)
    # From the command line: exit 2 with the clerk's message, nothing loaded.
    path = tmp_path / "c.toml"
    path.write_text(dropped, encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        call_command("campaign", "load", str(path))
    assert stop.value.code == 2
    assert "已有学习记录" in capsys.readouterr().err
    # An unused chapter still goes.
    SelfStudy.objects.all().delete()
    load_campaign(dropped, actor=None)
    assert not Chapter.objects.filter(code="R1-02").exists()

"""Time progress and task completion, computed from data at an explicit as_of date."""

import datetime as dt

import pytest

from tuijin.campaigns import rules
from tuijin.campaigns.actions import load_campaign
from tuijin.core.calendar import time_progress
from tuijin.core.indicators import Pair, get, read, roll_up, status

from ..campaigns.test_campaign_file import GOOD


def test_time_progress_counts_days_like_an_office():
    start, end = dt.date(2026, 9, 1), dt.date(2027, 1, 31)  # 153 days
    assert time_progress(start, end, dt.date(2026, 9, 1)) == pytest.approx(1 / 153)
    assert time_progress(start, end, dt.date(2026, 11, 30)) == pytest.approx(91 / 153)  # ≈ 五分之三
    assert time_progress(start, end, dt.date(2026, 8, 1)) == 0
    assert time_progress(start, end, dt.date(2027, 3, 1)) == 1
    assert time_progress(start, end, end) == 1


@pytest.fixture
def campaign(world):
    return load_campaign(GOOD, actor=None)


def test_branch_with_three_full_members_completes_the_task_and_others_do_not(world, campaign, as_of):
    task = campaign.tasks.get(code="T1")
    result = rules.evaluate(task, rules.applicable_orgs(task), as_of)
    done = {o.code for o in rules.applicable_orgs(task) if result[o.pk].done}
    assert done == {"XS-A-1-1"}  # A1b has 1 full + 1 probationary member, A2 none, B1 one
    assert result[world.branch_a1b.pk].count == 1 and result[world.branch_a1b.pk].required == 3


def test_completion_follows_the_data_not_a_tick(world, campaign, as_of):
    from tests.conftest import make_person

    task = campaign.tasks.get(code="T1")
    make_person(world.branch_a1b, "A1B3", "乙三")
    make_person(world.branch_a1b, "A1B4", "乙四")
    assert rules.evaluate(task, [world.branch_a1b], as_of)[world.branch_a1b.pk].done


def test_level_filter_counts_depth_from_the_campaign_root(world, campaign, as_of):
    task = campaign.tasks.get(code="T2")
    assert {o.code for o in rules.applicable_orgs(task)} == {"XS-A-1"}
    assert rules.evaluate(task, [world.unit_a1], as_of)[world.unit_a1.pk].done  # two branches below


def test_inactive_people_do_not_count(world, campaign, as_of):
    from tuijin.orgs.actions import update_person

    task = campaign.tasks.get(code="T1")
    update_person(world.p_a1a[2], actor=None, active=False)
    assert not rules.evaluate(task, [world.branch_a1a], as_of)[world.branch_a1a.pk].done


def test_per_leading_cadre_counts_each_cadre(world, as_of):
    rules.register_kind(
        rules.RecordKind(
            name="test_person_self",
            label="测试",
            queryset=lambda: __import__("tuijin.orgs.models", fromlist=["Person"]).Person.objects.all(),
            org_field="org",
            person_field="pk",
        )
    )
    from tuijin.campaigns.models import Campaign, Task

    c = Campaign.objects.create(name="x", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city)
    task = Task.objects.create(
        campaign=c,
        code="TX",
        title="t",
        deadline=dt.date(2026, 12, 31),
        rule={"count": "test_person_self", "per": "leading_cadre", "at_least": 1},
    )
    result = rules.evaluate(task, [world.unit_a1, world.branch_a1a], as_of)
    assert result[world.unit_a1.pk].done and result[world.unit_a1.pk].required == 1
    assert result[world.branch_a1a.pk].required == 0  # no cadres: nothing to do


def test_status_flips_at_the_thresholds():
    assert status(0.50, 0.60, lag=0.10, severe=0.25) == "正常"
    assert status(0.49, 0.60, lag=0.10, severe=0.25) == "滞后"
    assert status(0.35, 0.60, lag=0.10, severe=0.25) == "滞后"
    assert status(0.34, 0.60, lag=0.10, severe=0.25) == "严重滞后"
    assert status(None, 0.60, lag=0.10, severe=0.25) == "正常"
    assert status(0.9, 0.6, lag=0.1, severe=0.25, higher_is_better=False) == "严重滞后"


def test_roll_up_sums_the_subtree(world):
    from tuijin.orgs.models import Org

    orgs = list(Org.objects.all())
    own = {o.pk: Pair(1, 2) for o in orgs}
    total = roll_up(orgs, own)
    assert total[world.city.pk] == Pair(len(orgs), 2 * len(orgs))
    assert total[world.unit_a1.pk] == Pair(3, 6)
    assert total[world.branch_b1.pk] == Pair(1, 2)


def test_task_completion_indicator_reads_against_time_progress(world, campaign, as_of):
    reading = read(get("campaign.task_completion"), world.county_a, as_of, campaign)
    # County A: T1 applies to 3 branches (1 done), T2 to XS-A-1 (done) → 2/4
    assert reading.pair == Pair(2, 4)
    assert reading.value == 0.5
    assert reading.expected == pytest.approx(campaign.progress(as_of))
    assert reading.status == "正常"  # 0.5 vs 0.58: within the 10-point lag


def test_a_rule_reads_as_words(world, campaign):
    assert campaign.tasks.get(code="T1").rule_text == "本组织人员至少 3 名，政治面貌为正式党员"


def test_ratios_that_are_not_shares_lag_relative_to_their_expectation():
    # 1.0 visit per cadre against 1.15 expected is 13% short: 滞后 at the 10% threshold.
    assert status(1.0, 1.15, lag=0.10, severe=0.25, relative=True) == "滞后"
    assert status(1.1, 1.15, lag=0.10, severe=0.25, relative=True) == "正常"
    assert status(0.8, 1.15, lag=0.10, severe=0.25, relative=True) == "严重滞后"

"""学习教育 indicators, the balance query and the task-rule kinds, on the hand-built `scenario`
(tests/study/conftest.py) whose answers are worked out by hand there. Time progress is 0.70."""

import datetime as dt

import pytest

from tuijin.campaigns import rules
from tuijin.campaigns.loader import CampaignFileError, parse
from tuijin.core.indicators import Pair, all_indicators, get, read
from tuijin.study import actions, queries

from .conftest import AS_OF, CAMPAIGN

STUDY = [
    "study.reading_coverage",
    "study.chapters_per_member",
    "study.self_study_coverage",
    "study.unbalanced",
    "study.grassroots_coverage",
    "study.no_seminar",
    "study.no_expert_lecture",
]


def pair(code, org, campaign, as_of=AS_OF):
    return read(get(code), org, as_of, campaign).pair


def test_the_study_indicators_are_registered_under_学习教育():
    registered = {i.code: i for i in all_indicators()}
    assert all(registered[code].dimension == "学习教育" for code in STUDY)


def test_reading_coverage_counts_member_chapter_pairs_covered_either_way(scenario, campaign):
    # A1a 13 + A1b 4 + A1 1 + B1 0 = 18 of 7 members × 5 chapters
    assert pair("study.reading_coverage", scenario.city, campaign) == Pair(18, 35)
    assert pair("study.reading_coverage", scenario.county_a, campaign) == Pair(18, 30)
    assert pair("study.reading_coverage", scenario.branch_a1a, campaign) == Pair(13, 15)
    assert pair("study.reading_coverage", scenario.county_b, campaign) == Pair(0, 5)


def test_reading_coverage_is_compared_with_time_progress(scenario, campaign):
    reading = read(get("study.reading_coverage"), scenario.city, AS_OF, campaign)
    assert reading.expected == pytest.approx(0.7)
    assert reading.value == pytest.approx(18 / 35) and reading.status == "滞后"  # 0.19 short: lag, not severe
    assert read(get("study.reading_coverage"), scenario.county_b, AS_OF, campaign).status == "严重滞后"


def test_chapters_per_member_is_the_average_number_covered(scenario, campaign):
    assert pair("study.chapters_per_member", scenario.county_a, campaign) == Pair(18, 6)
    assert read(get("study.chapters_per_member"), scenario.county_a, AS_OF, campaign).value == 3


def test_self_study_coverage_counts_only_what_members_read_themselves(scenario, campaign):
    assert pair("study.self_study_coverage", scenario.county_a, campaign) == Pair(6, 30)  # A1A1 2, A1B1 3, A1B2 1


def test_an_org_studying_together_but_not_alone_is_flagged(scenario, campaign):
    rows = queries.unbalanced_orgs(scenario.city, campaign, AS_OF)
    assert [r.org.code for r in rows] == ["XS-A-1-1"]
    s = rows[0].study
    assert (s.collective_share, s.own_share) == (pytest.approx(12 / 15), pytest.approx(2 / 15))
    assert pair("study.unbalanced", scenario.city, campaign) == Pair(1)
    assert pair("study.unbalanced", scenario.county_b, campaign) == Pair(0)


def test_the_flag_goes_when_members_catch_up_on_their_own(scenario, campaign, ch):
    w = scenario
    for person in w.p_a1a:
        for code in ("R1-01", "R1-02", "R1-03"):
            if not (person == w.p_a1a[0] and code == "R1-01"):
                actions.log_self_study(
                    actor=w.branch_reporter, person=person, date=dt.date(2026, 11, 6), chapter=ch[code]
                )
    # A1a own pairs: A1A1 R1-01, R1-02, R1-03, R2-02; A1A2, A1A3 three each → 10 of 15 ≥ 0.6
    assert queries.unbalanced_orgs(w.city, campaign, AS_OF) == []


def test_early_in_the_campaign_nobody_is_flagged_for_lagging(scenario, campaign):
    # On 10-15 time progress is 0.45; the bar is 0.35 and A1a's own study (2 of 15 by then: R1-01 on 10-12) lags.
    assert [r.org.code for r in queries.unbalanced_orgs(scenario.city, campaign, dt.date(2026, 10, 15))] == ["XS-A-1-1"]
    # On 09-05 the bar is below zero: nothing can lag yet.
    assert queries.unbalanced_orgs(scenario.city, campaign, dt.date(2026, 9, 5)) == []


def test_grassroots_coverage_is_the_share_of_branches_with_a_session_this_month(scenario, campaign):
    assert pair("study.grassroots_coverage", scenario.city, campaign) == Pair(1, 4)  # only A1b in November
    assert pair("study.grassroots_coverage", scenario.county_a, campaign) == Pair(1, 3)
    assert pair("study.grassroots_coverage", scenario.city, campaign, dt.date(2026, 10, 31)) == Pair(1, 4)  # A1a in Oct
    assert pair("study.grassroots_coverage", scenario.city, campaign, dt.date(2026, 11, 2)) == Pair(0, 4)
    quiet, total = queries.quiet_branches(scenario.city, AS_OF)
    assert [o.code for o in quiet] == ["XS-A-1-1", "XS-A-2", "XS-B-1"] and total == 4


def test_orgs_with_members_and_no_专题研讨_are_counted(scenario, campaign):
    assert pair("study.no_seminar", scenario.city, campaign) == Pair(3, 4)  # A1a, A1b, B1; A1 held one on 11-05
    assert pair("study.no_seminar", scenario.city, campaign, dt.date(2026, 11, 4)) == Pair(4, 4)
    assert [o.code for o in queries.orgs_without(scenario.city, campaign, AS_OF)] == ["XS-A-1-1", "XS-A-1-2", "XS-B-1"]


def test_units_without_a_党校_expert_lecture_are_counted(scenario, campaign):
    assert pair("study.no_expert_lecture", scenario.city, campaign) == Pair(0, 1)  # A1 invited 王教授 on 11-02
    assert pair("study.no_expert_lecture", scenario.city, campaign, dt.date(2026, 11, 1)) == Pair(1, 1)
    assert pair("study.no_expert_lecture", scenario.county_b, campaign) == Pair(0, None)  # no unit with members there


def test_a_withdrawn_session_stops_counting_everywhere(scenario, campaign):
    actions.withdraw_session(scenario.s_seminar, actor=scenario.county_office, reason="录错了")
    assert pair("study.no_seminar", scenario.city, campaign) == Pair(4, 4)
    actions.withdraw_session(scenario.s_a1a, actor=scenario.branch_reporter, reason="录错了")
    assert pair("study.reading_coverage", scenario.county_a, campaign) == Pair(7, 30)  # own 6 + the cadre's 1


@pytest.mark.parametrize("code", STUDY)
def test_every_study_indicator_rolls_up_as_the_sum_of_its_parts(scenario, campaign, code):
    assert pair(code, scenario.city, campaign) == pair(code, scenario.county_a, campaign) + pair(
        code, scenario.county_b, campaign
    )


def test_chapter_coverage_lists_members_per_chapter(scenario, campaign):
    rows = [(c.code, n, total) for c, n, total in queries.chapter_coverage(scenario.county_a, campaign, AS_OF)]
    assert rows == [("R1-01", 6, 6), ("R1-02", 4, 6), ("R1-03", 4, 6), ("R2-01", 3, 6), ("R2-02", 1, 6)]


def test_group_counts_ignore_people_who_are_not_party_members(scenario, campaign, ch):
    from tests.conftest import make_person

    masses = make_person(scenario.branch_a1a, "A1A9", "群众甲", status="群众")
    actions.update_session(scenario.s_a1a, actor=scenario.branch_reporter, attendees=scenario.p_a1a + [masses])
    assert pair("study.reading_coverage", scenario.branch_a1a, campaign) == Pair(13, 15)


# ------------------------------------------------------------------ task rules


def test_task_rules_count_sessions_by_form_and_expert_lectures(scenario, campaign):
    s1, s2 = campaign.tasks.get(code="S1"), campaign.tasks.get(code="S2")
    done = {o.code for o in rules.applicable_orgs(s1) if rules.evaluate(s1, [o], AS_OF)[o.pk].done}
    assert done == set()  # no branch has held a 专题研讨
    result = rules.evaluate(s2, rules.applicable_orgs(s2), AS_OF)
    assert {o.code: c.done for o in rules.applicable_orgs(s2) for c in [result[o.pk]]} == {"XS-A-1": True}
    actions.record_session(
        actor=scenario.branch_reporter,
        org=scenario.branch_a1a,
        date=dt.date(2026, 11, 8),
        form="专题研讨",
        topic="对照检视",
        attendees=scenario.p_a1a,
    )
    assert rules.evaluate(s1, [scenario.branch_a1a], AS_OF)[scenario.branch_a1a.pk].done


def test_self_study_and_attendance_can_be_counted_per_leading_cadre(scenario, campaign, ch):
    task = campaign.tasks.get(code="S2")
    task.rule = {"count": "study_attendance", "per": "leading_cadre", "where": {"form": "中心组学习"}, "at_least": 1}
    assert rules.evaluate(task, [scenario.unit_a1], AS_OF)[scenario.unit_a1.pk].done  # the cadre attended
    task.rule = {"count": "self_study", "per": "leading_cadre", "at_least": 1}
    assert not rules.evaluate(task, [scenario.unit_a1], AS_OF)[scenario.unit_a1.pk].done
    actions.log_self_study(actor=None, person=scenario.cadre, date=AS_OF, chapter=ch["R2-02"])
    assert rules.evaluate(task, [scenario.unit_a1], AS_OF)[scenario.unit_a1.pk].done


def test_a_campaign_file_with_a_wrong_form_or_field_is_a_load_error(world):
    bad = CAMPAIGN.replace('form = "专题研讨"', 'form = "专题研讨会"').replace(
        'rule = { count = "expert_lecture", at_least = 1 }',
        'rule = { count = "expert_lecture", where = { speaker = "王" }, at_least = 1 }',
    )
    with pytest.raises(CampaignFileError) as failed:
        parse(bad)
    text = "\n".join(failed.value.errors)
    assert "字段“form”的值“专题研讨会”无效" in text and "记录类型“expert_lecture”没有字段“speaker”" in text


def test_scorecard_counters_follow_attendance_into_the_attendees_own_orgs(scenario, campaign, ch):
    """A unit's session attended by a branch's members changes the branch's figures: the counters
    kept by actions must hear about the branch, not only about the unit that held the session."""
    from tuijin.evaluation import counters
    from tuijin.evaluation.models import OrgScore

    counters.rebuild(AS_OF)
    actions.record_session(
        actor=scenario.county_office,
        org=scenario.unit_a1,
        date=dt.date(2026, 11, 7),
        form="读书班",
        topic="全体党员读书班",
        chapters=[ch["R2-01"], ch["R2-02"]],
        attendees=scenario.p_a1b,
    )
    stored = OrgScore.objects.get(org=scenario.branch_a1b).own["study.reading_coverage"]
    assert stored == [8, 10]  # A1b: 4 pairs by self-study + R2-01 and R2-02 for both members

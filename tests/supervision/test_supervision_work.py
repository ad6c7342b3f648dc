"""Groups' assignments, inspections, random samples and the escalation ladder, on hand-built data."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tuijin.core.errors import ActionError
from tuijin.evaluation.jobs import take_snapshot
from tuijin.rectification.models import Problem
from tuijin.supervision import actions, escalation, sampling
from tuijin.supervision.models import GroupAssignment

from .conftest import AS_OF, add_problems, study_this_month


def test_reassigning_a_group_keeps_the_earlier_period(world):
    actions.assign_orgs(world.group, [world.county_a], actor=world.city_office, on=dt.date(2026, 11, 1))
    periods = {(a.org.code, a.start, a.end) for a in GroupAssignment.objects.filter(group=world.group)}
    assert ("XS-A", dt.date(2026, 11, 1), None) in periods
    assert list(world.group.orgs.values_list("code", flat=True)) == ["XS-A"]
    with pytest.raises(PermissionDenied):  # a county office cannot move the city's group
        actions.assign_orgs(world.group, [world.county_b], actor=world.county_office, on=dt.date(2026, 11, 2))


def test_only_an_account_of_the_group_can_lead_it(world):
    with pytest.raises(ActionError):
        actions.set_leader(world.group, world.branch_reporter, actor=world.city_office)
    assert actions.set_leader(world.group, world.guide, actor=world.city_office).user == world.guide


def test_an_inspection_finding_becomes_a_problem_sourced_by_the_upper_level(world):
    inspection = actions.record_inspection(
        world.branch_b1,
        actor=world.guide,
        kind="个别谈话",
        on=AS_OF,
        inspectors="张某",
        findings=["支部书记对问题清单不熟悉", ""],
    )
    assert inspection.items.count() == 1
    problem = actions.finding_to_problem(inspection.items.get(), actor=world.guide, deadline=dt.date(2026, 12, 31))
    assert (problem.org, problem.source, problem.description) == (world.branch_b1, "上级查", "支部书记对问题清单不熟悉")
    with pytest.raises(ActionError):
        actions.finding_to_problem(inspection.items.get(), actor=world.guide)  # one step, once
    with pytest.raises(PermissionDenied):
        actions.record_inspection(world.branch_a1a, actor=world.guide, kind="个别谈话", on=AS_OF, inspectors="张某")


def test_a_problem_sourced_otherwise_is_still_the_units_own_to_add(world):
    from tuijin.rectification.actions import create_problem

    with pytest.raises(PermissionDenied):
        create_problem(actor=world.guide, org=world.branch_b1, description="x", source="集体查", found_on=AS_OF)
    assert Problem.objects.count() == 0


def _sessions(org, n):
    from tuijin.study.actions import record_session

    return [
        record_session(
            actor=None,
            org=org,
            date=dt.date(2026, 10, 1) + dt.timedelta(days=i),
            form="支部学习",
            topic=f"第{i}次学习",
            headcount=5,
        )
        for i in range(n)
    ]


def test_a_sample_is_reproducible_from_its_seed_and_is_never_redrawn(world):
    _sessions(world.branch_b1, 20)
    first = actions.draw_sample(
        world.branch_b1, actor=world.guide, kind="study_session", size=5, as_of=AS_OF, seed="abc"
    )
    again = sampling.draw(sampling.population(world.branch_b1, "study_session", AS_OF), "abc", 5)
    assert first.drawn == again and len(set(first.drawn)) == 5 and first.population == 20
    other = sampling.draw(sampling.population(world.branch_b1, "study_session", AS_OF), "abd", 5)
    assert other != first.drawn  # the seed decides, not the clerk
    check = actions.record_check(
        first, actor=world.guide, record_id=first.drawn[0], result="不属实", note="当日未开展", on=AS_OF
    )
    with pytest.raises(ActionError):  # a recorded check is not rewritten
        actions.record_check(first, actor=world.guide, record_id=first.drawn[0], result="属实", note="", on=AS_OF)
    with pytest.raises(ActionError):  # only drawn records are checked
        actions.record_check(first, actor=world.guide, record_id=10**9, result="属实", note="", on=AS_OF)
    assert check.result == "不属实"


def test_escalation_follows_how_long_and_how_far_and_unanswered_letters(world, campaign):
    study_this_month(world.branch_a2)
    add_problems(world.branch_a2, 2, closed=2)
    assert escalation.suggest(world.branch_a2, AS_OF).step == "无需督促"  # the look-alike that does its work

    add_problems(world.branch_b1, 4)  # severely behind on rectification, no study this month
    s = escalation.suggest(world.branch_b1, AS_OF)
    assert s.step == "提示函" and any("严重滞后" in r for r in s.reasons)

    for day in (dt.date(2026, 11, 6), dt.date(2026, 11, 13), dt.date(2026, 11, 20), AS_OF):
        take_snapshot(day)
    assert escalation.lag_since(world.branch_b1, AS_OF) == dt.date(2026, 11, 6)
    assert escalation.lag_since(world.branch_a2, AS_OF) is None

    letter = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF),
        actor=world.guide,
        on=AS_OF,
        feedback_due=dt.date(2026, 12, 4),
    )
    assert escalation.suggest(world.branch_b1, AS_OF).step == "提醒"  # the letter is still running
    late = escalation.suggest(world.branch_b1, dt.date(2026, 12, 8))
    assert late.step == "约谈" and any(letter.number in r and "逾期4天未反馈" in r for r in late.reasons)
    actions.record_interview(
        world.branch_b1,
        actor=world.guide,
        on=dt.date(2026, 12, 9),
        by="组长",
        whom="书记",
        reason="逾期未反馈",
        letters=[letter],
    )
    assert escalation.suggest(world.branch_b1, dt.date(2026, 12, 10)).step == "问责"
    decision = actions.decide_escalation(
        world.branch_b1, actor=world.guide, on=dt.date(2026, 12, 10), decided="约谈", note="再约谈一次"
    )
    assert (decision.suggested, decision.decided) == ("问责", "约谈") and decision.reasons


def test_a_record_found_untrue_stops_counting_until_corrected(world, campaign):
    from tuijin.evaluation import counters
    from tuijin.evaluation.scorecard import scorecard

    closed = add_problems(world.branch_b1, 4, closed=2)
    add_problems(world.branch_a1a, 2, closed=2)  # the look-alike, not sampled, keeps counting
    counters.rebuild(AS_OF)

    def done(org):
        line = next(ln for ln in scorecard(org, AS_OF, with_tasks=False).lines if ln.code == "problems.rectified_share")
        return line.pair.num

    assert (done(world.branch_b1), done(world.branch_a1a)) == (2, 2)
    sample = actions.draw_sample(
        world.county_b, actor=world.guide, kind="problem_closed", size=2, as_of=AS_OF, seed="s1"
    )
    assert sorted(sample.drawn) == sorted(p.pk for p in closed[:2])
    check = actions.record_check(
        sample, actor=world.guide, record_id=closed[0].pk, result="不属实", note="整改未完成即销号", on=AS_OF
    )
    actions.record_check(sample, actor=world.guide, record_id=closed[1].pk, result="属实", note="", on=AS_OF)
    assert (done(world.branch_b1), done(world.county_b), done(world.branch_a1a)) == (1, 1, 2)  # counters
    live = scorecard(world.branch_b1, AS_OF - dt.timedelta(days=0), with_tasks=False)
    assert live.source == "counters"
    actions.resolve_check(check, actor=world.guide, resolution="已重新整改并验收", on=AS_OF)
    assert done(world.branch_b1) == 2


def test_the_briefing_says_how_many_checks_found_what(world, campaign):
    from tuijin.evaluation import briefing

    _sessions(world.branch_b1, 6)
    sample = actions.draw_sample(
        world.branch_b1, actor=world.guide, kind="study_session", size=3, as_of=AS_OF, seed="b"
    )
    for rid, result in zip(sample.drawn, ["属实", "属实", "不属实"]):
        actions.record_check(sample, actor=world.guide, record_id=rid, result=result, note="补录", on=AS_OF)
    text = "\n".join(c.text for c in briefing.build(world.city, AS_OF).claims())
    assert "随机抽查核查记录数3条" in text
    assert "全市有抽查不属实记录1条" in text  # a must-be-zero count reads "有N…" (issue 9)

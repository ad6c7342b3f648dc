"""A study session found 不属实 on a random check stops counting everywhere the scorecards count study
sessions — reading coverage (the derived Coverage table), collective coverage, 专题研讨 held — until it
is corrected; sessions checked 属实 or 部分属实 keep counting. Hand-built data with known answers."""

import datetime as dt
import textwrap

import pytest

from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.models import Chapter
from tuijin.evaluation import counters
from tuijin.evaluation.scorecard import scorecard
from tuijin.study import actions as study
from tuijin.study.models import Coverage
from tuijin.supervision import actions

AS_OF = dt.date(2026, 11, 27)
CAMPAIGN = textwrap.dedent("""
    [campaign]
    name = "主题教育（测试）"
    start = 2026-09-01
    end = 2026-12-31
    root = "XS"

    [[reading]]
    code = "R1"
    title = "党的二十大报告"
    chapters = ["R1-01 第一部分", "R1-02 第二部分"]
""")


@pytest.fixture
def data(world):
    """XS-A-1-1 (3 members): a 专题研讨 S1 on R1-01 and a 支部学习 S2 on R1-02, all three attend both;
    A1A1 also self-studied R1-01. XS-A-1-2 (2 members): a 专题研讨 S3 on both chapters, both attend.
    Covered: A-1-1 6 of 6 pairs (collective 6), A-1-2 4 of 4."""
    load_campaign(CAMPAIGN, actor=None)
    ch = {c.code: c for c in Chapter.objects.all()}
    w = world
    w.s1 = study.record_session(
        actor=None,
        org=w.branch_a1a,
        date=dt.date(2026, 10, 10),
        form="专题研讨",
        topic="专题研讨一",
        chapters=[ch["R1-01"]],
        attendees=w.p_a1a,
    )
    w.s2 = study.record_session(
        actor=None,
        org=w.branch_a1a,
        date=dt.date(2026, 10, 20),
        form="支部学习",
        topic="支部学习二",
        chapters=[ch["R1-02"]],
        attendees=w.p_a1a,
    )
    study.log_self_study(actor=None, person=w.p_a1a[0], date=dt.date(2026, 10, 12), chapter=ch["R1-01"])
    w.s3 = study.record_session(
        actor=None,
        org=w.branch_a1b,
        date=dt.date(2026, 10, 15),
        form="专题研讨",
        topic="专题研讨三",
        chapters=[ch["R1-01"], ch["R1-02"]],
        attendees=w.p_a1b,
    )
    counters.rebuild(AS_OF)
    return w


def lines(org):
    return {ln.code: ln.pair for ln in scorecard(org, AS_OF, with_tasks=False).lines}


def reading(org):
    p = lines(org)
    return p["study.reading_coverage"].num, p["study.collective_coverage"].num, p["study.no_seminar"].num


def test_a_session_found_untrue_stops_counting_in_coverage_and_seminars_until_corrected(data):
    w = data
    assert reading(w.branch_a1a) == (6, 6, 0) and reading(w.branch_a1b) == (4, 4, 0)
    sample = actions.draw_sample(
        w.branch_a1a, actor=w.county_office, kind="study_session", size=2, as_of=AS_OF, seed="x"
    )
    assert sorted(sample.drawn) == sorted([w.s1.pk, w.s2.pk])
    check = actions.record_check(
        sample, actor=w.county_office, record_id=w.s1.pk, result="不属实", note="当日未开展", on=AS_OF
    )
    actions.record_check(sample, actor=w.county_office, record_id=w.s2.pk, result="部分属实", note="人数不足", on=AS_OF)
    # S1 no longer covers R1-01: only A1A1's own study does; S2 (部分属实) still covers R1-02 for all three
    assert set(Coverage.objects.filter(person__org=w.branch_a1a).values_list("person__number", "chapter__code")) == {
        ("A1A1", "R1-01"),
        ("A1A1", "R1-02"),
        ("A1A2", "R1-02"),
        ("A1A3", "R1-02"),
    }
    assert reading(w.branch_a1a) == (4, 3, 1)  # covered, collective, "no 专题研讨" now 1
    assert reading(w.branch_a1b) == (4, 4, 0)  # the look-alike, not found untrue, keeps counting
    whole = lines(w.unit_a1)  # the rolled-up totals of the unit above follow (its own cadre: 0 of 2)
    assert (whole["study.reading_coverage"].num, whole["study.reading_coverage"].den) == (8, 12)

    actions.resolve_check(check, actor=w.county_office, resolution="补齐会议记录，核实属实", on=AS_OF)
    assert reading(w.branch_a1a) == (6, 6, 0)


def test_an_untrue_session_is_not_counted_again_when_its_attendees_change(data):
    """Coverage is rebuilt by every later change to the same people: the exclusion holds through it."""
    w = data
    sample = actions.draw_sample(
        w.branch_a1a, actor=w.county_office, kind="study_session", size=2, as_of=AS_OF, seed="x"
    )
    actions.record_check(sample, actor=w.county_office, record_id=w.s1.pk, result="不属实", note="未开展", on=AS_OF)
    study.log_self_study(
        actor=None, person=w.p_a1a[1], date=dt.date(2026, 11, 1), chapter=Chapter.objects.get(code="R1-02")
    )
    assert not Coverage.objects.filter(person=w.p_a1a[1], chapter__code="R1-01").exists()


def test_a_closed_problem_found_untrue_counts_neither_as_rectified_nor_as_closed_with_evidence(world):
    from .conftest import add_problems

    load_campaign(CAMPAIGN, actor=None)
    closed = add_problems(world.branch_b1, 3, closed=2)
    counters.rebuild(AS_OF)

    def rectified(org):
        p = lines(org)
        return p["problems.rectified_share"].num, (p["problems.evidence_share"].num, p["problems.evidence_share"].den)

    assert rectified(world.branch_b1) == (2, (2, 2))
    sample = actions.draw_sample(
        world.branch_b1, actor=world.guide, kind="problem_closed", size=2, as_of=AS_OF, seed="p"
    )
    actions.record_check(sample, actor=world.guide, record_id=closed[0].pk, result="不属实", note="未整改", on=AS_OF)
    actions.record_check(sample, actor=world.guide, record_id=closed[1].pk, result="属实", note="", on=AS_OF)
    assert rectified(world.branch_b1) == (1, (1, 1))  # the one checked 属实 still counts

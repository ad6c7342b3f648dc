"""调查研究 and 办实事 indicators and task rules on small hand-built data with known answers.

The campaign runs 2026-09-01 … 2027-01-31 (153 days); on 2026-11-27 time progress is 88/153 ≈ 0.575,
so 2 visits per cadre are expected to be 2 × 0.575 = 1.150 by now. Lag thresholds are 0.10 and 0.25.

Data (see `data`):
  丙书记 (A1C1, XS-A-1)   visits 10-01 [f1→problem 10-20, f2], 10-12 [f3→measure 11-30], 11-20 [], 12-05 [f4]
  丙副书记 (A1C2, XS-A-1) no visits;  戊书记 (AC1, XS-A) no visits
  甲1 (A1A1, XS-A-1-1, not a cadre)  visit 11-01 [f5→problem 11-02]
  projects: XS-A-1  P1 real, done 11-20 · P2 召开主题教育推进会议 (flagged) · P3 real, listed 12-10
            XS-A-1-1 P4 real, in progress · XS-B-1 P5 日常巡查 (flagged)
"""

import datetime as dt

import pytest

from tests.conftest import make_person
from tuijin.campaigns import rules
from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.loader import CampaignFileError
from tuijin.core.indicators import STATUS_LAG, STATUS_OK, STATUS_SEVERE, Pair, get, read
from tuijin.rectification import actions as rectification
from tuijin.research import actions
from tuijin.research.models import ProjectStatus

from .conftest import CAMPAIGN, PNG, TODAY, good_project

D = dt.date


@pytest.fixture
def data(cadres, campaign):
    w = cadres
    v1 = actions.record_visit(
        actor=None, person=w.cadre, date=D(2026, 10, 1), topic="t1", place="p", findings=["f1", "f2"]
    )
    v2 = actions.record_visit(actor=None, person=w.cadre, date=D(2026, 10, 12), topic="t2", place="p", findings=["f3"])
    actions.record_visit(actor=None, person=w.cadre, date=D(2026, 11, 20), topic="t3", place="p")
    actions.record_visit(actor=None, person=w.cadre, date=D(2026, 12, 5), topic="t4", place="p", findings=["f4"])
    v5 = actions.record_visit(
        actor=None, person=w.p_a1a[0], date=D(2026, 11, 1), topic="t5", place="p", findings=["f5"]
    )
    actions.convert_to_problem(v1.findings.get(text="f1"), actor=None, found_on=D(2026, 10, 20))
    problem = rectification.create_problem(
        actor=None, org=w.unit_a1, source="集体查", description="d", found_on=D(2026, 10, 1)
    )
    actions.convert_to_measure(v2.findings.get(), actor=None, problem=problem, as_of=D(2026, 11, 30))
    actions.convert_to_problem(v5.findings.get(), actor=None, found_on=D(2026, 11, 2))

    p1 = good_project(w)
    actions.attach_project_evidence(p1, actor=None, name="a.png", data=PNG)
    actions.set_project_status(p1, actor=None, status=ProjectStatus.DONE, as_of=D(2026, 11, 20))
    actions.create_project(actor=None, org=w.unit_a1, name="召开主题教育推进会议", listed_on=D(2026, 10, 1))
    good_project(w, name="改造东关小学周边道路交通信号", listed_on=D(2026, 12, 10))
    p4 = good_project(
        w,
        org=w.branch_a1a,
        name="解决幸福村32户饮水不安全问题",
        need="幸福村32户村民饮水不安全",
        need_category="饮水",
        beneficiaries=105,
    )
    actions.set_project_status(p4, actor=None, status=ProjectStatus.IN_PROGRESS, as_of=D(2026, 11, 1))
    actions.create_project(actor=None, org=w.branch_b1, name="日常巡查", listed_on=D(2026, 10, 1))
    return w


def reading(code, org, campaign, as_of=TODAY):
    return read(get(code), org, as_of, campaign)


def test_visits_per_leading_cadre_counts_cadres_visits_up_to_as_of(data, campaign):
    unit = reading("research.visits_per_cadre", data.unit_a1, campaign)
    assert unit.pair == Pair(3, 2) and unit.value == 1.5 and unit.status == STATUS_OK
    county = reading("research.visits_per_cadre", data.county_a, campaign)
    assert county.pair == Pair(3, 3)  # 甲1 is not a cadre; the 12-05 visit is after as_of
    assert county.expected == pytest.approx(2 * 88 / 153)
    assert county.status == STATUS_LAG  # 1.0 against 1.150
    assert reading("research.visits_per_cadre", data.county_a, campaign, D(2026, 12, 31)).pair == Pair(4, 3)


def test_cadres_without_visits_are_severely_behind_and_an_org_without_cadres_is_not_measured(data, campaign):
    empty = reading("research.visits_per_cadre", data.county_b, campaign)
    assert empty.pair == Pair(0, 0) and empty.value is None and empty.status == STATUS_OK
    make_person(data.county_b, "BC1", "己书记", is_leading_cadre=True)
    idle = reading("research.visits_per_cadre", data.county_b, campaign)
    assert idle.pair == Pair(0, 1) and idle.value == 0 and idle.status == STATUS_SEVERE
    assert get("research.visits_per_cadre").compute([data.county_a], TODAY, campaign) == {data.county_a.pk: Pair(0, 1)}


def test_share_of_findings_converted(data, campaign):
    assert reading("research.findings_converted", data.unit_a1, campaign).pair == Pair(2, 4)  # subtree incl. f5
    own = get("research.findings_converted").compute([data.unit_a1, data.branch_a1a], TODAY, campaign)
    assert own == {data.unit_a1.pk: Pair(1, 3), data.branch_a1a.pk: Pair(1, 1)}
    county = reading("research.findings_converted", data.county_a, campaign)
    assert county.value == 0.5 and county.status == STATUS_OK  # 0.5 against 0.575
    later = reading("research.findings_converted", data.county_a, campaign, D(2026, 12, 31))
    assert later.pair == Pair(3, 5)  # f3's measure (11-30) and f4's visit (12-05) now count


def test_projects_per_org(data, campaign):
    county = reading("projects.per_org", data.county_a, campaign)
    assert county.pair == Pair(3, 5) and county.expected is None  # P1, P2, P4 over five orgs; P3 not yet listed
    assert reading("projects.per_org", data.city, campaign).pair == Pair(4, 8)


def test_share_flagged_is_expected_to_be_zero(data, campaign):
    county = reading("projects.flagged_share", data.county_a, campaign)
    assert county.pair == Pair(1, 3) and county.expected == 0 and county.status == STATUS_SEVERE
    city = reading("projects.flagged_share", data.city, campaign)
    assert city.pair == Pair(2, 4)
    assert reading("projects.flagged_share", data.branch_a1a, campaign).status == STATUS_OK


def test_share_completed_against_time_progress(data, campaign):
    county = reading("projects.completed_share", data.county_a, campaign)
    assert county.pair == Pair(1, 3) and county.status == STATUS_LAG  # 0.333 against 0.575
    assert reading("projects.completed_share", data.city, campaign).status == STATUS_SEVERE  # 0.25
    assert reading("projects.completed_share", data.county_a, campaign, D(2026, 11, 19)).pair == Pair(0, 3)


def test_a_roll_up_is_the_sum_of_its_parts(data, campaign):
    for code in (
        "research.visits_per_cadre",
        "research.findings_converted",
        "projects.per_org",
        "projects.flagged_share",
        "projects.completed_share",
    ):
        whole = reading(code, data.city, campaign).pair
        parts = reading(code, data.county_a, campaign).pair + reading(code, data.county_b, campaign).pair
        own = get(code).compute([data.city], TODAY, campaign).get(data.city.pk, Pair(0, None))
        assert whole.num == parts.num + own.num and (whole.den or 0) == (parts.den or 0) + (own.den or 0), code


def test_each_leading_cadre_two_visits_is_evaluated_per_cadre(data, campaign):
    task = campaign.tasks.get(code="T3")
    result = rules.evaluate(task, rules.applicable_orgs(task), TODAY)
    by_code = {o.code: result[o.pk] for o in rules.applicable_orgs(task)}
    assert (by_code["XS-A-1"].done, by_code["XS-A-1"].count, by_code["XS-A-1"].required) == (False, 1, 2)
    assert not by_code["XS-A"].done and by_code["XS"].done and by_code["XS-B"].done  # no cadres: nothing due
    for day in (2, 3):
        actions.record_visit(actor=None, person=data.cadre2, date=D(2026, 11, day), topic="补调研", place="p")
    assert rules.evaluate(task, [data.unit_a1], TODAY)[data.unit_a1.pk].done


def test_a_real_project_task_counts_only_unflagged_projects(data, campaign):
    task = campaign.tasks.get(code="T4")
    result = rules.evaluate(task, rules.applicable_orgs(task), TODAY)
    assert {o.code for o in rules.applicable_orgs(task) if result[o.pk].done} == {"XS-A-1"}


def test_a_campaign_file_naming_a_wrong_field_or_value_does_not_load(world):
    bad_field = CAMPAIGN.replace("where = { flagged = false }", 'where = { topic = "x" }')
    with pytest.raises(CampaignFileError, match="没有字段“topic”"):
        load_campaign(bad_field, actor=None)
    bad_value = CAMPAIGN.replace("where = { flagged = false }", 'where = { status = "完成" }')
    with pytest.raises(CampaignFileError, match="“完成”无效"):
        load_campaign(bad_value, actor=None)


def test_a_cadre_who_moves_takes_their_visits_along_for_the_per_cadre_count(data, campaign):
    from tuijin.orgs import actions as org_actions

    org_actions.update_person(data.cadre, actor=None, org=data.branch_a2)
    assert reading("research.visits_per_cadre", data.branch_a2, campaign).pair == Pair(3, 1)
    assert reading("research.visits_per_cadre", data.unit_a1, campaign).pair == Pair(0, 1)
    new = make_person(data.branch_a2, "A2C1", "新书记", is_leading_cadre=True)
    assert reading("research.visits_per_cadre", data.branch_a2, campaign).pair == Pair(3, 2) and new

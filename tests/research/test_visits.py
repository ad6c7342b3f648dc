"""Research visits and 成果转化 (SPEC §2.4): a finding becomes a problem or a measure of the rectification
module, the link is kept, and nothing is converted twice."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_user
from tuijin.core.errors import ActionError
from tuijin.core.models import DomainEvent
from tuijin.orgs import actions as org_actions
from tuijin.rectification import actions as rectification
from tuijin.rectification.models import Measure, Problem
from tuijin.research import actions, queries
from tuijin.research.models import Finding, ResearchVisit

from .conftest import TODAY


def test_a_visit_keeps_its_findings_in_order_and_the_persons_org(world, visit):
    assert visit.org == world.unit_a1 and visit.place == "A县教育局第一党支部"  # visited org's name as place
    assert list(visit.findings.values_list("text", flat=True)) == [
        "课后服务课程单一，家长满意度不高",
        "部分学校缺少专职保育人员",
    ]
    assert DomainEvent.objects.filter(verb="research.create", target_id=str(visit.pk)).exists()


def test_the_visit_stays_with_the_org_where_it_was_recorded_when_the_person_moves(world, visit):
    org_actions.update_person(world.cadre, actor=None, org=world.county_a)
    assert ResearchVisit.objects.get(pk=visit.pk).org == world.unit_a1


def test_blank_and_repeated_findings_are_dropped(world):
    v = actions.record_visit(
        actor=None, person=world.cadre, date=TODAY, topic="调研", place="幸福村", findings=["a", " ", "a", "b"]
    )
    assert list(v.findings.values_list("text", flat=True)) == ["a", "b"]


def test_a_visit_needs_a_topic_and_a_date_not_in_the_future(world):
    with pytest.raises(ActionError, match="调研主题不能为空"):
        actions.record_visit(actor=None, person=world.cadre, date=TODAY, topic=" ", place="x")
    with pytest.raises(ActionError, match="晚于今天"):
        actions.record_visit(
            actor=None, person=world.cadre, date=TODAY + dt.timedelta(days=1), topic="t", place="x", today=TODAY
        )


def test_a_unit_reporter_may_not_record_for_a_cadre_of_another_org(world):
    with pytest.raises(PermissionDenied):
        actions.record_visit(actor=world.branch_reporter, person=world.cadre, date=TODAY, topic="t", place="x")


def test_a_leading_cadre_with_an_account_records_their_own_visit(world):
    own = make_user("cadre_account", "member", person=world.cadre)
    v = actions.record_visit(actor=own, person=world.cadre, date=TODAY, topic="自己的调研", place="幸福村")
    assert v.person == world.cadre
    with pytest.raises(PermissionDenied):
        actions.record_visit(actor=own, person=world.p_a1b[0], date=TODAY, topic="别人的调研", place="x")


def test_the_visited_org_must_be_one_the_actor_sees(world):
    with pytest.raises(ActionError, match="不在您的查看范围内"):
        actions.record_visit(
            actor=world.county_office, person=world.cadre, date=TODAY, topic="t", visited_org=world.branch_b1
        )


def test_a_finding_becomes_a_problem_sourced_from_research_and_the_link_is_kept(world, visit):
    finding = visit.findings.first()
    problem = actions.convert_to_problem(
        finding, actor=world.county_office, found_on=TODAY, category="服务群众", deadline=dt.date(2026, 12, 31)
    )
    assert (problem.org, problem.source, problem.description) == (world.unit_a1, "调研发现", finding.text)
    finding = Finding.objects.get(pk=finding.pk)
    assert finding.converted and finding.converted_problem == problem and finding.converted_on == TODAY
    assert finding.conversion_label == "已转化为问题"
    assert list(problem.research_findings.all()) == [finding]


def test_a_finding_can_go_to_the_visited_orgs_list(world, visit):
    problem = actions.convert_to_problem(
        visit.findings.first(),
        actor=world.county_office,
        found_on=TODAY,
        org=world.branch_a1a,
        description="课后服务课程单一",
    )
    assert problem.org == world.branch_a1a and problem.description == "课后服务课程单一"


def test_a_finding_becomes_a_measure_of_an_open_problem_in_scope(world, visit):
    problem = rectification.create_problem(
        actor=world.county_office, org=world.unit_a1, source="集体查", description="服务群众不够主动", found_on=TODAY
    )
    finding = visit.findings.last()
    measure = actions.convert_to_measure(
        finding, actor=world.county_office, problem=problem, as_of=TODAY, owner="丙书记", deadline=dt.date(2026, 12, 20)
    )
    assert measure.problem == problem and measure.text == finding.text and measure.owner == "丙书记"
    finding = Finding.objects.get(pk=finding.pk)
    assert (finding.converted_measure, finding.converted_problem) == (measure, problem)
    assert finding.conversion_label == "已转化为措施"


def test_the_link_to_the_problem_survives_the_measure_being_dropped(world, visit):
    problem = rectification.create_problem(
        actor=None, org=world.unit_a1, source="集体查", description="d", found_on=TODAY
    )
    finding = visit.findings.first()
    measure = actions.convert_to_measure(finding, actor=None, problem=problem, as_of=TODAY)
    Measure.objects.filter(pk=measure.pk).delete()  # what a problem-list re-import does to an unlisted measure
    finding = Finding.objects.get(pk=finding.pk)
    assert finding.converted and finding.converted_problem == problem and finding.converted_measure is None


def test_a_finding_is_converted_only_once(world, visit):
    finding = visit.findings.first()
    actions.convert_to_problem(finding, actor=world.county_office, found_on=TODAY)
    with pytest.raises(ActionError, match="不能重复转化"):
        actions.convert_to_problem(finding, actor=world.county_office, found_on=TODAY)
    assert Problem.objects.count() == 1


def test_a_problem_out_of_scope_or_closed_cannot_take_the_measure(world, visit):
    other = rectification.create_problem(
        actor=None, org=world.branch_b1, source="集体查", description="d", found_on=TODAY
    )
    with pytest.raises(ActionError, match="不在您的查看范围内"):
        actions.convert_to_measure(visit.findings.first(), actor=world.county_office, problem=other, as_of=TODAY)
    rectification.withdraw_problem(other, actor=None, reason="重复")
    with pytest.raises(ActionError, match="已撤回"):
        actions.convert_to_measure(visit.findings.first(), actor=None, problem=other, as_of=TODAY)
    assert not Finding.objects.get(pk=visit.findings.first().pk).converted


def test_a_member_who_may_not_manage_problems_cannot_convert(world):
    own = make_user("cadre_account", "member", person=world.cadre)
    v = actions.record_visit(actor=own, person=world.cadre, date=TODAY, topic="t", place="x", findings=["f"])
    with pytest.raises(PermissionDenied):
        actions.convert_to_problem(v.findings.get(), actor=own, found_on=TODAY)


def test_an_out_of_scope_actor_cannot_convert(world, visit):
    with pytest.raises(PermissionDenied):
        actions.convert_to_problem(visit.findings.first(), actor=world.guide, found_on=TODAY)


def test_the_list_filters_converted_and_not_converted(world, visit):
    other = actions.record_visit(actor=None, person=world.cadre, date=TODAY, topic="无发现的调研", place="x")
    actions.convert_to_problem(visit.findings.first(), actor=None, found_on=TODAY)

    def ids(converted):
        return {v.pk for v in queries.visit_list(world.county_office, world.county_a, converted=converted)}

    assert ids("") == {visit.pk, other.pk}
    assert ids("1") == {visit.pk} and ids("0") == {visit.pk}  # one finding converted, one not
    actions.convert_to_problem(visit.findings.last(), actor=None, found_on=TODAY)
    assert ids("0") == set()
    row = queries.visit_list(world.county_office, world.county_a).get(pk=visit.pk)
    assert (row.findings_total, row.findings_converted) == (2, 2)


def test_visits_are_seen_in_scope_only(world, visit):
    assert ResearchVisit.objects.visible_to(world.city_office).count() == 1
    assert ResearchVisit.objects.visible_to(world.county_office).count() == 1
    assert ResearchVisit.objects.visible_to(world.branch_reporter).count() == 0  # visit belongs to XS-A-1
    assert ResearchVisit.objects.visible_to(world.guide).count() == 0
    own = make_user("cadre_account", "member", person=world.cadre)
    assert ResearchVisit.objects.visible_to(own).count() == 1
    assert ResearchVisit.objects.visible_to(world.member).count() == 0

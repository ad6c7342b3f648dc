"""A problem goes 待整改 → 整改中 → 待验收 → 已销号 (→ 已反弹), by the rules of SPEC §2.5."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.models import DomainEvent
from tuijin.rectification import actions, queries
from tuijin.rectification.models import Evidence, Problem, State

from .conftest import PDF, PNG, TODAY


def test_a_new_problem_is_open_numbered_and_logged(world, problem):
    assert problem.state == State.OPEN and problem.number == "2026-001"
    assert problem.measures.count() == 2
    assert DomainEvent.objects.filter(verb="problem.create", target_id=str(problem.pk)).exists()


def test_numbers_are_unique_within_an_org_but_not_across_orgs(world, problem):
    with pytest.raises(ActionError, match="已存在"):
        actions.create_problem(
            actor=world.branch_reporter,
            org=world.branch_a1a,
            number="2026-001",
            description="x",
            source="集体查",
            found_on=TODAY,
        )
    other = actions.create_problem(
        actor=world.county_office,
        org=world.branch_a1b,
        number="2026-001",
        description="x",
        source="集体查",
        found_on=TODAY,
    )
    assert other.number == "2026-001"


def test_submitting_needs_evidence(world, problem):
    with pytest.raises(ActionError, match="至少要上传一份支撑材料"):
        actions.submit_for_acceptance(problem, actor=world.branch_reporter)


def test_evidence_moves_the_problem_into_rectification_and_submission_works(world, problem):
    actions.attach_evidence(problem, actor=world.branch_reporter, name="照片.png", data=PNG)
    assert Problem.objects.get(pk=problem.pk).state == State.IN_PROGRESS
    for measure in problem.measures.all():
        actions.set_measure_done(measure, actor=world.branch_reporter, done=True, as_of=TODAY)
    submitted = actions.submit_for_acceptance(problem, actor=world.branch_reporter)
    assert submitted.state == State.SUBMITTED


def test_the_owner_org_can_never_close_its_own_problem(world, submitted):
    with pytest.raises(PermissionDenied):
        actions.close_problem(submitted, actor=world.branch_reporter, as_of=TODAY, change="整改后群众办事不再多跑腿")


def test_an_office_at_the_owner_org_itself_cannot_close_either(world):
    own = actions.create_problem(
        actor=world.county_office, org=world.county_a, description="县委自身的问题", source="本级督", found_on=TODAY
    )
    actions.attach_evidence(own, actor=world.county_office, name="a.pdf", data=PDF)
    actions.submit_for_acceptance(own, actor=world.county_office)
    with pytest.raises(PermissionDenied):
        actions.close_problem(own, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿")
    assert (
        actions.close_problem(own, actor=world.city_office, as_of=TODAY, change="整改后群众办事不再多跑腿").state
        == State.CLOSED
    )


def test_a_higher_office_closes_and_the_date_is_recorded(world, submitted):
    closed = actions.close_problem(
        submitted, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿", comment="整改到位"
    )
    assert closed.state == State.CLOSED and closed.closed_on == TODAY


def test_a_guidance_group_reviews_only_the_orgs_assigned_to_it(world, submitted):
    with pytest.raises(PermissionDenied):
        actions.close_problem(
            submitted, actor=world.guide, as_of=TODAY, change="整改后群众办事不再多跑腿"
        )  # G1 is assigned county B
    b_problem = actions.create_problem(
        actor=world.city_office, org=world.branch_b1, description="B的问题", source="上级查", found_on=TODAY
    )
    actions.attach_evidence(b_problem, actor=world.city_office, name="a.pdf", data=PDF)
    actions.submit_for_acceptance(b_problem, actor=world.city_office)
    assert (
        actions.close_problem(b_problem, actor=world.guide, as_of=TODAY, change="整改后群众办事不再多跑腿").state
        == State.CLOSED
    )


def test_special_rectification_needs_a_plan_document_to_close(world):
    special = actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        description="专项整治问题",
        source="上级交办",
        is_special=True,
        found_on=TODAY,
    )
    actions.attach_evidence(special, actor=world.branch_reporter, name="a.pdf", data=PDF)
    with pytest.raises(ActionError, match="整改方案"):  # issue 16: the plan comes before 整改中 and 待验收 too
        actions.submit_for_acceptance(special, actor=world.branch_reporter)
    Problem.objects.filter(pk=special.pk).update(state=State.SUBMITTED)  # as a problem submitted before that rule
    with pytest.raises(ActionError, match="整改方案"):
        actions.close_problem(special, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿")
    actions.attach_evidence(
        special, actor=world.branch_reporter, name="方案.pdf", data=PDF + b" ", kind=Evidence.Kind.PLAN
    )
    Problem.objects.filter(pk=special.pk).update(state=State.SUBMITTED)
    assert (
        actions.close_problem(special, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿").state
        == State.CLOSED
    )


def test_send_back_needs_a_reason_and_returns_to_rectification(world, submitted):
    with pytest.raises(ActionError, match="原因"):
        actions.send_back(submitted, actor=world.county_office, reason=" ")
    back = actions.send_back(submitted, actor=world.county_office, reason="材料不能证明整改效果")
    assert back.state == State.IN_PROGRESS
    event = DomainEvent.objects.filter(verb="problem.send_back").get()
    assert "材料不能证明整改效果" in event.summary and event.actor == world.county_office


def test_reopening_a_closed_problem_marks_it_relapsed_with_its_reason(world, submitted):
    closed = actions.close_problem(submitted, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿")
    with pytest.raises(ActionError):
        actions.reopen_problem(closed, actor=world.county_office, reason="")
    reopened = actions.reopen_problem(closed, actor=world.city_office, reason="群众反映问题再次出现")
    assert reopened.state == State.RELAPSED and reopened.relapses == 1 and reopened.closed_on is None
    with pytest.raises(PermissionDenied):
        actions.reopen_problem(reopened, actor=world.branch_reporter, reason="x")


def test_withdrawing_keeps_the_problem_in_history(world, problem):
    with pytest.raises(ActionError, match="原因"):
        actions.withdraw_problem(problem, actor=world.branch_reporter, reason="")
    actions.withdraw_problem(problem, actor=world.branch_reporter, reason="与 2026-002 重复")
    assert Problem.objects.filter(pk=problem.pk, withdrawn=True, withdraw_reason="与 2026-002 重复").exists()
    assert not queries.problem_list(world.county_office, world.county_a, as_of=TODAY).filter(pk=problem.pk).exists()
    assert (
        queries.problem_list(world.county_office, world.county_a, as_of=TODAY, include_withdrawn=True)
        .filter(pk=problem.pk)
        .exists()
    )


def test_a_stale_edit_is_refused_and_nothing_is_overwritten(world, problem):
    first_view, second_view = problem.version, problem.version
    actions.update_problem(problem, actor=world.branch_reporter, version=first_view, responsible="甲2")
    with pytest.raises(StaleEdit):
        actions.update_problem(problem, actor=world.county_office, version=second_view, responsible="甲3")
    assert Problem.objects.get(pk=problem.pk).responsible == "甲2"


def test_escalated_problems_belong_to_the_higher_level_and_the_unit_still_sees_them(world, problem):
    with pytest.raises(ActionError):
        actions.escalate(problem, actor=world.branch_reporter, to=world.county_b, reason="x")  # not an ancestor
    moved = actions.escalate(problem, actor=world.branch_reporter, to=world.county_a, reason="需要县里协调经费")
    assert moved.org == world.county_a and moved.origin_org == world.branch_a1a
    assert Problem.objects.visible_to(world.branch_reporter).filter(pk=problem.pk).exists()
    with pytest.raises(PermissionDenied):  # the unit no longer edits it
        actions.update_problem(moved, actor=world.branch_reporter, responsible="x")


def test_handing_down_creates_one_child_per_org_and_the_parent_rolls_them_up(world):
    parent = actions.hand_down(
        actor=world.county_office,
        org=world.county_a,
        targets=[world.branch_a1a, world.branch_a1b, world.branch_a2],
        description="落实“第一议题”制度不到位",
        deadline=dt.date(2026, 12, 31),
        found_on=TODAY,
    )
    children = list(parent.children.all())
    assert len(children) == 3 and {c.source for c in children} == {"上级交办"}
    child = children[0]
    actions.attach_evidence(child, actor=None, name="a.pdf", data=PDF)
    actions.submit_for_acceptance(child, actor=None)
    actions.close_problem(child, actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿")
    progress = queries.children_progress(parent)
    assert progress["total"] == 3 and progress["closed"] == 1


def test_handing_down_outside_the_office_subtree_is_refused(world):
    with pytest.raises((ActionError, PermissionDenied)):
        actions.hand_down(
            actor=world.county_office,
            org=world.county_a,
            targets=[world.branch_b1],
            description="x",
            deadline=None,
            found_on=TODAY,
        )


def test_institution_rules_link_the_problems_they_close_off(world, problem):
    rule = actions.create_institution_rule(
        actor=world.branch_reporter, org=world.branch_a1a, title="支部理论学习制度", issued_on=TODAY, problems=[problem]
    )
    assert list(problem.institution_rules.all()) == [rule]


def test_overdue_means_past_deadline_and_not_closed(world, problem):
    assert not problem.is_overdue(dt.date(2026, 12, 20))
    assert problem.is_overdue(dt.date(2026, 12, 21))
    assert Problem.objects.overdue(dt.date(2026, 12, 21)).filter(pk=problem.pk).exists()


def test_a_hand_down_parent_is_rectified_through_its_children_only(world):
    parent = actions.hand_down(
        actor=world.city_office,
        org=world.city,
        targets=[world.county_a, world.county_b],
        description="同题共答",
        deadline=None,
        found_on=TODAY,
    )
    assert parent.is_hand_down
    with pytest.raises(ActionError, match="交办事项由各单位分别整改"):
        actions.submit_for_acceptance(parent, actor=world.city_office)
    from tuijin.core.indicators import get

    found = get("problems.found").compute([world.city, world.county_a], TODAY, None)
    assert found[world.county_a.pk].num == 1 and world.city.pk not in found  # the parent is not counted again

"""Issue 11: a problem cannot go to 待验收 or 已销号 while a measure is open. The rule is a guard in
transitions.py, so actions, pages and the API refuse alike; a reviewer may set a measure aside
(不再需要) with a reason kept in the history; an import that leaves a problem 待验收 records its
measures as done."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.imports.test_org_import import office_sheet
from tuijin.core.errors import ActionError
from tuijin.core.models import DomainEvent
from tuijin.imports.registry import run_import
from tuijin.orgs.actions import issue_api_token
from tuijin.rectification import actions
from tuijin.rectification.models import Measure, Problem, State

from .conftest import PDF, TODAY

OPEN_MEASURES = "还有 2 项整改措施未完成（共 2 项，已完成或不再需要 0 项）"


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


@pytest.fixture
def county_problem(world):
    """The issue's scenario: the county office creates a problem for a branch below it, with 2 measures."""
    problem = actions.create_problem(
        actor=world.county_office,
        org=world.branch_a1a,
        description="会议记录不规范",
        source="上级查",
        found_on=dt.date(2026, 11, 1),
        deadline=dt.date(2026, 12, 20),
        measures=[
            {"text": "规范会议记录格式", "owner": "甲1", "deadline": dt.date(2026, 12, 1)},
            {"text": "每月检查一次记录", "owner": "甲2", "deadline": dt.date(2026, 12, 10)},
        ],
    )
    actions.attach_evidence(problem, actor=world.county_office, name="记录.pdf", data=PDF)
    return problem


def fresh(problem):
    return Problem.objects.get(pk=problem.pk)


def test_submitting_or_closing_with_0_of_2_measures_done_is_refused(world, county_problem):
    with pytest.raises(ActionError) as refused:
        actions.submit_for_acceptance(county_problem, actor=world.county_office)
    assert refused.value.message.startswith(OPEN_MEASURES) and refused.value.field == "measures"
    assert "规范会议记录格式" in refused.value.message
    assert fresh(county_problem).state == State.IN_PROGRESS

    # Even if it were 待验收 (as stored before this rule), the office cannot close it.
    Problem.objects.filter(pk=county_problem.pk).update(state=State.SUBMITTED)
    with pytest.raises(ActionError) as refused:
        actions.close_problem(
            fresh(county_problem), actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿"
        )
    assert refused.value.message.startswith(OPEN_MEASURES)
    assert fresh(county_problem).state == State.SUBMITTED

    Problem.objects.filter(pk=county_problem.pk).update(state=State.IN_PROGRESS)
    first, second = county_problem.measures.all()
    actions.set_measure_done(first, actor=world.county_office, done=True, as_of=TODAY)
    with pytest.raises(ActionError) as refused:  # 1 of 2 is not enough either
        actions.submit_for_acceptance(fresh(county_problem), actor=world.county_office)
    assert refused.value.message.startswith(
        "还有 1 项整改措施未完成（共 2 项，已完成或不再需要 1 项）：“每月检查一次记录”"
    )
    actions.set_measure_done(second, actor=world.county_office, done=True, as_of=TODAY)
    actions.submit_for_acceptance(fresh(county_problem), actor=world.county_office)
    closed = actions.close_problem(
        fresh(county_problem), actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿"
    )
    assert closed.state == State.CLOSED
    # Once closed (or submitted), its measures are what was accepted: they cannot be undone or added to.
    with pytest.raises(ActionError, match="已销号"):
        actions.set_measure_done(first, actor=world.county_office, done=False, as_of=TODAY)
    with pytest.raises(ActionError, match="已销号"):
        actions.add_measure(fresh(county_problem), actor=world.county_office, text="再加一条")


def test_a_problem_without_measures_still_needs_only_its_evidence(world, problem):
    bare = actions.create_problem(
        actor=world.branch_reporter, org=world.branch_a1a, description="无措施的问题", source="集体查", found_on=TODAY
    )
    actions.attach_evidence(bare, actor=world.branch_reporter, name="a.pdf", data=PDF)
    assert actions.submit_for_acceptance(bare, actor=world.branch_reporter).state == State.SUBMITTED


def test_a_reviewer_sets_a_measure_aside_with_a_reason_kept_in_the_history(world, county_problem):
    first, second = county_problem.measures.all()
    actions.set_measure_done(first, actor=world.branch_reporter, done=True, as_of=TODAY)
    with pytest.raises(PermissionDenied):  # the owner cannot excuse itself
        actions.set_measure_aside(second, actor=world.branch_reporter, reason="不需要了", as_of=TODAY)
    with pytest.raises(ActionError, match="写明原因"):
        actions.set_measure_aside(second, actor=world.county_office, reason="  ", as_of=TODAY)
    with pytest.raises(ActionError, match="已完成"):
        actions.set_measure_aside(first, actor=world.county_office, reason="重复", as_of=TODAY)
    actions.set_measure_aside(second, actor=world.county_office, reason="已并入全县统一检查", as_of=TODAY)

    stored = Measure.objects.get(pk=second.pk)
    assert (stored.set_aside, stored.set_aside_reason, stored.done, stored.status) == (
        True,
        "已并入全县统一检查",
        False,
        "不再需要",
    )
    event = DomainEvent.objects.get(verb="measure.set_aside")
    assert event.actor == world.county_office and "已并入全县统一检查" in event.summary
    assert stored.history.first().set_aside_reason == "已并入全县统一检查"

    assert actions.submit_for_acceptance(fresh(county_problem), actor=world.branch_reporter).state == State.SUBMITTED
    assert (
        actions.close_problem(
            fresh(county_problem), actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿"
        ).state
        == State.CLOSED
    )


def test_the_page_and_the_api_refuse_with_the_same_message(world, county_problem):
    client = Client()
    client.force_login(world.county_office)
    response = client.post(f"/problems/item/{county_problem.pk}/submit/", follow=True)
    assert OPEN_MEASURES in response.content.decode()
    assert fresh(county_problem).state == State.IN_PROGRESS

    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=world.county_office)}"}

    def post(url, data):
        return client.post(
            f"/api/v1/problems/{county_problem.pk}{url}", json.dumps(data), content_type="application/json", **auth
        )

    refused = post("/transitions", {"action": "submit"})
    assert refused.status_code == 422 and refused.json()["detail"].startswith(OPEN_MEASURES)
    first, second = county_problem.measures.all()
    assert post("/measures/done", {"measure": first.pk}).json()["status"] == "已完成"
    aside = post("/measures/set-aside", {"measure": second.pk, "reason": "与第一条重复"})
    assert aside.status_code == 200 and aside.json()["set_aside_reason"] == "与第一条重复"
    assert post("/transitions", {"action": "submit"}).json()["state"] == "待验收"
    assert post("/measures/done", {"measure": first.pk, "done": False}).status_code == 422


def test_the_set_aside_form_is_on_the_page_for_a_reviewer_only(world, county_problem):
    client = Client()
    client.force_login(world.county_office)
    assert "标记为不再需要" in client.get(f"/problems/item/{county_problem.pk}/").content.decode()
    second = county_problem.measures.all()[1]
    client.post(f"/problems/item/{county_problem.pk}/measure-aside/", {"measure": second.pk, "reason": "不适用"})
    assert Measure.objects.get(pk=second.pk).set_aside
    page = client.get(f"/problems/item/{county_problem.pk}/").content.decode()
    assert "不再需要（不适用）" in page
    client.force_login(world.branch_reporter)
    assert "标记为不再需要" not in client.get(f"/problems/item/{county_problem.pk}/").content.decode()


def test_an_imported_row_left_pending_acceptance_has_its_measures_recorded_as_done(world, tmp_path, county_problem):
    header = ["组织编码", "问题编号", "问题描述", "整改措施", "整改状态"]
    row = [
        "XS-A-1-1",
        county_problem.number,
        "会议记录不规范",
        "规范会议记录格式；每月检查一次记录；新增的第三条措施",
        "待验收",
    ]
    run_import("problems", office_sheet(tmp_path / "p.xlsx", header, [row]), actor=world.branch_reporter)
    assert fresh(county_problem).state == State.SUBMITTED
    measures = list(fresh(county_problem).measures.all())
    assert [(m.text, m.done, m.done_on) for m in measures] == [
        ("规范会议记录格式", True, TODAY),
        ("每月检查一次记录", True, TODAY),
        ("新增的第三条措施", True, TODAY),
    ]


def test_an_import_without_a_measures_column_still_settles_the_measures(world, tmp_path, county_problem):
    other = actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        description="另一个问题",
        source="集体查",
        found_on=TODAY,
        measures=[{"text": "未完成的措施"}],
    )
    header = ["组织编码", "问题编号", "问题描述", "整改状态"]
    rows = [
        ["XS-A-1-1", county_problem.number, "会议记录不规范", "待验收"],
        ["XS-A-1-1", other.number, "另一个问题", "整改中"],
    ]
    run_import("problems", office_sheet(tmp_path / "p.xlsx", header, rows), actor=world.branch_reporter)
    assert all(m.done for m in fresh(county_problem).measures.all())
    # The look-alike left 整改中 keeps its open measure.
    assert [m.done for m in fresh(other).measures.all()] == [False]


def test_the_public_page_shows_a_closed_problems_measures_as_done_or_set_aside(world, county_problem):
    first, second = county_problem.measures.all()
    actions.set_measure_done(first, actor=world.branch_reporter, done=True, as_of=TODAY)
    actions.set_measure_aside(second, actor=world.county_office, reason="不适用", as_of=TODAY)
    actions.submit_for_acceptance(fresh(county_problem), actor=world.branch_reporter)
    actions.close_problem(
        fresh(county_problem), actor=world.county_office, as_of=TODAY, change="整改后群众办事不再多跑腿"
    )
    item = actions.publish(fresh(county_problem), actor=world.county_office, summary="已规范")
    page = Client().get(f"/p/{item.token}/").content.decode()
    assert "（已完成）" in page and "（不再需要）" in page and "推进中" not in page

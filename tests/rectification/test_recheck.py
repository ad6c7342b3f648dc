"""回头看 (issue 16): closing a problem schedules its re-check (the campaign file's recheck_days, 60 by
default) by the reviewing level, who confirms it or reopens it; overdue re-checks show in the
reviewer's home queue and as an indicator. Dates are fixed; nothing depends on the clock."""

import datetime as dt
import json
import textwrap

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import login_as
from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.loader import CampaignFileError, parse
from tuijin.core.errors import ActionError
from tuijin.core.models import DomainEvent as Event
from tuijin.core.indicators import Pair, get
from tuijin.rectification import actions
from tuijin.rectification.models import Problem, Recheck, State

from .conftest import PDF, TODAY

CLOSED_ON = dt.date(2026, 9, 20)


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


def campaign_file(extra=""):
    return textwrap.dedent("""
        [campaign]
        name = "主题教育"
        start = 2026-09-01
        end = 2027-01-31
        root = "XS"
    """) + textwrap.dedent(extra)


def close(world, org, closed_on=CLOSED_ON, description="窗口服务推诿"):
    actor = world.county_office
    p = actions.create_problem(
        actor=actor,
        org=org,
        description=description,
        source="集体查",
        found_on=dt.date(2026, 9, 5),
        measures=[{"text": "当天答复", "owner": "办公室"}],
    )
    actions.attach_evidence(p, actor=actor, name="记录.pdf", data=PDF)
    for m in p.measures.all():
        actions.set_measure_done(m, actor=actor, done=True, as_of=closed_on)
    actions.submit_for_acceptance(p, actor=actor)
    return actions.close_problem(p, actor=actor, as_of=closed_on, change="办件时间由5天缩短到2天")


def test_the_campaign_file_sets_the_interval_and_the_loader_checks_it(world):
    assert parse(campaign_file()).campaign["recheck_days"] == 60
    assert parse(campaign_file("[rectification]\nrecheck_days = 45\n")).campaign["recheck_days"] == 45
    for bad in ("recheck_days = 0", 'recheck_days = "60天"', "recheck_days = 400", "recheck_day = 60"):
        with pytest.raises(CampaignFileError) as refused:
            parse(campaign_file(f"[rectification]\n{bad}\n"))
        assert "[rectification]" in str(refused.value.errors)


def test_closing_schedules_a_recheck_60_days_on_by_default_or_as_the_campaign_says(world):
    p = close(world, world.branch_a1a)
    assert list(p.rechecks.values_list("scheduled_on", "due_on", "result")) == [
        (CLOSED_ON, dt.date(2026, 11, 19), "待回头看")
    ]
    load_campaign(campaign_file("[rectification]\nrecheck_days = 30\n"), actor=None)
    q = close(world, world.branch_a1b)
    assert q.rechecks.get().due_on == dt.date(2026, 10, 20)
    assert "2026-10-20前回头看" in Event.objects.filter(verb="problem.close").order_by("-pk").first().summary


def test_the_reviewer_confirms_or_reopens_and_the_owner_cannot(world):
    p = close(world, world.branch_a1a)
    with pytest.raises(PermissionDenied):
        actions.recheck_problem(p, actor=world.branch_reporter, as_of=TODAY, confirm=True)
    with pytest.raises(ActionError) as refused:
        actions.recheck_problem(p, actor=world.county_office, as_of=TODAY, confirm=False)
    assert refused.value.field == "note"
    done = actions.recheck_problem(p, actor=world.county_office, as_of=TODAY, confirm=True, note="回访3户，未反弹")
    assert (done.result, done.done_on, done.done_by) == ("已确认", TODAY, world.county_office)
    assert Problem.objects.get(pk=p.pk).state == State.CLOSED
    assert "回头看：整改成果巩固，未反弹（超过时限8天）" in Event.objects.filter(verb="problem.recheck").get().summary
    with pytest.raises(ActionError):  # nothing left to re-check
        actions.recheck_problem(p, actor=world.county_office, as_of=TODAY, confirm=True)


def test_a_recheck_that_finds_a_relapse_reopens_and_the_next_closing_schedules_another(world):
    p = close(world, world.branch_a1a)
    actions.recheck_problem(
        p, actor=world.city_office, as_of=dt.date(2026, 11, 10), confirm=False, note="窗口又出现推诿"
    )
    p = Problem.objects.get(pk=p.pk)
    assert (p.state, p.relapses, p.closed_on) == (State.RELAPSED, 1, None)
    assert p.rechecks.get().result == "已重新打开"
    actions.submit_for_acceptance(p, actor=world.county_office)
    actions.close_problem(p, actor=world.county_office, as_of=dt.date(2026, 11, 20), change="办件时间由5天缩短到2天")
    assert list(p.rechecks.values_list("result", "due_on")) == [
        ("已重新打开", dt.date(2026, 11, 19)),
        ("待回头看", dt.date(2027, 1, 19)),
    ]


def test_a_direct_reopen_settles_the_pending_recheck(world):
    p = close(world, world.branch_a1a)
    actions.reopen_problem(p, actor=world.county_office, reason="群众反映问题又出现")
    assert p.rechecks.get().result == "已重新打开"


def test_the_indicator_counts_rechecks_past_due_and_not_done_as_of_the_day(world):
    p = close(world, world.branch_a1a)  # due 2026-11-19
    close(world, world.branch_a1b, closed_on=dt.date(2026, 11, 1), description="台账不全")  # due 2026-12-31
    ind = get("problems.recheck_overdue")
    orgs = [world.branch_a1a, world.branch_a1b]
    assert ind.compute(orgs, dt.date(2026, 11, 19), None) == {}  # due today: not late yet
    assert ind.compute(orgs, dt.date(2026, 11, 20), None) == {world.branch_a1a.pk: Pair(1)}
    actions.recheck_problem(p, actor=world.county_office, as_of=dt.date(2026, 11, 25), confirm=True)
    assert ind.compute(orgs, dt.date(2026, 11, 24), None) == {world.branch_a1a.pk: Pair(1)}  # was late that day
    assert ind.compute(orgs, dt.date(2026, 11, 26), None) == {}
    assert ind.meaning == "zero"


def test_overdue_rechecks_show_in_the_reviewers_home_queue_not_the_units(world):
    close(world, world.branch_a1a)  # due 2026-11-19, late on 11-27
    close(world, world.branch_a1b, closed_on=dt.date(2026, 10, 1), description="台账不全")  # due 11-30: soon
    client = Client()
    login_as(client, world.county_office)
    page = client.get("/").content.decode()
    assert "中共A县委：已销号问题待回头看" in page and "逾期 1 个" in page and ">2 个<" in page
    listed = client.get("/problems/XS-A/?recheck=overdue")
    assert [p.description for p in listed.context["page"]] == ["窗口服务推诿"]
    assert len(client.get("/problems/XS-A/?recheck=due").context["page"]) == 2
    unit = Client()
    login_as(unit, world.branch_reporter)
    assert "待回头看" not in unit.get("/").content.decode()


def test_the_page_and_the_api_recheck_through_the_action(world):
    from tuijin.orgs.actions import issue_api_token

    p = close(world, world.branch_a1a)
    client = Client()
    login_as(client, world.county_office)
    page = client.get(f"/problems/item/{p.pk}/").content.decode()
    assert "回头看逾期" in page and "recheck-confirm" in page
    assert client.post(f"/problems/item/{p.pk}/recheck-reopen/", {"reason": "又出现推诿"}).status_code == 302
    assert Problem.objects.get(pk=p.pk).state == State.RELAPSED
    q = close(world, world.branch_a1b, description="台账不全")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=world.city_office)}"}
    r = client.post(
        f"/api/v1/problems/{q.pk}/recheck", json.dumps({"confirm": True}), content_type="application/json", **auth
    )
    assert r.status_code == 200 and r.json()["rechecks"][0]["result"] == "已确认"
    owner = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=world.branch_reporter)}"}
    assert (
        client.post(
            f"/api/v1/problems/{p.pk}/recheck", json.dumps({"confirm": True}), content_type="application/json", **owner
        ).status_code
        == 403
    )
    assert Recheck.objects.filter(result="待回头看").count() == 0

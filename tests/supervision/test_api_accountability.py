"""问责 and escalation decisions over the REST API: listed per org subtree (paginated), created through
the actions, seen by the office and the assigned guidance group and never by the unit or its members."""

import datetime as dt

import pytest

from tuijin.core.models import DomainEvent
from tuijin.orgs.actions import issue_api_token
from tuijin.supervision import actions
from tuijin.supervision.models import Accountability, EscalationDecision

from .conftest import AS_OF, add_problems

API = "/api/v1/supervision"


@pytest.fixture
def call(client):
    def send(user, method, url, body=None):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=user)}"}
        if method == "get":
            return client.get(url, **headers)
        return client.post(url, body or {}, content_type="application/json", **headers)

    return send


def _record(org, actor, whom, on=AS_OF):
    return actions.record_accountability(
        org, actor=actor, on=on, whom=whom, measure="诫勉谈话", reason="整改不到位", decided_by="县纪委"
    )


def test_accountability_is_listed_per_subtree_for_those_who_supervise_and_404_for_the_unit(world, call):
    _record(world.branch_b1, world.guide, "B1书记")
    _record(world.branch_a1a, world.county_office, "A11书记")
    _record(world.unit_a1, world.county_office, "A1书记")

    def whoms(user, code):
        r = call(user, "get", f"{API}/accountability?org={code}")
        assert r.status_code == 200, r.content
        return {x["whom"] for x in r.json()["items"]}

    assert whoms(world.city_office, "XS") == {"B1书记", "A11书记", "A1书记"}
    assert whoms(world.city_office, "XS-A-1") == {"A11书记", "A1书记"}
    assert whoms(world.county_office, "XS-A") == {"A11书记", "A1书记"}  # its own org's office: what is below
    assert whoms(world.guide, "XS-B") == {"B1书记"}
    # the unit itself, a member, an unassigned group: 404 — not an empty list
    assert call(world.branch_reporter, "get", f"{API}/accountability?org=XS-A-1-1").status_code == 404
    assert call(world.member, "get", f"{API}/accountability?org=XS-A-1-1").status_code == 404
    assert call(world.guide, "get", f"{API}/accountability?org=XS-A").status_code == 404
    assert call(world.county_office, "get", f"{API}/accountability?org=XS-B").status_code == 404


def test_accountability_list_is_paginated(world, call):
    for i in range(3):
        _record(world.branch_b1, world.guide, f"对象{i}", on=AS_OF - dt.timedelta(days=i))
    r = call(world.guide, "get", f"{API}/accountability?org=XS-B&page=2&page_size=2")
    assert r.status_code == 200 and r.json()["count"] == 3
    assert [x["whom"] for x in r.json()["items"]] == ["对象2"]  # newest first; the third is on page 2


def test_accountability_is_created_through_the_action_with_its_links(world, call, campaign):
    add_problems(world.branch_b1, 4)  # lags: a letter can be drafted
    letter = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF),
        actor=world.guide,
        on=AS_OF,
        feedback_due=dt.date(2026, 12, 4),
    )
    body = {
        "org": "XS-B-1",
        "on": "2026-12-10",
        "whom": "支部书记",
        "measure": "通报批评",
        "reason": "逾期未反馈",
        "decided_by": "县纪委",
        "letters": [letter.pk],
    }
    r = call(world.guide, "post", f"{API}/accountability", body)
    assert r.status_code == 201, r.content
    assert r.json()["whom"] == "支部书记" and r.json()["letters"] == [letter.number]
    assert DomainEvent.objects.filter(verb="accountability.create").count() == 1
    # refused: the unit (in scope, not its supervisor) 403; a group for an unassigned org 404; a blank field 422
    assert call(world.branch_reporter, "post", f"{API}/accountability", body | {"org": "XS-A-1-1"}).status_code == 403
    assert call(world.guide, "post", f"{API}/accountability", body | {"org": "XS-A-1-1"}).status_code == 404
    blank = call(world.guide, "post", f"{API}/accountability", body | {"whom": " "})
    assert blank.status_code == 422 and blank.json()["field"] == "whom"
    assert Accountability.objects.count() == 1


def test_escalation_decisions_are_recorded_with_the_suggestion_and_listed(world, call, campaign):
    r = call(
        world.guide, "post", f"{API}/escalation-decisions", {"org": "XS-B-1", "decided": "提醒", "note": "电话提醒"}
    )
    assert r.status_code == 201, r.content
    d = r.json()
    assert (
        (d["decided"], d["decided_by"], d["note"]) == ("提醒", "guide", "电话提醒") and d["suggested"] and d["reasons"]
    )
    assert (
        call(world.guide, "post", f"{API}/escalation-decisions", {"org": "XS-B-1", "decided": "记过"}).status_code
        == 422
    )
    assert (
        call(
            world.branch_reporter, "post", f"{API}/escalation-decisions", {"org": "XS-A-1-1", "decided": "提醒"}
        ).status_code
        == 403
    )
    listed = call(world.city_office, "get", f"{API}/escalation-decisions?org=XS-B")
    assert [x["decided"] for x in listed.json()["items"]] == ["提醒"]
    assert call(world.branch_reporter, "get", f"{API}/escalation-decisions?org=XS-A-1-1").status_code == 404
    assert call(world.guide, "get", f"{API}/escalation-decisions?org=XS-A").status_code == 404
    assert EscalationDecision.objects.count() == 1

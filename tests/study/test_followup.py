"""跟进学习（第一议题）: an item added during the campaign with its own window (issue 16).

Campaign 2026-09-01..12-09, as_of 2026-11-09 (tests/study/conftest.py). Two items are added:
- G1 opens 10-20, due 11-02 (past): A1a's three members studied it at a session on 10-25 (on time: the
  look-alike, never blamed); A1's cadre self-studied on 10-30 (on time); A1b's A1B1 studied it only on
  11-05 (after the deadline) and A1B2 never; B1's member never. Late: A1b (2 of 2) and B1 (1 of 1).
- G2 opens 11-05, due 11-18 (open: 5 of 14 days passed, expected 35.7%): only A1a studied it so far.
"""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import login_as
from tests.study.conftest import AS_OF
from tuijin.campaigns.actions import add_followup_item
from tuijin.core.errors import ActionError
from tuijin.core.events import DomainEvent
from tuijin.core.indicators import get
from tuijin.orgs.models import Org
from tuijin.study import actions, queries

D = dt.date


@pytest.fixture
def followup(world, campaign, ch):
    w = world
    w.g1 = add_followup_item(
        campaign,
        actor=w.city_office,
        code="G1",
        title="在某座谈会上的重要讲话",
        opens_on=D(2026, 10, 20),
        due_on=D(2026, 11, 2),
    )
    w.g2 = add_followup_item(
        campaign,
        actor=w.city_office,
        code="G2",
        title="在某考察时的重要讲话",
        opens_on=D(2026, 11, 5),
        due_on=D(2026, 11, 18),
    )
    g1, g2 = w.g1.chapters.get(), w.g2.chapters.get()
    actions.record_session(
        actor=w.branch_reporter,
        org=w.branch_a1a,
        date=D(2026, 10, 25),
        form="支部学习",
        topic="第一议题：学习重要讲话",
        chapters=[g1],
        attendees=w.p_a1a,
    )
    actions.record_session(
        actor=w.branch_reporter,
        org=w.branch_a1a,
        date=D(2026, 11, 6),
        form="支部学习",
        topic="第一议题：学习考察讲话",
        chapters=[g2],
        attendees=w.p_a1a,
    )
    actions.log_self_study(actor=w.county_office, person=w.cadre, date=D(2026, 10, 30), chapter=g1)
    actions.log_self_study(actor=w.county_office, person=w.p_a1b[0], date=D(2026, 11, 5), chapter=g1)
    return w


def test_the_office_adds_an_item_with_its_own_window_and_it_is_audited(world, campaign):
    item = add_followup_item(
        campaign, actor=world.city_office, code="G9", title="重要讲话", opens_on=D(2026, 11, 9), due_on=D(2026, 11, 22)
    )
    assert (item.opens_on, item.due_on, item.is_followup) == (D(2026, 11, 9), D(2026, 11, 22), True)
    assert [c.code for c in item.chapters.all()] == ["G9-01"]
    event = DomainEvent.objects.filter(verb="reading.followup.create").get()
    assert "2026-11-09 至 2026-11-22" in event.summary


@pytest.mark.parametrize(
    "opens,due,field",
    [
        (D(2026, 11, 9), D(2026, 11, 1), "due_on"),  # ends before it opens
        (D(2026, 8, 1), D(2026, 8, 14), "opens_on"),  # before the campaign
        (D(2026, 12, 1), D(2026, 12, 20), "due_on"),  # after the campaign's end
    ],
)
def test_a_window_that_does_not_fit_is_refused_naming_the_field(world, campaign, opens, due, field):
    with pytest.raises(ActionError) as exc:
        add_followup_item(campaign, actor=world.city_office, code="G9", title="重要讲话", opens_on=opens, due_on=due)
    assert exc.value.field == field


def test_only_the_campaign_office_adds_items(world, campaign):
    with pytest.raises(PermissionDenied):
        add_followup_item(
            campaign,
            actor=world.county_office,
            code="G9",
            title="重要讲话",
            opens_on=D(2026, 11, 9),
            due_on=D(2026, 11, 22),
        )


def test_a_followup_item_is_judged_against_its_own_window(followup):
    w = followup
    rows = {r.org.code: r for r in queries.followup_orgs(w.city, w.g1, AS_OF)}
    assert {k: (r.members, r.studied, r.late) for k, r in rows.items()} == {
        "XS-A-1": (1, 1, False),
        "XS-A-1-1": (3, 3, False),
        "XS-A-1-2": (2, 0, True),
        "XS-B-1": (1, 0, True),
    }
    # G2 is open: 5 of its 14 days have passed, whatever the campaign's 70% time progress
    g2 = queries.subtree_followup(w.unit_a1, w.g2, AS_OF)
    assert round(g2.expected, 4) == round(5 / 14, 4) and (g2.members, g2.studied, g2.late) == (6, 3, False)
    assert g2.status(0.10, 0.25) == "正常"  # 50% studied against 35.7% of the window
    b1 = queries.subtree_followup(w.branch_b1, w.g2, AS_OF)
    assert b1.status(0.10, 0.25) == "严重滞后" and not b1.late  # behind its window, but not late yet


def test_the_late_indicator_counts_only_items_past_their_deadline(followup):
    w = followup
    orgs = list(Org.objects.all())
    pairs = get("study.followup_late").compute(orgs, AS_OF, w.g1.campaign)
    assert {Org.objects.get(pk=k).code: (p.num, p.den) for k, p in pairs.items()} == {
        "XS-A-1": (0, 1),
        "XS-A-1-1": (0, 3),
        "XS-A-1-2": (2, 2),
        "XS-B-1": (1, 1),
    }
    # the day before G1's deadline nothing is late yet (A1b's and B1's members still have a day)
    before = get("study.followup_late").compute(orgs, D(2026, 11, 2), w.g1.campaign)
    assert sum(p.num for p in before.values()) == 0


def test_the_campaign_reading_coverage_leaves_followup_items_out(followup):
    # A1a: 3 members × 5 chapters of the campaign's list; G1/G2 sessions do not enter it
    assert (
        queries.study_by_org([followup.branch_a1a.pk], followup.g1.campaign, AS_OF)[followup.branch_a1a.pk].chapters
        == 5
    )


def test_the_briefing_names_the_units_late_on_the_item_and_never_the_one_on_time(followup):
    from tuijin.evaluation.findings import findings

    w = followup
    late = [f for f in findings(w.city, AS_OF) if f.detector == "followup_late"]
    texts = [f.text for f in late]
    assert any("A县教育局第二党支部" in t or "A县教育局党委" in t for t in texts), texts
    assert any(t.startswith("B县第一党支部：") for t in texts), texts
    assert all("第一党支部：" not in t or t.startswith("B县") for t in texts)  # A1a studied on time
    b1 = next(f for f in late if f.subject.code == "XS-B-1")
    assert b1.clause == "《在某座谈会上的重要讲话》（11月2日截止）应学1人次，截止日前未学完1人次（100.0%）"


def test_the_page_adds_an_item_and_lists_late_units(client, followup):
    w = followup
    login_as(client, w.city_office)
    page = client.get("/study/XS/followup/").content.decode()
    assert "在某座谈会上的重要讲话" in page and "A县教育局第二党支部" in page and "B县第一党支部" in page
    assert "A县教育局第一党支部" not in page.split("在某考察时的重要讲话")[0].split("在某座谈会上的重要讲话")[1]
    response = client.post(
        "/study/XS/followup/",
        {"code": "G3", "title": "在某大会上的重要讲话", "opens_on": "2026-11-09", "due_on": "2026-11-22"},
    )
    assert response.status_code == 302
    assert w.g1.campaign.reading.get(code="G3").due_on == D(2026, 11, 22)
    bad = client.post(
        "/study/XS/followup/", {"code": "G4", "title": "讲话", "opens_on": "2026-11-09", "due_on": "2026-11-01"}
    )
    assert "早于开始日期" in bad.content.decode()


def test_a_county_office_sees_the_page_but_cannot_add(client, followup):
    login_as(client, followup.county_office)
    assert client.get("/study/XS-A/followup/").status_code == 200
    assert (
        client.post(
            "/study/XS-A/followup/", {"code": "G3", "title": "讲话", "opens_on": "2026-11-09", "due_on": "2026-11-22"}
        ).status_code
        == 403
    )


def test_units_and_members_see_open_items_on_their_home_page(client, followup):
    w = followup
    login_as(client, w.branch_reporter)
    home = client.get("/").content.decode()
    assert "跟进学习：在某考察时的重要讲话" in home and "11月18日前学完" in home
    assert "在某座谈会上的重要讲话" not in home  # past its deadline: no longer on the queue
    client.logout()
    w.member.person = w.p_b1[0]  # a member who has not studied G2 yet sees a one-tap button for it
    w.member.save()
    login_as(client, w.member)
    assert "今天学了：在某考察时的重要讲话" in client.get("/").content.decode()


def test_the_api_lists_items_with_late_units_and_adds_one(client, followup):
    from tests.study.test_pages_and_api import api

    w = followup
    items = {i["code"]: i for i in api(client, w.city_office, "get", "/api/v1/study/followup?org=XS").json()}
    assert items["G1"]["overdue"] and items["G1"]["expected"] == 1.0
    assert sorted(o["org_code"] for o in items["G1"]["behind"]) == ["XS-A-1-2", "XS-B-1"]
    assert not items["G2"]["overdue"] and items["G2"]["expected"] == round(5 / 14, 4)
    response = api(
        client,
        w.city_office,
        "post",
        "/api/v1/study/followup",
        {"org_code": "XS", "code": "G3", "title": "讲话", "opens_on": "2026-11-09", "due_on": "2026-11-22"},
    )
    assert response.status_code == 201 and response.json()["chapter_code"] == "G3-01"
    refused = api(
        client,
        w.city_office,
        "post",
        "/api/v1/study/followup",
        {"org_code": "XS", "code": "G4", "title": "讲话", "opens_on": "2026-11-09", "due_on": "2026-12-30"},
    )
    assert refused.status_code == 422

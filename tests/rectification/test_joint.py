"""联合会诊、同题共答 (issue 16): one problem, a lead org and cooperating orgs, each with its own measures;
visible to all of them (not the lead org's files or other problems), counted once, 404 to anyone else."""

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from tests.conftest import login_as, make_user
from tuijin.core.indicators import Pair, get
from tuijin.orgs.actions import issue_api_token
from tuijin.rectification import actions
from tuijin.rectification.models import Problem

from .conftest import PDF, TODAY


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


@pytest.fixture
def joint(world):
    """A1a leads (branch_reporter), A2 cooperates (a2_reporter); B1 (b1_reporter) is not involved."""
    world.a2_reporter = make_user("a2_reporter", "unit", org=world.branch_a2)
    world.b1_reporter = make_user("b1_reporter", "unit", org=world.branch_b1)
    p = actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        source="群众评",
        category="服务群众",
        description="学校门口道路上下学时段拥堵",
        found_on=dt.date(2026, 10, 10),
        measures=[{"text": "由学校安排教师上下学时段值守", "owner": "甲1", "deadline": TODAY}],
    )
    actions.attach_evidence(p, actor=world.branch_reporter, name="值守排班.pdf", data=PDF)
    with pytest.raises(PermissionDenied):  # the lead branch cannot pull in an org it does not manage
        actions.add_cooperation(p, actor=world.branch_reporter, orgs=[world.branch_a2], as_of=TODAY)
    actions.add_cooperation(p, actor=world.county_office, orgs=[world.branch_a2], as_of=TODAY)
    world.other = actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        source="集体查",
        description="A1a 自己的另一个问题",
        found_on=TODAY,
    )
    return p


def api(user):
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=user)}"}
    return client, auth


def test_a_cooperating_org_sees_the_problem_and_adds_and_marks_its_own_measures(world, joint):
    m = actions.add_measure(
        joint, actor=world.a2_reporter, text="由村委会组织志愿者疏导交通", owner="村主任", deadline=TODAY
    )
    assert m.org == world.branch_a2
    actions.set_measure_done(m, actor=world.a2_reporter, done=True, as_of=TODAY)
    lead_measure = joint.measures.get(org__isnull=True)
    with pytest.raises(PermissionDenied):
        actions.set_measure_done(lead_measure, actor=world.a2_reporter, done=True, as_of=TODAY)
    with pytest.raises(PermissionDenied):  # moving the problem is the lead org's
        actions.submit_for_acceptance(joint, actor=world.a2_reporter)
    # the lead marks its own; the problem then moves as one
    actions.set_measure_done(lead_measure, actor=world.branch_reporter, done=True, as_of=TODAY)
    assert actions.submit_for_acceptance(joint, actor=world.branch_reporter).state == "待验收"


def test_the_pages_show_it_to_the_cooperating_org_but_not_the_lead_orgs_files_or_other_problems(world, joint):
    client = Client()
    login_as(client, world.a2_reporter)
    page = client.get(f"/problems/item/{joint.pk}/").content.decode()
    assert "牵头单位：A县教育局第一党支部；配合单位：A县城关镇党支部" in page
    assert "支撑材料（0）" in page and 'id="add-measure"' in page  # the files stay the lead org's
    assert client.get(f"/problems/evidence/{joint.evidence.get().pk}/").status_code == 404
    assert client.get(f"/problems/item/{world.other.pk}/").status_code == 404
    listed = client.get("/problems/XS-A-2/").context["page"]
    assert [p.pk for p in listed] == [joint.pk]
    r = client.post(
        f"/problems/item/{joint.pk}/add-measure/",
        {"text": "村里设临时停车点", "owner": "村主任", "deadline": "2026-12-10", "kind": "立行立改"},
    )
    assert r.status_code == 302 and joint.measures.filter(org=world.branch_a2).count() == 1
    assert "A县城关镇党支部</span>村里设临时停车点" in client.get(f"/problems/item/{joint.pk}/").content.decode()


def test_an_org_not_involved_gets_404_on_the_page_and_the_api(world, joint):
    client = Client()
    login_as(client, world.b1_reporter)
    assert client.get(f"/problems/item/{joint.pk}/").status_code == 404
    assert client.post(f"/problems/item/{joint.pk}/add-measure/", {"text": "x"}).status_code == 404
    c, auth = api(world.b1_reporter)
    assert c.get(f"/api/v1/problems/{joint.pk}", **auth).status_code == 404
    assert (
        c.post(
            f"/api/v1/problems/{joint.pk}/measures", json.dumps({"text": "x"}), content_type="application/json", **auth
        ).status_code
        == 404
    )


def test_the_api_shows_the_cooperating_orgs_and_each_measures_org(world, joint):
    c, auth = api(world.a2_reporter)
    r = c.post(
        f"/api/v1/problems/{joint.pk}/measures",
        json.dumps({"text": "志愿者疏导交通", "owner": "村主任"}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201 and r.json()["org"] == "XS-A-2"
    detail = c.get(f"/api/v1/problems/{joint.pk}", **auth).json()
    assert detail["org_code"] == "XS-A-1-1" and detail["cooperating_orgs"] == ["XS-A-2"]
    assert [m["org"] for m in detail["measures"]] == [None, "XS-A-2"] and detail["evidence"] == []
    listed = c.get("/api/v1/problems?org=XS-A-2", **auth).json()
    assert [p["id"] for p in listed["items"]] == [joint.pk]
    office, office_auth = api(world.county_office)
    more = office.post(
        f"/api/v1/problems/{world.other.pk}/cooperation",
        json.dumps({"orgs": ["XS-A-1-2"]}),
        content_type="application/json",
        **office_auth,
    )
    assert more.status_code == 200 and more.json()["cooperating_orgs"] == ["XS-A-1-2"]


def test_a_joint_problem_is_counted_once_at_its_lead_org(world, joint):
    actions.add_measure(joint, actor=world.a2_reporter, text="志愿者疏导交通", owner="村主任", deadline=TODAY)
    found = get("problems.found").compute([world.branch_a1a, world.branch_a2], TODAY, None)
    assert found == {world.branch_a1a.pk: Pair(2)}  # the joint one and A1a's other; nothing at A2
    per = get("problems.measures_per_problem").compute([world.branch_a1a, world.branch_a2], TODAY, None)
    assert per[world.branch_a1a.pk] == Pair(2, 2)
    client = Client()
    login_as(client, world.county_office)
    rows = [p.pk for p in client.get("/problems/XS-A/").context["page"]]
    assert rows.count(joint.pk) == 1
    assert Problem.objects.visible_to(world.county_office).filter(pk=joint.pk).count() == 1

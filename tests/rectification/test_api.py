"""Problems over the API: the same scope and rules as the pages, through the same actions."""

import datetime as dt
import json

import pytest
from django.test import Client

from tuijin.orgs.actions import issue_api_token
from tuijin.rectification import actions
from tuijin.rectification.models import Problem, Rating, State

from .conftest import PDF, TODAY


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


class Api:
    """A client that speaks for one persona with a Bearer token."""

    def __init__(self, user):
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=user)}"}

    def get(self, url):
        return self.client.get(f"/api/v1{url}", **self.auth)

    def post(self, url, data):
        return self.client.post(f"/api/v1{url}", json.dumps(data), content_type="application/json", **self.auth)

    def patch(self, url, data):
        return self.client.patch(f"/api/v1{url}", json.dumps(data), content_type="application/json", **self.auth)

    def upload(self, url, name, data, kind="支撑材料"):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return self.client.post(f"/api/v1{url}", {"file": SimpleUploadedFile(name, data), "kind": kind}, **self.auth)


@pytest.fixture
def api(world):
    return {name: Api(getattr(world, name)) for name in ("city_office", "county_office", "branch_reporter", "guide")}


@pytest.fixture
def b_problem(world):
    return actions.create_problem(
        actor=world.city_office, org=world.branch_b1, description="B县支部的问题", source="上级查", found_on=TODAY
    )


def test_a_problem_outside_the_scope_is_404_never_403(world, api, problem, b_problem):
    assert api["county_office"].get(f"/problems/{b_problem.pk}").status_code == 404
    assert api["county_office"].get(f"/problems/{b_problem.pk}/ratings").status_code == 404
    assert api["county_office"].post(f"/problems/{b_problem.pk}/transitions", {"action": "start"}).status_code == 404
    assert api["county_office"].get("/problems?org=XS-B").status_code == 404
    assert api["guide"].get(f"/problems/{problem.pk}").status_code == 404
    assert api["guide"].get(f"/problems/{b_problem.pk}").status_code == 200
    listed = api["county_office"].get("/problems").json()
    assert [p["id"] for p in listed["items"]] == [problem.pk] and listed["count"] == 1


def test_the_list_filters_by_org_subtree_state_overdue_and_text(world, api, problem, b_problem):
    late = actions.create_problem(
        actor=world.county_office,
        org=world.branch_a2,
        description="村务公开不及时",
        source="群众评",
        found_on=TODAY,
        deadline=dt.date(2026, 11, 1),
    )
    city = api["city_office"]

    def ids(query):
        response = city.get(f"/problems?{query}")
        assert response.status_code == 200
        return {p["id"] for p in response.json()["items"]}

    assert ids("") == {problem.pk, b_problem.pk, late.pk}
    assert ids("org=XS-A") == {problem.pk, late.pk}
    assert ids("org=XS-A-1") == {problem.pk}
    assert ids("overdue=true") == {late.pk}
    assert ids("source=上级查") == {b_problem.pk}
    assert ids("q=村务") == {late.pk}
    assert ids("state=整改中") == set()
    item = city.get("/problems?overdue=true").json()["items"][0]
    assert (item["org_code"], item["overdue"], item["state"]) == ("XS-A-2", True, "待整改")


def test_a_reporter_creates_a_problem_with_measures(world, api):
    response = api["branch_reporter"].post(
        "/problems",
        {
            "org": "XS-A-1-1",
            "description": "学用脱节",
            "source": "集体查",
            "category": "理论学习",
            "deadline": "2026-12-31",
            "measures": [{"text": "每周学习", "owner": "甲1", "deadline": "2026-12-01"}, {"text": "建立台账"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["state"], body["found_on"], body["org_code"]) == (
        "2026-001",
        "待整改",
        "2026-11-27",
        "XS-A-1-1",
    )
    assert [(m["text"], m["is_specific"]) for m in body["measures"]] == [("每周学习", True), ("建立台账", False)]
    assert Problem.objects.get(pk=body["id"]).description == "学用脱节"


def test_creating_refuses_bad_fields_other_orgs_and_roles_without_the_right(world, api):
    bad = api["branch_reporter"].post("/problems", {"org": "XS-A-1-1", "description": "x", "source": "自查"})
    assert bad.status_code == 422 and bad.json()["field"] == "source"
    assert (
        api["branch_reporter"]
        .post("/problems", {"org": "XS-A-1-2", "description": "x", "source": "集体查"})
        .status_code
        == 404
    )
    assert api["guide"].post("/problems", {"org": "XS-B-1", "description": "x", "source": "上级查"}).status_code == 403
    assert not Problem.objects.exists()


def test_the_whole_lifecycle_and_the_owner_cannot_close(world, api, problem):
    reporter, county = api["branch_reporter"], api["county_office"]
    url = f"/problems/{problem.pk}"
    refused = reporter.post(f"{url}/transitions", {"action": "submit"})
    assert refused.status_code == 422 and "支撑材料" in refused.json()["detail"]

    uploaded = reporter.upload(f"{url}/evidence", "学习记录.pdf", PDF)
    assert uploaded.status_code == 201
    assert (uploaded.json()["content_type"], uploaded.json()["uploaded_by"]) == ("application/pdf", "branch_reporter")
    refused = reporter.post(f"{url}/transitions", {"action": "submit"})
    assert refused.status_code == 422 and "整改措施未完成" in refused.json()["detail"]
    for measure in problem.measures.all():
        assert reporter.post(f"{url}/measures/done", {"measure": measure.pk}).json()["done"] is True
    assert reporter.post(f"{url}/transitions", {"action": "submit"}).json()["state"] == "待验收"

    assert reporter.post(f"{url}/transitions", {"action": "close"}).status_code == 403
    assert county.post(f"{url}/transitions", {"action": "send_back", "reason": ""}).status_code == 422
    assert county.post(f"{url}/transitions", {"action": "close", "comment": "整改到位"}).status_code == 422  # no change
    closed = county.post(f"{url}/transitions", {"action": "close", "comment": "整改到位", "change": "群众办事少跑一趟"})
    assert (
        closed.status_code == 200 and closed.json()["state"] == "已销号" and closed.json()["closed_on"] == "2026-11-27"
    )
    assert closed.json()["change_note"] == "群众办事少跑一趟"
    assert reporter.post(f"{url}/transitions", {"action": "reopen", "reason": "又出现了"}).status_code == 403
    reopened = api["city_office"].post(f"{url}/transitions", {"action": "reopen", "reason": "群众反映再次出现"})
    assert (reopened.json()["state"], reopened.json()["relapses"]) == ("已反弹", 1)
    assert reporter.post(f"{url}/transitions", {"action": "start"}).json()["state"] == "整改中"
    assert reporter.post(f"{url}/transitions", {"action": "fly"}).status_code == 422

    detail = reporter.get(url).json()
    assert [e["name"] for e in detail["evidence"]] == ["学习记录.pdf"] and len(detail["measures"]) == 2
    assert "storage_name" not in detail["evidence"][0]


def test_withdrawing_needs_a_reason(world, api, problem):
    url = f"/problems/{problem.pk}/transitions"
    assert api["branch_reporter"].post(url, {"action": "withdraw"}).status_code == 422
    body = api["branch_reporter"].post(url, {"action": "withdraw", "reason": "与2026-002重复"}).json()
    assert (body["withdrawn"], body["withdraw_reason"]) == (True, "与2026-002重复")
    assert api["branch_reporter"].get("/problems").json()["count"] == 0
    assert api["branch_reporter"].get("/problems?include_withdrawn=true").json()["count"] == 1


def test_a_stale_patch_is_409_and_changes_nothing(world, api, problem):
    url = f"/problems/{problem.pk}"
    version = api["branch_reporter"].get(url).json()["version"]
    first = api["branch_reporter"].patch(url, {"version": version, "responsible": "甲2", "deadline": None})
    assert first.status_code == 200 and (first.json()["responsible"], first.json()["deadline"]) == ("甲2", None)
    second = api["county_office"].patch(url, {"version": version, "responsible": "甲3"})
    assert second.status_code == 409 and "已被他人修改" in second.json()["detail"]
    assert Problem.objects.get(pk=problem.pk).responsible == "甲2"
    assert api["branch_reporter"].patch(url, {"responsible": "x"}).status_code == 422  # version is required


def test_measures_are_added_through_the_action(world, api, problem):
    response = api["branch_reporter"].post(
        f"/problems/{problem.pk}/measures", {"text": "建立学习台账", "owner": "甲3", "deadline": "2026-12-10"}
    )
    assert response.status_code == 201 and response.json()["is_specific"] is True
    assert problem.measures.count() == 3
    assert api["branch_reporter"].post(f"/problems/{problem.pk}/measures", {"text": " "}).status_code == 422


def test_a_fake_pdf_upload_is_422_and_nothing_is_stored(world, api, problem):
    response = api["branch_reporter"].upload(
        f"/problems/{problem.pk}/evidence", "整改报告.pdf", b"MZ\x90\x00 not a pdf"
    )
    assert response.status_code == 422
    assert "内容不是可接受的格式" in response.json()["detail"] and response.json()["field"] == "file"
    assert not problem.evidence.exists()
    wrong_kind = api["branch_reporter"].upload(f"/problems/{problem.pk}/evidence", "a.pdf", PDF, kind="照片")
    assert wrong_kind.status_code == 422


def test_an_escalated_problem_is_listed_for_the_unit_that_raised_it(world, api, problem):
    actions.escalate(problem, actor=world.branch_reporter, to=world.county_a, reason="需要县里协调")
    item = api["branch_reporter"].get("/problems").json()["items"][0]
    assert (item["org_code"], item["origin_org_code"]) == ("XS-A", "XS-A-1-1")
    assert (
        api["branch_reporter"]
        .patch(f"/problems/{problem.pk}", {"version": item["version"], "responsible": "x"})
        .status_code
        == 403
    )


def test_a_handed_down_problem_shows_the_roll_up_of_its_children(world, api):
    parent = actions.hand_down(
        actor=world.county_office,
        org=world.county_a,
        targets=[world.branch_a1a, world.branch_a2],
        description="第一议题制度落实不到位",
        deadline=dt.date(2026, 12, 31),
        found_on=TODAY,
    )
    children = api["county_office"].get(f"/problems/{parent.pk}").json()["children"]
    assert (children["total"], children["closed"], children["by_state"]["待整改"]) == (2, 0, 2)


def test_ratings_show_aggregates_and_comments_but_never_device_or_address(world, api, submitted):
    assert api["county_office"].get(f"/problems/{submitted.pk}/ratings").json()["published"] is False
    item = actions.publish(submitted, actor=world.county_office, summary="已建立每周学习制度")
    actions.rate(item, choice="满意", comment="学习风气好多了", device="device-secret-1", ip="10.9.8.7")
    actions.rate(item, choice="不满意", comment="", device="device-secret-2", ip="10.9.8.6")

    response = api["county_office"].get(f"/problems/{submitted.pk}/ratings")

    assert response.status_code == 200
    body = response.json()
    assert (body["published"], body["votes"], body["satisfied"], body["satisfaction"]) == (True, 2, 1, 0.5)
    assert body["by_choice"] == {"满意": 1, "基本满意": 0, "不满意": 1}
    assert [c["comment"] for c in body["comments"]] == ["学习风气好多了"]
    assert body["in_satisfaction_list"] is False
    text = response.content.decode()
    for rating in Rating.objects.all():
        assert rating.device not in text and rating.ip_hash not in text
    assert "device" not in text and "ip" not in body["comments"][0]


def test_the_openapi_schema_lists_the_problem_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/problems",
        "/api/v1/problems/{pk}",
        "/api/v1/problems/{pk}/transitions",
        "/api/v1/problems/{pk}/evidence",
        "/api/v1/problems/{pk}/ratings",
    } <= set(paths)


def test_state_values_are_the_model_states():
    assert set(State.values) == {"待整改", "整改中", "待验收", "已销号", "已反弹"}

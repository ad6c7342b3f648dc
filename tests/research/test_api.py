"""/api/v1/research/…: the same records, rules and scope as the pages (SPEC §4.4)."""

import pytest

from tests.api.test_api import Api
from tuijin.orgs.actions import issue_api_token
from tuijin.rectification import actions as rectification
from tuijin.research.models import Project

from .conftest import PDF, TODAY, good_project


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


@pytest.fixture
def api(world, client):
    return {
        name: Api(client, issue_api_token(actor=None, user=getattr(world, name)))
        for name in ("city_office", "county_office", "branch_reporter", "guide", "member", "outsider")
    }


def test_visits_are_listed_in_scope_and_404_outside(api, world, visit):
    body = api["county_office"].get("/research/visits?org=XS-A").json()
    assert body["count"] == 1 and body["items"][0]["person_number"] == "A1C1"
    assert body["items"][0]["findings_total"] == 2 and body["items"][0]["findings_converted"] == 0
    assert api["guide"].get("/research/visits").json()["count"] == 0
    assert api["guide"].get(f"/research/visits/{visit.pk}").status_code == 404
    assert api["county_office"].get("/research/visits?org=XS-B").status_code == 404
    detail = api["city_office"].get(f"/research/visits/{visit.pk}").json()
    assert [f["conversion"] for f in detail["findings"]] == ["未转化", "未转化"]


def test_a_visit_is_recorded_and_a_finding_converted(api, world):
    created = api["county_office"].post(
        "/research/visits",
        {
            "person": "A1C1",
            "date": "2026-11-20",
            "topic": "饮水安全调研",
            "visited_org": "XS-A-1-1",
            "findings": ["水质季节性超标", "管护责任不清"],
        },
    )
    assert created.status_code == 201
    body = created.json()
    assert body["org_code"] == "XS-A-1" and body["place"] == "A县教育局第一党支部" and len(body["findings"]) == 2
    finding_id = body["findings"][0]["id"]
    converted = api["county_office"].post(f"/research/findings/{finding_id}/to-problem", {"category": "服务群众"})
    assert converted.status_code == 201 and converted.json()["conversion"] == "已转化为问题"
    again = api["county_office"].post(f"/research/findings/{finding_id}/to-problem", {})
    assert again.status_code == 422 and "不能重复转化" in again.json()["detail"]
    assert api["county_office"].get("/research/visits?converted=0").json()["count"] == 1


def test_a_finding_becomes_a_measure_through_the_api(api, world, visit):
    problem = rectification.create_problem(
        actor=None, org=world.unit_a1, source="集体查", description="d", found_on=TODAY
    )
    finding = visit.findings.first()
    response = api["county_office"].post(
        f"/research/findings/{finding.pk}/to-measure", {"problem_id": problem.pk, "owner": "丙书记"}
    )
    assert response.status_code == 201 and response.json()["converted_measure_id"]
    other = rectification.create_problem(
        actor=None, org=world.branch_b1, source="集体查", description="d", found_on=TODAY
    )
    refused = api["county_office"].post(
        f"/research/findings/{visit.findings.last().pk}/to-measure", {"problem_id": other.pk}
    )
    assert refused.status_code == 422 and refused.json()["field"] == "problem_id"


def test_bad_input_is_refused_with_the_field(api, world):
    future = api["county_office"].post(
        "/research/visits", {"person": "A1C1", "date": "2026-12-20", "topic": "t", "place": "x"}
    )
    assert future.status_code == 422 and future.json()["field"] == "date"
    assert (
        api["county_office"]
        .post("/research/visits", {"person": "B1P1", "date": "2026-11-20", "topic": "t", "place": "x"})
        .status_code
        == 404
    )
    assert (
        api["branch_reporter"]
        .post("/research/visits", {"person": "A1A1", "date": "2026-11-20", "topic": "t", "place": "x"})
        .status_code
        == 201
    )


def test_a_routine_project_is_saved_and_its_reasons_returned(api, world):
    response = api["branch_reporter"].post("/research/projects", {"org": "XS-A-1-1", "name": "日常巡查"})
    assert response.status_code == 201
    body = response.json()
    assert body["flagged"] and body["flag_reasons"][0].startswith("项目名称就是一项常规工作（日常巡查）")
    assert api["county_office"].get("/research/projects?org=XS-A&flagged=1").json()["count"] == 1
    assert api["guide"].get("/research/projects?flagged=1").json()["count"] == 0
    assert api["guide"].get(f"/research/projects/{body['id']}").status_code == 404


def test_the_check_endpoint_flags_without_saving(api, world):
    body = api["county_office"].post("/research/projects/check", {"name": "召开主题教育推进会议"}).json()
    assert body["flagged"] and "召开会议" in body["reasons"][0] and Project.objects.count() == 0


def test_project_edits_need_the_version_and_finishing_needs_evidence(api, world, client):
    project = good_project(world)
    county = api["county_office"]
    ok = county.patch(f"/research/projects/{project.pk}", {"version": project.version, "beneficiaries": 130})
    assert ok.status_code == 200 and ok.json()["version"] == project.version + 1
    stale = county.patch(f"/research/projects/{project.pk}", {"version": project.version, "beneficiaries": 140})
    assert stale.status_code == 409
    assert county.post(f"/research/projects/{project.pk}/status", {"status": "已完成"}).status_code == 422
    upload = client.post(
        f"/api/v1/research/projects/{project.pk}/evidence", {"file": _file("验收单.pdf", PDF)}, headers=county.headers
    )
    assert upload.status_code == 201
    done = county.post(f"/research/projects/{project.pk}/status", {"status": "已完成"})
    assert done.json()["status"] == "已完成" and done.json()["completed_on"] == TODAY.isoformat()
    evidence_id = done.json()["evidence"][0]["id"]
    assert county.get(f"/research/evidence/{evidence_id}").content == PDF
    assert api["guide"].get(f"/research/evidence/{evidence_id}").status_code == 404
    assert (
        api["branch_reporter"].post(f"/research/projects/{project.pk}/status", {"status": "推进中"}).status_code == 404
    )


def test_indicators_are_read_for_a_subtree(api, world, visit):
    good_project(world)
    body = api["county_office"].get("/research/indicators?org=XS-A&as_of=2026-11-27").json()
    by_code = {r["code"]: r for r in body}
    assert set(by_code) == {
        "research.visits_per_cadre",
        "research.findings_converted",
        "projects.per_org",
        "projects.flagged_share",
        "projects.completed_share",
    }
    assert (by_code["research.visits_per_cadre"]["numerator"], by_code["research.visits_per_cadre"]["denominator"]) == (
        1,
        1,
    )
    assert by_code["research.findings_converted"]["value"] == 0
    assert by_code["projects.per_org"]["value"] == pytest.approx(1 / 5)
    assert api["county_office"].get("/research/indicators?org=XS-B").status_code == 404


def test_the_schema_lists_the_research_endpoints(client, world):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {
        "/api/v1/research/visits",
        "/api/v1/research/projects",
        "/api/v1/research/indicators",
        "/api/v1/research/findings/{pk}/to-problem",
    } <= set(paths)


def test_no_token_no_data(client, world, visit):
    assert client.get("/api/v1/research/visits").status_code == 401


def _file(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, "application/pdf")

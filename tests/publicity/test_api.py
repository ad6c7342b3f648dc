"""The publicity API: same scope as the pages, the same actions, figures with the median."""

import datetime as dt
import json

import pytest
from django.test import Client

from tuijin.orgs.actions import issue_api_token
from tuijin.publicity import actions

from .test_copies import LIGHT_EDIT, ORIGINAL


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-27")


def call(user, method, url, body=None):
    headers = {"Authorization": f"Bearer {issue_api_token(actor=None, user=user)}"}
    c = Client()
    if body is None:
        return getattr(c, method)(url, headers=headers)
    return getattr(c, method)(url, json.dumps(body), content_type="application/json", headers=headers)


def test_submit_review_forward_and_scope(world):
    w = world
    r = call(
        w.county_office,
        "post",
        "/api/v1/publicity/solicitations",
        {"org": "XS-A", "topic": "主题教育经验", "deadline": "2026-11-30", "sectors": ["学校"], "depths": [4]},
    )
    assert r.status_code == 201, r.content
    number = r.json()["number"]
    assert {t["org_code"] for t in r.json()["standing"]} == {"XS-A-1-1", "XS-A-1-2"}
    r = call(
        w.branch_reporter,
        "post",
        "/api/v1/publicity/submissions",
        {
            "org": "XS-A-1-1",
            "title": "第一党支部主题教育专题研讨",
            "date": "2026-11-26",
            "type": "典型案例",
            "body": "围绕主题教育开展专题研讨。",
            "solicitation": number,
        },
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert (
        call(w.branch_reporter, "post", f"/api/v1/publicity/submissions/{pk}/adopt", {"level": "县"}).status_code == 403
    )
    assert call(w.guide, "get", f"/api/v1/publicity/submissions/{pk}").status_code == 404
    r = call(w.county_office, "post", f"/api/v1/publicity/submissions/{pk}/adopt", {"level": "县", "quality": 4})
    assert r.status_code == 200 and r.json()["adopted_level"] == "县"
    r = call(w.county_office, "post", f"/api/v1/publicity/submissions/{pk}/forward", {})
    assert r.json()["review_org_code"] == "XS"
    queue = call(w.city_office, "get", "/api/v1/publicity/review-queue?org=XS").json()
    assert [i["id"] for i in queue["items"]] == [pk]
    detail = call(w.city_office, "get", f"/api/v1/publicity/submissions/{pk}").json()
    assert [(x["org_code"], x["decision"]) for x in detail["reviews"]] == [("XS-A", "采用"), ("XS-A", "转报")]
    lib = call(w.branch_reporter, "get", "/api/v1/publicity/library?type=典型案例").json()
    assert [i["id"] for i in lib["items"]] == [pk]
    s = call(w.county_office, "get", "/api/v1/publicity/summary?org=XS-A").json()
    assert (s["submissions"], s["adopted"], s["answered"], s["solicitations_due"]) == (1, 1, 1, 1)
    assert s["median_response_hours"] is not None
    bad = call(
        w.branch_reporter,
        "post",
        "/api/v1/publicity/submissions",
        {"org": "XS-A-1-1", "title": "x", "date": "2026-12-30"},
    )
    assert bad.status_code == 422 and "晚于今天" in bad.json()["detail"]
    ind = {r["code"]: r for r in call(w.county_office, "get", "/api/v1/publicity/indicators?org=XS-A").json()}
    assert ind["publicity.copies_confirmed"]["meaning"] == "zero" and ind["publicity.typical_cases"]["value"] == 1


def test_items_copies_and_relevance(world):
    w = world
    r = call(
        w.branch_reporter,
        "post",
        "/api/v1/publicity/items",
        {"org": "XS-A-1-1", "channel": "电视", "title": "主题教育报道", "date": "2026-11-20", "outlet": "X市电视台"},
    )
    assert r.status_code == 201
    assert call(w.guide, "get", f"/api/v1/publicity/items/{r.json()['id']}").status_code == 404
    actions.create_submission(actor=None, org=w.branch_a1a, title="心得", body=ORIGINAL, date=dt.date(2026, 11, 1))
    actions.create_submission(actor=None, org=w.branch_a2, title="体会", body=LIGHT_EDIT, date=dt.date(2026, 11, 3))
    assert call(w.branch_reporter, "post", "/api/v1/publicity/copies/check", {"org": "XS-A-1-1"}).status_code == 403
    assert call(w.county_office, "post", "/api/v1/publicity/copies/check", {"org": "XS-A"}).json() == {
        "found": 1,
        "new": 1,
    }
    pairs = call(w.county_office, "get", "/api/v1/publicity/copies?org=XS-A").json()["items"]
    detail = call(w.county_office, "get", f"/api/v1/publicity/copies/{pairs[0]['id']}").json()
    assert any(run["matched"] for run in detail["b"]["runs"]) and detail["a"]["org_code"] == "XS-A-1-1"
    assert call(w.county_office, "post", f"/api/v1/publicity/copies/{pairs[0]['id']}/dismiss", {}).status_code == 422
    r = call(w.county_office, "post", "/api/v1/publicity/relevance/check", {"title": "全县安全生产大检查"})
    assert r.json()["flagged"] is True

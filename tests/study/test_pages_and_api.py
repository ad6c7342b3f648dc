"""The study pages and API: same scope as everything else (out of scope is 404), same actions."""

import datetime as dt
import html
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tuijin.campaigns.models import Chapter, ReadingItem
from tuijin.orgs.actions import issue_api_token
from tuijin.study.models import SelfStudy, SessionEvidence, StudySession

from .conftest import PDF, PNG


def text(response):
    return html.unescape(response.content.decode())


def login(client, user):
    client.force_login(user)
    return client


# ------------------------------------------------------------------ a member


def test_the_nav_takes_a_member_to_their_own_page(client, scenario):
    login(client, scenario.member)
    assert client.get("/study/").url == "/study/me/"
    page = text(client.get("/study/me/"))
    assert "我的学习" in page and "指定书目已学 100%，时间进度 70%" in page  # 4 chapters by the session, 1 alone
    assert "10月10日 支部学习" in page and "重温报告，体会更深" in page and "记一次自学" in page


def test_a_member_logs_self_study_from_the_phone_form(client, scenario):
    login(client, scenario.member)
    response = client.post("/study/me/", {"chapter": "R1-02", "date": "2026-11-08", "reflection": "有收获"})
    assert response.status_code == 302 and response.url == "/study/me/"
    log = SelfStudy.objects.get(person=scenario.p_a1a[0], chapter__code="R1-02")
    assert log.reflection == "有收获" and log.date == dt.date(2026, 11, 8)


def test_a_member_sees_a_clear_error_for_a_future_date(client, scenario):
    login(client, scenario.member)
    page = text(client.post("/study/me/", {"chapter": "R1-02", "date": "2026-12-01"}))
    assert "晚于今天" in page and not SelfStudy.objects.filter(person=scenario.p_a1a[0], chapter__code="R1-02").exists()


def test_a_member_withdraws_their_own_log_but_not_anyone_elses(client, scenario):
    own = SelfStudy.objects.filter(person=scenario.p_a1a[0]).first()
    other = SelfStudy.objects.filter(person=scenario.p_a1b[0]).first()
    login(client, scenario.member)
    assert client.post(f"/study/me/log/{other.pk}/withdraw/").status_code == 404
    client.post(f"/study/me/log/{own.pk}/withdraw/")
    assert SelfStudy.objects.get(pk=own.pk).withdrawn and not SelfStudy.objects.get(pk=other.pk).withdrawn


@pytest.mark.parametrize(
    "url",
    [
        "/study/XS-A-1-1/",
        "/study/XS-A-1-1/new/",
        "/study/XS-A-1-1/analysis/",
        "/study/XS-A-1-1/export/study-sessions/",
        "/study/reading/",
    ],
)
def test_a_member_does_not_see_the_org_pages_of_their_own_branch(client, scenario, url):
    assert login(client, scenario.member).get(url).status_code == 404


def test_a_member_does_not_see_the_sessions_themselves(client, scenario):
    login(client, scenario.member)
    assert client.get(f"/study/session/{scenario.s_a1a.pk}/").status_code == 404


def test_an_account_without_a_person_has_no_study_page(client, world):
    assert login(client, world.outsider).get("/study/me/").status_code == 404
    assert client.get("/study/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    assert client.get("/study/me/").status_code == 302


# ------------------------------------------------------------------ a unit reporter and offices


def test_a_unit_reporter_sees_its_sessions_and_not_its_neighbours(client, scenario):
    login(client, scenario.branch_reporter)
    assert client.get("/study/").url == "/study/XS-A-1-1/"
    page = text(client.get("/study/XS-A-1-1/"))
    assert "学习党的二十大报告" in page and "集中学习党章" not in page and "记录集体学习" in page
    assert client.get("/study/XS-A-1-2/").status_code == 404
    assert client.get(f"/study/session/{scenario.s_a1b.pk}/").status_code == 404


def test_the_list_filters_by_form_and_month(client, scenario):
    login(client, scenario.county_office)
    page = text(client.get("/study/XS-A/?form=专题研讨"))
    assert "以学促干专题研讨" in page and "集中学习党章" not in page
    page = text(client.get("/study/XS-A/?month=2026-10"))
    assert "学习党的二十大报告" in page and "集中学习党章" not in page


def test_the_session_form_lists_the_orgs_people_with_select_all(client, scenario):
    page = text(login(client, scenario.branch_reporter).get("/study/XS-A-1-1/new/"))
    assert "全选" in page and all(p.name in page for p in scenario.p_a1a)
    assert "R1-01" in page and "乙一" not in page


def test_a_unit_reporter_records_a_session_through_the_form(client, scenario):
    login(client, scenario.branch_reporter)
    response = client.post(
        "/study/XS-A-1-1/new/",
        {
            "date": "2026-11-08",
            "form": "专题研讨",
            "topic": "对照党章找差距",
            "speaker": "",
            "speaker_category": "",
            "chapters": ["R2-01", "R2-02"],
            "attendees": ["A1A2", "A1A3"],
            "headcount": "",
            "hours": "2",
        },
    )
    s = StudySession.objects.get(topic="对照党章找差距")
    assert response.status_code == 302 and response.url == f"/study/session/{s.pk}/"
    assert sorted(p.number for p in s.attendees.all()) == ["A1A2", "A1A3"]
    page = text(client.get(response.url))
    assert "参加人员" in page and "甲2" in page


def test_a_refused_session_shows_the_message_at_its_field(client, scenario):
    login(client, scenario.branch_reporter)
    page = text(
        client.post(
            "/study/XS-A-1-1/new/",
            {
                "date": "2026-11-08",
                "form": "宣讲报告",
                "topic": "专家宣讲",
                "speaker_category": "党校专家",
                "attendees": ["A1A2"],
            },
        )
    )
    assert "主讲人类别为“党校专家”时，请填写主讲人姓名" in page
    assert not StudySession.objects.filter(topic="专家宣讲").exists()


def test_people_of_another_org_cannot_be_smuggled_into_the_form(client, scenario):
    login(client, scenario.branch_reporter)
    page = text(
        client.post(
            "/study/XS-A-1-1/new/", {"date": "2026-11-08", "form": "支部学习", "topic": "t", "attendees": ["A1B1"]}
        )
    )
    assert "A1B1 不在可用的选项中" in page
    assert not StudySession.objects.filter(topic="t").exists()


def test_editing_a_session_keeps_version_and_changes_the_attendees(client, scenario):
    s = scenario.s_a1a
    login(client, scenario.branch_reporter)
    assert client.get(f"/study/session/{s.pk}/edit/").status_code == 200
    client.post(
        f"/study/session/{s.pk}/edit/",
        {
            "date": "2026-10-10",
            "form": "支部学习",
            "topic": s.topic,
            "chapters": ["R1-01"],
            "attendees": ["A1A1"],
            "hours": "2",
            "version": s.version,
        },
    )
    s.refresh_from_db()
    assert s.version == 2 and [p.number for p in s.attendees.all()] == ["A1A1"]
    response = client.post(
        f"/study/session/{s.pk}/edit/",
        {"date": "2026-10-10", "form": "支部学习", "topic": "旧版本的修改", "attendees": ["A1A1"], "version": 1},
    )
    assert response.status_code == 302 and StudySession.objects.get(pk=s.pk).topic == s.topic


def test_a_guidance_group_sees_but_may_not_record(client, scenario):
    login(client, scenario.guide)
    assert client.get("/study/XS-B-1/").status_code == 200
    assert client.get("/study/XS-B-1/new/").status_code == 403
    assert client.get("/study/XS-A-1-1/").status_code == 404


def test_evidence_is_uploaded_on_the_session_page_and_served_only_in_scope(client, scenario):
    s = scenario.s_a1a
    login(client, scenario.branch_reporter)
    client.post(f"/study/session/{s.pk}/evidence/", {"file": SimpleUploadedFile("合影.png", PNG, "image/png")})
    client.post(f"/study/session/{s.pk}/evidence/", {"file": SimpleUploadedFile("记录.pdf", PDF, "application/pdf")})
    photo, minutes = SessionEvidence.objects.order_by("pk")
    assert photo.is_photo and not minutes.is_photo
    response = client.get(f"/study/evidence/{photo.pk}/?inline=1")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("inline")
    assert client.get(f"/study/evidence/{minutes.pk}/?inline=1")["Content-Disposition"].startswith("attachment")
    for outsider in (scenario.guide, scenario.member):
        assert login(client, outsider).get(f"/study/evidence/{photo.pk}/").status_code == 404


def test_a_bad_upload_is_refused_with_a_message(client, scenario):
    s = scenario.s_a1a
    login(client, scenario.branch_reporter)
    response = client.post(
        f"/study/session/{s.pk}/evidence/",
        {"file": SimpleUploadedFile("照片.jpg", b"MZ not a jpeg", "image/jpeg")},
        follow=True,
    )
    assert "内容不是可接受的格式" in text(response) and not SessionEvidence.objects.exists()


def test_withdrawing_on_the_page_needs_a_reason(client, scenario):
    s = scenario.s_a1a
    login(client, scenario.branch_reporter)
    client.post(f"/study/session/{s.pk}/withdraw/", {"reason": ""})
    assert not StudySession.objects.get(pk=s.pk).withdrawn
    client.post(f"/study/session/{s.pk}/withdraw/", {"reason": "重复", "version": s.version})
    assert StudySession.objects.get(pk=s.pk).withdrawn


def test_the_analysis_page_names_the_orgs_behind_each_figure(client, scenario):
    page = text(login(client, scenario.county_office).get("/study/XS-A/analysis/"))
    assert "集体学习好于个人自学" in page and "A县教育局第一党支部" in page
    assert "未开展专题研讨" in page and "A县城关镇党支部" in page  # quiet this month


def test_exports_are_served_for_the_subtree(client, scenario):
    response = login(client, scenario.county_office).get("/study/XS-A/export/study-sessions/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert client.get("/study/XS-A/export/orgs/").status_code == 404


# ------------------------------------------------------------------ the reading list


def test_the_office_edits_the_reading_list(client, campaign, world):
    login(client, world.city_office)
    client.post("/study/reading/", {"op": "add_item", "item-code": "R3", "item-title": "专题摘编"})
    item = ReadingItem.objects.get(code="R3")
    client.post(
        "/study/reading/",
        {"op": "add_chapter", "item": item.pk, "chapter-code": "R3-01", "chapter-title": "坚持党的全面领导"},
    )
    chapter = Chapter.objects.get(code="R3-01")
    client.post("/study/reading/", {"op": "rename_chapter", "pk": chapter.pk, "title": "坚持党中央集中统一领导"})
    client.post("/study/reading/", {"op": "rename_item", "pk": item.pk, "title": "专题摘编（2023年版）"})
    chapter.refresh_from_db(), item.refresh_from_db()
    assert (item.title, chapter.title, chapter.item_id) == ("专题摘编（2023年版）", "坚持党中央集中统一领导", item.pk)
    page = text(
        client.post(
            "/study/reading/", {"op": "add_chapter", "item": item.pk, "chapter-code": "R1-01", "chapter-title": "重复"}
        )
    )
    assert "篇目编码“R1-01”已存在" in page


def test_a_county_office_reads_the_reading_list_but_may_not_change_it(client, campaign, world):
    login(client, world.county_office)
    assert "改名" not in text(client.get("/study/reading/"))
    assert client.post("/study/reading/", {"op": "add_item", "item-code": "R9", "item-title": "x"}).status_code == 403


# ------------------------------------------------------------------ the API


def api(client, user, method, url, body=None):
    headers = {"Authorization": f"Bearer {issue_api_token(actor=None, user=user)}"}
    if body is None:
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", headers=headers)


NEW = {
    "org_code": "XS-A-1-1",
    "date": "2026-11-08",
    "form": "专题研讨",
    "topic": "API 专题研讨",
    "chapters": ["R1-01"],
    "attendees": ["A1A1", "A1A2"],
    "hours": 1.5,
}


def test_a_unit_reporter_records_a_session_over_the_api(client, scenario):
    response = api(client, scenario.branch_reporter, "post", "/api/v1/study/sessions", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["attendees"] == ["A1A1", "A1A2"] and body["chapters"] == ["R1-01"] and body["hours"] == 1.5


@pytest.mark.parametrize(
    "who, org, status",
    [
        ("branch_reporter", "XS-A-1-2", 404),
        ("guide", "XS-B-1", 403),
        ("member", "XS-A-1-1", 403),
    ],
)
def test_the_api_answers_404_out_of_scope_and_403_without_the_right(client, scenario, who, org, status):
    body = {**NEW, "org_code": org, "attendees": []}
    assert api(client, getattr(scenario, who), "post", "/api/v1/study/sessions", body).status_code == status


def test_the_api_names_the_field_of_a_refused_session(client, scenario):
    response = api(client, scenario.branch_reporter, "post", "/api/v1/study/sessions", {**NEW, "attendees": ["X9"]})
    assert response.status_code == 422 and response.json()["field"] == "attendees"
    response = api(client, scenario.branch_reporter, "post", "/api/v1/study/sessions", {**NEW, "chapters": ["R9-01"]})
    assert response.status_code == 422 and "R9-01" in response.json()["detail"]


def test_the_api_detects_a_stale_patch(client, scenario):
    url = f"/api/v1/study/sessions/{scenario.s_a1a.pk}"
    assert api(client, scenario.branch_reporter, "patch", url, {"version": 1, "topic": "新主题"}).status_code == 200
    assert api(client, scenario.branch_reporter, "patch", url, {"version": 1, "topic": "又一个"}).status_code == 409


def test_api_lists_follow_the_scope(client, scenario):
    def topics(user):
        return {s["topic"] for s in api(client, user, "get", "/api/v1/study/sessions").json()["items"]}

    assert len(topics(scenario.county_office)) == 4
    assert topics(scenario.branch_reporter) == {"学习党的二十大报告"}
    assert topics(scenario.guide) == set() and topics(scenario.member) == set()
    own = api(client, scenario.member, "get", "/api/v1/study/self-study").json()["items"]
    assert {log["person_number"] for log in own} == {"A1A1"} and len(own) == 2


def test_a_member_logs_self_study_over_the_api_for_themselves_only(client, scenario):
    body = {"date": "2026-11-08", "chapter_code": "R1-03", "reflection": "手机上记的"}
    response = api(client, scenario.member, "post", "/api/v1/study/self-study", body)
    assert response.status_code == 201 and response.json()["person_number"] == "A1A1"
    other = {**body, "person_number": "A1A2"}
    assert api(client, scenario.member, "post", "/api/v1/study/self-study", other).status_code == 404
    log_id = response.json()["id"]
    assert api(client, scenario.member, "post", f"/api/v1/study/self-study/{log_id}/withdraw").json()["withdrawn"]


def test_the_openapi_schema_lists_the_study_endpoints(client, world):
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/study/sessions", "/api/v1/study/self-study"} <= set(schema["paths"])


def test_the_analysis_page_follows_every_change(client, scenario, ch):
    from tuijin.study import actions

    login(client, scenario.county_office)
    assert "A县教育局第一党支部" in text(client.get("/study/XS-A/analysis/")).split("未开展专题研讨")[0]
    for person in scenario.p_a1a:
        for code in ("R1-01", "R1-02", "R1-03"):
            if not (person == scenario.p_a1a[0] and code == "R1-01"):
                actions.log_self_study(actor=None, person=person, date=dt.date(2026, 11, 6), chapter=ch[code])
    flagged = text(client.get("/study/XS-A/analysis/")).split('id="unbalanced"')[1].split("未开展专题研讨")[0]
    assert "A县教育局第一党支部" not in flagged

"""The briefing pages as an office uses them: draft from the data, edit a paragraph beside its basis,
issue, find it in the list and download it; a unit sees issued briefings, never drafts."""

import datetime as dt
import io

import pytest
from docx import Document

from tuijin.campaigns.models import Campaign
from tuijin.evaluation.models import BriefingDoc
from tuijin.rectification import actions as problems

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def city(world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city)
    for i in range(3):
        problems.create_problem(
            actor=None, org=world.branch_a1a, description=f"问题{i}", source="集体查", found_on=dt.date(2026, 10, 1)
        )
    return world


def test_draft_edit_issue_list_and_download_in_the_browser(client, city):
    client.force_login(city.county_office)
    page = client.get("/evaluation/XS-A/briefing/").content.decode()
    assert 'action="/evaluation/XS-A/briefings/"' in page and "起草并编辑" in page

    response = client.post("/evaluation/XS-A/briefings/", {"as_of": "2026-11-27", "kind": "notice"})
    doc = BriefingDoc.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/evaluation/briefings/{doc.pk}/"
    page = client.get(f"/evaluation/briefings/{doc.pk}/").content.decode()
    assert 'name="p-0-0"' in page and "数据依据" in page and "（签发时编号）" in page

    response = client.post(
        f"/evaluation/briefings/{doc.pk}/",
        {"version": doc.version, "p-0-0": "A县各级党组织扎实推进主题教育。", "issue": "1"},
    )
    doc.refresh_from_db()
    assert response.status_code == 302 and doc.number == "〔2026〕1号"
    assert doc.content["sections"][0]["paragraphs"][0]["text"] == "A县各级党组织扎实推进主题教育。"
    page = client.get(f"/evaluation/briefings/{doc.pk}/").content.decode()
    assert "已签发 〔2026〕1号" in page and 'name="p-0-0"' not in page  # read-only now
    assert "〔2026〕1号" in client.get("/evaluation/XS-A/briefings/").content.decode()

    response = client.get(f"/evaluation/briefings/{doc.pk}.docx")
    text = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "〔2026〕1号" in text and "A县各级党组织扎实推进主题教育。" in text
    md = client.get(f"/evaluation/briefings/{doc.pk}.md").content.decode()
    assert "〔2026〕1号" in md and "A县各级党组织扎实推进主题教育。" in md
    assert client.get(f"/evaluation/briefings/{doc.pk}.pdf").status_code == 404

    # Issued is read-only through the page too: the POST is refused with a message, nothing changes.
    client.post(f"/evaluation/briefings/{doc.pk}/", {"version": doc.version, "p-0-0": "改"})
    doc.refresh_from_db()
    assert doc.content["sections"][0]["paragraphs"][0]["text"] == "A县各级党组织扎实推进主题教育。"


def test_a_unit_sees_issued_briefings_of_its_org_but_no_drafts_and_cannot_draft(client, city):
    from tuijin.evaluation import actions

    issued = actions.issue_briefing(
        actions.draft_briefing(actor=None, org=city.branch_a1a, as_of=TODAY), actor=None, on=TODAY
    )
    draft = actions.draft_briefing(actor=None, org=city.branch_a1a, as_of=TODAY)
    client.force_login(city.branch_reporter)
    page = client.get("/evaluation/XS-A-1-1/briefings/").content.decode()
    assert issued.number in page and f"/evaluation/briefings/{draft.pk}/" not in page and "起草新通报" not in page
    assert client.get(f"/evaluation/briefings/{draft.pk}/").status_code == 404
    assert client.post("/evaluation/XS-A-1-1/briefings/", {"as_of": "2026-11-27"}).status_code == 403
    assert client.get(f"/evaluation/briefings/{issued.pk}/").status_code == 200


def test_a_stale_save_is_told_and_not_applied(client, city):
    from tuijin.evaluation import actions

    doc = actions.draft_briefing(actor=None, org=city.county_a, as_of=TODAY)
    client.force_login(city.county_office)
    old = doc.version
    client.post(f"/evaluation/briefings/{doc.pk}/", {"version": old, "p-0-0": "先保存的。"})
    response = client.post(f"/evaluation/briefings/{doc.pk}/", {"version": old, "p-0-0": "后保存的。"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    doc.refresh_from_db()
    assert doc.content["sections"][0]["paragraphs"][0]["text"] == "先保存的。"


def test_a_discarded_draft_leaves_the_list(client, city):
    from tuijin.evaluation import actions

    doc = actions.draft_briefing(actor=None, org=city.county_a, as_of=TODAY)
    client.force_login(city.county_office)
    assert client.post(f"/evaluation/briefings/{doc.pk}/discard/", {"version": doc.version}).status_code == 302
    assert f"/evaluation/briefings/{doc.pk}/" not in client.get("/evaluation/XS-A/briefings/").content.decode()


def test_the_api_gives_issued_briefings_with_their_text_basis_and_figures(client, city):
    from tuijin.evaluation import actions

    issued = actions.issue_briefing(
        actions.draft_briefing(actor=None, org=city.county_a, as_of=TODAY), actor=None, on=TODAY
    )
    draft = actions.draft_briefing(actor=None, org=city.county_a, as_of=TODAY)
    client.force_login(city.county_office)
    listed = client.get("/api/v1/evaluation/briefings?org=XS-A").json()["briefings"]
    assert [(b["id"], b["number"], b["kind"]) for b in listed] == [(issued.pk, "〔2026〕1号", "notice")]
    one = client.get(f"/api/v1/evaluation/briefings/{issued.pk}").json()
    assert one["content"]["sections"][0]["paragraphs"][0]["basis"]
    assert one["figures"]["overall"]["problems.found"]["value"] == 3
    assert client.get(f"/api/v1/evaluation/briefings/{draft.pk}").status_code == 404

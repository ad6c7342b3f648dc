"""The publicity pages as a reporter and an office use them (forms, review, solicitations, copies)."""

import datetime as dt

import pytest
from django.test import Client

from tuijin.publicity import actions
from tuijin.publicity.models import CopyPair, PublicityItem, Submission

from .test_copies import LIGHT_EDIT, ORIGINAL

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-27")


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_reporter_submits_on_the_form_and_the_county_adopts_and_forwards(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = world
    s = actions.issue_solicitation(
        actor=None,
        org=w.county_a,
        topic="主题教育经验做法",
        deadline=dt.date(2026, 11, 30),
        targets=[w.branch_a1a],
        number="YG-9",
    )
    reporter = login(w.branch_reporter)
    page = reporter.get("/publicity/XS-A-1-1/new/")
    assert page.status_code == 200 and "YG-9" in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = reporter.post(
        "/publicity/XS-A-1-1/new/",
        {
            "title": "第一党支部主题教育专题研讨做法",
            "type": "经验做法",
            "date": "2026-11-26",
            "solicitation": "YG-9",
            "body": "支部围绕主题教育开展专题研讨。",
            "file": SimpleUploadedFile("现场.png", PNG, "image/png"),
        },
    )
    piece = Submission.objects.get()
    assert r.status_code == 302 and piece.solicitation == s and piece.attachments.count() == 1
    assert reporter.get(f"/publicity/submission/{piece.pk}/").status_code == 200
    # A future date is refused with the field named.
    r = reporter.post("/publicity/XS-A-1-1/new/", {"title": "主题教育", "type": "工作动态", "date": "2026-12-26"})
    assert "晚于今天" in r.content.decode()
    county = login(w.county_office)
    assert piece.title in county.get("/publicity/XS-A/review/").content.decode()
    assert reporter.get("/publicity/XS-A-1-1/review/").status_code == 403
    county.post(f"/publicity/submission/{piece.pk}/adopt/", {"level": "县", "quality": "4", "version": piece.version})
    piece.refresh_from_db()
    county.post(f"/publicity/submission/{piece.pk}/forward/", {"version": piece.version})
    piece.refresh_from_db()
    assert piece.review_org == w.city and piece.adopted_level == "县"
    city = login(w.city_office)
    body = city.get("/publicity/XS/review/").content.decode()
    assert piece.title in body
    detail = city.get(f"/publicity/submission/{piece.pk}/").content.decode()
    assert "转报" in detail and "中共A县委" in detail
    assert login(w.guide).get(f"/publicity/submission/{piece.pk}/").status_code == 404


def test_office_issues_a_solicitation_by_sector_and_sees_standing(world):
    w = world
    county = login(w.county_office)
    r = county.post(
        "/publicity/XS-A/solicitations/new/",
        {"topic": "学校系统主题教育经验", "deadline": "2026-11-30", "sectors": ["学校"]},
    )
    assert r.status_code == 302
    page = county.get(r["Location"]).content.decode()
    assert "A县教育局第一党支部" in page and "A县城关镇党支部" not in page
    assert login(w.branch_reporter).get("/publicity/XS-A-1-1/solicitations/new/").status_code == 403


def test_items_and_photo(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    reporter = login(world.branch_reporter)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = reporter.post(
        "/publicity/XS-A-1-1/items/new/",
        {
            "channel": "公共场所",
            "outlet": "城关广场",
            "title": "宣传栏",
            "date": "2026-11-20",
            "file": SimpleUploadedFile("a.png", PNG, "image/png"),
        },
    )
    assert r.status_code == 302
    item = PublicityItem.objects.get()
    assert item.attachments.count() == 1
    assert "宣传栏" in reporter.get("/publicity/XS-A-1-1/items/").content.decode()


def test_copies_page_runs_the_check_and_shows_both_passages(world):
    w = world
    actions.create_submission(
        actor=None, org=w.branch_a1a, title="主题教育心得", body=ORIGINAL, date=dt.date(2026, 11, 1)
    )
    actions.create_submission(
        actor=None, org=w.branch_a2, title="主题教育体会", body=LIGHT_EDIT, date=dt.date(2026, 11, 3)
    )
    county = login(w.county_office)
    assert county.post("/publicity/XS-A/copies/check/").status_code == 302
    pair = CopyPair.objects.get()
    listing = county.get("/publicity/XS-A/copies/").content.decode()
    # each side by its whole unit name and the kind of material it is
    assert f'{w.branch_a2.name} <span class="text-secondary">· 信息报送</span>' in listing
    assert f'{w.branch_a1a.name} <span class="text-secondary">· 信息报送</span>' in listing
    page = county.get(f"/publicity/copy/{pair.pk}/").content.decode()
    assert "<mark>" in page and "主动走访困难群众" in page
    assert login(w.branch_reporter).get(f"/publicity/copy/{pair.pk}/").status_code == 404  # A2's text is not theirs
    county.post(f"/publicity/copy/{pair.pk}/confirm/", {"note": ""})
    pair.refresh_from_db()
    assert pair.status == "已确认"

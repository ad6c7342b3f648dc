"""Issue 11's small fixes: static files compressed and cached, a favicon, the scorecard's API button."""

import gzip

from django.test import Client


def test_static_files_are_served_gzipped_and_cached():
    client = Client()
    plain = client.get("/static/tuijin/site.css")
    body = b"".join(plain.streaming_content) if plain.streaming else plain.content
    zipped = client.get("/static/tuijin/site.css", HTTP_ACCEPT_ENCODING="gzip")
    assert zipped.status_code == 200 and zipped["Content-Encoding"] == "gzip"
    raw = b"".join(zipped.streaming_content) if zipped.streaming else zipped.content
    assert gzip.decompress(raw) == body and len(raw) < len(body)
    assert "max-age=3600" in zipped["Cache-Control"]


def test_pages_are_not_gzipped_but_carry_a_favicon(world):
    client = Client()
    client.force_login(world.county_office)
    page = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in page  # pages carry CSRF tokens: never compressed (BREACH)
    assert 'rel="icon" href="/static/tuijin/favicon.svg"' in page.content.decode()
    assert client.get("/static/tuijin/favicon.svg").status_code == 200


def test_the_scorecard_points_integrators_to_the_api_docs(world):
    client = Client()
    client.force_login(world.county_office)
    page = client.get("/evaluation/XS-A/scorecard/").content.decode()
    assert "数据接口说明" in page and 'href="/api/v1/docs"' in page and "format=json" not in page


def test_task_rules_read_as_sentences_not_field_names():
    from tuijin.campaigns.models import Task

    def text(rule):
        return Task(rule=rule).rule_text

    assert (
        text({"count": "study_session", "where": {"form": "专题研讨"}, "at_least": 1})
        == "本组织集体学习至少 1 次，学习形式为专题研讨"
    )
    assert (
        text(
            {
                "count": "problem",
                "where": {"state": ["已销号", "待验收"], "is_special": True},
                "at_least": 3,
                "scope": "subtree",
            }
        )
        == "本组织及下级问题至少 3 个，整改状态为已销号或待验收，专项整治为是"
    )
    assert text({"count": "research_visit", "per": "leading_cadre", "at_least": 2}) == "每名领导干部调研至少 2 次"
    for rule in (
        {"count": "study_session", "where": {"form": "专题研讨"}, "at_least": 1},
        {"count": "person", "where": {"status": "正式党员"}, "at_least": 3},
    ):
        assert "=" not in text(rule) and "form" not in text(rule) and "status" not in text(rule)

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

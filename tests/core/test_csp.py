"""The strict Content-Security-Policy (issue 12, finding 1): sent on every response, and no template holds
what it would block. The browser side is tests/e2e/test_script_injection.py."""

import pathlib
import re

import pytest

import tuijin

TEMPLATES = sorted(pathlib.Path(tuijin.__file__).parent.glob("**/templates/**/*.html"))
BLOCKED = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "inline event handler": re.compile(r"<[^>]+\son[a-z]+\s*=", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"<[^>]+\sstyle\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


@pytest.mark.parametrize("url", ["/", "/login/", "/no-such-page/", "/api/v1/openapi.json", "/p/nothing/"])
def test_every_response_carries_the_policy(client, world, url):
    client.force_login(world.city_office)
    response = client.get(url)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_no_template_holds_what_the_policy_blocks():
    assert len(TEMPLATES) > 40
    found = [
        f"{path.relative_to(path.parents[2])}: {what}"
        for path in TEMPLATES
        for what, pattern in BLOCKED.items()
        if pattern.search(path.read_text())
    ]
    assert found == []


def test_a_query_parameter_over_the_limit_is_refused_in_chinese(client, world):
    client.force_login(world.city_office)
    page = client.get("/orgs/search/", {"q": "党" * 5000})
    assert page.status_code == 400 and "太长" in page.content.decode()
    api = client.get("/api/v1/orgs", {"q": "党" * 5000})
    assert api.status_code == 400 and api.json()["field"] == "q"

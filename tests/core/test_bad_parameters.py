"""Bad parameters are answered 400 or ignored, never 500 (issue 12, finding 9).

The URLs are generated, not listed by hand: every GET page of the URLconf (org codes filled with the
city's code, ids with a real or missing id) and every GET operation of the OpenAPI schema, each sent
the cases the attacker tried: a `page` past 2**63, a 50,000-character `q`, a `rank` that names an
indicator no ranking uses, and a date that is not one.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tuijin.api.api import api

HUGE_PAGE = str(2**63 + 5)
LONG_Q = "党" * 50_000
CASES = {
    "page-past-2^63": {"page": HUGE_PAGE},
    "page-negative": {"page": "-3"},
    "page-not-a-number": {"page": "１二三"},
    "q-50000-chars": {"q": LONG_Q},
    "rank-not-a-ranking": {"rank": "XS-C01"},
    "as_of-not-a-date": {"as_of": "2026-13-45"},
    "org-and-page-past-2^63": {"org": "XS", "page": HUGE_PAGE, "page_size": "1"},
    "nul-character": {"q": "党\x00", "org": "X\x00S", "as_of": "2026-11-\x0027"},  # PostgreSQL refuses NUL
    "everything-at-once": {"page": HUGE_PAGE, "q": LONG_Q, "rank": "XS-C01", "sub_org": "XS-Z", "status": "x" * 300},
}
SKIP = {"logout/", "login/", "api/v1/docs", "api/v1/openapi.json", "api/v1/"}


def _patterns(resolver=None, prefix=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def _fill(route, world):
    route = re.sub(r"<str:code>", world.city.code, route)
    route = re.sub(r"<(int:)?pk>|<int:\w+>", "1", route)
    route = re.sub(r"<(?:str:|slug:)?\w+>", "x", route)
    return "/" + route


def page_urls(world):
    return sorted(
        {
            _fill(r, world)
            for r in _patterns()
            if r not in SKIP and not r.startswith("api/") and ".xlsx" not in r and not r.startswith("p/")
        }
    )


def api_urls(world):
    schema = api.get_openapi_schema()
    return sorted(
        {
            re.sub(r"\{code\}", world.city.code, re.sub(r"\{pk\}|\{\w*id\}", "1", path))
            for path, ops in schema["paths"].items()
            if "get" in ops
        }
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_no_list_page_or_api_answers_a_bad_parameter_with_a_server_error(client, world, case):
    client.force_login(world.city_office)
    client.raise_request_exception = False
    failures = []
    for url in page_urls(world) + [re.sub(r"\{\w+\}", "x", u) for u in api_urls(world)]:
        response = client.get(url, CASES[case])
        if response.status_code >= 500:
            failures.append(f"{url} -> {response.status_code}")
    assert failures == [], "\n".join(failures)


def test_the_url_lists_really_cover_the_list_pages_and_apis(world):
    pages, apis = page_urls(world), api_urls(world)
    assert {"/orgs/XS/people/", "/problems/XS/", "/evaluation/XS/", "/research/XS/projects/"} <= set(pages)
    assert "/api/v1/problems" in apis and "/api/v1/people" in apis


@pytest.fixture
def evidence_targets(world):
    """The two evidence upload endpoints of the API, each with a record of county A's branch."""
    import datetime as dt

    from tuijin.rectification.actions import create_problem
    from tuijin.research.actions import create_project

    problem = create_problem(
        actor=None,
        org=world.branch_a1a,
        description="学用脱节",
        source="集体查",
        found_on=dt.date(2026, 10, 8),
        deadline=dt.date(2026, 12, 20),
    )
    project = create_project(actor=None, org=world.branch_a1a, name="修缮便民服务站", listed_on=dt.date(2026, 10, 1))
    return [
        f"/api/v1/problems/{problem.pk}/evidence",
        f"/api/v1/research/projects/{project.pk}/evidence",
        f"/problems/item/{problem.pk}/evidence/",
        f"/research/project/{project.pk}/evidence/",
    ]


@pytest.mark.parametrize("persona, status", [("county_office", 400), ("branch_reporter", 400), ("guide", 404)])
def test_a_multipart_upload_without_boundary_is_scope_checked_then_refused(
    client, world, evidence_targets, persona, status
):
    client.force_login(getattr(world, persona))
    client.raise_request_exception = False
    for url in evidence_targets:
        response = client.generic("POST", url, b"--x\r\nnot really multipart", content_type="multipart/form-data")
        assert response.status_code == status, url


def test_a_nul_character_in_a_parameter_or_a_json_body_is_400(client, world):
    """PostgreSQL refuses NUL in any text it compares (a 500 before); SQLite would take it."""
    from tuijin.orgs.actions import issue_api_token

    client.force_login(world.city_office)
    assert client.get("/problems/XS/", {"q": "会议\x00"}).status_code == 400
    token = issue_api_token(actor=None, user=world.city_office)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/problems", {"org": "X\x00S"}, **auth).status_code == 400
    response = client.post(
        "/api/v1/publicity/copies/check", '{"org": "X\\u0000S"}', content_type="application/json", **auth
    )
    assert response.status_code == 400 and "空字符" in response.json()["detail"]
    # a JSON body without one still reaches the view (here: an org that does not exist is 404)
    assert (
        client.post(
            "/api/v1/publicity/copies/check", '{"org": "NOPE"}', content_type="application/json", **auth
        ).status_code
        == 404
    )

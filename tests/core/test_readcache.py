"""Reads kept until the next recorded change (core/readcache.py, issue 15).

A kept page body or API list is served only at the version it was computed at: the audit chain's head
(every recorded write moves it), the date and the counters' rebuild. Each user has their own; what is
written without an event (the user's failed imports) and the CSRF token are filled in per request."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.template import RequestContext, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tuijin.core import readcache
from tuijin.evaluation.jobs import take_snapshot
from tuijin.imports.models import ImportJob
from tuijin.orgs.actions import issue_api_token, update_person
from tuijin.rectification.actions import create_problem

from tests.conftest import refresh


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def problem_queries(client, url):
    """(status, queries on the problems table) of one GET."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response, [q["sql"] for q in ctx.captured_queries if "rectification_problem" in q["sql"]]


def test_the_problem_list_is_computed_once_per_change(client, world, as_of):
    client.force_login(world.county_office)
    create_problem(actor=None, org=world.branch_a1a, description="台账不全", source="集体查", found_on=as_of)
    first, queries = problem_queries(client, "/problems/XS-A/")
    assert first.status_code == 200 and "台账不全" in first.content.decode() and queries
    again, queries = problem_queries(client, "/problems/XS-A/")
    assert again.status_code == 200 and queries == [], "read back, not computed again"
    assert "台账不全" in again.content.decode()

    create_problem(actor=None, org=world.branch_a1a, description="会议记录缺页", source="集体查", found_on=as_of)
    after, queries = problem_queries(client, "/problems/XS-A/")
    assert queries and "会议记录缺页" in after.content.decode() and "台账不全" in after.content.decode()


def test_each_user_has_their_own_page_and_scope_is_still_checked(client, world):
    client.force_login(world.city_office)
    city = client.get("/orgs/XS-A/").content.decode()
    client.force_login(world.county_office)
    county = client.get("/orgs/XS-A/").content.decode()
    assert "中共X市委" in city and "中共X市委" not in county.split("<main", 1)[1], "the county sees no city above it"
    assert client.get("/orgs/XS-B/").status_code == 404
    client.force_login(world.city_office)
    main = client.get("/orgs/XS-A/").content.decode().split("<main", 1)[1]
    assert main == city.split("<main", 1)[1], "read back for the city office (the logout form's token differs)"


def test_a_revoked_grant_closes_the_kept_pages_at_once(client, world):
    from tuijin.orgs.actions import revoke_role

    client.force_login(world.county_office)
    for _ in range(2):
        assert client.get("/problems/XS-A/").status_code == 200
        assert client.get("/orgs/XS-A/").status_code == 200
    revoke_role(actor=None, grant=world.county_office.grants.get())
    assert client.get("/problems/XS-A/").status_code == 404
    assert client.get("/orgs/XS-A/").status_code == 404


def test_the_failed_imports_are_read_on_every_view(client, world):
    client.force_login(world.county_office)
    assert "导入有错误" not in client.get("/").content.decode()
    ImportJob.objects.create(
        user=world.county_office,
        kind="orgs",
        filename="坏表.xlsx",
        status="failed",
        created_at=timezone.now(),
        errors=[{"row": 2, "message": "x"}],
    )  # the worker: no event
    page = client.get("/").content.decode()
    assert "导入有错误：坏表.xlsx" in page


def test_the_api_list_follows_a_write_and_still_checks_the_token(client, world):
    token = issue_api_token(actor=None, user=world.county_office)
    headers = {"Authorization": f"Bearer {token}"}
    url = "/api/v1/people?org=XS-A-1-1"
    first = client.get(url, headers=headers).json()
    assert client.get(url, headers=headers).json() == first
    person = refresh(world.p_a1a[0])
    update_person(person, actor=world.county_office, version=person.version, post="组织委员")
    posts = {p["number"]: p["post"] for p in client.get(url, headers=headers).json()["items"]}
    assert posts[person.number] == "组织委员"
    assert client.get(url, headers={"Authorization": "Bearer tj_wrong"}).status_code == 401
    client.force_login(world.guide)  # another user: their own answer (XS-A is outside the group's scope)
    assert client.get(url).status_code == 404


def test_the_counters_rebuild_changes_the_version(world):
    before = readcache.version()
    take_snapshot(dt.date(2026, 11, 27))  # the daily job: no event recorded
    assert readcache.version() != before


def test_a_kept_body_carries_each_browsers_own_csrf_token(world):
    template = Template("{% load tuijin_readcache %}{% readcache %}<form>{% csrf_token %}</form>{% endreadcache %}")
    hits = []

    def view(request):
        body = readcache.page_body(request, "test")
        hits.append(body.hit)
        return HttpResponse(template.render(RequestContext(request, {"readcache": body})))

    factory, tokens = RequestFactory(), []
    for cookie in ("a" * 32, "b" * 32):
        request = factory.get("/x/")
        request.user = world.county_office
        request.COOKIES["csrftoken"] = cookie
        CsrfViewMiddleware(lambda r: HttpResponse()).process_request(request)
        html = readcache.ReadVersion(view)(request).content.decode()
        tokens.append((cookie, html.split('value="')[1].split('"')[0]))
    assert hits == [False, True], "the second browser is served the kept body"
    for cookie, token in tokens:
        post = factory.post("/x/", {"csrfmiddlewaretoken": token})
        post.COOKIES["csrftoken"] = cookie
        middleware = CsrfViewMiddleware(lambda r: HttpResponse())
        middleware.process_request(post)
        assert middleware.process_view(post, lambda r: HttpResponse(), (), {}) is None, "the token is accepted"
    assert tokens[0][1] != tokens[1][1]


def test_nothing_is_kept_for_a_write(client, world):
    request = RequestFactory().post("/x/")
    request.user = world.county_office
    assert readcache.ReadVersion(lambda r: HttpResponse(str(readcache.active())))(request).content == b"False"


def test_off_when_the_setting_is_zero(client, world, settings, as_of):
    settings.TUIJIN_READ_CACHE_SECONDS = 0
    client.force_login(world.county_office)
    client.get("/problems/XS-A/")
    _, queries = problem_queries(client, "/problems/XS-A/")
    assert queries

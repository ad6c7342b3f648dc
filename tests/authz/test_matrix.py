"""The authorization matrix (SPEC §1): every persona × every page and endpoint × objects in and out of scope.

An object outside the persona's scope answers 404 — never 403, never 200 — so a URL does not even
tell whether the object exists. Lists and searches show exactly the in-scope rows. Anonymous
visitors are sent to the login page; the API answers them 401.

The tests are generated from the tables below, one test id per case, e.g.
``county_office-org_detail-XS-B-1``. A new module extends the matrix by adding rows, not tests:

* A page or API endpoint about one object: add an ``Endpoint`` to OBJECT_ENDPOINTS. Its url has
  ``{}`` where the object's code or number goes; ``kind`` names the objects it is tried with (a key
  of OBJECTS). If it lists things (children, people, rows of an export), give ``listed`` (what the
  response shows, as codes/numbers) and ``expected`` (what it would show someone who sees
  everything); the test checks it shows exactly the expected rows this persona may see.
* A new kind of object (problems, study records, …): create a few in the ``city`` fixture (in and
  out of each persona's scope), add their labels to OBJECTS and to the SEES set of every persona
  that may see them. If its URLs carry a database id, add to URL_VALUE how a label becomes one.
* A page with no object (a dashboard, an upload page): add a ``Page`` with the status each
  persona gets; personas not named get 404.
* A list or search across the scope: add a ``Listing`` with the queries to try and ``matches``
  (which rows answer the query, scope ignored).
* A change (PATCH/POST): add a ``Change``, and in MAY the objects each persona may change. A
  persona that sees the object but may not change it gets 403; one that cannot see it gets 404.

SEES is written out by hand from the tree drawn in tests/conftest.py. It is the specification the
scope code is checked against: never compute it with visible_to().
"""
import inspect
import io
from dataclasses import dataclass, field
from typing import Callable

import pytest
from django.db import transaction
from django.test import override_settings
from python_calamine import CalamineWorkbook

import tests.conftest as shared
from tuijin.campaigns.actions import load_campaign
from tuijin.orgs.actions import issue_api_token
from tuijin.orgs.models import Org, Person

# ------------------------------------------------------------------ who sees what

ORGS = ["XS", "XS-A", "XS-A-1", "XS-A-1-1", "XS-A-1-2", "XS-A-2", "XS-B", "XS-B-1"]
PEOPLE = ["A1A1", "A1A2", "A1A3", "A1B1", "A1B2", "A1C1", "B1P1"]
OBJECTS = {"org": ORGS, "person": PEOPLE}

COUNTY_A = {"XS-A", "XS-A-1", "XS-A-1-1", "XS-A-1-2", "XS-A-2", "A1A1", "A1A2", "A1A3", "A1B1", "A1B2", "A1C1"}
NOTHING = frozenset()
SEES = {
    "city_office": set(ORGS) | COUNTY_A | {"B1P1"},
    "county_office": COUNTY_A,
    "branch_reporter": {"XS-A-1-1", "A1A1", "A1A2", "A1A3"},
    "guide": {"XS-B", "XS-B-1", "B1P1"},
    "member": {"XS-A-1-1", "A1A1"},                 # own org and own record
    "committee_member": {"XS-A-1", "A1C1"},         # a member whose org has orgs below it
    "outsider": NOTHING,
    "sysadmin": NOTHING,
    "secadmin": NOTHING,
    "auditadmin": NOTHING,
}
PERSONAS = list(SEES)
BUSINESS = ["city_office", "county_office", "branch_reporter", "guide"]
MEMBERS = ["member", "committee_member"]

# people.manage: offices over their subtree, a unit over its own org
MAY = {
    "patch_person": {
        "city_office": SEES["city_office"],
        "county_office": COUNTY_A,
        "branch_reporter": {"A1A1", "A1A2", "A1A3"},
    },
}

# ------------------------------------------------------------------ what the truth is, scope ignored


def _tree():
    return {code: parent for code, parent in Org.objects.filter(active=True).values_list("code", "parent__code")}


def orgs_under(code):
    """The org and every active org below it, found by following parents (not paths)."""
    tree, found = _tree(), {code}
    while True:
        more = {c for c, parent in tree.items() if parent in found} - found
        if not more:
            return found
        found |= more


def children_of(code):
    return {c for c, parent in _tree().items() if parent == code}


def people_in(code):
    return set(Person.objects.filter(org__code=code, active=True).values_list("number", flat=True))


def people_under(code):
    return set(Person.objects.filter(org__code__in=orgs_under(code), active=True).values_list("number", flat=True))


def orgs_matching(text):
    return {o.code for o in Org.objects.all() if not text or text in o.name or o.code.lower() == text.lower()}


def people_matching(text):
    return {p.number for p in Person.objects.all() if not text or text in p.name or p.number.lower() == text.lower()}


def orgs_with_parent(code):
    return set(Org.objects.filter(parent__code=code).values_list("code", flat=True))


def orgs_of_kind(kind):
    return set(Org.objects.filter(kind=kind).values_list("code", flat=True))

# ------------------------------------------------------------------ what a response shows


def children_listed(response):
    return {child.code for child, _counts in response.context["children"]}


def people_listed(response):
    return {p.number for p in response.context["page"]}


def first_column(response):
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    return {str(row[0]) for row in rows[1:] if row and row[0]}


def api_items(key):
    def listed(response):
        body = response.json()
        assert body["count"] == len(body["items"]), "the matrix's lists fit on one page"
        return {item[key] for item in body["items"]}
    return listed


def search_results(key, attr):
    def listed(response):
        return {getattr(row, attr) for row in response.context[key]}
    return listed

# ------------------------------------------------------------------ the rows


# How an object's label becomes the value in its URLs: codes and numbers stand for themselves.
URL_VALUE = {"org": str, "person": str}


def url_for(row, label):
    return row.url.format(URL_VALUE[row.kind](label))


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str                                  # "{}" is replaced by the object's URL value
    kind: str                                 # key of OBJECTS: which objects it is tried with
    listed: Callable | None = None            # response -> codes/numbers it shows
    expected: Callable | None = None          # object -> what it shows someone who sees everything


OBJECT_ENDPOINTS = [
    Endpoint("org_detail", "/orgs/{}/", "org", children_listed, children_of),
    Endpoint("org_people", "/orgs/{}/people/", "org", people_listed, people_in),
    Endpoint("org_people_subtree", "/orgs/{}/people/?subtree=1", "org", people_listed, people_under),
    Endpoint("export_orgs", "/orgs/{}/export/orgs/", "org", first_column, orgs_under),
    Endpoint("export_people", "/orgs/{}/export/people/", "org", first_column, people_under),
    Endpoint("person_detail", "/orgs/person/{}/", "person"),
    Endpoint("api_org", "/api/v1/orgs/{}", "org"),
    Endpoint("api_people_of_org", "/api/v1/people?org={}", "org", api_items("number"), people_under),
    Endpoint("api_people_of_org_only", "/api/v1/people?org={}&subtree=false", "org", api_items("number"), people_in),
    Endpoint("api_person", "/api/v1/people/{}", "person"),
]


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    status: dict = field(default_factory=dict)   # persona -> status; everyone else gets 404


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


PAGES = [
    Page("home", "/", everyone(200)),
    Page("orgs_root", "/orgs/", dict.fromkeys(BUSINESS, 302)),          # straight to the one root
    Page("campaign", "/campaign/", dict.fromkeys(BUSINESS + MEMBERS, 200)),
    Page("campaign_task", "/campaign/task/T1/", dict.fromkeys(BUSINESS, 200)),
    Page("imports", "/imports/", dict.fromkeys(BUSINESS, 200)),
    Page("import_template", "/imports/template/orgs/", everyone(200)),  # a blank sheet, no data
]


@dataclass(frozen=True)
class Listing:
    name: str
    url: str                                  # "{}" is replaced by the query
    queries: dict                             # test id -> query
    listed: Callable                          # response -> codes/numbers it shows
    matches: Callable                         # query -> codes/numbers that answer it, scope ignored


ORG_QUERIES = {"county": "县", "branch": "党支部", "code": "xs-b"}
PEOPLE_QUERIES = {"surname": "甲", "given_name": "一", "number": "a1c1"}
LISTINGS = [
    Listing("search_orgs", "/orgs/search/?q={}", ORG_QUERIES, search_results("orgs", "code"), orgs_matching),
    Listing("search_people", "/orgs/search/?q={}", PEOPLE_QUERIES, search_results("people", "number"),
            people_matching),
    Listing("api_orgs", "/api/v1/orgs?q={}", {"all": ""} | ORG_QUERIES, api_items("code"), orgs_matching),
    Listing("api_orgs_by_parent", "/api/v1/orgs?parent={}", {"XS": "XS", "XS-A": "XS-A", "XS-A-1": "XS-A-1"},
            api_items("code"), orgs_with_parent),
    Listing("api_orgs_by_kind", "/api/v1/orgs?kind={}", {"committee": "党委", "branch": "党支部"},
            api_items("code"), orgs_of_kind),
    Listing("api_people", "/api/v1/people?q={}", {"all": ""} | PEOPLE_QUERIES, api_items("number"),
            people_matching),
]


@dataclass(frozen=True)
class Change:
    name: str                                 # key of MAY
    method: str
    url: str
    kind: str
    body: Callable                            # label -> request body
    applied: Callable                         # label -> whether the change reached the database


def person_patch(number):
    return {"version": Person.objects.get(number=number).version, "post": "矩阵测试委员"}


def person_patched(number):
    return Person.objects.get(number=number).post == "矩阵测试委员"


CHANGES = [
    Change("patch_person", "patch", "/api/v1/people/{}", "person", person_patch, person_patched),
]

# ------------------------------------------------------------------ fixtures and helpers

CAMPAIGN = """
[campaign]
name = "权限矩阵测试主题教育"
start = 2026-09-01
end = 2027-01-31
root = "XS"

[[task]]
code = "T1"
title = "每个党支部正式党员不少于3名"
applies_to = { kind = ["党支部"] }
deadline = 2026-12-31
rule = { count = "person", where = { status = "正式党员" }, at_least = 3 }
"""


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The conftest world, plus a campaign and one more persona, built once for the whole matrix.

    It lives in a transaction rolled back after the module; every test runs in a savepoint inside
    it (pytest-django's usual wrapping), so a test's changes never reach the next one.
    """
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing, transaction.atomic():
        world = inspect.unwrap(shared.world)(db=None)
        load_campaign(CAMPAIGN, actor=None)
        users = {name: getattr(world, name) for name in world.personas}
        users["committee_member"] = shared.make_user("committee_member", "member", person=world.cadre)
        for user in users.values():
            user.api_token = issue_api_token(actor=None, user=user)
        yield users
        transaction.set_rollback(True)


@pytest.fixture
def users(city, db):
    return city


def is_api(url):
    return url.startswith("/api/")


def request_as(client, user, url, method="get", body=None):
    headers = {}
    if is_api(url):
        headers["Authorization"] = f"Bearer {user.api_token}"
    else:
        client.force_login(user)
    if body is None:
        return getattr(client, method)(url, headers=headers)
    return getattr(client, method)(url, body, content_type="application/json", headers=headers)


def cases(rows, make):
    return [case for persona in PERSONAS for row in rows for case in make(persona, row)]


# ------------------------------------------------------------------ the tests


def test_the_matrix_names_every_persona_of_the_world(users):
    assert set(users) == set(PERSONAS)


@pytest.mark.parametrize("persona, endpoint, obj", cases(OBJECT_ENDPOINTS, lambda persona, e: [
    pytest.param(persona, e, obj, id=f"{persona}-{e.name}-{obj}") for obj in OBJECTS[e.kind]]))
def test_an_object_is_shown_in_scope_and_is_404_outside(client, users, persona, endpoint, obj):
    response = request_as(client, users[persona], url_for(endpoint, obj))
    if obj not in SEES[persona]:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    if endpoint.listed:
        assert endpoint.listed(response) == endpoint.expected(obj) & SEES[persona]


@pytest.mark.parametrize("persona, page", cases(PAGES, lambda persona, p: [
    pytest.param(persona, p, id=f"{persona}-{p.name}")]))
def test_a_page_answers_each_persona_as_the_table_says(client, users, persona, page):
    response = request_as(client, users[persona], page.url)
    assert response.status_code == page.status.get(persona, 404)


@pytest.mark.parametrize("persona, listing, query", cases(LISTINGS, lambda persona, li: [
    pytest.param(persona, li, q, id=f"{persona}-{li.name}-{label}") for label, q in li.queries.items()]))
def test_a_list_shows_exactly_the_rows_in_scope(client, users, persona, listing, query):
    response = request_as(client, users[persona], listing.url.format(query))
    assert response.status_code == 200
    assert listing.listed(response) == listing.matches(query) & SEES[persona]


@pytest.mark.parametrize("persona, change, obj", cases(CHANGES, lambda persona, c: [
    pytest.param(persona, c, obj, id=f"{persona}-{c.name}-{obj}") for obj in OBJECTS[c.kind]]))
def test_a_change_is_404_outside_scope_and_403_without_the_permission(client, users, persona, change, obj):
    response = request_as(client, users[persona], url_for(change, obj), change.method, change.body(obj))
    if obj not in SEES[persona]:
        expected = 404
    elif obj not in MAY[change.name].get(persona, NOTHING):
        expected = 403
    else:
        expected = 200
    assert response.status_code == expected
    assert change.applied(obj) == (expected == 200)


def _anonymous_cases():
    urls = [(e.name, "get", url_for(e, OBJECTS[e.kind][0])) for e in OBJECT_ENDPOINTS]
    urls += [(p.name, "get", p.url) for p in PAGES]
    urls += [(li.name, "get", li.url.format(list(li.queries.values())[-1])) for li in LISTINGS]
    urls += [(c.name, c.method, url_for(c, OBJECTS[c.kind][0])) for c in CHANGES]
    return [pytest.param(method, url, id=f"anonymous-{name}") for name, method, url in urls]


@pytest.mark.parametrize("method, url", _anonymous_cases())
def test_anonymous_visitors_are_sent_to_login_and_the_api_answers_401(client, users, method, url):
    response = getattr(client, method)(url)
    if is_api(url):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")

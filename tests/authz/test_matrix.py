"""The authorization matrix (SPEC §1), organizations and people, the campaign, the home page and the
imports pages: every persona × every page and endpoint × objects in and out of scope.

The rules, the personas' scopes (SEES) and the kinds of rows are in tests/authz/matrix.py; the data
in tests/authz/conftest.py. The other modules' rows are in the test_matrix_*.py files next to this one,
and test_matrix_coverage.py fails when a URL of the project has no row anywhere.

The tests are generated from the tables below, one test id per case, e.g.
``county_office-org_detail-XS-B-1``.
"""

from tests.conftest import PASSWORD
from tuijin.orgs.models import Org, Person

from .conftest import IMPORT_JOB
from .matrix import (
    BUSINESS,
    MANAGES,
    MEMBERS,
    OBJECTS,
    PERSONAS,
    SEES,
    Change,
    Endpoint,
    Listing,
    Page,
    anonymous_test,
    api_items,
    change_test,
    children_of,
    everyone,
    first_column,
    listing_test,
    object_test,
    only,
    orgs_under,
    page_test,
)

# ------------------------------------------------------------------ what the truth is, scope ignored


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


def search_results(key, attr):
    def listed(response):
        return {getattr(row, attr) for row in response.context[key]}

    return listed


# ------------------------------------------------------------------ the rows


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

PAGES = [
    Page("home", "/", everyone(200)),
    Page("password_change", "/password/", everyone(200)),  # one's own password: every account
    # One's own second login step (TOTP): enrolment or its status page, and the code page, which sends an
    # account without an authenticator to enrolment and a verified one on to where it was going.
    Page("mfa_setup", "/account/mfa/", everyone(200)),
    Page("mfa_verify", "/login/verify/", everyone(302)),
    Page("orgs_root", "/orgs/", dict.fromkeys(BUSINESS, 302)),  # straight to the one root
    Page("campaign", "/campaign/", dict.fromkeys(BUSINESS + MEMBERS, 200)),
    Page("campaign_task", "/campaign/task/T1/", dict.fromkeys(BUSINESS, 200)),
    Page("imports", "/imports/", dict.fromkeys(BUSINESS, 200)),
    Page("import_template", "/imports/template/orgs/", everyone(200)),  # a blank sheet, no data
    # a web import's progress page and fragment: only the uploader's own (the office above it too gets 404)
    Page("import_job", f"/imports/jobs/{IMPORT_JOB}/", {"county_office": 200}),
    Page("import_job_status", f"/imports/jobs/{IMPORT_JOB}/status/", {"county_office": 200}),
    # 不再提示 on the uploader's own job only (a finished job is refused with a message: back to its page)
    Page("import_job_dismiss", f"/imports/jobs/{IMPORT_JOB}/dismiss/", {"county_office": 302}, method="post"),
]

ORG_QUERIES = {"county": "县", "branch": "党支部", "code": "xs-b"}
PEOPLE_QUERIES = {"surname": "甲", "given_name": "一", "number": "a1c1"}
LISTINGS = [
    Listing("search_orgs", "/orgs/search/?q={}", ORG_QUERIES, search_results("orgs", "code"), orgs_matching),
    Listing("search_people", "/orgs/search/?q={}", PEOPLE_QUERIES, search_results("people", "number"), people_matching),
    Listing("api_orgs", "/api/v1/orgs?q={}", {"all": ""} | ORG_QUERIES, api_items("code"), orgs_matching),
    Listing(
        "api_orgs_by_parent",
        "/api/v1/orgs?parent={}",
        {"XS": "XS", "XS-A": "XS-A", "XS-A-1": "XS-A-1"},
        api_items("code"),
        orgs_with_parent,
    ),
    Listing(
        "api_orgs_by_kind",
        "/api/v1/orgs?kind={}",
        {"committee": "党委", "branch": "党支部"},
        api_items("code"),
        orgs_of_kind,
    ),
    Listing("api_people", "/api/v1/people?q={}", {"all": ""} | PEOPLE_QUERIES, api_items("number"), people_matching),
]


def person_patch(number):
    return {"version": Person.objects.get(number=number).version, "post": "矩阵测试委员"}


def person_patched(number):
    return Person.objects.get(number=number).post == "矩阵测试委员"


CHANGES = [
    # people.manage: offices over their subtree, a unit over its own org
    Change("patch_person", "patch", "/api/v1/people/{}", "person", person_patch, person_patched, may=MANAGES),
    # one's own password, whoever one is: the snapshot sees the stored hash change
    Change(
        "password_change",
        "post",
        "/password/",
        "site",
        lambda label: {
            "old_password": PASSWORD,
            "new_password1": "Matrix-neu-passw0rd",
            "new_password2": "Matrix-neu-passw0rd",
        },
        sees=only(*PERSONAS),
        ok=302,
    ),
    # One's own TOTP step, with a wrong code: every account answers the same and nothing is written (the
    # admin roles are already verified and enrolled here; the others have no authenticator).
    Change(
        "mfa_setup_wrong_code",
        "post",
        "/account/mfa/",
        "site",
        lambda label: {"token": "000000"},
        sees=only(*PERSONAS),
        ok=200,
        writes=False,
    ),
    Change(
        "mfa_verify_wrong_code",
        "post",
        "/login/verify/",
        "site",
        lambda label: {"token": "000000"},
        sees=only(*PERSONAS),
        ok=302,
        writes=False,
    ),
]

# ------------------------------------------------------------------ the tests


def test_the_matrix_names_every_persona_of_the_world(users):
    assert set(users) == set(SEES)


def test_every_kind_of_object_exists_once_per_label(users):
    from .matrix import URL_VALUE

    for kind, labels in OBJECTS.items():
        for label in labels:
            if kind not in ("token", "site"):
                URL_VALUE[kind](label)  # .get(): exactly one


test_an_object_is_shown_in_scope_and_is_404_outside = object_test(OBJECT_ENDPOINTS)
test_a_page_answers_each_persona_as_the_table_says = page_test(PAGES)
test_a_list_shows_exactly_the_rows_in_scope = listing_test(LISTINGS)
test_a_change_is_404_outside_scope_and_403_without_the_permission = change_test(CHANGES)
test_anonymous_visitors_are_sent_to_login_and_the_api_answers_401 = anonymous_test(
    objects=OBJECT_ENDPOINTS, pages=PAGES, listings=LISTINGS, changes=CHANGES
)

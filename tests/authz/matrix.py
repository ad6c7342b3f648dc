"""The machinery of the authorization matrix (SPEC §1): who sees what, the kinds of rows, and the tests
they generate. The tables themselves live in the test_matrix*.py files next to this one.

An object outside the persona's scope answers 404 — never 403, never 200 — so a URL does not even
tell whether the object exists. Lists and searches show exactly the in-scope rows. A change out of
scope is 404 and changes nothing in the database; in scope without the permission it is refused
(403, or for the one-button page actions a redirect back with the error shown) and changes nothing.
Anonymous visitors are sent to the login page; the API answers them 401.

A module extends the matrix by adding rows, not tests:

* A page or API endpoint about one object: an ``Endpoint``. Its url has ``{}`` where the object's
  code, number or id goes; ``kind`` names the objects it is tried with (a key of OBJECTS). If it
  lists things, give ``listed`` (what the response shows, as labels) and ``expected`` (what it would
  show someone who sees everything); the test checks it shows exactly the expected rows this persona
  may see. ``also`` adds more (listed, expected) pairs for the same response.
* A page with no object (a dashboard, an upload page): a ``Page`` with the status each persona gets;
  personas not named get 404.
* A list across the whole scope: a ``Listing`` with the queries to try and ``matches`` (which rows
  answer the query, scope ignored).
* A change (POST/PATCH): a ``Change``, with ``may`` (the objects each persona may change; None: all
  it sees). The test snapshots the database before and after: a refused change leaves it identical.

``sees`` on a row replaces SEES where a page needs more than seeing the object (the study pages of an
org need a business scope: a party member sees their own org, but not its study records).

SEES and MAY are written out by hand from the tree drawn in tests/conftest.py and the records listed
in tests/authz/conftest.py. They are the specification the scope code is checked against: never
compute them with visible_to().
"""

import io
import json
from dataclasses import dataclass, field
from collections.abc import Callable

import pytest
from django.conf import settings
from django.db import connection
from django.core.files.uploadedfile import SimpleUploadedFile
from python_calamine import CalamineWorkbook

from tuijin.campaigns.models import Chapter, ReadingItem
from tuijin.core.models import DomainEvent
from tuijin.evaluation.models import BriefingDoc
from tuijin.orgs.models import Org, Person, RoleGrant, User
from tuijin.publicity.models import (
    Attachment,
    CopyPair,
    PublicityItem,
    Review,
    Solicitation,
    SolicitationTarget,
    Submission,
)
from tuijin.rectification.models import Evidence, InstitutionRule, Measure, Problem, PublicItem, Rating, SelfCheck
from tuijin.research.models import Finding, Project, ProjectEvidence, ResearchVisit
from tuijin.study.models import Attendance, SelfStudy, SessionEvidence, StudySession

from .conftest import PDF, PNG

# ------------------------------------------------------------------ the objects, by label

ORGS = ["XS", "XS-A", "XS-A-1", "XS-A-1-1", "XS-A-1-2", "XS-A-2", "XS-B", "XS-B-1"]
PEOPLE = ["A1A1", "A1A2", "A1A3", "A1B1", "A1B2", "A1C1", "B1P1"]
PROBLEMS = ["MX-A11", "MX-A12", "MX-B1", "MX-ESC"]
OBJECTS = {
    "org": ORGS,
    "person": PEOPLE,
    "problem": PROBLEMS,
    "problem_evidence": ["EV-A11.pdf", "EV-A12.pdf", "EV-B1.pdf", "EV-ESC.pdf"],
    "self_check": ["SC-A11", "SC-A12", "SC-B1"],  # 举一反三 suggestions (by pk)
    "self_check_at": ["SC-A11", "SC-A12", "SC-B1"],  # the same, addressed through their org's page (by code)
    "session": ["SS-A11", "SS-A12", "SS-B1"],
    "session_evidence": ["SE-A11.png", "SE-A12.png", "SE-B1.png"],
    "self_study": ["SL-A1A1", "SL-A1C1", "SL-A1B1", "SL-B1P1"],
    "visit": ["RV-A1A1", "RV-A1C1", "RV-B1P1"],
    "finding": ["FD-A1A1", "FD-A1C1", "FD-B1P1"],
    "project": ["PJ-A11", "PJ-A12", "PJ-B1"],
    "project_evidence": ["PE-A11.pdf", "PE-A12.pdf", "PE-B1.pdf"],
    "token": ["tok-problem", "tok-project", "tok-inactive", "tok-unknown"],
    "submission": ["IS-A11", "IS-A12", "IS-B1", "IS-XB"],
    "solicitation": ["YG-A", "YG-B"],
    "pitem": ["PI-A11", "PI-A12", "PI-B1"],
    "attachment": ["AT-A11.png", "AT-B1.png"],
    "copy": ["CP-A", "CP-B"],
    "account": ["spare"],
    "grant": ["spare"],
    "letter": ["LT-A11", "LT-B1"],  # reminder letters sent to XS-A-1-1 (county office), XS-B-1 (G1)
    "sample": ["SM-B1"],  # a sample of XS-B-1's study sessions (its seed is its label)
    "inspection_finding": ["IF-B1"],  # what G1's inspection of XS-B-1 found
    "group": ["G1"],  # the guidance group (assigned XS-B)
    "briefing": ["BR-XS", "BR-A", "BR-A-DRAFT", "BR-A11", "BR-B", "BR-B-DRAFT"],
    "site": ["site"],  # pages and changes about no object: the url has no {}
}
# Orgs the org-level pages of the new modules are tried with: for every persona at least one org in
# scope (the member's and the committee member's own orgs among them) and one out of it.
ORG_SAMPLE = ["XS", "XS-A-1", "XS-A-1-1", "XS-B"]


def _supervision(name):
    from tuijin.supervision import models  # GuidanceGroup is imported there from orgs

    return getattr(models, name)


# Briefings (tests/authz/conftest.py) are told apart by their as_of date, which never changes.
BRIEFING_DAYS = {label: f"2026-11-{n:02d}" for n, label in enumerate(OBJECTS["briefing"], start=1)}


def briefing_row(label):
    return BriefingDoc.objects.filter(as_of=BRIEFING_DAYS[label])


def _pk(model, **lookup):
    (key,) = lookup

    def value(label):
        return str(model.objects.get(**{key: label}).pk)

    return value


# How an object's label becomes the value in its URLs (called inside the test, with the database).
URL_VALUE = {
    "org": str,
    "person": str,
    "token": str,
    "account": str,
    "problem": _pk(Problem, number=""),
    "problem_evidence": _pk(Evidence, name=""),
    "self_check": _pk(SelfCheck, note=""),
    "self_check_at": lambda label: SelfCheck.objects.get(note=label).org.code,
    "session": _pk(StudySession, topic=""),
    "session_evidence": _pk(SessionEvidence, name=""),
    "self_study": _pk(SelfStudy, reflection=""),
    "visit": _pk(ResearchVisit, topic=""),
    "finding": _pk(Finding, text__startswith=""),
    "project": _pk(Project, name__startswith=""),
    "project_evidence": _pk(ProjectEvidence, name=""),
    "grant": _pk(RoleGrant, user__username=""),
    "letter": lambda label: str(_supervision("ReminderLetter").objects.get(title__startswith=label).pk),
    "sample": lambda label: str(_supervision("Sample").objects.get(seed=label).pk),
    "inspection_finding": lambda label: str(_supervision("InspectionFinding").objects.get(text__startswith=label).pk),
    "group": str,
    "briefing": lambda label: str(briefing_row(label).get().pk),
    "site": lambda label: "",
    "submission": _pk(Submission, title__startswith=""),
    "solicitation": _pk(Solicitation, number=""),
    "pitem": _pk(PublicityItem, title__startswith=""),
    "attachment": _pk(Attachment, name=""),
    "copy": _pk(CopyPair, note=""),
}
# What stands in for the value when a row's url is only resolved (the coverage test, no database).
SAMPLE_VALUE = {
    kind: ("1" if kind not in ("org", "person", "token", "account", "site") else OBJECTS[kind][0]) for kind in OBJECTS
} | {"site": ""}

# ------------------------------------------------------------------ who sees what

# What is recorded in each part of the tree (tests/authz/conftest.py), written out by hand.
IN_A11 = {
    "XS-A-1-1",
    "A1A1",
    "A1A2",
    "A1A3",
    "MX-A11",
    "EV-A11.pdf",
    "SS-A11",
    "SE-A11.png",
    "SL-A1A1",
    "RV-A1A1",
    "FD-A1A1",
    "PJ-A11",
    "PE-A11.pdf",
    "RULE-A11",
    "SC-A11",
    "IS-A11",
    "PI-A11",
    "AT-A11.png",
    "YG-A",
}  # YG-A: sent to XS-A-1-1 (by XS-A)
IN_A12 = {
    "XS-A-1-2",
    "A1B1",
    "A1B2",
    "MX-A12",
    "EV-A12.pdf",
    "SS-A12",
    "SE-A12.png",
    "SL-A1B1",
    "PJ-A12",
    "PE-A12.pdf",
    "IS-A12",
    "PI-A12",
    "SC-A12",
}
IN_A1 = {"XS-A-1", "A1C1", "MX-ESC", "EV-ESC.pdf", "SL-A1C1", "RV-A1C1", "FD-A1C1"}  # the unit itself
ESCALATED = {"MX-ESC", "EV-ESC.pdf"}  # found by XS-A-1-1, now owned by XS-A-1
COUNTY_A = {"XS-A", "XS-A-2"} | IN_A1 | IN_A11 | IN_A12
COUNTY_B = {
    "XS-B",
    "XS-B-1",
    "B1P1",
    "MX-B1",
    "EV-B1.pdf",
    "SS-B1",
    "SE-B1.png",
    "SL-B1P1",
    "RV-B1P1",
    "FD-B1P1",
    "PJ-B1",
    "PE-B1.pdf",
    "RULE-B1",
    "SC-B1",
    "IS-B1",
    "IS-XB",
    "PI-B1",
    "AT-B1.png",
    "YG-B",
}  # YG-B: sent to XS-B-1 (by XS)
NOTHING = frozenset()
SEES = {
    "city_office": {"XS"} | COUNTY_A | COUNTY_B,
    "county_office": COUNTY_A,
    "branch_reporter": IN_A11 | ESCALATED,  # its own org, and the problem it escalated
    "guide": COUNTY_B,  # the orgs assigned to group G1, with their subtrees
    "member": {"XS-A-1-1", "A1A1", "SL-A1A1", "RV-A1A1", "FD-A1A1"},  # own org, own records
    "committee_member": {"XS-A-1", "A1C1", "SL-A1C1", "RV-A1C1", "FD-A1C1"},  # a member whose org has orgs below
    "outsider": NOTHING,
    "sysadmin": NOTHING,
    "secadmin": NOTHING,
    "auditadmin": NOTHING,
}
PERSONAS = list(SEES)
BUSINESS = ["city_office", "county_office", "branch_reporter", "guide"]
MEMBERS = ["member", "committee_member"]
# Pages that need a business scope (office, unit, guidance group): a member sees none of it.
BUSINESS_SEES = {p: (SEES[p] if p in BUSINESS else NOTHING) for p in PERSONAS}

# records.manage (offices over their subtree, a unit over its own org only; a guidance group never):
# what each persona may change among what it sees. The escalated problem belongs to XS-A-1 now.
MANAGES = {
    "city_office": SEES["city_office"],
    "county_office": COUNTY_A,
    "branch_reporter": IN_A11,
}
# A member records their own self-study and research visits (and a unit or office anyone's it manages).
RECORDS = MANAGES | {
    "member": {"XS-A-1-1", "A1A1", "SL-A1A1", "RV-A1A1", "FD-A1A1"},
    "committee_member": {"XS-A-1", "A1C1", "SL-A1C1", "RV-A1C1", "FD-A1C1"},
}
# Reviewers of a higher level (close, send back, reopen): an office strictly above the owner org, or
# the guidance group assigned to it. Never the owner org itself.
REVIEWS = {
    "city_office": set(PROBLEMS) | {"PJ-A11", "PJ-A12", "PJ-B1"},
    "county_office": {"MX-A11", "MX-A12", "MX-ESC", "PJ-A11", "PJ-A12"},
    "guide": {"MX-B1", "PJ-B1"},
}
# Publishing for the public's rating: whoever rectifies it or reviews it.
PUBLISHES = {p: MANAGES.get(p, NOTHING) | REVIEWS.get(p, NOTHING) for p in PERSONAS}


def only(*personas, labels=("site",)):
    """A table for things without scope: these personas reach them, nobody else."""
    return {p: set(labels) for p in personas}


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


def label_of(text):
    """A record's matrix label: the first word of its name or text."""
    return str(text).split(" ")[0]


# ------------------------------------------------------------------ what a response shows


def sheet_rows(response):
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()


def column(header):
    """The values under `header` in the first sheet (the header row need not be the first)."""

    def listed(response):
        rows = sheet_rows(response)
        top = next(i for i, row in enumerate(rows) if header in [str(c).strip() for c in row])
        at = [str(c).strip() for c in rows[top]].index(header)
        return {label_of(row[at]) for row in rows[top + 1 :] if len(row) > at and str(row[at]).strip()}

    return listed


def first_column(response):
    rows = sheet_rows(response)
    return {str(row[0]) for row in rows[1:] if row and row[0]}


def api_items(key):
    def listed(response):
        body = response.json()
        assert body["count"] == len(body["items"]), "the matrix's lists fit on one page"
        return {label_of(item[key]) for item in body["items"]}

    return listed


def context_rows(key, attr):
    """Labels of the rows a page put in its context (a list, or a Paginator page)."""

    def listed(response):
        rows = response.context[key]
        return {label_of(getattr(row, attr)) for row in getattr(rows, "object_list", rows)}

    return listed


def context_orgs(key):
    def listed(response):
        return {o.code for o in response.context[key]}

    return listed


# ------------------------------------------------------------------ the rows


def url_for(row, label):
    return row.url.replace("{}", URL_VALUE[row.kind](label))


def sample_url(row):
    return row.url.replace("{}", SAMPLE_VALUE[row.kind])


@dataclass(frozen=True)
class Endpoint:
    name: str
    url: str  # "{}" is replaced by the object's URL value
    kind: str  # key of OBJECTS: which objects it is tried with
    listed: Callable | None = None  # response -> labels it shows
    expected: Callable | None = None  # object -> what it shows someone who sees everything
    labels: tuple | None = None  # the objects of the kind to try (default: all)
    sees: dict | None = None  # replaces SEES for this page
    may: dict | None = None  # in scope but not here: 403
    also: tuple = ()  # more (listed, expected) pairs on the same response
    check: Callable | None = None  # (persona, label, response) -> None, on a 200

    def objects(self):
        return self.labels or OBJECTS[self.kind]


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    status: dict = field(default_factory=dict)  # persona -> status; everyone else gets 404
    method: str = "get"


def everyone(status):
    return dict.fromkeys(PERSONAS, status)


@dataclass(frozen=True)
class Listing:
    name: str
    url: str  # "{}" is replaced by the query
    queries: dict  # test id -> query
    listed: Callable  # response -> labels it shows
    matches: Callable  # query -> labels that answer it, scope ignored


@dataclass(frozen=True)
class Change:
    name: str
    method: str
    url: str
    kind: str
    body: Callable = lambda label: {}  # label -> request body (form fields, or JSON for the API)
    applied: Callable | None = None  # label -> whether the change reached the database
    may: dict | None = None  # persona -> objects it may change (None: all it sees)
    labels: tuple | None = None
    sees: dict | None = None
    prepare: Callable | None = None  # label -> None: puts the object in the state the change needs
    files: Callable | None = None  # label -> uploaded files (a multipart request)
    ok: int = 200  # the status of a change that is made
    denied: int | dict = 403  # in scope, not allowed (a dict: per persona)
    writes: bool = True  # False: answers but never writes (a check, a preview)

    def objects(self):
        return self.labels or OBJECTS[self.kind]


# ------------------------------------------------------------------ requests


def is_api(url):
    return url.startswith("/api/")


def send(client, user, url, method="get", body=None, files=None):
    """A request as `user` (None: anonymous): a bearer token for the API, a session for the pages."""
    headers = {}
    if user is not None:
        if is_api(url):
            headers["Authorization"] = f"Bearer {user.api_token}"
        else:
            client.cookies[settings.SESSION_COOKIE_NAME] = user.session_cookie
    if files is not None or (body is not None and not is_api(url)):
        return getattr(client, method)(url, {**(body or {}), **(files or {})}, headers=headers)
    if body is not None:
        return getattr(client, method)(
            url, json.dumps(body, default=str), content_type="application/json", headers=headers
        )
    return getattr(client, method)(url, headers=headers)


def upload(name, data=PDF):
    content_type = "image/png" if data == PNG else "application/pdf"
    return lambda label: {"file": SimpleUploadedFile(name, data, content_type)}


def cases(rows, make):
    return [case for persona in PERSONAS for row in rows for case in make(persona, row)]


# ------------------------------------------------------------------ the database, before and after

COUNTED = [
    Org,
    Person,
    RoleGrant,
    Problem,
    Measure,
    Evidence,
    InstitutionRule,
    PublicItem,
    Rating,
    StudySession,
    Attendance,
    SelfStudy,
    SessionEvidence,
    ResearchVisit,
    Finding,
    Project,
    ProjectEvidence,
    ReadingItem,
    Chapter,
    BriefingDoc,
    DomainEvent,
    Submission,
    Review,
    Solicitation,
    SolicitationTarget,
    PublicityItem,
    Attachment,
    CopyPair,
]
ROW = {  # kind -> label -> the object's row as stored
    "org": lambda label: Org.objects.filter(code=label),
    "person": lambda label: Person.objects.filter(number=label),
    "problem": lambda label: Problem.objects.filter(number=label),
    "self_check": lambda label: SelfCheck.objects.filter(note=label),
    "self_check_at": lambda label: SelfCheck.objects.filter(note=label),
    "session": lambda label: StudySession.objects.filter(topic=label),
    "self_study": lambda label: SelfStudy.objects.filter(reflection=label),
    "visit": lambda label: ResearchVisit.objects.filter(topic=label),
    "finding": lambda label: Finding.objects.filter(text__startswith=label),
    "project": lambda label: Project.objects.filter(name__startswith=label),
    "token": lambda label: PublicItem.objects.filter(token=label),
    "account": lambda label: User.objects.filter(username=label).values("username", "is_active", "password"),
    "grant": lambda label: RoleGrant.objects.filter(user__username=label),
    "letter": lambda label: _supervision("ReminderLetter").objects.filter(title__startswith=label),
    "sample": lambda label: _supervision("Sample").objects.filter(seed=label),
    "inspection_finding": lambda label: _supervision("InspectionFinding").objects.filter(text__startswith=label),
    "group": lambda label: _supervision("GuidanceGroup").objects.filter(code=label),
    "briefing": briefing_row,
    "site": lambda label: Org.objects.none(),
    "submission": lambda label: Submission.objects.filter(title__startswith=label),
    "solicitation": lambda label: Solicitation.objects.filter(number=label),
    "pitem": lambda label: PublicityItem.objects.filter(title__startswith=label),
    "attachment": lambda label: Attachment.objects.filter(name=label),
    "copy": lambda label: CopyPair.objects.filter(note=label),
}


def _counts():
    """The size of every table in COUNTED, in one query."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in COUNTED))
        return tuple(cursor.fetchone())


def snapshot(kind, label):
    """Every business table's size, the audit log's, and the object's own row and its children's."""
    rows = ROW[kind](label)
    own = [tuple(sorted(r.items())) for r in (rows if kind == "account" else rows.values())]
    counts = _counts()
    users = tuple(User.objects.order_by("pk").values_list("username", "is_active", "password"))
    related = ()
    if kind == "problem":
        related = tuple(Measure.objects.filter(problem__number=label).order_by("pk").values_list("text", "done"))
    return own, counts, users, related


# ------------------------------------------------------------------ the tests


def allowed(row, persona, label):
    """Whether the persona may do what the row does to the object: it sees it, and it may."""
    return label in (row.sees or SEES).get(persona, NOTHING) and (
        row.may is None or label in row.may.get(persona, NOTHING)
    )


def expected_status(row, persona, label, ok=200, denied=403):
    if label not in (row.sees or SEES).get(persona, NOTHING):
        return 404
    if not allowed(row, persona, label):
        return denied.get(persona, 403) if isinstance(denied, dict) else denied
    return ok


def object_test(endpoints):
    @pytest.mark.parametrize(
        "persona, endpoint, obj",
        cases(
            endpoints,
            lambda persona, e: [pytest.param(persona, e, obj, id=f"{persona}-{e.name}-{obj}") for obj in e.objects()],
        ),
    )
    def test(client, users, persona, endpoint, obj):
        response = send(client, users[persona], url_for(endpoint, obj))
        expected = expected_status(endpoint, persona, obj)
        assert response.status_code == expected
        if expected != 200:
            return
        sees = (endpoint.sees or SEES).get(persona, NOTHING)
        for listed, truth in ((endpoint.listed, endpoint.expected),) + endpoint.also:
            if listed:
                assert listed(response) == truth(obj) & sees
        if endpoint.check:
            endpoint.check(persona, obj, response)

    return test


def page_test(pages):
    @pytest.mark.parametrize(
        "persona, page", cases(pages, lambda persona, p: [pytest.param(persona, p, id=f"{persona}-{p.name}")])
    )
    def test(client, users, persona, page):
        response = send(client, users[persona], page.url, page.method)
        assert response.status_code == page.status.get(persona, 404)

    return test


def listing_test(listings):
    @pytest.mark.parametrize(
        "persona, listing, query",
        cases(
            listings,
            lambda persona, li: [
                pytest.param(persona, li, q, id=f"{persona}-{li.name}-{label}") for label, q in li.queries.items()
            ],
        ),
    )
    def test(client, users, persona, listing, query):
        response = send(client, users[persona], listing.url.format(query))
        assert response.status_code == 200
        assert listing.listed(response) == listing.matches(query) & SEES[persona]

    return test


def run_change(client, user, persona, change, obj):
    if change.prepare:
        change.prepare(obj)
    before = snapshot(change.kind, obj)
    body = change.body(obj)
    files = change.files(obj) if change.files else None
    response = send(client, user, url_for(change, obj), change.method, body, files)
    after = snapshot(change.kind, obj)
    return response, before, after


def change_test(changes):
    @pytest.mark.parametrize(
        "persona, change, obj",
        cases(
            changes,
            lambda persona, c: [pytest.param(persona, c, obj, id=f"{persona}-{c.name}-{obj}") for obj in c.objects()],
        ),
    )
    def test(client, users, persona, change, obj):
        response, before, after = run_change(client, users[persona], persona, change, obj)
        expected = expected_status(change, persona, obj, change.ok, change.denied)
        assert response.status_code == expected, getattr(response, "content", b"")[:500].decode(errors="replace")
        if allowed(change, persona, obj) and change.writes:
            assert after != before, "the change should have reached the database"
            if change.applied:
                assert change.applied(obj)
        else:
            assert after == before, "a refused change must leave the database as it was"

    return test


def anonymous_cases(objects=(), pages=(), listings=(), changes=()):
    rows = [(e.name, "get", e, e.objects()[0]) for e in objects]
    rows += [(p.name, p.method, p, None) for p in pages]
    rows += [(li.name, "get", li, None) for li in listings]
    rows += [(c.name, c.method, c, c.objects()[0]) for c in changes]
    return [pytest.param(method, row, obj, id=f"anonymous-{name}") for name, method, row, obj in rows]


def anonymous_test(**tables):
    @pytest.mark.parametrize("method, row, obj", anonymous_cases(**tables))
    def test(client, users, method, row, obj):
        if isinstance(row, Listing):
            url = row.url.format(list(row.queries.values())[-1])
        elif isinstance(row, Page):
            url = row.url
        else:
            url = url_for(row, obj)
        if isinstance(row, Change):
            response, before, after = run_change(client, None, "anonymous", row, obj)
            assert after == before
        else:
            response = getattr(client, method)(url)
        if is_api(url):
            assert response.status_code == 401
        else:
            assert response.status_code == 302
            assert response["Location"].startswith("/login/")

    return test


def every_row(module):
    """(name, method, url) of every row a matrix module's tables hold: for the coverage test."""
    found = []
    for table in ("OBJECT_ENDPOINTS", "PAGES", "LISTINGS", "CHANGES", "EXTRA_ROWS"):
        for row in getattr(module, table, ()):
            if isinstance(row, Listing):
                found.append((row.name, "get", row.url.format(list(row.queries.values())[-1])))
            elif isinstance(row, Page):
                found.append((row.name, row.method, row.url))
            else:
                found.append((row.name, getattr(row, "method", "get"), sample_url(row)))
    return found

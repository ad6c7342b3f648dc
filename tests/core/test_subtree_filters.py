"""`core.scope.subtree_q`, the one subtree filter (issue 15), and the SQL the county pages send.

The architecture test (tests/architecture/test_subtree_filters.py) keeps `path__startswith` out of
the source; this one checks the helper's sets on hand-built orgs, and that the main list pages and
API calls of a county send no LIKE on a path column on SQLite (PostgreSQL: only the org table's own
path, which its pattern index answers)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import login_as, make_org, make_person
from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org, Person
from tuijin.rectification.models import Problem


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_subtree_q_is_the_subtree_and_not_the_next_sibling(world):
    # A look-alike: XS-A's paths are a prefix-range neighbour of XS-B's (0001 0001 vs 0001 0002).
    assert codes(Org.objects.filter(subtree_q("path", world.county_a.path))) == [
        "XS-A",
        "XS-A-1",
        "XS-A-1-1",
        "XS-A-1-2",
        "XS-A-2",
    ]
    assert codes(Org.objects.filter(subtree_q("path", world.branch_a1a.path))) == ["XS-A-1-1"]
    people = Person.objects.filter(subtree_q("org__path", world.county_a.path))
    assert "B1P1" not in set(people.values_list("number", flat=True))
    assert sorted(people.values_list("number", flat=True)) == ["A1A1", "A1A2", "A1A3", "A1B1", "A1B2", "A1C1"]
    assert Person.objects.filter(subtree_q("org__path", world.county_b.path)).get().number == "B1P1"


def test_subtree_q_of_the_empty_path_is_every_row_that_has_the_relation(world):
    assert Org.objects.filter(subtree_q("path", "")).count() == Org.objects.count()
    escalated = Problem.objects.create(
        org=world.county_a,
        origin_org=world.branch_a1a,
        number="W1",
        description="x",
        source="下级提",
        found_on=dt.date(2026, 11, 1),
    )
    plain = Problem.objects.create(
        org=world.branch_b1, number="W2", description="y", source="下级提", found_on=dt.date(2026, 11, 1)
    )
    assert set(Problem.objects.filter(subtree_q("origin_org__path", ""))) == {escalated}
    assert set(Problem.objects.filter(subtree_q("org__path", "") | subtree_q("origin_org__path", ""))) == {
        escalated,
        plain,
    }


def test_subtree_q_through_a_relation_is_an_id_subquery_not_a_join_on_the_path(world):
    sql = str(Person.objects.filter(subtree_q("org__path", world.county_a.path)).query)
    assert re.search(r'"org_id" IN \(SELECT', sql), sql
    assert "JOIN" not in sql


PAGES = [
    "/problems/{c}/",
    "/api/v1/problems?org={c}",
    "/api/v1/people?org={c}",
    "/orgs/{c}/",
    "/study/{c}/",
    "/research/{c}/",
    "/research/{c}/projects/",
    "/evaluation/{c}/",
    "/api/v1/problems",
]
PATH_LIKE = re.compile(r'("?\w+"?)\."path"(?:::text)?\s+(?:I?LIKE|GLOB)', re.IGNORECASE)


@pytest.mark.parametrize("url", PAGES)
def test_a_county_page_sends_no_like_on_a_path(world, client, url):
    branch = make_org(world.branch_a2.parent, "XS-A-3", "A县第三党支部")
    make_person(branch, "A3P1", "戊一")
    Problem.objects.create(
        org=world.county_a,
        origin_org=branch,
        number="E1",
        description="交办的问题",
        source="下级提",
        found_on=dt.date(2026, 11, 1),
    )
    login_as(client, world.county_office)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url.format(c=world.county_a.code))
    assert response.status_code == 200, url
    likes = [(m.group(1), q["sql"][:300]) for q in ctx.captured_queries for m in PATH_LIKE.finditer(q["sql"])]
    if connection.vendor == "sqlite":
        assert likes == []
    else:  # PostgreSQL: the org table's own path (pattern index), inside the id subquery
        assert all(table.strip('"') in ("orgs_org", "U0", "V0", "W0") for table, _ in likes), likes


# ------------------------------------------------------------------ the problem lists (issue 15)

PROBLEM_PAGES = [
    "/problems/{c}/",
    "/problems/{c}/?state=整改中",
    "/problems/{c}/?overdue=1",
    "/api/v1/problems?org={c}",
    "/api/v1/problems?org={c}&overdue=true",
]
OWNER_OR_ORIGIN = re.compile(r'"org_id" IN \(SELECT[^()]*(?:\([^()]*\))*[^()]*\)\)? OR "?\w+"?\."origin_org_id" IN')


def _problem_world(world):
    branch = make_org(world.branch_a2.parent, "XS-A-3", "A县第三党支部")
    Problem.objects.create(
        org=world.county_a,
        origin_org=branch,
        number="E1",
        description="交办的问题",
        source="下级提",
        found_on=dt.date(2026, 11, 1),
    )
    for i, org in enumerate([world.branch_a1a, world.branch_b1, world.county_b]):  # B: another county's rows
        Problem.objects.create(
            org=org,
            number=f"P{i}",
            description="问题",
            source="集体查",
            found_on=dt.date(2026, 10, 1),
            deadline=dt.date(2026, 10, 31),
        )


@pytest.mark.parametrize("url", PROBLEM_PAGES)
def test_a_county_problem_list_reads_its_problems_from_indexes(world, client, url):
    """The problem scope (owner OR escalating org) is one `id IN (… UNION …)` whose branches search the
    org_id and origin_org_id indexes; no query of the page walks the whole problem table — a full scan,
    the state index (facet counts) or the deadline index (overdue count) — which would cost more as other
    counties store more problems. The SQL's shape on both databases; SQLite's own plans (EXPLAIN QUERY
    PLAN), as the bench database runs them (PostgreSQL's plans depend on its statistics, not the SQL)."""
    _problem_world(world)
    login_as(client, world.county_office)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url.format(c=world.county_a.code))
    assert response.status_code == 200, url
    problem_queries = [
        q["sql"]
        for q in ctx.captured_queries
        if '"rectification_problem"' in q["sql"] and q["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert problem_queries, url
    bad = []
    for sql in problem_queries:
        assert not OWNER_OR_ORIGIN.search(sql), sql[:600]
        if connection.vendor != "sqlite":
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [row[-1] for row in cursor.fetchall()]
        walks = [
            line
            for line in plan
            if re.match(r"SCAN (rectification_problem|V0|orgs_org)\b", line)
            or (
                re.search(r"rectification_problem USING (COVERING )?INDEX \w*(state|deadlin)\w*", line)
                and "rowid=" not in line
            )
        ]  # (state=? AND rowid=?): the county's ids drive it
        if walks:
            bad.append((sql[:300], walks))
    assert bad == [], bad


def test_the_problem_scope_is_the_owner_or_the_escalating_org_and_not_the_look_alike(world):
    from tuijin.core.scope import subtrees_q

    _problem_world(world)
    found = Problem.objects.filter(subtrees_q(Problem, ("org__path", "origin_org__path"), [world.county_a.path]))
    assert sorted(found.values_list("number", flat=True)) == ["E1", "P0"]  # not XS-B's P1/P2
    escalated = Problem.objects.filter(
        subtrees_q(Problem, ("org__path", "origin_org__path"), [Org.objects.get(code="XS-A-3").path])
    )
    assert list(escalated.values_list("number", flat=True)) == ["E1"]  # raised there, owned by the county
    both = Problem.objects.filter(subtrees_q(Problem, ("org__path",), [world.unit_a1.path, world.county_b.path]))
    assert sorted(both.values_list("number", flat=True)) == ["P0", "P1", "P2"]


def test_several_scope_roots_are_one_subquery_per_field(world):
    """A guidance group's many assigned orgs: one `org_id IN (… OR …)` per field, so the UNION has a
    branch per field (SQLite allows 500), not one per root."""
    from tuijin.core.scope import subtrees_q

    _problem_world(world)
    roots = [world.branch_a1a.path, world.branch_b1.path, world.county_b.path, Org.objects.get(code="XS-A-3").path]
    q = subtrees_q(Problem, ("org__path", "origin_org__path"), roots)
    sql = str(Problem.objects.filter(q).query)
    assert sql.count("UNION") == 1, sql
    assert sorted(Problem.objects.filter(q).values_list("number", flat=True)) == ["E1", "P0", "P1", "P2"]
    people = Person.objects.filter(subtrees_q(Person, "org__path", [world.branch_a1b.path, world.branch_b1.path]))
    assert sorted(people.values_list("number", flat=True)) == ["A1B1", "A1B2", "B1P1"]

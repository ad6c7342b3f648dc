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
        "XS-A", "XS-A-1", "XS-A-1-1", "XS-A-1-2", "XS-A-2"]
    assert codes(Org.objects.filter(subtree_q("path", world.branch_a1a.path))) == ["XS-A-1-1"]
    people = Person.objects.filter(subtree_q("org__path", world.county_a.path))
    assert "B1P1" not in set(people.values_list("number", flat=True))
    assert sorted(people.values_list("number", flat=True)) == ["A1A1", "A1A2", "A1A3", "A1B1", "A1B2", "A1C1"]
    assert Person.objects.filter(subtree_q("org__path", world.county_b.path)).get().number == "B1P1"


def test_subtree_q_of_the_empty_path_is_every_row_that_has_the_relation(world):
    assert Org.objects.filter(subtree_q("path", "")).count() == Org.objects.count()
    escalated = Problem.objects.create(org=world.county_a, origin_org=world.branch_a1a, number="W1", description="x",
                                       source="下级提", found_on=dt.date(2026, 11, 1))
    plain = Problem.objects.create(org=world.branch_b1, number="W2", description="y", source="下级提",
                                   found_on=dt.date(2026, 11, 1))
    assert set(Problem.objects.filter(subtree_q("origin_org__path", ""))) == {escalated}
    assert set(Problem.objects.filter(subtree_q("org__path", "") | subtree_q("origin_org__path", ""))) == {
        escalated, plain}


def test_subtree_q_through_a_relation_is_an_id_subquery_not_a_join_on_the_path(world):
    sql = str(Person.objects.filter(subtree_q("org__path", world.county_a.path)).query)
    assert re.search(r'"org_id" IN \(SELECT', sql), sql
    assert "JOIN" not in sql


PAGES = ["/problems/{c}/", "/api/v1/problems?org={c}", "/api/v1/people?org={c}", "/orgs/{c}/", "/study/{c}/",
         "/research/{c}/", "/research/{c}/projects/", "/evaluation/{c}/", "/api/v1/problems"]
PATH_LIKE = re.compile(r'("?\w+"?)\."path"(?:::text)?\s+(?:I?LIKE|GLOB)', re.IGNORECASE)


@pytest.mark.parametrize("url", PAGES)
def test_a_county_page_sends_no_like_on_a_path(world, client, url):
    branch = make_org(world.branch_a2.parent, "XS-A-3", "A县第三党支部")
    make_person(branch, "A3P1", "戊一")
    Problem.objects.create(org=world.county_a, origin_org=branch, number="E1", description="交办的问题", source="下级提",
                           found_on=dt.date(2026, 11, 1))
    login_as(client, world.county_office)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url.format(c=world.county_a.code))
    assert response.status_code == 200, url
    likes = [(m.group(1), q["sql"][:300]) for q in ctx.captured_queries for m in PATH_LIKE.finditer(q["sql"])]
    if connection.vendor == "sqlite":
        assert likes == []
    else:  # PostgreSQL: the org table's own path (pattern index), inside the id subquery
        assert all(table.strip('"') in ("orgs_org", "U0", "V0", "W0") for table, _ in likes), likes

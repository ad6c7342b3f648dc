"""Writes under load (issue 12): every write takes its locks in one order and waits a bounded time.

- An action locks only its own row: `select_for_update(of=("self",))`, not the org it joins to (on
  PostgreSQL a plain FOR UPDATE over a join locks the org's row too, and every writer of any person of
  that org queued behind it).
- An action refreshes the counters (`core.derived.refresh`) before `events.record` takes the audit
  chain's head: the refresh computes an org's counters under that org's own lock, then locks the
  counter rows of the org and its ancestors in tree-path order; so the rows near the root and the head,
  which every write of the city needs, are held only for the short updates and the event's insert, and
  imports (touched(), then record()) and single writes lock in the same order.
- A write that waits longer than lock_timeout is rolled back and answered 503 with Retry-After.
The lock tests need PostgreSQL (SQLite has no row locks; its writers take the whole database at BEGIN)."""

import threading

import pytest
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory

from tuijin.core.middleware import BUSY_MESSAGE, DatabaseBusy
from tuijin.core.models import ChainHead
from tuijin.evaluation import counters
from tuijin.orgs import actions
from tuijin.rectification import actions as problems
from tuijin.orgs.models import Org, Person

AS_OF = __import__("datetime").date(2026, 11, 27)
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")


class Paused:
    """Runs `work` in a thread (its own connection and transaction) and holds it at `pause()` until
    released, so the test can look at which locks it holds."""

    def __init__(self, work):
        self.reached, self.release, self.error = threading.Event(), threading.Event(), None
        self.thread = threading.Thread(target=self._run, args=(work,), daemon=True)

    def pause(self, *args, **kwargs):
        if threading.current_thread() is self.thread:
            self.reached.set()
            assert self.release.wait(30)

    def _run(self, work):
        try:
            work()
        except BaseException as exc:  # reported by finish()
            self.error = exc
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.reached.wait(30), self.error
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.thread.join(30)
        assert self.error is None, self.error


def can_lock(queryset) -> bool:
    try:
        with transaction.atomic():
            list(queryset.select_for_update(nowait=True))
        return True
    except OperationalError:
        return False


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_person_update_locks_the_person_not_the_org(world, monkeypatch):
    person, org = world.p_a1a[0], world.branch_a1a
    paused = Paused(lambda: actions.update_person(person, actor=world.county_office, post="组织委员"))
    monkeypatch.setattr(actions, "_check_version", lambda *a, **k: paused.pause())  # right after its lock
    with paused:
        assert not can_lock(Person.objects.filter(pk=person.pk))  # its own row: held
        assert can_lock(Org.objects.filter(pk=org.pk))  # the org it joined to: free for other writers
        assert can_lock(Person.objects.filter(pk=world.p_a1a[1].pk))  # a colleague's row: free


def can_take_org_lock(org) -> bool:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s::int, %s::int)", [counters.ORG_LOCK_CLASS, org.pk])
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_counters_are_computed_under_the_orgs_own_lock_before_the_shared_rows_and_the_head(world, monkeypatch):
    counters.rebuild(AS_OF)
    real = counters.compute_own
    paused = Paused(
        lambda: actions.update_person(world.p_a1a[0], actor=world.county_office, post="组织委员", is_leading_cadre=True)
    )  # a cadre is counted (以上率下)

    def compute_then_pause(orgs, as_of, *args):
        result = real(orgs, as_of, *args)
        paused.pause()
        return result

    monkeypatch.setattr(counters, "compute_own", compute_then_pause)
    with paused:  # the writer is computing its org's counters
        branch, county, city = world.branch_a1a, world.county_a, world.city
        assert not can_take_org_lock(branch)  # one refresh of an org at a time
        assert can_take_org_lock(world.branch_a1b)  # a neighbour's refresh computes side by side
        # the rows every write of the city needs are not held while it computes, nor is the chain head
        assert can_lock(counters.OrgScore.objects.filter(org__in=[branch, county, city]))
        assert can_lock(ChainHead.objects.all())
    assert Person.objects.get(pk=world.p_a1a[0].pk).is_leading_cadre


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_write_that_waits_past_lock_timeout_is_answered_503_and_saves_nothing(world, client):
    from tests.conftest import login_as

    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'lock_timeout'")  # the bound, from settings
        assert int(cursor.fetchone()[0]) == settings.TUIJIN_DB_LOCK_TIMEOUT_MS > 0
    ChainHead.objects.get_or_create(pk=1)

    def hold():  # another write in the middle of its insert: it holds the chain head
        with transaction.atomic():
            list(ChainHead.objects.select_for_update().filter(pk=1))
            holder.pause()

    holder = Paused(hold)
    login_as(client, world.county_office)
    person = world.p_a1a[1]
    with holder:
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")  # this test's request: give up soon
        response = client.patch(
            f"/api/v1/people/{person.number}",
            {"version": person.version, "post": "宣传委员"},
            content_type="application/json",
        )
        assert response.status_code == 503, response.content
        assert response["Retry-After"] == "2" and response.json()["detail"] == BUSY_MESSAGE
    assert Person.objects.get(pk=person.pk).post == person.post  # rolled back whole


def test_sqlite_busy_is_answered_503_too():
    request = RequestFactory().post("/problems/item/1/start/")
    request.user = None
    answer = DatabaseBusy(lambda r: None).process_exception(request, OperationalError("database is locked"))
    assert answer.status_code == 503 and answer["Retry-After"] == "2"
    assert DatabaseBusy(lambda r: None).process_exception(request, OperationalError("no such table: x")) is None


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_an_edit_that_changes_no_counted_figure_never_waits_on_the_counter_rows(world):
    counters.rebuild(AS_OF)
    branch, county, city = world.branch_a1a, world.county_a, world.city
    rows = counters.OrgScore.objects.filter(org__in=[branch, county, city])

    def hold():  # another writer in the middle of carrying its change up to the city
        with transaction.atomic():
            list(rows.select_for_update())
            holder.pause()

    holder = Paused(hold)
    person = world.p_a1a[0]
    with holder, connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
        # a 职务 or a phone number is not counted: the write goes through while the rows are held
        actions.update_person(person, actor=world.county_office, post="宣传委员", phone="13800000000")
        assert Person.objects.get(pk=person.pk).post == "宣传委员"
        # a new problem changes the branch's figures: that write needs the rows and waits for them
        with pytest.raises(OperationalError):
            problems.create_problem(actor=None, org=branch, description="会议多", source="集体查", found_on=AS_OF)
        cursor.execute("SET lock_timeout = '0'")
    assert not branch.problems.exists()


@pytest.mark.django_db
def test_an_edit_that_changes_no_counted_figure_leaves_the_counters_as_they_were(world):
    counters.rebuild(AS_OF)
    before = {s.org_id: (s.own, s.total, s.tasks, s.tasks_total, s.updated_at) for s in counters.OrgScore.objects.all()}
    actions.update_person(world.p_a1a[0], actor=world.county_office, post="宣传委员")
    assert {
        s.org_id: (s.own, s.total, s.tasks, s.tasks_total, s.updated_at) for s in counters.OrgScore.objects.all()
    } == before
    problems.create_problem(actor=None, org=world.branch_a1a, description="会议多", source="集体查", found_on=AS_OF)
    after = {s.org_id: s.own for s in counters.OrgScore.objects.all()}
    assert after[world.branch_a1a.pk] != before[world.branch_a1a.pk][0]


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_correcting_a_name_or_post_never_waits_for_the_branchs_counter_lock(world):
    counters.rebuild(AS_OF)
    branch = world.branch_a1a

    def hold():  # another writer of the same branch in the middle of its counter refresh
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, %s::int)", [counters.ORG_LOCK_CLASS, branch.pk])
            holder.pause()

    holder = Paused(hold)
    person = world.p_a1a[0]
    with holder, connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '300ms'")
        actions.update_person(person, actor=world.county_office, post="组织委员", name="张三丰", phone="13900000000")
        # a leading cadre is counted (以上率下): that edit takes the lock and gives up waiting for it
        with pytest.raises(OperationalError):
            actions.update_person(Person.objects.get(pk=person.pk), actor=world.county_office, is_leading_cadre=True)
        cursor.execute("SET lock_timeout = '0'")
    person = Person.objects.get(pk=person.pk)
    assert (person.post, person.name, person.is_leading_cadre) == ("组织委员", "张三丰", False)

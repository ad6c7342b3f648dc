"""Reads from a streaming replica, writes and read-your-writes on the primary (tuijin.core.replica).

The routing tests at the bottom run against a real hot standby of the test database's PostgreSQL:
`.ci/run` starts one (`.ci/standby start`, port 5433) and sets TUIJIN_TEST_REPLICA_URL. They pause the
standby's replay (`pg_wal_replay_pause()`), write on the primary, and look at what a page or the API
shows: a row the standby has not replayed yet is seen only by a request that reads the primary.
Without TUIJIN_TEST_REPLICA_URL (plain `make test`, SQLite) they are skipped; with it set and no standby
answering they fail.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, transaction
from django.test import Client

import tuijin
from tests.conftest import login_as, make_org
from tuijin import settings as tuijin_settings
from tuijin.core import replica
from tuijin.core.replica import COOKIE, REPLICA, ReplicaRouter, routing
from tuijin.orgs.actions import issue_api_token
from tuijin.orgs.models import ApiToken, Org
from tuijin.rectification.actions import create_problem
from tuijin.rectification.models import Problem

ROUTER = "tuijin.core.replica.ReplicaRouter"
MIDDLEWARE = "tuijin.core.replica.ReplicaReads"


def _with_replica_settings(settings):
    """The router and the middleware where settings.py puts them when TUIJIN_REPLICA_URL is set."""
    settings.DATABASE_ROUTERS = [ROUTER]
    settings.MIDDLEWARE = [settings.MIDDLEWARE[0], MIDDLEWARE, *settings.MIDDLEWARE[1:]]


@pytest.fixture
def replica_alias(transactional_db, django_db_blocker, monkeypatch):
    """Adds a "replica" database to the running connections and removes it afterwards.

    It is added after the test databases were set up, so pytest-django neither creates nor flushes it
    (a standby is read-only). Django's test case refuses to connect an alias it was not given when the
    test started: `django_db_blocker.unblock()` lets this test connect to it."""
    monkeypatch.setattr(replica, "_down_until", 0.0)

    def install(url: str, name: str | None = None) -> None:
        config = tuijin_settings.replica_database(url)
        if name:
            config["NAME"] = name
        configured = connections.configure_settings({"default": dict(connections.settings["default"]), REPLICA: config})
        connections.settings[REPLICA] = configured[REPLICA]

    with django_db_blocker.unblock():
        yield install
    if REPLICA in connections.settings:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]


# ------------------------------------------------------------------ settings


def _settings_in_subprocess(tmp_path, **env):
    code = (
        "import json, tuijin.settings as s; print(json.dumps({'databases': sorted(s.DATABASES), "
        "'routers': getattr(s, 'DATABASE_ROUTERS', []), 'middleware': s.MIDDLEWARE, "
        "'replica': s.DATABASES.get('replica', {})}, default=str))"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("TUIJIN_", "DATABASE_URL"))}
    environ.update(PYTHONPATH=str(Path(tuijin.__file__).parents[1]), TUIJIN_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True, check=False)


def test_the_replica_is_configured_only_when_its_url_is_set(tmp_path):
    primary = "postgres://postgres@127.0.0.1:5432/tuijin"
    plain = json.loads(_settings_in_subprocess(tmp_path, DATABASE_URL=primary).stdout)
    assert plain["databases"] == ["default"] and plain["routers"] == []
    assert MIDDLEWARE not in plain["middleware"]

    both = json.loads(
        _settings_in_subprocess(
            tmp_path, DATABASE_URL=primary, TUIJIN_REPLICA_URL="postgres://reader@10.0.0.7:5433/tuijin"
        ).stdout
    )
    assert both["databases"] == ["default", "replica"] and both["routers"] == [ROUTER]
    assert both["middleware"][1] == MIDDLEWARE, "decides before the session or the user is read"
    assert (both["replica"]["HOST"], both["replica"]["PORT"], both["replica"]["USER"]) == ("10.0.0.7", 5433, "reader")

    sqlite = _settings_in_subprocess(tmp_path, TUIJIN_REPLICA_URL="postgres://reader@10.0.0.7:5433/tuijin")
    assert sqlite.returncode != 0 and "DATABASE_URL 应为 PostgreSQL 主库" in sqlite.stderr


# ------------------------------------------------------------------ the router's decisions


@pytest.mark.django_db(transaction=True)  # no test-wide transaction: reads inside one go to the primary
def test_a_requests_plain_reads_go_to_the_replica_everything_else_to_the_primary(settings):
    _with_replica_settings(settings)
    assert Problem.objects.all().db == "default", "outside a request (worker, CLI): the primary"
    with routing(replica=True) as state:
        assert Problem.objects.all().db == REPLICA
        assert Org.objects.filter(code="XS").db == REPLICA
        assert Session.objects.all().db == "default", "who is logged in: always the primary"
        assert ApiToken.objects.all().db == "default", "a revoked token is refused at once"
        with transaction.atomic():
            assert Problem.objects.all().db == "default", "an action's reads, in its transaction"
        assert Problem.objects.all().db == REPLICA and not state.wrote

        ApiToken.objects.filter(pk=0).update(last_used=None)  # bookkeeping, not the user's write
        assert not state.wrote and Problem.objects.all().db == REPLICA

        make_org(None, "XS", "中共X市委", kind="党委")
        assert state.wrote, "a write during the request"
        assert Problem.objects.all().db == "default", "…and the request's later reads see it"
    with routing(replica=True) as state:
        assert Problem.objects.select_for_update().db == "default"
        assert Problem.objects.all().db == "default", "rows locked for an update: the reads after it too"
    with routing(replica=False):
        assert Problem.objects.all().db == "default", "a POST: every read on the primary"

    router = ReplicaRouter()
    assert router.allow_migrate("default", "rectification") and not router.allow_migrate(REPLICA, "rectification")


def test_an_unreachable_replica_is_skipped_and_its_reads_go_to_the_primary(
    replica_alias, world, client, settings, caplog
):
    replica_alias("postgres://postgres@127.0.0.1:9/nowhere")  # nothing listens on the discard port
    _with_replica_settings(settings)
    login_as(client, world.county_office)
    response = client.get("/problems/XS-A/")
    assert response.status_code == 200 and "中共A县委" in response.content.decode()
    assert "只读副本连接失败" in caplog.text
    assert client.get("/orgs/XS-A/").status_code == 200, "skipped for a while, without trying again"


# ------------------------------------------------------------------ against a real hot standby


class Standby:
    def __init__(self):
        self.paused = False

    def _replica(self, sql, params=()):
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    def caught_up(self, timeout=60):
        """Waits until the standby has replayed everything the primary wrote so far."""
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            target = cursor.fetchone()[0]
        deadline = time.monotonic() + timeout
        nudged = False
        while not self._replica("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            if time.monotonic() > deadline:
                pytest.fail(f"the standby did not replay up to {target} within {timeout} s")
            if not nudged and time.monotonic() > deadline - timeout + 2:
                with connections["default"].cursor() as cursor:  # a commit record past the target, on an idle primary
                    cursor.execute("SELECT txid_current()")
                nudged = True
            time.sleep(0.05)

    def pause(self):
        self._replica("SELECT pg_wal_replay_pause()::text")
        self.paused = True

    def resume(self):
        self._replica("SELECT pg_wal_replay_resume()::text")
        self.paused = False


@pytest.fixture
def standby(replica_alias, settings):
    url = os.environ.get("TUIJIN_TEST_REPLICA_URL")
    if not url:
        pytest.skip(
            "no hot standby to read from: start one with `.ci/standby start` and set "
            "TUIJIN_TEST_REPLICA_URL=postgres://postgres@127.0.0.1:5433 (.ci/run does both)"
        )
    if connections["default"].vendor != "postgresql":
        pytest.skip("the replica tests need the primary on PostgreSQL (DATABASE_URL=postgres://…)")
    replica_alias(url, name=connections["default"].settings_dict["NAME"])  # the test database, replicated
    try:
        connections[REPLICA].ensure_connection()
    except Exception as exc:
        pytest.fail(
            f"TUIJIN_TEST_REPLICA_URL={url} is set but the standby does not answer "
            f"(is `.ci/standby start` running, and did it replicate the test database?): {exc}"
        )
    standby = Standby()
    assert standby._replica("SELECT pg_is_in_recovery()"), f"{url} is not a hot standby"
    _with_replica_settings(settings)
    yield standby
    if standby.paused:
        standby.resume()


def _page(client, path="/problems/XS-A/"):
    response = client.get(path)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _api(client, path, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/v1" + path, headers=headers)


def _descriptions(response):
    assert response.status_code == 200, response.content[:300]
    return [item["description"] for item in response.json()["items"]]


def test_page_and_api_reads_come_from_the_replica(world, standby, client, as_of):
    login_as(client, world.county_office)
    token = issue_api_token(actor=None, user=world.county_office)
    standby.caught_up()
    standby.pause()
    create_problem(actor=None, org=world.branch_a2, description="只在主库上的问题", source="集体查", found_on=as_of)
    assert Problem.objects.filter(description="只在主库上的问题").exists(), "committed on the primary"

    page, api = _page(client), _api(client, "/problems?org=XS-A", token)
    assert "只在主库上的问题" not in page and "只在主库上的问题" not in _descriptions(api)
    assert COOKIE not in api.cookies, "a token's last-used time is bookkeeping, not the user's write"

    standby.resume()
    standby.caught_up()
    assert "只在主库上的问题" in _page(client)
    assert "只在主库上的问题" in _descriptions(_api(client, "/problems?org=XS-A", token))


def test_a_users_reads_after_their_own_write_come_from_the_primary(world, standby, client, as_of):
    login_as(client, world.county_office)
    colleague = Client()
    login_as(colleague, world.county_office)  # the same account in another browser: no cookie of the write
    standby.caught_up()
    standby.pause()

    created = client.post(
        "/api/v1/problems",
        {"org": "XS-A-2", "description": "刚刚新增的问题", "source": "集体查"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    marker = created.cookies[COOKIE]
    assert marker.value.count("/") == 1 and marker["max-age"] == 300 and marker["httponly"]

    assert "刚刚新增的问题" in _page(client), "the writer's next page reads the primary"
    assert "刚刚新增的问题" in _descriptions(_api(client, "/problems?org=XS-A"))
    assert client.cookies[COOKIE].value == marker.value, "kept while the replica is behind"
    assert "刚刚新增的问题" not in _page(colleague), "everyone else reads the replica (paused here)"

    standby.resume()
    standby.caught_up()
    response = client.get("/problems/XS-A/")
    assert "刚刚新增的问题" in response.content.decode()
    assert response.cookies[COOKIE]["max-age"] == 0, "caught up: the cookie goes, reads return to the replica"
    assert "刚刚新增的问题" in _page(colleague)


def test_the_scope_check_guarding_a_write_reads_the_primary(world, standby, client, as_of):
    login_as(client, world.county_office)
    reader = Client()
    login_as(reader, world.county_office)
    standby.caught_up()
    standby.pause()
    make_org(world.county_a, "XS-A-3", "A县新成立党支部")  # on the primary only, for now

    assert _api(reader, "/problems?org=XS-A-3").status_code == 404, "the replica does not know the unit yet"
    created = client.post(
        "/api/v1/problems",
        {"org": "XS-A-3", "description": "新支部的问题", "source": "集体查"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert Problem.objects.get(description="新支部的问题").org.code == "XS-A-3"

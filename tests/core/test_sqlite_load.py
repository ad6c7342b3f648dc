"""Writes survive ordinary load: SQLite transactions take the write lock when they begin, and reading
a page does not write the session. The load scenario itself (gunicorn, readers and writers) is run
briefly here and must answer every request; its figures are never asserted (SPEC §3)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

SRC = Path(__file__).resolve().parents[2] / "src"


def session_writes(queries):
    return [
        q["sql"]
        for q in queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]


def test_reading_pages_does_not_write_the_session(client, world):
    client.force_login(world.county_office)
    client.get("/")  # the first request after login renews it once
    with CaptureQueriesContext(connection) as ctx:
        for url in ("/", "/orgs/XS-A/", "/problems/XS-A/", "/"):
            assert client.get(url).status_code == 200
    assert session_writes(ctx.captured_queries) == []


def test_the_session_is_still_renewed_now_and_then(client, world, settings):
    settings.TUIJIN_SESSION_RENEW_SECONDS = 0  # renew on every request: the idle timeout keeps working
    client.force_login(world.county_office)
    client.get("/")
    with CaptureQueriesContext(connection) as ctx:
        client.get("/")
    assert len(session_writes(ctx.captured_queries)) == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite transaction mode")
def test_sqlite_transactions_begin_immediate_with_a_busy_timeout():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE" and options["timeout"] >= 5


def test_the_load_scenario_answers_every_request(tmp_path):
    """`tuijin bench --only load` for 3 seconds with 4 readers and 3 writers against a real gunicorn."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUIJIN_", "DATABASE_URL"))}
    env.update(PYTHONPATH=str(SRC), TUIJIN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="tuijin.settings")
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tuijin.cli",
            "bench",
            "--scale",
            "tiny",
            "--only",
            "load",
            "--seconds",
            "3",
            "--readers",
            "4",
            "--writers",
            "3",
            "--out",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    load = json.loads(out.read_text())["scenarios"]["load"]
    assert load.get("skipped") is None, load
    assert load["readers"] == 4 and load["writers"] == 3
    assert load["reads"] > 0 and load["writes"] > 0
    assert load["errors"] == 0, load["error_samples"]

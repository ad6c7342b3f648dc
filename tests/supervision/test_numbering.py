"""Concurrent sends never share a number: threads racing on SQLite (a file database, as deployed) and on
PostgreSQL (when the suite runs with DATABASE_URL pointing at it)."""

import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
import threading

import pytest
from django.db import connection

from tuijin.orgs.actions import create_org
from tuijin.supervision import actions
from tuijin.supervision.models import ReminderLetter

N = 6
ON = dt.date(2026, 11, 27)


def test_threads_sending_at_once_on_sqlite_get_distinct_consecutive_numbers(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'race.sqlite3'}",
        "TUIJIN_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(pathlib.Path(__file__).parents[2] / "src"),
    }
    out = subprocess.run(
        [sys.executable, str(pathlib.Path(__file__).with_name("race_send.py")), str(N)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["errors"] == []
    assert sorted(result["numbers"]) == sorted(f"第一巡回指导组提示〔2026〕{i}号" for i in range(1, N + 1))


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQLite race runs in the test above")
def test_threads_sending_at_once_on_postgresql_get_distinct_consecutive_numbers():
    org = create_org(actor=None, parent=None, code="XS", name="中共X市委", kind="党委")
    drafts = [
        ReminderLetter.objects.create(
            org=org, issuer="第一巡回指导组", title="t", body="b", drafted_on=ON, feedback_due=ON + dt.timedelta(days=7)
        )
        for _ in range(N)
    ]
    barrier, errors = threading.Barrier(N), []

    def send(letter):
        try:
            barrier.wait()
            actions.send_letter(letter, actor=None, on=ON)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(ReminderLetter.objects.values_list("number", flat=True))
    assert numbers == sorted(f"第一巡回指导组提示〔2026〕{i}号" for i in range(1, N + 1))

"""Briefing numbers under concurrency (issue 9): offices issuing at the same moment never get the same
number. Real threads on the test database (SQLite or PostgreSQL, whichever the run uses)."""

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, close_old_connections, connection

from tuijin.evaluation import actions
from tuijin.evaluation.models import BriefingDoc, BriefingNumber

N = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_issues_get_distinct_numbers(world):
    drafts = [actions.draft_briefing(actor=None, org=world.county_a, as_of=dt.date(2026, 11, 27)) for _ in range(N)]
    barrier = threading.Barrier(N)

    def issue(doc):
        close_old_connections()
        try:
            barrier.wait()
            # The in-memory SQLite test database shares one cache between threads: a writer that finds a
            # table locked is told so at once (the busy timeout of a file database does not apply), so it
            # waits a moment and tries again. PostgreSQL waits on the row lock by itself.
            for _ in range(500):
                try:
                    return actions.issue_briefing(doc, actor=None, on=dt.date(2026, 11, 28)).serial
                except OperationalError as exc:
                    if "locked" not in str(exc):
                        raise
                    time.sleep(0.02)
            raise AssertionError("never got the write lock")
        finally:
            connection.close()

    with ThreadPoolExecutor(N) as pool:
        serials = list(pool.map(issue, drafts))
    assert sorted(serials) == list(range(1, N + 1))
    assert sorted(BriefingDoc.objects.values_list("number", flat=True)) == sorted(f"〔2026〕{n}号" for n in serials)
    assert BriefingNumber.objects.get(org=world.county_a, year=2026).last == N

"""The daily job: recompute counters for a date and keep that day's totals as a snapshot (trends).

Run once a day by `tuijin worker` (tuijin.jobs: claims the day, runs it as a background task,
records a JobRun); `tuijin snapshot` does it by hand for any date. The demo back-fills weekly
snapshots from the campaign's start so trends have a history.
"""

import datetime as dt

from django.db import transaction

from . import counters
from .models import OrgScore, Snapshot


def take_snapshot(as_of: dt.date) -> int:
    with transaction.atomic():
        n = counters.rebuild(as_of)
        Snapshot.objects.filter(date=as_of).delete()
        Snapshot.objects.bulk_create(
            [
                Snapshot(date=as_of, org_id=org_id, total=total)
                for org_id, total in OrgScore.objects.values_list("org_id", "total").iterator(chunk_size=5000)
            ],
            batch_size=2000,
        )
    return n


def backfill(start: dt.date, end: dt.date, every_days: int = 7) -> list[dt.date]:
    """Snapshots from start to end (always including end); counters end at `end`."""
    days, day = [], start
    while day < end:
        days.append(day)
        day += dt.timedelta(days=every_days)
    days.append(end)
    for day in days:
        take_snapshot(day)
    return days

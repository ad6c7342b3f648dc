"""What the dashboard says about the trend data: when the last snapshot was taken, and whether it is late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max

from tuijin.evaluation.models import Snapshot

from .models import JobRun
from .schedule import SNAPSHOT

STALE_AFTER_DAYS = 2


@dataclass(frozen=True)
class SnapshotStatus:
    date: dt.date | None  # the latest snapshot's date, None when there is none
    taken_at: dt.datetime | None  # when the worker took it; None if it came from `tuijin snapshot` or the demo
    days_old: int | None
    at: str  # the configured daily time, for the hint when there is no snapshot yet

    @property
    def automatic(self) -> bool:
        return self.taken_at is not None

    @property
    def stale(self) -> bool:
        return self.days_old is not None and self.days_old > STALE_AFTER_DAYS


def snapshot_status(as_of: dt.date) -> SnapshotStatus:
    last_date = Snapshot.objects.aggregate(d=Max("date"))["d"]
    run = JobRun.objects.filter(job=SNAPSHOT, status=JobRun.Status.OK).order_by("-date").first()
    date = max([d for d in (last_date, run.date if run else None) if d], default=None)
    taken_at = run.started_at if run and run.date == date else None
    return SnapshotStatus(
        date=date, taken_at=taken_at, days_old=(as_of - date).days if date else None, at=settings.TUIJIN_SNAPSHOT_AT
    )

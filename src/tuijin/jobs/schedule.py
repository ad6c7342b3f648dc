"""When each job is due, and claiming its day so that it runs once however many workers are up.

`enqueue_due(now, worker)` is one scheduler tick: for every job due at `now` whose day is neither
done nor being run, claim the day (a unique `JobRun` row, or taking over a failed or abandoned one
with a conditional update) and enqueue its task in the same transaction. `run_queue(worker)` then
runs everything queued, from this scheduler or from anywhere else in the app.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks.base import Task

from tuijin.core.calendar import today

from . import tasks
from .models import JobRun

logger = logging.getLogger("tuijin.jobs")

SNAPSHOT = "snapshot"
# A run still marked running after this long was abandoned (its worker was killed): take it over.
ABANDONED_AFTER = dt.timedelta(hours=2)


def parse_at(value: str) -> dt.time:
    try:
        return dt.datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(f"TUIJIN_SNAPSHOT_AT 应为 时:分（如 01:30），收到：{value!r}") from None


@dataclass(frozen=True)
class DailyJob:
    name: str
    at: dt.time  # local time (TIME_ZONE) from which the day's run is due
    task: Task

    def is_due(self, now: dt.datetime) -> bool:
        return timezone.localtime(now).time() >= self.at


def daily_jobs() -> list[DailyJob]:
    return [DailyJob(SNAPSHOT, parse_at(settings.TUIJIN_SNAPSHOT_AT), tasks.daily_snapshot)]


def run_date(now: dt.datetime) -> dt.date:
    """The day a tick at `now` works for: the local date, or TUIJIN_TODAY when a demo pins it."""
    return today() if os.environ.get("TUIJIN_TODAY") else timezone.localtime(now).date()


def _retry(now: dt.datetime) -> Q:
    """Runs another worker may take over: failed, or left running by a worker that was killed."""
    return Q(status=JobRun.Status.FAILED) | Q(status=JobRun.Status.RUNNING, started_at__lt=now - ABANDONED_AFTER)


def claim(job: str, day: dt.date, now: dt.datetime, worker: str) -> JobRun | None:
    """This worker's run of `job` for `day`, or None when it is done or another worker has it.
    The insert and the takeover each succeed for one worker only, on SQLite and PostgreSQL; both
    write first, so that on SQLite a second worker waits for the lock instead of failing."""
    try:
        with transaction.atomic():
            return JobRun.objects.create(job=job, date=day, started_at=now, worker=worker)
    except IntegrityError:
        pass  # the day has its row: take it over if it failed or was abandoned
    taken = JobRun.objects.filter(_retry(now), job=job, date=day).update(
        status=JobRun.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        finished_at=None,
        message="",
        worker=worker,
    )
    return JobRun.objects.get(job=job, date=day) if taken else None


def enqueue_due(now: dt.datetime, worker: str) -> list[JobRun]:
    """One tick: claim and enqueue every job due at `now`; returns the runs this worker started."""
    started = []
    for job in daily_jobs():
        day = run_date(now)
        if not job.is_due(now):
            logger.debug("%s %s 未到 %s，稍后执行", job.name, day, job.at.strftime("%H:%M"))
            continue
        runs = JobRun.objects.filter(job=job.name, date=day)
        if runs.exists() and not runs.filter(_retry(now)).exists():
            continue  # done, or being run: the usual tick, answered by a read
        with transaction.atomic():
            run = claim(job.name, day, now, worker)
            if run is None:
                continue
            run.task_id = job.task.enqueue(run.pk).id
            run.save(update_fields=["task_id"])
        logger.info("%s %s 已领取（第 %d 次），加入队列", job.name, day, run.attempts)
        started.append(run)
    return started


def run_queue(worker: str):
    """A django-tasks-db worker that runs every ready task in the database queue, then returns.
    Call `.run()`; set `.running = False` to stop it after the task in hand."""
    from django_tasks_db.management.commands.db_worker import Worker

    return Worker(
        queue_names=["*"],
        excluded_queue_names=[],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker[:64],
    )

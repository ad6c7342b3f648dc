"""Web imports run as a django-tasks task in `tuijin worker`, so a 200,000-row sheet never meets the
web worker's timeout. The import itself is the same all-or-nothing `run_import` as the command line.

A worker killed mid-import (kill -9, out of memory, a reboot) leaves its job "running" and its queue
entry taken. `requeue_abandoned` (every `tuijin worker` tick) finds running jobs whose heartbeat is
older than TUIJIN_IMPORT_STALE_AFTER and queues them again, at most MAX_ATTEMPTS runs in all; then the
job fails with a message for the clerk. A retry cannot write twice: each run claims the job with its
attempt number, and the import's rows and the job's "done" are committed in one transaction that
checks the claim is still this run's, so an abandoned run that wakes up later rolls back.
"""

import datetime as dt
import io
import logging
import threading

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone  # finished_at: the worker's clock, bookkeeping only (as jobs/tasks.py)
from django_tasks import task

from .models import ImportJob
from .registry import ImportFailed, run_import

logger = logging.getLogger("tuijin.imports")

MAX_ATTEMPTS = 3  # runs of one job in all, the first included
HEARTBEAT_SECONDS = 15.0
ABANDONED_MESSAGE = (
    "导入在后台处理时中断（已尝试 {n} 次，每次都未完成），未写入任何数据。请重新上传；如仍中断，请联系系统管理员"
)


class Superseded(Exception):
    """This run's claim was taken over (the job was queued again as abandoned): roll its writes back."""


def submit(*, user, kind: str, filename: str, data: bytes, dry_run: bool, now) -> ImportJob:
    """Store the upload and queue its import; returns the job whose page shows the progress."""
    job = ImportJob.objects.create(
        user=user, kind=kind, filename=filename[:255], data=data, dry_run=dry_run, created_at=now
    )
    # Committed with the job (the web request runs in autocommit): the worker finds both or neither.
    _enqueue(job.pk)
    return job


def _enqueue(job_id) -> None:
    run_import_job.using(backend=settings.TUIJIN_IMPORT_TASK_BACKEND).enqueue(str(job_id))


class _Heartbeat(threading.Thread):
    """Touches the job's heartbeat every HEARTBEAT_SECONDS, and writes its progress as soon as it is
    reported, from its own database connection: the import's transaction would hide both until it
    commits (and on PostgreSQL hold the job's row)."""

    def __init__(self, job_id, attempt: int):
        super().__init__(daemon=True, name=f"import-heartbeat-{job_id}")
        self.job_id, self.attempt = job_id, attempt
        self.wake, self.done = threading.Event(), threading.Event()
        self.pending: dict = {}

    def report(self, stage: str, percent: int) -> None:
        self.pending = {"stage": stage, "percent": percent}
        self.wake.set()

    def run(self):
        try:
            while not self.done.is_set():
                self.wake.wait(HEARTBEAT_SECONDS)
                self.wake.clear()
                if self.done.is_set():
                    break
                changes, self.pending = self.pending, {}
                try:
                    ImportJob.objects.filter(
                        pk=self.job_id, attempts=self.attempt, status=ImportJob.Status.RUNNING
                    ).update(heartbeat_at=timezone.now(), **changes)
                except Exception:  # SQLite busy while the import writes: the next beat tries again
                    logger.debug("导入任务 %s 心跳未写入", self.job_id, exc_info=True)
        finally:
            connection.close()  # this thread's own connection

    def stop(self):
        self.done.set()
        self.wake.set()
        self.join(timeout=60)


@task()
def run_import_job(job_id: str) -> str:
    # Claim the job: only a queued job is run, and each run under its own attempt number.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING,
        stage="读取表格",
        percent=10,
        attempts=F("attempts") + 1,
        heartbeat_at=timezone.now(),
    )
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if not claimed:  # finished, or another run has it
        return job.summary or job.get_status_display()
    attempt = job.attempts
    mine = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.RUNNING, attempts=attempt)
    heartbeat = _Heartbeat(job.pk, attempt)
    heartbeat.start()
    try:
        with transaction.atomic():  # the rows and "done" together: a run that was taken over writes nothing
            result = run_import(
                job.kind, io.BytesIO(bytes(job.data)), actor=job.user, dry_run=job.dry_run, progress=heartbeat.report
            )
            if not mine.update(
                status=ImportJob.Status.DONE,
                stage="完成",
                percent=100,
                summary=result.summary(),
                warnings=result.warnings,
                data=b"",
                finished_at=timezone.now(),
            ):
                raise Superseded
    except Superseded:
        logger.warning("导入任务 %s 第 %d 次运行已被重新排队接替，本次写入已撤销", job.pk, attempt)
        return "已由重新排队的运行接替"
    except ImportFailed as exc:
        mine.update(
            status=ImportJob.Status.FAILED,
            stage="未写入任何数据",
            percent=100,
            errors=exc.errors,
            warnings=exc.warnings,
            data=b"",
            finished_at=timezone.now(),
        )
        return f"{len(exc.errors)} 处错误"
    except Exception:
        logger.exception("导入任务 %s 出错", job.pk)
        mine.update(
            status=ImportJob.Status.FAILED,
            stage="未写入任何数据",
            percent=100,
            data=b"",
            errors=["导入时发生系统错误，未写入任何数据。请稍后重试，或联系系统管理员"],
            finished_at=timezone.now(),
        )
        raise
    finally:
        heartbeat.stop()
    return result.summary()


def requeue_abandoned(now: dt.datetime) -> tuple[int, int]:
    """Queue again the running jobs whose worker stopped beating (killed), or fail those that have had
    MAX_ATTEMPTS runs; returns (queued again, failed). Each job is taken by one worker only (a
    conditional update on its status, attempt and heartbeat)."""
    stale = now - dt.timedelta(seconds=settings.TUIJIN_IMPORT_STALE_AFTER)
    queued = failed = 0
    # (a job running since before heartbeats were kept has none: its upload time stands in)
    abandoned = Q(heartbeat_at__lt=stale) | Q(heartbeat_at__isnull=True, created_at__lt=stale)
    for job in ImportJob.objects.filter(abandoned, status=ImportJob.Status.RUNNING).only(
        "pk", "attempts", "heartbeat_at"
    ):
        same = ImportJob.objects.filter(
            pk=job.pk, status=ImportJob.Status.RUNNING, attempts=job.attempts, heartbeat_at=job.heartbeat_at
        )
        if job.attempts >= MAX_ATTEMPTS:
            if same.update(
                status=ImportJob.Status.FAILED,
                stage="未写入任何数据",
                percent=100,
                data=b"",
                errors=[ABANDONED_MESSAGE.format(n=job.attempts)],
                finished_at=now,
            ):
                logger.error("导入任务 %s 已中断 %d 次，不再重试", job.pk, job.attempts)
                failed += 1
            continue
        with transaction.atomic():  # back in the queue together with its new queue entry
            if same.update(status=ImportJob.Status.QUEUED, stage="后台处理中断，已重新排队", percent=0):
                _enqueue(job.pk)
                logger.warning(
                    "导入任务 %s 第 %d 次运行中断（最近心跳 %s），已重新排队", job.pk, job.attempts, job.heartbeat_at
                )
                queued += 1
    return queued, failed

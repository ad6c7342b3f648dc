"""The jobs as django-tasks `@task`s. Each runs one claimed `JobRun` and records how it ended.

A task is enqueued by the scheduler (schedule.py) with the id of the run it claimed, and executed by
whichever `tuijin worker` picks it from the database queue.
"""

import logging

from django.utils import timezone
from django_tasks import task

from tuijin.core import daily
from tuijin.core.events import write_checkpoint
from tuijin.evaluation.jobs import take_snapshot

from .models import JobRun

logger = logging.getLogger("tuijin.jobs")


def _record(run_id: int, work) -> str:
    """Run work(date) for the claimed run; store its message, or the failure (then re-raise, so the
    queue's own result records the traceback too). A failed day is claimed again at the next tick."""
    run = JobRun.objects.get(pk=run_id)
    try:
        message = work(run.date)
    except BaseException as exc:  # a forced stop too: the day is then retried at once, not left "running"
        message = f"{type(exc).__name__}: {exc}"[:2000]
        JobRun.objects.filter(pk=run_id).update(
            status=JobRun.Status.FAILED, finished_at=timezone.now(), message=message
        )
        logger.error("%s %s 第 %d 次失败：%s（下一轮重试）", run.job, run.date, run.attempts, message)
        raise
    JobRun.objects.filter(pk=run_id).update(status=JobRun.Status.OK, finished_at=timezone.now(), message=message)
    logger.info("%s %s 完成：%s", run.job, run.date, message)
    return message


@task()
def daily_snapshot(run_id: int) -> str:
    """Recompute every org's counters for the run's date and keep that day's snapshot (trends); then
    anchor the audit chain's head outside the database (the day's signed checkpoint file)."""

    def work(day):
        done = [f"已按 {day} 重算 {take_snapshot(day)} 个组织的指标并保存快照"]
        checkpoint = write_checkpoint(JobRun.objects.get(pk=run_id).started_at)  # the worker's clock
        done.append(f"已写操作记录检查点 {checkpoint.name}")
        done += [fn(day) for fn in daily.AFTER_SNAPSHOT]  # the inbox's reminders, …
        return "；".join(done)

    return _record(run_id, work)

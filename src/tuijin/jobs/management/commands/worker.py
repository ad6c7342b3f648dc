"""`tuijin worker`: the long-running process a deployment runs next to gunicorn.

Every tick it reads the clock once, queues again the web imports a killed worker left running
(imports/tasks.py `requeue_abandoned`), claims and enqueues the jobs due (the daily snapshot from
TUIJIN_SNAPSHOT_AT on), then runs the database task queue. SIGTERM/SIGINT stop it after the task in
hand; a second signal stops it at once (the task's transaction rolls back).
"""

import argparse
import logging
import os
import signal
import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from tuijin.imports.tasks import requeue_abandoned
from tuijin.jobs import schedule
from tuijin.jobs.models import JobRun

logger = logging.getLogger("tuijin.jobs")
# Log level at verbosity 0, 1 (default), 2+: our lines and each task's start and end by default,
# the queue's own per-tick lines only at -v 2.
LOG_LEVELS = {
    "tuijin.jobs": (logging.WARNING, logging.INFO, logging.DEBUG),
    "django_tasks": (logging.WARNING, logging.INFO, logging.DEBUG),
    "django_tasks_db": (logging.WARNING, logging.WARNING, logging.DEBUG),
}


def _interval(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0
    if not 0 < seconds <= 86400:
        raise argparse.ArgumentTypeError(f"应为 0 到 86400 之间的秒数，收到：{value}")
    return seconds


class Command(BaseCommand):
    help = (
        "后台任务进程：每天 TUIJIN_SNAPSHOT_AT（默认 01:30）之后生成当日快照（启动时若当日快照缺失且已过时间则补做），"
        "并执行任务队列（网页导入等，每 2 秒检查一次）。与 gunicorn 一起常驻运行；--once 只执行当前到期的任务后退出（供 cron 使用）。"
    )

    clock = staticmethod(timezone.now)  # read once per tick; tests set their own

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="执行当前到期的任务和队列后退出")
        parser.add_argument(
            "--interval", type=_interval, default=60.0, metavar="SECONDS", help="两次检查之间的秒数（默认 60）"
        )

    def handle(self, *, once=False, interval=60.0, verbosity=1, **options):
        for name, levels in LOG_LEVELS.items():
            logging.getLogger(name).setLevel(levels[min(verbosity, 2)])
        try:
            schedule.daily_jobs()
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}"
        self.stopping, self.queue = False, None
        if once:
            failed = self.tick()
            if failed:
                raise CommandError("；".join(f"{r.job} {r.date} 失败：{r.message}" for r in failed))
            return
        previous = {sig: signal.signal(sig, self.stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        logger.info(
            "后台任务进程 %s 启动：每 %g 秒检查一次，每日快照时间 %s",
            self.worker_id,
            interval,
            settings.TUIJIN_SNAPSHOT_AT,
        )
        try:
            while not self.stopping:
                try:
                    self.tick()
                except Exception:  # a broken database or a bug must not end the process; try again next tick
                    logger.exception("本轮执行出错，%g 秒后重试", interval)
                self.sleep(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        logger.info("后台任务进程 %s 已退出", self.worker_id)

    def tick(self) -> list[JobRun]:
        """Enqueue what is due now, run the queue; returns this tick's runs that failed."""
        close_old_connections()
        now = self.clock()
        requeue_abandoned(now)  # web imports whose worker was killed mid-run
        started = schedule.enqueue_due(now, self.worker_id)
        if not self.stopping:
            self.queue = schedule.run_queue(self.worker_id)
            try:
                self.queue.run()
            finally:
                self.queue = None
        close_old_connections()
        return list(JobRun.objects.filter(pk__in=[r.pk for r in started], status=JobRun.Status.FAILED))

    QUEUE_POLL = 2.0  # seconds: queued tasks (web imports) start this soon, whatever the schedule interval

    def sleep(self, seconds: float) -> None:
        """Wait for the next scheduler tick, running tasks queued meanwhile (a clerk's import) every
        QUEUE_POLL seconds."""
        deadline = time.monotonic() + seconds
        polled = time.monotonic()
        while not self.stopping and (left := deadline - time.monotonic()) > 0:
            time.sleep(min(left, 1.0))
            if not self.stopping and time.monotonic() - polled >= self.QUEUE_POLL:
                polled = time.monotonic()
                try:
                    self.queue = schedule.run_queue(self.worker_id)
                    self.queue.run()
                except Exception:
                    logger.exception("执行任务队列出错，稍后重试")
                finally:
                    self.queue = None
                    close_old_connections()

    def stop(self, signum, frame):
        if self.stopping:
            logger.warning("再次收到 %s，立即退出", signal.Signals(signum).name)
            raise SystemExit(1)
        logger.info("收到 %s，当前任务完成后退出", signal.Signals(signum).name)
        self.stopping = True
        if self.queue is not None:
            self.queue.running = False

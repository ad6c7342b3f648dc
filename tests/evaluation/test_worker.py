"""`tuijin worker` takes the daily snapshot once per day, from the configured time, whatever the number of workers.

The worker reads its clock once per tick; these tests give it a clock instead of waiting for 01:30.
They run with real transactions (the queue worker manages its own), on SQLite and PostgreSQL alike.
"""

import datetime as dt
import os
import signal
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tuijin.evaluation.models import Snapshot
from tuijin.jobs import schedule, tasks
from tuijin.jobs.management.commands.worker import Command as Worker
from tuijin.jobs.models import JobRun
from tuijin.orgs.models import Org

pytestmark = pytest.mark.django_db(transaction=True)

DAY = dt.date(2026, 11, 27)


def local(day, hh, mm):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def run_worker(now, **options):
    """`tuijin worker --once` at the local time `now`."""
    command = Worker()
    command.clock = lambda: now
    call_command(command, once=True, **options)


@pytest.fixture(autouse=True)
def _real_calendar(monkeypatch, settings):
    monkeypatch.delenv("TUIJIN_TODAY", raising=False)
    settings.TUIJIN_SNAPSHOT_AT = "01:30"


def test_once_does_nothing_before_the_configured_time(world):
    run_worker(local(DAY, 1, 29))
    assert not JobRun.objects.exists()
    assert not Snapshot.objects.exists()


def test_once_takes_todays_snapshot_at_the_configured_time(world):
    run_worker(local(DAY, 1, 30))
    run = JobRun.objects.get()
    assert (run.job, run.date, run.status, run.attempts) == ("snapshot", DAY, "ok", 1)
    assert run.message.startswith(f"已按 {DAY} 重算 {Org.objects.count()} 个组织的指标并保存快照；已写操作记录检查点 ")
    assert "站内提醒新增 0 条" in run.message  # the apps' daily work runs after the snapshot (core.daily)
    assert Snapshot.objects.filter(date=DAY).count() == Org.objects.count()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    # the day's audit checkpoint, anchoring the chain's head outside the database
    from tuijin.core import events

    assert events.verify().checkpoints == 1 and events.verify().ok
    assert DBTaskResult.objects.get().pk.hex == run.task_id.replace("-", "")


def test_the_time_is_read_from_tuijin_snapshot_at(world, settings):
    settings.TUIJIN_SNAPSHOT_AT = "06:00"
    run_worker(local(DAY, 5, 59))
    assert not JobRun.objects.exists()
    run_worker(local(DAY, 6, 0))
    assert JobRun.objects.get().status == "ok"


def test_a_worker_started_late_catches_up_the_day(world):
    run_worker(local(DAY, 15, 42))
    assert JobRun.objects.get(date=DAY).status == "ok"


def test_a_second_run_the_same_day_does_nothing(world):
    run_worker(local(DAY, 1, 30))
    run_worker(local(DAY, 1, 31))
    run_worker(local(DAY, 23, 59))
    run = JobRun.objects.get()
    assert (run.status, run.attempts, run.started_at) == ("ok", 1, local(DAY, 1, 30))
    assert DBTaskResult.objects.count() == 1


def test_the_next_day_gets_its_own_snapshot(world):
    run_worker(local(DAY, 1, 30))
    run_worker(local(DAY + dt.timedelta(days=1), 0, 30))  # not yet due
    run_worker(local(DAY + dt.timedelta(days=1), 1, 30))
    assert list(JobRun.objects.order_by("date").values_list("date", "status")) == [
        (DAY, "ok"),
        (DAY + dt.timedelta(days=1), "ok"),
    ]


def test_a_demo_date_pins_the_day_the_snapshot_is_for(world, monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-27")
    run_worker(local(dt.date(2030, 1, 1), 2, 0))
    assert JobRun.objects.get().date == DAY


def test_a_malformed_snapshot_time_is_reported_plainly(world, settings):
    settings.TUIJIN_SNAPSHOT_AT = "1点半"
    with pytest.raises(CommandError, match="TUIJIN_SNAPSHOT_AT 应为 时:分"):
        run_worker(local(DAY, 2, 0))


def test_a_failed_run_is_recorded_and_retried_at_the_next_tick(world, monkeypatch):
    real = tasks.take_snapshot
    calls = []

    def fails_once(day):
        calls.append(day)
        if len(calls) == 1:
            raise RuntimeError("数据库连接中断")
        return real(day)

    monkeypatch.setattr(tasks, "take_snapshot", fails_once)
    with pytest.raises(CommandError, match="snapshot 2026-11-27 失败：RuntimeError: 数据库连接中断"):
        run_worker(local(DAY, 1, 30))
    run = JobRun.objects.get()
    assert (run.status, run.attempts, run.message) == ("failed", 1, "RuntimeError: 数据库连接中断")
    assert run.finished_at is not None
    assert DBTaskResult.objects.get().status == "FAILED"
    assert not Snapshot.objects.exists()

    run_worker(local(DAY, 1, 31))
    run = JobRun.objects.get()
    assert (run.status, run.attempts, run.started_at) == ("ok", 2, local(DAY, 1, 31))
    assert Snapshot.objects.filter(date=DAY).count() == Org.objects.count()
    assert calls == [DAY, DAY]


def test_two_claims_of_the_same_day_only_one_succeeds(db):
    first = schedule.claim("snapshot", DAY, local(DAY, 1, 30), "worker-a")
    second = schedule.claim("snapshot", DAY, local(DAY, 1, 30), "worker-b")
    assert first is not None and first.worker == "worker-a"
    assert second is None


def test_a_failed_day_is_taken_over_by_only_one_worker(db):
    JobRun.objects.create(job="snapshot", date=DAY, status="failed", started_at=local(DAY, 1, 30))
    taken = [schedule.claim("snapshot", DAY, local(DAY, 1, 31), w) for w in ("worker-a", "worker-b")]
    assert [r.worker if r else None for r in taken] == ["worker-a", None]
    assert JobRun.objects.get().attempts == 2


def test_a_run_abandoned_by_a_killed_worker_is_taken_over_later(db):
    JobRun.objects.create(job="snapshot", date=DAY, status="running", started_at=local(DAY, 1, 30))
    assert schedule.claim("snapshot", DAY, local(DAY, 2, 30), "worker-b") is None  # may still be running
    assert schedule.claim("snapshot", DAY, local(DAY, 3, 31), "worker-b").worker == "worker-b"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's shared in-memory test database cannot hold two writers; the claim is the same SQL",
)
def test_two_workers_racing_for_the_day_start_it_once(db):
    barrier, started = threading.Barrier(2), []

    def worker(name):
        try:
            barrier.wait()
            started.extend(schedule.enqueue_due(local(DAY, 1, 30), name))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"worker-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(started) == 1
    assert JobRun.objects.count() == 1 and DBTaskResult.objects.count() == 1


def test_the_worker_runs_until_sigterm_and_then_stops_cleanly(world):
    ticks = []

    def clock():
        ticks.append(1)
        if len(ticks) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return local(DAY, 1, 30)

    before = signal.getsignal(signal.SIGTERM)
    command = Worker()
    command.clock = clock
    call_command(command, interval=0.01)
    assert len(ticks) == 3
    assert JobRun.objects.get().status == "ok"
    assert signal.getsignal(signal.SIGTERM) is before


def test_a_failing_tick_does_not_end_the_worker(world, monkeypatch):
    ticks = []

    def clock():
        ticks.append(1)
        if len(ticks) == 1:
            raise RuntimeError("时钟故障")
        if len(ticks) == 3:
            os.kill(os.getpid(), signal.SIGTERM)
        return local(DAY, 1, 30)

    command = Worker()
    command.clock = clock
    call_command(command, interval=0.01)
    assert len(ticks) == 3
    assert JobRun.objects.get().status == "ok"


def _dashboard(client, world):
    client.force_login(world.city_office)
    response = client.get("/evaluation/XS/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_says_when_the_worker_last_took_the_snapshot(client, world, monkeypatch):
    run_worker(local(DAY, 1, 30))
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-28")
    page = _dashboard(client, world)
    assert "趋势数据：最近快照 2026-11-27 01:30（每日自动）" in page
    assert "未更新" not in page


def test_the_dashboard_warns_when_the_snapshot_is_more_than_two_days_old(client, world, monkeypatch):
    run_worker(local(DAY, 1, 30))
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-30")
    page = _dashboard(client, world)
    assert "text-warning-emphasis" in page
    assert "快照已 3 天未更新，请检查后台任务（tuijin worker）" in page


def test_the_dashboard_shows_back_filled_snapshots_without_claiming_they_were_automatic(client, world, monkeypatch):
    from tuijin.evaluation.jobs import take_snapshot

    take_snapshot(DAY)
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-27")
    page = _dashboard(client, world)
    assert "趋势数据：最近快照 2026-11-27" in page
    assert "每日自动" not in page


def test_the_dashboard_says_when_there_is_no_snapshot_yet(client, world, monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-27")
    assert "趋势数据：尚无快照（tuijin worker 每天 01:30 自动生成）" in _dashboard(client, world)

"""`tuijin worker` computes the inbox once a day after the snapshot; a second tick adds nothing."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.conftest import make_user
from tuijin.jobs.management.commands.worker import Command as Worker
from tuijin.jobs.models import JobRun
from tuijin.supervision import actions
from tuijin.supervision.models import Notification

from .conftest import add_problems

pytestmark = pytest.mark.django_db(transaction=True)
DAY = dt.date(2026, 11, 27)


def run_worker(now):
    command = Worker()
    command.clock = lambda: now
    call_command(command, once=True)


def test_the_daily_job_files_the_reminders_once(world, campaign, monkeypatch, settings):
    monkeypatch.delenv("TUIJIN_TODAY", raising=False)
    settings.TUIJIN_SNAPSHOT_AT = "01:30"
    b1 = make_user("b1_clerk", "unit", org=world.branch_b1)
    add_problems(world.branch_b1, 3)
    actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=DAY - dt.timedelta(days=1)),
        actor=world.guide,
        on=DAY - dt.timedelta(days=1),
        feedback_due=DAY + dt.timedelta(days=2),
    )
    at = timezone.make_aware(dt.datetime.combine(DAY, dt.time(1, 30)))
    run_worker(at)
    assert "站内提醒新增 2 条" in JobRun.objects.get().message  # received, and due within 3 days
    run_worker(at + dt.timedelta(hours=3))
    assert Notification.objects.filter(user=b1).count() == 2 and JobRun.objects.count() == 1

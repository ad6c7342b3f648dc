"""A member logs self-study of a chapter (with an optional 心得) and sees their progress against time."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from tuijin.core.errors import ActionError
from tuijin.study import actions, queries
from tuijin.study.models import SelfStudy

from .conftest import AS_OF


def log(world, ch, actor=None, person=None, code="R1-01", date=dt.date(2026, 11, 1), **kw):
    return actions.log_self_study(
        actor=actor or world.member, person=person or world.p_a1a[0], date=date, chapter=ch[code], **kw
    )


def test_a_member_logs_their_own_self_study_with_a_reflection(world, campaign, ch):
    entry = log(world, ch, reflection="  第一部分讲了五年来的工作。\r\n体会：要以学促干。  ")
    assert entry.reflection == "第一部分讲了五年来的工作。\n体会：要以学促干。"
    progress = queries.person_progress(world.p_a1a[0], campaign, AS_OF)
    assert (progress.covered, progress.total) == (1, 5)


def test_a_member_cannot_log_for_someone_else(world, campaign, ch):
    with pytest.raises(PermissionDenied):
        log(world, ch, person=world.p_a1a[1])


def test_a_branch_clerk_may_log_for_a_member_of_the_branch_but_not_of_another(world, campaign, ch):
    assert log(world, ch, actor=world.branch_reporter, person=world.p_a1a[2]).pk
    with pytest.raises(PermissionDenied):
        log(world, ch, actor=world.branch_reporter, person=world.p_a1b[0])


def test_the_same_chapter_the_same_day_is_logged_once(world, campaign, ch):
    log(world, ch)
    with pytest.raises(ActionError, match="已经记录过") as refused:
        log(world, ch)
    assert refused.value.field == "chapter"
    assert log(world, ch, date=dt.date(2026, 11, 2)).pk  # reading it again another day is another log


def test_a_log_dated_after_today_is_refused(world, campaign, ch):
    with pytest.raises(ActionError, match="晚于今天"):
        log(world, ch, date=AS_OF + dt.timedelta(days=1), today=AS_OF)


def test_duration_is_optional_and_only_checked_for_sense(world, campaign, ch):
    assert log(world, ch).minutes is None
    with pytest.raises(ActionError, match="分钟"):
        log(world, ch, code="R1-02", minutes=0)


def test_withdrawing_a_log_keeps_it_in_history_and_takes_it_out_of_progress(world, campaign, ch):
    entry = log(world, ch)
    with pytest.raises(PermissionDenied):
        actions.withdraw_self_study(entry, actor=world.guide)
    actions.withdraw_self_study(entry, actor=world.member)
    assert SelfStudy.objects.get(pk=entry.pk).withdrawn
    assert queries.person_progress(world.p_a1a[0], campaign, AS_OF).covered == 0


def test_progress_is_compared_with_time_progress(world, campaign, ch):
    """Time progress on AS_OF is 0.70; lag 0.10, severe 0.25 (campaign defaults)."""
    person = world.p_a1a[0]
    assert queries.person_progress(person, campaign, AS_OF).status == "严重滞后"  # 0 of 5
    for code in ("R1-01", "R1-02", "R1-03"):
        log(world, ch, code=code)
    progress = queries.person_progress(person, campaign, AS_OF)
    assert progress.share == pytest.approx(0.6) and progress.progress == pytest.approx(0.7)
    assert progress.status == "正常"  # 0.6 is within 0.10 of 0.70
    assert progress.next_chapter().code == "R2-01"


def test_a_session_attended_and_a_log_of_the_same_chapter_count_once(world, campaign, ch):
    actions.record_session(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        date=dt.date(2026, 10, 1),
        form="支部学习",
        topic="t",
        chapters=[ch["R1-01"]],
        attendees=[world.p_a1a[0]],
    )
    log(world, ch)
    progress = queries.person_progress(world.p_a1a[0], campaign, AS_OF)
    assert progress.covered == 1
    chapter = progress.items[0].chapters[0]
    assert len(chapter.sessions) == 1 and len(chapter.logs) == 1

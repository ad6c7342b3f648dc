"""Solicitation timeliness: on time / late / missing / pending, deadlines at midnight Asia/Shanghai."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tuijin.publicity import actions, queries, timeliness

SH = ZoneInfo("Asia/Shanghai")
UTC = dt.UTC


def at(y, m, d, hh=12, mm=0, tz=SH):
    return dt.datetime(y, m, d, hh, mm, tzinfo=tz)


ISSUED = at(2026, 11, 20, 9, 0)


@pytest.mark.parametrize(
    "answer, status",
    [
        (at(2026, 11, 30, 23, 59), timeliness.ON_TIME),  # the last minute of D, local time
        (at(2026, 12, 1, 0, 0), timeliness.LATE),  # midnight after D: late
        (at(2026, 11, 30, 15, 59, tz=UTC), timeliness.ON_TIME),  # = 23:59 local, stored as UTC
        (at(2026, 11, 30, 16, 0, tz=UTC), timeliness.LATE),  # = 00:00 local on 12-01
        (at(2026, 11, 21, 8, 0), timeliness.ON_TIME),
    ],
)
def test_deadline_is_the_end_of_the_day_in_shanghai_across_a_month_end(answer, status):
    result = timeliness.judge(dt.date(2026, 11, 30), ISSUED, answer, as_of=dt.date(2026, 12, 5))
    assert result.status == status
    assert result.due


def test_unanswered_is_pending_until_the_deadline_has_passed_then_missing():
    deadline = dt.date(2026, 12, 31)
    assert timeliness.judge(deadline, ISSUED, None, as_of=dt.date(2026, 12, 31)).status == timeliness.PENDING
    assert not timeliness.judge(deadline, ISSUED, None, as_of=dt.date(2026, 12, 31)).due
    assert timeliness.judge(deadline, ISSUED, None, as_of=dt.date(2027, 1, 1)).status == timeliness.MISSING


def test_an_answer_after_as_of_is_not_yet_an_answer():
    r = timeliness.judge(dt.date(2026, 11, 30), ISSUED, at(2026, 12, 3), as_of=dt.date(2026, 12, 2))
    assert r.status == timeliness.MISSING


def test_response_time_and_median():
    a = timeliness.judge(dt.date(2026, 11, 30), ISSUED, at(2026, 11, 21, 9, 0), as_of=dt.date(2026, 12, 5))
    b = timeliness.judge(dt.date(2026, 11, 30), ISSUED, at(2026, 11, 23, 9, 0), as_of=dt.date(2026, 12, 5))
    c = timeliness.judge(dt.date(2026, 11, 30), ISSUED, at(2026, 12, 2, 9, 0), as_of=dt.date(2026, 12, 5))
    assert (a.hours, b.hours, c.hours) == (24, 72, 288)
    assert (
        timeliness.median_hours([a, b, c, timeliness.judge(dt.date(2026, 11, 30), ISSUED, None, dt.date(2026, 12, 5))])
        == 72
    )


def test_an_imported_date_counts_as_noon_that_day():
    assert timeliness.sent_at(dt.date(2026, 11, 30), None) == at(2026, 11, 30, 12, 0)


def test_per_target_standing_counts_answers_from_below_and_the_first_one(world):
    w = world
    s = actions.issue_solicitation(
        actor=None,
        org=w.county_a,
        topic="主题教育经验做法",
        deadline=dt.date(2026, 11, 30),
        targets=[w.unit_a1, w.branch_a2],
        issued_at=ISSUED,
        number="YG-1",
    )
    # XS-A-1-1 (below the target XS-A-1) answers late, then the target itself answers earlier? no: later.
    actions.create_submission(
        actor=None,
        org=w.branch_a1a,
        title="第一党支部主题教育专题研讨做法",
        date=dt.date(2026, 11, 30),
        submitted_at=at(2026, 11, 30, 23, 59),
        solicitation=s,
    )
    actions.create_submission(
        actor=None,
        org=w.unit_a1,
        title="教育局主题教育理论学习",
        date=dt.date(2026, 12, 1),
        submitted_at=at(2026, 12, 1, 8, 0),
        solicitation=s,
    )
    rows = {r.org.code: r.answer for r in queries.answers(s, dt.date(2026, 12, 2))}
    assert rows["XS-A-1"].status == timeliness.ON_TIME  # the branch's answer, the first one, counts
    assert rows["XS-A-2"].status == timeliness.MISSING
    # A look-alike: the branch XS-A-2's sibling answering does not answer for XS-A-2.
    assert rows["XS-A-2"].answered_at is None


def test_a_piece_cannot_answer_a_solicitation_not_sent_to_its_org(world):
    w = world
    s = actions.issue_solicitation(
        actor=None,
        org=w.county_a,
        topic="约稿",
        deadline=dt.date(2026, 11, 30),
        targets=[w.branch_a2],
        issued_at=ISSUED,
        number="YG-2",
    )
    from tuijin.core.errors import ActionError

    with pytest.raises(ActionError, match="没有向"):
        actions.create_submission(
            actor=None, org=w.branch_a1a, title="主题教育信息", date=dt.date(2026, 11, 25), solicitation=s
        )

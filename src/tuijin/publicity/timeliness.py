"""Was a solicitation (约稿) answered on time? (SPEC §2.6; the speech: 对市县信息约稿反应不及时)

A deadline is a date D and means "by the end of D, Asia/Shanghai": a piece sent at 23:59 on D local
time is on time, one sent at 00:00 on D+1 is late, whatever the server's or the database's zone.
A target org answers with a submission of its own or of any org below it (the branch that wrote the
piece answers for the committee that was asked). The first answer counts.

Per target, as of a date:
- 按时 on time: answered, the answer's local date ≤ D;
- 逾期 late: answered after D;
- 未报送 missing: not answered and D has passed (as_of > D);
- 未到期 pending: not answered, D not yet passed — never counted against the unit.
The response time is from the solicitation's issue to the answer. A submission with only a date
(imported) is taken as sent at 12:00 local time that day.
"""

from __future__ import annotations

import datetime as dt
import statistics
from dataclasses import dataclass
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Shanghai")
ON_TIME, LATE, MISSING, PENDING = "按时", "逾期", "未报送", "未到期"
NOON = dt.time(12, 0)


def local_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL).date()


def sent_at(date: dt.date, submitted_at: dt.datetime | None) -> dt.datetime:
    """The moment a submission was sent (aware)."""
    if submitted_at is not None:
        return submitted_at
    return dt.datetime.combine(date, NOON, tzinfo=LOCAL)


def deadline_end(deadline: dt.date) -> dt.datetime:
    """The first moment after the deadline: midnight after D, Asia/Shanghai."""
    return dt.datetime.combine(deadline + dt.timedelta(days=1), dt.time(0), tzinfo=LOCAL)


@dataclass
class Answer:
    status: str
    answered_at: dt.datetime | None = None
    hours: float | None = None  # response time
    submission_id: int | None = None

    @property
    def due(self) -> bool:
        """Counts in the response rates: answered, or the deadline has passed."""
        return self.status != PENDING


def judge(
    deadline: dt.date,
    issued_at: dt.datetime,
    answer_at: dt.datetime | None,
    as_of: dt.date,
    submission_id: int | None = None,
) -> Answer:
    """One target's standing. `answer_at` is the first answer's moment (None: not answered)."""
    if answer_at is not None and local_date(answer_at) <= as_of:
        status = ON_TIME if answer_at < deadline_end(deadline) else LATE
        hours = max(0.0, (answer_at - issued_at).total_seconds() / 3600)
        return Answer(status, answer_at, hours, submission_id)
    return Answer(MISSING if as_of > deadline else PENDING)


def median_hours(answers) -> float | None:
    """Median response time of the answered ones. Not additive: computed from the answers themselves,
    never summed from per-org figures."""
    hours = [a.hours for a in answers if a.hours is not None]
    return statistics.median(hours) if hours else None


def now_on(day: dt.date) -> dt.datetime:
    """The current local time of day on `day`: the moment a page or API call records when the calendar's
    today is pinned (TUIJIN_TODAY, demos), so issue and answer moments agree with the dates shown."""
    from django.utils import timezone

    now = timezone.now()
    if timezone.localdate(now) == day:
        return now
    return dt.datetime.combine(day, timezone.localtime(now).time(), tzinfo=LOCAL)

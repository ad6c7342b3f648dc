"""Issue 13: the inbox reminds a unit of a solicitation (约稿) addressed to it and not answered — 3 days
ahead, on the day, once overdue — once each; a unit that answered (itself or through a branch) and a
solicitation far from its deadline remind nobody."""

import datetime as dt
from zoneinfo import ZoneInfo

from tests.conftest import make_user
from tuijin.publicity import actions as publicity
from tuijin.supervision import inbox
from tuijin.supervision.models import Notification

SH = ZoneInfo("Asia/Shanghai")


def at(m, d, hh=10):
    return dt.datetime(2026, m, d, hh, 0, tzinfo=SH)


def keys(user):
    return sorted(Notification.objects.filter(user=user, kind="约稿到期").values_list("key", flat=True))


def test_unanswered_solicitations_are_reminded_once_per_stage(world):
    w = world
    a1 = make_user("a1_clerk", "unit", org=w.unit_a1)
    a2 = make_user("a2_clerk", "unit", org=w.branch_a2)
    b1 = make_user("b1_clerk", "unit", org=w.branch_b1)
    s = publicity.issue_solicitation(
        actor=None,
        org=w.city,
        topic="主题教育经验做法",
        deadline=dt.date(2026, 11, 30),
        targets=[w.unit_a1, w.branch_a2, w.branch_b1],
        issued_at=at(11, 20),
        number="YG-1",
    )
    publicity.issue_solicitation(
        actor=None,
        org=w.city,
        topic="年终总结",
        deadline=dt.date(2026, 12, 31),
        targets=[w.branch_b1],
        issued_at=at(11, 20),
        number="YG-2",
    )  # far off: not yet
    publicity.create_submission(
        actor=None,
        org=w.branch_a1a,
        title="第一党支部专题研讨做法",
        date=dt.date(2026, 11, 25),
        submitted_at=at(11, 25),
        solicitation=s,
    )  # answers for 教育局党委

    assert inbox.compute(dt.date(2026, 11, 26)) == 0  # 4 days ahead: nothing yet
    inbox.compute(dt.date(2026, 11, 27))
    assert keys(a1) == []
    assert keys(a2) == [f"solicitation:{s.pk}:{w.branch_a2.pk}:2026-11-30:ahead"]
    assert keys(b1) == [f"solicitation:{s.pk}:{w.branch_b1.pk}:2026-11-30:ahead"]
    text = Notification.objects.get(user=b1).text
    assert text == "约稿“主题教育经验做法”2026年11月30日截止，即将到期，尚未报送"
    assert inbox.compute(dt.date(2026, 11, 27)) == 0 and inbox.compute(dt.date(2026, 11, 28)) == 0  # idempotent

    publicity.create_submission(
        actor=None,
        org=w.branch_a2,
        title="城关镇经验",
        date=dt.date(2026, 11, 29),
        submitted_at=at(11, 29),
        solicitation=s,
    )
    inbox.compute(dt.date(2026, 11, 30))
    inbox.compute(dt.date(2026, 12, 1))
    inbox.compute(dt.date(2026, 12, 2))
    assert len(keys(a2)) == 1  # answered: no more reminders
    assert [k.rsplit(":", 1)[1] for k in keys(b1)] == ["ahead", "day", "overdue"]

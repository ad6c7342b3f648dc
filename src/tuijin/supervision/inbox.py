"""The in-app inbox (SPEC §2.7): letters received, feedback due, answers to review, solicitations (约稿)
not yet answered, task deadlines.

`compute(as_of)` runs once a day in `tuijin worker`'s daily job. It is idempotent: every reminder has
a key (what, which object, which stage), unique per user, so a second run the same day — or a retried
one — adds nothing. Stages for a deadline: 3 days before, on the day, overdue (each once).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from tuijin.evaluation.briefing import cn_date
from tuijin.orgs.models import RoleGrant

from .models import LetterState, Notification, ReminderLetter

AHEAD_DAYS = 3


def unread_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read=False).count()


def stage(deadline: dt.date, as_of: dt.date) -> str | None:
    """Which reminder a deadline is due for on `as_of`: 3 days ahead (within them), the day, overdue."""
    days = (deadline - as_of).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "day"
    if days <= AHEAD_DAYS:
        return "ahead"
    return None


STAGE_TEXT = {"ahead": "即将到期", "day": "今天到期", "overdue": "已逾期"}


def _org_users(org_ids) -> dict[int, set[int]]:
    """The accounts that act for each org itself (its unit and office grants)."""
    out: dict[int, set[int]] = {}
    for user_id, org_id in RoleGrant.objects.filter(
        org_id__in=org_ids, role__in=["unit", "office"], user__is_active=True
    ).values_list("user_id", "org_id"):
        out.setdefault(org_id, set()).add(user_id)
    return out


def _senders(letter) -> set[int]:
    if letter.group_id:
        return set(
            RoleGrant.objects.filter(group_id=letter.group_id, role="guidance", user__is_active=True).values_list(
                "user_id", flat=True
            )
        )
    return {letter.created_by_id} if letter.created_by_id else set()


def wanted(as_of: dt.date) -> list[Notification]:
    """Every reminder that should exist on `as_of` (existing ones are skipped by their key)."""
    out = []
    letters = list(
        ReminderLetter.objects.filter(
            state__in=[LetterState.SENT, LetterState.ANSWERED], sent_on__lte=as_of
        ).select_related("org")
    )
    receivers = _org_users({x.org_id for x in letters})
    for x in letters:
        url = f"/supervision/letters/{x.pk}/"
        due = cn_date(x.feedback_due) if x.feedback_due else "规定时限"
        for user_id in receivers.get(x.org_id, ()):
            out.append(
                Notification(
                    user_id=user_id,
                    key=f"letter:{x.pk}:received",
                    kind="收到提示函",
                    text=f"收到{x.number}《{x.title}》，请于{due}前反馈",
                    url=url,
                    on=as_of,
                )
            )
            st = stage(x.feedback_due, as_of) if x.state == LetterState.SENT and x.feedback_due else None
            if st:
                out.append(
                    Notification(
                        user_id=user_id,
                        key=f"letter:{x.pk}:due:{x.feedback_due}:{st}",
                        kind="反馈到期",
                        url=url,
                        on=as_of,
                        text=f"{x.number}反馈时限{due}{STAGE_TEXT[st]}",
                    )
                )
        if x.state == LetterState.ANSWERED:
            for user_id in _senders(x):
                out.append(
                    Notification(
                        user_id=user_id,
                        key=f"letter:{x.pk}:answered:{x.rounds}",
                        kind="待审核反馈",
                        text=f"{x.org.name}已反馈{x.number}，请审核",
                        url=url,
                        on=as_of,
                    )
                )
    out += task_reminders(as_of)
    out += solicitation_reminders(as_of)
    return out


OVERDUE_FOR = 30  # days after a deadline an unanswered piece is still reminded of (once, with its stage)


def solicitation_reminders(as_of: dt.date) -> list[Notification]:
    """约稿 addressed to an org and not answered yet (by it or any org below it, publicity/timeliness.py):
    its unit and office accounts are reminded 3 days ahead, on the day, and once overdue."""
    from tuijin.publicity import timeliness
    from tuijin.publicity.models import Solicitation
    from tuijin.publicity.queries import answers

    out = []
    sols = Solicitation.objects.filter(
        deadline__gte=as_of - dt.timedelta(days=OVERDUE_FOR), deadline__lte=as_of + dt.timedelta(days=AHEAD_DAYS)
    ).order_by("pk")
    for s in sols:
        st = stage(s.deadline, as_of)
        if st is None or timeliness.local_date(s.issued_at) > as_of:
            continue
        open_ = [
            row.org.pk for row in answers(s, as_of) if row.answer.status in (timeliness.PENDING, timeliness.MISSING)
        ]
        users = _org_users(open_)
        for org_id in open_:
            for user_id in users.get(org_id, ()):
                out.append(
                    Notification(
                        user_id=user_id,
                        key=f"solicitation:{s.pk}:{org_id}:{s.deadline}:{st}",
                        kind="约稿到期",
                        url=f"/publicity/solicitation/{s.pk}/",
                        on=as_of,
                        text=f"约稿“{s.topic[:120]}”{cn_date(s.deadline)}截止，{STAGE_TEXT[st]}，尚未报送",
                    )
                )
    return out


def task_reminders(as_of: dt.date) -> list[Notification]:
    """Deployed tasks falling due: the units that have not completed them, 3 days ahead, on the day,
    and once overdue."""
    from tuijin.campaigns import rules
    from tuijin.campaigns.models import Campaign

    out = []
    for campaign in Campaign.objects.filter(start__lte=as_of, end__gte=as_of - dt.timedelta(days=AHEAD_DAYS)):
        for task in campaign.tasks.all():
            st = stage(task.deadline, as_of)
            if st is None or (st == "overdue" and (as_of - task.deadline).days > 30):
                continue
            applicable = list(rules.applicable_orgs(task, within=campaign.root))
            result = rules.evaluate(task, applicable, as_of)
            undone = [o.pk for o in applicable if not result[o.pk].done]
            users = _org_users(undone)
            for org_id in undone:
                for user_id in users.get(org_id, ()):
                    out.append(
                        Notification(
                            user_id=user_id,
                            key=f"task:{task.pk}:{org_id}:{st}",
                            kind="任务到期",
                            url="/campaign/",
                            on=as_of,
                            text=f"“{task.title}”{cn_date(task.deadline)}截止，{STAGE_TEXT[st]}，尚未完成",
                        )
                    )
    return out


def compute(as_of: dt.date) -> int:
    """Add the day's reminders that are not there yet; returns how many were added."""
    items = wanted(as_of)
    with transaction.atomic():
        have = set(Notification.objects.filter(key__in={n.key for n in items}).values_list("user_id", "key"))
        new = [n for n in items if (n.user_id, n.key) not in have]
        Notification.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def daily(day: dt.date) -> str:
    return f"站内提醒新增 {compute(day)} 条"


def home_panel(user, as_of) -> list[dict]:
    """Letters the user's own org received and has yet to answer (home page)."""
    from .queries import letters_for

    own = list(user.grants.filter(role__in=["unit", "office"]).values_list("org_id", flat=True))
    if not own:
        return _answers_to_review(user)
    items = [
        {
            "text": f"{x.number}《{x.title}》 请于{cn_date(x.feedback_due)}前反馈",
            "url": f"/supervision/letters/{x.pk}/",
            "warn": "已逾期" if x.is_overdue(as_of) else "",
        }
        for x in letters_for(user).filter(org_id__in=own, state=LetterState.SENT).order_by("feedback_due")[:10]
    ]
    return [{"title": "待反馈的提示函", "items": items}, *_answers_to_review(user)]


def _answers_to_review(user) -> list[dict]:
    """Letters the user may review (its group's or office's) that their units have answered: 答复待审核."""
    from .actions import can_supervise
    from .queries import letters_for

    answered = [
        x
        for x in letters_for(user).filter(state=LetterState.ANSWERED).order_by("answered_on", "pk")[:50]
        if can_supervise(user, x.org)
    ][:10]
    items = [
        {
            "text": f"{x.org.name}答复了{x.number}（{cn_date(x.answered_on)}），请审核",
            "url": f"/supervision/letters/{x.pk}/",
            "warn": "",
        }
        for x in answered
    ]
    return [{"title": "提示函答复待审核", "items": items}]

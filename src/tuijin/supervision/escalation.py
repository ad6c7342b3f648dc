"""The escalation ladder (SPEC §2.7): 提醒 → 提示函 → 约谈 → 问责, suggested from how long and how far
an org has lagged (daily snapshots) and whether letters went unanswered past their deadline. Only a
suggestion with its reasons: a person decides (actions.decide_escalation records it)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuijin.core.indicators import STATUS_OK, STATUS_SEVERE
from tuijin.evaluation.briefing import cn_date
from tuijin.orgs.models import Org

from .letters import letter_findings
from .models import Interview, LetterState, ReminderLetter

LONG_LAG_DAYS = 14  # lagging at least this long: a reminder is no longer enough


@dataclass
class Suggestion:
    org: Org
    step: str
    reasons: list[str] = field(default_factory=list)
    lagging: int = 0
    severe: int = 0
    lag_days: int = 0
    overdue_letters: int = 0


def lag_since(org: Org, as_of: dt.date) -> dt.date | None:
    """The first snapshot date of the unbroken run of lagging snapshots up to `as_of` (None: the org
    did not lag at its last snapshot). Reads the org's filed subtree totals, never the records."""
    from tuijin.campaigns.queries import current_campaign
    from tuijin.evaluation.counters import decode
    from tuijin.evaluation.models import Snapshot
    from tuijin.evaluation.scorecard import lines_for

    campaign = current_campaign(org, as_of)
    since = None
    for date, total in (Snapshot.objects.filter(org=org, date__lte=as_of).order_by("-date")
                        .values_list("date", "total")[:120]):
        progress = campaign.progress(date) if campaign else None
        lags = any(ln.status != STATUS_OK for ln in lines_for(decode(total), campaign, progress))
        if not lags:
            break
        since = date
    return since


def suggest(org: Org, as_of: dt.date) -> Suggestion:
    findings = [f for f in letter_findings(org, as_of) if f.status in ("滞后", STATUS_SEVERE)]
    severe = [f for f in findings if f.status == STATUS_SEVERE]
    s = Suggestion(org, "无需督促", lagging=len(findings), severe=len(severe))
    letters = ReminderLetter.objects.filter(org=org).exclude(state__in=[LetterState.DRAFT, LetterState.WITHDRAWN])
    overdue = [x for x in letters if x.state == LetterState.SENT and x.feedback_due and x.feedback_due < as_of]
    s.overdue_letters = len(overdue)
    since = lag_since(org, as_of) if findings else None
    s.lag_days = (as_of - since).days if since else 0
    interviews = Interview.objects.filter(org=org, on__lte=as_of).order_by("-on")
    if not findings and not overdue:
        s.reasons.append(f"截至{cn_date(as_of)}各项指标未滞后于时间进度，没有逾期未反馈的提示函")
        return s
    if findings:
        s.reasons.append(f"{len(findings)}项指标滞后于时间进度" + (f"，其中{len(severe)}项严重滞后" if severe else "")
                         + f"（{'、'.join(f.name for f in findings[:3])}{'等' if len(findings) > 3 else ''}）")
    if s.lag_days and since is not None:
        s.reasons.append(f"自{cn_date(since)}起持续滞后{s.lag_days}天")
    for x in overdue:
        assert x.feedback_due is not None  # overdue means a deadline passed
        s.reasons.append(f"{x.number}要求{cn_date(x.feedback_due)}前反馈，逾期{(as_of - x.feedback_due).days}天未反馈")
    sent = [x for x in letters if x.sent_on and x.sent_on <= as_of]
    if sent:
        s.reasons.append(f"已发提示函{len(sent)}份")
    last_interview = interviews.first()
    if last_interview:
        s.reasons.append(f"{cn_date(last_interview.on)}已约谈{last_interview.whom}")
    # The ladder, from the top down.
    if last_interview and (overdue or (severe and s.lag_days >= LONG_LAG_DAYS)):
        s.step = "问责"
    elif overdue or (len(sent) >= 2 and findings):
        s.step = "约谈"
    elif findings and (severe or s.lag_days >= LONG_LAG_DAYS):
        open_letters = [x for x in letters if x.state in (LetterState.SENT, LetterState.ANSWERED)]
        s.step = "提醒" if open_letters else "提示函"
        if open_letters:
            s.reasons.append(f"{open_letters[0].number}尚在办理，反馈时限未到")
    else:
        s.step = "提醒"
    return s

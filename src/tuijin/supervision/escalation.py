"""The escalation ladder (SPEC §2.7): 提醒 → 提示函 → 约谈 → 问责, suggested from how long and how far
an org has lagged (daily snapshots), the short boards the detectors find in it (core/detectors.py,
evaluation/findings.py: the same boards the briefing, the letters and the group home show) and how long
they have stood, and whether letters went unanswered past their deadline. Only a suggestion with its
reasons: a person decides (actions.decide_escalation records it).

The rules, from the top down:
- 问责: interviewed already, and since then a letter overdue, or severely lagging for LONG_LAG_DAYS;
- 约谈: a letter overdue, or two letters sent and it still lags or shows short boards;
- 提示函: severely lagging, lagging for LONG_LAG_DAYS, or a short board standing for LONG_LAG_DAYS
  (提醒 instead while a letter is still running);
- 提醒: lagging or showing a short board, but not for long;
- 无需督促: nothing lags, no short board, no letter overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuijin.core.indicators import STATUS_OK, STATUS_SEVERE
from tuijin.evaluation.briefing import cn_date
from tuijin.orgs.models import Org

from .letters import BOARD, day_cached, letter_findings
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
    boards: list[str] = field(default_factory=list)  # the detectors' short boards standing now (names)
    board_days: int = 0  # how long the longest-standing of them has stood


def lag_since(org: Org, as_of: dt.date) -> dt.date | None:
    """The first snapshot date of the unbroken run of lagging snapshots up to `as_of` (None: the org
    did not lag at its last snapshot). Reads the org's filed subtree totals, never the records."""
    from tuijin.campaigns.queries import current_campaign
    from tuijin.evaluation.counters import decode
    from tuijin.evaluation.models import Snapshot
    from tuijin.evaluation.scorecard import lines_for

    campaign = current_campaign(org, as_of)
    since = None
    for date, total in (
        Snapshot.objects.filter(org=org, date__lte=as_of).order_by("-date").values_list("date", "total")[:120]
    ):
        progress = campaign.progress(date) if campaign else None
        lags = any(ln.status != STATUS_OK for ln in lines_for(decode(total), campaign, progress))
        if not lags:
            break
        since = date
    return since


def board_since(org: Org, as_of: dt.date, codes) -> dict[str, dt.date]:
    """For each detector code in `codes` (boards standing at `as_of`), the first date of the unbroken
    run of daily snapshots up to `as_of` whose figures show it within org's subtree (the same
    evaluation.findings over the snapshot's totals). Walks back only until LONG_LAG_DAYS is reached:
    a run may have begun earlier than the date returned, never later. Kept per (org, day) as the
    findings are (letters.day_cached)."""
    codes = sorted(codes)
    return day_cached("board_since", org, as_of, lambda: _board_since(org, as_of, codes), *codes)


def _board_since(org: Org, as_of: dt.date, codes) -> dict[str, dt.date]:
    from tuijin.evaluation.findings import findings
    from tuijin.evaluation.models import Snapshot

    since: dict[str, dt.date] = {}
    running = set(codes)
    dates = Snapshot.objects.filter(org=org, date__lte=as_of).order_by("-date").values_list("date", flat=True)[:120]
    for date in dates:
        if not running:
            break
        shown = {f.detector for f in findings(org, date, include_self=True)}
        for code in list(running):
            if code in shown:
                since[code] = date
                if (as_of - date).days >= LONG_LAG_DAYS:
                    running.discard(code)  # standing long enough: no need to look further back
            else:
                running.discard(code)
    return since


def suggest(org: Org, as_of: dt.date, found=None) -> Suggestion:
    """`found`: the org's letter_findings at `as_of` when the caller has them already."""
    everything = letter_findings(org, as_of) if found is None else found
    findings = [f for f in everything if f.status in ("滞后", STATUS_SEVERE)]
    severe = [f for f in findings if f.status == STATUS_SEVERE]
    boards: dict[str, list] = {}
    for f in everything:
        if f.status == BOARD:
            boards.setdefault(f.code, []).append(f)
    s = Suggestion(
        org, "无需督促", lagging=len(findings), severe=len(severe), boards=[fs[0].name for fs in boards.values()]
    )
    letters = ReminderLetter.objects.filter(org=org).exclude(state__in=[LetterState.DRAFT, LetterState.WITHDRAWN])
    overdue = [x for x in letters if x.state == LetterState.SENT and x.feedback_due and x.feedback_due < as_of]
    s.overdue_letters = len(overdue)
    since = lag_since(org, as_of) if findings else None
    s.lag_days = (as_of - since).days if since else 0
    interviews = Interview.objects.filter(org=org, on__lte=as_of).order_by("-on")
    if not findings and not overdue and not boards:
        s.reasons.append(f"截至{cn_date(as_of)}各项指标未滞后于时间进度，没有检测出短板，没有逾期未反馈的提示函")
        return s
    if findings:
        s.reasons.append(
            f"{len(findings)}项指标滞后于时间进度"
            + (f"，其中{len(severe)}项严重滞后" if severe else "")
            + f"（{'、'.join(f.name for f in findings[:3])}{'等' if len(findings) > 3 else ''}）"
        )
    if s.lag_days and since is not None:
        s.reasons.append(f"自{cn_date(since)}起持续滞后{s.lag_days}天")
    board_dates = board_since(org, as_of, boards) if boards else {}
    for code, fs in boards.items():
        where = "；".join(f.text for f in fs[:3]) + (f"等{len(fs)}个单位" if len(fs) > 3 else "")
        started = board_dates.get(code)
        days = (as_of - started).days if started else 0
        s.board_days = max(s.board_days, days)
        s.reasons.append(
            f"存在短板“{fs[0].name}”（{where}）"
            + (f"，自{cn_date(started)}以来的每次统计都显示，已{days}天" if started and days else "")
        )
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
    standing = s.board_days >= LONG_LAG_DAYS
    if last_interview and (overdue or (severe and s.lag_days >= LONG_LAG_DAYS)):
        s.step = "问责"
    elif overdue or (len(sent) >= 2 and (findings or boards)):
        s.step = "约谈"
    elif (findings and (severe or s.lag_days >= LONG_LAG_DAYS)) or standing:
        open_letters = [x for x in letters if x.state in (LetterState.SENT, LetterState.ANSWERED)]
        s.step = "提醒" if open_letters else "提示函"
        if open_letters:
            s.reasons.append(f"{open_letters[0].number}尚在办理，反馈时限未到")
    else:
        s.step = "提醒"
    return s

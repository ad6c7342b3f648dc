"""Scorecards: every registered indicator for an org's subtree at an as_of date, against time progress.

Totals come from the counters when as_of is the counter date, from the daily snapshot when one
exists for as_of, and are computed live otherwise (any date still works; it just costs a scan).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuijin.core.scope import subtree_q
from tuijin.campaigns import rules
from tuijin.campaigns.queries import current_campaign
from tuijin.core.indicators import DIMENSIONS, STATUS_OK, Indicator, Pair, all_indicators, roll_up
from tuijin.orgs.models import Org

from . import counters
from .models import OrgScore, Snapshot


@dataclass
class Line:
    indicator: Indicator
    pair: Pair
    value: float | None
    expected: float | None
    status: str

    @property
    def code(self):
        return self.indicator.code

    def as_dict(self) -> dict:
        i = self.indicator
        return {
            "code": i.code,
            "name": i.name,
            "dimension": i.dimension,
            "unit": i.unit,
            "value": self.value,
            "numerator": self.pair.num,
            "denominator": self.pair.den,
            "expected": self.expected,
            "status": self.status,
        }


@dataclass
class TaskLine:
    task: object
    applicable: int
    done: int
    own: rules.Completion | None  # the org itself, when the task applies to it


@dataclass
class Scorecard:
    org: Org
    as_of: dt.date
    campaign: object
    progress: float | None
    lines: list[Line]
    tasks: list[TaskLine] = field(default_factory=list)
    source: str = "live"

    def by_dimension(self) -> list[tuple[str, list[Line]]]:
        return [
            (d, [ln for ln in self.lines if ln.indicator.dimension == d])
            for d in DIMENSIONS
            if any(ln.indicator.dimension == d for ln in self.lines)
        ]

    def lagging(self) -> list[Line]:
        return [ln for ln in self.lines if ln.status != STATUS_OK]

    def as_dict(self) -> dict:
        return {
            "org": {"code": self.org.code, "name": self.org.name},
            "as_of": self.as_of.isoformat(),
            "campaign": self.campaign.name if self.campaign else None,
            "time_progress": self.progress,
            "source": self.source,
            "indicators": [ln.as_dict() for ln in self.lines],
            "tasks": [
                {
                    "code": t.task.code,
                    "title": t.task.title,
                    "deadline": t.task.deadline.isoformat(),
                    "applicable": t.applicable,
                    "done": t.done,
                    "own": None
                    if t.own is None
                    else {"done": t.own.done, "count": t.own.count, "required": t.own.required},
                }
                for t in self.tasks
            ],
        }


def totals(orgs: list[Org], as_of: dt.date) -> tuple[dict[int, dict[str, Pair]], str]:
    """Subtree totals for each org: from counters, a snapshot, or computed live."""
    ids = [o.pk for o in orgs]
    if counters.counter_date() == as_of:
        found = dict(OrgScore.objects.filter(org_id__in=ids).values_list("org_id", "total"))
        return {pk: counters.decode(found.get(pk, {})) for pk in ids}, "counters"
    snap = dict(Snapshot.objects.filter(date=as_of, org_id__in=ids).values_list("org_id", "total"))
    if snap:
        return {pk: counters.decode(snap.get(pk, {})) for pk in ids}, "snapshot"
    # Live: compute over the union of the subtrees, then roll up.
    prefixes = sorted({o.path for o in orgs})
    roots = [p for i, p in enumerate(prefixes) if not any(p.startswith(q) for q in prefixes[:i])]
    everything = {}
    for root in roots:
        everything.update({o.pk: o for o in Org.objects.filter(subtree_q("path", root))})
    subtree = list(everything.values())
    own = counters.compute_own(subtree, as_of)
    result: dict[int, dict[str, Pair]] = {pk: {} for pk in ids}
    for code in {c for pairs in own.values() for c in pairs}:
        rolled = roll_up(subtree, {pk: pairs[code] for pk, pairs in own.items() if code in pairs})
        for pk in ids:
            if pk in rolled:
                result[pk][code] = rolled[pk]
    return result, "live"


def lines_for(pairs: dict[str, Pair], campaign, progress, as_of: dt.date | None = None) -> list[Line]:
    """One line per indicator; the status comes from the indicator's own classifier (the same one the
    units table and the briefing use)."""
    lag = campaign.lag_threshold if campaign else 0.10
    severe = campaign.severe_lag_threshold if campaign else 0.25
    out = []
    for indicator in all_indicators():
        pair = pairs.get(indicator.code, Pair(0, 0 if indicator.is_ratio else None))
        expected = indicator.expected_at(progress, as_of)
        st = indicator.status_of(pair, progress, as_of, lag=lag, severe=severe)
        out.append(Line(indicator, pair, pair.value, expected, st))
    return out


def scorecards(orgs: list[Org], as_of: dt.date, campaign=None) -> dict[int, Scorecard]:
    """Scorecards for many orgs at once (no task detail): one read of the counters."""
    if not orgs:
        return {}
    campaign = campaign or current_campaign(orgs[0], as_of)
    progress = campaign.progress(as_of) if campaign else None
    found, source = totals(orgs, as_of)
    return {
        o.pk: Scorecard(o, as_of, campaign, progress, lines_for(found[o.pk], campaign, progress, as_of), source=source)
        for o in orgs
    }


def scorecard(org: Org, as_of: dt.date, *, with_tasks: bool = True) -> Scorecard:
    card = scorecards([org], as_of)[org.pk]
    if with_tasks and card.campaign:
        tasks = list(card.campaign.tasks.all())
        stored = counters.task_lines(org, as_of, tasks)  # None: not in the counters, evaluate live
        if stored is not None:
            card.tasks = [TaskLine(*line) for line in stored]
            return card
        for task in tasks:
            applicable = list(rules.applicable_orgs(task, within=org))
            result = rules.evaluate(task, applicable, as_of)
            card.tasks.append(TaskLine(task, len(result), sum(c.done for c in result.values()), result.get(org.pk)))
    return card

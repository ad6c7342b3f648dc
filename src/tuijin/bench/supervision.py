"""Bench scenarios of supervision (issue 13): the guidance group's home, which ranks the units assigned
to the group (the demo's 市委第一巡回指导组 has two districts) with each unit's short boards (the
detectors over its subtree) and its suggested next step (the escalation ladder, which also walks back
over the snapshots to see how long each board has stood).

- `supervision_group_home`: the page `/supervision/` as `guide`, at today's counters (the daily job
  keeps them at today): every figure is a read of the stored subtree totals.
- `supervision_group_home_live`: the same ranking for a day with neither counters nor a snapshot (the
  day after the counter date: what the page costs before the daily job has run), where the detectors'
  indicators are computed live over each district's subtree. `first_view_ms` is the first view of
  that day; the timed runs after it read the per-(org, day) cache of supervision.letters.
"""

from __future__ import annotations

import datetime as dt
import time

from tuijin.evaluation import counters

from .measure import Outcome, Scenario, page, timed


def _live(runs: int, options: dict) -> Outcome:
    from tuijin.orgs.models import User
    from tuijin.supervision import queries

    guide = User.objects.filter(username="guide").first()
    as_of = counters.counter_date()
    if guide is None or as_of is None:
        return Outcome(skipped="no guide account or no counters (not a demo database)")
    units = queries.supervised_units(guide)
    day = as_of + dt.timedelta(days=1)
    wall = time.perf_counter()
    queries.ranked(units, day)  # the first view of the day computes; later views read the per-day cache
    first_ms = round((time.perf_counter() - wall) * 1000, 1)
    out = timed(lambda: queries.ranked(units, day), runs)
    out.extra = {"units": len(units), "as_of": day.isoformat(), "first_view_ms": first_ms}
    return out


SUPERVISION_SCENARIOS = [
    Scenario(
        "supervision_group_home",
        "指导组首页 /supervision/（guide：联系 2 个区县，当日计数）",
        page("/supervision/", "guide"),
        default_runs=10,
    ),
    Scenario(
        "supervision_group_home_live",
        "指导组首页的排序（无当日计数和快照：各区县的检测指标现场计算）",
        _live,
        default_runs=3,
    ),
]

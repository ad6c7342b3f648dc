"""Bench scenarios for the evaluation reads of issue 5: scorecards, the briefing, the dashboard.

Targets at city scale (2-core machine): every unit's scorecard in the city under 50 ms of database
time and 300 ms end to end; one branch under 50 ms; the city briefing under 2 s; and the city's
table in a province-scale database within 1.5× of the same call at city scale.
"""
from __future__ import annotations

import time
from collections.abc import Callable

from tuijin.core.scope import subtree_q
from tuijin.evaluation import counters
from tuijin.orgs.models import OrgKind

from .measure import Outcome, Scenario, page

CITY = "XS"


def _branch_url() -> str | None:
    from tuijin.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    branch = (Org.objects.filter(subtree_q("path", city.path), kind=OrgKind.BRANCH, active=True).order_by("path").first()
              if city else None)
    return f"/api/v1/evaluation/scorecard?org={branch.code}" if branch else None


def units_database_time(runs: int, options: dict) -> Outcome:
    """The query behind the city-wide table, rows fetched, before any decoding."""
    from tuijin.evaluation.table import stored_totals
    from tuijin.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    as_of = counters.counter_date()
    if city is None or as_of is None:
        return Outcome(skipped="no city or no counters")
    out = Outcome()
    for _ in range(runs + 1):
        query, source = stored_totals(city, as_of)
        wall, cpu = time.perf_counter(), time.process_time()
        rows = list(query)
        if _ == 0:
            continue  # warm-up
        out.add(wall, cpu)
        assert source == "counters" and rows
    return out


def _as_of_counters(path: str) -> Callable[[], str | None]:
    """At the counter date, so the figure measures the counters (the daily job keeps it at today)."""
    def url():
        as_of = counters.counter_date()
        return f"{path}{'&' if '?' in path else '?'}as_of={as_of}" if as_of else path
    return url


READ_SCENARIOS = [
    Scenario("scorecard_all_units", "全市全部单位得分卡 /api/v1/evaluation/units?org=XS（city_office）",
             page(_as_of_counters(f"/api/v1/evaluation/units?org={CITY}"), "city_office")),
    Scenario("scorecard_all_units_db", "其中数据库时间（查询并取回全部单位的计数）", units_database_time),
    Scenario("scorecard_city", "全市得分卡（一张，含部署任务）/api/v1/evaluation/scorecard?org=XS（city_office）",
             page(_as_of_counters(f"/api/v1/evaluation/scorecard?org={CITY}"), "city_office"), default_runs=10),
    Scenario("scorecard_branch", "一个党支部的得分卡（含部署任务）/api/v1/evaluation/scorecard（city_office）",
             page(lambda: (u := _branch_url()) and _as_of_counters(u)(), "city_office")),
    Scenario("briefing_city", "全市讲评通报页面 /evaluation/XS/briefing/（city_office）",
             page(_as_of_counters(f"/evaluation/{CITY}/briefing/"), "city_office"), default_runs=5),
    Scenario("dashboard_city", "全市推进看板 /evaluation/XS/（city_office）",
             page(_as_of_counters(f"/evaluation/{CITY}/"), "city_office"), default_runs=10),
    Scenario("home_city_office", "首页 /（city_office）", page(lambda: "/", "city_office"), default_runs=10),
]

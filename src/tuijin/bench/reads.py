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

from .duck import units_duckdb
from .measure import Outcome, Scenario, page, timed

CITY = "XS"


def _branch_url() -> str | None:
    from tuijin.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    branch = (
        Org.objects.filter(subtree_q("path", city.path), kind=OrgKind.BRANCH, active=True).order_by("path").first()
        if city
        else None
    )
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


def units_floor(runs: int, options: dict) -> Outcome:
    """The floor of the city-wide table (issue 15): the same counter rows read by the same query, and an
    answer of the same shape encoded with orjson, with nothing computed in between. Each unit's
    `values` are its stored pairs as they decode ([num, den] per indicator it has), its `statuses` one
    fixed row; the header is the real one. The garbage collector is held off as the table holds it
    off (`gc_paused`), so the floor is the best case. Times the rows fetched, decoded and encoded."""
    import orjson

    from tuijin.campaigns.queries import current_campaign
    from tuijin.core.indicators import STATUS_OK, all_indicators
    from tuijin.evaluation.table import Column, gc_paused, stored_totals, units_table
    from tuijin.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    as_of = counters.counter_date()
    if city is None or as_of is None:
        return Outcome(skipped="no city or no counters")
    campaign = current_campaign(city, as_of)
    progress = campaign.progress(as_of) if campaign else None
    indicators = all_indicators()
    header = {
        "org": {"code": city.code, "name": city.name},
        "as_of": as_of.isoformat(),
        "campaign": campaign.name if campaign else None,
        "time_progress": progress,
        "source": "counters",
        "indicators": [Column(i, i.expected_at(progress, as_of)).as_dict() for i in indicators],
    }
    fixed = [STATUS_OK] * len(indicators)

    def answer() -> bytes:
        query, _source = stored_totals(city, as_of)
        with gc_paused():
            units = [
                {
                    "code": row[1],
                    "name": row[2],
                    "depth": row[3],
                    "kind": row[4],
                    "sector": row[5],
                    "values": list(orjson.loads(row[-1]).values()) if row[-1] else [],
                    "statuses": fixed,
                }
                for row in query
            ]
            return orjson.dumps({**header, "units": units})

    body = answer()  # warm-up
    out = timed(answer, runs)
    out.extra = {
        "units": body.count(b'"statuses"'),
        "indicators": len(indicators),
        "bytes": len(body),
        "answer_bytes": len(units_table(city, as_of).to_json()),
    }
    return out


def _as_of_counters(path: str) -> Callable[[], str | None]:
    """At the counter date, so the figure measures the counters (the daily job keeps it at today)."""

    def url():
        as_of = counters.counter_date()
        return f"{path}{'&' if '?' in path else '?'}as_of={as_of}" if as_of else path

    return url


READ_SCENARIOS = [
    Scenario(
        "scorecard_all_units",
        "全市全部单位得分卡 /api/v1/evaluation/units?org=XS（city_office）",
        page(_as_of_counters(f"/api/v1/evaluation/units?org={CITY}"), "city_office"),
        baselines=(("scorecard_all_units_floor", 2.0), ("scorecard_all_units_duckdb", 0.3)),
    ),
    Scenario("scorecard_all_units_db", "其中数据库时间（查询并取回全部单位的计数）", units_database_time),
    Scenario("scorecard_all_units_floor", "下限：读同样的计数行并编码同样大小的 JSON（不判断状态）", units_floor),
    Scenario(
        "scorecard_all_units_duckdb",
        "对照：DuckDB 内存库扫描原始记录、汇总出同样的各单位数字（载入不计时）",
        units_duckdb,
        default_runs=10,
    ),
    Scenario(
        "scorecard_city",
        "全市得分卡（一张，含部署任务）/api/v1/evaluation/scorecard?org=XS（city_office）",
        page(_as_of_counters(f"/api/v1/evaluation/scorecard?org={CITY}"), "city_office"),
        default_runs=10,
    ),
    Scenario(
        "scorecard_branch",
        "一个党支部的得分卡（含部署任务）/api/v1/evaluation/scorecard（city_office）",
        page(lambda: (u := _branch_url()) and _as_of_counters(u)(), "city_office"),
    ),
    Scenario(
        "briefing_city",
        "全市讲评通报页面 /evaluation/XS/briefing/（city_office）",
        page(_as_of_counters(f"/evaluation/{CITY}/briefing/"), "city_office"),
        default_runs=5,
    ),
    Scenario(
        "dashboard_city",
        "全市推进看板 /evaluation/XS/（city_office）",
        page(_as_of_counters(f"/evaluation/{CITY}/"), "city_office"),
        default_runs=10,
    ),
    Scenario("home_city_office", "首页 /（city_office）", page(lambda: "/", "city_office"), default_runs=10),
]

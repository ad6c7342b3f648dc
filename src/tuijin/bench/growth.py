"""Cost follows the orgs shown (issue 15): one county's pages before and after the OTHER counties grow.

The scenario times each page of one county (the county_office account's county, XS-C01 in the demo
city), then — inside a transaction that is rolled back at the end, so the bench database is left as
it was — copies the people, problems, study sessions and self-study rows of every org outside that
county `factor - 1` times (5× by default), and times the same pages again. Each page's ratio
after/before is printed; the target is ≤ 1.3: a county's page must not pay for rows stored elsewhere.
The scenario's own median_ms is the time to show all the pages once, after the growth.

The copies are made in SQL (INSERT … SELECT), so growing a city-scale database takes seconds, not the
hours of building Django objects; unique columns get a `~k` suffix, a copied self-study row belongs
to the copied person.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection, transaction
from django.db.models import Max

from tuijin.core.scope import subtree_q

from .measure import Outcome, _client_for

FACTOR = 5
PAGES = [  # (label, url pattern)
    ("problems_page", "/problems/{c}/"),
    ("api_problems", "/api/v1/problems?org={c}"),
    ("api_people", "/api/v1/people?org={c}"),
    ("org_page", "/orgs/{c}/"),
    ("study_list", "/study/{c}/"),
    ("research_list", "/research/{c}/"),
    ("dashboard", "/evaluation/{c}/"),
]


class _Rollback(Exception):
    pass


def _time_pages(
    client, county_code: str, runs: int, totals: Outcome | None = None
) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Median wall-clock and CPU milliseconds of each page (CPU: steadier on a machine shared with other
    work). `totals`, if given, gets one duration per run: all the pages shown once."""
    wall: dict[str, float | None] = {}
    cpu: dict[str, float | None] = {}
    run_wall, run_cpu = [0.0] * runs, [0.0] * runs
    for name, pattern in PAGES:
        url = pattern.format(c=county_code)
        if client.get(url).status_code != 200:  # warm-up, and a page this database cannot show
            wall[name] = cpu[name] = None
            continue
        walls, cpus = [], []
        for i in range(runs):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            walls.append((time.perf_counter() - started) * 1000)
            cpus.append((time.process_time() - cpu_started) * 1000)
            run_wall[i] += walls[-1]
            run_cpu[i] += cpus[-1]
            assert response.status_code == 200, (url, response.status_code)
        wall[name], cpu[name] = round(statistics.median(walls), 1), round(statistics.median(cpus), 1)
    if totals is not None:
        totals.durations_ms, totals.cpu_ms = run_wall, run_cpu
    return wall, cpu


def _ratios(after: dict[str, float | None], before: dict[str, float | None]) -> dict[str, float | None]:
    return {name: (round(a / b, 2) if (a := after[name]) and (b := before[name]) else None) for name, _ in PAGES}


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields if not f.primary_key]


def _copy(
    model,
    outside_sql: str,
    params: list,
    k: int,
    last_ids: dict,
    people_table: str,
    *,
    suffix: str | None = None,
    person_map: bool = False,
) -> int:
    """INSERT one copy (number k) of `model`'s original rows (id up to `last_ids`) that lie outside the
    county; returns rows added."""
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    cols = _columns(model)
    exprs = []
    for col in cols:
        if col == suffix:
            exprs.append(f"t.{q(col)} || '~{k}'")
        elif person_map and col == "person_id":
            exprs.append("p2.id")
        else:
            exprs.append(f"t.{q(col)}")
    join = where = ""
    if person_map:
        people = q(people_table)
        join = f" JOIN {people} p1 ON p1.id = t.person_id JOIN {people} p2 ON p2.number = p1.number || '~{k}'"
        where = f" WHERE p1.org_id NOT IN ({outside_sql}) AND t.id <= %s AND p1.id <= %s"
        params = [*params, last_ids[model._meta.db_table], last_ids[people_table]]
    else:
        where = f" WHERE t.org_id NOT IN ({outside_sql}) AND t.id <= %s"
        county_params = list(params)
        params = [*params, last_ids[model._meta.db_table]]
        if "origin_org_id" in cols:  # a problem the county escalated is the county's own: not copied
            where += f" AND (t.origin_org_id IS NULL OR t.origin_org_id NOT IN ({outside_sql}))"
            params += county_params
    sql = f"INSERT INTO {table} ({', '.join(q(c) for c in cols)}) SELECT {', '.join(exprs)} FROM {table} t{join}{where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def grow_other_counties(county, factor: int = FACTOR) -> dict[str, int]:
    """Copy the rows stored outside `county` until there are `factor` times as many; rows added by table."""
    from tuijin.orgs.models import Org, Person
    from tuijin.rectification.models import Problem
    from tuijin.study.models import SelfStudy, StudySession

    inside = Org.objects.filter(subtree_q("path", county.path)).values("pk")
    sql, params = inside.query.sql_with_params()
    added: dict[str, int] = {}
    grown = (
        (Person, {"suffix": "number"}),
        (Problem, {"suffix": "number"}),
        (StudySession, {"suffix": "topic"}),
        (SelfStudy, {"person_map": True}),
    )
    last_ids: dict[str, int] = {
        str(model._meta.db_table): model.objects.aggregate(m=Max("pk"))["m"] or 0 for model, _ in grown
    }
    people_table = next(str(model._meta.db_table) for model, _ in grown if model is Person)
    for k in range(1, factor):
        for model, options in grown:
            n = _copy(model, sql, list(params), k, last_ids, people_table, **options)
            name = str(model._meta.model_name)
            added[name] = added.get(name, 0) + n
    return added


def _analyze() -> None:
    """Planner statistics (inside the scenario's transaction: rolled back with it on SQLite)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def run_growth(runs: int, options: dict) -> Outcome:
    from tuijin.orgs.models import User

    user = User.objects.filter(username="county_office").first()
    grant = user.grants.filter(org__isnull=False).select_related("org").first() if user else None
    if grant is None or grant.org is None:
        return Outcome(skipped="no county_office account (not a demo database)")
    county = grant.org
    out = Outcome()
    try:
        with transaction.atomic():
            client = _client_for("county_office")  # its session row goes with the rollback too
            _analyze()  # both rounds with the planner's statistics of the tables as they are then
            before, before_cpu = _time_pages(client, county.code, runs)
            started = time.perf_counter()
            added = grow_other_counties(county, options.get("factor", FACTOR))
            _analyze()
            grow_ms = (time.perf_counter() - started) * 1000
            after, after_cpu = _time_pages(client, county.code, runs, out)
            raise _Rollback
    except _Rollback:  # the copies (and the planner statistics of the grown tables) are gone again
        pass
    ratios, cpu_ratios = _ratios(after, before), _ratios(after_cpu, before_cpu)
    out.extra = {
        "county": county.code,
        "factor": options.get("factor", FACTOR),
        "rows_added": added,
        "grow_ms": round(grow_ms),
        "before_ms": before,
        "after_ms": after,
        "ratio": ratios,
        "before_cpu_ms": before_cpu,
        "after_cpu_ms": after_cpu,
        "cpu_ratio": cpu_ratios,
        "worst_ratio": max((r for r in ratios.values() if r is not None), default=None),
        "worst_cpu_ratio": max((r for r in cpu_ratios.values() if r is not None), default=None),
    }
    return out

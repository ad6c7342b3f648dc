"""The scenarios `tuijin bench` times. Each runs `runs` times on a prepared demo city and reports
every duration in milliseconds; the command turns them into median and p95.

A scenario never leaves anything behind: each import (one per kind, see `imports`) runs inside a
transaction that is rolled back, the pages and API calls only read. A page that does not exist (yet)
is reported as skipped.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

from django.test import Client
from django.urls import Resolver404, resolve

from tuijin.orgs.models import User


@dataclass
class Outcome:
    durations_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this process's CPU time: steadier on a busy machine
    skipped: str | None = None

    def add(self, wall_started: float, cpu_started: float) -> None:
        self.durations_ms.append((time.perf_counter() - wall_started) * 1000)
        self.cpu_ms.append((time.process_time() - cpu_started) * 1000)

    def summary(self) -> dict:
        if self.skipped is not None:
            return {"median_ms": None, "p95_ms": None, "runs": 0, "skipped": self.skipped}
        d = sorted(self.durations_ms)
        p95 = statistics.quantiles(d, n=20, method="inclusive")[18] if len(d) > 1 else d[0]
        return {"median_ms": round(statistics.median(d), 1), "p95_ms": round(p95, 1), "runs": len(d),
                "cpu_median_ms": round(statistics.median(self.cpu_ms), 1)}


@dataclass
class Scenario:
    name: str
    label: str
    run: Callable[[int, dict], Outcome]  # (runs, options) -> Outcome
    default_runs: int = 20


def _timed(fn, runs) -> Outcome:
    out = Outcome()
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        out.add(wall, cpu)
    return out


# ------------------------------------------------------------------ imports (one scenario per kind)

from .imports import IMPORT_SCENARIOS  # noqa: E402  (it uses Outcome only at run time)


# ------------------------------------------------------------------ pages and API calls

def _client_for(username: str) -> Client | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client


def page(url_or_finder: str | Callable[[], str | None], username: str) -> Callable[[int, dict], Outcome]:
    """Time GET of a URL, or of the URL a function finds at run time (codes differ between databases)."""
    def run(runs: int, options: dict) -> Outcome:
        url = url_or_finder() if callable(url_or_finder) else url_or_finder
        if url is None:
            return Outcome(skipped="no such org in this database")
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            return Outcome(skipped="page not available")
        client = _client_for(username)
        if client is None:
            return Outcome(skipped=f"no account {username} (not a demo database)")
        first = client.get(url)  # warm-up: caches, first query plans
        if first.status_code != 200:
            return Outcome(skipped=f"HTTP {first.status_code}")

        def get():
            response = client.get(url)
            assert response.status_code == 200, response.status_code
        return _timed(get, runs)
    return run


SCENARIOS = IMPORT_SCENARIOS + [
    Scenario("county_problem_list_page", "县级问题清单页 /problems/XS-C01/（county_office）",
             page("/problems/XS-C01/", "county_office")),
    Scenario("api_people_list", "接口 /api/v1/people?org=XS-C01（county_office）",
             page("/api/v1/people?org=XS-C01", "county_office")),
    Scenario("api_problem_list", "接口 /api/v1/problems?org=XS-C01（county_office）",
             page("/api/v1/problems?org=XS-C01", "county_office")),
    Scenario("org_tree_page", "组织树页面 /orgs/XS/（city_office）", page("/orgs/XS/", "city_office")),
]

from .reads import READ_SCENARIOS  # noqa: E402  (reads.py builds on the helpers above)

SCENARIOS += READ_SCENARIOS

from .copies import city_check, one_text  # noqa: E402

SCENARIOS += [
    Scenario("copies_city_check", "材料雷同：全市一次检查（心得与问题，按组织数折算，城市规模约 20 万 + 3 万条）",
             city_check, default_runs=1),
    Scenario("copies_one_text", "材料雷同：对一条新材料查重（索引已建好）", one_text, default_runs=20),
]

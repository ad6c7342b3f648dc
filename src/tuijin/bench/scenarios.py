"""The scenarios `tuijin bench` times. Each runs `runs` times on a prepared demo city and reports
every duration in milliseconds; the command turns them into median and p95.

A scenario never leaves anything behind: the import runs inside a transaction that is rolled back,
the pages and API calls only read. A page that does not exist (yet) is reported as skipped.
"""
from __future__ import annotations

import io
import statistics
import time
from dataclasses import dataclass, field
from typing import Callable

from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

from tuijin.imports.registry import run_import
from tuijin.imports.writer import write_xlsx
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


# ------------------------------------------------------------------ import of N problems

SCRATCH = "BENCH"
BRANCHES = 100


def _scratch_orgs_sheet() -> bytes:
    """A scratch county under the city with BRANCHES branches, as an orgs sheet."""
    rows = [[SCRATCH, "基准测试临时县委", "XS", "党委", "机关", "第二批"]]
    rows += [[f"{SCRATCH}-{i:03d}", f"基准测试第{i}党支部", SCRATCH, "党支部", "机关", "第二批"]
             for i in range(1, BRANCHES + 1)]
    buffer = io.BytesIO()
    write_xlsx(buffer, ["组织编码", "组织名称", "上级组织编码", "组织类别", "所属领域", "批次"], rows)
    return buffer.getvalue()


def problems_sheet(rows: int) -> bytes:
    """N problems spread over the scratch branches, each with two measures (one specific)."""
    from tuijin.imports.registry import KINDS

    data = []
    for i in range(rows):
        data.append([f"{SCRATCH}-{i % BRANCHES + 1:03d}", f"2026-{i // BRANCHES + 1:04d}", "工作作风", "集体查",
                     f"第{i + 1}个问题：调研走马观花，解决实际问题不够",
                     f"蹲点调研不少于一周（责任人：张三，时限：2026-12-31）；形成调研成果转化清单{i % 7}",
                     "李四", "2026-12-31", "整改中" if i % 3 else "", "否"])
    buffer = io.BytesIO()
    write_xlsx(buffer, KINDS["problems"].headers, data)
    return buffer.getvalue()


def import_problems(runs: int, options: dict) -> Outcome:
    rows = options.get("rows", 10000)
    orgs, problems = _scratch_orgs_sheet(), problems_sheet(rows)
    actor = User.objects.filter(username="city_office").first()
    out = Outcome()
    for _ in range(runs):
        with transaction.atomic():
            run_import("orgs", io.BytesIO(orgs), actor=None)
            wall, cpu = time.perf_counter(), time.process_time()
            result = run_import("problems", io.BytesIO(problems), actor=actor)
            out.add(wall, cpu)
            assert result.created == rows, result.summary()
            transaction.set_rollback(True)  # leave the database as it was
    return out


# ------------------------------------------------------------------ pages and API calls

def _client_for(username: str) -> Client | None:
    user = User.objects.filter(username=username).first()
    if user is None:
        return None
    client = Client()
    client.force_login(user)
    return client


def page(url: str, username: str) -> Callable[[int, dict], Outcome]:
    def run(runs: int, options: dict) -> Outcome:
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


SCENARIOS = [
    Scenario("import_problems", "导入问题清单（默认 10,000 行，回滚）", import_problems, default_runs=5),
    Scenario("county_problem_list_page", "县级问题清单页 /problems/XS-C01/（county_office）",
             page("/problems/XS-C01/", "county_office")),
    Scenario("api_people_list", "接口 /api/v1/people?org=XS-C01（county_office）",
             page("/api/v1/people?org=XS-C01", "county_office")),
    Scenario("api_problem_list", "接口 /api/v1/problems?org=XS-C01（county_office）",
             page("/api/v1/problems?org=XS-C01", "county_office")),
    Scenario("org_tree_page", "组织树页面 /orgs/XS/（city_office）", page("/orgs/XS/", "city_office")),
]

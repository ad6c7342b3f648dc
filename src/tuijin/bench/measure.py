"""What every bench scenario is built from: an Outcome of timed runs, a Scenario, and `page()` for a
timed GET. imports.py and reads.py build on this; scenarios.py lists them all."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client
from django.urls import Resolver404, resolve

from tuijin.orgs.models import User


@dataclass
class Outcome:
    durations_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # this process's CPU time: steadier on a busy machine
    skipped: str | None = None
    extra: dict = field(default_factory=dict)  # more figures of the scenario (the load test: req/s, errors)

    def add(self, wall_started: float, cpu_started: float) -> None:
        self.durations_ms.append((time.perf_counter() - wall_started) * 1000)
        self.cpu_ms.append((time.process_time() - cpu_started) * 1000)

    def summary(self) -> dict:
        if self.skipped is not None:
            return {"median_ms": None, "p95_ms": None, "runs": 0, "skipped": self.skipped, **self.extra}
        d = sorted(self.durations_ms)
        p95 = statistics.quantiles(d, n=20, method="inclusive")[18] if len(d) > 1 else d[0]
        return {
            "median_ms": round(statistics.median(d), 1),
            "p95_ms": round(p95, 1),
            "runs": len(d),
            "cpu_median_ms": round(statistics.median(self.cpu_ms), 1),
            **self.extra,
        }


@dataclass
class Scenario:
    name: str
    label: str
    run: Callable[[int, dict], Outcome]  # (runs, options) -> Outcome
    default_runs: int = 20
    by_default: bool = True  # False: runs only when named in --only (the load test takes a minute)
    # Baselines measured in the same run, as (scenario name, target ratio): the bench prints this
    # scenario's median over each baseline's (wall clock and CPU) next to the target, and runs the
    # baselines too when this scenario is named in --only.
    baselines: tuple[tuple[str, float], ...] = ()


def with_baselines(names: list[str], scenarios: list) -> list[str]:
    """The named scenarios and the baselines they are compared with."""
    by_name = {s.name: s for s in scenarios}
    return names + [b for n in names if n in by_name for b, _ in getattr(by_name[n], "baselines", ()) if b not in names]


def baseline_ratios(scenarios: list, results: dict) -> dict:
    """For each scenario that has baselines and ran with them: {baseline: {ratio, cpu_ratio, target,
    met}}, added to that scenario's results as "vs", and returned as {"a / b": …} for the report."""
    out = {}
    for scenario in scenarios:
        mine = results.get(scenario.name) or {}
        for name, target in getattr(scenario, "baselines", ()):
            base = results.get(name) or {}
            if not mine.get("median_ms") or not base.get("median_ms"):
                continue
            ratio = round(mine["median_ms"] / base["median_ms"], 2)
            cpu = round(mine["cpu_median_ms"] / base["cpu_median_ms"], 2) if base.get("cpu_median_ms") else None
            figures = {"ratio": ratio, "cpu_ratio": cpu, "target": target, "met": ratio <= target}
            mine.setdefault("vs", {})[name] = figures
            out[f"{scenario.name} / {name}"] = figures
    return out


def timed(fn, runs) -> Outcome:
    """Run fn `runs` times and time each run (wall clock and this process's CPU)."""
    out = Outcome()
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        out.add(wall, cpu)
    return out


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

        return timed(get, runs)

    return run

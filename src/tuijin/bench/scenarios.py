"""The scenarios `tuijin bench` times. Each runs `runs` times on a prepared demo city and reports
every duration in milliseconds; the command turns them into median and p95.

A scenario never leaves anything behind: each import (one per kind, see `imports`) runs inside a
transaction that is rolled back, the pages and API calls only read. A page that does not exist (yet)
is reported as skipped.
"""
from __future__ import annotations

from .imports import IMPORT_SCENARIOS
from .measure import Outcome, Scenario, page
from .reads import READ_SCENARIOS
from .load import run_load

SCENARIOS = IMPORT_SCENARIOS + [
    Scenario("county_problem_list_page", "县级问题清单页 /problems/XS-C01/（county_office）",
             page("/problems/XS-C01/", "county_office")),
    Scenario("api_people_list", "接口 /api/v1/people?org=XS-C01（county_office）",
             page("/api/v1/people?org=XS-C01", "county_office")),
    Scenario("api_problem_list", "接口 /api/v1/problems?org=XS-C01（county_office）",
             page("/api/v1/problems?org=XS-C01", "county_office")),
    Scenario("org_tree_page", "组织树页面 /orgs/XS/（city_office）", page("/orgs/XS/", "city_office")),
]

SCENARIOS += READ_SCENARIOS

SCENARIOS.append(Scenario("load", "并发负载：gunicorn 上 50 个读、20 个写同时进行（--seconds 秒，默认 60；只在 --only load 时运行）",
                          run_load, default_runs=1, by_default=False))

__all__ = ["SCENARIOS", "Outcome", "Scenario"]

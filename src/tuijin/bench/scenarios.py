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
    Scenario(
        "county_problem_list_page",
        "县级问题清单页 /problems/XS-C01/（county_office）",
        page("/problems/XS-C01/", "county_office"),
    ),
    Scenario(
        "api_people_list",
        "接口 /api/v1/people?org=XS-C01（county_office）",
        page("/api/v1/people?org=XS-C01", "county_office"),
    ),
    Scenario(
        "api_problem_list",
        "接口 /api/v1/problems?org=XS-C01（county_office）",
        page("/api/v1/problems?org=XS-C01", "county_office"),
    ),
    Scenario("org_tree_page", "组织树页面 /orgs/XS/（city_office）", page("/orgs/XS/", "city_office")),
]

SCENARIOS += READ_SCENARIOS

from .growth import run_growth  # noqa: E402

SCENARIOS.append(
    Scenario(
        "growth",
        "成本只随所看的组织：县级各页在其他县的数据增至 5 倍前后的用时之比（目标 ≤ 1.3）",
        run_growth,
        default_runs=5,
    )
)

SCENARIOS.append(
    Scenario(
        "load",
        "并发负载：gunicorn 上 50 个读、20 个写同时进行（--seconds 秒，默认 60；只在 --only load 时运行）",
        run_load,
        default_runs=1,
        by_default=False,
    )
)

from .copies import city_check, one_text  # noqa: E402

SCENARIOS += [
    Scenario(
        "copies_city_check",
        "材料雷同：全市一次检查（心得与问题，按组织数折算，城市规模约 20 万 + 3 万条）",
        city_check,
        default_runs=1,
    ),
    Scenario("copies_one_text", "材料雷同：对一条新材料查重（索引已建好）", one_text, default_runs=20),
]

from .supervision import SUPERVISION_SCENARIOS  # noqa: E402

SCENARIOS += SUPERVISION_SCENARIOS

__all__ = ["SCENARIOS", "Outcome", "Scenario"]

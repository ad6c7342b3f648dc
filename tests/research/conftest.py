"""Fixtures of the research tests, on top of tests/conftest.py's `world`.

Leading cadres: 丙书记 (A1C1) of A县教育局党委 (XS-A-1), from the world; here also 丙副书记 (A1C2)
of the same unit and 戊书记 (AC1) of A县委 (XS-A). The campaign runs 2026-09-01 … 2027-01-31, so on
TODAY (2026-11-27) time progress is 88/153.
"""

import datetime as dt
import textwrap

import pytest

from tests.conftest import make_person
from tuijin.campaigns.actions import load_campaign
from tuijin.research import actions

TODAY = dt.date(2026, 11, 27)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

CAMPAIGN = textwrap.dedent("""
    [campaign]
    name = "主题教育（第二批）"
    start = 2026-09-01
    end = 2027-01-31
    root = "XS"

    [[task]]
    code = "T3"
    title = "每名领导干部开展调研不少于2次"
    applies_to = { kind = ["党委"] }
    deadline = 2026-12-31
    rule = { count = "research_visit", per = "leading_cadre", at_least = 2 }

    [[task]]
    code = "T4"
    title = "每个党委列出至少1个不泛化的办实事项目"
    applies_to = { kind = ["党委"] }
    deadline = 2026-12-31
    rule = { count = "project", where = { flagged = false }, at_least = 1 }
""")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cadres(world):
    world.cadre2 = make_person(
        world.unit_a1, "A1C2", "丙副书记", is_leading_cadre=True, cadre_level="乡科级", post="副书记"
    )
    world.county_cadre = make_person(
        world.county_a, "AC1", "戊书记", is_leading_cadre=True, cadre_level="县处级", post="书记"
    )
    return world


@pytest.fixture
def campaign(world):
    return load_campaign(CAMPAIGN, actor=None)


@pytest.fixture
def visit(world):
    """丙书记's visit with two findings, recorded by the county office."""
    return actions.record_visit(
        actor=world.county_office,
        person=world.cadre,
        date=dt.date(2026, 10, 12),
        topic="农村学校课后服务情况调研",
        visited_org=world.branch_a1a,
        findings=["课后服务课程单一，家长满意度不高", "部分学校缺少专职保育人员"],
        outcome="形成调研报告1篇",
    )


def good_project(world, org=None, name="为城关镇新建3处老年助餐点，解决独居老人吃饭难", **fields):
    defaults = dict(
        need="城关镇独居和高龄老人120人吃饭难",
        need_category="养老",
        beneficiaries=120,
        deadline=dt.date(2026, 12, 31),
        listed_on=dt.date(2026, 10, 1),
    )
    return actions.create_project(
        actor=world.county_office, org=org or world.unit_a1, name=name, **{**defaults, **fields}
    )

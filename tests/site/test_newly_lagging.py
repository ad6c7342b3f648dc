"""Issue 11: the office's and the guidance group's home lists the units newly lagging — lagging on some
indicator today, on none at the last snapshot day — and the home, the scorecard and the dashboard give
the same status for the same unit and indicator (one classifier, Indicator.classifier)."""

import datetime as dt
import json
import re

import pytest
from django.test import Client

from tests.conftest import make_org
from tuijin.campaigns.models import Campaign
from tuijin.evaluation.models import CounterDate, OrgScore, Snapshot

TODAY, BEFORE = dt.date(2026, 11, 27), dt.date(2026, 11, 26)
COVERAGE = "study.collective_coverage"  # a share expected to follow time progress (57.5% on 11-27)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city
    )


def counters(now: dict, before: dict):
    """Hand-built counters at TODAY and snapshots at BEFORE: {org: {indicator: [num, den]}}."""
    CounterDate.objects.all().delete()
    CounterDate.objects.create(as_of=TODAY)
    for org, total in now.items():
        OrgScore.objects.update_or_create(org=org, defaults={"total": total})
    for org, total in before.items():
        Snapshot.objects.create(date=BEFORE, org=org, total=total)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def three_units(world, campaign):
    """Below the county: one unit began lagging, one lagged already, one never lagged; and a unit of
    county B (outside the county office's scope) that began lagging too."""
    w = world
    w.unit_a3 = make_org(w.county_a, "XS-A-3", "A县卫健局党委", kind="党委")
    good, bad = {COVERAGE: [9, 10]}, {COVERAGE: [1, 10]}
    counters(
        now={w.unit_a1: bad, w.branch_a2: bad, w.unit_a3: good, w.branch_b1: bad, w.county_b: bad},
        before={
            w.unit_a1: good,
            w.branch_a2: bad,
            w.unit_a3: good,
            w.branch_b1: good,
            w.county_b: good,
            w.county_a: good,
            w.city: good,
        },
    )
    return w


def listed(response) -> list[str]:
    return [unit.code for unit, _ in response.context["lagging"].units]


def test_the_office_home_lists_a_unit_that_began_lagging_not_one_that_lagged_already_or_never(three_units):
    w = three_units
    response = client_for(w.county_office).get("/")
    assert listed(response) == ["XS-A-1"]  # not XS-A-2 (lagged already), not XS-A-3 (never), not XS-B-1 (scope)
    assert response.context["lagging"].since == BEFORE
    page = response.content.decode()
    assert 'href="/evaluation/XS-A-1/scorecard/"' in page and "A县教育局党委" in page
    assert "A县城关镇党支部" not in page.split('id="newly-lagging"')[1].split("</ul>")[0]
    assert "11月26日（上一快照日）" in page


def test_the_guidance_group_home_lists_its_assigned_org_and_the_units_below_it(three_units):
    response = client_for(three_units.guide).get("/")
    assert listed(response) == ["XS-B", "XS-B-1"]


def test_without_an_earlier_snapshot_nothing_is_called_new(world, campaign):
    counters(now={world.unit_a1: {COVERAGE: [1, 10]}}, before={})
    response = client_for(world.county_office).get("/")
    assert response.context["lagging"].since is None and listed(response) == []
    assert "还没有往日快照可比较" in response.content.decode()


def test_home_scorecard_and_dashboard_give_the_same_status_for_the_same_unit_and_indicator(three_units):
    w = three_units
    client = client_for(w.county_office)
    # Home: the indicator's status as the newly-lagging item shows it.
    home = client.get("/").content.decode()
    item = re.search(r'data-code="XS-A-1".*?</li>', home, re.S).group(0)
    home_status = re.search(rf'data-indicator="{COVERAGE}" data-status="([^"]+)"', item).group(1)
    # Scorecard (JSON, the API integrators read) and its page.
    card = json.loads(client.get("/evaluation/XS-A-1/scorecard/?format=json").content)
    card_status = next(i["status"] for i in card["indicators"] if i["code"] == COVERAGE)
    # Dashboard of the county: the heat map cell and the lagging list for that unit.
    dashboard = client.get("/evaluation/XS-A/")
    heat = dashboard.context["heatmap"]
    y = next(n for n, o in enumerate(heat["orgs"]) if o["code"] == "XS-A-1")
    x = next(n for n, i in enumerate(heat["indicators"]) if i["code"] == COVERAGE)
    heat_status = next(c["status"] for c in heat["cells"] if (c["x"], c["y"]) == (x, y))
    lag_status = next(
        ln.status
        for unit, lines in dashboard.context["lagging"]
        if unit.code == "XS-A-1"
        for ln in lines
        if ln.code == COVERAGE
    )
    assert home_status == card_status == heat_status == lag_status == "严重滞后"
    # And a unit that is fine is fine on all three.
    card3 = json.loads(client.get("/evaluation/XS-A-3/scorecard/?format=json").content)
    y3 = next(n for n, o in enumerate(heat["orgs"]) if o["code"] == "XS-A-3")
    assert next(i["status"] for i in card3["indicators"] if i["code"] == COVERAGE) == "正常"
    assert next(c["status"] for c in heat["cells"] if (c["x"], c["y"]) == (x, y3)) == "正常"
    assert "XS-A-3" not in [u.code for u, _ in dashboard.context["lagging"]]

"""Scorecards and dashboards: every figure in scope, downloadable, statuses against time progress."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from hypothesis import given, settings, strategies as st

from tests.conftest import login_as
from tuijin.campaigns.models import Campaign
from tuijin.core.indicators import Pair, roll_up
from tuijin.evaluation.scorecard import scorecard


@pytest.fixture
def campaign(world):
    return Campaign.objects.create(
        name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city
    )


def test_scorecard_lists_every_indicator_with_expectation_and_status(world, campaign):
    from tuijin.core.indicators import all_indicators

    card = scorecard(world.county_a, dt.date(2026, 11, 27))
    assert {ln.code for ln in card.lines} == {i.code for i in all_indicators()}
    completion = next(ln for ln in card.lines if ln.code == "campaign.task_completion")
    assert completion.expected == pytest.approx(campaign.progress(dt.date(2026, 11, 27)))


@pytest.mark.parametrize(
    "persona, code, status",
    [
        ("city_office", "XS-B", 200),
        ("county_office", "XS-A-1", 200),
        ("county_office", "XS-B", 404),
        ("guide", "XS-B-1", 200),
        ("guide", "XS-A", 404),
        ("member", "XS-A-1-1", 404),
        ("sysadmin", "XS", 404),
    ],
)
def test_dashboard_and_scorecard_pages_follow_scope(client, world, campaign, persona, code, status):
    login_as(client, getattr(world, persona))
    assert client.get(f"/evaluation/{code}/").status_code == status
    assert client.get(f"/evaluation/{code}/scorecard/").status_code == status


def test_every_chart_can_be_downloaded(client, world, campaign):
    client.force_login(world.city_office)
    for chart in ("heatmap", "lagging", "trend"):
        response = client.get(f"/evaluation/XS/data/{chart}.xlsx")
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        assert sheet.max_row >= 1
    heat = openpyxl.load_workbook(io.BytesIO(client.get("/evaluation/XS/data/heatmap.xlsx").content)).active
    assert [c.value for c in heat[1]][:2] == ["组织", "组织编码"]
    assert {heat.cell(r, 2).value for r in range(2, heat.max_row + 1)} == {"XS-A", "XS-B"}
    ranking = client.get("/evaluation/XS/data/ranking.xlsx?rank=campaign.task_completion")
    assert ranking.status_code == 200


def test_scorecard_cli_json_and_xlsx(world, campaign, tmp_path, capsys):
    call_command("scorecard", "--org", "XS-A", "--as-of", "2026-11-27", "--out", str(tmp_path / "s.json"))
    data = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert data["org"]["code"] == "XS-A" and data["as_of"] == "2026-11-27" and data["indicators"]
    call_command("scorecard", "--org", "XS-A", "--format", "xlsx", "--out", str(tmp_path / "s.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx").active
    assert sheet.cell(1, 2).value == "指标"
    with pytest.raises(SystemExit) as exc:
        call_command("scorecard", "--org", "NOPE")
    assert exc.value.code == 2


@st.composite
def trees(draw):
    """A random tree as parent indexes, with a random own pair per node."""
    n = draw(st.integers(1, 30))
    parents = [None] + [draw(st.integers(0, i - 1)) for i in range(1, n)]
    pairs = [Pair(draw(st.integers(0, 50)), draw(st.integers(0, 50))) for _ in range(n)]
    return parents, pairs


class Node:
    steplen = 4

    def __init__(self, pk, path):
        self.pk, self.path = pk, path


@settings(max_examples=60, deadline=None)
@given(trees())
def test_roll_up_equals_the_sum_of_the_parts(tree):
    parents, pairs = tree
    paths, counts = [], {}
    for i, parent in enumerate(parents):
        prefix = "" if parent is None else paths[parent]
        counts[prefix] = counts.get(prefix, 0) + 1
        paths.append(prefix + f"{counts[prefix]:04d}")
    nodes = [Node(i, p) for i, p in enumerate(paths)]
    totals = roll_up(nodes, dict(enumerate(pairs)))
    for i, node in enumerate(nodes):
        below = [pairs[j] for j, other in enumerate(nodes) if other.path.startswith(node.path)]
        assert totals[i] == Pair(sum(p.num for p in below), sum(p.den for p in below))

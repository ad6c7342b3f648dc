"""Issue 11: every dashboard chart has its figures as a server-rendered table (readable without
scripts, toggled with <details>) and an accessible description."""

import datetime as dt

import lxml.html
import pytest
from django.test import Client

from tuijin.campaigns.models import Campaign
from tuijin.evaluation.models import CounterDate, OrgScore, Snapshot

TODAY = dt.date(2026, 11, 27)
COVERAGE, RECTIFIED = "study.collective_coverage", "problems.rectified_share"


@pytest.fixture
def dashboard(world, monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city)
    CounterDate.objects.create(as_of=TODAY)
    OrgScore.objects.create(org=world.unit_a1, total={COVERAGE: [587, 1000], RECTIFIED: [1, 4]})
    OrgScore.objects.create(org=world.branch_a2, total={COVERAGE: [1, 10]})
    OrgScore.objects.create(org=world.county_a, total={COVERAGE: [588, 1010], RECTIFIED: [1, 4]})
    for day, share in ((dt.date(2026, 11, 25), [40, 100]), (dt.date(2026, 11, 26), [451, 1000])):
        Snapshot.objects.create(date=day, org=world.county_a, total={RECTIFIED: share})
    client = Client()
    client.force_login(world.county_office)
    response = client.get("/evaluation/XS-A/")
    assert response.status_code == 200
    return response, lxml.html.fromstring(response.content.decode())


def cells(table) -> dict[tuple[str, str], str]:
    """{(row header, column header): cell text}."""
    heads = [th.text_content().strip() for th in table.xpath("./thead/tr/th")][1:]
    out = {}
    for tr in table.xpath("./tbody/tr"):
        row = tr.xpath("./th")[0].text_content().strip()
        for head, td in zip(heads, tr.xpath("./td"), strict=True):
            out[(row, head)] = " ".join(td.text_content().split())
    return out


def test_the_heat_map_has_a_table_with_the_same_figures(dashboard):
    response, page = dashboard
    heat = response.context["heatmap"]
    table = page.get_element_by_id("heatmap-table")
    assert table.xpath("ancestor::details")  # toggleable, in the page without scripts
    got = cells(table)
    names = {i["code"]: i["name"] for i in heat["indicators"]}
    assert got[("A县教育局党委", names[COVERAGE])] == "58.7%（应达 57.5%） 正常"
    assert got[("A县城关镇党支部", names[COVERAGE])] == "10.0%（应达 57.5%） 严重滞后"
    assert got[("A县教育局党委", names[RECTIFIED])].startswith("25.0%")
    # Every cell of the chart's data is in the table, value and status.
    for c in heat["cells"]:
        text = got[(heat["orgs"][c["y"]]["name"], heat["indicators"][c["x"]]["name"])]
        assert text == "无数据" if c["value"] is None else text.startswith(f"{c['value']}%") and c["status"] in text
    chart = page.get_element_by_id("heatmap")
    assert chart.get("role") == "img" and chart.get("aria-label")
    summary = page.get_element_by_id(chart.get("aria-describedby")).text_content()
    assert "2 个下级单位" in summary and "其中 2 个单位有滞后指标" in summary


def test_the_trend_chart_has_a_table_of_every_snapshot(dashboard):
    _, page = dashboard
    got = cells(page.get_element_by_id("trend-table"))
    assert got[("2026-11-25", "问题整改销号率")] == "40.0%" and got[("2026-11-26", "问题整改销号率")] == "45.1%"
    assert got[("2026-11-25", "规定动作完成率")] == "—"
    chart = page.get_element_by_id("trend")
    assert "2 个快照日" in page.get_element_by_id(chart.get("aria-describedby")).text_content()


def test_the_dimension_bars_have_a_table_and_their_figures_in_words(dashboard):
    response, page = dashboard
    got = cells(page.get_element_by_id("dims-table"))
    assert got[("学习教育", "平均值")] == "58.2%" and got[("学习教育", "应达")] == "57.5%"
    for d in response.context["dimensions"]:
        assert got[(d["dimension"], "平均值")] == f"{d['value'] * 100:.1f}%"
        assert got[(d["dimension"], "状态")] == d["status"]
    assert page.get_element_by_id("dims-chart").get("aria-describedby") == "dims-summary"

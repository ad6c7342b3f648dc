"""The dashboard heat map on a 390-px phone (issue 11): every indicator gets a readable column, the chart
scrolls sideways inside its card while the page does not, and a tap on a cell shows its figures
instead of leaving the page (touch has no hover)."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tuijin.campaigns.models import Campaign

from .conftest import PHONE, _check, _page, chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def touch_phone(browser):
    context, page, problems = _page(browser, PHONE, has_touch=True, is_mobile=True)
    yield page
    _check(page, problems)
    context.close()


def test_the_heat_map_is_readable_and_tappable_on_a_phone(touch_phone, transactional_db, live_server, world, login):
    page = touch_phone
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city)
    login(page, "city_office")
    url = live_server.url + "/evaluation/XS/"
    page.goto(url)
    expect(page.locator("#heatmap canvas").first).to_be_visible(timeout=20_000)

    columns = page.evaluate("JSON.parse(document.getElementById('heatmap-data').textContent).indicators.length")
    width = page.evaluate("document.getElementById('heatmap').getBoundingClientRect().width")
    assert columns > 5 and width >= 110 + 40 * columns  # at least 40 px a column, wider than the screen
    # the card scrolls, not the page
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.evaluate(
        "(() => { const b = document.getElementById('heatmap').parentElement;"
        " return b.scrollWidth > b.clientWidth; })()"
    )

    # Tap a cell that has a value: its figures appear and the page stays.
    x, y = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById("heatmap"));
        const data = chart.getOption().series[0].data;
        const i = data.findIndex((d) => d.cell.value !== null);
        const [px, py] = chart.convertToPixel({ seriesIndex: 0 }, data[i].value.slice(0, 2));
        const card = document.getElementById("heatmap").parentElement;
        card.scrollLeft = Math.max(0, px - 150);  // bring that column on screen
        return [px, py];
    }""")
    box = page.locator("#heatmap canvas").first.bounding_box()
    page.touchscreen.tap(box["x"] + x, box["y"] + y)
    tip = page.locator("#heatmap > div").filter(has_text="%")
    expect(tip.first).to_be_visible()
    expect(tip.first).to_contain_text("（")  # "指标：数值%，应达…（状态）"
    assert page.url == url
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "heatmap-390.png"))  # for a person to look at

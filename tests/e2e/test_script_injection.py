"""Stored script injection (issue 12, finding 1): an org name holding markup is shown as text.

A county office could rename its own org to `东城区委<img src=x onerror=alert(1)>` through the orgs
import; the city office's dashboard heat map then put that name into its tooltip as HTML and the
script ran. The page now builds tooltips as DOM text, and the strict CSP would refuse the inline
handler even if it did not. The e2e conftest fails the test on any CSP violation or dialog.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tuijin.campaigns.models import Campaign
from tuijin.orgs.models import Org

from .conftest import chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]

EVIL = "东城区委<img src=x onerror=alert(1)>"


def test_org_name_with_markup_is_text_in_the_heat_map_tooltip(page, transactional_db, live_server, world, login):
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city)
    Org.objects.filter(pk=world.county_a.pk).update(name=EVIL)
    login(page, "city_office")
    page.goto(live_server.url + "/evaluation/XS/")
    chart = page.locator("#heatmap canvas").first
    expect(chart).to_be_visible(timeout=20_000)  # ECharts is a large file for a busy test machine

    # Hover over a cell of the evil org's row: ask ECharts where that cell is drawn, move the mouse there.
    x, y = page.evaluate("""() => {
        const chart = echarts.getInstanceByDom(document.getElementById("heatmap"));
        const data = chart.getOption().series[0].data;
        const i = data.findIndex((d) => d.cell.y === 0 && d.cell.value !== null);
        return chart.convertToPixel({ seriesIndex: 0 }, data[i].value.slice(0, 2));
    }""")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    tip = page.locator("#heatmap > div").filter(has_text="东城区委")
    expect(tip.first).to_be_visible()
    expect(tip.first).to_contain_text(EVIL)  # the markup is there, as text
    assert page.locator("#heatmap img").count() == 0
    assert page.evaluate("document.querySelectorAll('img[src=x], img[src$=\"/x\"]').length") == 0


def test_every_page_renders_under_the_policy_without_a_violation(page, transactional_db, live_server, world, login):
    """Each GET page of the URLconf, opened by the city office in the real browser: the conftest fails the
    test on any CSP violation (an inline script, handler or style left in a template)."""
    from tests.core.test_bad_parameters import page_urls

    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city)
    login(page, "city_office")
    # Widths that were style="" attributes are set by site.js through the DOM.
    page.goto(live_server.url + "/")
    width = page.eval_on_selector(".tj-progress-time", "el => el.style.width")
    assert width.endswith("%") and width != "0%"
    opened = 0
    for url in page_urls(world):
        if url.endswith("/x/"):  # a POST-only action (its name filled with "x"): no page to open
            continue
        head = page.request.get(live_server.url + url, max_redirects=0)
        if head.status != 200 or not head.headers.get("content-type", "").startswith("text/html"):
            continue  # a 405 of a POST-only action, a download, a redirect: no page to render
        response = page.goto(live_server.url + url)
        opened += response.status == 200
    assert opened >= 20


def test_the_api_docs_page_works_under_the_policy(page, transactional_db, live_server, world, login):
    """django-ninja's Swagger UI is served from our own static files (the CSP allows no CDN)."""
    login(page, "city_office")
    page.goto(live_server.url + "/api/v1/docs")
    expect(page.locator(".opblock-summary-path").first).to_be_visible(timeout=20_000)
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/problems")

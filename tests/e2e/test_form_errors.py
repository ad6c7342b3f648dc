"""Issue 11: after a submit with errors, focus lands on the first field in error; the error summary at the
top links to each field and its links move focus there (CSP-safe: site.js, no inline script)."""

import pytest
from playwright.sync_api import expect

from .conftest import chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]


def test_focus_lands_on_the_first_field_in_error_and_the_summary_links_to_each(live_server, world, page, login):
    login(page, "branch_reporter")
    page.goto(f"{live_server.url}/problems/XS-A-1-1/new/")
    page.locator("#problem-form button[type=submit], #problem-form button:not([type])").last.click()
    page.wait_for_load_state("domcontentloaded")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    invalid = page.locator("main form [aria-invalid='true']")
    first_id = invalid.first.get_attribute("id")
    assert invalid.count() >= 2
    expect(page.locator(f"#{first_id}")).to_be_focused()
    # The summary has a link per field in error, in form order; following one focuses its field.
    links = summary.locator("a[data-tj-field]")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#" + invalid.nth(i).get_attribute("id") for i in range(invalid.count())]
    assert targets[0] == f"#{first_id}" and "#id_description" in targets
    summary.locator('a[href="#id_description"]').click()
    expect(page.locator("#id_description")).to_be_focused()
    # The field's error message is what it is described by.
    described = page.locator("#id_description").get_attribute("aria-describedby")
    assert "id_description_error" in described.split()
    expect(page.locator("#id_description_error")).to_contain_text("必填")

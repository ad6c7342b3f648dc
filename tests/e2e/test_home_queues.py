"""End to end (issue 11): the county office goes from its home's queue to closing a problem a branch
submitted, after the branch was refused while its measures were open; every home photographed at
1366 and 390 px (var/screenshots/home-*.png) for a person to look at."""

import datetime as dt
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.study.conftest import CAMPAIGN
from tuijin.campaigns.actions import load_campaign
from tuijin.rectification import actions

from .conftest import PHONE, chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]

TODAY = dt.date(2026, 11, 27)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WIDE = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("TUIJIN_SCREENSHOTS", "var/screenshots"))


def new_page(browser, viewport=WIDE):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_the_county_office_closes_a_branch_problem_from_its_home_queue(
    transactional_db, live_server, world, browser, login, monkeypatch, settings, tmp_path
):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    settings.MEDIA_ROOT = tmp_path / "media"
    problem = actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        description="会议记录不规范，缺少讨论内容",
        source="集体查",
        found_on=TODAY,
        measures=[{"text": "规范会议记录格式"}, {"text": "每月检查一次记录"}],
    )
    actions.attach_evidence(problem, actor=world.branch_reporter, name="记录.pdf", data=PDF)
    base = live_server.url

    # The branch tries to submit with 0 of 2 measures done: refused, with the reason.
    context, page = new_page(browser, PHONE)
    login(page, "branch_reporter")
    page.goto(f"{base}/problems/item/{problem.pk}/")
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator(".alert-danger")).to_contain_text("还有 2 项整改措施未完成")
    for _ in range(2):
        page.locator("#measures").get_by_role("button", name="标记完成").first.click()
        expect(page.locator(".alert-success")).to_contain_text("已完成")
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator("#problem-state")).to_contain_text("待验收")
    context.close()

    # The county office: home → 待验收 queue → the problem → 验收销号.
    context, page = new_page(browser)
    login(page, "county_office")
    queue = page.locator("#queue")
    expect(queue).to_contain_text("中共A县委：待验收问题")
    expect(queue).to_contain_text("1 个")
    queue.get_by_role("link", name="中共A县委：待验收问题").click()
    expect(page.locator("#problems")).to_contain_text("会议记录不规范")
    page.locator("#problems").get_by_role("link", name="会议记录不规范，缺少讨论内容").click()
    page.get_by_label("验收意见").fill("记录已规范")
    page.get_by_label("工作中发生了什么变化").fill("支部会议记录现在逐项写明讨论内容")
    page.get_by_role("button", name="验收销号").click()
    expect(page.locator("#problem-state")).to_contain_text("已销号")
    page.goto(base + "/")
    expect(page.locator("#queue")).to_contain_text("0 个")
    context.close()


@pytest.mark.parametrize("persona", ["county_office", "guide", "branch_reporter", "member"])
def test_every_home_at_desktop_and_phone_width_fits_and_is_photographed(
    transactional_db, live_server, world, browser, login, monkeypatch, persona
):
    monkeypatch.setenv("TUIJIN_TODAY", "2026-11-09")
    load_campaign(CAMPAIGN, actor=None)
    actions.hand_down(
        actor=world.county_office,
        org=world.county_a,
        targets=[world.branch_a1a],
        description="第一议题制度落实不到位",
        deadline=dt.date(2026, 12, 20),
        found_on=dt.date(2026, 11, 1),
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (("1366", WIDE), ("390", PHONE)):
        context, page = new_page(browser, viewport)
        login(page, persona)
        expect(page.locator("h1")).to_contain_text("您好")
        # No sideways scrolling on a phone.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        page.screenshot(path=str(SHOTS / f"home-{persona}-{name}.png"), full_page=True)
        context.close()

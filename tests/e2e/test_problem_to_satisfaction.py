"""End to end, in headless Chromium: one problem from the branch's list to the county's 满意清单.

A branch reporter adds a problem with a measure, uploads a PDF as 支撑材料 and submits it; the county
office closes (销号) and publishes it; members of the public, each on their own phone, rate it 满意
without logging in; the county office then finds it on the 满意清单.
"""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tuijin.campaigns.models import Campaign

from .conftest import DESKTOP, PHONE, chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]

TODAY = dt.date(2026, 11, 27)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def new_page(browser, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_a_problem_goes_from_the_branch_list_to_the_satisfaction_list(
    transactional_db, live_server, world, browser, login, monkeypatch
):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    # Every voter below comes from 127.0.0.1, as they would through one office's NAT: the per-address cap
    # (TUIJIN_VOTES_PER_ADDRESS, 30 by default) lets such a crowd vote.
    campaign = Campaign.objects.create(
        name="第二批主题教育",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 1, 31),
        root=world.city,
        satisfaction_threshold=0.6,
        satisfaction_min_votes=3,
    )
    base = live_server.url

    # The branch reporter adds a problem with one measure.
    reporter_context, page = new_page(browser)
    login(page, "branch_reporter")
    page.get_by_role("navigation").first.get_by_role("link", name="问题整改").click()
    expect(page).to_have_url(base + "/problems/XS-A-1-1/")
    page.get_by_role("link", name="新增问题").first.click()
    page.get_by_label("问题类别").select_option("工作作风")
    page.get_by_label("问题来源").select_option("群众评")
    page.get_by_label("问题描述").fill("村务公开栏长期不更新，群众看不到账目")
    page.get_by_label("责任人").first.fill("甲1")
    page.get_by_label("整改时限").fill("2026-12-31")
    page.locator("#id_m-0-text").fill("每月15日前更新公开栏")
    page.locator("#id_m-0-owner").fill("甲2")
    page.locator("#id_m-0-deadline").fill("2026-12-15")
    page.get_by_role("button", name="保存问题").click()
    expect(page.locator(".alert-success")).to_contain_text("已新增问题")
    expect(page.locator("#measures")).to_contain_text("每月15日前更新公开栏")
    expect(page.locator("#problem-state")).to_contain_text("待整改")
    problem_url = page.url
    assert re.search(r"/problems/item/\d+/$", problem_url)

    # Evidence (a small PDF), then submit for acceptance.
    page.locator("#evidence-file").set_input_files(
        files=[{"name": "公开栏照片说明.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("#upload-evidence").get_by_role("button", name="上传").click()
    expect(page.locator(".alert-success")).to_contain_text("已上传支撑材料")
    expect(page.locator("#evidence")).to_contain_text("公开栏照片说明.pdf")
    page.get_by_role("button", name="提交验收").click()  # refused: its one measure is still open
    expect(page.locator(".alert-danger, .alert-warning").first).to_contain_text("还有 1 项整改措施未完成")
    expect(page.locator("#problem-state")).not_to_contain_text("待验收")
    page.locator("#measures").get_by_role("button", name="标记完成").click()
    expect(page.locator(".alert-success")).to_contain_text("已完成")
    page.get_by_role("button", name="提交验收").click()
    expect(page.locator("#problem-state")).to_contain_text("待验收")
    expect(page.locator("#actions")).not_to_contain_text("验收销号")  # the owner never closes its own problem
    reporter_context.close()

    # The county office closes it and publishes it for the public to rate.
    office_context, page = new_page(browser)
    login(page, "county_office")
    page.goto(problem_url)
    page.get_by_label("验收意见").fill("公开栏已更新，材料齐全")
    page.get_by_label("工作中发生了什么变化").fill("群众办事由跑三次变为跑一次")
    page.get_by_role("button", name="验收销号").click()
    expect(page.locator("#problem-state")).to_contain_text("已销号")
    page.get_by_label("整改结果").fill("公开栏已按月更新，账目逐项公开")
    page.get_by_role("button", name="公示，请群众评价").click()
    expect(page.locator("#publication")).to_contain_text("打印二维码")
    public_url = page.locator("#public-link").get_attribute("href")
    assert public_url.startswith("/p/")

    # Three people, each on their own phone, rate it 满意 without logging in.
    for n in range(campaign.satisfaction_min_votes):
        context, phone = new_page(browser, PHONE)
        phone.goto(base + public_url)
        expect(phone.locator("#item-title")).to_have_text("村务公开栏长期不更新，群众看不到账目")
        expect(phone.locator("main")).not_to_contain_text("甲2")  # no personal names on the public page
        phone.locator("label", has_text=re.compile("^满意$")).click()
        phone.get_by_role("button", name="提交评价").click()
        expect(phone.locator("#rate-thanks")).to_contain_text("谢谢您的评价")
        expect(phone.locator("#rate")).to_contain_text(f"已有 {n + 1} 人参与评价")
        context.close()

    # The county office finds it on the 满意清单.
    page.goto(base + "/problems/XS-A/satisfied/")
    expect(page.locator("#satisfied")).to_contain_text("村务公开栏长期不更新")
    expect(page.locator("#satisfied")).to_contain_text("100%")
    office_context.close()

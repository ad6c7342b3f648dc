"""Issue 11 in the browser: the pages changed for the newly-lagging queue, the chart tables, the 全部 list and
the admin pickers, each audited with axe-core (no critical or serious violation) and photographed at 1366
and 390 px (var/screenshots/ux11-*.png) for a person to look at; typing 东城 into the grant form's org
picker offers 中共东城区委."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from tests.conftest import login_as, make_org, make_person, make_user
from tuijin.campaigns.models import Campaign
from tuijin.evaluation.models import CounterDate, OrgScore, Snapshot
from tuijin.orgs import actions as org_actions
from tuijin.rectification import actions

from .conftest import PHONE, chromium_path
from .test_accessibility import audit

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]

TODAY, BEFORE = dt.date(2026, 11, 27), dt.date(2026, 11, 26)
WIDE = {"width": 1366, "height": 900}
SHOTS = Path(os.environ.get("TUIJIN_SCREENSHOTS", "var/screenshots"))
COVERAGE, RECTIFIED = "study.collective_coverage", "problems.rectified_share"


def signed_in(browser, live_server, user, viewport):
    """A browser context logged in as user (the TOTP step passed for admins), under the site's CSP except
    for the axe script the test injects."""
    client = Client()
    login_as(client, user)
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", bypass_csp=True)
    context.set_default_timeout(10_000)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    return context, context.new_page()


@pytest.fixture
def city(transactional_db, world, monkeypatch, settings, tmp_path):
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    settings.MEDIA_ROOT = tmp_path / "media"
    w = world
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=w.city)
    w.dongcheng = make_org(w.city, "XS-DC", "中共东城区委", kind="党委")
    make_user("wxm", person=make_person(w.dongcheng, "DC001", "王小明"))
    CounterDate.objects.create(as_of=TODAY)
    good, bad = {COVERAGE: [9, 10], RECTIFIED: [3, 4]}, {COVERAGE: [1, 10], RECTIFIED: [1, 4]}
    for org, total in ((w.county_a, {COVERAGE: [12, 30], RECTIFIED: [5, 12]}), (w.unit_a1, bad), (w.branch_a2, good)):
        OrgScore.objects.create(org=org, total=total)
    for day, share in ((dt.date(2026, 11, 25), [4, 10]), (BEFORE, [9, 20])):
        Snapshot.objects.create(date=day, org=w.county_a, total={RECTIFIED: share})
    for org in (w.unit_a1, w.branch_a2):
        Snapshot.objects.create(date=BEFORE, org=org, total=good)
    group = org_actions.create_guidance_group(
        actor=None, code="G2", name="第二巡回指导组", orgs=[w.unit_a1, w.county_b]
    )
    w.guide2 = make_user("guide2", "guidance", group=group)
    for org, text in ((w.branch_a1a, "教育局支部会议记录不规范"), (w.branch_b1, "B县支部学习流于形式")):
        actions.create_problem(
            actor=w.city_office, org=org, description=text, source="集体查", found_on=TODAY, measures=[{"text": "整改"}]
        )
    return w


def test_the_changed_pages_pass_axe_and_are_photographed(city, live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    pages = [
        ("county_office", "/", "home-office"),
        ("county_office", "/evaluation/XS-A/", "dashboard"),
        ("guide2", "/problems/?scope=all", "problems-all"),
        ("guide2", "/", "home-guide2"),
        ("branch_reporter", "/problems/XS-A-1-1/new/", "form-errors"),
        ("secadmin", "/admin3/grants/", "grants"),
    ]
    found = {}
    for viewport in (WIDE, PHONE):
        for persona, url, name in pages:
            context, page = signed_in(browser, live_server, getattr(city, persona), viewport)
            page.goto(live_server.url + url)
            if name == "dashboard":
                for box in page.locator("details.tj-chart-table").all():
                    box.locator("summary").click()
            if name == "form-errors":
                page.get_by_role("button", name="保存问题").click()
                page.wait_for_load_state("domcontentloaded")
            if name == "grants":
                page.locator("#id_org_code").press_sequentially("东城")
                expect(page.locator("#pick-org option").first).to_have_attribute("value", "中共东城区委（XS-DC）")
            page.wait_for_load_state("networkidle")
            bad = audit(page)
            if bad:
                found[f"{viewport['width']} {url}"] = bad
            page.screenshot(path=str(SHOTS / f"ux11-{name}-{viewport['width']}.png"), full_page=True)
            context.close()
    assert found == {}


def test_typing_a_name_in_the_grant_form_offers_the_org_and_the_account(city, live_server, browser):
    context, page = signed_in(browser, live_server, city.secadmin, WIDE)
    page.goto(live_server.url + "/admin3/grants/")
    page.locator("#id_org_code").press_sequentially("东城")
    expect(page.locator("#pick-org option")).to_have_count(1)
    expect(page.locator("#pick-org option").first).to_have_attribute("value", "中共东城区委（XS-DC）")
    expect(page.locator("#id_org_code-found")).to_contain_text("找到 1 项")
    page.locator("#id_username").press_sequentially("王小明")
    expect(page.locator("#pick-user option").first).to_have_attribute("value", "王小明（wxm）")
    page.locator("#id_username").fill("王小明（wxm）")
    page.locator("#id_role").select_option("office")
    page.locator("#id_org_code").fill("中共东城区委（XS-DC）")
    page.get_by_role("button", name="授予").click()
    expect(page.locator("#grants")).to_contain_text("中共东城区委")
    context.close()

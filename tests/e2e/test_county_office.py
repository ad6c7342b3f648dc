"""End to end, in headless Chromium: a county office logs in, browses its county, and cannot reach another.

Data is the hand-built city of tests/conftest.py (`world`): the county office of 中共A县委 (XS-A) sees
5 orgs, 3 branches, 6 people; 中共B县委 (XS-B) and the city above are out of its scope.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

from .conftest import chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]


def table(page, selector):
    """The rows of a table as {header text: cell text} dicts (hidden cells included)."""
    return page.eval_on_selector(
        selector,
        """t => {
        const head = [...t.tHead.rows[0].cells].map(c => c.textContent.trim());
        return [...t.tBodies[0].rows].map(
            r => Object.fromEntries([...r.cells].map((c, i) => [head[i], c.textContent.trim()])));
    }""",
    )


def stats(page, selector):
    """{label: figure} for the .tj-stat / .tj-stat-label pairs inside `selector`."""
    return page.eval_on_selector(
        selector,
        """el => Object.fromEntries(
        [...el.querySelectorAll('.tj-stat')].map(
            s => [s.parentElement.querySelector('.tj-stat-label').textContent.trim(), s.textContent.trim()]))""",
    )


def by_name(rows, column="组织"):
    return {row[column]: row for row in rows}


def test_county_office_browses_its_county_and_nothing_else(page, transactional_db, live_server, world):
    base = live_server.url

    # Not logged in: the home page sends us to the Chinese login form, which brings us back afterwards.
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="主题教育推进平台")).to_be_visible()
    page.get_by_label("账号").fill("county_office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # Home: the county's rolled-up counts, nothing about the city or the other county.
    expect(page).to_have_url(base + "/")
    expect(page.get_by_role("heading", name="您好，county_office")).to_be_visible()
    scope = page.locator(".tj-scope")
    expect(scope).to_have_count(1)
    expect(scope).to_contain_text("中共A县委")
    assert stats(page, ".tj-scope") == {"党组织": "5", "党支部": "3", "党员": "6", "人员": "6"}
    body = page.locator("main")
    expect(body).not_to_contain_text("中共B县委")
    expect(body).not_to_contain_text("中共X市委")

    # The tree: a county office's only root is its county, so "组织与人员" opens it directly.
    page.get_by_role("navigation").first.get_by_role("link", name="组织与人员").click()
    expect(page).to_have_url(base + "/orgs/XS-A/")
    expect(page.get_by_role("heading", level=1)).to_have_text("中共A县委")
    expect(page.locator("main")).not_to_contain_text("中共X市委")  # no breadcrumb above its own scope
    assert stats(page, "#org-counts") == {"党组织（含本级）": "5", "党支部": "3", "党员": "6", "人员": "6"}
    children = by_name(table(page, "#children"))
    assert set(children) == {"A县教育局党委 XS-A-1", "A县城关镇党支部 XS-A-2"}
    edu = children["A县教育局党委 XS-A-1"]
    assert (edu["党组织"], edu["党支部"], edu["党员"], edu["人员"]) == ("3", "2", "6", "6")
    town = children["A县城关镇党支部 XS-A-2"]
    assert (town["党组织"], town["党支部"], town["人员"]) == ("1", "1", "0")

    # Down one level: counts roll up from the branches below.
    page.locator("#children").get_by_role("link", name="A县教育局党委").click()
    expect(page).to_have_url(base + "/orgs/XS-A-1/")
    expect(page.get_by_role("navigation", name="breadcrumb").get_by_role("link", name="中共A县委")).to_be_visible()
    children = by_name(table(page, "#children"))
    first, second = children["A县教育局第一党支部 XS-A-1-1"], children["A县教育局第二党支部 XS-A-1-2"]
    assert (first["党组织"], first["党支部"], first["人员"]) == ("1", "1", "3")
    assert (second["党组织"], second["党支部"], second["人员"]) == ("1", "1", "2")
    assert stats(page, "#org-counts")["人员"] == "6"

    # A branch and its people, phones masked.
    page.locator("#children").get_by_role("link", name="A县教育局第一党支部").click()
    expect(page).to_have_url(base + "/orgs/XS-A-1-1/")
    expect(page.locator("main")).to_contain_text("没有下级组织")
    page.get_by_role("link", name=re.compile(r"^本级人员")).click()
    expect(page).to_have_url(base + "/orgs/XS-A-1-1/people/")
    people = by_name(table(page, "#people"), "姓名")
    assert set(people) == {"甲1", "甲2", "甲3"}
    assert people["甲1"]["手机号"] == "138****1234"
    assert "13800001234" not in page.content()
    page.locator("#people").get_by_role("link", name="甲1").click()
    expect(page).to_have_url(base + "/orgs/person/A1A1/")
    expect(page.locator(".tj-phone")).to_have_text("138****1234")
    assert "13800001234" not in page.content()

    # Search from the navbar: by part of a name, by org code, by person number (any case).
    search = page.get_by_role("search").get_by_role("searchbox")
    search.fill("乙")
    search.press("Enter")
    expect(page).to_have_url(re.compile(r"/orgs/search/\?q="))
    expect(page.locator("#person-results a")).to_have_count(2)
    expect(page.locator("#person-results")).to_contain_text("乙一")
    expect(page.locator("#person-results")).to_contain_text("乙二")
    expect(page.locator("#org-results a")).to_have_count(0)

    page.goto(base + "/orgs/search/?q=XS-A-2")
    expect(page.locator("#org-results a")).to_have_count(1)
    expect(page.locator("#org-results a")).to_contain_text("A县城关镇党支部")
    page.goto(base + "/orgs/search/?q=a1c1")
    expect(page.locator("#person-results a")).to_have_count(1)
    expect(page.locator("#person-results a")).to_contain_text("丙书记")
    page.locator("#person-results a").click()
    expect(page).to_have_url(base + "/orgs/person/A1C1/")

    # Searching finds nothing outside the county, even by exact name or code.
    for q in ("B县", "B1P1"):
        page.goto(base + f"/orgs/search/?q={q}")
        expect(page.locator("#org-results a")).to_have_count(0)
        expect(page.locator("#person-results a")).to_have_count(0)

    # The other county, the city above and their people do not exist for this user: a Chinese 404 page.
    for path in ("/orgs/XS-B/", "/orgs/XS/", "/orgs/person/B1P1/"):
        response = page.goto(base + path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("中共B县委")
    # The 404 page keeps the user's navigation, so the way back is one click.
    page.get_by_role("link", name="返回首页").click()
    expect(page).to_have_url(base + "/")


def test_wrong_password_shows_the_chinese_error(page, transactional_db, live_server, world, login):
    login(page, "county_office", "not-the-password")
    expect(page).to_have_url(re.compile(r"/login/"))
    expect(page.get_by_role("alert")).to_contain_text("账号或密码不正确")
    expect(page.get_by_label("账号")).to_have_value("county_office")
    expect(page.get_by_role("link", name="组织与人员")).to_have_count(0)  # still logged out
    # The same browser can then log in with the right password.
    login(page, "county_office")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", name="您好，county_office")).to_be_visible()


def test_phone_width_collapses_the_navbar_and_never_scrolls_sideways(
    phone_page, transactional_db, live_server, world, login
):
    page, base = phone_page, live_server.url
    login(page, "county_office")
    expect(page).to_have_url(base + "/")

    # The menu is folded behind the toggler until tapped.
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    orgs_link = page.get_by_role("link", name="组织与人员")
    expect(orgs_link).to_be_hidden()
    toggler.click()
    expect(orgs_link).to_be_visible()
    expect(page.get_by_role("search").get_by_role("searchbox")).to_be_visible()
    orgs_link.click()
    expect(page).to_have_url(base + "/orgs/XS-A/")
    expect(page.get_by_role("link", name="组织与人员")).to_be_hidden()  # folded again on the new page

    for path in ("/orgs/XS-A/", "/", "/orgs/XS-A/people/?subtree=1", "/orgs/search/?q=甲", "/orgs/XS-B/"):
        page.goto(base + path, wait_until="domcontentloaded")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} 在手机宽度下出现横向滚动（scrollWidth={width}）"

    # The figures that matter stay on screen at phone width.
    page.goto(base + "/orgs/XS-A/")
    children = page.locator("#children")
    expect(children.get_by_role("columnheader", name="人员")).to_be_visible()
    expect(children.get_by_role("link", name="A县教育局党委")).to_be_visible()

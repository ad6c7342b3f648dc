"""The top menu fits every desktop width: with all ten entries (an office sees every module), the
search, the inbox and the user's name, no page scrolls sideways from 1200 px (where the menu stops
collapsing) to 1920 px. At 1331 px of content a 1280-px laptop had to scroll to reach 退出."""

import pytest

from .conftest import chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]


def test_the_menu_never_makes_a_desktop_page_scroll_sideways(transactional_db, live_server, world, browser, login):
    context = browser.new_context(viewport={"width": 1200, "height": 800}, locale="zh-CN")
    page = context.new_page()
    login(page, "city_office")
    entries = page.locator("#nav .navbar-nav .nav-link")
    assert entries.count() == 10  # 首页 … 导入导出: the widest menu there is
    for width in (1200, 1280, 1366, 1400, 1440, 1600, 1920):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(live_server.url + f"/orgs/{world.city.code}/")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{width} px：页面横向多出 {overflow} px"
        assert page.get_by_role("button", name="退出").is_visible()
        box = page.get_by_role("button", name="退出").bounding_box()
        assert box["x"] + box["width"] <= width
    context.close()

"""Browser fixtures for the end-to-end tests: Debian's Chromium driven by Playwright (never a downloaded browser).

The browser is started once for the e2e package; each test gets a fresh context (cookies, viewport).
Every page runs under the site's real Content-Security-Policy, and a test fails at teardown if the
browser reported any CSP violation (a `securitypolicyviolation` event or a console error about the
policy) or if any JavaScript dialog opened that the test did not expect.
Playwright's sync API keeps an asyncio loop on the main thread, so Django's async-safety check
would refuse the ORM calls the fixtures make; DJANGO_ALLOW_ASYNC_UNSAFE turns that check off.
"""

import os

import pytest

from tests.conftest import PASSWORD

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str | None:
    """TUIJIN_CHROMIUM if it points at an executable, else Debian's /usr/bin/chromium, else None."""
    for candidate in (os.environ.get("TUIJIN_CHROMIUM"), "/usr/bin/chromium"):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="package")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


# Collects CSP violations in the page itself (they are also printed to the console, caught below).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


class PageProblems(list):
    """What went wrong in a page that the test did not ask for: CSP violations and dialogs."""

    def watch(self, page):
        page.on(
            "console",
            lambda msg: (
                self.append(f"console: {msg.text}")
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        if not getattr(dialog.page, "expect_dialogs", False):
            self.append(f"dialog: {dialog.type} {dialog.message!r}")
        dialog.dismiss()


def _page(browser, viewport, **context_args):
    context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    problems = PageProblems()
    problems.watch(page)
    return context, page, problems


def _check(page, problems):
    try:
        problems.extend(page.evaluate("window.__cspViolations || []"))
    except Exception:  # the page was closed or navigated away mid-test; the console still caught them
        pass
    assert not problems, "浏览器报告了内容安全策略违规或意外的弹窗：\n" + "\n".join(dict.fromkeys(problems))


@pytest.fixture
def page(browser):
    context, page, problems = _page(browser, DESKTOP)
    yield page
    _check(page, problems)
    context.close()


@pytest.fixture
def phone_page(browser):
    context, page, problems = _page(browser, PHONE)
    yield page
    _check(page, problems)
    context.close()


@pytest.fixture
def login(live_server):
    """Log in through the real login form; returns after the home page has loaded."""

    def do_login(page, username, password=PASSWORD):
        page.goto(live_server.url + "/login/")
        page.get_by_label("账号").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state("domcontentloaded")
        return page

    return do_login

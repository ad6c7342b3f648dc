"""End to end, in headless Chromium: the security administrator's first login binds an authenticator
(QR page, key, one code, recovery codes) before the grants page opens; the next login asks for a code
after the password; a business account is not asked."""

import base64
import re
import time

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from .conftest import chromium_path

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        chromium_path() is None, reason="未安装 Chromium（/usr/bin/chromium）：浏览器端到端测试跳过；.ci/run 会安装它"
    ),
]


def code(secret: str, drift: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=drift):06d}"


def next_code(secret: str) -> str:
    """The code of the time step right after the one the enrolment used: a step the device has not seen, and
    within its tolerance whether or not a 30-second boundary passed during the enrolment (which shifts the
    device's learned drift)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username="secadmin", confirmed=True)
    now_step = (int(time.time()) - device.t0) // device.step
    return code(secret, drift=device.last_t + 1 - now_step)


def test_an_admin_binds_an_authenticator_then_logs_in_with_a_code(
    transactional_db, live_server, world, page, login, tmp_path
):
    base = live_server.url
    login(page, "secadmin")
    expect(page).to_have_url(re.compile(r"/account/mfa/"))
    expect(page.get_by_text("必须使用双因素认证")).to_be_visible()
    expect(page.locator("#totp-qr svg")).to_be_visible()
    page.screenshot(path=str(tmp_path / "mfa-setup.png"), full_page=True)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("验证码").fill("000000")
    page.get_by_role("button", name="绑定").click()
    expect(page.locator("#token-error")).to_contain_text("验证码不正确")
    page.get_by_label("验证码").fill(code(secret))
    page.get_by_role("button", name="绑定").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="继续").click()
    page.goto(base + "/admin3/grants/")
    expect(page.get_by_role("heading", name=re.compile("角色授权"))).to_be_visible()

    page.get_by_role("button", name="退出").click()
    login(page, "secadmin")
    expect(page).to_have_url(re.compile(r"/login/verify/"))
    page.get_by_label("验证码").fill(next_code(secret))  # the enrolment's code cannot be used twice
    page.get_by_role("button", name="验证").click()
    page.goto(base + "/admin3/grants/")
    expect(page.get_by_role("heading", name=re.compile("角色授权"))).to_be_visible()


def test_a_business_account_logs_in_with_the_password_alone(transactional_db, live_server, world, page, login):
    login(page, "county_office")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_text("中共A县委").first).to_be_visible()

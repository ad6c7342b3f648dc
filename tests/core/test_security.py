"""Login (throttling and TOTP: test_login.py), password policy, session timeout, deploy checks, audit chain."""

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.core.exceptions import ValidationError

from tests.conftest import PASSWORD
from tuijin.core import events
from tuijin.core.models import DomainEvent


def login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_login_page_is_chinese(client, world):
    response = client.get("/login/")
    assert "主题教育推进平台" in response.content.decode() and 'lang="zh-CN"' in response.content.decode()


def test_wrong_password_says_so_in_chinese(client, world):
    response = login(client, "county_office", "wrong-password")
    assert response.status_code == 200
    assert "账号或密码不正确" in response.content.decode()


def test_right_password_logs_in_and_lands_on_home(client, world):
    response = login(client, "county_office", PASSWORD)
    assert response.status_code == 302 and response.url == "/"
    assert "中共A县委" in client.get("/").content.decode()


def test_weak_passwords_are_refused(world):
    from tuijin.orgs.actions import create_account

    for weak in ("12345678", "password123", "short"):
        with pytest.raises(ValidationError):
            create_account(actor=None, username=f"u{weak}", password=weak)


def test_sessions_expire_after_thirty_idle_minutes(client, world):
    login(client, "county_office", PASSWORD)
    assert client.session.get_expiry_age() == 1800
    assert client.get("/orgs/XS-A/").status_code == 200
    # renewed at most once a minute (tests/core/test_sqlite_load.py), so idle means idle: past the
    # expiry the next page asks to log in again
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/orgs/XS-A/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_pages_need_login(client, world):
    response = client.get("/orgs/XS/")
    assert response.status_code == 302 and response.url.startswith("/login/")


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "TUIJIN_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-Production-Key-" + "y" * 40,
        "TUIJIN_ALLOWED_HOSTS": "tuijin.example.gov.cn",
        "TUIJIN_VAR_DIR": str(tmp_path),
        "TUIJIN_AUDIT_KEY": "k" * 50,
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests; production never has it
    result = subprocess.run(
        [sys.executable, "-m", "tuijin.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "TUIJIN_ENV": "production", "TUIJIN_VAR_DIR": str(tmp_path), "TUIJIN_AUDIT_KEY": "k" * 50}
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "tuijin.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_audit_chain_detects_a_tampered_event(world):
    assert DomainEvent.objects.count() > 10
    assert events.verify_chain() == []
    victim = DomainEvent.objects.order_by("id")[3]
    DomainEvent.objects.filter(pk=victim.pk).update(summary="篡改后的内容")
    assert events.verify_chain() == [victim.pk]


def test_deleting_an_event_breaks_the_chain(world):
    victim = DomainEvent.objects.order_by("id")[3]
    DomainEvent.objects.filter(pk=victim.pk).delete()
    broken = events.verify_chain()
    assert broken and broken[0] > victim.pk

"""The no-login rating page: one published item, no personal data, one vote per device."""

import pytest

from tests.rectification.conftest import problem, submitted  # noqa: F401  (fixtures)
from tuijin.public.views import DEVICE_COOKIE
from tuijin.rectification import actions
from tuijin.rectification.models import PublicItem, Rating


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def item(world, submitted):
    return actions.publish(
        submitted,
        actor=world.county_office,
        title="理论学习不深入的整改",
        summary="已建立每周集中学习制度，学习记录已公开",
    )


def url(item):
    return f"/p/{item.token}/"


def test_the_page_needs_no_login_and_shows_the_item(client, item):
    response = client.get(url(item))
    body = response.content.decode()
    assert response.status_code == 200
    for shown in (
        "理论学习不深入的整改",
        "理论学习不深入，学用脱节",
        "理论学习",
        "每周集中学习一次",
        "加强学习",
        "已建立每周集中学习制度",
        "A县教育局第一党支部",
        "满意",
        "基本满意",
        "不满意",
    ):
        assert shown in body, shown


def test_the_page_shows_no_personal_data_and_no_internal_ids(client, world, item):
    body = client.get(url(item)).content.decode()
    problem = item.problem
    owners = {problem.responsible} | {m.owner for m in problem.measures.all() if m.owner}
    assert owners == {"甲1"}
    for hidden in owners | {
        "13800001234",
        "branch_reporter",
        "county_office",
        problem.number,
        f"/problems/item/{problem.pk}/",
        "学习记录.pdf",
    }:
        assert hidden not in body, hidden


def test_voting_sets_a_device_cookie_and_a_second_vote_from_it_is_refused(client, item):
    first = client.get(url(item))
    cookie = first.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and int(cookie["max-age"]) == 365 * 24 * 3600
    response = client.post(url(item), {"choice": "满意", "comment": "学习氛围好多了"})
    assert "谢谢您的评价" in response.content.decode() and "已有 1 人参与评价" in response.content.decode()
    again = client.post(url(item), {"choice": "不满意"})
    assert "您已经评价过这一事项" in again.content.decode()
    item.refresh_from_db()
    assert (item.votes, item.satisfied) == (1, 1)
    assert Rating.objects.get().comment == "学习氛围好多了"


def test_different_devices_each_count(client, item):
    for choice in ("满意", "不满意"):
        client.cookies.clear()
        client.get(url(item))
        assert "谢谢您的评价" in client.post(url(item), {"choice": choice}).content.decode()
    item.refresh_from_db()
    assert (item.votes, item.satisfied) == (2, 1)


def test_a_vote_without_the_device_cookie_is_refused(client, item):
    response = client.post(url(item), {"choice": "满意"})
    assert "允许浏览器保存 Cookie" in response.content.decode()
    assert DEVICE_COOKIE in response.cookies and not Rating.objects.exists()


def vote(client, item, **headers):
    """One new device (a fresh cookie jar) voting once; returns the page text."""
    client.cookies.clear()
    client.get(url(item), **headers)
    return client.post(url(item), {"choice": "满意"}, **headers).content.decode()


def test_votes_from_one_address_are_capped(client, item, settings):
    settings.TUIJIN_VOTES_PER_ADDRESS = 1
    assert "谢谢" in vote(client, item)
    assert "同一网络的评价次数已达上限" in vote(client, item)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(client, item, settings):
    settings.TUIJIN_VOTES_PER_ADDRESS, settings.TUIJIN_TRUSTED_PROXIES = 1, 0
    vote(client, item, HTTP_X_FORWARDED_FOR="10.0.0.1")
    assert "已达上限" in vote(client, item, HTTP_X_FORWARDED_FOR="10.0.0.2")


def test_a_client_forging_the_left_most_forwarded_address_is_capped(client, item, settings):
    """Behind one trusted proxy (which appends the real client 203.0.113.7), one client changes the
    left-most X-Forwarded-For and its cookie for each of 60 votes: only the cap's worth count."""
    settings.TUIJIN_TRUSTED_PROXIES, settings.TUIJIN_VOTES_PER_ADDRESS = 1, 30
    pages = [
        vote(client, item, REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, 203.0.113.7")
        for i in range(60)
    ]
    item.refresh_from_db()
    assert sum("谢谢" in p for p in pages) == 30 and item.votes == 30
    assert item.refused == 30


def test_ten_voters_behind_one_proxy_address_are_all_counted(client, item, settings):
    settings.TUIJIN_TRUSTED_PROXIES = 1  # defaults otherwise: TUIJIN_VOTES_PER_ADDRESS=30
    for _ in range(10):
        assert "谢谢" in vote(client, item, REMOTE_ADDR="10.9.0.1", HTTP_X_FORWARDED_FOR="203.0.113.50")
    item.refresh_from_db()
    assert (item.votes, item.refused) == (10, 0)


def test_the_deprecated_trust_setting_still_means_one_proxy(tmp_path):
    import os
    import subprocess
    import sys

    from pathlib import Path

    import tuijin

    env = {
        **os.environ,
        "TUIJIN_TRUST_X_FORWARDED_FOR": "1",
        "TUIJIN_VAR_DIR": str(tmp_path),
        "PYTHONPATH": str(Path(tuijin.__file__).parents[1]),
    }
    env.pop("TUIJIN_TRUSTED_PROXIES", None)
    code = "import django; django.setup(); from django.conf import settings; print(settings.TUIJIN_TRUSTED_PROXIES)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "DJANGO_SETTINGS_MODULE": "tuijin.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "1", result.stderr


def test_a_missing_choice_is_asked_for(client, item):
    client.get(url(item))
    assert "请选择 满意、基本满意 或 不满意" in client.post(url(item), {"comment": "x"}).content.decode()


def test_qr_codes_are_png_and_svg(client, item):
    png = client.get(f"{url(item)}qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = client.get(f"{url(item)}qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_inactive_or_unknown_tokens_are_404(client, item):
    assert client.get("/p/no-such-token/").status_code == 404
    assert client.get(f"/p/{item.problem.pk}/").status_code == 404  # ids are not tokens
    PublicItem.objects.filter(pk=item.pk).update(active=False)
    for path in ("", "qr.png", "qr.svg"):
        assert client.get(f"{url(item)}{path}").status_code == 404
    assert client.post(url(item), {"choice": "满意"}).status_code == 404


def test_the_office_sees_how_many_votes_the_cap_refused(client, world, item, settings):
    settings.TUIJIN_VOTES_PER_ADDRESS = 2
    for _ in range(5):
        vote(client, item)
    client.force_login(world.county_office)
    body = client.get(f"/problems/item/{item.problem.pk}/").content.decode()
    assert "另有 <strong>3</strong> 次评价因同一网络超过上限被拒绝" in body


def test_a_device_that_already_voted_is_told_so_before_the_form(client, item):
    first = client.get(url(item)).content.decode()
    assert 'id="rate-already"' not in first and "<form" in first
    client.post(url(item), {"choice": "满意"})
    later = client.get(url(item)).content.decode()
    assert 'id="rate-already"' in later and "您已经评价过这一事项" in later
    assert 'name="choice"' not in later
    # Another device still gets the form.
    other = type(client)()
    assert 'name="choice"' in other.get(url(item)).content.decode()

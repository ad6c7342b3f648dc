"""The demo city: generated in bulk, uneven on purpose, with accounts for every role."""

import datetime as dt

import pytest
from django.core.management import call_command

from tuijin.campaigns import rules
from tuijin.campaigns.models import Campaign
from tuijin.demo.generate import generate
from tuijin.evaluation import actions as briefings
from tuijin.evaluation.models import BriefingDoc
from tuijin.orgs.models import Org, Person, User

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return generate("tiny", today=TODAY)


def test_demo_builds_a_consistent_tree(demo):
    assert Org.objects.count() == demo.orgs and Person.objects.count() == demo.people
    for org in Org.objects.exclude(parent=None).select_related("parent"):
        assert org.path.startswith(org.parent.path) and org.depth == org.parent.depth + 1
    for org in Org.objects.all():
        assert org.numchild == Org.objects.filter(parent=org).count()


def test_demo_campaign_is_about_sixty_percent_elapsed(demo):
    campaign = Campaign.objects.get()
    assert campaign.progress(TODAY) == pytest.approx(0.6, abs=0.01)
    assert campaign.tasks.count() >= 2 and campaign.reading.count() >= 3


def test_demo_tasks_are_the_required_actions_not_quotas_or_org_structure(demo):
    """The seed's 规定动作 (专题研讨, 领导干部调研, 党校专家宣讲, 办实事, 整改落实): no quota of problems to
    find (it rewards padding the list) and no rule about the org tree a unit cannot change mid-campaign."""
    tasks = list(Campaign.objects.get().tasks.all())
    counted = {t.rule["count"] for t in tasks}
    assert {"study_session", "research_visit", "expert_lecture", "project", "problem"} <= counted
    assert not counted & {"person", "org"}
    for task in tasks:
        if task.rule["count"] == "problem":
            assert task.rule.get("where", {}).get("state") == "已销号"
    assert not any("查摆" in t.title for t in tasks)


def test_demo_has_accounts_for_every_role(demo):
    roles = set(User.objects.values_list("grants__role", flat=True))
    assert {"office", "unit", "guidance", "member", "sysadmin", "secadmin", "auditadmin"} <= roles
    assert User.objects.get(username="county_office").grants.get().org.code == "XS-C01"


def test_demo_is_uneven_so_there_is_something_to_supervise(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate("small", today=TODAY)
    campaign = Campaign.objects.get()
    task = campaign.tasks.get(code="T1")
    result = rules.evaluate(task, rules.applicable_orgs(task), TODAY)
    done = sum(c.done for c in result.values())
    assert 0 < done < len(result)


def test_demo_command_prints_the_accounts_and_reuses_existing_data(db, settings, capsys, monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    call_command("demo", "--scale", "tiny", "--no-server")
    out = capsys.readouterr().out
    for username in ("city_office", "county_office", "branch_reporter", "guide", "member"):
        assert username in out
    # The city office's briefing of two weeks ago is issued, so a new draft says what changed since.
    issued = BriefingDoc.objects.get(status="issued")
    assert issued.number == "〔2026〕1号" and (TODAY - issued.as_of).days == 14 and issued.number in out
    draft = briefings.draft_briefing(actor=User.objects.get(username="city_office"), org=issued.org, as_of=TODAY)
    assert draft.baseline["number"] == "〔2026〕1号"
    assert draft.content["sections"][0]["paragraphs"][-1]["text"].startswith(
        f"与{issued.as_of.month}月{issued.as_of.day}日通报（〔2026〕1号）相比，"
    )
    call_command("demo", "--scale", "tiny", "--no-server")
    assert "演示数据已存在" in capsys.readouterr().out
    assert Org.objects.filter(code="XS").count() == 1


def test_demo_accounts_obey_the_separation_of_the_three_admins(demo):
    from tuijin.orgs.models import ADMIN_ROLES_SET, BUSINESS_ROLES

    for user in User.objects.filter(grants__isnull=False).distinct():
        roles = set(user.grants.values_list("role", flat=True))
        admin = roles & ADMIN_ROLES_SET
        assert len(admin) <= 1 and not (admin and roles & set(BUSINESS_ROLES)), (user.username, roles)


def test_demo_admins_have_an_authenticator_whose_code_the_cli_shows(db, settings, capsys, monkeypatch, client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.OTP_TOTP_SYNC = False
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    call_command("demo", "--scale", "tiny", "--no-server")
    out = capsys.readouterr().out
    devices = TOTPDevice.objects.filter(confirmed=True)
    assert set(devices.values_list("user__username", flat=True)) == {"sysadmin", "secadmin", "auditadmin"}
    assert "tuijin totp-code" in out and "secadmin" in out and "密钥 " in out
    # A newcomer: password, then the code the command line shows, then the grants page.
    from tuijin.demo.generate import DEMO_PASSWORD

    TOTPDevice.objects.update(last_t=-1)  # the code used at enrolment a moment ago may be shown again
    client.post("/login/", {"username": "secadmin", "password": DEMO_PASSWORD})
    assert client.get("/admin3/grants/").url.startswith("/login/verify/")
    call_command("totp_code", "secadmin")
    code = capsys.readouterr().out.split()[0]
    assert client.post("/login/verify/", {"token": code, "next": "/admin3/grants/"}).url == "/admin3/grants/"
    assert client.get("/admin3/grants/").status_code == 200
    with pytest.raises(Exception, match="没有绑定"):
        call_command("totp_code", "county_office")

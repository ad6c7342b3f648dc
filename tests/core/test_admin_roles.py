"""三员分立: accounts, grants and the audit log each belong to one admin role, and to nobody else."""

import pytest

from tests.conftest import login_as
from tuijin.core.models import DomainEvent
from tuijin.orgs.models import RoleGrant, User

ADMIN_PAGES = {"sysadmin": "/admin3/accounts/", "secadmin": "/admin3/grants/", "auditadmin": "/admin3/audit/"}


@pytest.mark.parametrize(
    "persona",
    [
        "city_office",
        "county_office",
        "branch_reporter",
        "guide",
        "member",
        "outsider",
        "sysadmin",
        "secadmin",
        "auditadmin",
    ],
)
@pytest.mark.parametrize("owner, url", list(ADMIN_PAGES.items()))
def test_each_admin_page_is_open_to_its_role_only(client, world, persona, owner, url):
    login_as(client, getattr(world, persona))
    assert client.get(url).status_code == (200 if persona == owner else 404)


def test_system_admin_creates_an_account_linked_to_a_person(client, world):
    login_as(client, world.sysadmin)
    response = client.post(
        "/admin3/accounts/",
        {"username": "clerk_b", "password": "Qiang-mima-2026!", "person_number": "B1P1"},
        follow=True,
    )
    assert "已创建账号 clerk_b" in response.content.decode()
    assert User.objects.get(username="clerk_b").person.number == "B1P1"
    assert DomainEvent.objects.filter(verb="account.create", actor=world.sysadmin).exists()


def test_a_weak_password_is_refused_with_the_reason(client, world):
    login_as(client, world.sysadmin)
    response = client.post("/admin3/accounts/", {"username": "weak", "password": "12345678"})
    assert response.status_code == 200 and not User.objects.filter(username="weak").exists()
    assert "密码" in response.content.decode()


def test_security_admin_grants_and_revokes_roles(client, world):
    login_as(client, world.secadmin)
    client.post("/admin3/grants/", {"username": "outsider", "role": "office", "org_code": "XS-B"})
    grant = RoleGrant.objects.get(user=world.outsider)
    assert grant.org.code == "XS-B"
    client.post(f"/admin3/grants/{grant.pk}/revoke/")
    assert not RoleGrant.objects.filter(user=world.outsider).exists()
    assert DomainEvent.objects.filter(verb="grant.revoke", actor=world.secadmin).exists()


def test_a_grant_without_its_org_is_refused(client, world):
    login_as(client, world.secadmin)
    response = client.post("/admin3/grants/", {"username": "outsider", "role": "office", "org_code": ""})
    assert "必须指定组织" in response.content.decode()
    assert not RoleGrant.objects.filter(user=world.outsider).exists()


def test_a_deactivated_account_cannot_log_in(client, world):
    from tests.conftest import PASSWORD

    login_as(client, world.sysadmin)
    client.post("/admin3/accounts/county_office/active/", {"active": "0"})
    client.logout()
    response = client.post("/login/", {"username": "county_office", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_audit_admin_verifies_the_chain_and_sees_tampering(client, world):
    login_as(client, world.auditadmin)
    assert "记录链完整" in client.get("/admin3/audit/?verify=1").content.decode()
    victim = DomainEvent.objects.order_by("id")[2]
    DomainEvent.objects.filter(pk=victim.pk).update(summary="被改过")
    assert f"编号 {victim.pk}" in client.get("/admin3/audit/?verify=1").content.decode()

"""三员分立 (issue 11): no self-grant; at most one of the three admin roles per account; never an admin
role beside a business role; business grants by the security admin are recorded and the audit admin sees
them. The rule lives in the grant action, so the page refuses with the action's Chinese message."""

import pytest

from tests.conftest import login_as, make_user
from tuijin.core.errors import ActionError
from tuijin.core.models import DomainEvent
from tuijin.orgs import actions
from tuijin.orgs.models import RoleGrant


def roles_of(user):
    return set(RoleGrant.objects.filter(user=user).values_list("role", flat=True))


def test_the_security_admin_cannot_grant_itself_a_business_role(world):
    with pytest.raises(ActionError, match="不能给自己授予角色"):
        actions.grant_role(actor=world.secadmin, user=world.secadmin, role="office", org=world.city)
    assert roles_of(world.secadmin) == {"secadmin"}


def test_a_second_security_admin_cannot_grant_itself_either(world):
    other = make_user("secadmin2", "secadmin")
    with pytest.raises(ActionError, match="不能给自己授予角色"):
        actions.grant_role(actor=other, user=other, role="auditadmin")


@pytest.mark.parametrize(
    "held, wanted", [("secadmin", "auditadmin"), ("auditadmin", "sysadmin"), ("sysadmin", "secadmin")]
)
def test_no_account_holds_two_admin_roles(world, held, wanted):
    with pytest.raises(ActionError, match="只能担任系统管理员、安全管理员、审计管理员中的一个"):
        actions.grant_role(actor=world.secadmin if held != "secadmin" else None, user=getattr(world, held), role=wanted)
    assert roles_of(getattr(world, held)) == {held}


def test_an_admin_cannot_also_hold_a_business_role(world):
    with pytest.raises(ActionError, match="管理员账号不能同时担任业务角色"):
        actions.grant_role(actor=world.secadmin, user=world.auditadmin, role="office", org=world.city)
    with pytest.raises(ActionError, match="管理员账号不能同时担任业务角色"):
        actions.grant_role(actor=None, user=world.sysadmin, role="unit", org=world.branch_b1)  # the CLI too


def test_a_business_account_cannot_become_an_admin(world):
    with pytest.raises(ActionError, match="已有业务角色（办公室）"):
        actions.grant_role(actor=world.secadmin, user=world.county_office, role="auditadmin")
    assert roles_of(world.county_office) == {"office"}


def test_business_roles_may_be_combined(world):
    actions.grant_role(actor=world.secadmin, user=world.county_office, role="unit", org=world.branch_b1)
    assert roles_of(world.county_office) == {"office", "unit"}


def test_an_unknown_role_is_a_clear_message(world):
    with pytest.raises(ActionError, match="角色“boss”无效"):
        actions.grant_role(actor=world.secadmin, user=world.outsider, role="boss")


def test_the_grant_page_refuses_a_self_grant_in_chinese(client, world):
    login_as(client, world.secadmin)
    response = client.post("/admin3/grants/", {"username": "secadmin", "role": "office", "org_code": "XS"})
    assert response.status_code == 200 and "不能给自己授予角色" in response.content.decode()
    assert roles_of(world.secadmin) == {"secadmin"}
    response = client.post("/admin3/grants/", {"username": "auditadmin", "role": "secadmin"})
    assert "只能担任系统管理员、安全管理员、审计管理员中的一个" in response.content.decode()
    assert roles_of(world.auditadmin) == {"auditadmin"}


def test_a_business_grant_is_recorded_and_the_audit_admin_sees_it(client, world):
    login_as(client, world.secadmin)
    client.post("/admin3/grants/", {"username": "outsider", "role": "office", "org_code": "XS-B"})
    event = DomainEvent.objects.get(verb="grant.create", actor=world.secadmin)
    assert event.after["business"] is True and event.after["org"] == "XS-B"
    assert event.summary == "授予 outsider 业务角色：办公室 中共B县委"
    client.logout()
    login_as(client, world.auditadmin)
    body = client.get("/admin3/audit/?verb=grant.").content.decode()
    assert "授予 outsider 业务角色：办公室 中共B县委" in body and "secadmin" in body

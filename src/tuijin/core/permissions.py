"""Who may change what. Actions call `require()`; pages call `can()` to show or hide buttons.

Reading is scope.py's business; this file is only about changes.
`actor=None` means the command line run by the server's operator, who may do everything.
"""
from typing import Any

from django.core.exceptions import PermissionDenied

# permission -> roles that may hold it over an org (within the grant's subtree)
ORG_PERMISSIONS = {
    "org.manage": {"office"},          # create, edit, move, merge orgs; edit people anywhere below
    "people.manage": {"office", "unit"},
    "campaign.manage": {"office"},
    "records.manage": {"office", "unit"},  # a unit's own records (study, problems, …)
}
ADMIN_PERMISSIONS = {
    "accounts.manage": "sysadmin",
    "grants.manage": "secadmin",
    "audit.read": "auditadmin",
}


def can(actor: Any, perm: str, org: Any = None) -> bool:
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if perm in ADMIN_PERMISSIONS:
        return actor.grants.filter(role=ADMIN_PERMISSIONS[perm]).exists()
    roles = ORG_PERMISSIONS.get(perm)
    if roles is None:
        raise ValueError(f"unknown permission {perm!r}")
    if org is None:
        return False
    for grant in actor.grants.filter(role__in=roles, org__isnull=False).select_related("org"):
        if org.path == grant.org.path:
            return True
        if org.path.startswith(grant.org.path) and (grant.role == "office" or grant.manage_subtree):
            return True
    return False


def require(actor: Any, perm: str, org: Any = None) -> None:
    if not can(actor, perm, org):
        raise PermissionDenied("没有权限执行此操作")

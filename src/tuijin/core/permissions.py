"""Who may change what. Actions call `require()`; pages call `can()` to show or hide buttons.

Reading is scope.py's business; this file is only about changes.
`actor=None` means the command line run by the server's operator, who may do everything.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied

# permission -> roles that may hold it over an org (within the grant's subtree)
ORG_PERMISSIONS = {
    "org.manage": {"office"},  # create, edit, move, merge orgs; edit people anywhere below
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


def checker(actor: Any, perm: str) -> Callable[[Any], bool]:
    """can(actor, perm, org) for many orgs (an import's), the actor's grants read once, not once per org."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not actor.is_active
        or perm in ADMIN_PERMISSIONS
    ):
        answer = can(actor, perm) if perm in ADMIN_PERMISSIONS else actor is None
        return lambda org: answer
    roles = ORG_PERMISSIONS.get(perm)
    if roles is None:
        raise ValueError(f"unknown permission {perm!r}")
    grants = [
        (g.org.path, g.role == "office" or g.manage_subtree)
        for g in actor.grants.filter(role__in=roles, org__isnull=False).select_related("org")
    ]

    def may(org: Any) -> bool:
        return org is not None and any(
            org.path == path or (below and org.path.startswith(path)) for path, below in grants
        )

    return may


def require(actor: Any, perm: str, org: Any = None) -> None:
    if not can(actor, perm, org):
        raise PermissionDenied("没有权限执行此操作")

"""Template context shared by every page: the user's roles and the navigation they may use."""
from typing import Any

from tuijin.core.navigation import unread
from tuijin.core.scope import is_member, scope_paths


def navigation(request: Any) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    grants = list(user.grants.all())
    roles = sorted({g.get_role_display() for g in grants})
    admin_roles = {g.role for g in grants} & {"sysadmin", "secadmin", "auditadmin"}
    return {
        "nav_admin": admin_roles,
        "nav_roles": roles,
        "nav_has_orgs": bool(scope_paths(user)),
        "nav_is_member": is_member(user),
        "nav_unread": unread(user),
    }

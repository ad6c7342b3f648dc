"""Template context shared by every page: the user's roles and the navigation they may use."""

from typing import Any

from tuijin.core.navigation import unread
from tuijin.core.readcache import kept
from tuijin.core.scope import is_member, scope_paths


def navigation(request: Any) -> dict[str, Any]:
    user: Any = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    # The user's roles, kept until the next recorded change (grants are recorded; core/readcache.py);
    # the unread reminders (written by the daily job without an event) are counted on every page.
    return {**kept("nav", lambda: _roles(user), getattr(user, "pk", None)), "nav_unread": unread(user)}


def _roles(user: Any) -> dict:
    grants = list(user.grants.all())
    return {
        "nav_admin": {g.role for g in grants} & {"sysadmin", "secadmin", "auditadmin"},
        "nav_roles": sorted({g.get_role_display() for g in grants}),
        "nav_has_orgs": bool(scope_paths(user)),
        "nav_is_member": is_member(user),
    }

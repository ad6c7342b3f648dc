"""Template context shared by every page: the user's roles and the navigation they may use."""
from tuijin.core.scope import is_member, scope_paths


def navigation(request):
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    roles = sorted({g.get_role_display() for g in user.grants.all()})
    return {
        "nav_roles": roles,
        "nav_has_orgs": bool(scope_paths(user)),
        "nav_is_member": is_member(user),
    }

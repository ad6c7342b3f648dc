"""The home page: what each role needs first."""
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tuijin.campaigns.queries import current_campaign, task_summary
from tuijin.core.calendar import today
from tuijin.core.navigation import home_panels
from tuijin.core.scope import is_member, scope_paths
from tuijin.orgs.models import Org
from tuijin.orgs.queries import subtree_counts


@login_required
def home(request):
    user = request.user
    as_of = today()
    roots = list(Org.objects.filter(path__in=scope_paths(user)).order_by("path"))
    grants = list(user.grants.select_related("org", "group"))
    anchor = roots[0] if roots else (user.person.org if user.person_id else None)
    campaign = current_campaign(anchor, as_of) if anchor else None
    context = {
        "as_of": as_of,
        "grants": grants,
        "campaign": campaign,
        "progress": campaign.progress(as_of) if campaign else None,
        "days_left": (campaign.end - as_of).days if campaign else None,
        "scopes": [(o, subtree_counts(o)) for o in roots],
        "tasks": task_summary(campaign, roots, as_of) if campaign and roots else [],
        "member_person": user.person if is_member(user) else None,
        "admin_only": not roots and not is_member(user),
        "panels": home_panels(user, as_of),
    }
    return render(request, "home.html", context)

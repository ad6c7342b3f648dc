"""The campaign page: calendar, reading list, deployed tasks and who has completed them."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from tuijin.core.calendar import today
from tuijin.core.pages import page_query
from tuijin.core.scope import scope_paths
from tuijin.orgs.models import Org

from . import rules
from .queries import current_campaign, task_summary


def _context(request):
    as_of = today()
    roots = list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path"))
    person = request.user.person
    anchor = roots[0] if roots else (person.org if person else None)
    campaign = current_campaign(anchor, as_of) if anchor else None
    if campaign is None:
        raise Http404("当前没有进行中的主题教育")
    return as_of, roots, campaign


@login_required
def overview(request):
    as_of, roots, campaign = _context(request)
    return render(
        request,
        "campaigns/overview.html",
        {
            "campaign": campaign,
            "as_of": as_of,
            "progress": campaign.progress(as_of),
            "reading": campaign.reading.prefetch_related("chapters"),
            "tasks": task_summary(campaign, roots, as_of) if roots else [],
        },
    )


@login_required
def task_detail(request, code):
    as_of, roots, campaign = _context(request)
    if not roots:
        raise Http404
    task = get_object_or_404(campaign.tasks, code=code)
    show = request.GET.get("show", "undone")
    rows = []
    for root in roots:
        orgs = list(rules.applicable_orgs(task, within=root).order_by("path"))
        result = rules.evaluate(task, orgs, as_of)
        rows += [(o, result[o.pk]) for o in orgs if show == "all" or not result[o.pk].done]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "campaigns/task.html",
        {
            "campaign": campaign,
            "task": task,
            "page": page,
            "show": show,
            "as_of": as_of,
            "per_cadre": task.rule.get("per") == "leading_cadre",
            "query": page_query(request),
        },
    )

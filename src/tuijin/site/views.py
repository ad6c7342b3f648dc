"""The home page: each role's work queue first (issue 11), then the campaign's figures.

- 办公室 / 指导组: what waits for me — problems 待验收 I may close, 回头看 due within 7 days or late,
  tasks falling due within 7 days.
- 单位 (a unit's reporter): the weekly actions, its open problems, what its upper level handed down.
- 党员: record self-study in one tap, my reading progress, my branch's latest and next sessions.
Every read goes through visible_to(); a handful of queries per page, never one per org.
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from tuijin.campaigns.queries import current_campaign
from tuijin.core import readcache
from tuijin.core.calendar import today
from tuijin.core.navigation import home_panels
from tuijin.core.scope import is_member, scope_paths, subtree_q
from tuijin.evaluation.counters import task_summary
from tuijin.evaluation.queries import newly_lagging, status_date
from tuijin.imports.queries import failed_imports
from tuijin.orgs.models import Org, Role, RoleGrant
from tuijin.orgs.queries import subtree_counts
from tuijin.rectification.models import ACTIVE_STATES, Problem, State
from tuijin.rectification.queries import rechecks_due
from tuijin.study.models import StudySession
from tuijin.study.queries import chapters_of, followup_items, person_followup, person_progress, subtree_followup

DUE_WITHIN = 7  # days: a task falling due this soon is on the queue


def _due_tasks(campaign, as_of: dt.date):
    if campaign is None:
        return []
    return list(
        campaign.tasks.filter(deadline__gte=as_of, deadline__lte=as_of + dt.timedelta(days=DUE_WITHIN)).order_by(
            "deadline", "code"
        )
    )


def _reviewed_q(reviewer_roots) -> Q:
    """Problems a reviewer reviews: below an office's own org (strictly_below), or a group's whole orgs."""
    q = Q()
    for root, strictly_below in reviewer_roots:
        below = subtree_q("org__path", root.path)
        q |= below & ~Q(org=root) if strictly_below else below
    return q


def _review_queue(user, roots, reviewer_roots) -> list[tuple[Org, int]]:
    """Problems 待验收 under each root the user reviews (an office reviews below its own org; a guidance
    group its assigned orgs too): one grouped count, not a query per root."""
    if not reviewer_roots:
        return []
    waiting = Problem.objects.visible_to(user).filter(state=State.SUBMITTED, withdrawn=False, is_hand_down=False)
    paths = list(waiting.filter(_reviewed_q(reviewer_roots)).values_list("org__path", flat=True))
    return [(root, sum(1 for p in paths if p.startswith(root.path))) for root, _ in reviewer_roots]


def _newly_lagging(reviewer_roots):
    """Units newly lagging (issue 11) under each root the user reviews: the root's active children, and
    the root itself for a guidance group (its assigned orgs are its units)."""
    if not reviewer_roots:
        return None
    units = [root for root, strictly_below in reviewer_roots if not strictly_below]
    parents = [root for root, _ in reviewer_roots]
    units += list(Org.objects.filter(parent__in=parents, active=True).order_by("path"))
    return newly_lagging(units, status_date())


def _recheck_queue(user, reviewer_roots, as_of) -> list[tuple[Org, int, int]]:
    """回头看 waiting for the reviewer under each root: (root, due within a week or late, already late)."""
    if not reviewer_roots:
        return []
    due = (
        Problem.objects.visible_to(user)
        .filter(_reviewed_q(reviewer_roots), state=State.CLOSED)
        .filter(pk__in=rechecks_due(as_of).values("problem_id"))
    )
    late = set(
        due.filter(pk__in=rechecks_due(as_of, overdue_only=True).values("problem_id")).values_list("pk", flat=True)
    )
    rows = list(due.values_list("pk", "org__path"))
    return [
        (
            root,
            sum(1 for _, p in rows if p.startswith(root.path)),
            sum(1 for pk, p in rows if p.startswith(root.path) and pk in late),
        )
        for root, _ in reviewer_roots
    ]


def _unit_queue(user, roots):
    """Open problems owned in the unit's subtree, and those its upper level handed down (上级交办)."""
    problems = Problem.objects.visible_to(user).filter(withdrawn=False, is_hand_down=False, state__in=ACTIVE_STATES)
    within = Q()
    for root in roots:
        within |= subtree_q("org__path", root.path)
    problems = problems.filter(within)
    counts = problems.aggregate(
        open=Count("pk", filter=~Q(state=State.SUBMITTED)), submitted=Count("pk", filter=Q(state=State.SUBMITTED))
    )
    handed = list(
        problems.filter(parent__isnull=False)
        .exclude(parent__org__path__in=[r.path for r in roots])
        .select_related("org", "parent__org")
        .order_by("deadline", "pk")[:10]
    )
    return counts, handed


def _member(user, as_of):
    person = user.person
    campaign = current_campaign(person.org, as_of)
    progress = person_progress(person, campaign, as_of) if campaign else None
    sessions = StudySession.objects.visible_to(user).filter(org=person.org, withdrawn=False)
    items = followup_items(campaign, as_of, state="open")
    studied = person_followup(person, items, as_of)
    return {
        # 跟进学习 items open now that the member has not studied yet, each with its one chapter to log
        "followup": [(i, i.chapters.all()[0]) for i in items if not studied[i.pk] and i.chapters.all()],
        "person": person,
        "progress": progress,
        "share": round(progress.share * 100) if progress and progress.share is not None else None,
        "next_chapter": progress.next_chapter() if progress else None,
        "has_chapters": bool(campaign and chapters_of(campaign)),
        "last_session": sessions.filter(date__lte=as_of).order_by("-date", "-id").first(),
        "next_session": sessions.filter(date__gt=as_of).order_by("date", "id").first(),
    }


@login_required
def home(request):
    """The body is kept until the next recorded change (core/readcache.py); the failed imports, which
    the import worker writes without an event, are read on every view."""
    body = readcache.page_body(request, "home")
    # 导入有错误: until dismissed or a later import succeeds
    context = {"readcache": body, "failed_imports": failed_imports(request.user)}
    if not body.hit:
        context.update(_home_context(request.user))
    return render(request, "home.html", context)


def _home_context(user) -> dict:
    as_of = today()
    roots = list(Org.objects.filter(path__in=scope_paths(user)).order_by("path"))
    grants = list(user.grants.select_related("org", "group"))
    roles = {g.role for g in grants}
    anchor = roots[0] if roots else (user.person.org if user.person_id else None)
    campaign = current_campaign(anchor, as_of) if anchor else None
    # Which roots the user reviews: an office strictly below its org, a guidance group its orgs as well.
    office_paths = {g.org.path for g in grants if g.role == Role.OFFICE and g.org_id}
    reviewer_roots = [
        (r, r.path in office_paths)
        for r in roots
        if Role.GUIDANCE in roles or any(r.path.startswith(p) for p in office_paths)
    ]
    reviewer = bool(reviewer_roots)
    unit_roots = [g.org for g in grants if g.role == Role.UNIT and g.org_id]
    context = {
        "as_of": as_of,
        "grants": grants,
        "campaign": campaign,
        "progress": campaign.progress(as_of) if campaign else None,
        "days_left": (campaign.end - as_of).days if campaign else None,
        "scopes": [(o, subtree_counts(o)) for o in roots],
        "tasks": task_summary(campaign, roots, as_of) if campaign and roots else [],
        "due_tasks": _due_tasks(campaign, as_of) if roots else [],
        "due_within": DUE_WITHIN,
        "reviewer": reviewer,
        "review_queue": _review_queue(user, roots, reviewer_roots),
        "lagging": _newly_lagging(reviewer_roots),
        "recheck_queue": _recheck_queue(user, reviewer_roots, as_of),
        "unit_roots": unit_roots,
        "member": _member(user, as_of) if is_member(user) and user.person_id else None,
        "admin_only": not roots and not is_member(user),
        "panels": home_panels(user, as_of),
    }
    group_ids = [g.group_id for g in grants if g.role == Role.GUIDANCE and g.group_id]
    if group_ids:  # a guidance group's members, so a member knows who else is on the group
        context["group_members"] = sorted(
            {
                g.user.display_name
                for g in RoleGrant.objects.filter(group_id__in=group_ids, role=Role.GUIDANCE).select_related(
                    "user__person"
                )
            }
        )
    if unit_roots:
        context["unit_counts"], context["handed_down"] = _unit_queue(user, unit_roots)
        # 跟进学习 (第一议题) open now, with how far the unit's subtree has got against the item's window
        context["followup"] = [
            (i, subtree_followup(unit_roots[0], i, as_of)) for i in followup_items(campaign, as_of, state="open")
        ]
    return context

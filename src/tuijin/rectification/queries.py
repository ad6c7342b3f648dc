"""Reads of the problem list: filtered ledgers, hand-down progress and the 满意清单."""

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet

from tuijin.campaigns.models import Campaign
from tuijin.core.scope import subtree_q, subtrees_q
from tuijin.orgs.models import Org, Person
from .models import ACTIVE_STATES, Problem, PublicItem, Recheck, State

RECHECK_DUE_WITHIN = 7  # days: a 回头看 falling due this soon is on the reviewer's queue


def rechecks_due(as_of: dt.date, *, overdue_only: bool = False) -> QuerySet[Recheck]:
    """Pending 回头看 that are past due (overdue_only) or fall due within RECHECK_DUE_WITHIN days."""
    until = as_of - dt.timedelta(days=1) if overdue_only else as_of + dt.timedelta(days=RECHECK_DUE_WITHIN)
    return Recheck.objects.filter(result=Recheck.Result.PENDING, due_on__lte=until)


def problem_list(
    user: Any,
    org: Any,
    *,
    as_of: dt.date,
    state: str = "",
    source: str = "",
    category: str = "",
    overdue: bool = False,
    include_withdrawn: bool = False,
    q: str = "",
    sub_org: Org | None = None,
    recheck: str = "",
    cadre: Person | None = None,
) -> QuerySet[Problem]:
    roots = org if isinstance(org, (list, tuple)) else [org]  # several roots: one list across them
    qs = Problem.objects.visible_to(user).filter(
        subtrees_q(
            Problem, ("org__path", "origin_org__path"), [root.path for root in roots], extra=Problem.scope_extra_q
        )
    )  # 联合会诊: the problems it rectifies with a lead org
    if sub_org is not None:
        qs = qs.filter(subtree_q("org__path", sub_org.path))
    if not include_withdrawn:
        qs = qs.filter(withdrawn=False)
    if cadre is not None:  # 领导干部个人检视: one cadre's own problems
        qs = qs.filter(owner_person=cadre)
    if state:
        qs = qs.filter(state=state)
    if source:
        qs = qs.filter(source=source)
    if category:
        qs = qs.filter(category=category)
    if overdue:
        qs = qs.filter(state__in=ACTIVE_STATES, deadline__lt=as_of, withdrawn=False)
    if q:
        qs = qs.filter(Q(description__contains=q) | Q(number__iexact=q))
    if recheck in ("due", "overdue"):  # 回头看 waiting (due within a week, or already late)
        qs = qs.filter(pk__in=rechecks_due(as_of, overdue_only=recheck == "overdue").values("problem_id"))
    return qs.select_related("org", "origin_org", "owner_person").order_by("org__path", "number")


def org_cadres(user: Any, org: Org) -> QuerySet[Person]:
    """The leading cadres of `org` and the units under it that `user` can see (个人检视 owners)."""
    return (
        Person.objects.visible_to(user)
        .filter(subtree_q("org__path", org.path), is_leading_cadre=True)
        .select_related("org")
        .order_by("org__path", "number")
    )


def cadre_counts(problems: QuerySet[Problem]) -> list[dict]:
    """领导干部个人检视问题: per cadre owning at least one of `problems` (not withdrawn), how many and how many
    closed, as {person, total, closed}, in org then number order."""
    rows = (
        problems.filter(owner_person__isnull=False, withdrawn=False)
        .order_by()
        .values("owner_person")
        .annotate(total=Count("pk"), closed=Count("pk", filter=Q(state=State.CLOSED)))
    )
    counts = {r["owner_person"]: r for r in rows}
    people = Person.objects.filter(pk__in=counts).select_related("org").order_by("org__path", "number")
    return [{"person": p, "total": counts[p.pk]["total"], "closed": counts[p.pk]["closed"]} for p in people]


def state_counts(qs: QuerySet[Problem]) -> dict[str, int]:
    rows = qs.order_by().values("state").annotate(n=Count("pk"))
    counts = {s.value: 0 for s in State}
    counts.update({r["state"]: r["n"] for r in rows})
    return counts


def children_progress(parent: Problem) -> dict:
    """A handed-down problem's roll-up: its children by state, and how many are closed."""
    children = parent.children.filter(withdrawn=False)
    counts = state_counts(children)
    total = sum(counts.values())
    return {
        "total": total,
        "closed": counts[State.CLOSED],
        "by_state": counts,
        "share": counts[State.CLOSED] / total if total else None,
    }


def satisfaction_list(user: Any, org: Org, campaign: Campaign | None) -> list[PublicItem]:
    """满意清单: published items whose satisfaction meets the campaign's threshold with enough votes."""
    threshold = campaign.satisfaction_threshold if campaign else 0.9
    min_votes = campaign.satisfaction_min_votes if campaign else 10
    items = (
        PublicItem.objects.visible_to(user)
        .filter(
            subtree_q("problem__org__path", org.path) | subtree_q("subject_org__path", org.path), votes__gte=min_votes
        )
        .select_related("problem", "problem__org", "subject_org")
    )
    return [i for i in items if i.satisfaction is not None and i.satisfaction >= threshold]


def in_satisfaction_list(item: PublicItem, campaign: Campaign | None) -> bool:
    threshold = campaign.satisfaction_threshold if campaign else 0.9
    min_votes = campaign.satisfaction_min_votes if campaign else 10
    return item.votes >= min_votes and (item.satisfaction or 0) >= threshold

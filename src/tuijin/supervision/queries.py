"""Reads for supervision pages and the API: an org visible to a business scope, the units a user
supervises ranked by lag, and what the receiving unit may see of letters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from tuijin.core.scope import in_business_scope
from tuijin.orgs.models import Org

from .escalation import suggest
from .letters import letter_findings
from .models import LetterState, ReminderLetter


def business_org(user: Any, code: str) -> Org:
    org = Org.objects.visible_to(user).filter(code=code).first()
    if org is None or not in_business_scope(user, org):
        raise Http404
    return org


def letters_for(user: Any, org: Org | None = None) -> QuerySet[Any]:
    """Letters the user sees: in scope, and drafts only for those who may send them."""
    from .actions import can_supervise

    qs = ReminderLetter.objects.visible_to(user).select_related("org", "group")
    if org is not None:
        qs = qs.filter(org=org)
    drafts = [x.pk for x in qs.filter(state=LetterState.DRAFT) if can_supervise(user, x.org)]
    return qs.filter(~Q(state=LetterState.DRAFT) | Q(pk__in=drafts))


def supervised_units(user: Any) -> list[Org]:
    """The orgs a user supervises as units: a group's assigned orgs, or the units directly below an
    office's org."""
    grants = list(user.grants.filter(role__in=["guidance", "office"]).select_related("org", "group"))
    units: dict[int, Org] = {}
    for g in grants:
        orgs = (
            g.group.orgs.filter(active=True) if g.role == "guidance" else Org.objects.filter(parent=g.org, active=True)
        )
        for o in orgs:
            units[o.pk] = o
    return sorted(units.values(), key=lambda o: o.path)


def ranked(units: list[Org], as_of: dt.date) -> list[dict]:
    """Each unit with its short boards, open letters and suggested next step, worst first."""
    rows: list[dict[str, Any]] = []
    for org in units:
        found = letter_findings(org, as_of)
        findings = [f for f in found if f.status != "待清零"]
        s = suggest(org, as_of, found)
        open_letters = list(
            ReminderLetter.objects.filter(org=org, state__in=[LetterState.SENT, LetterState.ANSWERED]).order_by(
                "feedback_due"
            )
        )
        rows.append(
            {
                "org": org,
                "findings": findings,
                "suggestion": s,
                "letters": open_letters,
                "severe": sum(f.status == "严重滞后" for f in findings),
                "score": sum(f.severity for f in findings),
            }
        )
    rows.sort(key=lambda r: (-r["severe"], -r["score"], r["org"].path))
    return rows


def groups_for(user: Any) -> QuerySet[Any]:
    """Guidance groups a user may look at: its own, and those with an assigned org in its office scope."""
    from tuijin.orgs.models import GuidanceGroup

    own = set(user.grants.filter(role="guidance").values_list("group_id", flat=True))
    offices = [g.org for g in user.grants.filter(role="office").select_related("org")]
    ids = set(own)
    for group in GuidanceGroup.objects.prefetch_related("orgs"):
        if any(o.path.startswith(office.path) for o in group.orgs.all() for office in offices):
            ids.add(group.pk)
    return GuidanceGroup.objects.filter(pk__in=ids).order_by("code")

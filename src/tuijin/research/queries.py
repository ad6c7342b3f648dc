"""Reads of research visits and practical projects: filtered lists with their counts, and the summary
figures the list pages show. Every read starts from visible_to(), so scope is never re-implemented."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from tuijin.core.scope import subtree_q, subtrees_q
from tuijin.orgs.models import Org, Person
from tuijin.rectification.models import State

from .models import Finding, Project, ProjectStatus, ResearchVisit

CONVERTED = Q(converted_problem__isnull=False) | Q(converted_measure__isnull=False)


def _converted_findings() -> QuerySet[Finding]:
    return Finding.objects.filter(CONVERTED)


def visit_list(
    user: Any, org: Any, *, converted: str = "", person: Person | None = None, q: str = "", sub_org: Org | None = None
) -> QuerySet[ResearchVisit]:
    """Visits recorded in org's subtree. converted: "1" visits with a converted finding, "0" visits
    with a finding not yet converted, "" all. `org` may be a list of roots (全部: one list across them)."""
    roots = org if isinstance(org, (list, tuple)) else [org]
    qs = ResearchVisit.objects.visible_to(user).filter(subtrees_q(ResearchVisit, "org__path", [r.path for r in roots]))
    if sub_org is not None:
        qs = qs.filter(subtree_q("org__path", sub_org.path))
    if person is not None:
        qs = qs.filter(person=person)
    if q:
        qs = qs.filter(Q(topic__contains=q) | Q(place__contains=q) | Q(person__name__contains=q))
    if converted == "1":
        qs = qs.filter(Exists(_converted_findings().filter(visit=OuterRef("pk"))))
    elif converted == "0":
        qs = qs.filter(Exists(Finding.objects.filter(visit=OuterRef("pk")).exclude(CONVERTED)))
    return with_finding_counts(qs.select_related("person", "org", "visited_org")).order_by("-date", "-id")


def with_finding_counts(qs: QuerySet[ResearchVisit]) -> QuerySet[ResearchVisit]:
    """findings_total and findings_converted on each visit."""
    converted = Q(findings__converted_problem__isnull=False) | Q(findings__converted_measure__isnull=False)
    return qs.annotate(
        findings_total=Count("findings", distinct=True),
        findings_converted=Count("findings", filter=converted, distinct=True),
    )


@dataclass
class ResearchSummary:
    cadres: int
    cadres_visited: int
    cadre_visits: int
    visits: int
    findings: int
    converted: int

    @property
    def per_cadre(self) -> float | None:
        return self.cadre_visits / self.cadres if self.cadres else None

    @property
    def converted_share(self) -> float | None:
        return self.converted / self.findings if self.findings else None


def research_summary(user: Any, org: Org, as_of: dt.date) -> ResearchSummary:
    """Figures over org's subtree as the user sees it, counted as the indicators count them."""
    cadres = Person.objects.visible_to(user).filter(
        subtree_q("org__path", org.path), is_leading_cadre=True, active=True
    )
    visits = ResearchVisit.objects.visible_to(user).filter(subtree_q("org__path", org.path), date__lte=as_of)
    cadre_visits = ResearchVisit.objects.visible_to(user).filter(person__in=cadres, date__lte=as_of)
    findings = Finding.objects.filter(visit__in=visits)
    return ResearchSummary(
        cadres=cadres.count(),
        cadres_visited=cadre_visits.values("person").distinct().count(),
        cadre_visits=cadre_visits.count(),
        visits=visits.count(),
        findings=findings.count(),
        converted=findings.filter(CONVERTED, converted_on__lte=as_of).count(),
    )


def cadres_without_visits(user: Any, org: Org, as_of: dt.date, limit: int = 50) -> QuerySet[Person]:
    """Leading cadres in the subtree with no visit up to as_of (有的领导干部调研次数偏少)."""
    visited = ResearchVisit.objects.filter(person=OuterRef("pk"), date__lte=as_of)
    return (
        Person.objects.visible_to(user)
        .filter(subtree_q("org__path", org.path), is_leading_cadre=True, active=True)
        .exclude(Exists(visited))
        .select_related("org")
        .order_by("org__path", "number")[:limit]
    )


def problems_for_conversion(user: Any, orgs: Iterable[Org | None], limit: int = 200) -> QuerySet[Any]:
    """Open problems a finding may become a measure of: visible, current, not closed, in these orgs' subtrees."""
    from tuijin.rectification.models import Problem

    q = Q(pk__in=[])
    for org in orgs:
        if org is not None:
            q |= subtree_q("org__path", org.path)
    return (
        Problem.objects.visible_to(user)
        .filter(q, withdrawn=False)
        .exclude(state=State.CLOSED)
        .select_related("org")
        .order_by("org__path", "number")[:limit]
    )


def project_list(
    user: Any,
    org: Org,
    *,
    flagged: str = "",
    status: str = "",
    category: str = "",
    q: str = "",
    sub_org: Org | None = None,
    annotate: bool = True,
) -> QuerySet[Project]:
    qs = Project.objects.visible_to(user).filter(subtree_q("org__path", org.path))
    if sub_org is not None:
        qs = qs.filter(subtree_q("org__path", sub_org.path))
    if flagged == "1":
        qs = qs.filter(flagged=True)
    elif flagged == "0":
        qs = qs.filter(flagged=False)
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(need_category=category)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(need__contains=q))
    if not annotate:
        return qs
    return qs.select_related("org").annotate(evidence_count=Count("evidence")).order_by("org__path", "name")


def project_counts(qs: QuerySet[Project]) -> dict:
    """Totals of a project list (built with annotate=False), for the filter pills."""
    row = qs.order_by().aggregate(
        total=Count("pk"),
        flagged=Count("pk", filter=Q(flagged=True)),
        done=Count("pk", filter=Q(status=ProjectStatus.DONE)),
        doing=Count("pk", filter=Q(status=ProjectStatus.IN_PROGRESS)),
        todo=Count("pk", filter=Q(status=ProjectStatus.NOT_STARTED)),
    )
    return row

"""Reads over the org tree that are more than one filter: rolled-up counts, search."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from tuijin.core.scope import scope_paths, subtree_q

from .models import Org, OrgKind, Person
from .tree import ancestor_paths


@dataclass
class Counts:
    orgs: int = 0
    branches: int = 0
    people: int = 0
    members: int = 0


def subtree_counts(org: Org) -> Counts:
    """Counts over the org's whole subtree, the org itself included."""
    orgs = Org.objects.filter(subtree_q("path", org.path), active=True).aggregate(
        n=Count("pk"), b=Count("pk", filter=Q(kind=OrgKind.BRANCH))
    )
    people = Person.objects.filter(subtree_q("org__path", org.path), active=True).aggregate(
        n=Count("pk"), m=Count("pk", filter=Q(status__in=["正式党员", "预备党员"]))
    )
    return Counts(orgs["n"], orgs["b"], people["n"], people["m"])


def children_with_counts(org: Org, children: Iterable[Org] | None = None) -> list[tuple[Org, Counts]]:
    """Each child with counts over its own subtree, in two grouped queries whatever the tree's size."""
    children = list(children if children is not None else Org.objects.filter(parent=org, active=True))
    if not children:
        return []
    width = org.steplen * (org.depth + 1)
    counts = {c.path: Counts() for c in children}
    org_rows = (
        Org.objects.filter(subtree_q("path", org.path), depth__gt=org.depth, active=True)
        .annotate(prefix=Substr("path", 1, width))
        .order_by()
        .values("prefix")
        .annotate(n=Count("pk"), b=Count("pk", filter=Q(kind=OrgKind.BRANCH)))
    )
    for row in org_rows:
        if row["prefix"] in counts:
            counts[row["prefix"]].orgs = row["n"]
            counts[row["prefix"]].branches = row["b"]
    people_rows = (
        Person.objects.filter(subtree_q("org__path", org.path), org__depth__gt=org.depth, active=True)
        .annotate(prefix=Substr("org__path", 1, width))
        .order_by()
        .values("prefix")
        .annotate(n=Count("pk"), m=Count("pk", filter=Q(status__in=["正式党员", "预备党员"])))
    )
    for row in people_rows:
        if row["prefix"] in counts:
            counts[row["prefix"]].people = row["n"]
            counts[row["prefix"]].members = row["m"]
    return [(c, counts[c.path]) for c in children]


def search_orgs(user: Any, text: str) -> QuerySet[Org]:
    text = text.strip()
    return Org.objects.visible_to(user).filter(Q(name__contains=text) | Q(code__iexact=text)).order_by("path")


def search_people(user: Any, text: str) -> QuerySet[Person]:
    text = text.strip()
    # Soft-deleted people are kept for history but are not found by search.
    return (
        Person.objects.visible_to(user)
        .filter(active=True)
        .filter(Q(name__contains=text) | Q(number__iexact=text))
        .select_related("org")
        .order_by("org__path", "number")
    )


def visible_ancestors(user: Any, org: Org) -> list[Org]:
    """The breadcrumb: ancestors the user may see, root first (a county office sees no city above its county)."""
    visible = scope_paths(user)
    chain = Org.objects.filter(path__in=ancestor_paths(org)).order_by("depth")
    return [a for a in chain if any(a.path.startswith(p) for p in visible)]

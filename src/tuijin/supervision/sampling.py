"""Random samples of an org's records for checking on site (随机抽查, SPEC §2.9).

A sample is drawn from the population as of a date — the ids of the kind's records in the org's
subtree, in id order — with Python's random.Random seeded by the recorded seed. The same seed, size,
kind and date give the same records, so anyone can redraw it to check it was not picked by hand.
"""

from __future__ import annotations

import datetime as dt
import random

from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org


def population_qs(org: Org, kind: str, as_of: dt.date):
    from tuijin.rectification.models import Problem, State
    from tuijin.research.models import Project, ProjectStatus
    from tuijin.study.models import StudySession

    if kind == "study_session":
        return StudySession.objects.filter(subtree_q("org__path", org.path), withdrawn=False, date__lte=as_of)
    if kind == "problem_closed":
        return Problem.objects.filter(
            subtree_q("org__path", org.path),
            withdrawn=False,
            is_hand_down=False,
            state=State.CLOSED,
            closed_on__lte=as_of,
        )
    if kind == "project_done":
        return Project.objects.filter(
            subtree_q("org__path", org.path), status=ProjectStatus.DONE, completed_on__lte=as_of
        )
    raise ValueError(kind)


def population(org: Org, kind: str, as_of: dt.date) -> list[int]:
    return list(population_qs(org, kind, as_of).order_by("pk").values_list("pk", flat=True))


def draw(ids: list[int], seed: str, size: int) -> list[int]:
    """`size` ids out of `ids` (sorted), determined by `seed` alone."""
    ids = sorted(ids)
    return sorted(random.Random(seed).sample(ids, min(size, len(ids))))


def describe(kind: str, ids: list[int]) -> dict[int, str]:
    """A line for a clerk about each drawn record: what to ask to see on site."""
    from tuijin.rectification.models import Problem
    from tuijin.research.models import Project
    from tuijin.study.models import StudySession

    if kind == "study_session":
        return {
            s.pk: f"{s.date} {s.org.name} {s.form}：{s.topic}"
            for s in StudySession.objects.filter(pk__in=ids).select_related("org")
        }
    if kind == "problem_closed":
        return {
            p.pk: f"{p.org.name} 问题 {p.number}：{p.description[:40]}（{p.closed_on} 销号）"
            for p in Problem.objects.filter(pk__in=ids).select_related("org")
        }
    return {
        p.pk: f"{p.org.name} 实事项目：{p.name}（{p.completed_on} 完成）"
        for p in Project.objects.filter(pk__in=ids).select_related("org")
    }


def untrue(kind: str, as_of: dt.date) -> list[int]:
    """Records of `kind` found 不属实 by `as_of` and not corrected by then: they do not count
    (registered in core.exclusions)."""
    from django.db.models import Q

    from .models import SampleCheck

    return list(
        SampleCheck.objects.filter(sample__kind=kind, result="不属实", checked_on__lte=as_of)
        .filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=as_of))
        .values_list("record_id", flat=True)
    )


def record_org(kind: str, record_id: int):
    """The org a drawn record belongs to (its counters change when the record stops or starts counting)."""
    from tuijin.rectification.models import Problem
    from tuijin.research.models import Project
    from tuijin.study.models import StudySession

    model = {"study_session": StudySession, "problem_closed": Problem, "project_done": Project}[kind]
    org_id = model._default_manager.filter(pk=record_id).values_list("org_id", flat=True).first()
    return Org.objects.filter(pk=org_id).first() if org_id else None

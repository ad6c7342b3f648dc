"""调查研究 and 办实事 indicators (SPEC §2.8). Each is an additive pair per org over the org's own
records, so a subtree's value is the sum of its orgs' pairs (core.indicators.roll_up).

- visits per leading cadre: visits made by the org's current leading cadres / those cadres, the
  same people the task rule `per = "leading_cadre"` counts; expected 2 × time progress (the
  speech's standard of ≥2 调研 per leading cadre over the campaign);
- share of findings converted into problems or measures (成果转化), expected to keep pace with time;
- practical projects per org (every active org counts once in the denominator), no expectation;
- share of projects flagged 疑似泛化, expected 0; share completed, expected to keep pace with time.
"""

from django.db.models import Count, Q

from tuijin.core.indicators import HIGHER, ZERO, Indicator, Pair, register
from tuijin.orgs.models import Person

from . import detectors  # noqa: F401  (registers this module's detectors; they read indicators by code)
from .models import Finding, Project, ProjectStatus, ResearchVisit

VISITS_PER_CADRE_TARGET = 2


def _ids(orgs):
    return [o.pk for o in orgs]


def _grouped(qs, field, **aggregates):
    return {row[field]: row for row in qs.order_by().values(field).annotate(**aggregates)}


def _ratios(orgs, rows, num, den):
    """A ratio pair for every org; Pair(0, 0) where there is nothing to measure, so its value is None
    (shown as —), not a 0 that would read as 严重滞后."""
    return {o.pk: Pair(rows[o.pk][num], rows[o.pk][den]) if o.pk in rows else Pair(0, 0) for o in orgs}


def visits_per_cadre(orgs, as_of, campaign):
    cadres = Person.objects.filter(org__in=_ids(orgs), is_leading_cadre=True, active=True)
    rows = _grouped(cadres, "org_id", cadres=Count("pk"))
    visits = _grouped(ResearchVisit.objects.filter(person__in=cadres, date__lte=as_of), "person__org_id", n=Count("pk"))
    for org_id, row in rows.items():
        row["visits"] = visits.get(org_id, {"n": 0})["n"]
    return _ratios(orgs, rows, "visits", "cadres")


def findings_converted(orgs, as_of, campaign):
    rows = _grouped(
        Finding.objects.filter(visit__org__in=_ids(orgs), visit__date__lte=as_of),
        "visit__org_id",
        n=Count("pk"),
        done=Count(
            "pk",
            filter=Q(converted_on__lte=as_of)
            & (Q(converted_problem__isnull=False) | Q(converted_measure__isnull=False)),
        ),
    )
    return _ratios(orgs, rows, "done", "n")


def _projects(orgs, as_of):
    return Project.objects.filter(org__in=_ids(orgs), listed_on__lte=as_of)


def projects_per_org(orgs, as_of, campaign):
    rows = _grouped(_projects(orgs, as_of), "org_id", n=Count("pk"))
    return {o.pk: Pair(rows.get(o.pk, {"n": 0})["n"], 1) for o in orgs if o.active}


def flagged_share(orgs, as_of, campaign):
    rows = _grouped(_projects(orgs, as_of), "org_id", n=Count("pk"), flagged=Count("pk", filter=Q(flagged=True)))
    return _ratios(orgs, rows, "flagged", "n")


def completed_share(orgs, as_of, campaign):
    from tuijin.core.exclusions import excluded

    untrue = excluded("project_done", as_of)  # finished, but found 不属实 on a random check
    rows = _grouped(
        _projects(orgs, as_of),
        "org_id",
        n=Count("pk"),
        done=Count("pk", filter=Q(status=ProjectStatus.DONE, completed_on__lte=as_of) & ~Q(pk__in=untrue)),
    )
    return _ratios(orgs, rows, "done", "n")


for code, name, dimension, unit, fn, expected, meaning, follows_time, description in [
    (
        "research.visits_per_cadre",
        "领导干部人均调研次数",
        "调查研究",
        "次",
        visits_per_cadre,
        lambda p: VISITS_PER_CADRE_TARGET * p,
        HIGHER,
        True,
        "领导干部开展调研的次数除以领导干部人数；按每人至少调研 2 次、与时间进度比较",
    ),
    (
        "research.findings_converted",
        "调研成果转化率",
        "调查研究",
        "%",
        findings_converted,
        lambda p: p,
        HIGHER,
        True,
        "调研发现的问题中，已转化为问题清单中的问题或整改措施的比例，与时间进度比较",
    ),
    (
        "projects.per_org",
        "平均每个组织办实事项目数",
        "办实事",
        "个",
        projects_per_org,
        None,
        HIGHER,
        False,
        "列入办实事项目清单的项目数除以组织数（不设指标值，不作比较）",
    ),
    (
        "projects.flagged_share",
        "疑似泛化项目占比",
        "办实事",
        "%",
        flagged_share,
        None,
        ZERO,
        False,
        "办实事项目中，读起来像日常工作或未写明群众需求、受益人数的项目比例；应为零",
    ),
    (
        "projects.completed_share",
        "办实事项目完成率",
        "办实事",
        "%",
        completed_share,
        lambda p: p,
        HIGHER,
        True,
        "已完成（有佐证材料）的办实事项目占全部项目的比例，与时间进度比较",
    ),
]:
    register(
        Indicator(
            code=code,
            name=name,
            dimension=dimension,
            unit=unit,
            compute=fn,
            expected=expected,
            meaning=meaning,
            follows_time=follows_time,
            description=description,
        )
    )

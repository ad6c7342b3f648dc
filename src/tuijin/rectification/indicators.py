"""检视整改 indicators (SPEC §2.8): each an additive pair per org over its own problems."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from tuijin.core.indicators import HIGHER, LOWER, NEUTRAL, ZERO, Indicator, Pair, register
from tuijin.core.phrases import formal_rectification, vague_measure

from . import detectors  # noqa: F401  (registers this module's detectors; they read indicators by code)
from .models import (
    ACTIVE_STATES,
    Evidence,
    InstitutionRule,
    Measure,
    MeasureKind,
    Problem,
    PublicItem,
    Recheck,
    SelfCheck,
    State,
)

# 立足自身主动改: the sources (models.SOURCES) by which a problem was found *for* the unit, not by it.
FOUND_BY_OTHERS = ["上级查", "群众评", "上级交办"]


def _per_org(qs, field="org_id", **aggregates):
    return {row[field]: row for row in qs.order_by().values(field).annotate(**aggregates)}


def _problems(orgs, as_of):
    return Problem.objects.filter(
        org__in=[o.pk for o in orgs], withdrawn=False, is_hand_down=False, found_on__lte=as_of
    )


def problems_found(orgs, as_of, campaign):
    rows = _per_org(_problems(orgs, as_of), n=Count("pk"))
    return {k: Pair(v["n"]) for k, v in rows.items()}


def rectified_share(orgs, as_of, campaign):
    from tuijin.core.exclusions import excluded

    untrue = excluded("problem_closed", as_of)  # closed, but found 不属实 on a random check
    rows = _per_org(
        _problems(orgs, as_of),
        n=Count("pk"),
        done=Count("pk", filter=Q(state=State.CLOSED, closed_on__lte=as_of) & ~Q(pk__in=untrue)),
    )
    return {k: Pair(v["done"], v["n"]) for k, v in rows.items()}


def overdue_count(orgs, as_of, campaign):
    rows = _per_org(_problems(orgs, as_of).filter(state__in=ACTIVE_STATES, deadline__lt=as_of), n=Count("pk"))
    return {k: Pair(v["n"]) for k, v in rows.items()}


def evidence_share(orgs, as_of, campaign):
    from tuijin.core.exclusions import excluded

    # closed and not found 不属实 on a random check (one that was does not count as closed)
    closed = _problems(orgs, as_of).filter(state=State.CLOSED).exclude(pk__in=excluded("problem_closed", as_of))
    with_evidence = closed.filter(evidence__kind=Evidence.Kind.SUPPORT).distinct()
    total = _per_org(closed, n=Count("pk"))
    have = _per_org(Problem.objects.filter(pk__in=with_evidence.values("pk")), n=Count("pk"))
    return {k: Pair(have.get(k, {"n": 0})["n"], v["n"]) for k, v in total.items()}


def measures_per_problem(orgs, as_of, campaign):
    problems = _per_org(_problems(orgs, as_of), n=Count("pk"))
    measures = _per_org(
        Measure.objects.filter(problem__in=_problems(orgs, as_of)), field="problem__org_id", n=Count("pk")
    )
    return {k: Pair(measures.get(k, {"n": 0})["n"], v["n"]) for k, v in problems.items()}


def measure_specificity(orgs, as_of, campaign):
    """Specific: names an owner and a deadline, and says more than "加强/提高/进一步…" (core.phrases).
    The texts of measures that have both are read once and checked in Python."""
    measures = Measure.objects.filter(problem__in=_problems(orgs, as_of))
    rows = _per_org(measures, field="problem__org_id", n=Count("pk"))
    out = {k: Pair(0, v["n"]) for k, v in rows.items()}
    for org_id, text in measures.filter(~Q(owner=""), deadline__isnull=False).values_list("problem__org_id", "text"):
        if not vague_measure(text):
            out[org_id] = Pair(out[org_id].num + 1, out[org_id].den)
    return out


def formal_only_share(orgs, as_of, campaign):
    """就整改抓整改: problems whose every measure is only a meeting, study or "制定方案" (core.phrases)
    / problems with measures. The measure texts are read once and judged in Python."""
    texts = defaultdict(list)
    org_of = {}
    for problem_id, org_id, text in Measure.objects.filter(problem__in=_problems(orgs, as_of)).values_list(
        "problem_id", "problem__org_id", "text"
    ):
        texts[problem_id].append(text)
        org_of[problem_id] = org_id
    out: dict[int, Pair] = {}
    for problem_id, measure_texts in texts.items():
        org_id = org_of[problem_id]
        out[org_id] = out.get(org_id, Pair(0, 0)) + Pair(1 if formal_rectification(measure_texts) else 0, 1)
    return out


def not_started_count(orgs, as_of, campaign):
    """逾期未启动: past the deadline and still 待整改 — nothing has been done at all."""
    rows = _per_org(_problems(orgs, as_of).filter(state=State.OPEN, deadline__lt=as_of), n=Count("pk"))
    return {k: Pair(v["n"]) for k, v in rows.items()}


def relapse_count(orgs, as_of, campaign):
    out = defaultdict(int)
    for org_id, relapses in _problems(orgs, as_of).filter(relapses__gt=0).values_list("org_id", "relapses"):
        out[org_id] += relapses
    return {k: Pair(v) for k, v in out.items()}


def self_found_share(orgs, as_of, campaign):
    """立足自身主动改: problems the org found itself (集体查、个人纠、本级督、下级提、调研发现) / problems.
    Found for it: 上级查、群众评、上级交办 (FOUND_BY_OTHERS)."""
    rows = _per_org(_problems(orgs, as_of), n=Count("pk"), others=Count("pk", filter=Q(source__in=FOUND_BY_OTHERS)))
    return {k: Pair(v["n"] - v["others"], v["n"]) for k, v in rows.items()}


LATE_PART = 0.25  # 边学边改: the last quarter of the campaign's elapsed time is its "late" phase


def late_cutoff(campaign, as_of) -> dt.date | None:
    """The first day of the late phase: the last LATE_PART of the days from the campaign's start to as_of."""
    if campaign is None or as_of < campaign.start:
        return None
    elapsed = (as_of - campaign.start).days
    return campaign.start + dt.timedelta(days=int(elapsed * (1 - LATE_PART)))


def found_late_share(orgs, as_of, campaign):
    """边学边改: problems found in the late phase (late_cutoff … as_of) / problems found in the campaign."""
    cutoff = late_cutoff(campaign, as_of)
    if cutoff is None:
        return {}
    rows = _per_org(
        _problems(orgs, as_of).filter(found_on__gte=campaign.start),
        n=Count("pk"),
        late=Count("pk", filter=Q(found_on__gte=cutoff)),
    )
    return {k: Pair(v["late"], v["n"]) for k, v in rows.items()}


# 当下改与长久立: the same problem (the same description) recorded in at least this many units recurs.
# Not the category: a campaign's eight categories are each found in many units, which would make every
# closed problem "recurring".
RECUR_UNITS = 2


def recurring_descriptions(campaign, as_of) -> set[str]:
    """Problem descriptions recorded (by as_of) in RECUR_UNITS or more different units of the campaign's
    tree: the same problem found in several units (同样的问题多个单位都有)."""
    from tuijin.core.scope import subtree_q

    problems = Problem.objects.filter(withdrawn=False, is_hand_down=False, found_on__lte=as_of)
    if campaign is not None:
        problems = problems.filter(subtree_q("org__path", campaign.root.path))
    rows = (
        problems.order_by()
        .values("description")
        .annotate(units=Count("org_id", distinct=True))
        .filter(units__gte=RECUR_UNITS)
    )
    return {r["description"] for r in rows}


def lasting_rule_missing(orgs, as_of, campaign):
    """当下改与长久立: closed problems of a recurring kind — reopened at least once (relapses), or the
    same problem recorded in RECUR_UNITS or more units — that have neither a 建章立制 measure (not set aside)
    nor a linked 建章立制 rule (InstitutionRule) / closed problems of a recurring kind."""
    recurring = Q(relapses__gt=0) | Q(description__in=recurring_descriptions(campaign, as_of))
    closed = _problems(orgs, as_of).filter(recurring, state=State.CLOSED, closed_on__lte=as_of)
    ruled = Q(pk__in=Measure.objects.filter(kind=MeasureKind.RULE, set_aside=False).values("problem_id")) | Q(
        pk__in=InstitutionRule.problems.through.objects.filter(institutionrule__issued_on__lte=as_of).values(
            "problem_id"
        )
    )
    rows = _per_org(closed, n=Count("pk"), bare=Count("pk", filter=~ruled))
    return {k: Pair(v["bare"], v["n"]) for k, v in rows.items()}


def recheck_overdue(orgs, as_of, campaign):
    """回头看: re-checks of closed problems past their due date and not done as of as_of, counted where
    the problem belongs (the reviewing level above it is the one late)."""
    pending = Recheck.objects.filter(
        problem__in=_problems(orgs, as_of), scheduled_on__lte=as_of, due_on__lt=as_of
    ).filter(Q(done_on__isnull=True) | Q(done_on__gt=as_of))
    rows = _per_org(pending, field="problem__org_id", n=Count("pk"))
    return {k: Pair(v["n"]) for k, v in rows.items()}


def rules_made(orgs, as_of, campaign):
    rows = _per_org(InstitutionRule.objects.filter(org__in=[o.pk for o in orgs], issued_on__lte=as_of), n=Count("pk"))
    return {k: Pair(v["n"]) for k, v in rows.items()}


def _cadres(orgs):
    from tuijin.orgs.models import Person

    return Person.objects.filter(org__in=[o.pk for o in orgs], is_leading_cadre=True, active=True)


def cadre_own_list(orgs, as_of, campaign):
    """以上率下: leading cadres (counted at their own org) with at least one 个人检视 problem of their own."""
    cadres = _cadres(orgs)
    owning = Problem.objects.filter(owner_person__in=cadres, withdrawn=False, found_on__lte=as_of)
    rows = _per_org(cadres, n=Count("pk"), own=Count("pk", filter=Q(pk__in=owning.values("owner_person_id"))))
    return {k: Pair(v["own"], v["n"]) for k, v in rows.items()}


def cadre_own_closed(orgs, as_of, campaign):
    """The leading cadres' own problems (counted at the cadre's org), and how many are closed."""
    rows = _per_org(
        Problem.objects.filter(owner_person__in=_cadres(orgs), withdrawn=False, found_on__lte=as_of),
        field="owner_person__org_id",
        n=Count("pk"),
        done=Count("pk", filter=Q(state=State.CLOSED, closed_on__lte=as_of)),
    )
    return {k: Pair(v["done"], v["n"]) for k, v in rows.items()}


def mass_satisfaction(orgs, as_of, campaign):
    """Ratings of published problems and 办实事 projects alike, counted where the item belongs."""
    out = defaultdict(lambda: Pair(0, 0))
    ids = [o.pk for o in orgs]
    items = PublicItem.objects.filter(Q(problem__org__in=ids) | Q(subject_org__in=ids)).values_list(
        "problem__org_id", "subject_org_id", "satisfied", "votes"
    )
    for problem_org, subject_org, satisfied, votes in items:
        org_id = problem_org or subject_org
        out[org_id] = out[org_id] + Pair(satisfied, votes)
    return dict(out)


def _self_checks(orgs, as_of):
    return SelfCheck.objects.filter(org__in=[o.pk for o in orgs], suggested_on__lte=as_of)


def _answered_by(as_of):
    return Q(answered_on__isnull=False, answered_on__lte=as_of)


def self_check_answered(orgs, as_of, campaign):
    """举一反三: suggestions (对照检视) answered by as_of, of those made by then."""
    rows = _per_org(_self_checks(orgs, as_of), n=Count("pk"), done=Count("pk", filter=_answered_by(as_of)))
    return {k: Pair(v["done"], v["n"]) for k, v in rows.items()}


def found_by_self_check(orgs, as_of, campaign):
    """Problems a unit found by answering a suggestion 已对照，存在 (by as_of)."""
    rows = _per_org(
        _self_checks(orgs, as_of).filter(_answered_by(as_of), answer=SelfCheck.Answer.EXISTS), n=Count("pk")
    )
    return {k: Pair(v["n"]) for k, v in rows.items()}


def self_check_stale(orgs, as_of, campaign):
    """Suggestions still unanswered on as_of more than max_days after they were made; max_days is the
    threshold of the detector that reads this (the campaign file's [detectors.self_check_lagging])."""
    from .detectors import SELF_CHECK_LAGGING

    days = int(
        ((campaign.detectors if campaign else {}) or {})
        .get(SELF_CHECK_LAGGING.code, {})
        .get("max_days", SELF_CHECK_LAGGING.defaults["max_days"])
    )
    qs = _self_checks(orgs, as_of)
    rows = _per_org(
        qs,
        n=Count("pk"),
        stale=Count("pk", filter=~_answered_by(as_of) & Q(suggested_on__lt=as_of - dt.timedelta(days=days))),
    )
    return {k: Pair(v["stale"], v["n"]) for k, v in rows.items()}


for code, name, unit, fn, expected, meaning, follows_time, description in [
    (
        "problems.found",
        "查摆问题数",
        "个",
        problems_found,
        None,
        NEUTRAL,
        False,
        "本组织及下级查摆的问题（不含已撤回）；问题数不是指标，不作比较",
    ),
    (
        "problems.rectified_share",
        "问题整改销号率",
        "%",
        rectified_share,
        lambda p: p,
        HIGHER,
        True,
        "已销号问题占查摆问题的比例，与时间进度比较",
    ),
    (
        "problems.overdue",
        "逾期未整改问题数",
        "个",
        overdue_count,
        None,
        ZERO,
        False,
        "超过整改时限仍未销号的问题；应为零",
    ),
    (
        "problems.formal_only",
        "就整改抓整改问题占比",
        "%",
        formal_only_share,
        None,
        ZERO,
        False,
        "有整改措施的问题中，措施全是开会、学习、“制定方案”而没有实际改变的比例；应为零",
    ),
    (
        "problems.not_started",
        "逾期未启动整改问题数",
        "个",
        not_started_count,
        None,
        ZERO,
        False,
        "超过整改时限仍处于“待整改”、尚未启动整改的问题；应为零",
    ),
    (
        "problems.evidence_share",
        "销号问题有支撑材料比例",
        "%",
        evidence_share,
        lambda p: 1.0,
        HIGHER,
        False,
        "已销号问题中上传了支撑材料的比例，应达100%",
    ),
    (
        "problems.measures_per_problem",
        "每个问题的整改措施数",
        "条",
        measures_per_problem,
        None,
        NEUTRAL,
        False,
        "措施条数不是指标，不作比较",
    ),
    (
        "problems.measure_specificity",
        "措施具体率",
        "%",
        measure_specificity,
        lambda p: 1.0,
        HIGHER,
        False,
        "写明责任人和完成时限、且不只是“加强/提高/进一步…”的措施占全部措施的比例，应达100%",
    ),
    ("problems.relapses", "问题反弹次数", "次", relapse_count, None, ZERO, False, "已销号后又反弹的次数；应为零"),
    (
        "problems.self_found_share",
        "自身查摆问题占比",
        "%",
        self_found_share,
        None,
        HIGHER,
        False,
        "本组织通过集体查、个人纠等自己查摆的问题占全部问题的比例（其余为上级查、群众评、上级交办）；"
        "不设指标值，大部分问题靠别人发现的单位由“立足自身主动改不够”检测指出",
    ),
    (
        "problems.found_late_share",
        "后期集中查摆问题占比",
        "%",
        found_late_share,
        None,
        LOWER,
        False,
        "主题教育开始以来查摆的问题中，在已开展时间最后四分之一里查摆的比例（边学边改：问题应随学随查，"
        "不应到后期才集中出现）；不设指标值，只在后期才有问题的单位由“边学边改不够”检测指出",
    ),
    (
        "problems.lasting_rule_missing",
        "反复出现问题未建章立制占比",
        "%",
        lasting_rule_missing,
        None,
        ZERO,
        False,
        "已销号的反复出现问题（反弹过，或同类问题在3个以上单位查摆）中，既没有“建章立制”措施、也没有关联制度的比例"
        "（当下改与长久立：只改了这一件、没有立规矩的）；应为零",
    ),
    (
        "problems.recheck_overdue",
        "回头看逾期未开展数",
        "个",
        recheck_overdue,
        None,
        ZERO,
        False,
        "已销号问题到了回头看时限（销号后按主题教育文件 [rectification] recheck_days 天，默认60天）仍未由上级回头看确认"
        "或重新打开的个数；应为零",
    ),
    (
        "problems.self_check_answered",
        "举一反三对照检视答复率",
        "%",
        self_check_answered,
        None,
        HIGHER,
        False,
        "上级查摆或已销号的问题提示同领域、同层级单位对照检视（举一反三），已答复“已对照，存在/不存在”的占提示数的比例；"
        "不设指标值",
    ),
    (
        "problems.found_by_self_check",
        "举一反三查摆问题数",
        "个",
        found_by_self_check,
        None,
        NEUTRAL,
        False,
        "对照检视后答复“已对照，存在”、自己列入清单的问题数；问题数不是指标，不作比较",
    ),
    (
        "problems.self_check_stale",
        "举一反三逾期未对照数",
        "个",
        self_check_stale,
        None,
        ZERO,
        False,
        "提示对照检视超过主题教育文件 [detectors.self_check_lagging] max_days 天（默认14天）仍未答复的个数；应为零",
    ),
    (
        "problems.cadre_own_list",
        "领导干部列出个人检视问题比例",
        "%",
        cadre_own_list,
        None,
        HIGHER,
        False,
        "领导干部（有效人员）中至少有一个本人个人检视问题（不含已撤回）的比例（以上率下）；不设指标值，"
        "有领导干部却都没有个人检视问题的单位由“领导干部个人检视问题缺失”检测指出",
    ),
    (
        "problems.cadre_own_closed",
        "领导干部个人检视问题销号率",
        "%",
        cadre_own_closed,
        None,
        NEUTRAL,
        False,
        "领导干部本人个人检视问题中已销号的比例，按领导干部所在单位统计；不作比较",
    ),
    ("problems.rules_made", "建章立制数", "项", rules_made, None, HIGHER, False, "不设指标值，不作比较"),
    (
        "problems.satisfaction",
        "群众满意度",
        "%",
        mass_satisfaction,
        lambda p: 0.9,
        HIGHER,
        False,
        "公示事项中“满意”“基本满意”票数占比，应达90%",
    ),
]:
    register(
        Indicator(
            code=code,
            name=name,
            dimension="检视整改",
            unit=unit,
            compute=fn,
            expected=expected,
            meaning=meaning,
            follows_time=follows_time,
            description=description,
        )
    )

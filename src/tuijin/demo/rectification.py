"""Issue 16's rectification showcases in the demo city, made through the real actions (so events,
history and files exist): 当下改与长久立 first; 回头看, 专项整治 milestones, 联合会诊 and 举一反三 (self_check) follow.

`build(ctx)` is called from generate._showcase_problems with its helpers (create, close, evidence…)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


@dataclass
class Ctx:
    today: dt.date
    day: Any  # day(n): the campaign's start + n days
    create: Any  # create(actor, org, description, *, found, …) -> Problem
    close: Any  # close(problem, owner_actor, reviewer) -> Problem
    evidence: Any  # evidence(actor, problem, name, kind=…)
    city_office: Any
    county_office: Any
    units: list  # the units of 东城区 (XS-C01), in path order


def build(ctx: Ctx) -> int:
    """Returns how many problems it added other than through ctx.create (the demo counts them)."""
    now_and_lasting(ctx)
    recheck(ctx)
    special(ctx)
    joint(ctx)
    return self_check(ctx)


def self_check(ctx: Ctx) -> int:
    """举一反三: the city office finds a problem (上级查) in a peer of the branch reporter's branch (same
    sector, kind and level); the suggestion goes to the peers with nothing similar on their lists. One
    answers 已对照，存在 (its own linked problem), one 已对照，不存在, and the reporter's branch still has
    it open on its home page (six days old: not yet late for the 举一反三不够 detector)."""
    from tuijin.orgs.models import Org, RoleGrant
    from tuijin.rectification import actions as r
    from tuijin.rectification.models import Problem, SelfCheck

    grant = RoleGrant.objects.filter(user__username="branch_reporter", role="unit").select_related("org").first()
    branch = grant.org if grant is not None else None
    if branch is None:
        return 0
    peer = (
        Org.objects.filter(sector=branch.sector, kind=branch.kind, depth=branch.depth, active=True)
        .exclude(pk=branch.pk)
        .order_by("path")
        .first()
    )
    if peer is None:
        return 0
    found = ctx.today - dt.timedelta(days=6)
    p = r.add_found_by_upper_level(
        actor=ctx.city_office,
        org=peer,
        found_on=found,
        category="工作作风",
        description="党员活动室长期闲置，门牌和制度上墙但不开展活动",
        deadline=found + dt.timedelta(days=30),
    )
    # Answered by units whose lists hold no problem found for them (上级查、群众评): a 存在 answer adds a
    # self-found problem, which must not blur the demo's branch whose whole list was found by others.
    found_for = Problem.objects.filter(source__in=["上级查", "群众评", "上级交办"]).values("org_id")
    others = list(
        SelfCheck.objects.filter(source=p)
        .exclude(org=branch)
        .exclude(org_id__in=found_for)
        .select_related("org")
        .order_by("org__path")
    )
    if others:
        r.answer_self_check(
            others[0],
            actor=ctx.city_office,
            exists=True,
            as_of=found + dt.timedelta(days=2),
            description="党员活动室被挪作仓库，活动改在会议室开展",
            deadline=found + dt.timedelta(days=40),
        )
    if len(others) > 1:
        r.answer_self_check(
            others[1],
            actor=ctx.city_office,
            exists=False,
            as_of=found + dt.timedelta(days=3),
            note="查看了本支部活动室使用登记和近三个月活动记录，每月均正常开展活动",
        )
    return 1 + (1 if others else 0)


def joint(ctx: Ctx) -> None:
    """联合会诊、同题共答 in 东城区: one problem led by one unit with another cooperating, each with its own
    measures; the problem is counted once, at the lead unit."""
    from tuijin.rectification import actions as r

    units = ctx.units
    if len(units) < 2:
        return
    lead, partner = units[1], units[2 % len(units)]
    p = ctx.create(
        ctx.county_office,
        lead,
        "老旧小区加装电梯审批环节多、周期长，群众反映强烈",
        found=12,
        category="服务群众",
        source="群众评",
        deadline=ctx.today + dt.timedelta(days=40),
        measures=[
            {
                "text": "由审批科负责，合并规划、施工许可两个环节，12月底前实行并联审批",
                "owner": "审批科",
                "deadline": ctx.today + dt.timedelta(days=30),
            }
        ],
    )
    r.add_cooperation(p, actor=ctx.county_office, orgs=[partner], as_of=ctx.today - dt.timedelta(days=5))
    r.add_measure(
        p,
        actor=ctx.county_office,
        org=partner,
        text="由街道负责，逐户上门做好低层住户协调工作",
        owner="街道办主任",
        deadline=ctx.today + dt.timedelta(days=20),
    )


def special(ctx: Ctx) -> None:
    """专项整治 with milestones in 东城区: its plan uploaded first (it could not start without it), three
    dated steps with owners — one done, one late, one ahead."""
    from tuijin.rectification import actions as r
    from tuijin.rectification.models import Evidence

    p = ctx.create(
        ctx.county_office,
        ctx.units[0],
        "整治形式主义为基层减负专项：填表报数多、过度留痕",
        found=10,
        category="工作作风",
        source="上级交办",
        is_special=True,
        deadline=ctx.today + dt.timedelta(days=45),
        measures=[{"text": "由区委办负责，12月底前清理合并各类报表", "owner": "区委办", "deadline": ctx.day(110)}],
    )
    ctx.evidence(ctx.county_office, p, "基层减负专项整治方案.pdf", kind=Evidence.Kind.PLAN)
    for title, days, owner, done in (
        ("完成各部门报表摸底排查", -20, "区委办", True),
        ("出台报表精简清单并公布", -5, "区委办", False),
        ("开展“回头看”检查落实情况", 30, "区委督查室", False),
    ):
        m = r.add_milestone(
            p, actor=ctx.county_office, title=title, due_on=ctx.today + dt.timedelta(days=days), owner=owner
        )
        if done:
            r.set_milestone_done(m, actor=ctx.county_office, done=True, as_of=ctx.today + dt.timedelta(days=days - 1))


def _closed_on(ctx: Ctx, org, description: str, category: str, days_ago: int):
    """A problem closed `days_ago` days before today by the county office (its re-check is then due
    recheck_days after that)."""
    from tuijin.rectification import actions as r

    on = ctx.today - dt.timedelta(days=days_ago)
    p = ctx.create(
        ctx.county_office,
        org,
        description,
        found=1,
        category=category,
        deadline=on,
        measures=[{"text": "由分管领导负责，逐项整改到位", "owner": "分管领导", "deadline": on}],
    )
    ctx.evidence(ctx.county_office, p, "整改完成情况报告.pdf")
    for m in p.measures.all():
        r.set_measure_done(m, actor=ctx.county_office, done=True, as_of=on)
    r.submit_for_acceptance(p, actor=ctx.county_office)
    return r.close_problem(
        p,
        actor=ctx.county_office,
        as_of=on,
        comment="整改到位，同意销号",
        change="整改措施落实后，相关工作已按新制度运行",
    )


def recheck(ctx: Ctx) -> None:
    """回头看 in 东城区: one closed 66 days ago whose re-check is late (on the county office's queue), one
    the city office re-checked and reopened, one re-checked and confirmed."""
    from tuijin.rectification import actions as r

    units = ctx.units
    _closed_on(ctx, units[0], "办事大厅午休时段无人值守，群众白跑", "服务群众", 66)
    back = _closed_on(ctx, units[1 % len(units)], "公务接待超标准问题", "廉洁自律", 63)
    r.recheck_problem(
        back,
        actor=ctx.city_office,
        as_of=ctx.today - dt.timedelta(days=1),
        confirm=False,
        note="回头看抽查接待台账，发现11月又有两次超标准接待",
    )
    kept = _closed_on(ctx, units[2 % len(units)], "村级财务公开不及时", "服务群众", 61)
    r.recheck_problem(
        kept,
        actor=ctx.county_office,
        as_of=ctx.today - dt.timedelta(days=2),
        confirm=True,
        note="抽查3个村公开栏，均按月公开",
    )


def now_and_lasting(ctx: Ctx) -> None:
    """当下改与长久立: in 东城区 the same 工作作风 problem closed twice — in one unit with a 建章立制 measure
    as well, in another with only 立行立改 (that unit is named by no_lasting_rule)."""
    from tuijin.rectification.models import MeasureKind

    units, day = ctx.units, ctx.day
    if len(units) < 3:
        return
    now = {"text": "由办公室负责，当月清理积压的群众来信并逐件答复", "owner": "办公室主任", "deadline": day(40)}
    rule = {
        "text": "制定《群众来信办理时限规定》，印发执行",
        "owner": "办公室主任",
        "deadline": day(45),
        "kind": MeasureKind.RULE,
    }
    for org, measures in ((units[1], [now, rule]), (units[2], [now])):
        p = ctx.create(
            ctx.county_office,
            org,
            "群众来信办理不及时，答复敷衍",
            found=8,
            category="工作作风",
            deadline=day(60),
            measures=measures,
        )
        ctx.close(p, ctx.county_office, ctx.county_office)

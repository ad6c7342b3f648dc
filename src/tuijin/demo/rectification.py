"""Issue 16's rectification showcases in the demo city, made through the real actions (so events,
history and files exist): 当下改与长久立 first; 回头看, 专项整治 milestones, 联合会诊 and 举一反三 follow.

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


def build(ctx: Ctx) -> None:
    now_and_lasting(ctx)


def now_and_lasting(ctx: Ctx) -> None:
    """当下改与长久立: in 东城区 the same 工作作风 problem closed twice — in one unit with a 建章立制 measure
    as well, in another with only 立行立改 (that unit is named by no_lasting_rule)."""
    from tuijin.rectification.models import MeasureKind

    units, day = ctx.units, ctx.day
    if len(units) < 3:
        return
    now = {"text": "由办公室负责，当月清理积压的群众来信并逐件答复", "owner": "办公室主任", "deadline": day(40)}
    rule = {"text": "制定《群众来信办理时限规定》，印发执行", "owner": "办公室主任", "deadline": day(45),
            "kind": MeasureKind.RULE}
    for org, measures in ((units[1], [now, rule]), (units[2], [now])):
        p = ctx.create(ctx.county_office, org, "群众来信办理不及时，答复敷衍", found=8, category="工作作风",
                       deadline=day(60), measures=measures)
        ctx.close(p, ctx.county_office, ctx.county_office)


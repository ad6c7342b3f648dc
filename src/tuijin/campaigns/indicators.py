"""组织领导 · 规定动作完成率: the org-level example indicator, built on the task-rule engine."""

from tuijin.core.indicators import HIGHER, Indicator, Pair, register

from . import rules


def _task_completion(orgs, as_of, campaign):
    """Per org: tasks completed / tasks that apply to it. Tasks not yet due count too; the
    expectation (time progress) is what makes an early shortfall acceptable."""
    if campaign is None:
        return {}
    ids = {o.pk for o in orgs}
    out = {}
    for task in campaign.tasks.all():
        applicable = (
            list(rules.applicable_orgs(task).filter(pk__in=ids))
            if len(ids) < 500
            else [o for o in rules.applicable_orgs(task) if o.pk in ids]
        )
        for org_id, c in rules.evaluate(task, applicable, as_of).items():
            out[org_id] = out.get(org_id, Pair(0, 0)) + Pair(1 if c.done else 0, 1)
    return out


TASK_COMPLETION = register(
    Indicator(
        code="campaign.task_completion",
        name="规定动作完成率",
        dimension="组织领导",
        unit="%",
        compute=_task_completion,
        expected=lambda progress: progress,
        meaning=HIGHER,
        follows_time=True,
        description="本组织及下级组织适用的部署任务中，按完成规则已完成的比例；与时间进度比较。",
    )
)

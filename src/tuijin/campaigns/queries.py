"""Reads of campaign progress: task completion summed over a user's scope."""
import datetime as dt
from dataclasses import dataclass

from tuijin.orgs.models import Org
from tuijin.orgs.tree import ancestor_paths

from . import rules
from .models import Campaign


def current_campaign(org: Org, as_of: dt.date) -> Campaign | None:
    """The campaign that covers `org` on as_of (latest start first), or None."""
    roots = Org.objects.filter(path__in=ancestor_paths(org, include_self=True))
    qs = Campaign.objects.filter(root__in=roots).select_related("root")
    return qs.filter(start__lte=as_of).first() or qs.first()


@dataclass
class TaskRow:
    task: object
    applicable: int
    done: int

    @property
    def share(self) -> float | None:
        return self.done / self.applicable if self.applicable else None


def task_summary(campaign, roots, as_of) -> list[TaskRow]:
    """For each task, how many applicable orgs inside `roots`' subtrees have completed it."""
    rows = []
    for task in campaign.tasks.all():
        applicable, done = 0, 0
        for root in roots:
            result = rules.evaluate(task, rules.applicable_orgs(task, within=root), as_of)
            applicable += len(result)
            done += sum(1 for c in result.values() if c.done)
        rows.append(TaskRow(task, applicable, done))
    return rows

"""Reads of campaign progress: task completion summed over a user's scope."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from tuijin.orgs.models import Org
from tuijin.orgs.tree import ancestor_paths

from . import rules
from .models import DEFAULT_PROBLEM_CATEGORIES, Campaign


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


def task_summary(campaign: Campaign, roots: Iterable[Org], as_of: dt.date) -> list[TaskRow]:
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


def problem_categories_for(orgs: Iterable[Org], as_of: dt.date) -> dict[int, list[str]]:
    """{org pk: the problem categories of the campaign covering it on as_of} (latest start first, as
    actions.current_campaign chooses); the SPEC §4.3 default where no campaign covers the org.
    One query for any number of orgs: a city's problem sheet names thousands."""
    campaigns = list(Campaign.objects.select_related("root").order_by("-start"))
    chosen = {}
    for org in orgs:
        covering = [c for c in campaigns if org.path.startswith(c.root.path)]
        campaign = next((c for c in covering if c.start <= as_of), covering[0] if covering else None)
        chosen[org.pk] = list(campaign.problem_categories) if campaign else list(DEFAULT_PROBLEM_CATEGORIES)
    return chosen


def problem_categories(org: Org, as_of: dt.date) -> list[str]:
    return problem_categories_for([org], as_of)[org.pk]

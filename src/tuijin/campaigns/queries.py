"""Reads of campaign progress: task completion summed over a user's scope."""
from dataclasses import dataclass

from . import rules


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

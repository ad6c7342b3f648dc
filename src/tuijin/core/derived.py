"""Derived data an action keeps current by name: the scorecards' counters (evaluation/counters.py).

Every action that changes data an indicator or a task rule counts calls `refresh(orgs)` itself, inside
its transaction, after its writes and before `events.record()`, naming the orgs whose counted data
changed (the event's org and any other: a cadre's own org, an attendee's branch, the org a person
left). Logging refreshes nothing: an action that changes nothing counted (a grant, a draft, a login)
simply does not call it. `tests/evaluation/test_counters_every_app.py` checks both, by comparing the
counters with a live recount after an action of each app, and by reading every action's source.

The order matters on PostgreSQL (docs/performance.md, "Why a PostgreSQL write could wait"): the refresh
takes its orgs' own locks and then their counter rows in tree-path order, and the chain head, which
`record()` takes, comes last; so call `refresh` once, with every org, before `record()`.

The evaluation app fills the registries from its AppConfig.ready(), so core does not import it:
- REFRESHERS: `(orgs) -> None`, bring these orgs' own counters up to date and carry the change up;
- TREE_CHANGED: `() -> None`, re-roll every subtree total after the tree's shape changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

REFRESHERS: list[Callable[[list[Any]], None]] = []
TREE_CHANGED: list[Callable[[], None]] = []


def refresh(orgs: Iterable[Any]) -> None:
    """Refresh the derived data of these orgs (None and repeats are skipped), inside the caller's
    transaction. Call it once per action, with every org whose counted data changed, before record()."""
    found = list({o.pk: o for o in orgs if o is not None and getattr(o, "path", None)}.values())
    if found:
        for hook in REFRESHERS:
            hook(found)


def tree_changed() -> None:
    """The org tree's shape changed (a move, a merge, an import that moved orgs): re-roll the totals."""
    for hook in TREE_CHANGED:
        hook()

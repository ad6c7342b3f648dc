"""Keeping per-org indicator counters current, and rebuilding them.

- `refresh(orgs)`: recompute the own pairs of a few orgs at the counter date and add the change
  to every ancestor's total, inside the caller's transaction. Registered in `core.derived.REFRESHERS`:
  every action that changes counted data calls `core.derived.refresh(orgs)` by name, before its event.
- `rebuild(as_of)`: recompute everything for a date (the daily job, after imports or tree moves).
A scorecard then reads totals instead of rescanning fact tables, whatever their size.

Task completion (the campaign's 规定动作) is kept the same way, per task: each org's own completion of
every task that applies to it and, over its subtree, how many applicable orgs have completed it
(`OrgScore.tasks` / `tasks_total`). The home page, a scorecard with its tasks and the briefing read
them through `task_lines` / `task_summary` / `undone_orgs`, which evaluate live (as before) when the
counters do not describe as_of or a task changed since the last rebuild.
"""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection, transaction

from tuijin.campaigns import rules
from tuijin.campaigns.indicators import TASK_COMPLETION
from tuijin.campaigns.models import Task
from tuijin.core.indicators import Pair, all_indicators, roll_up
from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org
from tuijin.orgs.tree import ancestor_paths

from .models import CounterDate, OrgScore


def counter_date() -> dt.date | None:
    row = CounterDate.objects.first()
    return row.as_of if row else None


def rebuild_mark() -> str:
    """Changes with every rebuild (the row is replaced, its id grows): part of core.readcache.version(),
    read on the database the request's reads go to, as the version's chain head is."""
    from django.db import connections, router

    with connections[router.db_for_read(CounterDate)].cursor() as cursor:
        cursor.execute(f"SELECT id, as_of FROM {CounterDate._meta.db_table} ORDER BY id DESC LIMIT 1")
        row = cursor.fetchone()
    return f"{row[0]}:{row[1]}" if row else ""


def _campaign_for(org, as_of):
    from tuijin.campaigns.queries import current_campaign

    return current_campaign(org, as_of)


def encode(pairs: dict[str, Pair]) -> dict:
    # Empty pairs are not stored: an indicator with nothing to measure reads the same as a missing one.
    return {code: [p.num, p.den] for code, p in pairs.items() if p.num or p.den}


def decode(data: dict) -> dict[str, Pair]:
    return {code: Pair(num, den) for code, (num, den) in data.items()}


def compute_own(orgs: list[Org], as_of: dt.date, campaign=None) -> dict[int, dict[str, Pair]]:
    """Each org's own pairs for every registered indicator, in one grouped query per indicator."""
    if campaign is None and orgs:
        campaign = _campaign_for(orgs[0], as_of)
    result: dict[int, dict[str, Pair]] = {o.pk: {} for o in orgs}
    for indicator in all_indicators():
        for org_id, pair in indicator.compute(orgs, as_of, campaign).items():
            if org_id in result:
                result[org_id][indicator.code] = pair
    return result


def _add(a: dict, b: dict, sign: int = 1) -> dict:
    out = dict(a)
    for code, (num, den) in b.items():
        n0, d0 = out.get(code, [0, None])
        d = None if d0 is None and den is None else (d0 or 0) + sign * (den or 0)
        out[code] = [n0 + sign * num, d]
    return {k: v for k, v in out.items() if v[0] or v[1]}


ORG_LOCK_CLASS = 0x746A  # "tj": the first key of the orgs' own advisory locks (PostgreSQL)


def _lock_orgs(orgs) -> None:
    """Hold each org's own counter lock until the transaction ends, in id order. PostgreSQL: an advisory
    transaction lock per org (waits at most lock_timeout, like a row lock). SQLite needs none: a write
    transaction holds the whole database from its BEGIN IMMEDIATE."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for pk in sorted(o.pk for o in orgs):
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s::int, mod(%s::bigint, 2147483647)::int)", [ORG_LOCK_CLASS, pk]
            )


def refresh(orgs) -> None:
    """Bring the given orgs' own pairs up to date and carry the change to their ancestors,
    each affected row written once however many orgs changed."""
    as_of = counter_date()
    if as_of is None:
        return  # counters not built yet: scorecards compute live
    orgs = list({o.pk: o for o in orgs if o is not None}.values())
    if not orgs:
        return
    with transaction.atomic():
        # One refresh of an org at a time: take the org's own lock, then read its data, so a writer of
        # the same org that committed before is seen. Refreshes of different orgs compute side by side.
        _lock_orgs(orgs)
        fresh = compute_own(orgs, as_of)
        task_refresh = _compute_task_refresh(orgs, as_of)  # also before the counter rows are locked
        above = _ancestors_task_completion(task_refresh, as_of)
        if _nothing_to_write(orgs, fresh, task_refresh, above):
            # Most edits change no counted figure (a name, a phone, a 职务): then no counter row is
            # locked at all, so such a write never queues behind the rows near the root.
            return
        # Then every counter row this refresh writes, in one statement and in tree-path order (an
        # ancestor before its descendants), so two refreshes never wait on each other in a cycle; the
        # rows near the root, which every write of the city needs, are held only from here to commit.
        # Actions call this (core.derived.refresh) before events.record takes the chain head, so every
        # writer's locks come in one order: its orgs' own locks, these rows, then the head.
        paths = sorted({path for org in orgs for path in ancestor_paths(org, include_self=True)})
        scores = {
            s.org.path: s
            for s in OrgScore.objects.select_for_update(of=("self",))
            .select_related("org")
            .filter(org__path__in=paths)
            .order_by("org__path")
        }
        deltas: dict[str, dict] = {}  # path -> delta to add to that org's total
        changed = [(org, encode(fresh[org.pk])) for org in orgs]
        for org, pair in above:
            changed.append((org, _own_with_task_completion(scores[org.path].own if org.path in scores else {}, pair)))
        for org, new_own in changed:
            score = scores.get(org.path) or OrgScore(org=org)
            delta = _add(new_own, score.own, sign=-1)
            if not delta:
                continue
            score.own = new_own
            score.save()
            scores[org.path] = score
            for path in ancestor_paths(org, include_self=True):
                deltas[path] = _add(deltas.get(path, {}), delta)
        for path in sorted(deltas):
            if path in scores:
                score = scores[path]
                score.total = _add(score.total, deltas[path])
                score.save(update_fields=["total", "updated_at"])
            else:  # orgs created after the last rebuild
                OrgScore.objects.update_or_create(org=Org.objects.get(path=path), defaults={"total": deltas[path]})
        _apply_task_refresh(task_refresh)


def _own_with_task_completion(kept: dict, pair: Pair | None) -> dict:
    """An ancestor's own pairs with its 规定动作完成率 replaced (see _ancestors_task_completion)."""
    return {
        **{k: v for k, v in kept.items() if k != TASK_COMPLETION.code},
        **encode({TASK_COMPLETION.code: pair} if pair else {}),
    }


def _nothing_to_write(orgs: list[Org], fresh: dict, task_refresh, above: list) -> bool:
    """Whether the stored counters already hold what this refresh computed, read without locking:
    an org's own pairs are written only under its own lock, which the caller holds."""
    targets = dict(task_refresh[0]) if task_refresh is not None else {}
    targets.update({o.pk: o for o in orgs})
    stored = {
        row["org_id"]: row for row in OrgScore.objects.filter(org__in=list(targets)).values("org_id", "own", "tasks")
    }
    for org in orgs:
        row = stored.get(org.pk)
        if encode(fresh[org.pk]) != (row["own"] if row else {}):
            return False
    for org, pair in above:
        row = stored.get(org.pk)
        kept = row["own"] if row else {}
        if _own_with_task_completion(kept, pair) != kept:
            return False
    if task_refresh is None:
        return True
    _targets, task_fresh, ancestors, above_tasks, keys = task_refresh
    for pk in targets:
        row = stored.get(pk)
        if row is None:
            return False
        if pk in ancestors:
            new = {k: v for k, v in row["tasks"].items() if k not in keys} | above_tasks[pk]
        else:
            new = task_fresh[pk]
        if new != row["tasks"]:
            return False
    return True


def _ancestors_task_completion(prepared, as_of: dt.date) -> list[tuple[Org, Pair | None]]:
    """A task rule that counts a subtree (a problem closed in a branch completes the unit above it)
    changes the ancestors' own 规定动作完成率 too, the one indicator read from task rules: recomputed
    here for those ancestors (computed before the counter rows are locked, like their tasks)."""
    if prepared is None or not prepared[2]:
        return []
    ancestors = list(prepared[2].values())
    pairs = TASK_COMPLETION.compute(ancestors, as_of, _campaign_for(ancestors[0], as_of))
    return [(org, pairs.get(org.pk)) for org in ancestors]


def _write_totals(deltas: dict[str, dict], field: str) -> None:
    """Add each path's delta to that org's `field` (total or tasks_total), one write per org."""
    if not deltas:
        return
    for score in (
        OrgScore.objects.select_for_update(of=("self",))
        .select_related("org")
        .filter(org__path__in=list(deltas))
        .order_by("org__path")
    ):
        setattr(score, field, _add(getattr(score, field), deltas.pop(score.org.path)))
        score.save(update_fields=[field, "updated_at"])
    for path, delta in deltas.items():  # orgs created after the last rebuild
        org = Org.objects.get(path=path)
        OrgScore.objects.update_or_create(org=org, defaults={field: delta})


# ------------------------------------------------------------------ task completion


def task_key(task) -> str:
    return f"t{task.pk}"


def fingerprint(task) -> str:
    """What a task's completion depends on besides the records: a change makes its counters stale."""
    return json.dumps([task.campaign.root_id, task.rule, task.applies_to], sort_keys=True, ensure_ascii=False)


def _all_tasks() -> list:
    return list(Task.objects.select_related("campaign__root").order_by("pk"))


def compute_tasks(orgs: list[Org], as_of: dt.date, tasks=None) -> dict[int, dict[str, list[int]]]:
    """Each org's own completion of every task that applies to it: {"t<pk>": [done, count, required]}."""
    tasks = _all_tasks() if tasks is None else tasks
    ids = {o.pk for o in orgs}
    result: dict[int, dict[str, list[int]]] = {pk: {} for pk in ids}
    for task in tasks:
        applicable = rules.applicable_orgs(task)
        found = list(applicable.filter(pk__in=ids)) if len(ids) < 500 else [o for o in applicable if o.pk in ids]
        for org_id, c in rules.evaluate(task, found, as_of).items():
            result[org_id][task_key(task)] = [int(c.done), c.count, c.required]
    return result


def _as_pairs(tasks_own: dict) -> dict:
    """An org's contribution to the subtree totals: [done, 1] per task that applies to it."""
    return {key: [done, 1] for key, (done, _count, _required) in tasks_own.items()}


def _compute_task_refresh(orgs: list[Org], as_of: dt.date):
    """The task completion a refresh will write, computed before any counter row is locked: the
    touched orgs' own, and their ancestors' for the rules that count a subtree (a problem closed in a
    branch completes the unit above it). None when the campaign has no tasks."""
    tasks = _all_tasks()
    if not tasks:
        return None
    targets = {o.pk: o for o in orgs}
    fresh = compute_tasks(orgs, as_of, tasks)
    subtree_tasks = [t for t in tasks if t.rule.get("scope") == "subtree"]
    ancestors: dict[int, Org] = {}
    above: dict[int, dict] = {}
    if subtree_tasks:  # only these tasks can change for an ancestor
        paths = {p for o in orgs for p in ancestor_paths(o, include_self=False)}
        ancestors = {o.pk: o for o in Org.objects.filter(path__in=paths) if o.pk not in targets}
        targets.update(ancestors)
        above = compute_tasks(list(ancestors.values()), as_of, subtree_tasks) if ancestors else {}
    return targets, fresh, ancestors, above, {task_key(t) for t in subtree_tasks}


def _apply_task_refresh(prepared) -> None:
    """Write what _compute_task_refresh found, carried up to every ancestor (rows already locked)."""
    if prepared is None:
        return
    targets, fresh, ancestors, above, keys = prepared
    scores = {s.org_id: s for s in OrgScore.objects.select_for_update().filter(org__in=list(targets))}
    for pk in ancestors:
        kept = {k: v for k, v in (scores[pk].tasks if pk in scores else {}).items() if k not in keys}
        fresh[pk] = kept | above[pk]
    deltas: dict[str, dict] = {}
    for org in targets.values():
        score = scores.get(org.pk) or OrgScore(org=org)
        new_own = fresh[org.pk]
        if org.pk in scores and new_own == score.tasks:
            continue
        delta = _add(_as_pairs(new_own), _as_pairs(score.tasks), sign=-1)
        score.tasks = new_own
        score.save()
        for path in ancestor_paths(org, include_self=True):
            deltas[path] = _add(deltas.get(path, {}), delta)
    _write_totals(deltas, "tasks_total")


def _tasks_current(tasks, as_of: dt.date) -> bool:
    """Whether the counters hold these tasks' completion at as_of."""
    row = CounterDate.objects.first()
    return bool(row and row.as_of == as_of and all(row.tasks.get(task_key(t)) == fingerprint(t) for t in tasks))


def task_lines(org: Org, as_of: dt.date, tasks) -> list[tuple] | None:
    """(task, applicable orgs in the subtree, of which done, the org's own Completion or None) per task,
    from the counters; None when they do not hold these tasks at as_of (the caller evaluates live)."""
    tasks = list(tasks)
    if not _tasks_current(tasks, as_of):
        return None
    score = OrgScore.objects.filter(org=org).values("tasks", "tasks_total").first() or {"tasks": {}, "tasks_total": {}}
    out = []
    for task in tasks:
        key = task_key(task)
        done, applicable = score["tasks_total"].get(key, [0, 0])
        own = score["tasks"].get(key)
        out.append(
            (task, applicable, done, None if own is None else rules.Completion(org.pk, bool(own[0]), own[1], own[2]))
        )
    return out


def task_summary(campaign, roots, as_of: dt.date):
    """campaigns.queries.task_summary (the home page's 规定动作 over the user's roots), from the counters."""
    from tuijin.campaigns.queries import TaskRow, task_summary as live_summary

    tasks = list(campaign.tasks.all())
    if not _tasks_current(tasks, as_of):
        return live_summary(campaign, roots, as_of)
    totals = list(OrgScore.objects.filter(org__in=[r.pk for r in roots]).values_list("tasks_total", flat=True))
    rows = []
    for task in tasks:
        key = task_key(task)
        rows.append(
            TaskRow(task, sum(t.get(key, [0, 0])[1] for t in totals), sum(t.get(key, [0, 0])[0] for t in totals))
        )
    return rows


def undone_orgs(task, org: Org, as_of: dt.date) -> tuple[int, list[Org]] | None:
    """(applicable orgs in org's subtree, those that have not completed the task, by path), from the
    counters; None when they do not hold the task at as_of."""
    if not _tasks_current([task], as_of):
        return None
    key = task_key(task)
    total = OrgScore.objects.filter(org=org).values_list("tasks_total", flat=True).first() or {}
    done, applicable = total.get(key, [0, 0])
    if done == applicable:
        return applicable, []
    undone = list(Org.objects.filter(subtree_q("path", org.path), **{f"score__tasks__{key}__0": 0}).order_by("path"))
    return applicable, undone


def rebuild(as_of: dt.date) -> int:
    """Recompute every org's counters for as_of; returns the number of orgs."""
    orgs = list(Org.objects.all())
    if not orgs:
        return 0
    own = compute_own(orgs, as_of)
    totals = {}
    for code in {c for pairs in own.values() for c in pairs}:
        rolled = roll_up(orgs, {pk: pairs[code] for pk, pairs in own.items() if code in pairs})
        for pk, pair in rolled.items():
            totals.setdefault(pk, {})[code] = pair
    tasks = _all_tasks()
    tasks_own = compute_tasks(orgs, as_of, tasks)
    tasks_total = _roll_up_tasks(orgs, tasks_own)
    with transaction.atomic():
        CounterDate.objects.all().delete()
        CounterDate.objects.create(as_of=as_of, tasks={task_key(t): fingerprint(t) for t in tasks})
        OrgScore.objects.all().delete()
        OrgScore.objects.bulk_create(
            [
                OrgScore(
                    org_id=o.pk,
                    own=encode(own[o.pk]),
                    total=encode(totals.get(o.pk, {})),
                    tasks=tasks_own[o.pk],
                    tasks_total=tasks_total[o.pk],
                )
                for o in orgs
            ],
            batch_size=2000,
        )
    return len(orgs)


def _roll_up_tasks(orgs: list[Org], tasks_own: dict[int, dict]) -> dict[int, dict]:
    """Each org's subtree totals {"t<pk>": [done, applicable]} from every org's own completion."""
    totals: dict[int, dict] = {o.pk: {} for o in orgs}
    for key in {k for own in tasks_own.values() for k in own}:
        rolled = roll_up(orgs, {pk: Pair(own[key][0], 1) for pk, own in tasks_own.items() if key in own})
        for pk, pair in rolled.items():
            if pair.num or pair.den:
                totals[pk][key] = [int(pair.num), int(pair.den or 0)]
    return totals


def reroll() -> None:
    """Recompute every total from the stored own pairs: after the tree's shape changed."""
    if counter_date() is None:
        return
    with transaction.atomic():
        orgs = list(Org.objects.all())
        scores = {s.org_id: s for s in OrgScore.objects.select_for_update()}
        own = {pk: decode(s.own) for pk, s in scores.items()}
        totals: dict[int, dict] = {o.pk: {} for o in orgs}
        for code in {c for pairs in own.values() for c in pairs}:
            rolled = roll_up(orgs, {pk: pairs[code] for pk, pairs in own.items() if code in pairs})
            for pk, pair in rolled.items():
                totals[pk][code] = pair
        tasks_total = _roll_up_tasks(orgs, {pk: s.tasks for pk, s in scores.items()})
        changed = []
        for org in orgs:
            score = scores.get(org.pk) or OrgScore(org_id=org.pk)
            new_total = encode(totals[org.pk])
            if score.total != new_total or score.tasks_total != tasks_total[org.pk] or org.pk not in scores:
                score.total = new_total
                score.tasks_total = tasks_total[org.pk]
                changed.append(score)
        OrgScore.objects.bulk_create([s for s in changed if s.org_id not in scores], batch_size=2000)
        OrgScore.objects.bulk_update(
            [s for s in changed if s.org_id in scores], ["total", "tasks_total"], batch_size=2000
        )

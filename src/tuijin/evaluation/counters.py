"""Keeping per-org indicator counters current, and rebuilding them.

- `refresh(orgs)`: recompute the own pairs of a few orgs at the counter date and add the change
  to every ancestor's total, inside the caller's transaction. Called for each event an action writes.
- `rebuild(as_of)`: recompute everything for a date (the daily job, after imports or tree moves).
A scorecard then reads totals instead of rescanning fact tables, whatever their size.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from tuijin.core.indicators import Pair, all_indicators, roll_up
from tuijin.orgs.models import Org
from tuijin.orgs.tree import ancestor_paths

from .models import CounterDate, OrgScore


def counter_date() -> dt.date | None:
    row = CounterDate.objects.first()
    return row.as_of if row else None


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
            cursor.execute("SELECT pg_advisory_xact_lock(%s::int, mod(%s::bigint, 2147483647)::int)",
                           [ORG_LOCK_CLASS, pk])


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
        # Then every counter row this refresh writes, in one statement and in tree-path order (an
        # ancestor before its descendants), so two refreshes never wait on each other in a cycle; the
        # rows near the root, which every write of the city needs, are held only from here to commit.
        # events.record runs this before it takes the chain head, so every writer's locks come in one
        # order: its orgs' own locks, these rows, then the head.
        paths = sorted({path for org in orgs for path in ancestor_paths(org, include_self=True)})
        scores = {s.org.path: s for s in OrgScore.objects.select_for_update(of=("self",)).select_related("org")
                  .filter(org__path__in=paths).order_by("org__path")}
        deltas: dict[str, dict] = {}  # path -> delta to add to that org's total
        for org in orgs:
            score = scores.get(org.path) or OrgScore(org=org)
            new_own = encode(fresh[org.pk])
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
    with transaction.atomic():
        CounterDate.objects.all().delete()
        CounterDate.objects.create(as_of=as_of)
        OrgScore.objects.all().delete()
        OrgScore.objects.bulk_create(
            [OrgScore(org_id=o.pk, own=encode(own[o.pk]), total=encode(totals.get(o.pk, {}))) for o in orgs],
            batch_size=2000)
    return len(orgs)


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
        changed = []
        for org in orgs:
            score = scores.get(org.pk) or OrgScore(org_id=org.pk)
            new_total = encode(totals[org.pk])
            if score.total != new_total or org.pk not in scores:
                score.total = new_total
                changed.append(score)
        OrgScore.objects.bulk_create([s for s in changed if s.org_id not in scores], batch_size=2000)
        OrgScore.objects.bulk_update([s for s in changed if s.org_id in scores], ["total"], batch_size=2000)

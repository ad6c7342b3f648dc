"""Dashboard reads: heat map of children × indicators, rankings among peers, lagging units, trends."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Max
from django.http import Http404

from tuijin.core.calendar import today
from tuijin.core.indicators import STATUS_OK, Indicator, all_indicators
from tuijin.core.scope import in_business_scope
from tuijin.orgs.models import Org

from . import counters
from .models import Snapshot
from .scorecard import scorecards

STATUS_LEVEL = {"正常": 0, "滞后": 1, "严重滞后": 2}


def business_org(user: Any, code: str) -> Org:
    """The org a dashboard, scorecard or briefing is about, or 404. It must be in the user's business
    scope: a party member sees their own org elsewhere, but these pages are about the units below it."""
    org = Org.objects.visible_to(user).filter(code=code).first()
    if org is None or not in_business_scope(user, org):
        raise Http404("组织不存在或不在您的范围内")
    return org


def share_indicators() -> list[Indicator]:
    return [i for i in all_indicators() if i.unit == "%"]


def children_cards(org: Org, as_of: dt.date) -> tuple[list[Org], dict[int, Any]]:
    children = list(Org.objects.filter(parent=org, active=True).order_by("path"))
    cards = scorecards(children, as_of)
    return children, cards


def heatmap(org: Org, as_of: dt.date) -> dict:
    """Rows: children; columns: share indicators; cells: value, expected and status level."""
    children, cards = children_cards(org, as_of)
    indicators = share_indicators()
    cells = []
    for y, child in enumerate(children):
        lines = {ln.code: ln for ln in cards[child.pk].lines}
        for x, ind in enumerate(indicators):
            ln = lines[ind.code]
            cells.append(
                {
                    "x": x,
                    "y": y,
                    "value": None if ln.value is None else round(ln.value * 100, 1),
                    "expected": None if ln.expected is None else round(ln.expected * 100, 1),
                    "status": ln.status,
                    "level": STATUS_LEVEL[ln.status] if ln.value is not None else -1,
                }
            )
    return {
        "orgs": [{"code": c.code, "name": c.name} for c in children],
        "indicators": [{"code": i.code, "name": i.name, "dimension": i.dimension} for i in indicators],
        "cells": cells,
    }


def heatmap_rows(heat: dict) -> list[tuple[dict, list[dict | None]]]:
    """The heat map as table rows (org, one cell per indicator in column order): the chart's text
    alternative, rendered on the server so it reads without scripts."""
    grid = {(c["y"], c["x"]): c for c in heat["cells"]}
    return [(o, [grid.get((y, x)) for x in range(len(heat["indicators"]))]) for y, o in enumerate(heat["orgs"])]


def trend_rows(data: dict) -> list[tuple[str, list[float | None]]]:
    """The trend chart as table rows: a date and one value per series, in series order."""
    codes = list(data["series"])
    return [(date, [data["series"][c][n] for c in codes]) for n, date in enumerate(data["dates"])]


def lagging_units(org: Org, as_of: dt.date) -> list[tuple[Org, list]]:
    """Children with at least one lagging indicator, worst first, with the indicators that make them lag."""
    children, cards = children_cards(org, as_of)
    rows = []
    for child in children:
        lag = [ln for ln in cards[child.pk].lines if ln.status != STATUS_OK]
        if lag:
            rows.append((child, sorted(lag, key=lambda ln: -STATUS_LEVEL[ln.status])))
    return sorted(rows, key=lambda r: (-max(STATUS_LEVEL[ln.status] for ln in r[1]), -len(r[1]), r[0].path))


@dataclass
class NewlyLagging:
    """Units that lag on some indicator at `as_of` but lagged on none at `since` (the last snapshot
    day before), with the indicators they lag on now: statuses from `Indicator.classifier` through
    the scorecards, so the home, the scorecard and the dashboard say the same of the same figure."""

    as_of: dt.date | None
    since: dt.date | None
    units: list[tuple[Org, list]]


def status_date() -> dt.date:
    """The date a home's figures are read at: the counter date, which the actions keep current (no
    fact table is scanned), or today when the counters were never built."""
    return counters.counter_date() or today()


def newly_lagging(units: list[Org], as_of: dt.date) -> NewlyLagging:
    """Of `units`, those lagging now that did not lag at the latest snapshot before as_of. A unit
    without a snapshot that day (created since) is left out: nothing can be said of its change."""
    units = list({u.pk: u for u in units}.values())
    since = Snapshot.objects.filter(org__in=units, date__lt=as_of).aggregate(d=Max("date"))["d"] if units else None
    if since is None:
        return NewlyLagging(as_of, None, [])
    had = set(Snapshot.objects.filter(org__in=units, date=since).values_list("org_id", flat=True))
    units = [u for u in units if u.pk in had]
    now, before = scorecards(units, as_of), scorecards(units, since)
    rows = []
    for unit in units:
        lag = now[unit.pk].lagging()
        if lag and not before[unit.pk].lagging():
            rows.append((unit, sorted(lag, key=lambda ln: -STATUS_LEVEL[ln.status])))
    rows.sort(key=lambda r: (-max(STATUS_LEVEL[ln.status] for ln in r[1]), r[0].path))
    return NewlyLagging(as_of, since, rows)


def rankings(org: Org, as_of: dt.date, code: str) -> list[tuple[str, list[tuple[int, Org, object]]]]:
    """分类指导: the children ranked on one indicator within their own sector."""
    children, cards = children_cards(org, as_of)
    by_sector = defaultdict(list)
    for child in children:
        line = next(ln for ln in cards[child.pk].lines if ln.code == code)
        by_sector[child.sector].append((child, line))
    higher = next(i for i in all_indicators() if i.code == code).higher_is_better
    out = []
    for sector, rows in sorted(by_sector.items()):
        rows.sort(key=lambda r: (r[1].value is None, -(r[1].value or 0) if higher else (r[1].value or 0)))
        out.append((sector, [(n + 1, child, line) for n, (child, line) in enumerate(rows)]))
    return out


def dimension_progress(card: Any) -> list[dict]:
    """Each dimension: mean of its share indicators' values and expectations."""
    out = []
    for dimension, lines in card.by_dimension():
        shares = [ln for ln in lines if ln.indicator.unit == "%" and ln.value is not None]
        if not shares:
            continue
        value = sum(ln.value for ln in shares) / len(shares)
        expected = [ln.expected for ln in shares if ln.expected is not None]
        worst = max((STATUS_LEVEL[ln.status] for ln in shares), default=0)
        out.append(
            {
                "dimension": dimension,
                "value": value,
                "expected": sum(expected) / len(expected) if expected else None,
                "status": {0: "正常", 1: "滞后", 2: "严重滞后"}[worst],
                "count": len(shares),
            }
        )
    return out


def trend(org: Org, codes: list[str]) -> dict:
    """Daily snapshots of the org's share indicators (plus the current counters)."""
    rows = list(Snapshot.objects.filter(org=org).order_by("date").values_list("date", "total"))
    series = {code: [] for code in codes}
    dates = []
    for date, total in rows:
        dates.append(date.isoformat())
        pairs = counters.decode(total)
        for code in codes:
            pair = pairs.get(code)
            series[code].append(None if pair is None or pair.value is None else round(pair.value * 100, 1))
    return {"dates": dates, "series": series}

"""The scorecard of every unit in a subtree at once (全部单位指标一览): for a city, ~6,000 orgs × every indicator.

One indexed read of the per-org counters (a path-prefix range over the org tree joined to their
totals), decoded with orjson, then each indicator's whole column is valued and classified at once
(`Indicator.column`: comprehensions, no Python call per cell), with the cyclic garbage collector held
off while the ~130,000 small lists of one answer exist (`gc_paused`). Nothing here
touches a fact table when the counters or a snapshot cover `as_of`, so the cost follows the number of
orgs shown, not the number of records stored. Values and statuses are exactly those of
`scorecard.scorecards` (a test compares them cell by cell).
"""

from __future__ import annotations

import datetime as dt
import gc
from contextlib import contextmanager
from dataclasses import dataclass

import orjson
from django.db.models import OuterRef, Subquery, TextField
from django.db.models.functions import Cast

from tuijin.campaigns.queries import current_campaign
from tuijin.core.indicators import Indicator, all_indicators
from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org

from . import counters
from .models import Snapshot

ORG_FIELDS = ("pk", "code", "name", "depth", "kind", "sector", "path")


@dataclass
class Column:
    indicator: Indicator
    expected: float | None

    def as_dict(self) -> dict:
        i = self.indicator
        return {
            "code": i.code,
            "name": i.name,
            "dimension": i.dimension,
            "unit": i.unit,
            "expected": self.expected,
            "higher_is_better": i.higher_is_better,
            "meaning": i.sense,
            "follows_time": i.time_based,
        }


@dataclass
class UnitsTable:
    root: Org
    as_of: dt.date
    campaign: object
    progress: float | None
    source: str  # counters | snapshot | live
    columns: list[Column]
    orgs: list[tuple]  # ORG_FIELDS, in tree order
    values: list[tuple]  # one row per org, one cell (a number or None) per column
    statuses: list[tuple]  # one row per org, one status per column

    def rows(self):
        """(org fields, values, statuses) per org, in tree order."""
        return zip(self.orgs, self.values, self.statuses, strict=True)

    def as_dict(self) -> dict:
        return {
            "org": {"code": self.root.code, "name": self.root.name},
            "as_of": self.as_of.isoformat(),
            "campaign": self.campaign.name if self.campaign else None,
            "time_progress": self.progress,
            "source": self.source,
            "indicators": [c.as_dict() for c in self.columns],
            "units": [
                {"code": o[1], "name": o[2], "depth": o[3], "kind": o[4], "sector": o[5], "values": v, "statuses": s}
                for o, v, s in self.rows()
            ],
        }

    def to_json(self) -> bytes:
        with gc_paused():
            return orjson.dumps(self.as_dict())


def _orgs(root: Org, depth: int | None):
    qs = Org.objects.filter(subtree_q("path", root.path), active=True)
    if depth is not None:
        qs = qs.filter(depth__lte=root.depth + depth)
    return qs.order_by("path")


def stored_totals(root: Org, as_of: dt.date, depth: int | None = None):
    """The database part: a query of (org fields…, subtree total as JSON text), or None when neither
    the counters nor a snapshot cover as_of. One indexed range over the tree, joined to the totals."""
    qs = _orgs(root, depth)
    if counters.counter_date() == as_of:
        # As text, decoded by the caller in one pass with orjson: Django's JSONField decoding of
        # ~6,000 totals costs several times the query itself.
        return qs.annotate(total_text=Cast("score__total", TextField())).values_list(
            *ORG_FIELDS, "total_text"
        ), "counters"
    if Snapshot.objects.filter(date=as_of, org=root).exists():
        return qs.annotate(
            snap=Subquery(
                Snapshot.objects.filter(date=as_of, org=OuterRef("pk"))
                .annotate(text=Cast("total", TextField()))
                .values("text")[:1]
            )
        ).values_list(*ORG_FIELDS, "snap"), "snapshot"
    return None, "live"


def fetch(root: Org, as_of: dt.date, depth: int | None = None) -> tuple[list[tuple], list[dict], str]:
    """The orgs and their subtree totals as {code: [num, den]}, and where the totals came from.

    Without counters or a snapshot for as_of, totals are computed live from the fact tables (any
    date still works; it costs a scan)."""
    stored, source = stored_totals(root, as_of, depth)
    if stored is None:
        from .scorecard import totals

        orgs = list(_orgs(root, depth))
        live, _ = totals(orgs, as_of)
        rows = [tuple(getattr(o, f) for f in ORG_FIELDS) for o in orgs]
        return rows, [{c: [p.num, p.den] for c, p in live[o.pk].items()} for o in orgs], source
    with gc_paused():
        found = list(stored)
        return [row[:-1] for row in found], [_decoded(row[-1]) for row in found], source


@contextmanager
def gc_paused():
    """Hold off the cyclic garbage collector while one answer decodes and builds its small lists.

    Decoding ~6,000 totals makes ~130,000 lists that all live until the answer is sent; each 700 of
    them start a collection, and as they pile up the oldest generation is walked again and again
    (≈30% of the request at city scale). None of them forms a cycle, so reference counting frees them
    all the same. Bounded to one table's work, and restored in `finally` whatever happens (only if
    it was on: a caller that turned it off keeps it off)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _decoded(total):
    if total is None:
        return {}
    return orjson.loads(total) if isinstance(total, (str, bytes)) else total


def units_table(root: Org, as_of: dt.date, *, depth: int | None = None, campaign=None) -> UnitsTable:
    """Every active org of root's subtree (down to `depth` levels below root), every indicator.

    Column by column: each indicator's values and statuses for every org at once (`Indicator.column`),
    then turned into one row per org."""
    campaign = campaign or current_campaign(root, as_of)
    progress = campaign.progress(as_of) if campaign else None
    lag = campaign.lag_threshold if campaign else 0.10
    severe = campaign.severe_lag_threshold if campaign else 0.25
    columns, value_cols, status_cols = [], [], []
    orgs, totals_, source = fetch(root, as_of, depth)
    with gc_paused():
        for indicator in all_indicators():
            columns.append(Column(indicator, indicator.expected_at(progress, as_of)))
            values, statuses = indicator.column(
                [t.get(indicator.code) for t in totals_], progress, as_of, lag=lag, severe=severe
            )
            value_cols.append(values)
            status_cols.append(statuses)
        rows = (
            (list(zip(*value_cols, strict=True)), list(zip(*status_cols, strict=True)))
            if columns
            else ([() for _ in orgs], [() for _ in orgs])
        )
    return UnitsTable(root, as_of, campaign, progress, source, columns, orgs, *rows)


def units_xlsx(table: UnitsTable, target) -> None:
    """The table as one sheet: a row per unit, value and status per indicator (shares in %)."""
    from tuijin.imports.writer import write_xlsx

    from .exports import _fmt

    headers = ["组织编码", "组织名称", "层级", "组织类别", "所属领域"]
    for c in table.columns:
        unit = "%" if c.indicator.unit == "%" else c.indicator.unit
        headers += [f"{c.indicator.name}（{unit}）", f"{c.indicator.name}状态"]
    base = table.root.depth

    def rows():
        for org, values, statuses in table.rows():
            row = [org[1], org[2], org[3] - base, org[4], org[5]]
            for c, v, s in zip(table.columns, values, statuses, strict=True):
                row += [_fmt(v, c.indicator.unit), s]
            yield row

    write_xlsx(
        target,
        headers,
        rows(),
        sheet_name="全部单位",
        title=f"{table.root.name} 全部单位指标一览（截至 {table.as_of}）",
    )

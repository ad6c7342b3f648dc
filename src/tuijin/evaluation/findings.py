"""Findings: where each short board really sits (issue 9), for briefings, outlines and letters.

`findings(org, as_of)` runs every registered detector (core/detectors.py) over org's subtree and
returns one `Finding` per unit showing a pattern, worst first within each detector:

- **Where it sits.** A detector is tried on every *candidate* unit below org — a unit that directly
  leads branches (a bureau's 党组, a township 党委, a 党总支) or a branch — on that unit's subtree
  totals. Committees of committees (a county 委, a 工委) and org's own children that lead units
  below them are never candidates: "东城区委" says nothing about where a board is. Of a unit and its branches, the highest one that shows the
  pattern is named (a township whose branches mostly lack 专题研讨 is named once, not its ten
  branches; a township where one branch lacks it is not named, that branch is).
- **To whom it is said.** Each finding is addressed to a unit of the briefing's addressee line:
  org's children, with a 党工委 (市直机关工委) replaced by its own children (市直 党组/党委), as in
  "各县（区）委，市直各单位党组（党委）".
- **Fast.** Every figure is a subtree total of a registered indicator: one indexed read of the
  counters (or the day's snapshot) for the whole subtree; without them only the indicators the
  detectors use are computed, one grouped query each, and rolled up in memory. No query per org.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import orjson

from tuijin.campaigns.queries import current_campaign
from tuijin.core import detectors as registry
from tuijin.core.detectors import JUDGEMENTS, Probe
from tuijin.core.indicators import Pair, get, roll_up
from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org

from . import counters
from .models import Snapshot

BRANCH = "党支部"
WORKING_COMMITTEE = "党工委"  # a coordinating committee: the briefing addresses the units below it


class Unit(NamedTuple):
    pk: int
    code: str
    name: str
    depth: int
    kind: str
    path: str


@dataclass
class Finding:
    detector: str  # detector code
    name: str  # detector name: 集体学习多个人自学少
    dimension: str
    judgement: str  # the seed's judgement: 学习教育存在不够平衡的现象
    lead: str  # 有的集体学习好于个人自学
    subject: Unit  # where the pattern sits
    addressed: Unit  # the unit of the addressee line it is reported under
    figures: dict = field(default_factory=dict)
    text: str = ""  # "市卫健委党组：集体学习覆盖率92.0%，个人自学覆盖率8.0%"
    clause: str = ""  # the figures alone: "集体学习覆盖率92.0%，个人自学覆盖率8.0%"
    severity: float = 0.0
    units_word: str = "个单位"

    def as_dict(self) -> dict:
        return {
            "detector": self.detector,
            "name": self.name,
            "dimension": self.dimension,
            "judgement": self.judgement,
            "subject": {"code": self.subject.code, "name": self.subject.name},
            "addressed": {"code": self.addressed.code, "name": self.addressed.name},
            "figures": self.figures,
            "text": self.text,
            "severity": self.severity,
        }


def short_name(name: str) -> str:
    """How a briefing names a unit: 中共东城区委员会 → 东城区委, 中共青河县李家镇委员会 → 青河县李家镇党委."""
    name = name.removeprefix("中共")
    if name.endswith("委员会") and len(name) > 4:
        name = name[:-3] + ("委" if name[-4] in "省市县区旗州盟" else "党委")
    return name


def _units_and_totals(root: Org, as_of: dt.date, codes: set[str]) -> tuple[list[Unit], dict[int, dict], str]:
    """Every active org of root's subtree and its subtree totals of `codes`, and where they came from."""
    fields = ("pk", "code", "name", "depth", "kind", "path")
    qs = Org.objects.filter(subtree_q("path", root.path), active=True).order_by("path")
    units, totals = [], {}
    source = None
    if counters.counter_date() == as_of:
        from django.db.models import TextField
        from django.db.models.functions import Cast

        rows, source = qs.annotate(t=Cast("score__total", TextField())).values_list(*fields, "t"), "counters"
    elif Snapshot.objects.filter(date=as_of, org=root).exists():
        from django.db.models import OuterRef, Subquery, TextField
        from django.db.models.functions import Cast

        rows = qs.annotate(
            t=Subquery(
                Snapshot.objects.filter(date=as_of, org=OuterRef("pk"))
                .annotate(x=Cast("total", TextField()))
                .values("x")[:1]
            )
        ).values_list(*fields, "t")
        source = "snapshot"
    if source:
        for *row, text in rows:
            unit = Unit(*row)
            units.append(unit)
            data = orjson.loads(text) if isinstance(text, (str, bytes)) else (text or {})
            totals[unit.pk] = {c: Pair(n, d) for c, (n, d) in data.items() if c in codes}
        return units, totals, source
    # Live: only the indicators the detectors read, over the whole subtree (inactive orgs included,
    # as in the counters), rolled up in memory.
    everything = list(Org.objects.filter(subtree_q("path", root.path)))
    campaign = current_campaign(root, as_of)
    totals = {o.pk: {} for o in everything}
    for code in codes:
        rolled = roll_up(everything, get(code).compute(everything, as_of, campaign))
        for pk, pair in rolled.items():
            if pk in totals and (pair.num or pair.den):
                totals[pk][code] = pair
    units = [
        Unit(o.pk, o.code, o.name, o.depth, o.kind, o.path)
        for o in sorted(everything, key=lambda o: o.path)
        if o.active
    ]
    return units, totals, "live"


def addressed_units(root: Org, units: list[Unit]) -> list[Unit]:
    """The units of the addressee line: root's children, a 党工委 replaced by its children."""
    children = [u for u in units if u.depth == root.depth + 1]
    out = []
    for child in children:
        below = [u for u in units if u.depth == child.depth + 1 and u.path.startswith(child.path)]
        out += below if child.kind == WORKING_COMMITTEE and below else [child]
    return out


@dataclass
class Context:
    root: Org
    as_of: dt.date
    campaign: object
    units: list[Unit]
    totals: dict[int, dict]
    addressed: list[Unit]
    source: str


def context(org: Org, as_of: dt.date, campaign=None) -> Context:
    campaign = campaign or current_campaign(org, as_of)
    codes = {c for d in registry.all_detectors() for c in d.uses}
    units, totals, source = _units_and_totals(org, as_of, codes)
    return Context(org, as_of, campaign, units, totals, addressed_units(org, units), source)


def candidates(ctx: Context) -> list[Unit]:
    """Units below root that lead branches directly, and branches (see the module docstring)."""
    has_unit_children = set()
    steplen = ctx.root.steplen
    for u in ctx.units:
        if u.kind != BRANCH and u.depth > ctx.root.depth + 1:
            has_unit_children.add(u.path[:-steplen])
    parents = {u.path[:-steplen] for u in ctx.units if u.depth > ctx.root.depth + 1}
    # root's own children (a city's county 委) are where a finding is addressed, not where it sits,
    # unless they lead nothing below them; the 党组 under a 工委 are candidates.
    return [
        u
        for u in ctx.units
        if u.depth > ctx.root.depth
        and u.path not in has_unit_children
        and u.kind != WORKING_COMMITTEE
        and not (u.depth == ctx.root.depth + 1 and u.path in parents)
    ]


def findings(
    org: Org, as_of: dt.date, campaign=None, *, include_self: bool = False, ctx: Context | None = None
) -> list[Finding]:
    """The short boards within org's subtree: for each detector (in registration order), the units
    where its pattern sits, worst first. `include_self` also tries org itself (a letter to one unit)."""
    ctx = ctx or context(org, as_of, campaign)
    campaign = ctx.campaign
    progress = campaign.progress(as_of) if campaign else None
    lag = campaign.lag_threshold if campaign else 0.10
    cands = candidates(ctx)
    cand_paths = {u.path for u in cands}
    fallback = [u for u in ctx.addressed if u.path not in cand_paths]
    addressed_by_path = {u.path: u for u in ctx.addressed}
    steplen = org.steplen
    root_unit = next((u for u in ctx.units if u.pk == org.pk), None)
    order = list(JUDGEMENTS)
    out: list[Finding] = []
    for detector in sorted(registry.all_detectors(), key=lambda d: order.index(d.judgement)):
        if not registry.enabled(detector, campaign):
            continue
        params = registry.params_for(detector, campaign)
        hits: list[Finding] = []
        named: list[str] = []
        named_set: set[str] = set()

        def probe(unit, detector=detector, params=params):
            return detector.test(Probe(unit, ctx.totals.get(unit.pk, {}), progress, as_of, params, lag))

        if include_self and root_unit is not None:
            hit = probe(root_unit)
            if hit:
                hits.append(_finding(detector, root_unit, root_unit, hit))
        for unit in cands:  # in path order: a unit comes before its branches
            if under(unit.path, named_set, steplen):
                continue
            hit = probe(unit)
            if hit is None:
                continue
            named.append(unit.path)
            named_set.add(unit.path)
            to = next((addressed_by_path[p] for p in prefixes(unit.path, steplen) if p in addressed_by_path), unit)
            hits.append(_finding(detector, unit, to, hit))
        # Facts at the level of a unit that is not itself a candidate (a 党组's own problems, when
        # the briefing is addressed to it): named only when nothing below it shows the pattern.
        for unit in fallback:
            if any(p.startswith(unit.path) or unit.path.startswith(p) for p in named):
                continue
            hit = probe(unit)
            if hit is not None:
                named.append(unit.path)
                hits.append(_finding(detector, unit, unit, hit))
        hits.sort(key=lambda f: (-f.severity, f.subject.path))
        out += hits
    return out


def _finding(detector, unit: Unit, to: Unit, hit) -> Finding:
    return Finding(
        detector=detector.code,
        name=detector.name,
        dimension=detector.dimension,
        judgement=JUDGEMENTS[detector.judgement],
        lead=detector.lead,
        subject=unit,
        addressed=to,
        figures=hit.figures,
        text=f"{short_name(unit.name)}：{hit.text}",
        clause=hit.text,
        severity=hit.severity,
        units_word=detector.units_word,
    )


def prefixes(path: str, steplen: int):
    """The paths of an org and its ancestors, longest first."""
    return (path[:i] for i in range(len(path), 0, -steplen))


def under(path: str, paths: set[str], steplen: int) -> bool:
    """Whether path is one of `paths` or below one of them: a few set lookups, whatever their number."""
    return any(p in paths for p in prefixes(path, steplen))


def by_detector(found: list[Finding]) -> dict[str, list[Finding]]:
    out: dict[str, list[Finding]] = {}
    for f in found:
        out.setdefault(f.detector, []).append(f)
    return out

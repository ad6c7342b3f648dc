"""What changed since the last issued briefing (issue 9): "较11月13日提高6.2个百分点", and the units that
fell behind since then.

`figures(org, as_of)` is what an issued briefing keeps: the org's own figures and each unit's status
per indicator, as they were. The next draft compares with the last briefing the org issued before its
date, or, when it has issued none, with the nearest daily snapshot before that date.
"""

from __future__ import annotations

import datetime as dt

from tuijin.core.indicators import STATUS_OK, all_indicators
from tuijin.orgs.models import Org

from .models import BriefingDoc, Snapshot
from .scorecard import scorecard, scorecards

RANK = {"正常": 0, "滞后": 1, "严重滞后": 2}
MOST = 6  # overall figures named in the comparison sentence, largest change first


def figures(org: Org, as_of: dt.date) -> dict:
    """{as_of, overall: {code: {value, status}}, units: {code: {name, statuses: {code: status}}}}."""
    card = scorecard(org, as_of, with_tasks=False)
    children = list(Org.objects.filter(parent=org, active=True).order_by("path"))
    cards = scorecards(children, as_of, card.campaign) if children else {}
    return {
        "as_of": as_of.isoformat(),
        "overall": {ln.code: {"value": ln.value, "status": ln.status} for ln in card.lines if ln.value is not None},
        "units": {
            c.code: {
                "name": c.name,
                "statuses": {ln.code: ln.status for ln in cards[c.pk].lines if ln.value is not None},
            }
            for c in children
        },
    }


def baseline(org: Org, as_of: dt.date) -> dict | None:
    """{date, source, number, id, figures} of the last briefing the org issued for a date up to as_of; else of the
    nearest daily snapshot before as_of; None when there is neither."""
    last = (
        BriefingDoc.objects.filter(org=org, status=BriefingDoc.Status.ISSUED, as_of__lte=as_of)
        .order_by("-as_of", "-issued_at", "-pk")
        .first()
    )
    if last is not None and last.figures.get("overall") is not None:
        return {
            "date": last.as_of.isoformat(),
            "source": "briefing",
            "number": last.number,
            "id": last.pk,
            "figures": last.figures,
        }
    day = Snapshot.objects.filter(org=org, date__lt=as_of).order_by("-date").values_list("date", flat=True).first()
    if day is None:
        return None
    return {"date": day.isoformat(), "source": "snapshot", "number": "", "id": None, "figures": figures(org, day)}


def _short(name: str) -> str:
    name = name.removeprefix("中共")
    return name[:-3] + "委" if name.endswith("委员会") and len(name) > 4 else name


def _day(iso: str) -> str:
    d = dt.date.fromisoformat(iso)
    return f"{d.month}月{d.day}日"


def _change(indicator, before: float, now: float) -> tuple[float, str] | None:
    """(size for ordering, words) or None when nothing moved at the precision the briefing prints."""
    if indicator.unit == "%":
        points = round((now - before) * 100, 1)
        if points == 0:
            return None
        return abs(points), f"{'提高' if points > 0 else '下降'}{abs(points):.1f}个百分点"
    delta = now - before
    if round(delta, 2) == 0:
        return None
    size = f"{abs(delta):.2f}".rstrip("0").rstrip(".")
    return abs(delta) / max(abs(before), 1), f"{'增加' if delta > 0 else '减少'}{size}{indicator.unit}"


def _fmt(indicator, value: float) -> str:
    if indicator.unit == "%":
        return f"{value * 100:.1f}%"
    return f"{value:.2f}".rstrip("0").rstrip(".") + indicator.unit


def comparison(now: dict, base: dict) -> tuple[dict | None, dict | None]:
    """Two paragraphs as {text, basis}: the overall change (for 一、总体情况) and the units that fell
    behind (for 二、存在的问题); None where there is nothing to say."""
    when = _day(base["date"])
    what = f"{when}通报（{base['number']}）" if base["source"] == "briefing" else f"{when}数据"
    indicators = {i.code: i for i in all_indicators()}
    before = base["figures"]
    moves, basis = [], []
    for code, fig in now["overall"].items():
        old = before.get("overall", {}).get(code)
        indicator = indicators.get(code)
        if indicator is None or old is None or old.get("value") is None or fig.get("value") is None:
            continue
        change = _change(indicator, old["value"], fig["value"])
        if change is None:
            continue
        moves.append((change[0], f"{indicator.name}{_fmt(indicator, fig['value'])}，较{when}{change[1]}"))
        basis.append(
            {
                "indicator": code,
                "name": indicator.name,
                "value": fig["value"],
                "previous": old["value"],
                "previous_date": base["date"],
                "compared_with": base["number"] or "快照",
            }
        )
    overall = None
    if moves:
        order = sorted(range(len(moves)), key=lambda i: -moves[i][0])[:MOST]
        overall = {
            "text": f"与{what}相比，" + "；".join(moves[i][1] for i in order) + "。",
            "basis": [basis[i] for i in order],
        }

    fell, fell_basis = [], []
    for code, unit in now["units"].items():
        old_statuses = before.get("units", {}).get(code, {}).get("statuses", {})
        worse = [
            c
            for c, st in unit["statuses"].items()
            if st != STATUS_OK
            and c in old_statuses
            and RANK.get(st, 0) > RANK.get(old_statuses[c], 0)
            and c in indicators
        ]
        if worse:
            moved = [f"{indicators[c].name}由{old_statuses[c]}转为{unit['statuses'][c]}" for c in worse[:3]]
            fell.append((len(worse), f"{_short(unit['name'])}（{'，'.join(moved)}{'等' if len(worse) > 3 else ''}）"))
            fell_basis.append(
                {
                    "unit": code,
                    "indicators": worse,
                    "previous": {c: old_statuses[c] for c in worse},
                    "now": {c: unit["statuses"][c] for c in worse},
                    "previous_date": base["date"],
                }
            )
    behind = None
    if fell:
        order = sorted(range(len(fell)), key=lambda i: -fell[i][0])
        listed = [fell[i][1] for i in order]
        text = "、".join(listed[:5]) + (f"等{len(listed)}个单位" if len(listed) > 5 else "")
        behind = {"text": f"与{what}相比，进度退步的有：{text}。", "basis": [fell_basis[i] for i in order]}
    return overall, behind

"""/api/v1/evaluation/units answers byte for byte what the cell-by-cell computation answered (issue 15:
the table is now computed a column at a time, with the garbage collector held off), on hand-built
counters: units with no counter row, empty totals, nothing to measure (0/0), counts, must-be-zero
figures at, below and above their bar, lower-is-better shares, sums over pieces, and an inactive unit."""

import datetime as dt
import gc

import orjson
import pytest

from tuijin.campaigns.models import Campaign
from tuijin.campaigns.queries import current_campaign
from tuijin.core.indicators import HIGHER, LOWER, STATUS_LAG, STATUS_SEVERE, ZERO, all_indicators
from tuijin.core.scope import subtree_q
from tuijin.evaluation import table as table_module
from tuijin.evaluation.models import CounterDate, OrgScore, Snapshot
from tuijin.evaluation.scorecard import totals
from tuijin.orgs.models import Org
from tests.conftest import make_org

AS_OF = dt.date(2026, 11, 27)
SNAP_DAY = AS_OF - dt.timedelta(days=7)


def reference_answer(root, as_of, depth=None) -> bytes:
    """The answer as units_table computed it before issue 15, one cell and one classifier call at a time
    (kept here verbatim as the reference), over totals read through the scorecard's own path."""
    campaign = current_campaign(root, as_of)
    progress = campaign.progress(as_of) if campaign else None
    lag = campaign.lag_threshold if campaign else 0.10
    severe = campaign.severe_lag_threshold if campaign else 0.25
    qs = Org.objects.filter(subtree_q("path", root.path), active=True)
    if depth is not None:
        qs = qs.filter(depth__lte=root.depth + depth)
    orgs = list(qs.order_by("path"))
    found, source = totals(orgs, as_of)
    totals_ = [{c: [p.num, p.den] for c, p in found[o.pk].items()} for o in orgs]
    columns, value_cols, status_cols = [], [], []
    for indicator in all_indicators():
        expected = indicator.expected_at(progress, as_of)
        columns.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "dimension": indicator.dimension,
                "unit": indicator.unit,
                "expected": expected,
                "higher_is_better": indicator.higher_is_better,
                "meaning": indicator.sense,
                "follows_time": indicator.time_based,
            }
        )
        classify = indicator.classifier(progress, as_of, lag=lag, severe=severe)
        counts_matter = indicator.sense == ZERO
        code, values, statuses = indicator.code, [], []
        for pairs in totals_:
            pair = pairs.get(code)
            if pair is None:
                values.append(None if indicator.is_ratio else 0)
                statuses.append(classify(None))
                continue
            num, den = pair
            value = num if den is None else (num / den if den else None)
            values.append(value)
            statuses.append(classify(value if den is not None or counts_matter else None))
        value_cols.append(values)
        status_cols.append(statuses)
    rows_v = [list(r) for r in zip(*value_cols, strict=True)]
    rows_s = [list(r) for r in zip(*status_cols, strict=True)]
    return orjson.dumps(
        {
            "org": {"code": root.code, "name": root.name},
            "as_of": as_of.isoformat(),
            "campaign": campaign.name if campaign else None,
            "time_progress": progress,
            "source": source,
            "indicators": columns,
            "units": [
                {
                    "code": o.code,
                    "name": o.name,
                    "depth": o.depth,
                    "kind": o.kind,
                    "sector": o.sector,
                    "values": v,
                    "statuses": s,
                }
                for o, v, s in zip(orgs, rows_v, rows_s, strict=True)
            ],
        }
    )


def hand_built_total(n: int) -> dict:
    """A total for the n-th unit: every indicator gets one of the shapes a counter can hold, in turn."""
    shapes = [
        None,  # not stored: nothing measured
        [0, 0],  # a ratio with nothing to measure
        [3, None],  # a count
        [59, 100],  # just at a time-progress of 0.6 minus a little
        [1, 4],  # far behind (or, lower-is-better, far ahead)
        [7, 5],  # above 1: visits per cadre, a sum of scores
        [1, 1],  # a must-be-zero share at 100%
        [5, None],  # a must-be-zero count at its severe bar
        [37.5, 10],  # a sum of quality scores over pieces
        [0, None],  # a count of zero
        [2, 40],  # a small share
    ]
    out = {}
    for k, indicator in enumerate(all_indicators()):
        shape = shapes[(n + k) % len(shapes)]
        if shape is not None:
            out[indicator.code] = shape
    return out


@pytest.fixture
def counters_by_hand(world):
    inactive = make_org(world.county_b, "XS-B-9", "B县已撤销党支部")
    inactive.active = False
    inactive.save()
    Campaign.objects.create(
        name="主题教育", start=AS_OF - dt.timedelta(days=59), end=AS_OF + dt.timedelta(days=40), root=world.city
    )
    CounterDate.objects.create(as_of=AS_OF)
    orgs = list(Org.objects.order_by("path"))
    for n, org in enumerate(orgs):
        if org.code == "XS-B-1":
            continue  # no counter row at all
        total = {} if org.code == "XS-A-2" else hand_built_total(n)
        OrgScore.objects.create(org=org, own=total, total=total)
        Snapshot.objects.create(date=SNAP_DAY, org=org, total=hand_built_total(n + 3))
    return world


def _answer(client, code, as_of, depth=None):
    url = f"/api/v1/evaluation/units?org={code}&as_of={as_of}" + ("" if depth is None else f"&depth={depth}")
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def test_the_answer_is_byte_for_byte_the_cell_by_cell_one(counters_by_hand, client):
    w = counters_by_hand
    client.force_login(w.city_office)
    body = _answer(client, "XS", AS_OF)
    assert body == reference_answer(w.city, AS_OF)
    data = orjson.loads(body)
    assert data["source"] == "counters" and len(data["units"]) == 8  # the inactive unit is not shown
    by_code = {u["code"]: u for u in data["units"]}
    assert by_code["XS-B-1"]["values"] == by_code["XS-A-2"]["values"]  # no row and an empty total read alike
    # The cells compared are not all 正常: must-be-zero and lower-is-better columns lag, some severely.
    statuses = [u["statuses"] for u in data["units"]]
    zero = [n for n, i in enumerate(all_indicators()) if i.sense == ZERO]
    assert {row[n] for row in statuses for n in zero} >= {STATUS_LAG, STATUS_SEVERE}
    lower = [n for n, i in enumerate(all_indicators()) if i.sense == LOWER]
    higher = [n for n, i in enumerate(all_indicators()) if i.sense == HIGHER and i.time_based]
    assert any(row[n] != "正常" for row in statuses for n in lower)
    assert {row[n] for row in statuses for n in higher} >= {STATUS_LAG, STATUS_SEVERE, "正常"}


def test_depth_snapshot_and_live_answers_are_the_cell_by_cell_ones(counters_by_hand, client):
    w = counters_by_hand
    client.force_login(w.city_office)
    assert _answer(client, "XS", AS_OF, depth=1) == reference_answer(w.city, AS_OF, depth=1)
    assert _answer(client, "XS-A", AS_OF) == reference_answer(w.county_a, AS_OF)
    snap = _answer(client, "XS", SNAP_DAY)
    assert orjson.loads(snap)["source"] == "snapshot" and snap == reference_answer(w.city, SNAP_DAY)
    live = _answer(client, "XS", AS_OF - dt.timedelta(days=1))
    assert orjson.loads(live)["source"] == "live" and live == reference_answer(w.city, AS_OF - dt.timedelta(days=1))


def test_the_garbage_collector_is_back_on_after_an_answer_and_after_a_failure(counters_by_hand, client):
    w = counters_by_hand
    client.force_login(w.city_office)
    assert gc.isenabled()
    _answer(client, "XS", AS_OF)
    assert gc.isenabled()
    with pytest.raises(ZeroDivisionError), table_module.gc_paused():
        assert not gc.isenabled()
        1 / 0  # noqa: B018
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        with table_module.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()

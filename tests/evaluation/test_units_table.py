"""全部单位指标一览: every unit of a subtree at once, equal cell by cell to the one-org scorecards."""

import datetime as dt
import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from hypothesis import given, strategies as st

from tuijin.core.indicators import STATUS_LAG, STATUS_OK, STATUS_SEVERE, all_indicators, classifier, status
from tuijin.core.scope import subtree_q
from tuijin.demo.generate import generate
from tuijin.evaluation import counters, jobs
from tuijin.evaluation.scorecard import scorecards
from tuijin.evaluation.table import units_table
from tuijin.orgs.models import Org, User

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def city(db):
    return generate("tiny", today=TODAY)


def _assert_equal_to_scorecards(table):
    orgs = {o.pk: o for o in Org.objects.filter(pk__in=[row[0] for row in table.orgs])}
    cards = scorecards([orgs[row[0]] for row in table.orgs], table.as_of)
    assert [c.indicator.code for c in table.columns] == [i.code for i in all_indicators()]
    checked = 0
    for org, values, statuses in table.rows():
        lines = cards[org[0]].lines
        for column, line, value, st_ in zip(table.columns, lines, values, statuses):
            assert column.indicator.code == line.code
            assert column.expected == line.expected
            assert value == (pytest.approx(line.value) if line.value is not None else None), (org[1], line.code)
            assert st_ == line.status, (org[1], line.code)
            checked += 1
    return checked


def test_units_table_equals_each_units_scorecard_from_counters(city):
    root = Org.objects.get(code="XS")
    counters.rebuild(TODAY)
    table = units_table(root, TODAY)
    assert table.source == "counters"
    assert [row[1] for row in table.orgs] == list(
        Org.objects.filter(active=True).order_by("path").values_list("code", flat=True)
    )
    assert _assert_equal_to_scorecards(table) == len(table.orgs) * len(all_indicators())
    # Not everything is 正常 in the demo city: the statuses really come from the data.
    assert {s for row in table.statuses for s in row} >= {STATUS_OK, STATUS_LAG}


def test_units_table_reads_snapshots_and_computes_live_for_other_dates(city):
    root = Org.objects.get(code="XS")
    earlier = TODAY - dt.timedelta(days=14)
    jobs.take_snapshot(earlier)
    counters.rebuild(TODAY)
    snap = units_table(root, earlier)
    assert snap.source == "snapshot"
    _assert_equal_to_scorecards(snap)
    live = units_table(root, TODAY - dt.timedelta(days=3))
    assert live.source == "live"
    _assert_equal_to_scorecards(live)


def test_units_table_follows_writes_through_the_counters(city):
    """A unit whose problem gets added shows it at once: counters are kept current by actions."""
    root = Org.objects.get(code="XS")
    counters.rebuild(TODAY)
    code = "problems.found"
    col = next(n for n, c in enumerate(units_table(root, TODAY).columns) if c.indicator.code == code)
    before = {row[1]: vals[col] for row, vals, _ in units_table(root, TODAY).rows()}
    from tuijin.rectification.models import Problem

    problem = Problem.objects.select_related("org").first()
    from tuijin.rectification import actions

    office = User.objects.get(username="city_office")
    actions.create_problem(
        actor=office,
        org=problem.org,
        category=problem.category,
        source=problem.source,
        description="新增问题：会议记录不全",
        found_on=TODAY,
    )
    after = {row[1]: vals[col] for row, vals, _ in units_table(root, TODAY).rows()}
    changed = {k for k in after if after[k] != before[k]}
    ancestors = set(
        Org.objects.filter(path__in=[problem.org.path[:i] for i in range(4, len(problem.org.path) + 1, 4)]).values_list(
            "code", flat=True
        )
    )
    assert changed == ancestors
    assert all(after[k] == before[k] + 1 for k in changed)


def test_depth_limits_the_table_to_levels_below_the_org(city):
    county = Org.objects.filter(depth=2).order_by("path").first()
    counters.rebuild(TODAY)
    table = units_table(county, TODAY, depth=1)
    assert [row[1] for row in table.orgs] == [county.code] + list(
        Org.objects.filter(parent=county, active=True).order_by("path").values_list("code", flat=True)
    )


def test_api_units_follows_scope_and_returns_every_unit(city, client):
    counters.rebuild(TODAY)
    client.force_login(User.objects.get(username="city_office"))
    response = client.get(f"/api/v1/evaluation/units?org=XS&as_of={TODAY}")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["source"] == "counters" and data["as_of"] == TODAY.isoformat()
    assert len(data["units"]) == Org.objects.filter(active=True).count()
    assert len(data["units"][0]["values"]) == len(data["indicators"]) == len(all_indicators())
    county = User.objects.get(username="county_office")
    county_org = county.grants.get(role="office").org
    client.force_login(county)
    assert client.get("/api/v1/evaluation/units?org=XS").status_code == 404
    own = json.loads(client.get(f"/api/v1/evaluation/units?org={county_org.code}").content)
    assert {u["code"] for u in own["units"]} == set(
        Org.objects.filter(path__startswith=county_org.path, active=True).values_list("code", flat=True)
    )
    one = client.get(f"/api/v1/evaluation/scorecard?org={county_org.code}&as_of={TODAY}")
    assert one.status_code == 200 and json.loads(one.content)["org"]["code"] == county_org.code
    assert client.get("/api/v1/evaluation/scorecard?org=XS").status_code == 404


def test_units_table_downloads_as_excel_from_page_and_cli(city, client, tmp_path):
    counters.rebuild(TODAY)
    client.force_login(User.objects.get(username="city_office"))
    response = client.get(f"/evaluation/XS/data/units.xlsx?as_of={TODAY}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:2] == ["组织编码", "组织名称"]
    assert sheet.max_row == 1 + Org.objects.filter(active=True).count()
    call_command(
        "scorecard",
        "--org",
        "XS",
        "--units",
        "--as-of",
        TODAY.isoformat(),
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "units.xlsx"),
    )
    again = openpyxl.load_workbook(tmp_path / "units.xlsx").active
    assert [[c.value for c in r] for r in again.iter_rows()] == [[c.value for c in r] for r in sheet.iter_rows()]
    call_command(
        "scorecard",
        "--org",
        "XS",
        "--units",
        "--depth",
        "1",
        "--as-of",
        TODAY.isoformat(),
        "--out",
        str(tmp_path / "units.json"),
    )
    data = json.loads((tmp_path / "units.json").read_text(encoding="utf-8"))
    assert [u["code"] for u in data["units"]] == ["XS"] + list(
        Org.objects.filter(depth=2, active=True).order_by("path").values_list("code", flat=True)
    )


def _reference_status(value, expected, lag, severe, higher, relative):
    """The rule as SPEC states it, written out independently of the classifier."""
    if value is None or expected is None:
        return STATUS_OK
    gap = (expected - value) if higher else (value - expected)
    if relative:
        gap = gap / expected if expected else (1.0 if gap > 0 else 0.0)
    return STATUS_SEVERE if gap > severe else STATUS_LAG if gap > lag else STATUS_OK


@given(
    value=st.one_of(st.none(), st.floats(0, 3, allow_nan=False)),
    expected=st.one_of(st.none(), st.just(0.0), st.floats(0.01, 3, allow_nan=False)),
    lag=st.floats(0.01, 0.3),
    extra=st.floats(0.0, 0.5),
    higher=st.booleans(),
    relative=st.booleans(),
)
def test_classifier_agrees_with_the_stated_rule(value, expected, lag, extra, higher, relative):
    severe = lag + extra
    got = classifier(expected, lag=lag, severe=severe, higher_is_better=higher, relative=relative)(value)
    assert got == _reference_status(value, expected, lag, severe, higher, relative)
    assert status(value, expected, lag=lag, severe=severe, higher_is_better=higher, relative=relative) == got


def test_subtree_filter_is_exactly_the_path_prefix(world):
    paths = list(Org.objects.values_list("path", flat=True))
    for path in paths + [paths[0][:-1] + "9", paths[0][:-1] + "Z"]:
        by_filter = set(Org.objects.filter(subtree_q("path", path)).values_list("path", flat=True))
        assert by_filter == {p for p in paths if p.startswith(path)}

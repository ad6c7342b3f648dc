"""The city-wide table is benched against its floor and a DuckDB scan-aggregate in the same run (issue 15):
naming the scenario runs its baselines, the report carries the ratios, and DuckDB's figures are the
counters' figures (the scenario compares them cell by cell). Timings are never asserted."""

import io
import json

import pytest
from django.core.management import call_command

from tuijin.bench.duck import CODES
from tuijin.core.indicators import all_indicators


@pytest.fixture
def bench(db, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("DATABASE_URL", "sqlite://:memory:")  # measure the test database (the tiny demo city)
    out = tmp_path / "bench.json"

    def run(*args):
        stdout = io.StringIO()
        call_command("bench", "--scale", "tiny", "--out", str(out), *args, stdout=stdout, stderr=io.StringIO())
        return json.loads(out.read_text(encoding="utf-8")), stdout.getvalue()

    return run


def test_the_units_table_runs_with_its_floor_and_duckdb_and_prints_the_ratios(bench):
    pytest.importorskip("duckdb")
    report, stdout = bench("--only", "scorecard_all_units", "--runs", "2")

    names = {"scorecard_all_units", "scorecard_all_units_floor", "scorecard_all_units_duckdb"}
    assert set(report["scenarios"]) == names
    for name in names:
        assert not report["scenarios"][name].get("skipped"), report["scenarios"][name]
    floor = report["scenarios"]["scorecard_all_units_floor"]
    assert floor["indicators"] == len(all_indicators()) and floor["units"] > 10 and floor["bytes"] > 0
    duck = report["scenarios"]["scorecard_all_units_duckdb"]
    assert duck["indicators"] == len(CODES) and set(CODES) <= {i.code for i in all_indicators()}
    assert duck["units"] == floor["units"] and duck["rows_loaded"]["self_study"] > 0
    assert duck["rows_loaded"]["attendance"] > 0 and duck["rows_loaded"]["problem"] > 0
    assert duck["cells_checked"] == duck["units"] * len(CODES)
    assert duck["cells_differing"] == {}  # the same figures as the counters, every cell
    vs = report["scenarios"]["scorecard_all_units"]["vs"]
    assert {k: v["target"] for k, v in vs.items()} == {
        "scorecard_all_units_floor": 2.0,
        "scorecard_all_units_duckdb": 0.3,
    }
    assert all(v["ratio"] > 0 and isinstance(v["met"], bool) for v in vs.values())
    assert set(report["ratios"]) == {
        "scorecard_all_units / scorecard_all_units_floor",
        "scorecard_all_units / scorecard_all_units_duckdb",
    }
    assert "scorecard_all_units / scorecard_all_units_duckdb：" in stdout and "目标 ≤ 0.3×" in stdout

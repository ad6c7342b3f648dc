"""`tuijin bench` writes its figures in the agreed shape. Timings are never asserted (SPEC §3)."""
import json

from django.core.management import call_command

SCENARIOS = {"import_problems", "county_problem_list_page", "api_people_list", "org_tree_page"}


def test_bench_writes_json_with_median_and_p95_for_every_scenario(db, settings, tmp_path, monkeypatch, capsys):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    # With DATABASE_URL set the bench measures that database: here, the test database.
    monkeypatch.setenv("DATABASE_URL", "sqlite://:memory:")
    out = tmp_path / "bench.json"

    call_command("bench", "--scale", "small", "--out", str(out), "--runs", "2", "--rows", "300")

    report = json.loads(out.read_text(encoding="utf-8"))
    from django.db import connection

    # The report names the database it measured: the test database, SQLite or PostgreSQL.
    assert report["scale"] == "small" and report["database"].startswith(connection.vendor)
    assert isinstance(report["generated_at"], str)
    assert SCENARIOS <= set(report["scenarios"])
    for name, figures in report["scenarios"].items():
        assert {"median_ms", "p95_ms", "runs"} <= set(figures), name
        if figures.get("skipped"):
            assert figures["runs"] == 0 and figures["median_ms"] is None
        else:
            assert figures["runs"] == 2 and figures["median_ms"] >= 0 and figures["p95_ms"] >= 0
    assert not report["scenarios"]["import_problems"].get("skipped")
    assert "import_problems" in capsys.readouterr().out

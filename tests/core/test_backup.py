"""`tuijin backup` → `tuijin restore` into a fresh database, on SQLite and (in the PostgreSQL pass) PostgreSQL.

Every step runs the real console command in a subprocess against real databases: a demo city is
generated, backed up, restored elsewhere, and the two databases are compared table by table.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

SRC = Path(__file__).resolve().parents[2] / "src"

# Prints {table: [rows, checksum]} and the audit chain's broken ids for the database in DATABASE_URL.
INSPECT = """
import json, django
django.setup()
from tuijin.core.backup import table_digests
from tuijin.core.events import verify_chain
from tuijin.core.models import DomainEvent
print(json.dumps({"tables": table_digests(), "broken": verify_chain(), "events": DomainEvent.objects.count()}))
"""


def tuijin(env, *args, check=True):
    proc = subprocess.run(
        [sys.executable, "-m", "tuijin.cli", *args], env=env, capture_output=True, text=True, cwd=env["TUIJIN_VAR_DIR"]
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def inspect(env):
    proc = subprocess.run([sys.executable, "-c", INSPECT], env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def environment(tmp_path, name, database_url):
    var = tmp_path / name
    var.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TUIJIN_", "DATABASE_URL"))}
    env.update(
        PYTHONPATH=str(SRC),
        DJANGO_SETTINGS_MODULE="tuijin.settings",
        TUIJIN_VAR_DIR=str(var),
        TUIJIN_MEDIA_ROOT=str(var / "media"),
        DATABASE_URL=database_url,
        TUIJIN_AUDIT_KEY="test-audit-key",
    )
    return env


def media(env):
    root = Path(env["TUIJIN_MEDIA_ROOT"])
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def rewrite(archive: Path, out: Path, *, drop=None, damage=None):
    """Copy the archive, leaving out member `drop` or flipping one byte of member `damage`."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for m in src.getmembers():
            if m.name == drop:
                continue
            data = src.extractfile(m).read()
            if m.name == damage:
                data = bytes([data[0] ^ 1]) + data[1:]
            dst.addfile(m, io.BytesIO(data))


def round_trip(tmp_path, source_url, target_url):
    source, target = environment(tmp_path, "source", source_url), environment(tmp_path, "target", target_url)
    tuijin(source, "demo", "--no-server")
    archive = tmp_path / "backup.tar"
    out = tuijin(source, "backup", "--out", str(archive)).stdout
    assert "已备份到" in out
    before = inspect(source)
    assert before["events"] > 100 and before["broken"] == []
    assert sum(t["rows"] for t in before["tables"].values()) > 10000
    source_media = media(source)
    assert source_media, "the demo stores evidence files"

    # A damaged archive is refused before anything is written.
    name = next(n for n in tarfile.open(archive).getnames() if n.startswith("media/"))
    for kind, kwargs, says in [
        ("damaged", {"damage": name}, "校验和不符"),
        ("missing", {"drop": name}, "缺少此文件"),
        ("no-db", {"drop": next(n for n in tarfile.open(archive).getnames() if n.startswith("db/"))}, "缺少此文件"),
    ]:
        bad = tmp_path / f"{kind}.tar"
        rewrite(archive, bad, **kwargs)
        proc = tuijin(target, "restore", str(bad), check=False)
        assert proc.returncode == 2, (kind, proc.stderr)
        assert "备份文件已损坏" in proc.stderr and says in proc.stderr, proc.stderr
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    proc = tuijin(target, "restore", str(truncated), check=False)
    assert proc.returncode == 2 and "备份文件已损坏" in proc.stderr
    assert media(target) == {}

    out = tuijin(target, "restore", str(archive)).stdout
    assert "各表行数与校验和均与备份一致" in out
    after = inspect(target)
    assert after["tables"] == before["tables"]  # every table: row count and checksum of its rows
    assert after["broken"] == [] and after["events"] == before["events"]
    assert media(target) == source_media

    # The restored database now holds data: a second restore must be forced.
    proc = tuijin(target, "restore", str(archive), check=False)
    assert proc.returncode == 2 and "--force" in proc.stderr
    tuijin(target, "restore", str(archive), "--force")
    assert inspect(target)["tables"] == before["tables"]


def test_backup_restores_into_a_fresh_sqlite_database(tmp_path):
    round_trip(tmp_path, f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'restored.sqlite3'}")


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="runs in the PostgreSQL pass (DATABASE_URL=postgres://…)",
)
def test_backup_restores_into_a_fresh_postgresql_database(tmp_path):
    import psycopg

    base = dj_database_url.parse(os.environ["DATABASE_URL"])
    names = [f"{base['NAME']}_backup_src", f"{base['NAME']}_backup_dst"]
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        round_trip(tmp_path, f"{server}/{names[0]}", f"{server}/{names[1]}")
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

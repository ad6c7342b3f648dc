"""`tuijin backup` / `tuijin restore`: one tar archive with a consistent database snapshot and the media files.

Archive members:
    manifest.json   format, database vendor, creation time, every other member's size and SHA-256,
                    and each table's row count and row checksum as of the snapshot
    db/tuijin.sqlite3   (SQLite: written with the online backup API, so writers never see a lock for long)
    db/tuijin.dump      (PostgreSQL: `pg_dump -Fc`, taken from the same snapshot the checksums were read in)
    media/...           the files under TUIJIN_MEDIA_ROOT

Restore checks every member against the manifest before touching anything, refuses a non-empty
database unless forced, and after loading compares every table's count and checksum with the manifest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import connection, connections

if TYPE_CHECKING:
    from django.db.backends.postgresql.base import DatabaseWrapper as PgDatabaseWrapper

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "db/tuijin.sqlite3"
PG_MEMBER = "db/tuijin.dump"
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator (Chinese)."""


# ---------------------------------------------------------------------------------------------- checksums


def _canonical(value: object) -> str:
    if value is None:
        return "\x00"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        # SQLite stores text, PostgreSQL a timestamp: one spelling for both readers of the same vendor
        return value.isoformat()
    return str(value)


def _digest_rows(cursor: Any, table: str, quote: Callable[[str], str]) -> tuple[int, str]:
    cursor.execute(f"SELECT * FROM {quote(table)}")
    rows: list[str] = []
    for row in iter(lambda: cursor.fetchmany(5000), []):
        rows.extend("\x1f".join(_canonical(v) for v in r) for r in row)
    rows.sort()  # order-independent: a restored table may come back in another physical order
    h = hashlib.sha256()
    for r in rows:
        h.update(r.encode())
        h.update(b"\x1e")
    return len(rows), h.hexdigest()


def sqlite_table_digests(path: str | os.PathLike) -> dict[str, dict]:
    """Row count and checksum of every table in a SQLite file, read with the plain driver (no converters)."""
    db = sqlite3.connect(f"file:{os.fspath(path)}?mode=ro", uri=True)
    try:
        cur = db.cursor()
        names = [
            r[0]
            for r in cur.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        out = {}
        for name in names:
            count, digest = _digest_rows(cur, name, lambda n: '"' + n.replace('"', '""') + '"')
            out[name] = {"rows": count, "sha256": digest}
        return out
    finally:
        db.close()


def pg_table_digests(cursor: Any) -> dict[str, dict]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    names = [r[0] for r in cursor.fetchall()]
    out = {}
    for name in names:
        count, digest = _digest_rows(cursor, name, connection.ops.quote_name)
        out[name] = {"rows": count, "sha256": digest}
    return out


def table_digests() -> dict[str, dict]:
    """Every table of the configured database (a SQLite file or PostgreSQL)."""
    if connection.vendor == "sqlite":
        return sqlite_table_digests(_sqlite_path())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            return pg_table_digests(cursor)
    raise BackupError(f"不支持的数据库类型：{connection.vendor}")


# ---------------------------------------------------------------------------------------------- helpers


def _sqlite_path() -> str:
    name = str(settings.DATABASES["default"]["NAME"])
    if name in ("", ":memory:") or name.startswith("file:"):
        raise BackupError("内存数据库不能备份或恢复，请用文件数据库（DATABASE_URL=sqlite:///路径）")
    return name


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore of the server's major version (a client older than the server refuses to dump)."""
    version = cast("PgDatabaseWrapper", connection).pg_version  # only called on a PostgreSQL connection
    major = version // 10000 if version >= 100000 else version // 100
    candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装与数据库服务器（PostgreSQL {major}）同版本的客户端工具")
    return found


def _pg_env_args() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    args = ["--no-password"]
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _media_files(root: Path) -> Iterator[tuple[Path, PurePosixPath]]:
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            yield path, PurePosixPath("media", *path.relative_to(root).parts)


# ---------------------------------------------------------------------------------------------- backup


def backup(out: str | os.PathLike) -> dict:
    """Write the archive to `out`; returns the manifest."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tuijin-backup-") as tmp_name:
        tmp = Path(tmp_name)
        if connection.vendor == "sqlite":
            db_member, db_file = SQLITE_MEMBER, tmp / "tuijin.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(db_file)
            try:
                connection.connection.backup(target)  # online backup API: a consistent copy while others write
            finally:
                target.close()
            tables = sqlite_table_digests(db_file)
        elif connection.vendor == "postgresql":
            db_member, db_file = PG_MEMBER, tmp / "tuijin.dump"
            args, env = _pg_env_args()
            # One snapshot for the dump and for the checksums: export it from a repeatable-read transaction.
            snap = connections.create_connection("default")
            try:
                snap.ensure_connection()
                snap.connection.autocommit = False
                with snap.connection.cursor() as cur:
                    cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    cur.execute("SELECT pg_export_snapshot()")
                    snapshot_id = cur.fetchone()[0]
                    proc = subprocess.run(
                        [
                            pg_tool("pg_dump"),
                            "-Fc",
                            "--no-owner",
                            "--no-privileges",
                            f"--snapshot={snapshot_id}",
                            *args,
                            "-f",
                            str(db_file),
                            str(settings.DATABASES["default"]["NAME"]),
                        ],
                        env=env,
                        capture_output=True,
                        text=True,
                    )
                    if proc.returncode != 0:
                        raise BackupError(f"pg_dump 失败：{proc.stderr.strip()}")
                    tables = pg_table_digests(cur)
                snap.connection.rollback()
            finally:
                snap.close()
        else:
            raise BackupError(f"不支持的数据库类型：{connection.vendor}")

        files = {db_member: {"size": db_file.stat().st_size, "sha256": _sha256_file(db_file)}}
        media = list(_media_files(Path(settings.MEDIA_ROOT)))
        for path, name in media:
            files[str(name)] = {"size": path.stat().st_size, "sha256": _sha256_file(path)}
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "vendor": connection.vendor,
            "files": files,
            "tables": tables,
        }
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(dt.datetime.now().timestamp()), 0o600
            tar.addfile(info, io.BytesIO(data))
            tar.add(db_file, arcname=db_member, recursive=False)
            for path, name in media:
                tar.add(path, arcname=str(name), recursive=False)
        os.replace(partial, out)  # never leave a half-written archive under the final name
    return manifest


# ---------------------------------------------------------------------------------------------- restore


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and bool(p.parts) and p.parts[0] in ("db", "media")


def check_archive(path: str | os.PathLike, into: Path) -> dict:
    """Extract into `into` and check every member against the manifest; returns the manifest.

    Raises BackupError naming the first kind of damage found (every damaged member is listed)."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    try:
        tar = tarfile.open(path, "r:*")  # noqa: SIM115 (closed by the `with tar:` below, after the refusal)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件已损坏，无法读取：{exc}") from None
    with tar:
        try:
            members = {m.name: m for m in tar.getmembers()}
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"备份文件已损坏（不完整）：{exc}") from None
        if MANIFEST not in members:
            raise BackupError("备份文件已损坏：缺少清单 manifest.json")
        try:
            manifest_file = tar.extractfile(members[MANIFEST])  # None: not a regular file
            if manifest_file is None:
                raise TypeError(MANIFEST)
            manifest = json.loads(manifest_file.read())
            files = manifest["files"]
            vendor = manifest["vendor"]
        except (ValueError, KeyError, TypeError, tarfile.TarError, OSError):
            raise BackupError("备份文件已损坏：清单 manifest.json 无法解析") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份文件格式版本 {manifest.get('format')} 不受支持（本程序为 {FORMAT}）")
        problems = []
        for name in files:
            if not _safe_name(name):
                problems.append(f"{name}：文件名不安全")
            elif name not in members or not members[name].isfile():
                problems.append(f"{name}：缺少此文件")
        for name, m in members.items():
            if name != MANIFEST and m.isfile() and name not in files:
                problems.append(f"{name}：清单中没有此文件")
        if problems:
            raise BackupError("备份文件已损坏：\n" + "\n".join(problems))
        for name, meta in files.items():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            h = hashlib.sha256()
            try:
                src = tar.extractfile(members[name])
                if src is None:  # cannot happen: every member was checked to be a regular file above
                    raise tarfile.TarError("not a regular file")
                with open(target, "wb") as dst:
                    while chunk := src.read(CHUNK):
                        h.update(chunk)
                        dst.write(chunk)
            except (tarfile.TarError, OSError, EOFError) as exc:
                problems.append(f"{name}：无法读取（{exc}）")
                continue
            if h.hexdigest() != meta.get("sha256"):
                problems.append(f"{name}：校验和不符（SHA-256 应为 {meta.get('sha256')}，实为 {h.hexdigest()}）")
        if problems:
            raise BackupError("备份文件已损坏：\n" + "\n".join(problems))
    if vendor != connection.vendor:
        raise BackupError(f"备份来自 {vendor} 数据库，当前数据库是 {connection.vendor}，不能直接恢复")
    return manifest


def database_rows() -> int:
    """Rows in the configured database's own tables (0 for a new or freshly migrated database)."""
    skip = {"django_migrations", "django_content_type", "auth_permission", "core_chainhead"}
    total = 0
    with connection.cursor() as cursor:
        for name in connection.introspection.table_names(cursor):
            if name in skip:
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")
            total += cursor.fetchone()[0]
    return total


def restore(path: str | os.PathLike, *, force: bool = False) -> dict:
    """Check the archive, then load it into the configured database and media root; returns the manifest."""
    with tempfile.TemporaryDirectory(prefix="tuijin-restore-") as tmp_name:
        tmp = Path(tmp_name)
        manifest = check_archive(path, tmp)
        if not force and database_rows():
            raise BackupError("当前数据库已有数据，恢复会覆盖它们。确认要覆盖请加 --force")
        if connection.vendor == "sqlite":
            target = _sqlite_path()
            connection.close()
            source = sqlite3.connect(tmp / SQLITE_MEMBER)
            dest = sqlite3.connect(target, timeout=30)
            try:
                source.backup(dest)  # replaces every page of the target, under its own lock
            finally:
                dest.close()
                source.close()
        else:
            args, env = _pg_env_args()
            connection.close()
            proc = subprocess.run(
                [
                    pg_tool("pg_restore"),
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--no-privileges",
                    "--single-transaction",
                    "--exit-on-error",
                    *args,
                    "-d",
                    str(settings.DATABASES["default"]["NAME"]),
                    str(tmp / PG_MEMBER),
                ],
                env=env,
                capture_output=True,
                text=True,
            )
            if proc.returncode != 0:
                raise BackupError(f"pg_restore 失败：{proc.stderr.strip()}")
        media_root = Path(settings.MEDIA_ROOT)
        for name in manifest["files"]:
            if name.startswith("media/"):
                dest_path = media_root.joinpath(*PurePosixPath(name).parts[1:])
                dest_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(tmp / name, dest_path)
    # The loaded database must be exactly the one backed up.
    now = table_digests()
    wrong = [name for name, meta in manifest["tables"].items() if now.get(name) != meta]
    if wrong:
        raise BackupError("恢复后的数据与备份清单不符：" + "、".join(wrong))
    return manifest

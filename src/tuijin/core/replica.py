"""Reads from a PostgreSQL streaming replica; writes, and the reads after a user's own write, on the primary.

Switched on by TUIJIN_REPLICA_URL (settings.py then adds the "replica" database, this router and the
middleware; without it nothing here is installed). Layout and limits: docs/deploy.md, "A province".

What goes where:
- Only the reads of a GET/HEAD/OPTIONS request (the pages and the API) may go to the replica. Every
  query of a POST/PUT/PATCH/DELETE request reads the primary: the action's own reads, and the scope
  check in front of it (`Org.objects.visible_to(user).get(...)` in the view) that decides whether the
  write may happen. Outside requests (the worker, the CLI, `tuijin bench`) everything is on the primary.
- Every write goes to the primary, and so does every read inside `transaction.atomic()` on the primary
  (the actions run in one) and every `select_for_update()` / `get_or_create()` (Django asks the router
  for the write database for those).
- Who is logged in and which API tokens are valid (sessions, tokens) are always read on the primary:
  a logout or a revoked token takes effect at once, a new login is found on the next request.
- Read-your-writes: a request that wrote (any unsafe method, or a GET whose view wrote) leaves a cookie
  holding the primary's WAL position after the write. While the cookie is there, the user's reads go to
  the primary until the replica has replayed up to that position (one `pg_last_wal_replay_lsn()` query
  per request); then the cookie is removed and the reads go back to the replica. Within one request,
  once something was written, its remaining reads go to the primary too.
- A replica that cannot be reached is left alone for REPLICA_RETRY_SECONDS: its reads go to the primary.
"""

import contextvars
import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, Error, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
COOKIE = "tj_wal"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Read on the primary in every request; written without counting as the user's write (a session's
# renewal, a token's last use are the request's bookkeeping, not something the user changed).
PRIMARY_ONLY = frozenset({"sessions.session", "orgs.apitoken"})
REPLICA_RETRY_SECONDS = 30
UNKNOWN_POSITION = "FFFFFFFF/FFFFFFFF"  # the primary's position could not be read: stay on it until the cookie expires
_LSN = re.compile(r"[0-9A-F]{1,8}/[0-9A-F]{1,8}")


@dataclass
class Reads:
    """Where the current request's reads may go."""

    replica: bool
    wrote: bool = False


_reads: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("tuijin_replica_reads", default=None)


@contextmanager
def routing(*, replica: bool) -> Iterator[Reads]:
    """Within the block, plain reads go to the replica when `replica` (what ReplicaReads does for a
    request); the state says afterwards whether anything was written."""
    state = Reads(replica=replica)
    token = _reads.set(state)
    try:
        yield state
    finally:
        _reads.reset(token)


class ReplicaRouter:
    """Django database router: the replica for a request's plain reads, the primary for everything else."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        state = _reads.get()
        if (
            state is None
            or not state.replica
            or state.wrote
            or model._meta.label_lower in PRIMARY_ONLY
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        state = _reads.get()
        if state is not None and model._meta.label_lower not in PRIMARY_ONLY:
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return {obj1._state.db, obj2._state.db} <= {DEFAULT_DB_ALIAS, REPLICA, None}

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA  # a standby replays the primary's schema; it cannot be migrated


class ReplicaReads:
    """Middleware: decides for each request whether its reads may go to the replica, and keeps the
    read-your-writes cookie (see the module's docstring). Installed only with TUIJIN_REPLICA_URL."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response
        self.sticky = settings.TUIJIN_REPLICA_STICKY_SECONDS

    def __call__(self, request: Any) -> Any:
        if REPLICA not in connections.settings:
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        after = request.COOKIES.get(COOKIE, "")
        after = after if _LSN.fullmatch(after) else ""
        with routing(replica=safe and replica_up() and (not after or replayed(after))) as state:
            response = self.get_response(request)
        if not safe or state.wrote:
            response.set_cookie(
                COOKIE,
                primary_position(),
                max_age=self.sticky,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        elif after and state.replica:
            response.delete_cookie(COOKIE, samesite="Lax")
        return response


_down_until = 0.0


def replica_up() -> bool:
    """Whether the replica answers (connecting if needed; the connection's health is checked once per
    request). A failure is logged and the replica skipped for REPLICA_RETRY_SECONDS."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    connection = connections[REPLICA]
    try:
        connection.close_if_health_check_failed()
        connection.ensure_connection()
    except Error as exc:
        logger.warning("只读副本连接失败，%s 秒内读请求改由主库处理：%s", REPLICA_RETRY_SECONDS, exc)
        _down_until = time.monotonic() + REPLICA_RETRY_SECONDS
        return False
    return True


def replayed(position: str) -> bool:
    """Whether the replica has replayed the primary's WAL up to `position` (an LSN such as "0/3000148")."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [position])
            row = cursor.fetchone()
    except Error:
        return False
    return bool(row and row[0])


def primary_position() -> str:
    """The primary's WAL insert position now: at or past the end of every transaction committed so far
    (also with synchronous_commit off, where the write position may still lag a commit)."""
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            row = cursor.fetchone()
    except Error:
        return UNKNOWN_POSITION
    return row[0] if row and row[0] else UNKNOWN_POSITION

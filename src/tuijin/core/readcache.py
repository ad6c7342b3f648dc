"""Reads kept until the next recorded change (issue 15: the county read mix under load).

Every change of business data is an action that records a domain event (core/events.record), and
every event moves the audit chain's head (`ChainHead.last_hash`). A read computed at one head is
still true at that head, so it may be kept under a key that holds it:

    version(request) = the chain head, the date (figures that count days change at midnight), and the
                       parts apps add to VERSION_PARTS for the writes that are not events (the daily
                       job's counter rebuild and snapshots: evaluation adds the counters' row)

The version is read *before* the value is computed, so a write that commits meanwhile can only leave
an entry newer than its key (the next request sees the new head and misses), never an older one.

What may be kept: what depends only on business data, the date, the user (keys hold the user's id:
their grants, scope and permissions, all changed by recorded actions) and the request's path and
query. Not what the session holds (messages, the CSRF token: the page body is stored with a
placeholder for it, see `tuijin_readcache`), nor the header's unread reminders or the user's import
jobs (written without an event): pages render those live around the stored body.

The store is Django's default cache (per process: LocMemCache unless CACHES says otherwise); entries
expire after TUIJIN_READ_CACHE_SECONDS (0 turns the whole thing off). Cached: the home page's and the
org and problem-list pages' bodies, the people and problem API lists.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connections, router
from django.http import HttpRequest, HttpResponse

from .calendar import today

# Functions () -> str of apps above core, for data they write without recording an event.
VERSION_PARTS: list[Callable[[], object]] = []
# Where a {% csrf_token %} inside a cached body goes: replaced by the request's own token when served.
CSRF_PLACEHOLDER = "tj-csrf-placeholder-7c1e"
SAFE_METHODS = ("GET", "HEAD")
# Set by ReadVersion for the length of a GET or HEAD request: its version, read once. Outside such a
# request (a write, the command line, a test calling a function directly) nothing is kept.
_request: ContextVar[dict | None] = ContextVar("tuijin_read_version", default=None)


class ReadVersion:
    """Middleware: a GET or HEAD request reads the data's version at most once, and only then may
    anything be kept or read back (`kept`, `page_body`, `api_list`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in SAFE_METHODS or seconds() <= 0:
            return self.get_response(request)
        token = _request.set({})
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def seconds() -> int:
    return int(getattr(settings, "TUIJIN_READ_CACHE_SECONDS", 600))


def active() -> bool:
    """Inside a GET or HEAD request with the read cache on."""
    return _request.get() is not None and seconds() > 0


def version() -> str:
    """The data's version now: changes with every recorded write, the date and VERSION_PARTS. Read on
    the database the request's reads go to (a replica's head matches the replica's rows)."""
    memo = _request.get()
    if memo is not None and "version" in memo:
        return memo["version"]
    from .models import ChainHead

    with connections[router.db_for_read(ChainHead)].cursor() as cursor:
        cursor.execute(f"SELECT last_hash FROM {ChainHead._meta.db_table} WHERE id = 1")
        row = cursor.fetchone()
    parts = [row[0] if row else "", today().isoformat(), *(str(fn()) for fn in VERSION_PARTS)]
    value = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    if memo is not None:
        memo["version"] = value
    return value


def _key(name: str, parts: Iterable[Any]) -> str:
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]
    return f"tj:read:{name}:{digest}:{version()}"


def kept(name: str, compute: Callable[[], Any], *parts: Any) -> Any:
    """compute(), kept under `parts` (e.g. the user's id) until the next recorded change. Computed
    afresh outside a GET request: a write and what it checks never read a kept value."""
    if not active():
        return compute()
    k = _key(name, parts)
    value = cache.get(k)
    if value is None:
        value = compute()
        cache.set(k, value, seconds())
    return value


def key(name: str, request: HttpRequest, *parts: Any) -> str:
    """The cache key of `name` for this request's user, path and query at the current version."""
    return _key(name, [getattr(getattr(request, "user", None), "pk", None), request.get_full_path(), *parts])


# --------------------------------------------------------------------------- a page's body


@dataclass
class PageBody:
    """What `{% readcache %}` needs: the stored body (a hit) or the key to store it under (a miss).
    A view passes it as `readcache` and builds the body's own context only when `hit` is False."""

    key: str | None
    html: str | None = None

    @property
    def hit(self) -> bool:
        return self.html is not None


def page_body(request: HttpRequest, name: str, *parts: Any) -> PageBody:
    if not active():
        return PageBody(None)
    k = key(f"page:{name}", request, *parts)
    return PageBody(k, cache.get(k))


# --------------------------------------------------------------------------- API lists


def api_list(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """For a GET list operation of the API, between `@router.get` and `@paginate`: the answer's JSON
    kept for this user, path and query until the next recorded change. Runs after the API's own
    authentication (a token is checked, and its last use noted, on every call)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not active():
                return func(request, *args, **kwargs)
            k = key(f"api:{name}", request)
            found = cache.get(k)
            if found is not None:
                content, content_type = found
                return HttpResponse(content, content_type=content_type)
            request._tj_read_store = k  # the answer is stored once django-ninja has rendered it
            return func(request, *args, **kwargs)

        # django-ninja's own hooks (decorate_view): wrap the operation's run to see the rendered answer.
        from ninja.decorators import decorate_view

        setattr(wrapper, "_ninja_contribute_to_operation", list(getattr(func, "_ninja_contribute_to_operation", [])))  # noqa: B010
        decorate_view(_store_answer)(wrapper)
        return wrapper

    return decorate


def _store_answer(run: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(run)
    def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = run(request, *args, **kwargs)
        k = getattr(request, "_tj_read_store", None)
        if k and response.status_code == 200 and not getattr(response, "streaming", False):
            cache.set(k, (response.content, response["Content-Type"]), seconds())
        return response

    return inner

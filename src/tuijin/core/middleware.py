"""Middleware of our own: security headers on every response, and a bound on query parameters.

Security headers: a strict Content-Security-Policy and a Permissions-Policy.

The policy allows scripts and styles only from our own origin: no inline <script>, no inline event
handlers, no eval, no <style> blocks or style="" attributes. Pages keep their behaviour in static
files (tuijin/site.js, tuijin/dashboard.js) and pass data to them with `json_script` or data-*
attributes. Scripts may still set styles through the DOM (element.style.width = …), which CSP does
not restrict; that is how ECharts and our progress bars size things.

And SessionActivity: the idle timeout without a session write on every request.
"""

import json
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",  # Bootstrap's form controls draw their arrows from data: SVGs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
# Nothing in the product uses these browser features; a page that asks for them is not ours.
PERMISSIONS = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "serial",
        "hid",
        "idle-detection",
        "publickey-credentials-get",
        "screen-wake-lock",
        "xr-spatial-tracking",
        "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.csp = getattr(settings, "TUIJIN_CSP", CSP)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        return response


class BoundedQueryMiddleware:
    """A query parameter longer than TUIJIN_MAX_PARAM_CHARS is refused with 400 before any view runs.

    No search box, filter or page number needs more; an unbounded `q` reaches the database as a LIKE
    pattern (SQLite refuses patterns over 50,000 bytes with an error, i.e. HTTP 500).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.limit = getattr(settings, "TUIJIN_MAX_PARAM_CHARS", 1000)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        for key, values in request.GET.lists():
            for value in values:
                if len(key) > self.limit or len(value) > self.limit:
                    return self.refuse(request, key[:40], f"太长（{len(value)} 个字符），最多 {self.limit} 个字符")
                if "\x00" in key or "\x00" in value:  # PostgreSQL refuses NUL in any text it compares
                    return self.refuse(request, key[:40].replace("\x00", ""), "含有空字符（\\x00）")
        if request.path.startswith("/api/") and request.content_type == "application/json" and _json_nul(request):
            return self.refuse(request, "请求内容", "含有空字符（\\x00）")
        return self.get_response(request)

    def refuse(self, request: HttpRequest, key: str, why: str) -> HttpResponse:
        message = f"查询参数“{key}”{why}" if key != "请求内容" else f"请求内容{why}"
        if request.path.startswith("/api/"):
            return HttpResponse(
                json.dumps({"detail": message, "field": key}, ensure_ascii=False),
                status=400,
                content_type="application/json; charset=utf-8",
            )
        return HttpResponse(render_to_string("400.html", {"message": message}, request), status=400)


def _json_nul(request: HttpRequest) -> bool:
    """A JSON body holding a NUL character (raw or as the escape \\u0000), which PostgreSQL would refuse."""
    try:
        body = request.body
    except Exception:  # too large or already read: the view answers as it would
        return False
    return b"\x00" in body or b"\\u0000" in body.lower()


SEEN = "_tj_seen"


class SessionActivity:
    """Keep the idle timeout without writing the session on every request.

    SESSION_SAVE_EVERY_REQUEST would renew the session's expiry on each page view, which means a
    database write per read. Here a session is marked modified (so SessionMiddleware, which wraps this
    middleware, saves it with a fresh expiry and cookie) only when TUIJIN_SESSION_RENEW_SECONDS have
    passed since it was last renewed; reads in between do not touch the session table."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.modified and not session.is_empty():
            now = int(time.time())  # the session's own bookkeeping, not business data
            seen = session.get(SEEN, 0)
            if not isinstance(seen, int) or now - seen >= settings.TUIJIN_SESSION_RENEW_SECONDS:
                session[SEEN] = now
        return response


# --------------------------------------------------------------------------- scope before the body


def scope_before_body(lookup: Callable[..., Any]) -> Callable[[Any], Any]:
    """Mark a page view that takes uploads: `lookup(request, **url_kwargs)` is its scope check (it
    raises Http404 for an object outside the user's scope) and ScopeBeforeBody runs it before anything
    reads the request body, so an outsider's upload is answered 404 without being parsed. Put it
    outermost (above @login_required)."""

    def mark(view: Any) -> Any:
        view.scope_before_body = lookup
        return view

    return mark


class ScopeBeforeBody:
    """For POSTs to views marked with @scope_before_body: log-in and scope are checked here, in the
    request phase, before CsrfViewMiddleware.process_view reads a multipart body to find the token.
    An anonymous POST goes to the login page, an out-of-scope one gets 404; neither body is read. CSRF
    is not weakened: an in-scope POST still meets the CSRF check and then the view's own checks.
    Must come after AuthenticationMiddleware (it needs request.user)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> HttpResponseBase:
        if request.method == "POST":
            from django.contrib.auth.views import redirect_to_login
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                match = None
            lookup = getattr(match.func, "scope_before_body", None) if match else None
            if match is not None and lookup is not None:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                try:
                    lookup(request, **match.kwargs)
                except Http404:
                    # Only the 404 page runs now; its @requires_csrf_token would otherwise parse the body
                    # looking for a token that nothing here needs. Django turns the Http404 into that page.
                    request.csrf_processing_done = True
                    raise
        return self.get_response(request)


# --------------------------------------------------------------------------- a write that waited too long

BUSY_MESSAGE = "系统正忙：其他人的修改正在保存，本次操作等待超时，未保存任何内容。请过几秒再试一次"
BUSY_RETRY_AFTER = "2"  # seconds
# PostgreSQL: lock_not_available (lock_timeout passed), deadlock_detected (one side is rolled back).
BUSY_SQLSTATES = {"55P03", "40P01"}


def database_busy(exc: BaseException) -> bool:
    """A write that gave up waiting for a lock: PostgreSQL's lock_timeout (settings.TUIJIN_DB_LOCK_TIMEOUT_MS)
    or a deadlock, SQLite's busy timeout ("database is locked"). Its transaction was rolled back whole."""
    from django.db import OperationalError

    if not isinstance(exc, OperationalError):
        return False
    return getattr(exc.__cause__, "sqlstate", None) in BUSY_SQLSTATES or "database is locked" in str(exc)


class DatabaseBusy:
    """Answers a write that waited too long for a lock with 503 and Retry-After (JSON under /api/), not
    a 500: writes wait a bounded time (no queue of writers that never answers) and the client is told
    nothing was saved and when to try again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not database_busy(exc):
            return None
        import logging

        logging.getLogger("tuijin.busy").warning(
            "%s %s：等待锁超时（%s）", request.method, request.path, str(exc).splitlines()[0][:200]
        )
        if request.path.startswith("/api/"):
            response = HttpResponse(
                json.dumps({"detail": BUSY_MESSAGE}, ensure_ascii=False),
                status=503,
                content_type="application/json; charset=utf-8",
            )
        else:
            response = HttpResponse(render_to_string("503.html", {"message": BUSY_MESSAGE}, request), status=503)
        response["Retry-After"] = BUSY_RETRY_AFTER
        return response

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

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

CSP = "; ".join([
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
])
# Nothing in the product uses these browser features; a page that asks for them is not ours.
PERMISSIONS = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "usb", "serial", "hid", "idle-detection",
    "publickey-credentials-get", "screen-wake-lock", "xr-spatial-tracking", "browsing-topics",
))


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.csp = getattr(settings, "TUIJIN_CSP", CSP)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS)
        return response


class BoundedQueryMiddleware:
    """A query parameter longer than TUIJIN_MAX_PARAM_CHARS is refused with 400 before any view runs.

    No search box, filter or page number needs more; an unbounded `q` reaches the database as a LIKE
    pattern (SQLite refuses patterns over 50,000 bytes with an error, i.e. HTTP 500).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = getattr(settings, "TUIJIN_MAX_PARAM_CHARS", 1000)

    def __call__(self, request):
        for key, values in request.GET.lists():
            for value in values:
                if len(key) > self.limit or len(value) > self.limit:
                    return self.refuse(request, key[:40], len(value))
        return self.get_response(request)

    def refuse(self, request, key, length):
        message = f"查询参数“{key}”太长（{length} 个字符），最多 {self.limit} 个字符"
        if request.path.startswith("/api/"):
            return HttpResponse(json.dumps({"detail": message, "field": key}, ensure_ascii=False), status=400,
                                content_type="application/json; charset=utf-8")
        return HttpResponse(render_to_string("400.html", {"message": message}, request), status=400)


SEEN = "_tj_seen"


class SessionActivity:
    """Keep the idle timeout without writing the session on every request.

    SESSION_SAVE_EVERY_REQUEST would renew the session's expiry on each page view, which means a
    database write per read. Here a session is marked modified (so SessionMiddleware, which wraps this
    middleware, saves it with a fresh expiry and cookie) only when TUIJIN_SESSION_RENEW_SECONDS have
    passed since it was last renewed; reads in between do not touch the session table."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not session.modified and not session.is_empty():
            now = int(time.time())  # the session's own bookkeeping, not business data
            seen = session.get(SEEN, 0)
            if not isinstance(seen, int) or now - seen >= settings.TUIJIN_SESSION_RENEW_SECONDS:
                session[SEEN] = now
        return response

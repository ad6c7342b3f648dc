"""Request middleware of our own."""
import time

from django.conf import settings

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

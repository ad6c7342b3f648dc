"""The real client address behind a known number of trusted reverse proxies.

Each proxy appends the address it received the request from to X-Forwarded-For, so only the
right-most entries were written by proxies we run; everything to their left was sent by the client
and can be anything. With N trusted proxies, REMOTE_ADDR is the nearest proxy and the client is the
N-th entry from the right of X-Forwarded-For (the right-most hop no trusted proxy vouches away).
The left-most entry is never used. TUIJIN_TRUSTED_PROXIES=0 (the default) ignores the header.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [v6]:port
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # v4:port
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest, trusted_proxies: int | None = None) -> str:
    """The address of whoever is on the far side of our trusted proxies (see the module docstring)."""
    trusted = settings.TUIJIN_TRUSTED_PROXIES if trusted_proxies is None else trusted_proxies
    remote = request.META.get("REMOTE_ADDR", "") or ""
    if trusted <= 0:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < trusted:
        # Fewer hops than proxies: the request did not come through all of them; the header, if any,
        # was written by the client, so only the connection's own address can be believed.
        return remote
    return _valid(hops[-trusted]) or remote

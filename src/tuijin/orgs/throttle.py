"""Login throttling with growing delays, per account and per client address.

After `limit` failures on one account, each further attempt must wait 2, 4, 8, … seconds (capped)
after the last failure; attempts made while waiting are refused without checking the password and are
not counted, so nobody can push the wait up faster than time passes, and the account's owner gets in
as soon as the wait is over. A failure from one address counts against that address too: many failures
from one address across accounts slow that address down (with a higher limit, as a whole office may sit
behind one address). A successful login clears the account's count. Nothing here reads the clock:
callers pass `now`.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from .models import LoginThrottle, User


@dataclass(frozen=True)
class Limits:
    account: int
    address: int
    cap_seconds: int
    forget_after: dt.timedelta


def limits() -> Limits:
    return Limits(
        account=settings.TUIJIN_LOGIN_FAILURE_LIMIT,
        address=settings.TUIJIN_LOGIN_ADDRESS_LIMIT,
        cap_seconds=settings.TUIJIN_LOGIN_MAX_DELAY,
        forget_after=dt.timedelta(days=1),
    )


def delay_after(failures: int, limit: int, cap: int) -> int:
    """Seconds to wait after the given number of consecutive failures: 0 below the limit, then 2, 4, 8…"""
    if failures < limit:
        return 0
    return min(2 ** min(failures - limit + 1, 30), cap)


def _keys(username: str, ip: str) -> list[tuple[str, int]]:
    lim = limits()
    keys = [(f"address:{ip}", lim.address)] if ip else []
    # Only real accounts get a row: made-up names cannot fill the table.
    if username and User.objects.filter(username=username).exists():
        keys.append((f"account:{username}", lim.account))
    return keys


def wait_seconds(username: str, ip: str, now) -> int:
    """How long this attempt must still wait (0: go ahead)."""
    keys = [k for k, _ in _keys(username[:150], ip)]
    waits = [
        int((row.blocked_until - now).total_seconds()) + 1
        for row in LoginThrottle.objects.filter(key__in=keys, blocked_until__gt=now)
    ]
    return max(waits, default=0)


def failed(username: str, ip: str, now) -> int:
    """Count one failure against the account and the address; returns the wait it causes."""
    lim = limits()
    longest = 0
    with transaction.atomic():
        for key, limit in _keys(username[:150], ip):
            row, _ = LoginThrottle.objects.select_for_update().get_or_create(key=key, defaults={"last_failure": now})
            if now - row.last_failure > lim.forget_after:
                row.failures = 0
            row.failures += 1
            row.last_failure = now
            delay = delay_after(row.failures, limit, lim.cap_seconds)
            row.blocked_until = now + dt.timedelta(seconds=delay) if delay else None
            row.save()
            longest = max(longest, delay)
    return longest


def succeeded(username: str) -> None:
    LoginThrottle.objects.filter(key=f"account:{username}").delete()

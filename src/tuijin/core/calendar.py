"""The campaign calendar. Every computation takes an explicit as_of date;
only views and the CLI call today()."""

import datetime as dt
import os

from django.utils import timezone


def today() -> dt.date:
    override = os.environ.get("TUIJIN_TODAY")
    if override:
        return dt.date.fromisoformat(override)
    return timezone.localdate()


def time_progress(start: dt.date, end: dt.date, as_of: dt.date) -> float:
    """时间进度 = 已过天数 / 总天数, as offices count it: the start day is day 1 and
    as_of itself counts as passed. Clamped to 0 before the start and 1 after the end."""
    total = (end - start).days + 1
    if total <= 0:
        raise ValueError("结束日期早于开始日期")
    elapsed = (as_of - start).days + 1
    return max(0.0, min(1.0, elapsed / total))

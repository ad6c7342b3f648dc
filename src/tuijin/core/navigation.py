"""Figures shown in every page's header that belong to apps above core (the inbox's unread count).

An app appends a function `(user) -> int` from its AppConfig.ready(); the header shows the sum."""

HEADER_COUNTS: list = []


def unread(user) -> int:
    return sum(fn(user) for fn in HEADER_COUNTS)

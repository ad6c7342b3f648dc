"""Figures shown in every page's header that belong to apps above core (the inbox's unread count).

An app appends a function `(user) -> int` from its AppConfig.ready(); the header shows the sum."""

import datetime as dt
from typing import Any

HEADER_COUNTS: list = []


def unread(user: Any) -> int:
    return sum(fn(user) for fn in HEADER_COUNTS)


# Panels on the home page from apps above core (letters a unit received, …): `(user, as_of) ->
# list of {"title", "items": [{"text", "url", "warn"}]}`; only non-empty panels are shown.
HOME_PANELS: list = []


def home_panels(user: Any, as_of: dt.date) -> list[dict]:
    return [panel for fn in HOME_PANELS for panel in fn(user, as_of) if panel.get("items")]

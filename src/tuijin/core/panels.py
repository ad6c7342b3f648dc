"""Pieces a higher app adds to a lower app's page: the lower app reaches upward only through this
registry (docs/architecture.md, layers). The jobs app fills it from its AppConfig.ready(); the
evaluation dashboard shows whatever is registered for "dashboard", without importing jobs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    template: str  # rendered with `data` in its context
    data: Callable[[dt.date], Any]  # (as_of) -> what the template shows


_PANELS: dict[str, dict[str, Panel]] = {}


def register_panel(page: str, panel: Panel) -> None:
    _PANELS.setdefault(page, {})[panel.template] = panel


def panels(page: str, as_of: dt.date) -> list[tuple[str, Any]]:
    """(template, data) for each panel registered on `page`, in registration order."""
    return [(p.template, p.data(as_of)) for p in _PANELS.get(page, {}).values()]

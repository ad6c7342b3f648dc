"""The record-kind registry, beside the indicator registry (core/indicators.py).

Each module registers the kinds of records it owns from its AppConfig.ready(); task rules
(campaigns/rules.py) count them. The registry lives in core so that orgs, the lowest app with
records, can register its kinds without importing campaigns (docs/architecture.md, layers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordKind:
    name: str
    label: str
    queryset: Callable  # () -> QuerySet of the records
    org_field: str  # path from a record to its owning Org ("org", "person__org")
    fields: dict[str, str] = field(default_factory=dict)  # where-key -> ORM lookup
    date_field: str | None = None  # records dated after as_of do not count
    person_field: str | None = None  # enables per = "leading_cadre"


_KINDS: dict[str, RecordKind] = {}


def register_kind(kind: RecordKind) -> None:
    _KINDS[kind.name] = kind


def kinds() -> dict[str, RecordKind]:
    return dict(_KINDS)


def get_kind(name: str) -> RecordKind | None:
    return _KINDS.get(name)

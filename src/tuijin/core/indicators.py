"""The indicator registry (SPEC §2.8). Modules register indicators; scorecards and briefings read them.

An indicator computes, for each org, an additive pair over the org's *own* records:
numerator and denominator (for a count the denominator is None). A subtree's value is the sum
of its members' pairs, so a roll-up always equals the sum of its parts, and a scorecard never
needs module-specific roll-up code.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps

from .scope import subtree_q

DIMENSIONS = ["学习教育", "调查研究", "检视整改", "办实事", "宣传信息", "组织领导"]
STATUS_OK, STATUS_LAG, STATUS_SEVERE = "正常", "滞后", "严重滞后"


@dataclass(frozen=True)
class Pair:
    num: float
    den: float | None = None

    def __add__(self, other: Pair) -> Pair:
        den = None if self.den is None and other.den is None else (self.den or 0) + (other.den or 0)
        return Pair(self.num + other.num, den)

    @property
    def value(self) -> float | None:
        if self.den is None:
            return self.num
        return self.num / self.den if self.den else None


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    dimension: str
    unit: str  # "%" for shares, or a counting word such as "个"
    compute: Callable  # (orgs, as_of, campaign) -> {org id: Pair} over each org's own records
    expected: Callable[[float], float | None] | None = None  # time progress -> expected value
    higher_is_better: bool = True
    description: str = ""

    @property
    def is_ratio(self) -> bool:
        """A share, or anything measured against an expectation: with nothing measured it reads "—"
        (no value), where a count reads 0."""
        return self.unit == "%" or self.expected is not None


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {indicator.dimension!r}")
    _REGISTRY[indicator.code] = indicator
    return indicator


def all_indicators() -> list[Indicator]:
    return list(_REGISTRY.values())


def get(code: str) -> Indicator:
    return _REGISTRY[code]


def classifier(expected: float | None, *, lag: float, severe: float, higher_is_better: bool = True,
               relative: bool = False) -> Callable[[float | None], str]:
    """正常 / 滞后 / 严重滞后 for values measured against one expected value.

    For shares the shortfall is in percentage points of 1.0; for other ratios (visits per cadre)
    it is relative to the expectation (`relative=True`). A shortfall of more than `lag` is 滞后,
    more than `severe` is 严重滞后. Without an expectation, everything is 正常.
    Built once per indicator and applied to every org's value, so a city-wide table pays the
    arithmetic per cell and nothing else.
    """
    if expected is None:
        return lambda value: STATUS_OK
    sign = 1.0 if higher_is_better else -1.0
    scale = (abs(expected) if expected else None) if relative else 1.0

    def classify(value: float | None) -> str:
        if value is None:
            return STATUS_OK
        gap = sign * (expected - value)
        if scale is None:  # relative to an expectation of zero: any shortfall is total
            gap = 1.0 if gap > 0 else 0.0
        elif scale != 1.0:
            gap = gap / scale
        if gap > severe:
            return STATUS_SEVERE
        if gap > lag:
            return STATUS_LAG
        return STATUS_OK
    return classify


def status(value: float | None, expected: float | None, *, lag: float, severe: float,
           higher_is_better: bool = True, relative: bool = False) -> str:
    """The status of one value (see `classifier`)."""
    return classifier(expected, lag=lag, severe=severe, higher_is_better=higher_is_better,
                      relative=relative)(value)


def roll_up(orgs, own: dict[int, Pair]) -> dict[int, Pair]:
    """Sum each org's own pairs over its subtree. `orgs` must contain every org of the subtrees."""
    by_path = sorted(orgs, key=lambda o: o.path, reverse=True)  # children before parents
    total: dict[int, Pair] = {}
    path_to_id = {o.path: o.pk for o in orgs}
    steplen = orgs[0].steplen if orgs else 4
    for org in by_path:
        total[org.pk] = total.get(org.pk, Pair(0, None)) + own.get(org.pk, Pair(0, None))
        parent_id = path_to_id.get(org.path[:-steplen])
        if parent_id is not None:
            total[parent_id] = total.get(parent_id, Pair(0, None)) + total[org.pk]
    return total


@dataclass
class Reading:
    indicator: Indicator
    value: float | None
    expected: float | None
    status: str
    pair: Pair


def read(indicator: Indicator, org, as_of: dt.date, campaign) -> Reading:
    """The indicator for one org's whole subtree."""
    orgs = list(apps.get_model("orgs", "Org").objects.filter(subtree_q("path", org.path)))
    totals = roll_up(orgs, indicator.compute(orgs, as_of, campaign))
    pair = totals.get(org.pk, Pair(0, None))
    progress = campaign.progress(as_of) if campaign else None
    expected = indicator.expected(progress) if indicator.expected and progress is not None else None
    st = status(pair.value, expected, lag=campaign.lag_threshold if campaign else 0.1,
                severe=campaign.severe_lag_threshold if campaign else 0.25,
                higher_is_better=indicator.higher_is_better, relative=indicator.unit != "%")
    return Reading(indicator, pair.value, expected, st, pair)

"""The indicator registry (SPEC §2.8). Modules register indicators; scorecards and briefings read them.

An indicator computes, for each org, an additive pair over the org's *own* records:
numerator and denominator (for a count the denominator is None). A subtree's value is the sum
of its members' pairs, so a roll-up always equals the sum of its parts, and a scorecard never
needs module-specific roll-up code.

Every indicator declares its **meaning** (SPEC §2.8, issue 9), and the status and the sentences
about it follow from that alone:
- `HIGHER` (越高越好) / `LOWER` (越低越好): compared with an expectation when it has one;
  `follows_time` says the expectation grows with the campaign's time progress (覆盖率, 销号率),
  `per_month` that it grows with the elapsed part of the calendar month (本月开展集体学习比例: on
  day d of a month of D days, d/D of the monthly expectation — so nobody lags on the 1st);
- `ZERO` (应为零): a count or share that should be zero (逾期, 反弹, 疑似泛化). Any is 滞后, and
  `zero_severe` or more (default: 5 for a count, the campaign's severe threshold for a share) is
  严重滞后. It is never compared with time progress; a sentence says "有N个", never "时间进度";
- `NEUTRAL` (不作评判): a figure reported, never judged or praised (查摆问题数: the number of problems
  found is never a target, SPEC §2.9).
`Indicator.classifier` is the one status function: scorecards, the units table, the dashboard and
the briefing all call it, so the same figure gets the same status everywhere.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps

from .scope import subtree_q

HIGHER, LOWER, ZERO, NEUTRAL = "higher", "lower", "zero", "neutral"
MEANINGS = {HIGHER: "越高越好", LOWER: "越低越好", ZERO: "应为零", NEUTRAL: "不作评判"}
ZERO_SEVERE_COUNT = 5

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
    meaning: str = ""  # HIGHER / LOWER / ZERO / NEUTRAL; "" (undeclared) is read from higher_is_better
    follows_time: bool | None = None  # None (undeclared): read from whether there is an expectation
    per_month: bool = False  # the expectation is pro-rated by the elapsed part of the calendar month
    zero_severe: float | None = None  # ZERO: from this value on 严重滞后

    def __post_init__(self) -> None:
        if self.meaning and self.meaning not in MEANINGS:
            raise ValueError(f"unknown meaning {self.meaning!r} of {self.code}")
        if self.meaning in (HIGHER, LOWER, ZERO, NEUTRAL):
            object.__setattr__(self, "higher_is_better", self.meaning in (HIGHER, NEUTRAL))
        if self.meaning == ZERO and self.follows_time:
            raise ValueError(f"{self.code}: a must-be-zero figure does not follow time progress")

    @property
    def declared(self) -> bool:
        """Whether the module said what the figure means (every indicator should)."""
        return bool(self.meaning) and self.follows_time is not None

    @property
    def sense(self) -> str:
        """The meaning, declared or read from the older fields."""
        if self.meaning:
            return self.meaning
        if self.expected is None and not self.higher_is_better:
            return ZERO
        return HIGHER if self.higher_is_better else LOWER

    @property
    def time_based(self) -> bool:
        return (
            bool(self.follows_time)
            if self.follows_time is not None
            else (self.expected is not None and self.sense in (HIGHER, LOWER) and not self.per_month)
        )

    def expected_at(self, progress: float | None, as_of: dt.date | None = None) -> float | None:
        """The value expected at a time progress (and, for `per_month`, on as_of's day of the month)."""
        if self.sense == ZERO:
            return 0.0
        if self.sense == NEUTRAL or self.expected is None or progress is None:
            return None
        value = self.expected(progress)
        if value is not None and self.per_month and as_of is not None:
            value *= month_elapsed(as_of)
        return value

    def expectation_words(self) -> str:
        """How a sentence names the expectation: 时间进度应达 only for what follows time progress."""
        if self.time_based:
            return "时间进度应达"
        if self.per_month:
            return "本月至今应达"
        return "应达"

    def classifier(
        self, progress: float | None, as_of: dt.date | None = None, *, lag: float = 0.10, severe: float = 0.25
    ) -> Callable[[float | None], str]:
        """THE status function: value (a count's number, a ratio's value, None with nothing measured)
        -> 正常 / 滞后 / 严重滞后, by the indicator's meaning."""
        sense = self.sense
        if sense == NEUTRAL:
            return lambda value: STATUS_OK
        if sense == ZERO:
            bar = (
                self.zero_severe
                if self.zero_severe is not None
                else (severe if self.unit == "%" else ZERO_SEVERE_COUNT)
            )

            def zero(value: float | None) -> str:
                if not value or value <= 0:
                    return STATUS_OK
                return STATUS_SEVERE if value >= bar else STATUS_LAG

            return zero
        return classifier(
            self.expected_at(progress, as_of),
            lag=lag,
            severe=severe,
            higher_is_better=sense == HIGHER,
            relative=self.unit != "%",
        )

    def status_of(
        self,
        pair: Pair,
        progress: float | None,
        as_of: dt.date | None = None,
        *,
        lag: float = 0.10,
        severe: float = 0.25,
    ) -> str:
        return self.classifier(progress, as_of, lag=lag, severe=severe)(measured(self, pair))

    def column(
        self,
        pairs: list,
        progress: float | None,
        as_of: dt.date | None = None,
        *,
        lag: float = 0.10,
        severe: float = 0.25,
    ) -> tuple[list, list[str]]:
        """Values and statuses of many orgs at once, from their stored pairs ([num, den] or (num, den),
        den None for a count; None where the org has nothing): for each cell exactly what
        `Pair.value` (0 or None where nothing is stored, as a scorecard shows it) and `classifier`
        on `measured` give one by one, but without a Python call per cell. The city-wide units table
        classifies ~6,000 orgs × every indicator this way (tests compare it with the scalar path)."""
        missing = None if self.is_ratio else 0
        values = [missing if p is None else (p[0] if p[1] is None else (p[0] / p[1] if p[1] else None)) for p in pairs]
        sense = self.sense
        if sense == NEUTRAL:
            return values, [STATUS_OK] * len(values)
        if sense == ZERO:  # measured: the value, a count's number included; 0 and None are 正常
            bar = (
                self.zero_severe
                if self.zero_severe is not None
                else (severe if self.unit == "%" else ZERO_SEVERE_COUNT)
            )
            return values, [STATUS_OK if not v or v <= 0 else STATUS_SEVERE if v >= bar else STATUS_LAG for v in values]
        expected = self.expected_at(progress, as_of)
        if expected is None:
            return values, [STATUS_OK] * len(values)
        # measured: nothing for a count without a denominator (only a ratio is compared)
        measured_ = [None if p is None or p[1] is None else v for p, v in zip(pairs, values, strict=True)]
        return values, classify_all(
            measured_, expected, lag=lag, severe=severe, higher_is_better=sense == HIGHER, relative=self.unit != "%"
        )

    @property
    def is_ratio(self) -> bool:
        """A share, or anything measured against an expectation: with nothing measured it reads "—"
        (no value), where a count reads 0."""
        return self.unit == "%" or self.expected is not None


def month_elapsed(as_of: dt.date) -> float:
    """Share of as_of's calendar month that has passed, as offices count days: the 1st is day 1."""
    nxt = (as_of.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return as_of.day / (nxt - as_of.replace(day=1)).days


def measured(indicator: Indicator, pair: Pair | None) -> float | None:
    """What the status looks at: a count's number, a ratio's value; None when nothing is measured."""
    if pair is None:
        return None
    if pair.den is None:
        return pair.num if indicator.sense == ZERO else None
    return pair.value


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


def classifier(
    expected: float | None, *, lag: float, severe: float, higher_is_better: bool = True, relative: bool = False
) -> Callable[[float | None], str]:
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


def classify_all(
    values: list,
    expected: float | None,
    *,
    lag: float,
    severe: float,
    higher_is_better: bool = True,
    relative: bool = False,
) -> list[str]:
    """`classifier(expected, …)` applied to every value of a column, with the same arithmetic written
    out in comprehensions (no Python call per value): for a city-wide table of ~6,000 orgs the calls
    were a third of the request. tests/core compares the two on arbitrary values."""
    if expected is None:
        return [STATUS_OK] * len(values)
    sign = 1.0 if higher_is_better else -1.0
    scale = (abs(expected) if expected else None) if relative else 1.0
    if scale is None:  # relative to an expectation of zero: any shortfall is total
        gaps = [None if v is None else (1.0 if sign * (expected - v) > 0 else 0.0) for v in values]
    elif scale != 1.0:
        gaps = [None if v is None else sign * (expected - v) / scale for v in values]
    else:
        gaps = [None if v is None else sign * (expected - v) for v in values]
    return [
        STATUS_OK if g is None else STATUS_SEVERE if g > severe else STATUS_LAG if g > lag else STATUS_OK for g in gaps
    ]


def status(
    value: float | None,
    expected: float | None,
    *,
    lag: float,
    severe: float,
    higher_is_better: bool = True,
    relative: bool = False,
) -> str:
    """The status of one value (see `classifier`)."""
    return classifier(expected, lag=lag, severe=severe, higher_is_better=higher_is_better, relative=relative)(value)


def roll_up(orgs: list[Any], own: dict[int, Pair]) -> dict[int, Pair]:
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


def read(indicator: Indicator, org: Any, as_of: dt.date, campaign: Any) -> Reading:
    """The indicator for one org's whole subtree."""
    orgs = list(apps.get_model("orgs", "Org").objects.filter(subtree_q("path", org.path)))
    totals = roll_up(orgs, indicator.compute(orgs, as_of, campaign))
    pair = totals.get(org.pk, Pair(0, None))
    progress = campaign.progress(as_of) if campaign else None
    expected = indicator.expected_at(progress, as_of) if campaign else None
    st = indicator.status_of(
        pair,
        progress,
        as_of,
        lag=campaign.lag_threshold if campaign else 0.1,
        severe=campaign.severe_lag_threshold if campaign else 0.25,
    )
    return Reading(indicator, pair.value, expected, st, pair)

"""The detector registry (issue 9): the seed's judgements as patterns in one unit's figures.

A detector looks at one org's subtree totals of a few registered indicators (`uses`) and says
whether the org shows the pattern ("集体学习多、个人自学少", "调研多、转化少"…), with the figures
that make it a short board. Its thresholds are data: `defaults` here, overridden per campaign by
the campaign file's `[detectors.CODE]` table (campaigns/loader.py validates them).

Modules register their detectors next to their indicators (from AppConfig.ready(), like the
indicator registry); `evaluation.findings` runs them over a subtree, keeps the units where each
pattern really sits and addresses them to the units a briefing is sent to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .indicators import DIMENSIONS, Pair

# The seed's section-一 judgements (a detector belongs to one of them), in the speech's order.
JUDGEMENTS = {
    "学习教育": "学习教育存在不够平衡的现象",
    "检视整改": "问题整改存在不够深入的现象",
    "方式方法": "方式方法存在不够灵活的现象",
    "宣传信息": "宣传氛围存在不够浓厚的现象",
}


class ProbeOrg(Protocol):
    """What a detector may read of the org (an orgs.Org; core cannot import it)."""

    @property
    def kind(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass
class Probe:
    """What a detector sees for one org: its subtree totals, its own place, time and its thresholds."""

    org: ProbeOrg  # an Org (kind, depth, name…)
    totals: dict[str, Pair]  # subtree total per indicator code
    progress: float | None  # campaign time progress at as_of
    as_of: dt.date
    params: dict
    lag: float = 0.10  # the campaign's lag threshold

    def pair(self, code: str) -> Pair:
        return self.totals.get(code) or Pair(0, 0)

    def expected(self, code: str) -> float | None:
        from .indicators import get

        return get(code).expected_at(self.progress, self.as_of)


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def num(value: float) -> str:
    return (
        f"{value:.2f}".rstrip("0").rstrip(".")
        if isinstance(value, float) and not value.is_integer()
        else str(int(value))
    )


@dataclass
class Hit:
    """The pattern holds for the org: figures (name -> value, shares as 0–1), one clause saying so
    ("集体学习覆盖率92.0%，个人自学覆盖率8.0%"), and how bad it is (for ordering, worst first)."""

    figures: dict
    text: str
    severity: float


@dataclass(frozen=True)
class Detector:
    code: str  # used in the campaign file: [detectors.CODE]
    name: str  # 集体学习多个人自学少
    judgement: str  # a key of JUDGEMENTS
    dimension: str  # a DIMENSIONS entry (for scorecards and letters)
    lead: str  # the clause that opens the units in a briefing: "有的集体学习好于个人自学"
    uses: tuple[str, ...]  # indicator codes whose subtree totals it reads
    test: Callable[[Probe], Hit | None]
    defaults: dict = field(default_factory=dict)  # thresholds, each a number
    help: dict = field(default_factory=dict)  # threshold -> what it means (docs, load errors)
    description: str = ""
    units_word: str = "个单位"  # "等N个单位" / "等N个党支部"


_REGISTRY: dict[str, Detector] = {}


def register(detector: Detector) -> Detector:
    if detector.judgement not in JUDGEMENTS:
        raise ValueError(f"unknown judgement {detector.judgement!r}")
    if detector.dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {detector.dimension!r}")
    _REGISTRY[detector.code] = detector
    return detector


def all_detectors() -> list[Detector]:
    return list(_REGISTRY.values())


def get(code: str) -> Detector:
    return _REGISTRY[code]


def params_for(detector: Detector, campaign: Any) -> dict:
    """The detector's thresholds for a campaign: its defaults, overridden by the campaign file."""
    configured = (getattr(campaign, "detectors", None) or {}).get(detector.code, {})
    return {**detector.defaults, **{k: v for k, v in configured.items() if k != "enabled"}}


def enabled(detector: Detector, campaign: Any) -> bool:
    configured = (getattr(campaign, "detectors", None) or {}).get(detector.code, {})
    return configured.get("enabled", True) is not False


def validate(config: Any) -> list[str]:
    """Errors in a campaign file's [detectors] table (Chinese, naming the table and the key)."""
    if not isinstance(config, dict):
        return ["[detectors]: 应为表，如 [detectors.collective_over_self]"]
    errors = []
    known = {d.code: d for d in all_detectors()}
    for code, table in config.items():
        where = f"[detectors.{code}]"
        detector = known.get(code)
        if detector is None:
            errors.append(f"{where}: 未知的检测项“{code}”，可用的有：{'、'.join(sorted(known))}")
            continue
        if not isinstance(table, dict):
            errors.append(f"{where}: 应为表，如 {where} 下写 阈值名 = 数值")
            continue
        for key, value in table.items():
            if key == "enabled":
                if not isinstance(value, bool):
                    errors.append(f"{where} enabled: 应为 true 或 false")
                continue
            if key not in detector.defaults:
                allowed = "、".join(["enabled", *detector.defaults])
                errors.append(f"{where}: 未知的阈值“{key}”，可用的有：{allowed}")
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                errors.append(f"{where} {key}: 应为不小于 0 的数值（{detector.help.get(key, '')}），实际为“{value}”")
            elif (
                isinstance(detector.defaults[key], float)
                and detector.defaults[key] <= 1
                and value > 1
                and "share" in key
            ):
                errors.append(f"{where} {key}: 比例应写成 0 到 1 之间的小数，如 0.3，实际为“{value}”")
    return errors

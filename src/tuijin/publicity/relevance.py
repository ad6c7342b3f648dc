"""与学习教育关联不紧密: does a submission say what it has to do with the campaign?

The speech: 部分单位上报信息质量不高，与学习教育关联不紧密. The model is a list of campaign terms with
weights, kept as data in relevance.toml (an office extends it without touching this code): a piece
whose title and body name too little of the campaign is flagged for the reviewer, with the reason.
The flag never refuses a submission; it tells the reviewer what to look at.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

MODEL_FILE = Path(__file__).with_name("relevance.toml")


@dataclass(frozen=True)
class Model:
    threshold: float
    terms: dict[str, float]
    hints: dict[str, str]


@lru_cache(maxsize=1)
def model() -> Model:
    data = tomllib.loads(MODEL_FILE.read_text(encoding="utf-8"))
    return Model(float(data["threshold"]), {k: float(v) for k, v in data["terms"].items()}, dict(data.get("hints", {})))


def _normal(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def score(title: str, body: str = "", m: Model | None = None) -> tuple[float, list[str]]:
    """(score, terms found). A longer term that contains a shorter one counts once (调查研究, not also 调研)."""
    m = m or model()
    title, body = _normal(title), _normal(body)
    found: list[str] = []
    total = 0.0
    for term in sorted(m.terms, key=len, reverse=True):
        if any(term in longer for longer in found):
            continue
        if term in title:
            total += 2 * m.terms[term]
            found.append(term)
        elif term in body:
            total += m.terms[term]
            found.append(term)
    return total, found


def check(title: str, body: str = "") -> list[str]:
    """Reasons to flag the piece; empty when it is clearly about the campaign."""
    m = model()
    total, found = score(title, body, m)
    if total >= m.threshold:
        return []
    text = _normal(title) + _normal(body)
    reasons = []
    for word, hint in m.hints.items():
        if word in text and hint not in reasons:
            reasons.append(hint)
    if found:
        reasons.append(f"与主题教育相关的表述较少（仅见“{'”“'.join(found[:5])}”），请核实与学习教育的关联")
    else:
        reasons.append("标题和正文未提及主题教育及其学习、调研、检视整改、办实事等工作，与学习教育关联不紧密")
    return reasons

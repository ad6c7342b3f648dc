"""Every indicator, in every status it can have, is written by the rules of its meaning (issue 9):
only what follows time progress is compared with 时间进度; a must-be-zero figure reads "有N个…"."""

import datetime as dt

import pytest

from tuijin.core.indicators import (
    HIGHER,
    LOWER,
    NEUTRAL,
    STATUS_LAG,
    STATUS_OK,
    STATUS_SEVERE,
    ZERO,
    Pair,
    all_indicators,
    month_elapsed,
)
from tuijin.evaluation.briefing import figure_sentence
from tuijin.evaluation.scorecard import Line

AS_OF, PROGRESS = dt.date(2026, 11, 27), 0.575
CANDIDATES = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.0, 1.2, 2, 3, 5, 10, 50]


def pair_for(indicator, value):
    if indicator.sense == ZERO and indicator.unit != "%":
        return Pair(value, None)
    if indicator.unit == "%":
        return Pair(value * 100, 100) if value <= 1 else None
    return Pair(value * 10, 10)


def lines(indicator):
    """(status, line) for every status some value gives the indicator."""
    found = {}
    for value in CANDIDATES:
        pair = pair_for(indicator, value)
        if pair is None:
            continue
        status = indicator.status_of(pair, PROGRESS, AS_OF)
        found.setdefault(status, Line(indicator, pair, pair.value, indicator.expected_at(PROGRESS, AS_OF), status))
    return found


def test_every_indicator_declares_its_meaning():
    undeclared = [i.code for i in all_indicators() if not i.declared]
    assert not undeclared


@pytest.mark.parametrize("indicator", all_indicators(), ids=lambda i: i.code)
def test_every_status_reads_by_the_meaning(indicator):
    found = lines(indicator)
    assert STATUS_OK in found
    if indicator.sense == ZERO:
        assert {STATUS_LAG, STATUS_SEVERE} <= set(found)  # any is a shortfall, many is severe
    if indicator.sense == NEUTRAL or (indicator.sense != ZERO and indicator.expected is None):
        assert set(found) == {STATUS_OK}  # never judged against anything
    for status, line in found.items():
        if status == STATUS_OK:
            continue
        text = figure_sentence("全市", line)
        assert text.startswith("全市")
        if not indicator.time_based:
            assert "时间进度" not in text, text
        if indicator.sense == ZERO:
            assert "有" in text or text.endswith("次"), text
            assert "高于" not in text and "低于" not in text and "应达" not in text, text
        elif indicator.sense == HIGHER:
            assert "低于" in text and "高于" not in text, text
        elif indicator.sense == LOWER:
            assert "高于" in text and "允许" in text, text
        if indicator.time_based:
            assert "时间进度应达" in text or "时间进度允许" in text, text


def test_a_monthly_figure_is_not_behind_on_the_first_of_the_month():
    grassroots = next(i for i in all_indicators() if i.code == "study.grassroots_coverage")
    assert grassroots.status_of(Pair(0, 10), PROGRESS, dt.date(2026, 12, 1)) == STATUS_OK
    assert grassroots.status_of(Pair(0, 10), PROGRESS, dt.date(2026, 12, 28)) == STATUS_SEVERE
    assert grassroots.expected_at(PROGRESS, dt.date(2026, 11, 15)) == pytest.approx(0.5)
    assert month_elapsed(dt.date(2027, 2, 14)) == pytest.approx(0.5)
    assert "本月至今应达" in figure_sentence(
        "全市", Line(grassroots, Pair(1, 10), 0.1, grassroots.expected_at(PROGRESS, AS_OF), STATUS_SEVERE)
    )

"""`Indicator.column` / `classify_all` (a whole column at once) give exactly what the one-cell path gives:
`Pair.value` and `Indicator.status_of` — the scorecard's computation — for every registered indicator."""

import datetime as dt

from hypothesis import given, settings, strategies as st

from tuijin.core.indicators import Pair, all_indicators, classifier, classify_all

counts = st.integers(0, 500)
stored_pair = st.one_of(
    st.none(),  # nothing stored for the org
    st.tuples(counts, st.none()),  # a count
    st.tuples(counts, st.just(0)),  # a ratio with nothing to measure
    st.tuples(counts, st.integers(1, 500)),  # a ratio
    st.tuples(st.floats(0, 2000, allow_nan=False), st.integers(0, 400)),  # a sum (quality scores) over pieces
)
dates = st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))


def one_by_one(indicator, pairs, progress, as_of, lag, severe):
    """The scorecard's path (scorecard.lines_for): a missing pair reads as Pair(0, 0) or Pair(0)."""
    values, statuses = [], []
    for p in pairs:
        pair = Pair(0, 0 if indicator.is_ratio else None) if p is None else Pair(*p)
        values.append(pair.value)
        statuses.append(indicator.status_of(pair, progress, as_of, lag=lag, severe=severe))
    return values, statuses


@settings(max_examples=60, deadline=None)
@given(
    pairs=st.lists(stored_pair, max_size=40),
    progress=st.one_of(st.none(), st.floats(0, 1)),
    as_of=dates,
    lag=st.floats(0.01, 0.3),
    extra=st.floats(0, 0.5),
)
def test_a_column_equals_its_cells_for_every_indicator(pairs, progress, as_of, lag, extra):
    severe = lag + extra
    for indicator in all_indicators():
        values, statuses = indicator.column(pairs, progress, as_of, lag=lag, severe=severe)
        want_values, want_statuses = one_by_one(indicator, pairs, progress, as_of, lag, severe)
        assert statuses == want_statuses, indicator.code
        # identical, type included: 0 stays an int, 0.5 a float (the JSON answer must not change)
        assert [(type(v), v) for v in values] == [(type(v), v) for v in want_values], indicator.code


@given(
    values=st.lists(st.one_of(st.none(), st.floats(-1, 3, allow_nan=False), st.integers(0, 10)), max_size=30),
    expected=st.one_of(st.none(), st.just(0.0), st.floats(0.0, 3, allow_nan=False)),
    lag=st.floats(0.01, 0.3),
    extra=st.floats(0.0, 0.5),
    higher=st.booleans(),
    relative=st.booleans(),
)
def test_classify_all_is_the_classifier_applied_to_each_value(values, expected, lag, extra, higher, relative):
    severe = lag + extra
    one = classifier(expected, lag=lag, severe=severe, higher_is_better=higher, relative=relative)
    assert classify_all(values, expected, lag=lag, severe=severe, higher_is_better=higher, relative=relative) == [
        one(v) for v in values
    ]


def test_the_registry_has_every_kind_of_meaning_the_column_handles():
    """The cases above are not vacuous: must-be-zero, lower-is-better, neutral, time-based and counts."""
    senses = {i.sense for i in all_indicators()}
    assert senses == {"higher", "lower", "zero", "neutral"}
    assert any(i.time_based for i in all_indicators()) and any(not i.is_ratio for i in all_indicators())
    assert any(i.per_month for i in all_indicators())
    assert any(i.unit != "%" and i.expected is not None for i in all_indicators())  # relative (visits per cadre)

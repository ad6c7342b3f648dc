"""约稿反应迟缓 (issue 9): a unit that answered its due solicitations late or not at all is named with its
figures; a unit that answered every one on time, and a unit whose deadlines have not passed, are not."""

import datetime as dt
from zoneinfo import ZoneInfo

from tuijin.campaigns.models import Campaign
from tuijin.core import detectors
from tuijin.core.indicators import HIGHER, ZERO, get
from tuijin.evaluation.findings import findings
from tuijin.publicity import actions
from tuijin.publicity.indicators import MEANING

SH = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2026, 12, 5)


def at(y, m, d, hh=12):
    return dt.datetime(y, m, d, hh, 0, tzinfo=SH)


def solicit(w, n, deadline, targets):
    return actions.issue_solicitation(
        actor=None,
        org=w.city,
        topic=f"约稿{n}",
        deadline=deadline,
        targets=targets,
        issued_at=at(2026, 11, 10, 9),
        number=f"YG-{n}",
    )


def answer(org, s, when):
    return actions.create_submission(
        actor=None, org=org, title=f"{org.name}报送{s.topic}", date=when.date(), submitted_at=when, solicitation=s
    )


def build(w):
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=w.city)
    first = solicit(w, 1, dt.date(2026, 11, 20), [w.unit_a1, w.branch_a2])
    second = solicit(w, 2, dt.date(2026, 11, 30), [w.unit_a1, w.branch_a2])
    answer(w.branch_a1a, first, at(2026, 11, 23))  # 教育局: late (through its branch) …
    # … and the second never answered: 0 of 2 on time.
    answer(w.branch_a2, first, at(2026, 11, 20, 23))  # 城关镇: every one on time (look-alike)
    answer(w.branch_a2, second, at(2026, 11, 28))
    solicit(w, 3, dt.date(2026, 12, 31), [w.branch_b1])  # B县第一党支部: not due yet (look-alike)
    solicit(w, 4, dt.date(2026, 12, 31), [w.branch_b1])


def test_a_unit_slow_to_answer_is_named_with_its_figures_and_no_look_alike(world):
    build(world)
    slow = [f for f in findings(world.city, AS_OF) if f.detector == "slow_to_solicitations"]
    assert [f.subject.code for f in slow] == ["XS-A-1"]
    assert slow[0].text == "A县教育局党委：应报送约稿2篇，按时报送0篇，逾期报送1篇，未报送1篇，按时报送率0.0%"
    assert slow[0].judgement == "宣传氛围存在不够浓厚的现象"
    # Before the first deadline nothing is due, so nobody is named.
    assert not [f for f in findings(world.city, dt.date(2026, 11, 19)) if f.detector == "slow_to_solicitations"]


def test_pinned_positive_and_look_alike_probes():
    from tuijin.core.detectors import Probe
    from tuijin.core.indicators import Pair

    d = detectors.get("slow_to_solicitations")

    def run(on_time, answered):
        totals = {"publicity.on_time_rate": Pair(*on_time), "publicity.response_rate": Pair(*answered)}
        return d.test(Probe(object(), totals, 0.5, AS_OF, dict(d.defaults)))

    assert run((0, 3), (1, 3)) is not None  # 3 due, none on time
    assert run((1, 3), (3, 3)) is not None  # 1 of 3 on time: below half
    assert run((3, 3), (3, 3)) is None  # all on time
    assert run((0, 1), (0, 1)) is None  # only one due: too few to judge
    assert run((1, 2), (2, 2)) is None  # half on time is not below half


def test_thresholds_come_from_the_campaign_file(world):
    build(world)
    Campaign.objects.update(detectors={"slow_to_solicitations": {"min_due": 3}})
    assert not [f for f in findings(world.city, AS_OF) if f.detector == "slow_to_solicitations"]


def test_publicity_meanings_are_declared_on_the_indicators():
    for code, meaning in MEANING.items():
        ind = get(code)
        assert ind.declared and ind.meaning == meaning and ind.follows_time is False
    assert get("publicity.copies_confirmed").meaning == ZERO
    assert (
        get("publicity.on_time_rate").meaning == HIGHER and get("publicity.on_time_rate").expectation_words() == "应达"
    )

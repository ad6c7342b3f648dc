"""宣传信息 indicators on small data with known answers, the record kinds, and the copy check on
texts of several apps (through core.texts)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tuijin.campaigns.rules import count_by_org, validate_rule
from tuijin.core.indicators import get, read
from tuijin.publicity import actions, queries
from tuijin.publicity.models import CopyPair

from .test_copies import LIGHT_EDIT, ORIGINAL, SAME_TOPIC

SH = ZoneInfo("Asia/Shanghai")
AS_OF = dt.date(2026, 11, 27)
BODY = "围绕主题教育开展专题研讨，检视整改问题。"


def value(code, org):
    return read(get(code), org, AS_OF, None).pair


@pytest.fixture
def data(world):
    w = world
    issued = dt.datetime(2026, 11, 1, 9, 0, tzinfo=SH)
    s1 = actions.issue_solicitation(
        actor=None,
        org=w.county_a,
        topic="主题教育经验",
        deadline=dt.date(2026, 11, 10),
        targets=[w.branch_a1a, w.branch_a1b, w.branch_a2],
        issued_at=issued,
        number="YG-A",
    )
    actions.issue_solicitation(
        actor=None,
        org=w.county_a,
        topic="还没到期",
        deadline=dt.date(2026, 12, 10),
        targets=[w.branch_a1a, w.branch_a2],
        issued_at=issued,
        number="YG-B",
    )

    def piece(org, title, type="工作动态", d=dt.date(2026, 11, 5), at=None, sol=None):
        return actions.create_submission(
            actor=None, org=org, title=title, body=BODY, type=type, date=d, submitted_at=at, solicitation=sol
        )

    on_time = piece(
        w.branch_a1a, "主题教育典型案例一", "典型案例", sol=s1, at=dt.datetime(2026, 11, 3, 9, 0, tzinfo=SH)
    )  # 48 h
    late = piece(
        w.branch_a1b,
        "主题教育经验做法二",
        "经验做法",
        d=dt.date(2026, 11, 12),
        sol=s1,
        at=dt.datetime(2026, 11, 12, 9, 0, tzinfo=SH),
    )  # 264 h, late
    news = piece(w.branch_a1a, "主题教育工作动态三")
    actions.adopt(on_time, actor=None, level="县", quality=4, as_of=AS_OF)
    actions.forward(on_time, actor=None)
    actions.adopt(on_time, actor=None, level="市", quality=5, as_of=AS_OF)
    actions.adopt(late, actor=None, level="县", quality=3, as_of=AS_OF)
    actions.return_submission(news, actor=None, reason="与主题教育关联不紧密", quality=2)
    for channel in ("网络", "新媒体", "网络"):
        actions.create_item(actor=None, org=w.branch_a1a, channel=channel, title="报道", date=dt.date(2026, 11, 2))
    actions.create_item(actor=None, org=w.branch_a2, channel="电视", title="报道", date=dt.date(2026, 11, 2))
    actions.create_item(actor=None, org=w.branch_a2, channel="公共场所", title="宣传栏", date=dt.date(2026, 11, 2))
    actions.create_item(actor=None, org=w.branch_a2, channel="单位内部", title="展板", date=dt.date(2026, 11, 2))
    return w


def test_submissions_adoption_quality_and_cases(data):
    w = data
    assert value("publicity.submissions_per_org", w.county_a).value == pytest.approx(3 / 5)  # 3 pieces, 5 orgs in A县
    assert value("publicity.adoption_rate", w.county_a).value == pytest.approx(2 / 3)
    assert value("publicity.adoption_rate", w.branch_a1a).value == pytest.approx(1 / 2)
    assert value("publicity.adopted_city_or_above", w.county_a).value == 1
    assert value("publicity.average_quality", w.county_a).value == pytest.approx((5 + 3 + 2) / 3)
    assert value("publicity.typical_cases", w.county_a).value == 2
    assert value("publicity.typical_cases", w.county_b).value == 0


def test_solicitation_rates_count_only_what_is_due(data):
    w = data
    # YG-A: A11 on time, A12 late, A2 missing; YG-B is not due and unanswered: not counted.
    rr, ot = value("publicity.response_rate", w.county_a), value("publicity.on_time_rate", w.county_a)
    assert (rr.num, rr.den) == (2, 3) and (ot.num, ot.den) == (1, 3)
    assert value("publicity.on_time_rate", w.branch_a1a).value == 1.0
    assert value("publicity.response_rate", w.branch_a2).value == 0.0
    assert value("publicity.response_rate", w.county_b).value is None  # nothing asked: no value, not 0
    s = queries.summary(w.county_office, w.county_a, AS_OF)
    assert (s.due, s.answered, s.on_time, s.missing) == (3, 2, 1, 1)
    assert s.median_hours == pytest.approx((48 + 264) / 2)


def test_channels_and_placements(data):
    w = data
    cov = value("publicity.media_coverage", w.county_a)
    # A11 covers 网络 and 新媒体 (2 of 4), A2 covers 电视 (1 of 4), the 3 other orgs nothing: 3 / 20.
    assert (cov.num, cov.den) == (3, 20)
    assert value("publicity.media_coverage", w.branch_a1a).value == 0.5
    assert value("publicity.public_placements", w.county_a).value == 1  # 单位内部 is not a public place


def test_record_kinds_for_task_rules(data):
    w = data
    assert validate_rule({"count": "submission", "where": {"type": "典型案例", "adopted": True}, "at_least": 1}) == []
    assert validate_rule({"count": "publicity", "where": {"channel": "公共场所"}, "at_least": 1}) == []
    assert count_by_org("submission", {"adopted": True, "level": "市"}, [w.branch_a1a, w.branch_a1b], AS_OF) == {
        w.branch_a1a.pk: 1,
        w.branch_a1b.pk: 0,
    }
    assert count_by_org("publicity", {"channel": "公共场所"}, [w.branch_a2, w.branch_a1a], AS_OF) == {
        w.branch_a2.pk: 1,
        w.branch_a1a.pk: 0,
    }


def test_copy_check_across_apps_confirm_and_dismiss_count_in_the_indicator(world):
    from tuijin.campaigns.actions import load_campaign
    from tuijin.campaigns.models import Chapter
    from tuijin.rectification import actions as rect
    from tuijin.study import actions as study

    w = world
    load_campaign(
        '[campaign]\nname = "测试"\nstart = 2026-09-01\nend = 2027-01-31\nroot = "XS"\n'
        '[[reading]]\ncode = "R1"\ntitle = "报告"\nchapters = ["R1-01 一"]\n',
        actor=None,
    )
    chapter = Chapter.objects.get(code="R1-01")
    study.log_self_study(actor=None, person=w.p_a1a[0], date=dt.date(2026, 10, 1), chapter=chapter, reflection=ORIGINAL)
    study.log_self_study(
        actor=None, person=w.p_b1[0], date=dt.date(2026, 10, 9), chapter=chapter, reflection=SAME_TOPIC
    )
    rect.create_problem(
        actor=None,
        org=w.branch_a1b,
        number="P1",
        description=LIGHT_EDIT,
        source="集体查",
        category="理论学习",
        found_on=dt.date(2026, 10, 5),
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.run_copy_check(actor=w.branch_reporter, org=w.branch_a1a, as_of=AS_OF)
    assert actions.run_copy_check(actor=w.city_office, org=w.city, as_of=AS_OF) == (1, 1)
    assert actions.run_copy_check(actor=w.city_office, org=w.city, as_of=AS_OF) == (1, 0)  # stored once
    pair = CopyPair.objects.get()
    assert (pair.source_a, pair.org_a, pair.source_b, pair.org_b) == (
        "self_study",
        w.branch_a1a,
        "problem",
        w.branch_a1b,
    )
    assert list(queries.copy_pairs(w.guide, w.city)) == []  # B县's group sees neither side
    a, b, matched = queries.pair_sides(pair)
    assert a.label == "学习心得" and b.label == "问题描述" and matched > 40
    assert value("publicity.copies_confirmed", w.county_a).value == 0
    from tuijin.core.errors import ActionError

    with pytest.raises(ActionError, match="理由"):
        actions.decide_pair(pair, actor=w.county_office, confirm=False, as_of=AS_OF)
    actions.decide_pair(pair, actor=w.county_office, confirm=True, as_of=AS_OF)
    assert value("publicity.copies_confirmed", w.county_a).value == 1
    assert value("publicity.copies_confirmed", w.branch_a1a).value == 0  # the earlier text is not the copy

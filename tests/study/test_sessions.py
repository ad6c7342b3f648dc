"""Recording collective study: the rules, and attendance feeding each attendee's study record."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_org, make_person
from tuijin.campaigns.actions import load_campaign
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.models import DomainEvent
from tuijin.study import actions, queries
from tuijin.study.models import Coverage, StudySession

from .conftest import AS_OF, CAMPAIGN, PDF

OCT = dt.date(2026, 10, 10)


def session(world, ch, **overrides):
    fields = dict(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        date=OCT,
        form="支部学习",
        topic="学习二十大报告",
        chapters=[ch["R1-01"], ch["R1-02"]],
        attendees=world.p_a1a[:2],
    )
    fields.update(overrides)
    return actions.record_session(**fields)


def covered(person, campaign, as_of=AS_OF):
    progress = queries.person_progress(person, campaign, as_of)
    return {c.chapter.code for item in progress.items for c in item.chapters if c.covered}


def test_attending_a_session_counts_for_each_attendee_without_entering_it_again(world, campaign, ch):
    session(world, ch)
    assert covered(world.p_a1a[0], campaign) == {"R1-01", "R1-02"}
    assert covered(world.p_a1a[1], campaign) == {"R1-01", "R1-02"}
    assert covered(world.p_a1a[2], campaign) == set()  # did not attend


def test_a_session_on_a_later_date_does_not_count_before_it(world, campaign, ch):
    session(world, ch)
    assert covered(world.p_a1a[0], campaign, as_of=OCT - dt.timedelta(days=1)) == set()


def test_progress_shows_which_session_covered_a_chapter(world, campaign, ch):
    s = session(world, ch)
    progress = queries.person_progress(world.p_a1a[0], campaign, AS_OF)
    first = progress.items[0].chapters[0]
    assert first.sessions == [s] and first.logs == []
    assert (progress.covered, progress.total) == (2, 5)


def test_the_session_and_its_lists_are_recorded_with_one_event(world, campaign, ch):
    s = session(world, ch, speaker="李书记", speaker_category="本单位领导", hours=Decimal("1.5"))
    assert sorted(c.code for c in s.chapters.all()) == ["R1-01", "R1-02"]
    assert sorted(p.number for p in s.attendees.all()) == ["A1A1", "A1A2"]
    event = DomainEvent.objects.get(verb="study.session.create")
    assert event.after["attendees"] == ["A1A1", "A1A2"] and "支部学习《学习二十大报告》" in event.summary


def test_a_unit_reporter_cannot_record_for_another_org_and_a_member_cannot_record_at_all(world, campaign, ch):
    with pytest.raises(PermissionDenied):
        session(world, ch, org=world.branch_a1b, attendees=world.p_a1b)
    with pytest.raises(PermissionDenied):
        session(world, ch, actor=world.member)
    assert not StudySession.objects.exists()


def test_an_office_records_for_an_org_below_it(world, campaign, ch):
    assert session(world, ch, actor=world.county_office, org=world.branch_a1b, attendees=world.p_a1b).pk


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"date": AS_OF + dt.timedelta(days=1), "today": AS_OF}, "date", "晚于今天"),
        ({"speaker_category": "党校专家"}, "speaker", "请填写主讲人"),
        ({"headcount": 1}, "headcount", "参加人数（1）少于列出的参加人员（2 人）"),
        ({"attendees": [], "headcount": None}, "headcount", "请填写参加人员或参加人数"),
        ({"attendees": [], "headcount": -3}, "headcount", "参加人数不能为负数"),
        ({"hours": Decimal("30")}, "hours", "时长应在 0 到 24 小时之间"),
        ({"form": "座谈会"}, "form", "学习形式应为以下之一"),
        ({"topic": "  "}, "topic", "主题不能为空"),
    ],
    ids=["future", "expert-without-name", "headcount-below-list", "nobody", "negative", "hours", "form", "topic"],
)
def test_a_bad_session_is_refused_naming_the_field(world, campaign, ch, overrides, field, message):
    with pytest.raises(ActionError) as refused:
        session(world, ch, **overrides)
    assert refused.value.field == field and message in refused.value.message
    assert not StudySession.objects.exists() and not Coverage.objects.exists()


def test_attendees_must_belong_to_the_org_or_below(world, campaign, ch):
    with pytest.raises(ActionError, match="不是A县教育局第一党支部（含下级组织）的人员"):
        session(world, ch, attendees=[world.p_a1a[0], world.p_a1b[0]])
    # a unit's session may be attended by the people of its branches
    s = session(world, ch, actor=world.county_office, org=world.unit_a1, attendees=[world.cadre, world.p_a1b[0]])
    assert s.attendees.count() == 2


def test_chapters_must_come_from_the_reading_list_of_the_orgs_campaign(world, campaign, ch):
    make_org(None, "YS", "中共Y市委", kind="党委")
    other = load_campaign(CAMPAIGN.replace('"XS"', '"YS"').replace("主题教育（测试）", "Y市主题教育"), actor=None)
    foreign = other.reading.get(code="R1").chapters.get(code="R1-01")
    with pytest.raises(ActionError, match="篇目“R1-01”不在A县教育局第一党支部所参加主题教育的指定书目中"):
        session(world, ch, chapters=[foreign])


def test_the_same_session_cannot_be_recorded_twice(world, campaign, ch):
    session(world, ch)
    with pytest.raises(ActionError, match="已记录过同一形式、同一主题"):
        session(world, ch, attendees=world.p_a1a)
    assert session(world, ch, topic="另一个主题").pk  # another topic the same day is another session


def test_changing_the_attendees_moves_the_study_record_with_them(world, campaign, ch):
    s = session(world, ch)
    actions.update_session(s, actor=world.branch_reporter, version=s.version, attendees=world.p_a1a[1:])
    assert covered(world.p_a1a[0], campaign) == set()
    assert covered(world.p_a1a[2], campaign) == {"R1-01", "R1-02"}
    event = DomainEvent.objects.get(verb="study.session.update")
    assert event.before == {"attendees": ["A1A1", "A1A2"]} and event.after == {"attendees": ["A1A2", "A1A3"]}


def test_changing_the_chapters_changes_what_attendees_covered(world, campaign, ch):
    s = session(world, ch)
    actions.update_session(s, actor=world.branch_reporter, chapters=[ch["R2-01"]])
    assert covered(world.p_a1a[0], campaign) == {"R2-01"}


def test_a_stale_edit_is_told_not_applied(world, campaign, ch):
    s = session(world, ch)
    actions.update_session(s, actor=world.branch_reporter, version=1, topic="改过的主题")
    with pytest.raises(StaleEdit):
        actions.update_session(s, actor=world.branch_reporter, version=1, topic="另一次修改")
    assert StudySession.objects.get(pk=s.pk).topic == "改过的主题"


def test_withdrawing_a_session_keeps_it_but_stops_it_counting(world, campaign, ch):
    s = session(world, ch)
    with pytest.raises(ActionError, match="必须写明原因"):
        actions.withdraw_session(s, actor=world.branch_reporter, reason=" ")
    actions.withdraw_session(s, actor=world.branch_reporter, reason="重复录入")
    s.refresh_from_db()
    assert s.withdrawn and s.withdraw_reason == "重复录入"
    assert covered(world.p_a1a[0], campaign) == set()
    # the natural key is free again: the session can be entered anew
    assert session(world, ch).pk != s.pk


def test_an_attendee_who_moved_away_stays_on_the_session(world, campaign, ch):
    from tuijin.orgs.actions import update_person

    s = session(world, ch)
    update_person(world.p_a1a[1], actor=None, org=world.branch_b1)
    actions.update_session(s, actor=world.branch_reporter, topic="学习二十大报告（第一次）")
    assert s.attendees.count() == 2


def test_evidence_is_checked_by_content_and_stored_by_hash(world, campaign, ch):
    s = session(world, ch)
    evidence = actions.attach_session_evidence(s, actor=world.branch_reporter, name="会议记录.pdf", data=PDF)
    assert evidence.content_type == "application/pdf" and len(evidence.sha256) == 64
    with pytest.raises(ActionError, match="内容"):
        actions.attach_session_evidence(s, actor=world.branch_reporter, name="照片.jpg", data=b"not a photo")
    with pytest.raises(PermissionDenied):
        actions.attach_session_evidence(s, actor=world.member, name="a.pdf", data=PDF)


def test_coverage_is_rebuilt_exactly_from_the_sources(world, campaign, ch):
    """The derived table equals what attendance and self-study say, whatever order things happened in."""
    s = session(world, ch)
    actions.log_self_study(actor=world.member, person=world.p_a1a[0], date=dt.date(2026, 9, 20), chapter=ch["R1-01"])
    row = Coverage.objects.get(person=world.p_a1a[0], chapter=ch["R1-01"])
    assert (row.first_session_on, row.first_self_on) == (OCT, dt.date(2026, 9, 20))
    before = sorted(Coverage.objects.values_list("person_id", "chapter_id", "first_session_on", "first_self_on"))
    Coverage.objects.all().delete()
    actions.refresh_coverage([p.pk for p in world.p_a1a])
    assert (
        sorted(Coverage.objects.values_list("person_id", "chapter_id", "first_session_on", "first_self_on")) == before
    )
    assert s.pk


def test_a_new_person_in_a_branch_below_is_offered_to_a_unit_session(world, campaign, ch):
    newcomer = make_person(world.branch_a1b, "A1B9", "新同志")
    s = session(world, ch, actor=world.county_office, org=world.unit_a1, attendees=[newcomer])
    assert list(s.attendees.all()) == [newcomer]

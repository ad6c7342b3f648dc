"""The demo's study records: bulk-built, consistent with what the actions would derive, and uneven
in exactly the ways the speech complains about."""

import datetime as dt
import random

import pytest
from django.db.models import F

from tuijin.campaigns.models import Campaign
from tuijin.core.indicators import get, read
from tuijin.demo.generate import generate
from tuijin.demo.study import build_study
from tuijin.orgs.models import Org, Person, User
from tuijin.study import actions, queries
from tuijin.study.models import Attendance, Coverage, SelfStudy, StudySession

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo(db, settings):
    """generate() builds the study records with build_study (src/tuijin/demo/generate.py)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    generate("tiny", today=TODAY)
    return Campaign.objects.get()


def test_the_demo_writes_sessions_attendance_and_self_study(demo):
    campaign = demo
    sessions, attendance, logs = StudySession.objects.count(), Attendance.objects.count(), SelfStudy.objects.count()
    assert 0 < sessions < attendance and logs > 0
    dates = list(StudySession.objects.values_list("date", flat=True)) + list(
        SelfStudy.objects.values_list("date", flat=True)
    )
    assert campaign.start <= min(dates) and max(dates) <= TODAY


def test_build_study_returns_what_it_wrote(world):
    from tuijin.campaigns.actions import load_campaign

    from .conftest import CAMPAIGN

    campaign = load_campaign(CAMPAIGN, actor=None)
    counts = build_study(list(Org.objects.all()), Person.objects.all(), campaign, TODAY, random.Random(1), "tiny")
    assert counts["sessions"] == StudySession.objects.count() > 0
    assert counts["attendance"] == Attendance.objects.count()
    assert counts["self_study"] == SelfStudy.objects.count()
    assert counts["coverage"] == Coverage.objects.count()


def test_demo_coverage_is_what_the_actions_would_derive(demo):
    people = list(Person.objects.order_by("?").values_list("pk", flat=True)[:40])
    built = sorted(
        Coverage.objects.filter(person_id__in=people).values_list(
            "person_id", "chapter_id", "first_session_on", "first_self_on"
        )
    )
    actions.refresh_coverage(people)
    assert (
        sorted(
            Coverage.objects.filter(person_id__in=people).values_list(
                "person_id", "chapter_id", "first_session_on", "first_self_on"
            )
        )
        == built
    )


def test_attendees_belong_to_the_org_that_held_the_session(demo):
    assert not Attendance.objects.exclude(person__org=F("session__org")).exists()


def test_the_demo_is_uneven_in_every_way_the_speech_names(demo):
    campaign = demo
    city = Org.objects.get(code="XS")
    orgs = list(Org.objects.filter(active=True))
    unbalanced = queries.unbalanced_orgs(city, campaign, TODAY)
    no_seminar = queries.orgs_without(city, campaign, TODAY)
    no_expert = queries.orgs_without(city, campaign, TODAY, expert=True)
    quiet, branches = queries.quiet_branches(city, TODAY)
    with_members = queries.expected_to_hold(orgs)
    units = queries.expected_to_hold(orgs, expert=True)
    assert 0 < len(unbalanced) < len(with_members)
    assert 0 < len(no_seminar) < len(with_members)
    assert 0 < len(no_expert) < len(units)
    assert 0 < len(quiet) < branches
    coverage = read(get("study.reading_coverage"), city, TODAY, campaign).value
    assert 0.2 < coverage < 0.9


def test_the_demo_member_has_a_study_record_to_look_at(demo):
    campaign = demo
    person = User.objects.get(username="member").person
    progress = queries.person_progress(person, campaign, TODAY)
    assert progress.total == 11 and progress.covered > 0

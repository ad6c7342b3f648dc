"""The demo shows issue 13's remaining pieces: a 问责 record and an escalation decision, visible over the
API to the group and not to a unit; the study session found 不属实 no longer counts in reading
coverage; the group home's suggestions give their reasons."""

import datetime as dt

import pytest

from tuijin.demo.generate import generate
from tuijin.orgs.actions import issue_api_token
from tuijin.orgs.models import User
from tuijin.study.models import Attendance, Coverage, SelfStudy, SessionChapter, StudySession
from tuijin.supervision import queries
from tuijin.supervision.models import Accountability, EscalationDecision, SampleCheck

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    return generate("small", today=TODAY)  # tiny has too few lagging units for every letter state


def test_demo_supervision_shows_accountability_untrue_records_and_reasons(demo, client):
    record = Accountability.objects.select_related("org").get()
    decision = EscalationDecision.objects.get(org=record.org)
    assert decision.suggested == decision.decided == "问责" and decision.reasons
    guide = User.objects.get(username="guide")
    token = issue_api_token(actor=None, user=guide)
    county = record.org.parent.code
    r = client.get(f"/api/v1/supervision/accountability?org={county}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and [x["whom"] for x in r.json()["items"]] == [record.whom]

    # the session found 不属实: none of its attendees covers its chapters through it any more
    check = SampleCheck.objects.get(result="不属实", sample__kind="study_session")
    session = StudySession.objects.get(pk=check.record_id)
    chapters = set(SessionChapter.objects.filter(session=session).values_list("chapter_id", flat=True))
    for person_id in Attendance.objects.filter(session=session).values_list("person_id", flat=True):
        for row in Coverage.objects.filter(person_id=person_id, chapter_id__in=chapters):
            other_sessions = Attendance.objects.filter(
                person_id=person_id,
                session__withdrawn=False,
                session__chapters=row.chapter_id,
            ).exclude(session=session)
            own = SelfStudy.objects.filter(person_id=person_id, chapter_id=row.chapter_id, withdrawn=False)
            assert other_sessions.exists() or own.exists()

    rows = queries.ranked(queries.supervised_units(guide), TODAY)
    assert rows and all(r["suggestion"].reasons for r in rows)

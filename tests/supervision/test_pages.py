"""The pages as each role uses them: the group drafts and sends, the unit answers, members see nothing."""

import datetime as dt

import pytest

from tests.conftest import make_user
from tuijin.supervision import actions, inbox
from tuijin.supervision.models import Interview, LetterState, ReminderLetter

from .conftest import AS_OF, add_problems


@pytest.fixture(autouse=True)
def pinned(monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", AS_OF.isoformat())


def test_group_drafts_sends_and_the_unit_answers_through_the_pages(client, world, campaign):
    b1 = make_user("b1_clerk", "unit", org=world.branch_b1)
    add_problems(world.branch_b1, 3)
    client.force_login(world.guide)
    page = client.get("/supervision/")
    assert page.status_code == 200 and "中共B县委" in page.content.decode()  # the group's assigned unit, ranked
    assert client.get("/supervision/XS-B-1/").status_code == 200
    assert client.get("/supervision/XS-A-1-1/").status_code == 404  # not assigned to the group
    response = client.post("/supervision/XS-B-1/letters/new/")
    letter = ReminderLetter.objects.get()
    assert response.status_code == 302 and response.url == f"/supervision/letters/{letter.pk}/"
    client.post(f"/supervision/letters/{letter.pk}/send/", {"feedback_due": "2026-12-04"})
    letter.refresh_from_db()
    assert letter.state == LetterState.SENT and letter.number == "第一巡回指导组提示〔2026〕1号"
    docx = client.get(f"/supervision/letters/{letter.pk}/?format=docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")

    client.force_login(b1)
    assert "待反馈的提示函" in client.get("/").content.decode()
    assert client.get(f"/supervision/letters/{letter.pk}/").status_code == 200
    client.post(f"/supervision/letters/{letter.pk}/answer/", {"answer": "已部署整改"})
    letter.refresh_from_db()
    assert letter.state == LetterState.ANSWERED

    client.force_login(world.member)
    assert client.get(f"/supervision/letters/{letter.pk}/").status_code == 404


def test_a_draft_is_not_shown_to_the_unit(client, world, campaign):
    b1 = make_user("b1_clerk", "unit", org=world.branch_b1)
    add_problems(world.branch_b1, 3)
    letter = actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF)
    client.force_login(b1)
    assert client.get(f"/supervision/letters/{letter.pk}/").status_code == 404


def test_interviews_are_shown_to_the_group_not_to_the_unit(client, world, campaign):
    b1 = make_user("b1_clerk", "unit", org=world.branch_b1)
    actions.record_interview(
        world.branch_b1, actor=world.guide, on=AS_OF, by="组长张某", whom="支部书记李某", reason="推进滞后"
    )
    client.force_login(world.guide)
    assert "支部书记李某" in client.get("/supervision/XS-B-1/").content.decode()
    client.force_login(b1)
    page = client.get("/supervision/XS-B-1/")
    assert page.status_code == 200 and "支部书记李某" not in page.content.decode()
    assert Interview.objects.count() == 1


def test_the_daily_reminders_are_idempotent_and_staged(world, campaign):
    b1 = make_user("b1_clerk", "unit", org=world.branch_b1)
    add_problems(world.branch_b1, 3)
    letter = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF),
        actor=world.guide,
        on=AS_OF,
        feedback_due=dt.date(2026, 12, 4),
    )
    assert inbox.compute(AS_OF) >= 1
    assert inbox.compute(AS_OF) == 0  # the same day again: nothing new
    kinds = list(b1.notifications.values_list("kind", flat=True))
    assert kinds == ["收到提示函"]
    inbox.compute(dt.date(2026, 12, 1))  # 3 days before the deadline
    inbox.compute(dt.date(2026, 12, 2))  # still within them: no second "ahead"
    inbox.compute(dt.date(2026, 12, 4))  # the day
    inbox.compute(dt.date(2026, 12, 5))  # overdue
    inbox.compute(dt.date(2026, 12, 6))  # overdue is said once
    texts = sorted(b1.notifications.filter(kind="反馈到期").values_list("text", flat=True))
    assert len(texts) == 3 and any("已逾期" in t for t in texts) and any("今天到期" in t for t in texts)
    assert inbox.unread_count(b1) == 4
    assert world.guide.notifications.count() == 0
    actions.answer_letter(letter, actor=b1, answer="已整改", on=dt.date(2026, 12, 6))
    inbox.compute(dt.date(2026, 12, 6))
    assert list(world.guide.notifications.values_list("kind", flat=True)) == ["待审核反馈"]

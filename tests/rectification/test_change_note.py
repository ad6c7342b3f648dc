"""Closing asks "工作中发生了什么变化" in one sentence (issue 16, 就整改抓整改): required by the action, the
page form and the API, and shown on the public rating page once the problem is closed."""

import pytest

from tests.conftest import login_as
from tests.rectification.conftest import TODAY
from tuijin.core.errors import ActionError
from tuijin.core.models import DomainEvent
from tuijin.rectification import actions
from tuijin.rectification.models import State

CHANGE = "窗口办件时间由5天缩短到2天"


@pytest.mark.parametrize(
    "change,message",
    [
        ("", "一句话写明整改后工作中发生了什么变化"),
        ("   ", "一句话写明整改后工作中发生了什么变化"),
        ("流程简化了。群众满意了。", "只写一句话"),
        ("变" * 151, "最多 150 字"),
    ],
)
def test_closing_without_one_sentence_of_change_is_refused(world, submitted, change, message):
    with pytest.raises(ActionError) as exc:
        actions.close_problem(submitted, actor=world.county_office, as_of=TODAY, change=change)
    assert exc.value.field == "change" and message in exc.value.message
    submitted.refresh_from_db()
    assert submitted.state == State.SUBMITTED and submitted.change_note == ""


def test_the_sentence_is_kept_and_audited(world, submitted):
    closed = actions.close_problem(submitted, actor=world.county_office, as_of=TODAY, change=f"  {CHANGE}。 ")
    assert closed.change_note == f"{CHANGE}。"  # one sentence may end with its full stop
    assert CHANGE in DomainEvent.objects.filter(verb="problem.close").get().summary


def test_the_page_form_asks_for_it_and_shows_the_refusal(client, world, submitted):
    login_as(client, world.county_office)
    url = f"/problems/item/{submitted.pk}/"
    assert "工作中发生了什么变化" in client.get(url).content.decode()
    refused = client.post(f"{url}close/", {"version": submitted.version, "comment": "整改到位"}, follow=True)
    assert "一句话写明整改后工作中发生了什么变化" in refused.content.decode()
    client.post(f"{url}close/", {"version": submitted.version, "change": CHANGE})
    submitted.refresh_from_db()
    assert submitted.state == State.CLOSED and submitted.change_note == CHANGE
    assert CHANGE in client.get(url).content.decode()


def test_the_public_page_shows_the_change_once_closed(client, world, submitted):
    item = actions.publish(submitted, actor=world.county_office, title="理论学习不深入的整改", summary="已整改")
    assert "整改后工作中发生的变化" not in client.get(f"/p/{item.token}/").content.decode()
    actions.close_problem(submitted, actor=world.county_office, as_of=TODAY, change=CHANGE)
    body = client.get(f"/p/{item.token}/").content.decode()
    assert "整改后工作中发生的变化" in body and CHANGE in body

"""A finished 办实事 project is published for the people to rate, like a rectified problem."""

import datetime as dt

import pytest

from tuijin.campaigns.models import Campaign
from tuijin.core.errors import ActionError
from tuijin.rectification import actions as rect
from tuijin.rectification import queries
from tuijin.research import actions

from .conftest import PDF, TODAY, good_project


@pytest.fixture
def finished(world):
    project = good_project(world)
    actions.attach_project_evidence(project, actor=world.county_office, name="照片.pdf", data=PDF)
    return actions.set_project_status(project, actor=world.county_office, status="已完成", as_of=TODAY)


def test_only_a_finished_project_can_be_published(world):
    with pytest.raises(ActionError, match="完成后才能公示"):
        actions.publish_project(good_project(world), actor=world.county_office)


def test_publishing_a_project_from_its_page_shows_the_link_and_qr(client, world, finished):
    client.force_login(world.county_office)
    client.post(f"/research/project/{finished.pk}/publish/", {"summary": "3处助餐点已开餐，每天服务120人"})
    page = client.get(f"/research/project/{finished.pk}/").content.decode()
    item = type(finished).objects.get(pk=finished.pk).publication
    assert f"/p/{item.token}/" in page and "qr.svg" in page
    public = client.get(f"/p/{item.token}/").content.decode()
    assert "办实事项目" in public and "3处助餐点已开餐" in public and "您对办理结果满意吗" in public


def test_project_ratings_reach_the_satisfaction_list_and_the_indicator(client, world, finished):
    from tuijin.core.indicators import get

    campaign = Campaign.objects.create(
        name="c",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 1, 31),
        root=world.city,
        satisfaction_threshold=0.8,
        satisfaction_min_votes=3,
    )
    item = actions.publish_project(finished, actor=world.county_office)
    for i in range(3):
        rect.rate(item, choice="满意", comment="", device=f"d{i}", ip=f"1.1.1.{i}")
    assert [i.pk for i in queries.satisfaction_list(world.county_office, world.county_a, campaign)] == [item.pk]
    pair = get("problems.satisfaction").compute([world.unit_a1], TODAY, campaign)[world.unit_a1.pk]
    assert (pair.num, pair.den) == (3, 3)
    client.force_login(world.county_office)
    assert finished.name in client.get("/problems/XS-A/satisfied/").content.decode()


def test_another_county_cannot_publish_or_see_it(client, world, finished):
    from django.core.exceptions import PermissionDenied

    from tests.conftest import make_user

    other = make_user("office_b", "office", org=world.county_b)
    with pytest.raises(PermissionDenied):
        actions.publish_project(finished, actor=other)
    item = actions.publish_project(finished, actor=world.county_office)
    from tuijin.rectification.models import PublicItem

    assert not PublicItem.objects.visible_to(other).filter(pk=item.pk).exists()

"""Issue 11: every role's home is its work queue, each item a link to the list that does it."""

import datetime as dt

import pytest
from django.test import Client

from tuijin.rectification import actions

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


def submitted(actor, org, text):
    p = actions.create_problem(
        actor=actor, org=org, description=text, source="集体查", found_on=TODAY, measures=[{"text": f"{text}的措施"}]
    )
    actions.attach_evidence(p, actor=actor, name="a.pdf", data=PDF)
    actions.set_measure_done(p.measures.get(), actor=actor, done=True, as_of=TODAY)
    return actions.submit_for_acceptance(p, actor=actor)


def home(user):
    client = Client()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return response


def test_an_office_sees_the_problems_waiting_for_its_acceptance(world):
    submitted(world.branch_reporter, world.branch_a1a, "支部甲的问题")
    submitted(world.county_office, world.branch_a2, "城关镇的问题")
    submitted(world.county_office, world.county_a, "县委自身的问题")  # its own: the city accepts it, not the county
    submitted(world.city_office, world.branch_b1, "B县的问题")  # out of the county's scope
    response = home(world.county_office)
    assert response.context["review_queue"] == [(world.county_a, 2)]
    assert "/problems/XS-A/?state=待验收" in response.content.decode()
    assert home(world.city_office).context["review_queue"] == [(world.city, 4)]
    assert home(world.guide).context["review_queue"] == [(world.county_b, 1)]
    assert home(world.branch_reporter).context["review_queue"] == []


def test_a_unit_reporter_sees_its_weekly_actions_open_problems_and_what_was_handed_down(world):
    actions.hand_down(
        actor=world.county_office,
        org=world.county_a,
        targets=[world.branch_a1a, world.branch_a2],
        description="第一议题制度落实不到位",
        deadline=dt.date(2026, 12, 20),
        found_on=TODAY,
    )
    actions.create_problem(
        actor=world.branch_reporter,
        org=world.branch_a1a,
        description="本支部自查的问题",
        source="集体查",
        found_on=TODAY,
    )
    response = home(world.branch_reporter)
    page = response.content.decode()
    for label, url in (
        ("记录集体学习", "/study/XS-A-1-1/new/"),
        ("新增问题", "/problems/XS-A-1-1/new/"),
        ("登记办实事", "/research/XS-A-1-1/projects/new/"),
        ("导入", "/imports/"),
    ):
        assert label in page and url in page
    assert response.context["unit_counts"] == {"open": 2, "submitted": 0}
    handed = response.context["handed_down"]
    assert [(p.org, p.description) for p in handed] == [(world.branch_a1a, "第一议题制度落实不到位")]
    assert "中共A县委交办" in page


def test_a_member_records_self_study_from_home_without_a_campaign_sees_no_button(world):
    response = home(world.member)
    assert response.context["member"]["person"] == world.p_a1a[0]
    assert "one-tap-study" not in response.content.decode()
    assert "本支部还没有安排下次集体学习" in response.content.decode()


def test_a_member_records_the_next_chapter_in_one_tap(world, monkeypatch):
    from tests.study.conftest import AS_OF, CAMPAIGN
    from tuijin.campaigns.actions import load_campaign
    from tuijin.study.models import SelfStudy

    monkeypatch.setenv("TUIJIN_TODAY", AS_OF.isoformat())
    load_campaign(CAMPAIGN, actor=None)
    client = Client()
    client.force_login(world.member)
    page = client.get("/").content.decode()
    assert "今天自学了：R1-01 第一部分" in page and "已学 0 / 5 篇" in page
    response = client.post("/study/me/", {"chapter": "R1-01", "date": AS_OF.isoformat()})
    assert response.status_code == 302
    assert [(s.person, s.chapter.code, s.date) for s in SelfStudy.objects.all()] == [(world.p_a1a[0], "R1-01", AS_OF)]
    page = client.get("/").content.decode()
    assert "今天自学了：R1-02 第二部分" in page and "已学 1 / 5 篇（20%）" in page
    # the office's home has no such button
    client.force_login(world.county_office)
    assert "one-tap-study" not in client.get("/").content.decode()


def test_a_guidance_group_member_sees_who_else_is_on_the_group(world):
    from tests.conftest import make_user

    make_user("guide_b", "guidance", group=world.group)
    page = home(world.guide).content.decode()
    assert "指导组成员：guide、guide_b" in page
    assert "指导组成员" not in home(world.county_office).content.decode()

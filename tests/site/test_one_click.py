"""Issue 11: every unit is one click from its records; 新增 creates for the unit filtered to; a user with
several scope roots can switch between them."""

from django.test import Client

from tests.conftest import make_user
from tuijin.orgs import actions as org_actions


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_org_page_links_to_the_units_records(world):
    page = client_for(world.county_office).get("/orgs/XS-A-1-1/").content.decode()
    for url in (
        "/problems/XS-A-1-1/",
        "/study/XS-A-1-1/",
        "/research/XS-A-1-1/",
        "/research/XS-A-1-1/projects/",
        "/evaluation/XS-A-1-1/",
        "/evaluation/XS-A-1-1/scorecard/",
    ):
        assert f'href="{url}"' in page, url
    # A member sees its own org's page, but not the records it may not open.
    member_page = client_for(world.member).get("/orgs/XS-A-1-1/").content.decode()
    assert 'id="org-records"' not in member_page


def test_new_on_a_filtered_list_creates_for_the_unit_filtered_to(world):
    client = client_for(world.county_office)
    page = client.get("/problems/XS-A/?org=XS-A-1-1").content.decode()
    assert 'href="/problems/XS-A-1-1/new/"' in page and "新增问题（A县教育局第一党支部）" in page
    assert 'href="/problems/XS-A/new/"' in client.get("/problems/XS-A/").content.decode()


def test_a_guidance_group_with_two_districts_switches_between_them(world):
    group = org_actions.create_guidance_group(
        actor=None, code="G2", name="第二巡回指导组", orgs=[world.county_a, world.county_b]
    )
    guide2 = make_user("guide2", "guidance", group=group)
    client = client_for(guide2)
    for code in ("XS-A", "XS-B"):
        page = client.get(f"/problems/{code}/").content.decode()
        assert 'id="root-switcher"' in page
        assert 'href="/problems/XS-A/"' in page and 'href="/problems/XS-B/"' in page
    assert 'id="root-switcher"' not in client_for(world.guide).get("/problems/XS-B/").content.decode()


def test_new_on_a_filtered_project_list_creates_for_the_unit_filtered_to(world):
    page = client_for(world.county_office).get("/research/XS-A/projects/?org=XS-A-1-1").content.decode()
    assert 'href="/research/XS-A-1-1/projects/new/"' in page and "新增项目（A县教育局第一党支部）" in page


def test_a_guidance_group_with_two_districts_lists_all_its_problems_in_one_list(world):
    import datetime as dt

    from tuijin.rectification import actions as problems

    group = org_actions.create_guidance_group(
        actor=None, code="G2", name="第二巡回指导组", orgs=[world.unit_a1, world.county_b]
    )
    guide2 = make_user("guide2", "guidance", group=group)
    day = dt.date(2026, 11, 27)

    def problem(actor, org, text):
        return problems.create_problem(
            actor=actor, org=org, description=text, source="集体查", found_on=day, measures=[{"text": "措施"}]
        )

    problem(world.branch_reporter, world.branch_a1a, "教育局支部的问题")
    problem(world.city_office, world.branch_b1, "B县支部的问题")
    problem(world.city_office, world.county_b, "B县委自身的问题")
    problem(world.county_office, world.branch_a2, "城关镇的问题")  # in county A, outside the group's unit_a1
    problem(world.city_office, world.city, "市委自身的问题")  # above both roots
    client = client_for(guide2)
    response = client.get("/problems/?scope=all")
    assert response.status_code == 200
    shown = {p.description for p in response.context["page"]}
    assert shown == {"教育局支部的问题", "B县支部的问题", "B县委自身的问题"}
    page = response.content.decode()
    assert 'id="root-switcher"' in page and 'href="/problems/?scope=all"' in page
    assert "全部范围（A县教育局党委、中共B县委）" in page
    # Filters keep the scope: the state filter and the search narrow the same list.
    assert {p.description for p in client.get("/problems/?scope=all&q=B县").context["page"]} == {
        "B县支部的问题",
        "B县委自身的问题",
    }
    assert client.get("/problems/?scope=all&state=待验收").context["page"].paginator.count == 0
    # The switcher offers 全部 on each root's list too; a user with one root is just sent to it.
    assert 'href="/problems/?scope=all"' in client.get("/problems/XS-B/").content.decode()
    assert 'href="/problems/?scope=all"' in client.get("/").content.decode()  # from the home's queue too
    single = client_for(world.guide).get("/problems/?scope=all")
    assert single.status_code == 302 and single["Location"] == "/problems/XS-B/"


def test_a_guidance_group_with_two_districts_lists_all_its_study_sessions_in_one_list(world):
    import datetime as dt

    from tuijin.study.actions import record_session

    group = org_actions.create_guidance_group(
        actor=None, code="G2", name="第二巡回指导组", orgs=[world.unit_a1, world.county_b]
    )
    guide2 = make_user("guide2", "guidance", group=group)

    def session(org, topic, form="支部学习"):
        return record_session(actor=None, org=org, date=dt.date(2026, 11, 20), form=form, topic=topic, headcount=5)

    session(world.branch_a1a, "教育局支部的学习")
    session(world.branch_b1, "B县支部的学习", form="专题研讨")
    session(world.branch_a2, "城关镇的学习")  # in county A, outside the group's unit_a1
    client = client_for(guide2)
    response = client.get("/study/?scope=all")
    assert response.status_code == 200
    assert {s.topic for s in response.context["page"]} == {"教育局支部的学习", "B县支部的学习"}
    page = response.content.decode()
    assert "全部范围（A县教育局党委、中共B县委）" in page and 'id="root-switcher"' in page
    assert {s.topic for s in client.get("/study/?scope=all&form=专题研讨").context["page"]} == {"B县支部的学习"}
    assert 'href="/study/?scope=all"' in client.get("/study/XS-B/").content.decode()  # the switcher on a root's list
    single = client_for(world.guide).get("/study/?scope=all")
    assert single.status_code == 302 and single["Location"] == "/study/XS-B/"


def test_a_guidance_group_with_two_districts_lists_all_its_research_visits_in_one_list(world):
    import datetime as dt

    from tests.conftest import make_person
    from tuijin.research.actions import record_visit

    group = org_actions.create_guidance_group(
        actor=None, code="G2", name="第二巡回指导组", orgs=[world.unit_a1, world.county_b]
    )
    guide2 = make_user("guide2", "guidance", group=group)
    for org, topic in (
        (world.branch_a1a, "教育局支部的调研"),
        (world.branch_b1, "B县支部的调研"),
        (world.branch_a2, "城关镇的调研"),
    ):  # the last in county A, outside the group's unit_a1
        person = make_person(org, f"R{org.pk}", f"调研人{org.pk}")
        record_visit(actor=None, person=person, date=dt.date(2026, 11, 20), topic=topic)
    client = client_for(guide2)
    response = client.get("/research/?scope=all")
    assert response.status_code == 200
    assert {v.topic for v in response.context["page"]} == {"教育局支部的调研", "B县支部的调研"}
    assert "全部范围（A县教育局党委、中共B县委）" in response.content.decode()
    assert {v.topic for v in client.get("/research/?scope=all&q=B县").context["page"]} == {"B县支部的调研"}
    assert 'href="/research/?scope=all"' in client.get("/research/XS-B/").content.decode()
    single = client_for(world.guide).get("/research/?scope=all")
    assert single.status_code == 302 and single["Location"] == "/research/XS-B/"

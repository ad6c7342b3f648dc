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
    for url in ("/problems/XS-A-1-1/", "/study/XS-A-1-1/", "/research/XS-A-1-1/", "/research/XS-A-1-1/projects/",
                "/evaluation/XS-A-1-1/", "/evaluation/XS-A-1-1/scorecard/"):
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
    group = org_actions.create_guidance_group(actor=None, code="G2", name="第二巡回指导组",
                                              orgs=[world.county_a, world.county_b])
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

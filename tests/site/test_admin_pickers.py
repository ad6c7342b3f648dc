"""Issue 11: the 三员 admin forms pick orgs and people by name with search (typing 东城 finds 中共东城区委,
typing a person's name finds the account), through a small scoped, paginated JSON search."""

import json

import lxml.html
import pytest
from django.test import Client

from tests.conftest import login_as, make_org, make_person, make_user
from tuijin.orgs.models import Role, RoleGrant


@pytest.fixture
def city(world):
    world.dongcheng = make_org(world.city, "XS-DC", "中共东城区委", kind="党委")
    world.dongcheng_branch = make_org(world.dongcheng, "XS-DC-1", "东城区财政局党支部")
    world.xiaoming = make_person(world.dongcheng_branch, "DC001", "王小明")
    world.wxm = make_user("wxm", person=world.xiaoming)
    return world


def client_for(user):
    client = Client()
    login_as(client, user)
    return client


def search(client, kind, q, page=1):
    response = client.get("/admin3/search/", {"kind": kind, "q": q, "page": page})
    return response.status_code, (json.loads(response.content) if response.status_code == 200 else None)


def test_typing_part_of_a_name_finds_the_org_and_the_account(city):
    client = client_for(city.secadmin)
    status, data = search(client, "org", "东城")
    assert status == 200
    assert [r["value"] for r in data["results"]] == ["中共东城区委（XS-DC）", "东城区财政局党支部（XS-DC-1）"]
    assert search(client, "user", "王小明")[1]["results"] == [{"value": "王小明（wxm）", "label": "王小明（wxm）"}]
    assert search(client, "user", "小明")[1]["results"][0]["value"] == "王小明（wxm）"
    assert search(client, "group", "巡回")[1]["results"][0]["value"] == "第一巡回指导组（G1）"
    assert search(client, "org", "西城")[1]["results"] == []  # a look-alike that must not match


def test_results_come_twenty_at_a_time(city):
    for n in range(25):
        make_org(city.dongcheng, f"XS-DC-P{n:02}", f"东城区第{n:02}党支部")
    client = client_for(city.secadmin)
    first, second = search(client, "org", "东城区第")[1], search(client, "org", "东城区第", page=2)[1]
    assert len(first["results"]) == 20 and first["has_next"]
    assert len(second["results"]) == 5 and not second["has_next"]
    assert not {r["value"] for r in first["results"]} & {r["value"] for r in second["results"]}
    assert search(client, "org", "东城区第", page="x")[1]["page"] == 1


def test_each_search_only_for_the_admin_whose_form_needs_it(city):
    sec, sys = client_for(city.secadmin), client_for(city.sysadmin)
    assert search(sys, "org", "东城")[0] == 404 and search(sec, "person", "王")[0] == 404
    assert search(sys, "person", "王小明")[1]["results"] == [{"value": "王小明（DC001）", "label": "王小明（DC001）"}]
    for persona in ("city_office", "auditadmin", "member"):
        assert search(client_for(getattr(city, persona)), "org", "东城")[0] == 404


def test_the_grant_form_offers_pickers_and_takes_what_they_fill_in(city):
    client = client_for(city.secadmin)
    page = lxml.html.fromstring(client.get("/admin3/grants/").content.decode())
    org_input = page.get_element_by_id("id_org_code")
    assert org_input.get("data-tj-search") == "/admin3/search/?kind=org" and org_input.get("list") == "pick-org"
    assert page.get_element_by_id("pick-org").tag == "datalist"
    assert "id_org_code_helptext" in org_input.get("aria-describedby")
    response = client.post(
        "/admin3/grants/",
        {"username": "王小明（wxm）", "role": Role.OFFICE, "org_code": "中共东城区委（XS-DC）", "group_code": ""},
    )
    assert response.status_code == 302
    assert RoleGrant.objects.filter(user=city.wxm, role=Role.OFFICE, org=city.dongcheng).exists()
    # A name only one org has is enough; a name several share asks to choose from the list.
    make_org(city.city, "XS-DC2", "东城区财政局党支部")
    response = client.post(
        "/admin3/grants/", {"username": "wxm", "role": Role.OFFICE, "org_code": "东城区财政局党支部", "group_code": ""}
    )
    assert "有多个名为“东城区财政局党支部”的组织" in response.content.decode()
    response = client.post(
        "/admin3/grants/", {"username": "不存在的人", "role": Role.OFFICE, "org_code": "中共西城区委", "group_code": ""}
    )
    html = response.content.decode()
    assert "没有找到账号“不存在的人”" in html and "没有找到组织“中共西城区委”" in html


def test_the_account_form_picks_the_person_by_name(city):
    from tuijin.orgs.models import User

    lihua = make_person(city.dongcheng_branch, "DC002", "李华")
    client = client_for(city.sysadmin)
    response = client.post(
        "/admin3/accounts/",
        {"username": "dongcheng1", "password": "Dongcheng-passw0rd-26", "person_number": "李华（DC002）"},
    )
    assert response.status_code == 302
    assert User.objects.get(username="dongcheng1").person == lihua
    # A person who already has an account is refused with a message, not a server error.
    response = client.post(
        "/admin3/accounts/", {"username": "dongcheng2", "password": "Dongcheng-passw0rd-26", "person_number": "王小明"}
    )
    assert "王小明（DC001）已有账号 wxm" in response.content.decode()

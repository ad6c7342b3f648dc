"""The REST API /api/v1/ (SPEC §4.4): token auth, paging, filters, masked phones, safe edits, the schema.

Who may see what through the API is proven by the authorization matrix (tests/authz/test_matrix.py);
this file is about how the API behaves for someone allowed to use it.
"""

import datetime as dt
from urllib.parse import urlencode

import pytest

from tuijin.core.events import verify_chain
from tuijin.core.models import DomainEvent
from tuijin.orgs.actions import issue_api_token
from tuijin.orgs.models import ApiToken, Person


class Api:
    """A test client speaking JSON to /api/v1/ with one persona's bearer token."""

    def __init__(self, client, token):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method):
        def call(path, body=None):
            url = "/api/v1" + path
            if body is None:
                return getattr(self.client, method)(url, headers=self.headers)
            return getattr(self.client, method)(url, body, content_type="application/json", headers=self.headers)

        return call


@pytest.fixture
def api(world, client):
    return {name: Api(client, issue_api_token(actor=None, user=getattr(world, name))) for name in world.personas}


def codes(response):
    return [item["code"] for item in response.json()["items"]]


def numbers(response):
    return [item["number"] for item in response.json()["items"]]


# ------------------------------------------------------------------ tokens


def test_a_token_opens_the_api_and_records_when_it_was_last_used(world, client):
    token = issue_api_token(actor=None, user=world.county_office, name="报表系统")
    response = Api(client, token).get("/orgs/XS-A")
    assert response.status_code == 200 and response.json()["name"] == "中共A县委"
    stored = ApiToken.objects.get(user=world.county_office)
    assert stored.last_used is not None
    assert token not in (stored.key_hash, stored.prefix), "only the token's hash is stored"


def test_an_unknown_token_is_401(world, client):
    assert Api(client, "tj_not-a-real-token").get("/orgs").status_code == 401


def test_a_revoked_token_is_401(world, client):
    token = issue_api_token(actor=None, user=world.city_office)
    ApiToken.objects.filter(user=world.city_office).update(revoked=True)
    assert Api(client, token).get("/orgs").status_code == 401


def test_a_token_of_a_disabled_account_is_401(world, client):
    token = issue_api_token(actor=None, user=world.city_office)
    world.city_office.is_active = False
    world.city_office.save()
    assert Api(client, token).get("/orgs").status_code == 401


def test_a_request_without_credentials_is_401(world, client):
    assert client.get("/api/v1/orgs").status_code == 401


def test_a_logged_in_browser_may_call_the_api_with_its_session(world, client):
    client.force_login(world.branch_reporter)
    assert codes(client.get("/api/v1/orgs")) == ["XS-A-1-1"]


def test_one_user_cannot_issue_a_token_for_another(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        issue_api_token(actor=world.county_office, user=world.city_office)
    assert issue_api_token(actor=world.sysadmin, user=world.city_office).startswith("tj_")


# ------------------------------------------------------------------ paging and filters


def test_lists_are_paged_as_items_and_count(api):
    first, second, third = (api["city_office"].get(f"/orgs?page_size=3&page={n}") for n in (1, 2, 3))
    assert set(first.json()) == {"items", "count"}
    assert [r.json()["count"] for r in (first, second, third)] == [8, 8, 8]
    assert [len(codes(r)) for r in (first, second, third)] == [3, 3, 2]
    assert len(set(codes(first) + codes(second) + codes(third))) == 8, "pages neither overlap nor skip"


def test_a_page_past_the_end_is_empty_not_an_error(api):
    response = api["city_office"].get("/people?page=9")
    assert response.status_code == 200 and response.json() == {"items": [], "count": 7}


def test_orgs_can_be_filtered_by_name_or_code_by_parent_and_by_kind(api):
    city = api["city_office"]
    assert codes(city.get("/orgs?q=教育局")) == ["XS-A-1", "XS-A-1-1", "XS-A-1-2"]
    assert codes(city.get("/orgs?q=xs-a-2")) == ["XS-A-2"]
    assert codes(city.get("/orgs?parent=XS-A")) == ["XS-A-1", "XS-A-2"]
    assert codes(city.get("/orgs?kind=党委")) == ["XS", "XS-A", "XS-A-1", "XS-B"]
    assert codes(city.get("/orgs?q=县&kind=党支部&parent=XS-A-1")) == ["XS-A-1-1", "XS-A-1-2"]


def test_an_org_comes_with_its_parent_and_rolled_up_counts(api):
    body = api["city_office"].get("/orgs/XS-A-1").json()
    assert body["parent_code"] == "XS-A" and body["depth"] == 3
    assert body["counts"] == {"orgs": 3, "branches": 2, "people": 6, "members": 6}


def test_people_can_be_filtered_by_org_with_or_without_its_subtree_and_by_name(api):
    city = api["city_office"]
    assert numbers(city.get("/people?org=XS-A-1")) == ["A1C1", "A1A1", "A1A2", "A1A3", "A1B1", "A1B2"]
    assert numbers(city.get("/people?org=XS-A-1&subtree=false")) == ["A1C1"]
    assert numbers(city.get("/people?q=乙")) == ["A1B1", "A1B2"]
    assert numbers(city.get("/people?q=b1p1")) == ["B1P1"]
    assert numbers(city.get("/people?org=XS-A&q=甲2")) == ["A1A2"]


def test_a_phone_leaves_the_api_masked(api):
    response = api["city_office"].get("/people/A1A1")
    assert response.json()["phone_masked"] == "138****1234"
    assert "phone" not in response.json()
    assert "13800001234" not in response.content.decode()
    assert "13800001234" not in api["city_office"].get("/people?org=XS-A-1-1").content.decode()


def test_a_bad_query_parameter_is_422_in_chinese_naming_it(api):
    response = api["city_office"].get("/orgs?page=abc")
    assert response.status_code == 422
    assert response.json()["field"] == "page" and "应为整数" in response.json()["detail"]


# ------------------------------------------------------------------ editing a person


def test_a_patch_with_the_current_version_saves_through_the_action_and_is_logged(world, api):
    response = api["county_office"].patch("/people/A1A2", {"version": 1, "post": "组织委员", "status": "预备党员"})
    assert response.status_code == 200
    assert response.json()["post"] == "组织委员" and response.json()["version"] == 2
    person = Person.objects.get(number="A1A2")
    assert (person.post, person.status, person.version) == ("组织委员", "预备党员", 2)
    event = DomainEvent.objects.filter(verb="person.update").latest("id")
    assert event.actor == world.county_office and event.target_id == str(person.pk)
    assert event.before == {"post": "", "status": "正式党员"}
    assert event.after == {"post": "组织委员", "status": "预备党员"}
    assert person.history.first().post == "组织委员"
    assert verify_chain() == []


def test_a_patch_with_a_stale_version_is_409_and_changes_nothing(api):
    assert api["city_office"].patch("/people/A1A2", {"version": 1, "post": "宣传委员"}).status_code == 200
    events_before = DomainEvent.objects.count()
    response = api["county_office"].patch("/people/A1A2", {"version": 1, "post": "组织委员"})
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    assert Person.objects.get(number="A1A2").post == "宣传委员"
    assert DomainEvent.objects.count() == events_before


def test_a_patch_out_of_scope_is_404_and_changes_nothing(api):
    response = api["county_office"].patch("/people/B1P1", {"version": 1, "post": "组织委员"})
    assert response.status_code == 404
    assert Person.objects.get(number="B1P1").post == ""


def test_a_member_may_read_but_not_patch_their_own_record(api):
    assert api["member"].get("/people/A1A1").status_code == 200
    response = api["member"].patch("/people/A1A1", {"version": 1, "post": "组织委员"})
    assert response.status_code == 403 and response.json()["detail"] == "没有权限执行此操作"
    assert Person.objects.get(number="A1A1").post == ""


def test_an_unknown_status_is_422_naming_the_field_and_changes_nothing(api):
    events_before = DomainEvent.objects.count()
    response = api["city_office"].patch("/people/A1A2", {"version": 1, "status": "党员"})
    assert response.status_code == 422
    assert response.json()["field"] == "status"
    assert "政治面貌" in response.json()["detail"] and "正式党员" in response.json()["detail"]
    person = Person.objects.get(number="A1A2")
    assert (person.status, person.version) == ("正式党员", 1)
    assert DomainEvent.objects.count() == events_before


@pytest.mark.parametrize(
    "body, field, words",
    [
        ({"post": "组织委员"}, "version", "必须填写"),
        ({"version": "一"}, "version", "应为整数"),
        ({"version": 1, "name": None}, "name", "姓名不能为空"),
        ({"version": 1, "name": "   "}, "name", "姓名不能为空"),
        ({"version": 1, "cadre_level": "科员"}, "cadre_level", "干部层级"),
        ({"version": 1, "phone": "12345"}, "phone", "手机号"),
        ({"version": 1, "post": "长" * 61}, "post", "最多 60 字"),
    ],
    ids=[
        "no-version",
        "version-not-a-number",
        "name-null",
        "name-blank",
        "unknown-cadre-level",
        "bad-phone",
        "post-too-long",
    ],
)
def test_bad_input_is_422_in_chinese_naming_the_field(api, body, field, words):
    response = api["city_office"].patch("/people/A1A2", body)
    assert response.status_code == 422
    assert response.json()["field"] == field and words in response.json()["detail"]
    assert Person.objects.get(number="A1A2").version == 1


def test_a_person_moves_to_another_org_in_scope_but_not_outside_it(api):
    county = api["county_office"]
    moved = county.patch("/people/A1A2", {"version": 1, "org_code": "XS-A-2"})
    assert moved.status_code == 200 and moved.json()["org_code"] == "XS-A-2"
    refused = county.patch("/people/A1A2", {"version": 2, "org_code": "XS-B-1"})
    assert refused.status_code == 404
    assert Person.objects.get(number="A1A2").org.code == "XS-A-2"


# ------------------------------------------------------------------ the schema


def test_the_openapi_schema_is_served_and_lists_the_paths(client, world):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/orgs", "/api/v1/orgs/{code}", "/api/v1/people", "/api/v1/people/{number}"} <= set(paths)
    assert "patch" in paths["/api/v1/people/{number}"]


# Values for path and query parameters by name; anything else gets a type-shaped sample.
SAMPLES = {"code": "XS-A", "number": "A1A2", "org": "XS-A", "parent": "XS", "q": "县", "kind": "党支部"}


def _resolve(schema, document):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _sample(schema, document, name=""):
    schema = _resolve(schema, document)
    if name in SAMPLES:
        return SAMPLES[name]
    if "enum" in schema:
        return schema["enum"][0]
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return _sample(option, document)
    kind = schema.get("type")
    if kind == "object":
        return {
            key: _sample(value, document, key)
            for key, value in schema.get("properties", {}).items()
            if key in schema.get("required", [])
        }
    if kind == "array":
        return []
    if schema.get("format") == "date":
        return dt.date(2026, 11, 27).isoformat()
    return {"integer": 1, "number": 1, "boolean": False}.get(kind, "样例")


def _operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_every_operation_in_the_schema_answers_the_city_office_without_a_server_error(client, world):
    document = client.get("/api/v1/openapi.json").json()
    client.force_login(world.city_office)
    answered = []
    for path, method, operation in _operations(document):
        url, query = path, {}
        for param in operation.get("parameters", []):
            value = _sample(param.get("schema", {}), document, param["name"])
            if param["in"] == "path":
                url = url.replace("{" + param["name"] + "}", str(value))
            elif param.get("required"):
                query[param["name"]] = value
        if query:
            url += "?" + urlencode(query)
        body = operation.get("requestBody", {}).get("content", {})
        if "application/json" in body:
            payload = _sample(body["application/json"]["schema"], document)
            response = getattr(client, method)(url, payload, content_type="application/json")
        else:
            response = getattr(client, method)(url)
        assert response.status_code < 500, f"{method.upper()} {url}: {response.status_code}"
        answered.append(f"{method.upper()} {path}")
    assert "GET /api/v1/orgs" in answered and "PATCH /api/v1/people/{number}" in answered

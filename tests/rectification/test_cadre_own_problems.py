"""领导干部个人检视问题 (issue 16, 以上率下): a problem may be a leading cadre's own (owner_person), set
through the actions, the pages and the API; the list filters to one cadre's problems and counts them per
cadre; the indicator counts cadres with a list, and the detector names a unit whose cadres have none.
Hand-built data with known answers, and the look-alikes that must not match."""

import datetime as dt
import json

import pytest
from django.test import Client

from tests.conftest import login_as, make_person
from tuijin.core import detectors
from tuijin.core.detectors import Probe
from tuijin.core.errors import ActionError
from tuijin.core.indicators import Pair, get
from tuijin.orgs.actions import issue_api_token
from tuijin.orgs.models import Org
from tuijin.rectification import actions
from tuijin.rectification.models import Problem

from .conftest import PDF, TODAY


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


def new(world, org, description, owner=None, actor=None):
    return actions.create_problem(
        actor=actor or world.county_office,
        org=org,
        description=description,
        source="个人纠",
        found_on=dt.date(2026, 10, 8),
        owner_person=owner,
        measures=[{"text": "11月底前逐项对照检查", "owner": "本人", "deadline": dt.date(2026, 11, 30)}],
    )


def close(world, problem):
    actor = world.county_office
    actions.attach_evidence(problem, actor=actor, name="记录.pdf", data=PDF)
    for m in problem.measures.all():
        actions.set_measure_done(m, actor=actor, done=True, as_of=TODAY)
    actions.submit_for_acceptance(problem, actor=actor)
    return actions.close_problem(problem, actor=world.city_office, as_of=TODAY, change="调研时直接到基层听意见")


@pytest.fixture
def campaign(world):
    from tests.research.conftest import CAMPAIGN
    from tuijin.campaigns.actions import load_campaign

    return load_campaign(CAMPAIGN, actor=None)


@pytest.fixture
def cadres(world):
    """丙书记 (A1C1, the 教育局党委 unit) and 丙副书记 (A1C2); 乙一 in a branch is not a cadre."""
    return {
        "bing": world.cadre,
        "deputy": make_person(world.unit_a1, "A1C2", "丙副书记", is_leading_cadre=True, post="副书记"),
        "b": make_person(world.county_b, "BC1", "戊书记", is_leading_cadre=True, post="书记"),
    }


# ------------------------------------------------------------------ the action's rules


def test_a_cadre_of_the_org_or_below_may_own_a_problem(world, cadres):
    own = new(world, world.unit_a1, "调研不深入，听汇报多", cadres["bing"])
    assert own.owner_person == cadres["bing"]
    # the county's list may hold a cadre of a unit below it
    assert new(world, world.county_a, "抓落实不够", cadres["bing"]).owner_person == cadres["bing"]
    assert new(world, world.unit_a1, "单位的问题").owner_person is None


@pytest.mark.parametrize(
    "org, who, words",
    [
        ("branch_a1a", "bing", "不属于A县教育局第一党支部或其下级单位"),  # the cadre sits above the branch
        ("county_a", "b", "不属于中共A县委或其下级单位"),  # another county's cadre
        ("unit_a1", "plain", "不是领导干部"),
    ],
)
def test_a_person_outside_the_subtree_or_not_a_cadre_is_refused(world, cadres, org, who, words):
    person = world.p_a1b[0] if who == "plain" else cadres[who]
    with pytest.raises(ActionError) as exc:
        new(world, getattr(world, org), "问题", person)
    assert exc.value.field == "owner_person" and words in exc.value.message
    assert not Problem.objects.filter(description="问题").exists()


def test_edit_sets_and_clears_the_owner_and_records_it(world, cadres):
    p = new(world, world.unit_a1, "问题甲")
    p = actions.update_problem(p, actor=world.county_office, owner_person=cadres["deputy"])
    assert p.owner_person == cadres["deputy"]
    from tuijin.core.models import DomainEvent

    event = DomainEvent.objects.filter(verb="problem.update").latest("id")
    assert event.after == {"owner_person_id": cadres["deputy"].pk}
    with pytest.raises(ActionError) as exc:
        actions.update_problem(p, actor=world.county_office, owner_person=world.p_a1b[0])
    assert exc.value.field == "owner_person"
    assert actions.update_problem(p, actor=world.county_office, owner_person=None).owner_person is None


# ------------------------------------------------------------------ pages


def test_the_list_counts_each_cadre_and_filters_to_one(world, cadres):
    a = new(world, world.unit_a1, "丙书记的问题一", cadres["bing"])
    new(world, world.unit_a1, "丙书记的问题二", cadres["bing"])
    new(world, world.county_a, "丙书记在县委清单上的问题", cadres["bing"])
    new(world, world.unit_a1, "丙副书记的问题", cadres["deputy"])
    new(world, world.unit_a1, "单位的问题")
    close(world, a)
    client = Client()
    login_as(client, world.county_office)
    page = client.get("/problems/XS-A-1/").content.decode()
    assert "领导干部个人检视问题：" in page
    assert "丙书记</a> 2个（已销号1个）" in page  # the county's own list is above the unit: not counted here
    assert "丙副书记</a> 1个（已销号0个）" in page
    county = client.get("/problems/XS-A/").content.decode()
    assert "丙书记</a> 3个（已销号1个）" in county
    own = client.get("/problems/XS-A-1/?cadre=A1C1").content.decode()
    assert "丙书记的问题一" in own and "丙书记的问题二" in own
    assert "丙副书记的问题" not in own and "单位的问题" not in own
    assert "只显示领导干部丙书记" in own


def test_a_user_cannot_list_a_cadre_outside_what_they_see(world, cadres):
    new(world, world.unit_a1, "丙书记的问题", cadres["bing"])
    client = Client()
    login_as(client, world.branch_reporter)  # the branch below the unit: the cadre is not in its subtree
    assert client.get("/problems/XS-A-1-1/?cadre=A1C1").status_code == 404
    page = client.get("/problems/XS-A-1-1/").content.decode()
    assert "领导干部个人检视问题" not in page and "丙书记的问题" not in page
    login_as(client, world.member)
    assert client.get("/problems/XS-A-1/?cadre=A1C1").status_code in (403, 404)


def test_the_new_problem_form_offers_the_orgs_cadres(world, cadres):
    client = Client()
    login_as(client, world.county_office)
    form = client.get("/problems/XS-A-1/new/").content.decode()
    assert "丙书记（书记，A县教育局党委）" in form and "丙副书记" in form
    assert "戊书记" not in form and "乙一" not in form
    response = client.post(
        "/problems/XS-A-1/new/",
        {
            "category": "其他",
            "source": "个人纠",
            "description": "批评和自我批评不够",
            "found_on": "2026-10-08",
            "owner_person": cadres["deputy"].pk,
            "m-TOTAL_FORMS": "0",
            "m-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    p = Problem.objects.get(description="批评和自我批评不够")
    assert p.owner_person == cadres["deputy"]
    detail = client.get(f"/problems/item/{p.pk}/").content.decode()
    assert "领导干部丙副书记（A县教育局党委）" in detail


# ------------------------------------------------------------------ API


def api(user):
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=user)}"}
    return client, auth


def test_the_api_sets_and_reads_the_owner(world, cadres):
    client, auth = api(world.county_office)
    body = {"org": "XS-A-1", "description": "调研走过场", "source": "个人纠", "owner_person": "A1C1"}
    made = client.post("/api/v1/problems", json.dumps(body), content_type="application/json", **auth)
    assert made.status_code == 201
    assert made.json()["owner_person"] == "A1C1" and made.json()["owner_person_name"] == "丙书记"
    bad = client.post(
        "/api/v1/problems", json.dumps({**body, "owner_person": "A1B1"}), content_type="application/json", **auth
    )
    assert bad.status_code == 422 and bad.json()["field"] == "owner_person" and "不是领导干部" in bad.json()["detail"]
    pk = made.json()["id"]
    cleared = client.patch(
        f"/api/v1/problems/{pk}",
        json.dumps({"version": made.json()["version"], "owner_person": None}),
        content_type="application/json",
        **auth,
    )
    assert cleared.status_code == 200 and cleared.json()["owner_person"] is None
    assert client.get(f"/api/v1/problems/{pk}", **auth).json()["owner_person"] is None


# ------------------------------------------------------------------ indicator and detector


def test_the_indicator_counts_cadres_with_a_list_at_their_own_org(world, cadres):
    p = new(world, world.county_a, "丙书记在县委清单上的问题", cadres["bing"])
    new(world, world.unit_a1, "单位的问题")
    withdrawn = new(world, world.unit_a1, "撤回的问题", cadres["deputy"])
    actions.withdraw_problem(withdrawn, actor=world.county_office, reason="重复录入")
    close(world, p)
    orgs = list(Org.objects.all())
    own = get("problems.cadre_own_list").compute(orgs, TODAY, None)
    assert own[world.unit_a1.pk] == Pair(1, 2)  # 丙书记 yes; 丙副书记's only one was withdrawn
    assert own[world.county_b.pk] == Pair(0, 1)
    closed = get("problems.cadre_own_closed").compute(orgs, TODAY, None)
    assert closed == {world.unit_a1.pk: Pair(1, 1)}  # counted at the cadre's org, not the county's


def _probe(num, den, found=1, progress=0.5):
    d = detectors.get("cadre_own_list_missing")
    return d.test(
        Probe(
            Org(kind="党组"),
            {"problems.cadre_own_list": Pair(num, den), "problems.found": Pair(found)},
            progress,
            TODAY,
            dict(d.defaults),
        )
    )


def test_the_detector_names_a_unit_whose_cadres_have_no_own_problem():
    hit = _probe(0, 3)
    assert hit is not None and hit.text == "领导干部3名，都还没有列出本人的个人检视问题"
    assert hit.figures == {"cadres": 3, "with_own_problems": 0}
    # look-alikes: every cadre (or one) has a list; no cadres at all; no problems at all; too early
    assert _probe(3, 3) is None and _probe(1, 3) is None
    assert _probe(0, 0) is None
    assert _probe(0, 3, found=0) is None
    assert _probe(0, 3, progress=0.1) is None


def test_findings_and_the_briefing_name_the_unit_not_the_look_alike(world, cadres, campaign):
    from tuijin.evaluation import briefing
    from tuijin.evaluation.findings import findings

    # A县教育局党委: each cadre has one of their own (look-alike); B县委: a cadre, only the unit's problem
    new(world, world.unit_a1, "丙书记的问题", cadres["bing"])
    new(world, world.unit_a1, "丙副书记的问题", cadres["deputy"])
    new(world, world.county_b, "B县的问题", actor=world.city_office)
    found = {f.subject.code for f in findings(world.city, TODAY) if f.detector == "cadre_own_list_missing"}
    assert found == {"XS-B"}
    b = briefing.build(world.city, TODAY)
    text = "".join(c.text for s in b.sections for c in s.paragraphs)
    assert "领导干部3名，其中2名列出了本人的个人检视问题，共2个，已销号0个。" in text
    assert "有的单位领导干部没有带头查摆个人问题" in text and "B县委（领导干部1名，尚未列出本人的个人检视问题）" in text


def test_counters_stay_equal_to_a_recount_when_the_cadre_sits_below_the_problems_org(world, cadres):
    """The figures are counted at the cadre's org: the actions refresh it as well as the problem's org."""
    from tests.evaluation.test_counters import live_totals, normalize, stored_totals
    from tuijin.evaluation import counters

    counters.rebuild(TODAY)
    p = new(world, world.county_a, "县委清单上丙书记的问题", cadres["bing"])
    assert normalize(stored_totals()) == normalize(live_totals())
    p = close(world, p)
    assert normalize(stored_totals()) == normalize(live_totals())
    q = new(world, world.county_a, "县委清单上的另一个问题", cadres["deputy"])
    actions.update_problem(q, actor=world.county_office, owner_person=cadres["bing"])  # 丙副书记 loses it
    assert normalize(stored_totals()) == normalize(live_totals())
    stored = stored_totals()[world.unit_a1.pk]
    assert stored["problems.cadre_own_list"] == [1, 2] and stored["problems.cadre_own_closed"] == [1, 2]


def test_the_import_has_no_owner_column_keeps_a_stored_owner_and_creates_none(world, cadres, tmp_path):
    from tests.evaluation.test_counters import live_totals, normalize, stored_totals
    from tests.rectification.test_import import HEADER, sheet
    from tuijin.evaluation import counters
    from tuijin.imports.registry import run_import

    assert not any("领导干部" in h or "个人" in h for h in HEADER)
    counters.rebuild(TODAY)
    own = new(world, world.county_a, "丙书记的问题", cadres["bing"])
    rows = [
        [
            "XS-A",
            own.number,
            "其他",
            "个人纠",
            "丙书记的问题",
            "11月底前逐项对照检查",
            "丙书记",
            "2026/12/31",
            None,
            "否",
        ],
        ["XS-A", "2026-099", "其他", "集体查", "导入的新问题", "12月底前完成", "办公室", "2026/12/31", None, "否"],
    ]
    run_import("problems", sheet(tmp_path, rows), actor=world.county_office)
    own.refresh_from_db()
    assert own.responsible == "丙书记" and own.owner_person == cadres["bing"]
    assert Problem.objects.get(number="2026-099").owner_person is None
    assert normalize(stored_totals()) == normalize(live_totals())


def test_the_edit_page_sets_the_owner_and_refuses_a_cadre_outside(world, cadres):
    p = new(world, world.unit_a1, "待修改的问题")
    client = Client()
    login_as(client, world.county_office)
    data = {
        "category": "其他",
        "source": "个人纠",
        "description": "待修改的问题",
        "version": p.version,
        "owner_person": cadres["bing"].pk,
    }
    assert client.post(f"/problems/item/{p.pk}/edit/", data).status_code == 302
    p.refresh_from_db()
    assert p.owner_person == cadres["bing"]
    # 戊书记 of B县 is not offered for A县教育局党委: the form refuses the choice and nothing changes
    page = client.post(f"/problems/item/{p.pk}/edit/", {**data, "version": p.version, "owner_person": cadres["b"].pk})
    assert page.status_code == 200
    p.refresh_from_db()
    assert p.owner_person == cadres["bing"]

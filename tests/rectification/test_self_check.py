"""举一反三 (issue 16): a problem found by an upper level (上级查) or closed (已销号) is suggested for a
self-check (对照检视) to units of the same sector, kind and level in the same campaign whose lists hold
nothing similar; the unit answers 存在 (its own problem, 集体查, linked) or 不存在 (with a note).
Hand-built trees with known answers; the look-alikes (another sector, another level, a unit that already
has a similar problem, one outside the campaign) are never suggested. Dates are fixed."""

import datetime as dt
import textwrap

import pytest
from django.core.exceptions import PermissionDenied

from tests.conftest import make_org
from tuijin.campaigns.actions import load_campaign
from tuijin.core.errors import ActionError
from tuijin.core.models import DomainEvent as Event
from tuijin.rectification import actions, selfcheck
from tuijin.rectification.models import Problem, SelfCheck

from .conftest import PDF, TODAY

FOUND = dt.date(2026, 10, 10)
TEXT = "食堂采购台账登记不全，票据与实物对不上"


@pytest.fixture(autouse=True)
def campaign(world, tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())
    load_campaign(
        textwrap.dedent("""
        [campaign]
        name = "主题教育"
        start = 2026-09-01
        end = 2027-01-31
        root = "XS"
    """),
        actor=None,
    )


@pytest.fixture
def schools(world):
    """School branches like A1a (党支部, 学校, depth 4) under B's education bureau, and a look-alike of each kind."""
    w = world
    w.edu_b = make_org(w.county_b, "XS-B-2", "B县教育局党委", kind="党委", sector="学校")
    w.school_b21 = make_org(w.edu_b, "XS-B-2-1", "B县第一中学党支部", sector="学校")
    w.school_b22 = make_org(w.edu_b, "XS-B-2-2", "B县第二中学党支部", sector="学校")
    make_org(w.edu_b, "XS-B-2-3", "B县医院党支部", sector="医院")  # another sector
    make_org(w.edu_b, "XS-B-2-4", "B县第三中学党总支", kind="党总支", sector="学校")  # another kind
    make_org(w.school_b21, "XS-B-2-1-1", "B县第一中学初中部党支部", sector="学校")  # another level
    make_org(w.county_b, "XS-B-6", "B县职业学校党支部", sector="学校")  # another level
    return w


def upper_found(w, org=None, text=TEXT):
    return actions.add_found_by_upper_level(
        actor=w.city_office, org=org or w.branch_a1a, description=text, found_on=FOUND, category="工作作风"
    )


def suggested(problem):
    return sorted(SelfCheck.objects.filter(source=problem).values_list("org__code", flat=True))


def test_similarity_is_the_jaccard_of_character_bigrams():
    assert selfcheck.similarity("台账不全", "台账不全！") == 1.0
    assert selfcheck.similarity("台账不全", "理论学习") == 0.0
    # 台账 账不 不全 vs 台账 账不 不清: 2 shared of 4
    assert selfcheck.similarity("台账不全", "台账不清") == pytest.approx(0.5)


def test_an_upper_level_problem_is_suggested_to_same_sector_kind_and_level_only(schools):
    w = schools
    p = upper_found(w)
    # A1b, B-2-1, B-2-2: school branches at depth 4; never 医院, the 党总支, the other levels, the org itself
    assert suggested(p) == ["XS-A-1-2", "XS-B-2-1", "XS-B-2-2"]
    check = SelfCheck.objects.get(source=p, org=w.school_b21)
    assert (check.trigger, check.suggested_on, check.answer) == ("上级查", FOUND, "待对照")
    event = Event.objects.get(verb="problem.self_check.suggest")
    assert "提示A县教育局第二党支部、B县第一中学党支部、B县第二中学党支部举一反三" in event.summary


def test_a_unit_that_already_has_a_similar_problem_is_not_suggested(schools):
    w = schools
    actions.create_problem(
        actor=None, org=w.school_b21, description="食堂采购台账登记不全，票据对不上", source="集体查", found_on=FOUND
    )
    actions.create_problem(actor=None, org=w.school_b22, description="理论学习不深入", source="集体查", found_on=FOUND)
    p = upper_found(w)
    assert suggested(p) == ["XS-A-1-2", "XS-B-2-2"]  # B-2-2's problem is about something else


def test_a_self_found_problem_is_not_suggested_until_it_is_closed(schools):
    w = schools
    p = actions.create_problem(
        actor=w.county_office,
        org=w.branch_a1a,
        description=TEXT,
        source="集体查",
        found_on=FOUND,
        measures=[{"text": "逐笔核对台账", "owner": "会计"}],
    )
    assert suggested(p) == []
    actions.attach_evidence(p, actor=w.county_office, name="台账.pdf", data=PDF)
    for m in p.measures.all():
        actions.set_measure_done(m, actor=w.county_office, done=True, as_of=FOUND)
    actions.submit_for_acceptance(p, actor=w.county_office)
    actions.close_problem(p, actor=w.county_office, as_of=dt.date(2026, 10, 20), change="台账每周核对一次")
    assert suggested(p) == ["XS-A-1-2", "XS-B-2-1", "XS-B-2-2"]
    assert set(SelfCheck.objects.filter(source=p).values_list("trigger", flat=True)) == {"已销号"}


def test_no_campaign_no_suggestion_and_orgs_outside_the_campaign_tree_are_never_suggested(world):
    other = make_org(None, "YS", "中共Y市委", kind="党委")
    county = make_org(other, "YS-A", "中共Y县委", kind="党委")
    make_org(
        make_org(county, "YS-A-1", "Y县教育局党委", kind="党委", sector="学校"),
        "YS-A-1-1",
        "Y县某中学党支部",
        sector="学校",
    )
    p = upper_found(world)
    assert suggested(p) == ["XS-A-1-2"]


def test_the_fan_out_is_bounded_and_never_repeats_a_unit(world):
    edu = make_org(world.county_b, "XS-B-2", "B县教育局党委", kind="党委", sector="学校")
    for i in range(55):
        make_org(edu, f"XS-B-S{i:02d}", f"B县第{i}小学党支部", sector="学校")
    p = upper_found(world)
    assert len(suggested(p)) == selfcheck.MAX_FAN_OUT == 50
    # closing it later suggests only those not yet suggested (the rest, 56 - 50 = 6), none twice
    actions.suggest_self_checks(p, actor=None, as_of=dt.date(2026, 10, 20), trigger="已销号")
    assert SelfCheck.objects.filter(source=p).count() == 56
    actions.suggest_self_checks(p, actor=None, as_of=dt.date(2026, 10, 21), trigger="已销号")
    assert SelfCheck.objects.filter(source=p).count() == 56


def test_answering_exists_creates_the_units_own_linked_problem(schools):
    w = schools
    p = upper_found(w)
    check = SelfCheck.objects.get(source=p, org=w.branch_a1b)
    with pytest.raises(PermissionDenied):  # A1a's reporter is not A1b
        actions.answer_self_check(check, actor=w.branch_reporter, exists=True, as_of=TODAY)
    done = actions.answer_self_check(
        check, actor=w.county_office, exists=True, as_of=TODAY, description="食堂采购票据与台账不一致"
    )
    found = done.found_problem
    assert (found.org, found.source, found.description, found.category) == (
        w.branch_a1b,
        "集体查",
        "食堂采购票据与台账不一致",
        "工作作风",
    )
    assert found.found_by_check.source == p
    assert (done.answer, done.answered_on, done.answered_by) == ("存在", TODAY, w.county_office)
    assert (
        "举一反三：对照A县教育局第一党支部问题"
        in Event.objects.get(verb="problem.create", target_id=str(found.pk)).summary
    )
    with pytest.raises(ActionError):
        actions.answer_self_check(check, actor=w.county_office, exists=False, note="再答", as_of=TODAY)
    # the new problem, being similar, keeps A1b out of a later suggestion of the same kind
    q = upper_found(w, org=w.school_b21, text="食堂采购票据与台账不一致的问题")
    assert "XS-A-1-2" not in suggested(q)


def test_answering_absent_needs_a_note(schools):
    w = schools
    check = SelfCheck.objects.get(source=upper_found(w), org=w.branch_a1b)
    with pytest.raises(ActionError) as refused:
        actions.answer_self_check(check, actor=w.county_office, exists=False, note=" ", as_of=TODAY)
    assert refused.value.field == "note"
    done = actions.answer_self_check(
        check, actor=w.county_office, exists=False, note="核对了9-10月食堂台账，一致", as_of=TODAY
    )
    assert (done.answer, done.found_problem) == ("不存在", None)
    assert Problem.objects.filter(org=w.branch_a1b).count() == 0


def test_indicators_count_answers_and_problems_found_as_of_the_day(schools):
    from tuijin.campaigns.models import Campaign
    from tuijin.core.indicators import Pair, get

    w = schools
    p = upper_found(w)
    a1b, b21 = (SelfCheck.objects.get(source=p, org=o) for o in (w.branch_a1b, w.school_b21))
    actions.answer_self_check(a1b, actor=w.county_office, exists=True, as_of=dt.date(2026, 10, 15))
    actions.answer_self_check(b21, actor=w.city_office, exists=False, note="核对了食堂台账", as_of=dt.date(2026, 11, 1))
    orgs = [w.branch_a1b, w.school_b21, w.school_b22]
    answered, found, stale = (
        get(c) for c in ("problems.self_check_answered", "problems.found_by_self_check", "problems.self_check_stale")
    )
    assert answered.compute(orgs, dt.date(2026, 10, 20), None) == {
        w.branch_a1b.pk: Pair(1, 1),
        w.school_b21.pk: Pair(0, 1),
        w.school_b22.pk: Pair(0, 1),
    }
    assert found.compute(orgs, TODAY, None) == {w.branch_a1b.pk: Pair(1)}
    assert found.compute(orgs, dt.date(2026, 10, 14), None) == {}
    # 14 days by default: on 10-24 (14 days after 10-10) nothing is late yet; on 10-25 both open ones are
    assert {k: v.num for k, v in stale.compute(orgs, dt.date(2026, 10, 24), None).items()} == {
        w.branch_a1b.pk: 0,
        w.school_b21.pk: 0,
        w.school_b22.pk: 0,
    }
    assert {k: v.num for k, v in stale.compute(orgs, dt.date(2026, 10, 25), None).items()} == {
        w.branch_a1b.pk: 0,
        w.school_b21.pk: 1,
        w.school_b22.pk: 1,
    }
    campaign = Campaign.objects.get()
    campaign.detectors = {"self_check_lagging": {"max_days": 30}}
    assert stale.compute(orgs, dt.date(2026, 10, 25), campaign)[w.school_b22.pk].num == 0
    assert (answered.meaning, found.meaning, stale.meaning) == ("higher", "neutral", "zero")


def test_the_detector_pinned_positive_and_look_alikes(schools):
    """Positive: a unit with a suggestion unanswered for 17 days. Look-alikes: a unit that answered all,
    and one whose only suggestion is 5 days old."""
    from tests.evaluation.test_findings import run

    assert run("self_check_lagging", {"problems.self_check_stale": (1, 2)}) is not None
    assert run("self_check_lagging", {"problems.self_check_stale": (0, 3)}) is None
    assert run("self_check_lagging", {"problems.self_check_stale": (0, 0)}) is None
    from tuijin.core.detectors import Probe, get as detector
    from tuijin.core.indicators import get

    w = schools
    p = upper_found(w)  # 10-10: A1b, B-2-1, B-2-2
    actions.answer_self_check(
        SelfCheck.objects.get(source=p, org=w.branch_a1b),
        actor=w.county_office,
        exists=False,
        note="核对了食堂台账",
        as_of=dt.date(2026, 10, 12),
    )
    late = upper_found(w, org=w.school_b21, text="教师师德师风考核流于形式")  # 10-10 too; B-2-2 and A1b are suggested
    SelfCheck.objects.filter(source=late, org=w.branch_a1b).update(suggested_on=dt.date(2026, 10, 22))
    as_of = dt.date(2026, 10, 27)
    d = detector("self_check_lagging")
    totals = get("problems.self_check_stale").compute([w.branch_a1b, w.school_b22], as_of, None)

    def hit(org):
        return d.test(
            Probe(
                org=org,
                totals={"problems.self_check_stale": totals[org.pk]},
                progress=0.5,
                as_of=as_of,
                params=dict(d.defaults),
            )
        )

    assert hit(w.school_b22).text == "提示举一反三、对照检视2次，其中2次超过14天仍未答复"
    assert hit(w.branch_a1b) is None  # answered the old one; the new one is 5 days old


def test_the_unit_sees_open_suggestions_at_home_and_answers_on_the_page(schools):
    from django.test import Client

    from tests.conftest import login_as, make_user

    w = schools
    p = upper_found(w)
    b21 = make_user("b21_reporter", "unit", org=w.school_b21)
    unit = Client()
    login_as(unit, b21)
    home = unit.get("/").content.decode()
    assert "举一反三：待对照检视" in home and "请对照A县教育局第一党支部问题“食堂采购台账登记不全" in home
    assert "检视B县第一中学党支部是否存在同类问题" in home
    page = unit.get("/problems/XS-B-2-1/self-checks/")
    assert [c.org.code for c in page.context["page"]] == ["XS-B-2-1"]
    check = SelfCheck.objects.get(source=p, org=w.school_b21)
    other = SelfCheck.objects.get(source=p, org=w.school_b22)
    assert unit.post("/problems/XS-B-2-1/self-checks/", {"check": other.pk, "answer": "存在"}).status_code == 404
    assert unit.get("/problems/XS-A-1-2/self-checks/").status_code == 404
    refused = unit.post("/problems/XS-B-2-1/self-checks/", {"check": check.pk, "answer": "不存在"}, follow=True)
    assert "请写明对照检视了哪些方面" in refused.content.decode()
    unit.post("/problems/XS-B-2-1/self-checks/", {"check": check.pk, "answer": "存在", "description": "食堂票据缺失"})
    check.refresh_from_db()
    assert (check.answer, check.found_problem.description, check.found_problem.source) == (
        "存在",
        "食堂票据缺失",
        "集体查",
    )
    assert "举一反三：待对照检视" not in unit.get("/").content.decode()
    # the suggestion is not the A1a reporter's: not at home, and A1b's page is out of its scope
    reporter = Client()
    login_as(reporter, w.branch_reporter)
    assert "举一反三：待对照检视" not in reporter.get("/").content.decode()
    assert reporter.get("/problems/XS-A-1-2/self-checks/").status_code == 404


def test_the_api_lists_in_scope_and_answers_through_the_action(schools):
    import json

    from django.test import Client

    from tests.conftest import login_as

    w = schools
    p = upper_found(w)
    client = Client()
    login_as(client, w.county_office)  # county A: sees A1b's suggestion only
    listed = client.get("/api/v1/self-checks").json()
    assert [i["org"] for i in listed["items"]] == ["XS-A-1-2"] and listed["count"] == 1
    assert listed["items"][0]["source_description"] == TEXT
    pk = listed["items"][0]["id"]
    b21 = SelfCheck.objects.get(source=p, org=w.school_b21).pk

    def post(pk, body):
        return client.post(f"/api/v1/self-checks/{pk}/answer", json.dumps(body), content_type="application/json")

    assert post(b21, {"exists": False, "note": "x"}).status_code == 404
    assert post(pk, {"exists": False}).status_code == 422
    done = post(pk, {"exists": False, "note": "核对了食堂台账"})
    assert done.status_code == 200 and done.json()["answer"] == "不存在"
    assert post(pk, {"exists": True}).status_code == 422
    assert client.get("/api/v1/self-checks?answer=待对照").json()["count"] == 0
    assert client.get("/api/v1/self-checks?org=XS-B").status_code == 404

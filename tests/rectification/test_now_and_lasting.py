"""当下改与长久立 (issue 16): each measure is 立行立改 or 建章立制; a closed problem of a recurring kind
with no 建章立制 measure and no linked rule is counted (problems.lasting_rule_missing) and named
(detector no_lasting_rule). Hand-built lists with known answers, and the look-alikes that are not."""

import datetime as dt
import json

import pytest
from django.test import Client

from tests.conftest import login_as
from tuijin.core import detectors
from tuijin.core.detectors import Probe
from tuijin.core.indicators import Pair, get
from tuijin.rectification import actions
from tuijin.rectification.indicators import recurring_descriptions
from tuijin.rectification.models import Measure, MeasureKind

from .conftest import PDF, TODAY


@pytest.fixture(autouse=True)
def media(tmp_path, settings, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())


NOW = {"text": "由办公室负责，12月10日前清理积压台账", "owner": "办公室", "deadline": dt.date(2026, 12, 10)}
RULE = {
    "text": "制定《窗口服务首问负责制度》并印发执行",
    "owner": "办公室",
    "deadline": dt.date(2026, 12, 10),
    "kind": "建章立制",
}


def closed(world, org, category, measures, description="问题", reopen_first=False):
    actor = world.county_office  # owns (records.manage below it) and reviews (an office above the branches)
    p = actions.create_problem(
        actor=actor,
        org=org,
        description=description,
        source="集体查",
        category=category,
        found_on=dt.date(2026, 10, 8),
        measures=measures,
    )
    actions.attach_evidence(p, actor=actor, name="记录.pdf", data=PDF)
    for m in p.measures.all():
        actions.set_measure_done(m, actor=actor, done=True, as_of=TODAY)
    actions.submit_for_acceptance(p, actor=actor)
    p = actions.close_problem(p, actor=actor, as_of=TODAY, change="接待标准已按新规执行")
    if reopen_first:
        p = actions.reopen_problem(p, actor=actor, reason="回头看发现问题又出现")
        actions.submit_for_acceptance(p, actor=actor)
        p = actions.close_problem(p, actor=actor, as_of=TODAY, change="接待标准已按新规执行")
    return p


@pytest.fixture
def lists(world):
    """窗口服务推诿扯皮 recorded in two units (recurring); 工作作风 as a category in three units is not a
    recurring problem by itself (值班脱岗); 学习笔记不全 in one unit (not); 公车私用 in one but reopened once."""
    w = world
    out = {
        "bare": closed(w, w.branch_a1a, "工作作风", [NOW], "窗口服务推诿扯皮"),
        "ruled": closed(w, w.branch_a1b, "工作作风", [NOW, RULE], "窗口服务推诿扯皮"),
        "open": actions.create_problem(
            actor=w.county_office,
            org=w.branch_a2,
            description="值班脱岗",
            source="集体查",
            category="工作作风",
            found_on=dt.date(2026, 10, 9),
        ),
        # look-alike: closed with 立行立改 only, but recorded in one unit and it never came back
        "single": closed(w, w.branch_a2, "理论学习", [NOW], "学习笔记不全"),
        # recurring by relapse, although recorded in one unit only
        "relapsed": closed(w, w.branch_a1a, "廉洁自律", [NOW], "公车私用", reopen_first=True),
    }
    return out


def test_measures_default_to_now_and_take_the_kind_given(world, lists):
    kinds = list(lists["ruled"].measures.values_list("kind", flat=True))
    assert kinds == [MeasureKind.NOW, MeasureKind.RULE]
    with pytest.raises(actions.ActionError) as refused:
        actions.add_measure(lists["open"], actor=world.county_office, text="完善制度", kind="长期")
    assert refused.value.field == "kind" and "立行立改、建章立制" in str(refused.value)


def test_the_same_problem_in_two_units_recurs_and_a_shared_category_alone_does_not(world, lists):
    # look-alike: 办公区长明灯 shares the category 工作作风 with three other units but is its own problem
    closed(world, world.unit_a1, "工作作风", [NOW], "办公区长明灯")
    assert recurring_descriptions(None, TODAY) == {"窗口服务推诿扯皮"}


def test_recurring_problems_closed_without_a_rule_are_counted_per_unit(world, lists):
    pairs = get("problems.lasting_rule_missing").compute(
        [world.branch_a1a, world.branch_a1b, world.branch_a2], TODAY, None
    )
    # A1a: the bare 工作作风 and the relapsed 廉洁自律 (both without a rule); A1b: its one has a 建章立制
    # measure; A2: its 值班脱岗 is still open and its 学习笔记不全 does not recur -> nothing to count.
    assert pairs[world.branch_a1a.pk] == Pair(2, 2)
    assert pairs[world.branch_a1b.pk] == Pair(0, 1)
    assert world.branch_a2.pk not in pairs or pairs[world.branch_a2.pk] == Pair(0, 0)


def test_a_linked_rule_counts_as_lasting_and_a_set_aside_rule_measure_does_not(world, lists):
    actions.create_institution_rule(
        actor=world.county_office,
        org=world.unit_a1,
        title="公务用车管理办法",
        issued_on=TODAY,
        problems=[lists["relapsed"]],
    )
    pairs = get("problems.lasting_rule_missing").compute([world.branch_a1a], TODAY, None)
    assert pairs[world.branch_a1a.pk] == Pair(1, 2)
    # a 建章立制 measure set aside (不再需要) did not make a rule
    Measure.objects.filter(problem=lists["ruled"], kind=MeasureKind.RULE).update(set_aside=True, done=False)
    assert get("problems.lasting_rule_missing").compute([world.branch_a1b], TODAY, None)[world.branch_a1b.pk] == Pair(
        1, 1
    )


def _probe(num, den, **params):
    from tuijin.orgs.models import Org

    d = detectors.get("no_lasting_rule")
    return d.test(
        Probe(Org(kind="党组"), {"problems.lasting_rule_missing": Pair(num, den)}, 0.5, TODAY, {**d.defaults, **params})
    )


def test_the_detector_names_a_unit_that_closed_recurring_problems_without_rules():
    hit = _probe(2, 3)
    assert hit is not None and hit.figures == {"recurring_closed": 3, "without_rule": 2, "share": 2 / 3}
    assert (
        hit.text
        == "已销号的反复出现问题（反弹过，或同样的问题多个单位都有）3个，其中2个既没有建章立制措施、也没有关联制度"
    )
    # look-alikes: every recurring problem has its rule; nothing recurring closed yet; below a campaign's share
    assert _probe(0, 3) is None
    assert _probe(0, 0) is None
    assert _probe(1, 4, min_share=0.5) is None


def test_the_unit_is_found_in_the_subtree_findings(world, lists):
    from tuijin.evaluation.findings import findings

    found = {f.subject.code: f for f in findings(world.city, TODAY) if f.detector == "no_lasting_rule"}
    # the unit above the two branches (findings name units, not branches); B county has nothing recurring
    assert "XS-A-1" in found and "XS-B" not in found
    assert "3个，其中2个" in found["XS-A-1"].text


def test_the_page_adds_a_rule_measure_and_shows_its_kind(world, lists):
    client = Client()
    login_as(client, world.county_office)
    p = lists["open"]
    response = client.post(
        f"/problems/item/{p.pk}/add-measure/",
        {"text": "建立值班抽查通报制度", "owner": "办公室", "deadline": "2026-12-20", "kind": "建章立制"},
    )
    assert response.status_code == 302
    assert p.measures.get().kind == MeasureKind.RULE
    page = client.get(f"/problems/item/{p.pk}/").content.decode()
    assert "建章立制</span>建立值班抽查通报制度" in page


def test_the_api_takes_and_returns_the_kind(world):
    from tuijin.orgs.actions import issue_api_token

    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {issue_api_token(actor=None, user=world.county_office)}"}
    body = {
        "org": "XS-A-2",
        "description": "村务公开不及时",
        "source": "群众评",
        "measures": [
            {"text": "当天公开本月账目", "owner": "村支书", "deadline": "2026-12-01"},
            {"text": "建立村务公开月度清单制度", "kind": "建章立制"},
        ],
    }
    response = client.post("/api/v1/problems", json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    assert [m["kind"] for m in response.json()["measures"]] == ["立行立改", "建章立制"]
    bad = client.post(
        f"/api/v1/problems/{response.json()['id']}/measures",
        json.dumps({"text": "x", "kind": "长久"}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422

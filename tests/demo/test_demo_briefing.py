"""The demo city's briefing names where each board sits, not the city's top-level units (issue 9)."""

import datetime as dt

import pytest

from tuijin.demo.generate import generate
from tuijin.evaluation import briefing
from tuijin.evaluation.findings import short_name
from tuijin.orgs.models import Org

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return generate("tiny", today=TODAY)


def test_the_demo_briefing_names_specific_units_and_never_the_top_level(demo):
    city = Org.objects.get(code="XS")
    b = briefing.build(city, TODAY)
    top = [short_name(o.name) for o in Org.objects.filter(parent=city)]
    problems = "".join(c.text for c in b.sections[1].paragraphs)
    for name in top:
        assert f"{name}（" not in problems and f"、{name}、" not in problems
    detectors = {f.detector for f in b.findings}
    assert len(detectors) >= 5, detectors
    named = {f.subject.code for f in b.findings}
    kinds = set(Org.objects.filter(code__in=named).values_list("kind", flat=True))
    assert "党支部" in kinds and kinds & {"党组", "党委", "党总支"}
    assert "走在前列" in " ".join(c.text for c in b.sections[0].paragraphs) or not b.findings


def test_the_demo_shows_each_issue16_board_somewhere_and_some_unit_went_out(demo):
    from tuijin.evaluation.findings import findings
    from tuijin.study.models import StudySession

    city = Org.objects.get(code="XS")
    found = {}
    for f in findings(city, TODAY):
        found.setdefault(f.detector, []).append(f)
    for code in ("only_invited_in", "formal_rectification", "late_problems", "found_by_others"):
        assert found.get(code), code
    # a branch whose whole list was found for it by others
    assert any(f.clause.endswith("自己查摆的0个") for f in found["found_by_others"])
    assert StudySession.objects.filter(form="现场教学").exists()
    # the 就整改抓整改 showcase unit is named; the late branch had nothing before the last weeks
    assert any("制定方案" in f.clause for f in found["formal_rectification"])
    assert any("此前没有查摆问题" in f.clause for f in found["late_problems"])


def test_the_demo_shows_a_recurring_problem_closed_without_a_rule_and_its_look_alike(demo):
    """当下改与长久立 (rect16): the same 工作作风 problem closed in two 东城区 units, one with a 建章立制 measure."""
    from tuijin.evaluation.findings import findings
    from tuijin.rectification.models import Problem

    pair = list(Problem.objects.filter(description="群众来信办理不及时，答复敷衍").order_by("org__path"))
    assert [sorted(p.measures.values_list("kind", flat=True)) for p in pair] == [["建章立制", "立行立改"], ["立行立改"]]
    named = {f.subject.code: f for f in findings(Org.objects.get(code="XS"), TODAY) if f.detector == "no_lasting_rule"}
    assert pair[1].org.code in named
    assert "既没有建章立制措施" in named[pair[1].org.code].text


def test_the_demo_has_a_recheck_late_one_reopened_and_one_confirmed(demo):
    """回头看 (rect16): the county office sees the late one on its home queue."""
    from tuijin.core.indicators import get
    from tuijin.rectification.models import Recheck

    late = Recheck.objects.get(problem__description="办事大厅午休时段无人值守，群众白跑")
    assert late.result == "待回头看" and late.due_on < TODAY
    assert Recheck.objects.get(problem__description="公务接待超标准问题").result == "已重新打开"
    assert Recheck.objects.get(problem__description="村级财务公开不及时").result == "已确认"
    assert get("problems.recheck_overdue").compute([late.problem.org], TODAY, None)[late.problem.org_id].num == 1


def test_the_demo_has_a_special_rectification_with_its_plan_and_a_late_milestone(demo):
    from tuijin.rectification.models import Problem

    p = Problem.objects.get(description="整治形式主义为基层减负专项：填表报数多、过度留痕")
    assert p.is_special and p.state == "整改中" and p.evidence.filter(kind="整改方案").exists()
    assert [(m.done, m.is_overdue(TODAY)) for m in p.milestones.all()] == [(True, False), (False, True), (False, False)]


def test_the_demo_has_a_jointly_owned_problem_with_each_orgs_measures(demo):
    from tuijin.rectification.models import Problem

    p = Problem.objects.get(description="老旧小区加装电梯审批环节多、周期长，群众反映强烈")
    partner = p.cooperations.get().org
    assert partner != p.org
    assert sorted((m.org_id or p.org_id) for m in p.measures.all()) == sorted([p.org_id, partner.pk])


def test_the_demo_has_a_followup_item_added_mid_campaign_with_two_units_late(demo):
    from tuijin.campaigns.models import ReadingItem
    from tuijin.core.models import DomainEvent
    from tuijin.evaluation.findings import findings

    past = ReadingItem.objects.get(code="G1")
    assert past.due_on < TODAY and DomainEvent.objects.filter(verb="reading.followup.create").count() == 2
    late = [f for f in findings(Org.objects.get(code="XS"), TODAY) if f.detector == "followup_late"]
    assert len(late) == 2, [f.text for f in late]
    assert all(f"《{past.title}》" in f.clause and "截止日前未学完" in f.clause for f in late)
    b = briefing.build(Org.objects.get(code="XS"), TODAY)
    text = "".join(c.text for s in b.sections for c in s.paragraphs)
    assert "跟进学习最新重要讲话不及时" in text


def test_the_demo_names_a_bureau_whose_cadres_study_less_than_its_members(demo):
    from tuijin.evaluation.findings import findings

    weaker = [f for f in findings(Org.objects.get(code="XS"), TODAY) if f.detector == "cadres_weaker"]
    assert weaker and all(
        f.figures["cadre_self_study_coverage"] < f.figures["member_self_study_coverage"] for f in weaker
    )
    text = "".join(c.text for s in briefing.build(Org.objects.get(code="XS"), TODAY).sections for c in s.paragraphs)
    assert "全市领导干部" in text and "其他党员" in text


def test_the_demo_has_cadres_with_their_own_lists_and_a_unit_whose_cadres_have_none(demo):
    """领导干部个人检视 (issue 16): most committees' cadres own problems; a few units' cadres own none, and the
    detector names such a unit (one with cadres and problems), never one whose cadres have a list."""
    from tuijin.evaluation.findings import findings
    from tuijin.orgs.models import Person
    from tuijin.rectification.models import Problem

    owning = set(Problem.objects.filter(owner_person__isnull=False).values_list("owner_person__org_id", flat=True))
    assert owning
    named = [f for f in findings(Org.objects.get(code="XS"), TODAY) if f.detector == "cadre_own_list_missing"]
    assert named, "no unit whose cadres have no list of their own"
    for f in named:
        from tuijin.core.scope import subtree_q

        unit = Org.objects.get(code=f.subject.code)
        cadres = Person.objects.filter(subtree_q("org__path", unit.path), is_leading_cadre=True, active=True)
        assert f.figures["cadres"] > 0
        assert not Problem.objects.filter(owner_person__in=cadres).exists()

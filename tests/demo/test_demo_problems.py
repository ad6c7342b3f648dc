"""The demo city's problem lists: something in every state for every persona to look at."""

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings

from tuijin.campaigns import rules
from tuijin.campaigns.models import Campaign
from tuijin.core.files import sniff
from tuijin.core.models import DomainEvent
from tuijin.demo.generate import demo_pdf, generate
from tuijin.orgs.models import Org, RoleGrant
from tuijin.rectification import queries
from tuijin.rectification.models import Evidence, InstitutionRule, Measure, Problem, PublicItem, State

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    return generate("tiny", today=TODAY)


def test_every_state_is_present_and_some_are_overdue(demo):
    assert set(Problem.objects.values_list("state", flat=True)) == set(State.values)
    assert Problem.objects.overdue(TODAY).exists()
    assert demo.problems == Problem.objects.count()


def test_closed_and_submitted_problems_have_real_pdf_evidence(demo):
    for problem in Problem.objects.filter(state__in=[State.SUBMITTED, State.CLOSED, State.RELAPSED]):
        assert problem.evidence.filter(kind=Evidence.Kind.SUPPORT).exists(), problem
    evidence = Evidence.objects.filter(uploaded_by__isnull=False).first()
    data = (Path(settings.MEDIA_ROOT) / evidence.storage_name).read_bytes()
    assert sniff(data) == "application/pdf" and data.rstrip().endswith(b"%%EOF")
    for special in Problem.objects.filter(is_special=True, state=State.CLOSED):
        assert special.evidence.filter(kind=Evidence.Kind.PLAN).exists()


def test_a_city_hand_down_to_dongcheng_has_children_and_a_roll_up(demo):
    parent = Problem.objects.get(org__code="XS", source="上级交办", parent=None)
    children = list(parent.children.select_related("org"))
    assert len(children) >= 3 and all(c.org.code.startswith("XS-C01-") for c in children)
    progress = queries.children_progress(parent)
    assert progress["closed"] >= 1 and progress["total"] == len(children)


def test_escalated_problems_keep_their_origin_and_the_reporter_still_sees_one(demo):
    escalated = Problem.objects.filter(origin_org__isnull=False).select_related("org", "origin_org")
    assert escalated.count() >= 2
    for p in escalated:
        assert p.origin_org.path.startswith(p.org.path) and p.org.depth == 2  # a county owns it now
    branch = RoleGrant.objects.get(user__username="branch_reporter").org
    mine = queries.problem_list(RoleGrant.objects.get(user__username="branch_reporter").user, branch, as_of=TODAY)
    assert 3 <= mine.count() <= 4 and mine.filter(origin_org=branch).exists()


def test_the_satisfaction_list_has_an_item_and_another_falls_short(demo):
    campaign = Campaign.objects.get()
    items = list(PublicItem.objects.all())
    assert any(queries.in_satisfaction_list(i, campaign) for i in items)
    assert any(
        i.votes >= campaign.satisfaction_min_votes and not queries.in_satisfaction_list(i, campaign) for i in items
    )
    city_office = RoleGrant.objects.get(user__username="city_office").user
    assert queries.satisfaction_list(city_office, Org.objects.get(code="XS"), campaign)


def test_relapses_vague_measures_rules_and_a_withdrawn_item_are_there_to_see(demo):
    assert Problem.objects.filter(relapses__gt=0).count() >= 2
    assert Measure.objects.filter(owner="").exists() and Measure.objects.exclude(owner="").exists()
    assert InstitutionRule.objects.count() >= 3 and InstitutionRule.objects.filter(problems__isnull=False).exists()
    assert Problem.objects.filter(withdrawn=True).exclude(withdraw_reason="").exists()


def test_showcase_items_were_made_by_the_actions_so_their_events_exist(demo):
    verbs = set(DomainEvent.objects.values_list("verb", flat=True))
    assert {
        "problem.create",
        "problem.escalate",
        "problem.close",
        "problem.reopen",
        "problem.publish",
        "public.rate",
        "rule.create",
        "problem.withdraw",
    } <= verbs


def test_the_rectification_task_is_met_by_some_units_and_not_others(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    generate("small", today=TODAY)
    campaign = Campaign.objects.get()
    task = campaign.tasks.get(rule__count="problem")
    assert task.rule["where"] == {"state": State.CLOSED}  # problems put right, never a number to find
    result = rules.evaluate(task, rules.applicable_orgs(task), TODAY)
    done = sum(c.done for c in result.values())
    assert 0 < done < len(result)
    assert 200 <= Problem.objects.count() <= 1000


def test_the_demo_pdf_is_a_pdf():
    assert sniff(demo_pdf("x")) == "application/pdf"


def test_a_self_check_suggestion_is_answered_both_ways_and_one_is_open_at_the_reporters_branch(demo):
    from tuijin.orgs.models import RoleGrant
    from tuijin.rectification.models import SelfCheck

    source = Problem.objects.get(description="党员活动室长期闲置，门牌和制度上墙但不开展活动")
    assert source.source == "上级查"
    checks = SelfCheck.objects.filter(source=source)
    exists = checks.get(answer="存在")
    assert (exists.found_problem.source, exists.found_problem.org) == ("集体查", exists.org)
    assert checks.get(answer="不存在").note.startswith("查看了本支部活动室使用登记")
    branch = RoleGrant.objects.get(user__username="branch_reporter", role="unit").org
    assert checks.get(org=branch).answer == "待对照"
    assert {c.org.sector for c in checks} == {source.org.sector}

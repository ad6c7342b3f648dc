"""The demo's research and practical projects: uneven on purpose, so there is something to supervise."""

import datetime as dt

import pytest

from tuijin.campaigns import rules
from tuijin.campaigns.models import Campaign
from tuijin.core.indicators import get, read
from tuijin.demo.generate import generate
from tuijin.orgs.models import Org, Person
from tuijin.rectification.models import Problem
from tuijin.research.genericness import check_project
from tuijin.research.models import Finding, Project, ProjectStatus, ResearchVisit

TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    generate("tiny", today=TODAY)  # the demo builds its research data with everything else
    campaign = Campaign.objects.get()
    return campaign, {
        "visits": ResearchVisit.objects.count(),
        "findings": Finding.objects.count(),
        "projects": Project.objects.count(),
    }


def test_some_cadres_made_no_visit_and_some_made_two_or_more(demo):
    campaign, counts = demo
    per_cadre = dict.fromkeys(Person.objects.filter(is_leading_cadre=True).values_list("pk", flat=True), 0)
    for pk in ResearchVisit.objects.values_list("person_id", flat=True):
        per_cadre[pk] += 1
    values = list(per_cadre.values())
    assert values.count(0) > 0 and sum(1 for n in values if n >= 2) > 0 and values.count(1) > 0
    assert counts["visits"] == ResearchVisit.objects.count() == sum(values)
    assert all(campaign.start <= d <= TODAY for d in ResearchVisit.objects.values_list("date", flat=True))


def test_findings_are_partly_converted_and_the_links_hold(demo):
    _, counts = demo
    findings = Finding.objects.all()
    converted = findings.exclude(converted_problem=None)
    assert 0 < converted.count() < findings.count() == counts["findings"]
    assert findings.exclude(converted_measure=None).exists()
    for f in converted.select_related("converted_problem", "visit"):
        assert f.converted_problem.source == "调研发现" and f.converted_on >= f.visit.date
    assert not Problem.objects.filter(source="调研发现", research_findings=None, number__startswith="DY-").exists()


def test_projects_mix_real_work_and_routine_work_and_the_flags_follow_the_rules(demo):
    _, counts = demo
    projects = list(Project.objects.all())
    flagged = [p for p in projects if p.flagged]
    assert 0 < len(flagged) < len(projects) == counts["projects"]
    assert all(p.flag_reasons == check_project(p) for p in projects)
    done = [p for p in projects if p.status == ProjectStatus.DONE]
    assert done and all(p.evidence.exists() and p.completed_on for p in done)


def test_the_indicators_and_the_task_rule_have_something_to_show(demo):
    campaign, _ = demo
    city = Org.objects.get(code="XS")
    for code in (
        "research.visits_per_cadre",
        "research.findings_converted",
        "projects.flagged_share",
        "projects.completed_share",
    ):
        value = read(get(code), city, TODAY, campaign).value
        assert value is not None and value > 0, code
    from tuijin.campaigns.models import Task

    task = Task(
        campaign=campaign,
        code="T3",
        title="每名领导干部调研不少于2次",
        applies_to={"level": [2]},
        deadline=campaign.end,
        rule={"count": "research_visit", "per": "leading_cadre", "at_least": 2},
    )
    result = rules.evaluate(task, rules.applicable_orgs(task), TODAY)
    done = sum(c.done for c in result.values())
    assert 0 < done < len(result)

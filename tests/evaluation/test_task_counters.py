"""Task completion in the counters (issue 15): what the home page, a scorecard with its tasks and the
briefing read from the counters equals a live evaluation of the rules, after every kind of change;
a unit that completed a task is never shown as not done."""

import datetime as dt
import textwrap

import pytest

from tests.conftest import login_as, make_person
from tuijin.campaigns import rules
from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.queries import task_summary as live_task_summary
from tuijin.evaluation import briefing, counters, scorecard
from tuijin.orgs.models import Org
from tuijin.rectification import actions
from tuijin.research import actions as research

AS_OF = dt.date(2026, 11, 27)

CAMPAIGN = textwrap.dedent("""
    [campaign]
    name = "任务计数测试"
    start = 2026-09-01
    end = 2027-01-31
    root = "XS"

    [[task]]
    code = "T1"
    title = "每个党支部正式党员不少于3名"
    applies_to = { kind = ["党支部"] }
    deadline = 2026-12-31
    rule = { count = "person", where = { status = "正式党员" }, at_least = 3 }

    [[task]]
    code = "T2"
    title = "每个基层党委检视问题整改落实，已整改到位的问题验收销号"
    applies_to = { level = [2] }
    deadline = 2026-12-31
    rule = { count = "problem", where = { state = "已销号" }, at_least = 1, scope = "subtree" }

    [[task]]
    code = "T3"
    title = "每名领导干部开展调研不少于1次"
    applies_to = { kind = ["党委"] }
    deadline = 2026-12-31
    rule = { count = "research_visit", per = "leading_cadre", at_least = 1 }
""")


def live(org, tasks):
    """(task code, applicable, done, own done or None) as the pages computed it before the counters."""
    out = []
    for task in tasks:
        result = rules.evaluate(task, list(rules.applicable_orgs(task, within=org)), AS_OF)
        own = result.get(org.pk)
        out.append(
            (
                task.code,
                len(result),
                sum(c.done for c in result.values()),
                None if own is None else (own.done, own.count, own.required),
            )
        )
    return out


def stored(org, tasks):
    lines = counters.task_lines(org, AS_OF, tasks)
    assert lines is not None, "the counters should hold the tasks"
    return [
        (t.code, applicable, done, None if own is None else (own.done, own.count, own.required))
        for t, applicable, done, own in lines
    ]


def undone_live(task, org):
    applicable = list(rules.applicable_orgs(task, within=org).order_by("path"))
    result = rules.evaluate(task, applicable, AS_OF)
    return len(applicable), [o.code for o in applicable if not result[o.pk].done]


def assert_counters_match_live(campaign):
    tasks = list(campaign.tasks.all())
    for org in Org.objects.order_by("path"):
        assert stored(org, tasks) == live(org, tasks), org.code
        for task in tasks:
            n, undone = counters.undone_orgs(task, org, AS_OF)
            assert (n, [o.code for o in undone]) == undone_live(task, org), (org.code, task.code)
    roots = list(Org.objects.filter(code__in=["XS-A", "XS-B"]).order_by("path"))
    assert [(r.task.code, r.applicable, r.done) for r in counters.task_summary(campaign, roots, AS_OF)] == [
        (r.task.code, r.applicable, r.done) for r in live_task_summary(campaign, roots, AS_OF)
    ]


def own_done(org, code):
    task = org_task(code)
    line = next(line for line in counters.task_lines(org, AS_OF, [task]))
    return line[3].done if line[3] else None


def org_task(code):
    from tuijin.campaigns.models import Task

    return Task.objects.get(code=code)


def close(problem):
    actions.attach_evidence(problem, actor=None, name="a.pdf", data=b"%PDF-1.4\n" + str(problem.pk).encode())
    actions.submit_for_acceptance(problem, actor=None)
    actions.close_problem(problem, actor=None, as_of=AS_OF, change="整改后群众办事不再多跑腿")


@pytest.fixture
def campaign(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    campaign = load_campaign(CAMPAIGN, actor=None)
    counters.rebuild(AS_OF)
    return campaign


def test_task_counters_equal_live_evaluation_after_each_change(world, campaign):
    assert_counters_match_live(campaign)
    # T1: branch A1a has three full members (done), A1b one and a probationer (not done).
    assert (own_done(world.branch_a1a, "T1"), own_done(world.branch_a1b, "T1")) == (True, False)
    assert own_done(world.unit_a1, "T1") is None  # a 党委: the task does not apply to it

    # A problem closed in branch A1a completes T2 for unit A1 above it (the rule counts the subtree):
    # the unit must be shown as done, though the event named only the branch.
    problem = actions.create_problem(
        actor=None,
        org=world.branch_a1a,
        description="台账不全",
        source="集体查",
        found_on=dt.date(2026, 10, 1),
        deadline=dt.date(2026, 12, 31),
    )
    assert own_done(world.unit_a1, "T2") is False
    close(problem)
    assert own_done(world.unit_a1, "T2") is True
    assert own_done(world.branch_a2, "T2") is False  # the look-alike at the same level: nothing closed there
    assert_counters_match_live(campaign)

    # T3 per leading cadre: unit A1's secretary visits once.
    assert own_done(world.unit_a1, "T3") is False
    research.record_visit(actor=None, person=world.cadre, date=dt.date(2026, 10, 20), topic="调研")
    assert own_done(world.unit_a1, "T3") is True
    assert_counters_match_live(campaign)

    # A new full member completes T1 for A1b; withdrawing the problem undoes T2 for the unit again.
    make_person(world.branch_a1b, "A1B3", "乙三")
    make_person(world.branch_a1b, "A1B4", "乙四")
    assert own_done(world.branch_a1b, "T1") is True
    actions.reopen_problem(problem, actor=None, reason="反弹")
    assert own_done(world.unit_a1, "T2") is False
    assert_counters_match_live(campaign)

    # The tree's shape changes: branch B1 moves under county A; totals follow.
    from tuijin.orgs.actions import move_org

    move_org(Org.objects.get(pk=world.branch_b1.pk), actor=None, new_parent=Org.objects.get(pk=world.county_a.pk))
    counters.rebuild(AS_OF)  # a move changes levels (applies_to): the daily rebuild recomputes who it applies to
    assert_counters_match_live(campaign)


def test_a_task_changed_since_the_rebuild_is_evaluated_live(world, campaign):
    load_campaign(CAMPAIGN.replace("at_least = 3", "at_least = 4"), actor=None)  # T1 now needs four
    task = org_task("T1")
    assert counters.task_lines(world.branch_a1a, AS_OF, [task]) is None
    assert counters.undone_orgs(task, world.county_a, AS_OF) is None
    card = scorecard.scorecard(world.branch_a1a, AS_OF)
    line = next(t for t in card.tasks if t.task.code == "T1")
    assert (line.done, line.own.done, line.own.required) == (0, False, 4)
    counters.rebuild(AS_OF)
    assert stored(world.branch_a1a, [task]) == live(world.branch_a1a, [task])


def test_pages_read_task_completion_from_the_counters(world, campaign, client, monkeypatch):
    monkeypatch.setenv("TUIJIN_TODAY", AS_OF.isoformat())
    problem = actions.create_problem(
        actor=None,
        org=world.branch_a1a,
        description="台账不全",
        source="集体查",
        found_on=dt.date(2026, 10, 1),
        deadline=dt.date(2026, 12, 31),
    )
    close(problem)
    card = scorecard.scorecard(world.unit_a1, AS_OF)
    assert [(t.task.code, t.applicable, t.done, t.own and t.own.done) for t in card.tasks] == [
        (code, n, done, own and own[0]) for code, n, done, own in live(world.unit_a1, list(campaign.tasks.all()))
    ]
    assert next(t for t in card.tasks if t.task.code == "T2").own.done is True
    # The briefing's next steps name the units that have not completed a task still due, and not unit A1.
    text = " ".join(c.text for c in briefing.build(world.city, AS_OF).sections[-1].paragraphs)
    assert "每个基层党委检视问题整改落实" in text
    t2 = next(
        c
        for c in briefing.build(world.city, AS_OF).sections[-1].paragraphs
        if c.basis and c.basis[0].get("task") == "T2"
    )
    assert t2.basis[0]["undone"] == ["XS-A-2", "XS-B-1"]
    # The home page's 规定动作 rows.
    login_as(client, world.city_office)
    response = client.get("/")
    assert counters.task_lines(world.city, AS_OF, list(campaign.tasks.all())) is not None  # read, not evaluated
    assert [(r.task.code, r.applicable, r.done) for r in response.context["tasks"]] == [
        (r.task.code, r.applicable, r.done) for r in live_task_summary(campaign, [world.city], AS_OF)
    ]

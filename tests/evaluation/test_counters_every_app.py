"""The counter refresh is an explicit, named step of every action (core.derived.refresh, issue 10).

- After an action of each app (and each kind of change they make), the counters equal a full recount:
  an action that changed counted data and skipped the refresh, or refreshed the wrong org, fails here.
- The actions that change nothing counted and so do not refresh (NOT_COUNTED) are run too, and the
  counters must still equal a recount: the list's claim is checked, not trusted.
- Every function in an app's actions.py that records an event for an org calls `derived.refresh` before
  `events.record` (the lock order of docs/performance.md: counters first, the chain head last), unless
  its verb is in NOT_COUNTED.
"""

import ast
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from tests.conftest import make_org, make_person
from tuijin.campaigns.actions import add_chapter, add_reading_item, load_campaign
from tuijin.campaigns.models import Chapter
from tuijin.core.errors import ActionError
from tuijin.evaluation import counters
from tuijin.evaluation.models import OrgScore
from tuijin.orgs import actions as orgs
from tuijin.orgs.models import Org

AS_OF = dt.date(2026, 11, 27)
PDF = b"%PDF-1.4\n%%EOF\n"
SRC = Path(__file__).resolve().parents[2] / "src" / "tuijin"

# Verbs of events recorded for an org by actions that change nothing any indicator or task rule counts.
NOT_COUNTED = {
    "grant.create": "a role grant is access, not a record",
    "grant.revoke": "the same",
    "briefing.draft": "briefings are written from the counters; nothing counts them",
    "briefing.edit": "the same",
    "briefing.issue": "the same",
    "briefing.discard": "the same",
    "letter.draft": "a letter counts once sent (supervision.indicators: sent_on)",
    "inspection.create": "an inspection's findings count once turned into problems (create_problem refreshes)",
    "sample.draw": "a drawn sample counts nothing; its checks do",
    "escalation.decide": "the decision is not counted",
    "reading.rename": "a title",
    "chapter.rename": "a title",
    "study.evidence.add": "attachments count nowhere (a session counts by its attendance and chapters)",
    "project.evidence": "attachments count nowhere (a project is finished by its status)",
    "submission.attach": "attachments count nowhere",
    "publicity.photo": "attachments count nowhere",
    "copies.check": "new pairs count only once confirmed (decide_pair refreshes)",
}
# Verbs of changes counted at every org of a campaign's subtree: the daily rebuild takes them up
# (campaigns/actions.py says why), not a refresh in the office's request.
REBUILT_DAILY = {
    "campaign.load": "the file: tasks, dates, the reading list",
    "chapter.create": "reading coverage is members × chapters, in every org the campaign covers",
    "reading.create": "the same",
    "reading.followup.create": "the same (跟进学习)",
}

CAMPAIGN = textwrap.dedent("""
    [campaign]
    name = "计数测试"
    start = 2026-09-01
    end = 2027-01-31
    root = "XS"

    [[reading]]
    code = "R1"
    title = "党的二十大报告"
    chapters = ["R1-01 第一部分", "R1-02 第二部分"]

    [[task]]
    code = "T-ORG"
    title = "每个党委下设不少于2个组织"
    applies_to = { kind = ["党委"] }
    deadline = 2026-12-31
    rule = { count = "org", at_least = 2 }

    [[task]]
    code = "T-PERSON"
    title = "每个党支部正式党员不少于3名"
    applies_to = { kind = ["党支部"] }
    deadline = 2026-12-31
    rule = { count = "person", where = { status = "正式党员" }, at_least = 3 }

    [[task]]
    code = "T-PROBLEM"
    title = "每个县问题销号"
    applies_to = { level = [1] }
    deadline = 2026-12-31
    rule = { count = "problem", where = { state = "已销号" }, at_least = 1, scope = "subtree" }

    [[task]]
    code = "T-VISIT"
    title = "每名领导干部调研"
    applies_to = { kind = ["党委"] }
    deadline = 2026-12-31
    rule = { count = "research_visit", per = "leading_cadre", at_least = 1 }

    [[task]]
    code = "T-SEMINAR"
    title = "每个党支部开展专题研讨"
    applies_to = { kind = ["党支部"] }
    deadline = 2026-12-31
    rule = { count = "study_attendance", where = { form = "专题研讨" }, at_least = 2 }

    [[task]]
    code = "T-SUB"
    title = "信息被采用"
    applies_to = { kind = ["党支部"] }
    deadline = 2026-12-31
    rule = { count = "submission", where = { adopted = true }, at_least = 1 }

    [[task]]
    code = "T-PROJECT"
    title = "办实事项目"
    applies_to = { kind = ["党支部"] }
    deadline = 2026-12-31
    rule = { count = "project", where = { flagged = false }, at_least = 1 }
""")


def _clean(data: dict) -> dict:
    return {k: [None if x is None else round(x, 9) for x in v] for k, v in data.items() if any(v)}


def _stored() -> dict:
    found = {
        s.org_id: tuple(_clean(d) for d in (s.own, s.total, s.tasks, s.tasks_total)) for s in OrgScore.objects.all()
    }
    empty = ({}, {}, {}, {})
    return {
        pk: found.get(pk, empty) for pk in Org.objects.values_list("pk", flat=True) if found.get(pk, empty) != empty
    }


def assert_counters_current(step: str) -> None:
    kept = _stored()
    counters.rebuild(AS_OF)  # a full recount at the counter date
    recounted = _stored()
    names = dict(Org.objects.values_list("pk", "code"))
    empty = ({}, {}, {}, {})
    wrong = {}
    for pk in set(kept) | set(recounted):
        for part, a, b in zip(("own", "total", "tasks", "tasks_total"), kept.get(pk, empty), recounted.get(pk, empty)):
            for key in sorted(set(a) | set(b)):
                if a.get(key) != b.get(key):
                    wrong[f"{names[pk]} {part} {key}"] = f"kept {a.get(key)}, recount {b.get(key)}"
    assert not wrong, f"after {step}, the counters differ from a full recount: {wrong}"


@pytest.fixture
def city(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_campaign(CAMPAIGN, actor=None)
    counters.rebuild(AS_OF)
    world.ch = {c.code: c for c in Chapter.objects.all()}
    return world


def test_after_an_action_of_each_app_the_counters_equal_a_full_recount(city):
    from tuijin.evaluation import actions as evaluation
    from tuijin.publicity import actions as publicity
    from tuijin.publicity.models import CopyPair
    from tuijin.rectification import actions as rect
    from tuijin.rectification.models import SelfCheck
    from tuijin.research import actions as research
    from tuijin.study import actions as study
    from tuijin.supervision import actions as supervision

    w = city
    d = dt.date(2026, 10, 10)
    steps = []

    def step(name):
        def add(fn):
            steps.append((name, fn))
            return fn

        return add

    # ---- orgs
    @step("orgs.create_org (the parent counts its child orgs)")
    def _():
        w.branch_a1c = make_org(w.unit_a1, "XS-A-1-3", "A县教育局第三党支部", sector="学校")

    @step("orgs.create_person")
    def _():
        w.newcomer = make_person(w.branch_a1b, "A1B3", "乙三")

    @step("orgs.update_person (moves to another branch)")
    def _():
        orgs.update_person(w.p_a1a[2], actor=None, org=w.branch_a1c)

    @step("orgs.update_person (becomes a leading cadre)")
    def _():
        orgs.update_person(w.p_b1[0], actor=None, is_leading_cadre=True, cadre_level="乡科级")

    @step("orgs.update_org (deactivated)")
    def _():
        orgs.update_org(Org.objects.get(pk=w.branch_a1c.pk), actor=None, active=False)

    @step("orgs.grant_role (not counted)")
    def _():
        from tests.conftest import make_user

        make_user("another_unit", "unit", org=w.branch_a1b)

    # ---- campaigns: counted everywhere the campaign reaches, taken up by the daily rebuild (REBUILT_DAILY)
    @step("campaigns.add_chapter / add_reading_item, then the daily rebuild")
    def _():
        add_chapter(w.ch["R1-01"].item, actor=None, code="R1-03", title="第三部分")
        add_reading_item(w.ch["R1-01"].item.campaign, actor=None, code="R9", title="新书目")
        counters.rebuild(AS_OF)

    # ---- rectification
    @step("rectification.create_problem (a cadre's own)")
    def _():
        w.own = rect.create_problem(
            actor=None, org=w.unit_a1, description="调研不深入", source="个人纠", found_on=d, owner_person=w.cadre
        )

    @step("rectification.create_problem / attach_evidence / set_measure_done / submit / close")
    def _():
        w.problem = rect.create_problem(
            actor=None,
            org=w.branch_a1a,
            description="台账不全",
            source="集体查",
            found_on=d,
            deadline=dt.date(2026, 12, 31),
            measures=[{"text": "补齐台账"}],
        )
        rect.attach_evidence(w.problem, actor=None, name="a.pdf", data=PDF + b"1")
        rect.set_measure_done(w.problem.measures.get(), actor=None, done=True, as_of=AS_OF)
        rect.submit_for_acceptance(w.problem, actor=None)
        rect.close_problem(w.problem, actor=None, as_of=AS_OF, change="整改后台账齐全，群众办事不再多跑腿")

    @step("rectification.add_cooperation")
    def _():
        rect.add_cooperation(w.own, actor=None, orgs=[w.branch_a2], as_of=AS_OF)

    @step("rectification.escalate")
    def _():
        w.escalated = rect.create_problem(
            actor=None, org=w.branch_a1b, description="经费不足", source="集体查", found_on=d
        )
        rect.escalate(w.escalated, actor=None, to=w.unit_a1, reason="本支部解决不了")

    @step("rectification.add_found_by_upper_level (suggests 对照检视) / answer_self_check")
    def _():
        rect.add_found_by_upper_level(actor=None, org=w.branch_a1a, description="学习记录雷同，照抄照搬", found_on=d)
        for i, check in enumerate(SelfCheck.objects.order_by("pk")):
            # its own wording: the same text in a second unit makes a closed problem elsewhere "recurring"
            # (problems.lasting_rule_missing), which a refresh of the orgs concerned does not see (the
            # daily rebuild does; docs/architecture.md, counters)
            rect.answer_self_check(check, actor=None, exists=True, as_of=AS_OF, description=f"对照查摆的问题{i}")

    @step("rectification.create_institution_rule")
    def _():
        rect.create_institution_rule(
            actor=None, org=w.unit_a1, title="台账管理办法", issued_on=AS_OF, problems=[w.problem]
        )

    @step("rectification.publish / rate")
    def _():
        item = rect.publish(w.problem, actor=None)
        rect.rate(item, choice="满意", comment="", device="device-1", ip="10.0.0.1")

    @step("rectification.reopen_problem / withdraw_problem")
    def _():
        rect.reopen_problem(w.problem, actor=None, reason="反弹")
        rect.withdraw_problem(w.escalated, actor=None, reason="重复")

    # ---- research
    @step("research.record_visit / add_finding")
    def _():
        w.visit = research.record_visit(
            actor=None, person=w.cadre, date=d, topic="基层减负", findings=["表格太多", "会议太多"]
        )
        research.add_finding(w.visit, actor=None, text="检查太多")

    @step("research.convert_to_problem / convert_to_measure")
    def _():
        first, second, *_ = list(w.visit.findings.order_by("position"))
        made = research.convert_to_problem(first, actor=None, found_on=AS_OF)
        research.convert_to_measure(second, actor=None, problem=made, as_of=AS_OF)

    @step("research.create_project / attach evidence / finish")
    def _():
        w.project = research.create_project(
            actor=None,
            org=w.branch_a1a,
            name="为小区加装路灯",
            listed_on=d,
            need="居民夜间出行不便",
            need_category="便民服务",
            beneficiaries=300,
        )
        research.set_project_status(w.project, actor=None, status="推进中", as_of=AS_OF)
        research.attach_project_evidence(w.project, actor=None, name="p.pdf", data=PDF + b"p")
        research.set_project_status(w.project, actor=None, status="已完成", as_of=AS_OF)

    @step("research.update_project (now reads as routine work: flagged) / recheck_flags")
    def _():
        research.update_project(w.project, actor=None, need="", beneficiaries=None)
        research.recheck_flags(actor=None)

    @step("research.publish_project / rectification.rate")
    def _():
        item = research.publish_project(w.project, actor=None)
        rect.rate(item, choice="不满意", comment="", device="device-2", ip="10.0.0.2")

    # ---- study
    @step("study.record_session (attendees of the branches below the unit)")
    def _():
        w.session = study.record_session(
            actor=None,
            org=w.unit_a1,
            date=d,
            form="专题研讨",
            topic="专题研讨一",
            chapters=[w.ch["R1-01"]],
            attendees=[*w.p_a1a[:2], w.p_a1b[0]],
        )

    @step("study.update_session (attendees change)")
    def _():
        study.update_session(w.session, actor=None, attendees=[w.p_a1a[0], w.newcomer])

    @step("study.attach_session_evidence (not counted)")
    def _():
        study.attach_session_evidence(w.session, actor=None, name="m.pdf", data=PDF + b"m")

    @step("study.log_self_study / withdraw_self_study")
    def _():
        log = study.log_self_study(actor=None, person=w.p_a1a[1], date=d, chapter=w.ch["R1-02"])
        study.log_self_study(actor=None, person=w.p_a1b[1], date=d, chapter=w.ch["R1-02"])
        study.withdraw_self_study(log, actor=None)

    # ---- publicity
    @step("publicity.issue_solicitation (counts at its targets)")
    def _():
        w.solicitation = publicity.issue_solicitation(
            actor=None,
            org=w.county_a,
            topic="基层减负典型做法",
            deadline=dt.date(2026, 11, 20),
            targets=[w.unit_a1, w.branch_a2],
        )

    @step("publicity.create_submission (a branch answers for the unit above it) / adopt")
    def _():
        w.submission = publicity.create_submission(
            actor=None,
            org=w.branch_a1a,
            title="减负经验",
            date=dt.date(2026, 11, 1),
            solicitation=w.solicitation,
            body="我们精简了表格。",
            submitted_at=dt.datetime(2026, 11, 1, 9, tzinfo=dt.UTC),
        )
        publicity.adopt(w.submission, actor=None, level="县", quality=4, as_of=AS_OF)

    @step("publicity.create_item / attach_photo (not counted)")
    def _():
        item = publicity.create_item(actor=None, org=w.branch_a1b, channel="公共场所", title="宣传栏", date=d)
        publicity.attach_photo(item, actor=None, name="a.png", data=b"\x89PNG\r\n\x1a\n" + b"\x00" * 32)

    @step("publicity.run_copy_check (not counted) / decide_pair")
    def _():
        text = "我支部认真组织党员学习党的二十大报告，深刻领会精神实质，结合实际抓好贯彻落实，取得明显成效。" * 3
        for org, day in ((w.branch_a1a, 2), (w.branch_b1, 3)):
            publicity.create_submission(actor=None, org=org, title="学习体会", date=dt.date(2026, 11, day), body=text)
        publicity.run_copy_check(actor=None, org=w.city, as_of=AS_OF)
        pair = CopyPair.objects.order_by("pk").first()
        assert pair is not None, "the copy check should find the two identical texts"
        publicity.decide_pair(pair, actor=None, confirm=True, as_of=AS_OF)

    # ---- supervision
    @step("supervision letters: draft (not counted) / send / answer / accept")
    def _():
        letter = supervision.draft_letter(w.branch_b1, actor=None, as_of=AS_OF)
        letter = supervision.send_letter(letter, actor=None, on=AS_OF, feedback_due=dt.date(2026, 12, 4))
        letter = supervision.answer_letter(letter, actor=None, answer="已整改", on=AS_OF)
        supervision.review_answer(letter, actor=None, accept=True, comment="", on=AS_OF)

    @step("supervision.record_inspection (not counted) / finding_to_problem")
    def _():
        inspection = supervision.record_inspection(
            w.county_b, actor=None, kind="查阅资料", on=AS_OF, inspectors="张三", findings=["会议记录不全"]
        )
        supervision.finding_to_problem(inspection.items.get(), actor=None)

    @step("supervision.record_interview / record_accountability / decide_escalation (not counted)")
    def _():
        supervision.record_interview(w.branch_b1, actor=None, on=AS_OF, by="县委书记", whom="支部书记", reason="滞后")
        supervision.record_accountability(
            w.branch_b1,
            actor=None,
            on=AS_OF,
            whom="支部书记",
            measure="诫勉谈话",
            reason="整改不力",
            decided_by="县纪委",
        )
        supervision.decide_escalation(w.branch_b1, actor=None, on=AS_OF, decided="提醒")

    @step("supervision: draw_sample (not counted) / record_check 不属实 / resolve_check")
    def _():
        sample = supervision.draw_sample(w.unit_a1, actor=None, kind="study_session", size=1, as_of=AS_OF, seed="1")
        check = supervision.record_check(
            sample, actor=None, record_id=sample.drawn[0], result="不属实", note="无会议记录", on=AS_OF
        )
        assert_counters_current("record_check 不属实")
        supervision.resolve_check(check, actor=None, resolution="已补记录", on=AS_OF)

    @step("study.withdraw_session")
    def _():
        study.withdraw_session(w.session, actor=None, reason="误录")

    # ---- evaluation
    @step("evaluation: draft / issue a briefing (not counted)")
    def _():
        doc = evaluation.draft_briefing(actor=None, org=w.county_a, as_of=AS_OF)
        evaluation.issue_briefing(doc, actor=None, on=AS_OF)

    # ---- orgs again: a merge (people move over, the source is deactivated)
    @step("orgs.merge_org")
    def _():
        orgs.merge_org(Org.objects.get(pk=w.branch_a1b.pk), actor=None, into=Org.objects.get(pk=w.branch_a1a.pk))

    for name, fn in steps:
        try:
            fn()
        except ActionError as exc:  # the story must run as written: a refusal is a broken test
            raise AssertionError(f"{name}: refused: {exc}") from exc
        assert_counters_current(name)


# ------------------------------------------------------------------ every action refreshes before it records


def _call_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return f"{func.value.id}.{func.attr}"
    return getattr(func, "id", "")


def _action_functions():
    for path in sorted(SRC.glob("*/actions.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.parent.name, node


def test_every_action_that_records_an_event_for_an_org_refreshes_its_counters_first():
    missing, late, verbs_seen = [], [], set()
    for app, fn in _action_functions():
        calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
        refreshes = [n.lineno for n in calls if _call_name(n) in ("derived.refresh", "events.touched")]
        for call in (n for n in calls if _call_name(n) == "events.record"):
            if not any(k.arg == "org" for k in call.keywords):
                continue  # an event of no org (accounts, tokens, groups): nothing of an org's counted
            verb = call.args[1].value if len(call.args) > 1 and isinstance(call.args[1], ast.Constant) else None
            verbs_seen.add(verb)
            if verb in NOT_COUNTED or verb in REBUILT_DAILY:
                continue
            where = f"{app}/actions.py:{call.lineno} {fn.name}() {verb or '(verb from its caller)'}"
            if not any(line < call.lineno for line in refreshes):
                missing.append(where)
        for call in (n for n in calls if _call_name(n) == "events.record"):
            if any(line > call.lineno for line in refreshes):
                late.append(f"{app}/actions.py:{fn.name}()")
    assert not missing, (
        "these actions record an event for an org without refreshing its counters first "
        "(core.derived.refresh), and their verb is not in NOT_COUNTED: " + "; ".join(missing)
    )
    assert not late, "refresh before events.record (the chain head is taken last): " + "; ".join(sorted(set(late)))
    stale = (set(NOT_COUNTED) | set(REBUILT_DAILY)) - verbs_seen
    assert not stale, f"NOT_COUNTED names verbs no action records any more: {sorted(stale)}"

"""The data every authorization-matrix file runs against, built once for the whole tests/authz package.

The conftest `world` (tests/conftest.py) plus one more persona (a party member whose org has orgs
below it), a campaign with a reading list, and for every module a record in the first branch
(XS-A-1-1, the branch reporter's and the member's), one in its sibling (XS-A-1-2: the county office
sees it, the branch does not) and one in B县 (XS-B-1: only the city office and the guidance group
see it). Every record carries its matrix label (a problem number, a topic, a file name, …) so the
tables in tests/authz/matrix.py name it and never a database id.

    problems      MX-A11 (XS-A-1-1, open, evidence EV-A11.pdf)
                  MX-A12 (XS-A-1-2, 待验收, evidence EV-A12.pdf, published: token tok-problem)
                  MX-B1  (XS-B-1,   待验收, evidence EV-B1.pdf, published then stopped: tok-inactive)
                  MX-ESC (found by XS-A-1-1, escalated to XS-A-1: the branch keeps seeing it; EV-ESC.pdf)
    rules         RULE-A11 (XS-A-1-1, closes off MX-A11), RULE-B1 (XS-B-1)
    self-checks   SC-A11 (XS-A-1-1, 对照 MX-B1), SC-A12 (XS-A-1-2, 对照 MX-B1), SC-B1 (XS-B-1, 对照 MX-A11); open
    sessions      SS-A11, SS-A12, SS-B1 (topics), evidence SE-A11.png, SE-A12.png, SE-B1.png
    self-study    SL-A1A1 (the member's own), SL-A1C1 (the committee member's), SL-A1B1, SL-B1P1 (reflections)
    visits        RV-A1A1 (by the member, XS-A-1-1), RV-A1C1 (the cadre, XS-A-1), RV-B1P1 (XS-B-1) (topics),
                  one finding each: FD-A1A1, FD-A1C1, FD-B1P1
    projects      PJ-A11, PJ-A12, PJ-B1 (names start with the label), evidence PE-A11.pdf, PE-A12.pdf,
                  PE-B1.pdf; PJ-B1 is finished and published: token tok-project
    accounts      "spare" (a unit grant on XS-B-1): what the admin roles' changes are tried on
    briefings     BR-XS (issued by XS), BR-A (issued, XS-A), BR-A-DRAFT (a draft of XS-A), BR-A11 (issued by
                  XS-A-1-1), BR-B (issued, XS-B), BR-B-DRAFT (a draft of XS-B); told apart by as_of 11-01…11-06

It lives in a transaction rolled back after the package; every test runs in a savepoint inside it
(pytest-django's usual wrapping), so a test's changes never reach the next one. Uploaded files go to
a temporary media root; the as-of date is pinned to 2026-11-27.
"""

import datetime as dt
import inspect

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import ClientHandler

import tests.conftest as shared
from tuijin.campaigns.actions import load_campaign
from tuijin.campaigns.models import Chapter
from tuijin.orgs.actions import issue_api_token

pytest.register_assert_rewrite("tests.authz.matrix")

TODAY = dt.date(2026, 11, 27)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

CAMPAIGN = """
[campaign]
name = "权限矩阵测试主题教育"
start = 2026-09-01
end = 2027-01-31
root = "XS"
satisfaction_threshold = 0.9
satisfaction_min_votes = 1

[[reading]]
code = "R1"
title = "党的二十大报告"
chapters = ["R1-01 第一部分", "R1-02 第二部分", "R1-03 第三部分"]

[[task]]
code = "T1"
title = "每个党支部正式党员不少于3名"
applies_to = { kind = ["党支部"] }
deadline = 2026-12-31
rule = { count = "person", where = { status = "正式党员" }, at_least = 3 }
"""


def _problems(w):
    from tuijin.rectification import actions
    from tuijin.rectification.models import PublicItem

    def problem(org, number, responsible, owner):
        return actions.create_problem(
            actor=None,
            org=org,
            number=number,
            description=f"{number} 理论学习不够深入，学用脱节",
            source="集体查",
            category="理论学习",
            found_on=dt.date(2026, 10, 8),
            deadline=dt.date(2026, 12, 20),
            responsible=responsible,
            measures=[{"text": f"{number} 每周集中学习一次", "owner": owner, "deadline": dt.date(2026, 12, 1)}],
        )

    a11 = problem(w.branch_a1a, "MX-A11", "甲1", "甲2")
    a12 = problem(w.branch_a1b, "MX-A12", "乙一", "乙二")
    b1 = problem(w.branch_b1, "MX-B1", "丁一", "丁一")
    esc = problem(w.branch_a1a, "MX-ESC", "甲3", "甲3")
    actions.escalate(esc, actor=None, to=w.unit_a1, reason="涉及全系统，本支部解决不了")
    actions.attach_evidence(esc, actor=None, name="EV-ESC.pdf", data=PDF)
    actions.attach_evidence(a11, actor=None, name="EV-A11.pdf", data=PDF)
    for p, name in ((a12, "EV-A12.pdf"), (b1, "EV-B1.pdf")):
        actions.attach_evidence(p, actor=None, name=name, data=PDF)
        for m in p.measures.all():
            actions.set_measure_done(m, actor=None, done=True, as_of=dt.date(2026, 11, 1))
        actions.submit_for_acceptance(p, actor=None)
    item = actions.publish(a12, actor=None, title="学用脱节问题整改结果", summary="已建立每周集中学习制度")
    PublicItem.objects.filter(pk=item.pk).update(token="tok-problem")
    item = actions.publish(b1, actor=None, title="B县整改结果", summary="已整改")
    PublicItem.objects.filter(pk=item.pk).update(token="tok-inactive", active=False)
    actions.create_institution_rule(
        actor=None, org=w.branch_a1a, title="RULE-A11 学习制度", issued_on=dt.date(2026, 11, 1), problems=[a11]
    )
    actions.create_institution_rule(
        actor=None, org=w.branch_b1, title="RULE-B1 学习制度", issued_on=dt.date(2026, 11, 1)
    )
    # 举一反三: open 对照检视 suggestions, each labelled by its note (an answer 不存在 keeps the note it is given)
    from tuijin.rectification.models import SelfCheck

    for org, source, label in ((w.branch_a1a, b1, "SC-A11"), (w.branch_a1b, b1, "SC-A12"), (w.branch_b1, a11, "SC-B1")):
        SelfCheck.objects.create(
            source=source, org=org, suggested_on=dt.date(2026, 11, 1), trigger="上级查", note=label
        )


def _study(w, chapters):
    from tuijin.study import actions

    for org, label, people in (
        (w.branch_a1a, "A11", w.p_a1a),
        (w.branch_a1b, "A12", w.p_a1b),
        (w.branch_b1, "B1", w.p_b1),
    ):
        session = actions.record_session(
            actor=None,
            org=org,
            date=dt.date(2026, 10, 10),
            form="支部学习",
            topic=f"SS-{label}",
            chapters=[chapters["R1-01"]],
            attendees=people,
            hours=2,
        )
        actions.attach_session_evidence(session, actor=None, name=f"SE-{label}.png", data=PNG)
    for person in (w.p_a1a[0], w.cadre, w.p_a1b[0], w.p_b1[0]):
        actions.log_self_study(
            actor=None,
            person=person,
            date=dt.date(2026, 10, 12),
            chapter=chapters["R1-02"],
            reflection=f"SL-{person.number}",
        )


def _research(w):
    from tuijin.research import actions
    from tuijin.rectification.models import PublicItem

    for person, visited in ((w.p_a1a[0], w.branch_a1a), (w.cadre, w.branch_a1a), (w.p_b1[0], w.branch_b1)):
        actions.record_visit(
            actor=None,
            person=person,
            date=dt.date(2026, 10, 12),
            topic=f"RV-{person.number}",
            visited_org=visited,
            findings=[f"FD-{person.number} 课后服务课程单一，家长满意度不高"],
        )
    projects = {}
    for org, label in ((w.branch_a1a, "A11"), (w.branch_a1b, "A12"), (w.branch_b1, "B1")):
        project = actions.create_project(
            actor=None,
            org=org,
            name=f"PJ-{label} 为城关镇新建老年助餐点，解决独居老人吃饭难",
            listed_on=dt.date(2026, 10, 1),
            need="城关镇独居和高龄老人120人吃饭难",
            need_category="养老",
            beneficiaries=120,
            deadline=dt.date(2026, 12, 31),
        )
        actions.attach_project_evidence(project, actor=None, name=f"PE-{label}.pdf", data=PDF)
        projects[label] = project
    done = actions.set_project_status(projects["B1"], actor=None, status="已完成", as_of=dt.date(2026, 11, 20))
    item = actions.publish_project(done, actor=None, summary="已建成助餐点3处")
    PublicItem.objects.filter(pk=item.pk).update(token="tok-project")


def _supervision(w):
    """Letters LT-A11 (from the county office to XS-A-1-1) and LT-B1 (from G1 to XS-B-1), both sent; G1's
    inspection of XS-B-1 with one finding IF-B1; a sample SM-B1 of XS-B-1's study sessions; accountability
    records and escalation decisions AC-A11 (XS-A-1-1), AC-A1 (XS-A-1), AC-B1 (XS-B-1)."""
    from tuijin.supervision import actions
    from tuijin.supervision.models import ReminderLetter

    for label, org, sender in (("LT-A11", w.branch_a1a, w.county_office), ("LT-B1", w.branch_b1, w.guide)):
        grant = actions.supervisor_grant(sender, org)
        letter = ReminderLetter.objects.create(
            org=org,
            group=grant.group if grant.role == "guidance" else None,
            issuer=actions.issuer_of(grant),
            title=f"{label} 关于推进滞后的提示函",
            body="一是……",
            drafted_on=TODAY,
            feedback_due=dt.date(2026, 12, 4),
        )
        actions.send_letter(letter, actor=sender, on=TODAY)
    actions.record_inspection(
        w.branch_b1, actor=w.guide, kind="查阅资料", on=TODAY, inspectors="组员", findings=["IF-B1 学习记录不全"]
    )
    actions.draw_sample(w.branch_b1, actor=w.guide, kind="study_session", size=1, as_of=TODAY, seed="SM-B1")
    # 问责 and escalation decisions, told apart by whom / note: AC-A11 and AC-A1 by the county office, AC-B1 by G1
    for label, org, actor in (
        ("AC-A11", w.branch_a1a, w.county_office),
        ("AC-A1", w.unit_a1, w.county_office),
        ("AC-B1", w.branch_b1, w.guide),
    ):
        actions.record_accountability(
            org, actor=actor, on=TODAY, whom=label, measure="诫勉谈话", reason="整改不到位", decided_by="纪委"
        )
        actions.decide_escalation(org, actor=actor, on=TODAY, decided="提醒", note=label)


def _briefings(w):
    from tests.authz.matrix import BRIEFING_DAYS
    from tuijin.evaluation import actions

    for label, org, issued in (
        ("BR-XS", w.city, True),
        ("BR-A", w.county_a, True),
        ("BR-A-DRAFT", w.county_a, False),
        ("BR-A11", w.branch_a1a, True),
        ("BR-B", w.county_b, True),
        ("BR-B-DRAFT", w.county_b, False),
    ):
        doc = actions.draft_briefing(actor=None, org=org, as_of=dt.date.fromisoformat(BRIEFING_DAYS[label]))
        if issued:
            actions.issue_briefing(doc, actor=None, on=doc.as_of)


IMPORT_JOB = "00000000-0000-4000-8000-00000000a11a"  # the county office's own finished web import


def _import_job(w):
    from tuijin.imports.models import ImportJob

    ImportJob.objects.create(
        pk=IMPORT_JOB,
        user=w.county_office,
        kind="orgs",
        filename="IJ-A.xlsx",
        status="done",
        summary="导入完成：新增 0 条，更新 0 条，未变 1 条",
        created_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )


def _publicity(w):
    """IS-A11/IS-A12/IS-B1 (branches) and IS-XB (B县委 itself) submissions, IS-A12 an adopted 典型案例 (the
    library); YG-A (XS-A → XS-A-1-1) and YG-B (XS → XS-B-1) solicitations; PI-* publicity items; AT-A11.png
    (IS-A11's attachment), AT-B1.png (PI-B1's photo); copy pairs CP-A (IS-A12 earlier, IS-A11 later) and
    CP-B (IS-XB earlier, IS-B1 later)."""
    from tuijin.publicity import actions
    from tuijin.publicity.models import CopyPair

    d = dt.date(2026, 11, 10)
    yg_a = actions.issue_solicitation(
        actor=None,
        org=w.county_a,
        topic="A县约稿",
        deadline=dt.date(2026, 11, 30),
        targets=[w.branch_a1a],
        number="YG-A",
    )
    actions.issue_solicitation(
        actor=None, org=w.city, topic="市约稿", deadline=dt.date(2026, 11, 30), targets=[w.branch_b1], number="YG-B"
    )
    body = "围绕主题教育开展专题研讨，检视问题并整改，党员撰写心得体会，为群众办实事。"
    pieces = {}
    for org, label in ((w.branch_a1a, "A11"), (w.branch_a1b, "A12"), (w.branch_b1, "B1"), (w.county_b, "XB")):
        pieces[label] = actions.create_submission(
            actor=None,
            org=org,
            title=f"IS-{label} 主题教育信息",
            body=body,
            date=d,
            type="典型案例",
            solicitation=yg_a if label == "A11" else None,
        )
    actions.adopt(pieces["A12"], actor=None, level="县", quality=4, as_of=d)
    actions.attach_to_submission(pieces["A11"], actor=None, name="AT-A11.png", data=PNG)
    items = {}
    for org, label in ((w.branch_a1a, "A11"), (w.branch_a1b, "A12"), (w.branch_b1, "B1")):
        items[label] = actions.create_item(actor=None, org=org, channel="公共场所", title=f"PI-{label} 宣传栏", date=d)
    actions.attach_photo(items["B1"], actor=None, name="AT-B1.png", data=PNG)
    for label, a, b in (("CP-A", pieces["A12"], pieces["A11"]), ("CP-B", pieces["XB"], pieces["B1"])):
        CopyPair.objects.create(
            source_a="submission",
            id_a=a.pk,
            org_a=a.org,
            source_b="submission",
            id_b=b.pk,
            org_b=b.org,
            similarity=0.9,
            found_on=d,
            note=label,
        )


def _session_cookie(user):
    """A logged-in session made once: logging in again for each of thousands of requests is slow."""
    client = Client()
    client.force_login(user)
    shared.verify_session(client, user)  # the admin roles' TOTP step
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture(scope="package")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The personas by name, each with an API token and a logged-in session; the data above in the database."""
    overrides = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        MEDIA_ROOT=tmp_path_factory.mktemp("authz-media"),
        SESSION_COOKIE_AGE=24 * 3600,
    )  # the sessions below outlive a slow run
    with django_db_blocker.unblock(), overrides, transaction.atomic():
        world = inspect.unwrap(shared.world)(db=None)
        campaign = load_campaign(CAMPAIGN, actor=None)
        chapters = {c.code: c for c in Chapter.objects.filter(item__campaign=campaign)}
        users = {name: getattr(world, name) for name in world.personas}
        users["committee_member"] = shared.make_user("committee_member", "member", person=world.cadre)
        shared.make_user("spare", "unit", org=world.branch_b1)
        _problems(world)
        _study(world, chapters)
        _research(world)
        _supervision(world)
        _briefings(world)
        _import_job(world)
        _publicity(world)
        for user in users.values():
            user.api_token = issue_api_token(actor=None, user=user)
            user.session_cookie = _session_cookie(user)
        yield users
        transaction.set_rollback(True)


@pytest.fixture
def users(city, db):
    return city


@pytest.fixture(scope="package")
def _handler():
    """One request handler for the whole matrix: a new test client would load the middleware again,
    and WhiteNoise's scans every static file on loading (a third of the matrix's time)."""
    return ClientHandler(enforce_csrf_checks=False)


@pytest.fixture
def client(_handler):
    client = Client()
    client.handler = _handler
    return client


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    """Views and the API read today() at their edge: pin it inside the campaign."""
    monkeypatch.setenv("TUIJIN_TODAY", TODAY.isoformat())

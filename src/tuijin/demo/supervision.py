"""Demo supervision: two guidance groups on different districts, letters in every state (one overdue),
an inspection whose finding became a 上级查 problem, a sample checked with one record found 不属实, an
interview, and the inbox computed for the day. Escalation suggestions follow from the data and the
back-filled snapshots (a long-lagging unit gets 约谈 once its letter went unanswered)."""

from __future__ import annotations

import datetime as dt

from tuijin.core.errors import ActionError
from tuijin.orgs import actions as org_actions
from tuijin.orgs.models import GuidanceGroup, Org, User
from tuijin.supervision import actions, inbox
from tuijin.supervision.letters import letter_findings
from tuijin.supervision.models import GroupAssignment

from .generate import _account


def build_supervision(campaign, today: dt.date, counties) -> list[tuple[str, str, str]]:
    start = campaign.start
    g1 = GuidanceGroup.objects.get(code="XS-G1")
    guide = User.objects.get(username="guide")
    for org in g1.orgs.all():
        GroupAssignment.objects.get_or_create(group=g1, org=org, start=start)
    actions.set_leader(g1, guide, actor=None)
    first = set(g1.orgs.values_list("pk", flat=True))
    # Districts group 1 does not have (the tiny demo has fewer districts: then 东城区).
    second = [c for c in counties[4:6] if c.pk not in first] or [c for c in counties[1:] if c.pk not in first][:1]
    g2 = actions.create_group(actor=None, code="XS-G2", name="市委第二巡回指导组", orgs=second, on=start)
    guide2 = _account("guide2")
    guide2.first_name = "巡回指导组成员"
    guide2.save(update_fields=["first_name"])
    org_actions.grant_role(actor=None, user=guide2, role="guidance", group=g2)
    actions.set_leader(g2, guide2, actor=None)

    # Units of group 1 that lag, worst first: the letters go to them.
    units = [
        o
        for county in g1.orgs.order_by("path")
        for o in Org.objects.filter(parent=county, active=True).exclude(kind="党支部").order_by("path")[:6]
    ]
    lagging = [o for o in units if letter_findings(o, today)][:6]

    def letter(org, sent_days_ago=None, due_in=7):
        x = actions.draft_letter(org, actor=guide, as_of=today - dt.timedelta(days=sent_days_ago or 0))
        if sent_days_ago is not None:
            on = today - dt.timedelta(days=sent_days_ago)
            x = actions.send_letter(x, actor=guide, on=on, feedback_due=on + dt.timedelta(days=due_in))
        return x

    if len(lagging) >= 5:
        overdue = letter(lagging[0], sent_days_ago=12, due_in=7)  # 5 days past its deadline
        letter(lagging[1], sent_days_ago=2, due_in=7)  # waiting for feedback
        answered = letter(lagging[2], sent_days_ago=10, due_in=7)
        clerk = _unit_actor(answered.org)
        actions.answer_letter(
            answered,
            actor=clerk,
            answer="已召开党委会专题研究，制定整改方案，补开集体学习2次。",
            on=today - dt.timedelta(days=4),
        )
        accepted = letter(lagging[3], sent_days_ago=20, due_in=7)
        clerk = _unit_actor(accepted.org)
        accepted = actions.answer_letter(
            accepted, actor=clerk, answer="逐项整改完毕，附整改台账。", on=today - dt.timedelta(days=15)
        )
        actions.review_answer(
            accepted, actor=guide, accept=True, comment="整改到位，同意办结", on=today - dt.timedelta(days=14)
        )
        withdrawn = letter(lagging[4], sent_days_ago=6, due_in=7)
        actions.withdraw_letter(withdrawn, actor=guide, reason="发函对象有误，改发其上级党委")
        letter(lagging[4])  # a draft not yet sent
        # Past its deadline (5 days ago): interviewed the day after; still nothing, so the group decides
        # on the suggested 问责 and the accountability is recorded (seen by the office and the group only).
        actions.record_interview(
            overdue.org,
            actor=guide,
            on=today - dt.timedelta(days=4),
            by="市委第一巡回指导组组长",
            whom=f"{overdue.org.name}书记",
            reason=f"{overdue.number}逾期未反馈，推进持续滞后",
            outcome="要求2日内报送整改方案",
            letters=[overdue],
        )
        actions.decide_escalation(
            overdue.org,
            actor=guide,
            on=today - dt.timedelta(days=2),
            decided="问责",
            note="约谈后仍未报送整改方案，报请市纪委监委问责",
        )
        actions.record_accountability(
            overdue.org,
            actor=guide,
            on=today - dt.timedelta(days=1),
            whom=f"{overdue.org.name}分管副书记",
            measure="诫勉谈话",
            reason=f"{overdue.number}逾期未反馈，约谈后仍未报送整改方案",
            decided_by="市纪委监委",
            letters=[overdue],
        )
        target = lagging[0]
    else:
        target = units[0]

    inspection = actions.record_inspection(
        target,
        actor=guide,
        kind="查阅资料",
        on=today - dt.timedelta(days=3),
        inspectors="市委第一巡回指导组 张某、李某",
        findings=["部分支部集体学习记录只有照片、没有研讨内容", "问题清单中3个问题整改措施未明确责任人"],
    )
    first_finding = inspection.items.first()
    assert first_finding is not None
    actions.finding_to_problem(first_finding, actor=guide, deadline=today + dt.timedelta(days=30))

    # A sample of a unit's study sessions, checked on site: one record found 不属实.
    for org in units:
        try:
            sample = actions.draw_sample(org, actor=guide, kind="study_session", size=5, as_of=today, seed="20261127")
        except ActionError:  # no sessions to draw from: try the next unit
            continue
        results = ["属实", "属实", "部分属实", "不属实", "属实"]
        notes = {"部分属实": "签到表人数与记录不符（记录28人，签到21人）", "不属实": "当日未开展集体学习，记录系补录"}
        for record_id, result in zip(sample.drawn, results, strict=False):
            actions.record_check(
                sample, actor=guide, record_id=record_id, result=result, note=notes.get(result, ""), on=today
            )
        break

    inbox.compute(today)
    return [("guide2", "巡回指导组成员", f"{g2.name}联系的 {'、'.join(o.name for o in second)}")]


def _unit_actor(org):
    """An account acting for the org itself (created for the demo if it has none)."""
    user = User.objects.filter(grants__role="unit", grants__org=org).first()
    if user is None:
        user = _account(f"unit_{org.code.lower().replace('-', '_')}")
        user.first_name = f"{org.name}填报员"
        user.save(update_fields=["first_name"])
        org_actions.grant_role(actor=None, user=user, role="unit", org=org)
    return user

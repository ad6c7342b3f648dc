"""Supervision over the API (SPEC §4.4, §2.7): letters and their workflow, the suggested next step and
the decisions on it, inspections, samples and their checks, interviews and accountability (问责), the
inbox. Same scope and the same actions as the pages: an org or record outside the caller's scope is
404; interviews, accountability, samples and escalation only for those who supervise the org (the unit
and its members get 404)."""

import datetime as dt
from typing import Annotated

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tuijin.core.calendar import today
from tuijin.core.pagination import Pages
from tuijin.core.scope import subtree_q

from . import actions, escalation, queries
from .models import LADDER, Accountability, EscalationDecision, Inspection, InspectionFinding, Interview, Sample

router = Router(tags=["督导"])


def _org(request, code):
    return queries.business_org(request.user, code)


def _supervised(request, code):
    org = _org(request, code)
    if not actions.can_supervise(request.user, org):
        raise Http404
    return org


def _supervised_subtree(request, code) -> Q:
    """The records under `code` the caller supervises: the whole subtree for its guidance group or an
    office above it; for the office of `code` itself, the orgs strictly below. Anyone else (the unit,
    its members, an org out of scope): 404, as on the pages."""
    root = _org(request, code)
    q = subtree_q("org__path", root.path)
    if actions.can_supervise(request.user, root):
        return q
    if request.user.grants.filter(role="office", org=root).exists():
        return q & ~Q(org=root)
    raise Http404


def _letter(request, pk):
    letter = get_object_or_404(queries.letters_for(request.user), pk=pk)
    _org(request, letter.org.code)
    return letter


def letter_dict(x) -> dict:
    return {
        "id": x.pk,
        "org": x.org.code,
        "org_name": x.org.name,
        "issuer": x.issuer,
        "number": x.number,
        "title": x.title,
        "body": x.body,
        "state": x.state,
        "drafted_on": x.drafted_on,
        "sent_on": x.sent_on,
        "feedback_due": x.feedback_due,
        "answer": x.answer,
        "answered_on": x.answered_on,
        "rounds": x.rounds,
        "review_comment": x.review_comment,
        "closed_on": x.closed_on,
        "version": x.version,
        "overdue": x.is_overdue(today()),
        "basis": x.basis,
    }


@router.get("/letters", summary="提示函列表（某组织及其下级）")
def list_letters(request, org: str):
    root = _org(request, org)
    qs = queries.letters_for(request.user).filter(subtree_q("org__path", root.path)).order_by("-drafted_on", "-id")
    return [letter_dict(x) for x in qs[:500]]


@router.get("/letters/{letter_id}", summary="提示函")
def get_letter(request, letter_id: int):
    return letter_dict(_letter(request, letter_id))


class DraftIn(Schema):
    org: str
    as_of: dt.date | None = None


@router.post("/letters", summary="据短板起草提示函")
def draft_letter(request, data: DraftIn):
    org = _org(request, data.org)
    return letter_dict(actions.draft_letter(org, actor=request.user, as_of=data.as_of or today()))


class SendIn(Schema):
    feedback_due: dt.date | None = None
    version: int | None = None


@router.post("/letters/{letter_id}/send", summary="编号并发送")
def send_letter(request, letter_id: int, data: SendIn):
    return letter_dict(
        actions.send_letter(
            _letter(request, letter_id),
            actor=request.user,
            on=today(),
            feedback_due=data.feedback_due,
            version=data.version,
        )
    )


class AnswerIn(Schema):
    answer: str
    version: int | None = None


@router.post("/letters/{letter_id}/answer", summary="受函单位反馈")
def answer_letter(request, letter_id: int, data: AnswerIn):
    return letter_dict(
        actions.answer_letter(
            _letter(request, letter_id), actor=request.user, answer=data.answer, on=today(), version=data.version
        )
    )


class ReviewIn(Schema):
    accept: bool
    comment: str = ""
    feedback_due: dt.date | None = None
    version: int | None = None


@router.post("/letters/{letter_id}/review", summary="审核反馈：办结或退回重报")
def review_letter(request, letter_id: int, data: ReviewIn):
    return letter_dict(
        actions.review_answer(
            _letter(request, letter_id),
            actor=request.user,
            accept=data.accept,
            comment=data.comment,
            on=today(),
            feedback_due=data.feedback_due,
            version=data.version,
        )
    )


@router.get("/escalation", summary="建议的下一步督促措施及理由")
def get_escalation(request, org: str, as_of: dt.date | None = None):
    s = escalation.suggest(_supervised(request, org), as_of or today())
    return {
        "org": s.org.code,
        "step": s.step,
        "reasons": s.reasons,
        "lagging": s.lagging,
        "severe": s.severe,
        "lag_days": s.lag_days,
        "overdue_letters": s.overdue_letters,
        "boards": s.boards,
        "board_days": s.board_days,
    }


@router.get("/records", summary="督导检查、约谈、问责记录（仅指导组和上级办公室）")
def get_records(request, org: str):
    o = _supervised(request, org)
    return {
        "inspections": [
            {
                "id": i.pk,
                "kind": i.kind,
                "on": i.on,
                "inspectors": i.inspectors,
                "findings": [
                    {"id": f.pk, "text": f.text, "problem": f.problem.number if f.problem else None}
                    for f in i.items.select_related("problem")
                ],
            }
            for i in Inspection.objects.visible_to(request.user).filter(org=o)
        ],
        "interviews": [
            {
                "id": i.pk,
                "on": i.on,
                "by": i.by,
                "whom": i.whom,
                "reason": i.reason,
                "outcome": i.outcome,
                "letters": [x.number for x in i.letters.all()],
            }
            for i in Interview.objects.visible_to(request.user).filter(org=o)
        ],
        "accountability": [
            {
                "id": a.pk,
                "on": a.on,
                "whom": a.whom,
                "measure": a.measure,
                "reason": a.reason,
                "decided_by": a.decided_by,
            }
            for a in Accountability.objects.visible_to(request.user).filter(org=o)
        ],
        "samples": [
            {"id": s.pk, "kind": s.kind, "seed": s.seed, "size": s.size, "population": s.population}
            for s in Sample.objects.visible_to(request.user).filter(org=o)
        ],
    }


class InspectionIn(Schema):
    org: str
    kind: str
    on: dt.date
    inspectors: str
    findings: list[str] = []


@router.post("/inspections", summary="记录督导检查")
def create_inspection(request, data: InspectionIn):
    i = actions.record_inspection(
        _org(request, data.org),
        actor=request.user,
        kind=data.kind,
        on=data.on,
        inspectors=data.inspectors,
        findings=data.findings[:50],
    )
    return {"id": i.pk, "findings": [{"id": f.pk, "text": f.text} for f in i.items.all()]}


@router.post("/findings/{finding_id}/problem", summary="督导发现转为问题（上级查）")
def finding_to_problem(request, finding_id: int):
    finding = get_object_or_404(InspectionFinding.objects.visible_to(request.user), pk=finding_id)
    problem = actions.finding_to_problem(finding, actor=request.user)
    return {"problem": problem.number, "org": problem.org.code, "source": problem.source}


class SampleIn(Schema):
    org: str
    kind: str
    size: int
    seed: str | None = None


def sample_dict(s) -> dict:
    return {
        "id": s.pk,
        "org": s.org.code,
        "kind": s.kind,
        "as_of": s.as_of,
        "seed": s.seed,
        "size": s.size,
        "population": s.population,
        "drawn": s.drawn,
        "checks": [
            {
                "record_id": c.record_id,
                "result": c.result,
                "note": c.note,
                "checked_on": c.checked_on,
                "resolved_on": c.resolved_on,
            }
            for c in s.checks.all()
        ],
    }


@router.post("/samples", summary="随机抽取样本")
def create_sample(request, data: SampleIn):
    return sample_dict(
        actions.draw_sample(
            _org(request, data.org), actor=request.user, kind=data.kind, size=data.size, as_of=today(), seed=data.seed
        )
    )


@router.get("/samples/{sample_id}", summary="样本及核查结果（仅指导组和上级办公室）")
def get_sample(request, sample_id: int):
    s = get_object_or_404(Sample.objects.visible_to(request.user).select_related("org"), pk=sample_id)
    if not actions.can_supervise(request.user, s.org):
        raise Http404
    return sample_dict(s)


class CheckIn(Schema):
    record_id: int
    result: str
    note: str = ""


@router.post("/samples/{sample_id}/checks", summary="记录一条抽查记录的核查结果")
def check_sample(request, sample_id: int, data: CheckIn):
    s = get_object_or_404(Sample.objects.visible_to(request.user).select_related("org"), pk=sample_id)
    c = actions.record_check(
        s, actor=request.user, record_id=data.record_id, result=data.result, note=data.note, on=today()
    )
    return {"record_id": c.record_id, "result": c.result}


class InterviewIn(Schema):
    org: str
    on: dt.date
    by: str
    whom: str
    reason: str
    outcome: str = ""
    letters: list[int] = []


@router.post("/interviews", summary="记录约谈")
def create_interview(request, data: InterviewIn):
    i = actions.record_interview(
        _org(request, data.org),
        actor=request.user,
        on=data.on,
        by=data.by,
        whom=data.whom,
        reason=data.reason,
        outcome=data.outcome,
        letters=data.letters[:20],
    )
    return {"id": i.pk}


@router.get("/inbox", summary="本人的站内提醒")
def get_inbox(request):
    return [
        {"id": n.pk, "kind": n.kind, "text": n.text, "url": n.url, "on": n.on, "read": n.read}
        for n in request.user.notifications.all()[:200]
    ]


# ------------------------------------------------------------------ accountability (问责) and escalation decisions


RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class AccountabilityOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    on: dt.date
    whom: str = Field(description="问责对象")
    measure: str = Field(description="问责方式，如诫勉谈话、通报批评")
    reason: str = Field(description="问责事由")
    decided_by: str = Field(description="决定机关")
    letters: list[str] = Field(description="相关提示函的文号")
    problems: list[str] = Field(description="相关问题的编号")

    @staticmethod
    def resolve_letters(obj):
        return [x.number for x in obj.letters.all()]

    @staticmethod
    def resolve_problems(obj):
        return [p.number for p in obj.problems.all()]


@router.get(
    "/accountability",
    response=list[AccountabilityOut],
    summary="问责记录（某组织及其下级；仅联系的指导组和上级办公室，本单位及党员看不到）",
)
@paginate(Pages, page_size=50)
def list_accountability(request, org: str):
    qs = (
        Accountability.objects.visible_to(request.user)
        .filter(_supervised_subtree(request, org))
        .select_related("org")
        .prefetch_related("letters", "problems")
        .order_by("-on", "-id")
    )
    return qs


class AccountabilityIn(Schema):
    org: str
    on: dt.date
    whom: str = Field(max_length=120)
    measure: str = Field(max_length=120)
    reason: str = Field(max_length=5000)
    decided_by: str = Field(max_length=120)
    letters: list[RowId] = Field(default=[], description="相关提示函的 id（须是发给该组织的）", max_length=20)
    problems: list[RowId] = Field(default=[], description="相关问题的 id（该组织及其下级的）", max_length=50)


@router.post("/accountability", response={201: AccountabilityOut}, summary="记录问责（联系的指导组或上级办公室）")
def create_accountability(request, data: AccountabilityIn):
    a = actions.record_accountability(
        _org(request, data.org),
        actor=request.user,
        on=data.on,
        whom=data.whom,
        measure=data.measure,
        reason=data.reason,
        decided_by=data.decided_by,
        letters=data.letters,
        problems=data.problems,
    )
    return Status(201, a)


class DecisionOut(Schema):
    id: int
    org: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    on: dt.date
    suggested: str = Field(description="当时系统建议的下一步")
    reasons: list[str] = Field(description="当时的建议理由")
    decided: str = Field(description="决定：" + "、".join(LADDER))
    note: str
    decided_by: str | None = Field(description="决定人账号")

    @staticmethod
    def resolve_decided_by(obj):
        return obj.decided_by.username if obj.decided_by else None


@router.get(
    "/escalation-decisions",
    response=list[DecisionOut],
    summary="督促措施决定（某组织及其下级；仅联系的指导组和上级办公室）",
)
@paginate(Pages, page_size=50)
def list_decisions(request, org: str):
    qs = (
        EscalationDecision.objects.visible_to(request.user)
        .filter(_supervised_subtree(request, org))
        .select_related("org", "decided_by")
        .order_by("-on", "-id")
    )
    return qs


class DecisionIn(Schema):
    org: str
    decided: str = Field(description="决定：" + "、".join(LADDER))
    note: str = Field(default="", max_length=5000)


@router.post(
    "/escalation-decisions", response={201: DecisionOut}, summary="对系统建议的下一步作出决定（建议及理由随决定保存）"
)
def create_decision(request, data: DecisionIn):
    d = actions.decide_escalation(
        _org(request, data.org), actor=request.user, on=today(), decided=data.decided, note=data.note
    )
    return Status(201, d)

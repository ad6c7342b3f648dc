"""Supervision over the API (SPEC §4.4, §2.7): letters and their workflow, the suggested next step,
inspections, samples and their checks, interviews and accountability, the inbox. Same scope and the
same actions as the pages: an org or record outside the caller's scope is 404; interviews,
accountability, samples and escalation only for those who supervise the org."""
import datetime as dt

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from tuijin.core.scope import subtree_q
from tuijin.core.calendar import today

from . import actions, escalation, queries
from .models import Accountability, Inspection, InspectionFinding, Interview, Sample

router = Router(tags=["督导"])


def _org(request, code):
    return queries.business_org(request.user, code)


def _supervised(request, code):
    org = _org(request, code)
    if not actions.can_supervise(request.user, org):
        raise Http404
    return org


def _letter(request, pk):
    letter = get_object_or_404(queries.letters_for(request.user), pk=pk)
    _org(request, letter.org.code)
    return letter


def letter_dict(x) -> dict:
    return {"id": x.pk, "org": x.org.code, "org_name": x.org.name, "issuer": x.issuer, "number": x.number,
            "title": x.title, "body": x.body, "state": x.state, "drafted_on": x.drafted_on, "sent_on": x.sent_on,
            "feedback_due": x.feedback_due, "answer": x.answer, "answered_on": x.answered_on, "rounds": x.rounds,
            "review_comment": x.review_comment, "closed_on": x.closed_on, "version": x.version,
            "overdue": x.is_overdue(today()), "basis": x.basis}


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
    return letter_dict(actions.send_letter(_letter(request, letter_id), actor=request.user, on=today(),
                                           feedback_due=data.feedback_due, version=data.version))


class AnswerIn(Schema):
    answer: str
    version: int | None = None


@router.post("/letters/{letter_id}/answer", summary="受函单位反馈")
def answer_letter(request, letter_id: int, data: AnswerIn):
    return letter_dict(actions.answer_letter(_letter(request, letter_id), actor=request.user, answer=data.answer,
                                             on=today(), version=data.version))


class ReviewIn(Schema):
    accept: bool
    comment: str = ""
    feedback_due: dt.date | None = None
    version: int | None = None


@router.post("/letters/{letter_id}/review", summary="审核反馈：办结或退回重报")
def review_letter(request, letter_id: int, data: ReviewIn):
    return letter_dict(actions.review_answer(_letter(request, letter_id), actor=request.user, accept=data.accept,
                                             comment=data.comment, on=today(), feedback_due=data.feedback_due,
                                             version=data.version))


@router.get("/escalation", summary="建议的下一步督促措施及理由")
def get_escalation(request, org: str, as_of: dt.date | None = None):
    s = escalation.suggest(_supervised(request, org), as_of or today())
    return {"org": s.org.code, "step": s.step, "reasons": s.reasons, "lagging": s.lagging, "severe": s.severe,
            "lag_days": s.lag_days, "overdue_letters": s.overdue_letters}


@router.get("/records", summary="督导检查、约谈、问责记录（仅指导组和上级办公室）")
def get_records(request, org: str):
    o = _supervised(request, org)
    return {
        "inspections": [{"id": i.pk, "kind": i.kind, "on": i.on, "inspectors": i.inspectors,
                         "findings": [{"id": f.pk, "text": f.text, "problem": f.problem.number if f.problem else None}
                                      for f in i.items.select_related("problem")]}
                        for i in Inspection.objects.visible_to(request.user).filter(org=o)],
        "interviews": [{"id": i.pk, "on": i.on, "by": i.by, "whom": i.whom, "reason": i.reason, "outcome": i.outcome,
                        "letters": [x.number for x in i.letters.all()]}
                       for i in Interview.objects.visible_to(request.user).filter(org=o)],
        "accountability": [{"id": a.pk, "on": a.on, "whom": a.whom, "measure": a.measure, "reason": a.reason,
                            "decided_by": a.decided_by}
                           for a in Accountability.objects.visible_to(request.user).filter(org=o)],
        "samples": [{"id": s.pk, "kind": s.kind, "seed": s.seed, "size": s.size, "population": s.population}
                    for s in Sample.objects.visible_to(request.user).filter(org=o)],
    }


class InspectionIn(Schema):
    org: str
    kind: str
    on: dt.date
    inspectors: str
    findings: list[str] = []


@router.post("/inspections", summary="记录督导检查")
def create_inspection(request, data: InspectionIn):
    i = actions.record_inspection(_org(request, data.org), actor=request.user, kind=data.kind, on=data.on,
                                  inspectors=data.inspectors, findings=data.findings[:50])
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
    return {"id": s.pk, "org": s.org.code, "kind": s.kind, "as_of": s.as_of, "seed": s.seed, "size": s.size,
            "population": s.population, "drawn": s.drawn,
            "checks": [{"record_id": c.record_id, "result": c.result, "note": c.note, "checked_on": c.checked_on,
                        "resolved_on": c.resolved_on} for c in s.checks.all()]}


@router.post("/samples", summary="随机抽取样本")
def create_sample(request, data: SampleIn):
    return sample_dict(actions.draw_sample(_org(request, data.org), actor=request.user, kind=data.kind,
                                           size=data.size, as_of=today(), seed=data.seed))


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
    c = actions.record_check(s, actor=request.user, record_id=data.record_id, result=data.result, note=data.note,
                             on=today())
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
    i = actions.record_interview(_org(request, data.org), actor=request.user, on=data.on, by=data.by, whom=data.whom,
                                 reason=data.reason, outcome=data.outcome, letters=data.letters[:20])
    return {"id": i.pk}


@router.get("/inbox", summary="本人的站内提醒")
def get_inbox(request):
    return [{"id": n.pk, "kind": n.kind, "text": n.text, "url": n.url, "on": n.on, "read": n.read}
            for n in request.user.notifications.all()[:200]]

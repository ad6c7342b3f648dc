"""Study sessions and self-study logs over the API (SPEC §4.4): the same scope and actions as the pages.

Out of scope is 404; in scope but not allowed to change is 403; a refused change is 422 with the
Chinese message and the field; a stale version is 409.
"""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tuijin.core.scope import in_business_scope, subtree_q
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError
from tuijin.core.pagination import Pages
from tuijin.orgs.models import Org, Person

from tuijin.campaigns import actions as campaign_actions
from tuijin.campaigns.queries import current_campaign

from . import actions, queries
from .imports import ReadingLists
from .models import SelfStudy, StudySession

router = Router(tags=["学习教育"])


class SessionOut(Schema):
    id: int
    org_code: str = Field(alias="org.code")
    date: dt.date
    form: str
    topic: str
    speaker: str
    speaker_affiliation: str
    speaker_category: str
    chapters: list[str]
    attendees: list[str]
    headcount: int | None
    hours: float | None
    withdrawn: bool
    version: int

    @staticmethod
    def resolve_chapters(obj):
        return [c.code for c in obj.chapters.all()]

    @staticmethod
    def resolve_attendees(obj):
        return sorted(p.number for p in obj.attendees.all())

    @staticmethod
    def resolve_hours(obj):
        return float(obj.hours) if obj.hours is not None else None


class SessionIn(Schema):
    org_code: str
    date: dt.date
    form: str
    topic: str
    speaker: str = ""
    speaker_affiliation: str = ""
    speaker_category: str = ""
    chapters: list[str] = []
    attendees: list[str] = []
    headcount: int | None = None
    hours: Decimal | None = None


class SessionPatch(Schema):
    version: int
    date: dt.date | None = None
    form: str | None = None
    topic: str | None = None
    speaker: str | None = None
    speaker_affiliation: str | None = None
    speaker_category: str | None = None
    chapters: list[str] | None = None
    attendees: list[str] | None = None
    headcount: int | None = None
    hours: Decimal | None = None


class WithdrawIn(Schema):
    reason: str
    version: int | None = None


class SelfStudyOut(Schema):
    id: int
    person_number: str = Field(alias="person.number")
    person_name: str = Field(alias="person.name")
    date: dt.date
    chapter_code: str = Field(alias="chapter.code")
    chapter_title: str = Field(alias="chapter.title")
    minutes: int | None
    reflection: str
    withdrawn: bool


class SelfStudyIn(Schema):
    person_number: str | None = None  # default: the caller's own person
    date: dt.date
    chapter_code: str
    reflection: str = ""
    minutes: int | None = None


def _sessions(request):
    return StudySession.objects.visible_to(request.user).select_related("org").prefetch_related("chapters", "attendees")


def _chapters(org, date, codes):
    reading, found = ReadingLists(), []
    for code in codes:
        chapter = reading.lookup(org, date, code)
        if chapter is None:
            raise ActionError(f"篇目编码“{code}”不在{org.name}所参加主题教育的指定书目中", field="chapters")
        found.append(chapter)
    return found


def _attendees(request, org, numbers, already=()):
    found = {p.number: p for p in Person.objects.visible_to(request.user).filter(number__in=list(numbers))}
    found.update({p.number: p for p in already if p.number in numbers})
    for number in numbers:
        if number not in found:
            raise ActionError(f"人员编号“{number}”在{org.name}（含下级组织）中不存在", field="attendees")
    return [found[n] for n in numbers]


@router.get("/sessions", response=list[SessionOut], summary="集体学习列表")
@paginate(Pages, page_size=100)
def list_sessions(request, org: str = "", form: str = "", month: str = "", withdrawn: bool = False):
    qs = _sessions(request).order_by("-date", "-id")
    if org:
        root = get_object_or_404(Org.objects.visible_to(request.user), code=org)
        qs = qs.filter(subtree_q("org__path", root.path))
    if not withdrawn:
        qs = qs.filter(withdrawn=False)
    if form:
        qs = qs.filter(form=form)
    year, _, mon = month.partition("-")
    if year.isdigit() and mon.isdigit():
        qs = qs.filter(date__year=int(year), date__month=int(mon))
    return qs


@router.get("/sessions/{session_id}", response=SessionOut, summary="集体学习详情")
def get_session(request, session_id: int):
    return get_object_or_404(_sessions(request), pk=session_id)


@router.post("/sessions", response={201: SessionOut}, summary="记录集体学习（参加人员的学习记录随之更新）")
def create_session(request, payload: SessionIn):
    org = get_object_or_404(Org.objects.visible_to(request.user), code=payload.org_code)
    data = payload.dict(exclude={"org_code", "chapters", "attendees"})
    session = actions.record_session(
        actor=request.user,
        org=org,
        today=today(),
        chapters=_chapters(org, payload.date, payload.chapters),
        attendees=_attendees(request, org, payload.attendees),
        **data,
    )
    return Status(201, get_object_or_404(_sessions(request), pk=session.pk))


@router.patch("/sessions/{session_id}", response=SessionOut, summary="修改集体学习（需带 version）")
def patch_session(request, session_id: int, payload: SessionPatch):
    session = get_object_or_404(_sessions(request), pk=session_id)
    changes = payload.dict(exclude_unset=True, exclude={"version", "chapters", "attendees"})
    date = changes.get("date") or session.date
    chapters = _chapters(session.org, date, payload.chapters) if payload.chapters is not None else None
    attendees = (
        _attendees(request, session.org, payload.attendees, session.attendees.all())
        if payload.attendees is not None
        else None
    )
    actions.update_session(
        session,
        actor=request.user,
        version=payload.version,
        chapters=chapters,
        attendees=attendees,
        today=today(),
        **changes,
    )
    return get_object_or_404(_sessions(request), pk=session.pk)


@router.post("/sessions/{session_id}/withdraw", response=SessionOut, summary="撤回集体学习（保留历史）")
def withdraw_session(request, session_id: int, payload: WithdrawIn):
    session = get_object_or_404(_sessions(request), pk=session_id)
    actions.withdraw_session(session, actor=request.user, reason=payload.reason, version=payload.version)
    return get_object_or_404(_sessions(request), pk=session.pk)


def _logs(request):
    return SelfStudy.objects.visible_to(request.user).select_related("person", "chapter")


@router.get("/self-study", response=list[SelfStudyOut], summary="个人自学记录列表")
@paginate(Pages, page_size=100)
def list_self_study(request, org: str = "", person: str = "", withdrawn: bool = False):
    qs = _logs(request).order_by("-date", "-id")
    if org:
        root = get_object_or_404(Org.objects.visible_to(request.user), code=org)
        qs = qs.filter(subtree_q("person__org__path", root.path))
    if person:
        qs = qs.filter(person__number=person)
    if not withdrawn:
        qs = qs.filter(withdrawn=False)
    return qs


@router.get("/self-study/{log_id}", response=SelfStudyOut, summary="个人自学记录详情")
def get_self_study(request, log_id: int):
    return get_object_or_404(_logs(request), pk=log_id)


@router.post("/self-study", response={201: SelfStudyOut}, summary="记录一次自学（默认为本人）")
def create_self_study(request, payload: SelfStudyIn):
    number = payload.person_number or (request.user.person.number if request.user.person_id else None)
    if number is None:
        raise ActionError("账号未关联人员，请填写 person_number", field="person_number")
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("org"), number=number)
    chapter = _chapters(person.org, payload.date, [payload.chapter_code])[0]
    log = actions.log_self_study(
        actor=request.user,
        person=person,
        date=payload.date,
        chapter=chapter,
        reflection=payload.reflection,
        minutes=payload.minutes,
        today=today(),
    )
    return Status(201, get_object_or_404(_logs(request), pk=log.pk))


@router.post("/self-study/{log_id}/withdraw", response=SelfStudyOut, summary="撤回自学记录（保留历史）")
def withdraw_self_study(request, log_id: int):
    log = get_object_or_404(_logs(request), pk=log_id)
    actions.withdraw_self_study(log, actor=request.user)
    return get_object_or_404(_logs(request), pk=log.pk)


# ------------------------------------------------------------------ 跟进学习 (第一议题)


class FollowupOrgOut(Schema):
    org_code: str
    org_name: str
    members: int
    studied: int
    late: bool


class FollowupOut(Schema):
    code: str
    title: str
    chapter_code: str
    opens_on: dt.date
    due_on: dt.date
    overdue: bool
    members: int  # of the subtree asked about
    studied: int
    expected: float  # the elapsed share of the item's own window (1.0 from the deadline on)
    status: str
    behind: list[FollowupOrgOut]  # orgs (own members) late after the deadline, or behind the window before it


class FollowupIn(Schema):
    org_code: str  # the office's org; the item goes to the campaign that covers it
    code: str
    title: str
    opens_on: dt.date
    due_on: dt.date


def _followup_out(org, item, as_of, campaign) -> dict:
    lag, severe = campaign.lag_threshold, campaign.severe_lag_threshold
    total = queries.subtree_followup(org, item, as_of)
    behind = [
        r for r in queries.followup_orgs(org, item, as_of) if (r.late if r.overdue else r.status(lag, severe) != "正常")
    ]
    chapter = next(iter(item.chapters.all()), None)
    return {
        "code": item.code,
        "title": item.title,
        "chapter_code": chapter.code if chapter else "",
        "opens_on": item.opens_on,
        "due_on": item.due_on,
        "overdue": total.overdue,
        "members": total.members,
        "studied": total.studied,
        "expected": round(total.expected, 4),
        "status": total.status(lag, severe),
        "behind": [
            {"org_code": r.org.code, "org_name": r.org.name, "members": r.members, "studied": r.studied, "late": r.late}
            for r in behind[:500]
        ],
    }


@router.get("/followup", response=list[FollowupOut], summary="跟进学习（第一议题）：各项按自己的期限衡量")
def list_followup(request, org: str):
    root = get_object_or_404(Org.objects.visible_to(request.user), code=org)
    if not in_business_scope(request.user, root):
        raise Http404
    as_of = today()
    campaign = current_campaign(root, as_of)
    if campaign is None:
        return []
    return [_followup_out(root, item, as_of, campaign) for item in queries.followup_items(campaign, as_of)]


@router.post("/followup", response={201: FollowupOut}, summary="布置跟进学习（主题教育办公室）")
def create_followup(request, payload: FollowupIn):
    org = get_object_or_404(Org.objects.visible_to(request.user), code=payload.org_code)
    as_of = today()
    campaign = current_campaign(org, as_of)
    if campaign is None:
        raise ActionError("当前没有进行中的主题教育", field="org_code")
    item = campaign_actions.add_followup_item(
        campaign,
        actor=request.user,
        code=payload.code,
        title=payload.title,
        opens_on=payload.opens_on,
        due_on=payload.due_on,
    )
    return Status(201, _followup_out(org, item, as_of, campaign))

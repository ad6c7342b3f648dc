"""Problems over the API (SPEC §2.5, §4.4): the list, one problem with its measures and evidence,
and every change through the same actions the pages use.

Everything is read through visible_to(): a problem outside the caller's scope is 404. Refusals
come from the actions: PermissionDenied → 403, ActionError → 422, StaleEdit → 409 (see api.py).
"""

import datetime as dt
from typing import Literal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tuijin.campaigns.queries import current_campaign
from tuijin.core import readcache
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError
from tuijin.core.files import multipart_body, uploaded
from tuijin.core.pagination import Pages
from tuijin.orgs.models import Org, Person

from . import actions, queries
from .models import Evidence, Problem, PublicItem, Rating, SelfCheck

router = Router(tags=["检视整改"])


class _WholeScope:
    """Stands in for a root org when no org filter is given: every path starts with ""."""

    path = ""


# ------------------------------------------------------------------ schemas


class MeasureIn(Schema):
    text: str
    owner: str = ""
    deadline: dt.date | None = None
    kind: Literal["立行立改", "建章立制"] = "立行立改"  # 当下改与长久立


class MeasureOut(Schema):
    id: int
    text: str
    kind: str
    org: str | None  # 联合会诊: the cooperating org's code; null for the lead org's own

    @staticmethod
    def resolve_org(obj):
        return obj.org.code if obj.org_id else None

    owner: str
    deadline: dt.date | None
    done: bool
    done_on: dt.date | None
    set_aside: bool
    set_aside_reason: str
    status: str
    is_specific: bool


class MeasureDoneIn(Schema):
    measure: int
    done: bool = True


class MeasureAsideIn(Schema):
    measure: int
    reason: str


class EvidenceOut(Schema):
    id: int
    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str | None

    @staticmethod
    def resolve_uploaded_by(obj):
        return obj.uploaded_by.username if obj.uploaded_by_id else None


class ProblemOut(Schema):
    id: int
    org_code: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    origin_org_code: str | None
    number: str
    category: str
    source: str
    description: str
    responsible: str
    owner_person: str | None  # 个人检视: the leading cadre's person number (人员编号), or null for the unit's
    owner_person_name: str | None
    deadline: dt.date | None
    is_special: bool
    state: str
    overdue: bool
    found_on: dt.date
    closed_on: dt.date | None
    change_note: str  # 工作中发生了什么变化 (written at closing)
    relapses: int
    withdrawn: bool
    withdraw_reason: str
    parent_id: int | None
    version: int

    @staticmethod
    def resolve_origin_org_code(obj):
        return obj.origin_org.code if obj.origin_org_id else None

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(today())

    @staticmethod
    def resolve_owner_person(obj):
        return obj.owner_person.number if obj.owner_person_id else None

    @staticmethod
    def resolve_owner_person_name(obj):
        return obj.owner_person.name if obj.owner_person_id else None


class ChildrenOut(Schema):
    total: int
    closed: int
    by_state: dict[str, int]
    share: float | None


class MilestoneIn(Schema):
    title: str
    due_on: dt.date
    owner: str


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    owner: str
    done: bool
    done_on: dt.date | None
    overdue: bool

    @staticmethod
    def resolve_overdue(obj):
        return obj.is_overdue(today())


class MilestoneDoneIn(Schema):
    milestone: int
    done: bool = True


class RecheckOut(Schema):
    """回头看 of a closed problem by the reviewing level."""

    scheduled_on: dt.date
    due_on: dt.date
    result: str
    done_on: dt.date | None
    note: str


class CooperationIn(Schema):
    orgs: list[str]  # codes of the cooperating orgs


class RecheckIn(Schema):
    confirm: bool  # true: 整改成果巩固；false: 问题反弹，重新打开 (note required)
    note: str = ""
    version: int | None = None


class ProblemDetailOut(ProblemOut):
    """Built by _detail(), which loads the measures, evidence and roll-up once."""

    measures: list[MeasureOut] = Field(alias="measures_list")
    evidence: list[EvidenceOut] = Field(alias="evidence_list")
    children: ChildrenOut | None = Field(alias="children_progress")
    rechecks: list[RecheckOut] = Field(alias="rechecks_list")
    # 联合会诊: codes of the orgs rectifying it with the lead org (org_code)
    cooperating_orgs: list[str] = Field(alias="cooperating_list")
    # 专项整治节点 (only a special rectification has them)
    milestones: list[MilestoneOut] = Field(alias="milestones_list")


class ProblemIn(Schema):
    org: str
    description: str
    source: str
    category: str = "其他"
    number: str = ""
    responsible: str = ""
    owner_person: str | None = None  # 个人检视: a leading cadre's 人员编号
    deadline: dt.date | None = None
    is_special: bool = False
    found_on: dt.date | None = None
    measures: list[MeasureIn] = []
    reason: str = ""


class ProblemPatch(Schema):
    version: int
    category: str | None = None
    source: str | None = None
    description: str | None = None
    responsible: str | None = None
    owner_person: str | None = None  # a leading cadre's 人员编号; null or "" makes it the unit's problem
    deadline: dt.date | None = None
    is_special: bool | None = None


class TransitionIn(Schema):
    action: Literal["start", "submit", "close", "send_back", "reopen", "withdraw"]
    reason: str = ""
    comment: str = ""
    change: str = ""  # close: 工作中发生了什么变化, one sentence (required to close)
    version: int | None = None


class CommentOut(Schema):
    choice: str
    comment: str
    created_at: dt.datetime


class RatingsOut(Schema):
    published: bool
    active: bool
    title: str
    votes: int
    satisfied: int
    satisfaction: float | None
    by_choice: dict[str, int]
    threshold: float
    min_votes: int
    in_satisfaction_list: bool
    comments: list[CommentOut]


# ------------------------------------------------------------------ reads


def _problem(request, pk) -> Problem:
    return get_object_or_404(
        Problem.objects.visible_to(request.user).select_related("org", "origin_org", "owner_person"), pk=pk
    )


def _person(request, number: str | None) -> Person | None:
    """个人检视: the cadre named by 人员编号, among the people the caller can see (the action checks the rest)."""
    number = (number or "").strip()
    if not number:
        return None
    person = Person.objects.visible_to(request.user).filter(number=number).select_related("org").first()
    if person is None:
        raise ActionError(f"人员编号“{number}”不存在或不在您的管理范围内", field="owner_person")
    return person


def _detail(problem: Problem, user=None) -> Problem:
    problem = Problem.objects.select_related("org", "origin_org", "owner_person").get(pk=problem.pk)
    problem.measures_list = list(problem.measures.select_related("org"))
    problem.evidence_list = (
        list(problem.evidence.visible_to(user).select_related("uploaded_by"))
        if user
        else list(problem.evidence.select_related("uploaded_by"))
    )
    extra = {
        "cooperating_list": list(problem.cooperations.order_by("org__path").values_list("org__code", flat=True)),
        "rechecks_list": list(problem.rechecks.all()),
        "milestones_list": list(problem.milestones.all()),
    }
    for name, value in extra.items():  # read by the schema's resolvers
        setattr(problem, name, value)
    problem.children_progress = queries.children_progress(problem) if problem.children.exists() else None
    return problem


@router.get(
    "/problems", response=list[ProblemOut], summary="问题清单（可按组织及下级、状态、来源、类别、逾期、关键词筛选）"
)
@readcache.api_list("problems")  # kept until the next recorded change
@paginate(Pages, page_size=50)
def list_problems(
    request,
    org: str = "",
    state: str = "",
    source: str = "",
    category: str = "",
    overdue: bool = False,
    q: str = "",
    include_withdrawn: bool = False,
):
    root = get_object_or_404(Org.objects.visible_to(request.user), code=org) if org else _WholeScope()
    return queries.problem_list(
        request.user,
        root,
        as_of=today(),
        state=state,
        source=source,
        category=category,
        overdue=overdue,
        q=q.strip(),
        include_withdrawn=include_withdrawn,
    )


@router.get("/problems/{int:pk}", response=ProblemDetailOut, summary="问题详情（含整改措施、支撑材料信息、交办汇总）")
def get_problem(request, pk: int):
    return _detail(_problem(request, pk), request.user)


@router.get("/problems/{int:pk}/ratings", response=RatingsOut, summary="群众评价：汇总和留言（不含设备、地址信息）")
def get_ratings(request, pk: int):
    problem = _problem(request, pk)
    item = PublicItem.objects.filter(problem=problem).first()
    campaign = current_campaign(problem.org, today())
    threshold = campaign.satisfaction_threshold if campaign else 0.9
    min_votes = campaign.satisfaction_min_votes if campaign else 10
    if item is None:
        return RatingsOut(
            published=False,
            active=False,
            title="",
            votes=0,
            satisfied=0,
            satisfaction=None,
            by_choice=dict.fromkeys(Rating.Choice.values, 0),
            threshold=threshold,
            min_votes=min_votes,
            in_satisfaction_list=False,
            comments=[],
        )
    counts = dict.fromkeys(Rating.Choice.values, 0)
    counts.update(dict(item.ratings.order_by().values_list("choice").annotate(n=Count("pk"))))
    comments = item.ratings.exclude(comment="").order_by("-created_at").values("choice", "comment", "created_at")
    return RatingsOut(
        published=True,
        active=item.active,
        title=item.title,
        votes=item.votes,
        satisfied=item.satisfied,
        satisfaction=item.satisfaction,
        by_choice=counts,
        threshold=threshold,
        min_votes=min_votes,
        in_satisfaction_list=queries.in_satisfaction_list(item, campaign),
        comments=[CommentOut(**c) for c in comments[:200]],
    )


# ------------------------------------------------------------------ changes


@router.post("/problems", response={201: ProblemDetailOut}, summary="新增问题")
def create_problem(request, payload: ProblemIn):
    org = get_object_or_404(Org.objects.visible_to(request.user), code=payload.org)
    problem = actions.create_problem(
        actor=request.user,
        org=org,
        description=payload.description,
        source=payload.source,
        found_on=payload.found_on or today(),
        number=payload.number,
        category=payload.category,
        responsible=payload.responsible.strip(),
        deadline=payload.deadline,
        is_special=payload.is_special,
        owner_person=_person(request, payload.owner_person),
        measures=[
            {"text": m.text.strip(), "owner": m.owner.strip(), "deadline": m.deadline, "kind": m.kind}
            for m in payload.measures
            if m.text.strip()
        ],
        reason=payload.reason.strip(),
    )
    return Status(201, _detail(problem, request.user))


@router.patch("/problems/{int:pk}", response=ProblemDetailOut, summary="修改问题（需带 version，防止覆盖他人修改）")
def patch_problem(request, pk: int, payload: ProblemPatch):
    problem = _problem(request, pk)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    for key in ("category", "source", "description", "is_special"):
        if key in changes and changes[key] is None:
            raise ActionError("不能为空", field=key)
    if changes.get("responsible") is None and "responsible" in changes:
        changes["responsible"] = ""
    if "owner_person" in changes:
        changes["owner_person"] = _person(request, changes["owner_person"])
    problem = actions.update_problem(problem, actor=request.user, version=payload.version, **changes)
    return _detail(problem, request.user)


@router.post(
    "/problems/{int:pk}/transitions",
    response=ProblemDetailOut,
    summary="办理：start 开始整改、submit 提交验收、close 销号、send_back 退回、reopen 反弹重开、withdraw 撤回",
)
def transition(request, pk: int, payload: TransitionIn):
    problem, actor, version = _problem(request, pk), request.user, payload.version
    if payload.action == "start":
        problem = actions.start_rectification(problem, actor=actor, version=version)
    elif payload.action == "submit":
        problem = actions.submit_for_acceptance(problem, actor=actor, version=version)
    elif payload.action == "close":
        problem = actions.close_problem(
            problem, actor=actor, as_of=today(), comment=payload.comment.strip(), change=payload.change, version=version
        )
    elif payload.action == "send_back":
        problem = actions.send_back(problem, actor=actor, reason=payload.reason, version=version)
    elif payload.action == "reopen":
        problem = actions.reopen_problem(problem, actor=actor, reason=payload.reason, version=version)
    else:
        problem = actions.withdraw_problem(problem, actor=actor, reason=payload.reason, version=version)
    return _detail(problem, request.user)


@router.post(
    "/problems/{int:pk}/cooperation",
    response=ProblemDetailOut,
    summary="联合会诊、同题共答：增加配合单位（须同时管理牵头单位和配合单位）",
)
def cooperate(request, pk: int, payload: CooperationIn):
    problem = _problem(request, pk)
    orgs = list(Org.objects.visible_to(request.user).filter(code__in=payload.orgs))
    missing = sorted(set(payload.orgs) - {o.code for o in orgs})
    if missing:
        raise PermissionDenied(f"组织编码“{'、'.join(missing)}”不存在或不在您的管理范围内")
    actions.add_cooperation(problem, actor=request.user, orgs=orgs, as_of=today())
    return _detail(problem, request.user)


@router.post(
    "/problems/{int:pk}/recheck",
    response=ProblemDetailOut,
    summary="回头看（上级）：confirm=true 整改成果巩固；confirm=false 问题反弹、重新打开（须写 note）",
)
def recheck(request, pk: int, payload: RecheckIn):
    problem = _problem(request, pk)
    actions.recheck_problem(
        problem, actor=request.user, as_of=today(), confirm=payload.confirm, note=payload.note, version=payload.version
    )
    return _detail(problem, request.user)


@router.post("/problems/{int:pk}/milestones", response={201: MilestoneOut}, summary="增加专项整治节点（日期、责任人）")
def add_milestone(request, pk: int, payload: MilestoneIn):
    milestone = actions.add_milestone(
        _problem(request, pk), actor=request.user, title=payload.title, due_on=payload.due_on, owner=payload.owner
    )
    return Status(201, milestone)


@router.post("/problems/{int:pk}/milestones/done", response=MilestoneOut, summary="专项整治节点标记完成或改为未完成")
def milestone_done(request, pk: int, payload: MilestoneDoneIn):
    problem = _problem(request, pk)
    milestone = get_object_or_404(problem.milestones.all(), pk=payload.milestone)
    return actions.set_milestone_done(milestone, actor=request.user, done=payload.done, as_of=today())


@router.post("/problems/{int:pk}/measures", response={201: MeasureOut}, summary="增加整改措施")
def add_measure(request, pk: int, payload: MeasureIn):
    measure = actions.add_measure(
        _problem(request, pk),
        actor=request.user,
        text=payload.text,
        owner=payload.owner,
        deadline=payload.deadline,
        kind=payload.kind,
    )
    return Status(201, measure)


def _measure(problem: Problem, pk: int):
    return get_object_or_404(problem.measures.all(), pk=pk)


@router.post(
    "/problems/{int:pk}/measures/done",
    response=MeasureOut,
    summary="标记整改措施完成（done=false 改为未完成；待验收、已销号的问题不能改）",
)
def measure_done(request, pk: int, payload: MeasureDoneIn):
    problem = _problem(request, pk)
    return actions.set_measure_done(
        _measure(problem, payload.measure), actor=request.user, done=payload.done, as_of=today()
    )


@router.post(
    "/problems/{int:pk}/measures/set-aside",
    response=MeasureOut,
    summary="上级办公室或指导组把整改措施标记为不再需要（须写明原因，保留在历史记录中）",
)
def measure_set_aside(request, pk: int, payload: MeasureAsideIn):
    problem = _problem(request, pk)
    return actions.set_measure_aside(
        _measure(problem, payload.measure), actor=request.user, reason=payload.reason, as_of=today()
    )


@router.post(
    "/problems/{int:pk}/evidence",
    response={201: EvidenceOut},
    summary="上传支撑材料或整改方案（multipart：file，kind=支撑材料|整改方案）",
    openapi_extra=multipart_body(
        kind={"type": "string", "enum": list(Evidence.Kind.values), "default": Evidence.Kind.SUPPORT}
    ),
)
def upload_evidence(request, pk: int):
    problem = _problem(request, pk)  # scope first: an outsider gets 404 whatever the body holds
    file = uploaded(request)
    if file is None:
        raise ActionError("请选择要上传的文件", field="file")
    kind = request.POST.get("kind", Evidence.Kind.SUPPORT)
    if kind not in Evidence.Kind.values:
        raise ActionError(f"材料类型应为：{'、'.join(Evidence.Kind.values)}", field="kind")
    limit = settings.TUIJIN_UPLOAD_MAX_BYTES
    if file.size > limit:  # refuse before reading it into memory
        raise ActionError(
            f"文件“{file.name}”太大（{file.size / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB", field="file"
        )
    evidence = actions.attach_evidence(
        problem, actor=request.user, name=file.name or "未命名", data=file.read(), kind=kind
    )
    return Status(201, Evidence.objects.select_related("uploaded_by").get(pk=evidence.pk))


# ------------------------------------------------------------------ 举一反三 (对照检视)


class SelfCheckOut(Schema):
    """A suggestion to one unit; it carries the original problem's number, unit and text (what the unit
    compares itself with), even where that problem lies outside the unit's own scope."""

    id: int
    org: str = Field(alias="org.code")  # the suggested unit's code
    org_name: str = Field(alias="org.name")
    source_id: int
    source_number: str = Field(alias="source.number")
    source_org_name: str = Field(alias="source.org.name")
    source_description: str = Field(alias="source.description")
    trigger: str  # 上级查 or 已销号
    suggested_on: dt.date
    answer: str  # 待对照, 存在, 不存在
    answered_on: dt.date | None
    note: str
    found_problem_id: int | None


class SelfCheckAnswerIn(Schema):
    exists: bool  # true: 已对照，存在 (a problem is added to the unit's list); false: 已对照，不存在
    note: str = ""  # required when exists is false: what was compared
    description: str = ""  # the unit's own problem (exists only); the original's text when empty
    deadline: dt.date | None = None


@router.get(
    "/self-checks",
    response=list[SelfCheckOut],
    summary="举一反三：对照检视提示（可按组织及下级、答复情况筛选；answer=待对照 只看未答复的）",
)
@paginate(Pages, page_size=50)
def list_self_checks(request, org: str = "", answer: Literal["", "待对照", "存在", "不存在"] = ""):
    from tuijin.core.scope import subtree_q

    qs = (
        SelfCheck.objects.visible_to(request.user).select_related("org", "source__org").order_by("-suggested_on", "-pk")
    )
    if org:
        root = get_object_or_404(Org.objects.visible_to(request.user), code=org)
        qs = qs.filter(subtree_q("org__path", root.path))
    return qs.filter(answer=answer) if answer else qs


@router.post(
    "/self-checks/{int:pk}/answer",
    response=SelfCheckOut,
    summary="举一反三：答复对照检视（exists=true 已对照，存在，并列入本单位问题清单；false 已对照，不存在，须写 note）",
)
def answer_self_check(request, pk: int, payload: SelfCheckAnswerIn):
    check = get_object_or_404(SelfCheck.objects.visible_to(request.user), pk=pk)
    check = actions.answer_self_check(
        check,
        actor=request.user,
        exists=payload.exists,
        note=payload.note,
        as_of=today(),
        description=payload.description,
        deadline=payload.deadline,
    )
    return SelfCheck.objects.select_related("org", "source__org").get(pk=check.pk)

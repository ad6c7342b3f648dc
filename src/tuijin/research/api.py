"""Research visits, findings and practical projects over the API (SPEC §2.4, §4.4), mounted at /api/v1/research.

Everything is read through visible_to(): a record outside the caller's scope is 404, as on the pages.
Changes go through the same actions the pages use: PermissionDenied → 403, ActionError → 422,
StaleEdit → 409 (see tuijin.api.api).
"""

import datetime as dt

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from tuijin.campaigns.queries import current_campaign
from tuijin.core import indicators as registry
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError
from tuijin.core.files import multipart_body, open_stored, uploaded
from tuijin.core.pagination import Pages
from tuijin.orgs.models import Org, Person
from tuijin.rectification.models import Problem

from . import actions, genericness, queries
from .models import Finding, Project, ProjectEvidence, ResearchVisit

router = Router(tags=["调查研究与办实事"])
INDICATORS = (
    "research.visits_per_cadre",
    "research.findings_converted",
    "projects.per_org",
    "projects.flagged_share",
    "projects.completed_share",
)


class _WholeScope:
    """Stands in for a root org when no org filter is given: every path starts with ""."""

    path = ""


# ------------------------------------------------------------------ schemas


class FindingOut(Schema):
    id: int
    text: str
    converted: bool
    conversion: str = Field(alias="conversion_label")
    converted_problem_id: int | None
    converted_measure_id: int | None
    converted_on: dt.date | None


class VisitOut(Schema):
    id: int
    person_number: str = Field(alias="person.number")
    person_name: str = Field(alias="person.name")
    leading_cadre: bool = Field(alias="person.is_leading_cadre")
    org_code: str = Field(alias="org.code")
    date: dt.date
    place: str
    visited_org_code: str | None
    topic: str
    outcome: str
    findings_total: int
    findings_converted: int
    version: int

    @staticmethod
    def resolve_visited_org_code(obj):
        return obj.visited_org.code if obj.visited_org_id else None


class VisitDetailOut(VisitOut):
    findings: list[FindingOut] = Field(alias="findings_list")


class VisitIn(Schema):
    person: str  # 人员编号
    date: dt.date
    topic: str
    place: str = ""
    visited_org: str = ""  # 组织编码
    findings: list[str] = []
    outcome: str = ""


class FindingIn(Schema):
    text: str


class ToProblemIn(Schema):
    org: str = ""  # default: the visit's org
    description: str = ""
    category: str = "其他"
    responsible: str = ""
    deadline: dt.date | None = None


class ToMeasureIn(Schema):
    problem_id: int
    text: str = ""
    owner: str = ""
    deadline: dt.date | None = None


class ProjectOut(Schema):
    id: int
    org_code: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    name: str
    need: str
    need_category: str
    beneficiaries: int | None
    deadline: dt.date | None
    status: str
    listed_on: dt.date
    completed_on: dt.date | None
    flagged: bool
    flag_reasons: list[str]
    evidence_count: int
    version: int

    @staticmethod
    def resolve_evidence_count(obj):
        count = getattr(obj, "evidence_count", None)
        return count if count is not None else obj.evidence.count()


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class ProjectDetailOut(ProjectOut):
    evidence: list[EvidenceOut]


class ProjectIn(Schema):
    org: str
    name: str
    need: str = ""
    need_category: str = ""
    beneficiaries: int | None = None
    deadline: dt.date | None = None


class ProjectPatch(Schema):
    version: int
    name: str | None = None
    need: str | None = None
    need_category: str | None = None
    beneficiaries: int | None = None
    deadline: dt.date | None = None


class StatusIn(Schema):
    status: str
    version: int | None = None


class CheckIn(Schema):
    name: str
    need: str = ""
    need_category: str = ""
    beneficiaries: int | None = None


class CheckOut(Schema):
    flagged: bool
    reasons: list[str]


class ReadingOut(Schema):
    code: str
    name: str
    dimension: str
    unit: str
    value: float | None
    expected: float | None
    status: str
    numerator: float
    denominator: float | None


# ------------------------------------------------------------------ reads


def _root(request, org: str):
    return get_object_or_404(Org.objects.visible_to(request.user), code=org) if org else _WholeScope()


def _visit(request, pk) -> ResearchVisit:
    return get_object_or_404(queries.visit_list(request.user, _WholeScope()), pk=pk)


def _visit_detail(visit: ResearchVisit) -> ResearchVisit:
    visit = queries.with_finding_counts(ResearchVisit.objects.select_related("person", "org", "visited_org")).get(
        pk=visit.pk
    )
    visit.findings_list = list(visit.findings.all())
    return visit


def _project(request, pk) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user).select_related("org"), pk=pk)


def _finding(request, pk) -> Finding:
    return get_object_or_404(Finding.objects.visible_to(request.user).select_related("visit"), pk=pk)


@router.get("/visits", response=list[VisitOut], summary="调研记录（可按组织及下级、成果转化、调研人、关键词筛选）")
@paginate(Pages, page_size=50)
def list_visits(request, org: str = "", converted: str = "", person: str = "", q: str = ""):
    if converted not in ("", "0", "1"):
        raise ActionError("converted 只能是 1（有已转化的发现）或 0（有未转化的发现）", field="converted")
    who = get_object_or_404(Person.objects.visible_to(request.user), number=person) if person else None
    return queries.visit_list(request.user, _root(request, org), converted=converted, person=who, q=q.strip())


@router.get("/visits/{int:pk}", response=VisitDetailOut, summary="调研详情（含发现问题及其转化情况）")
def get_visit(request, pk: int):
    return _visit_detail(_visit(request, pk))


@router.get(
    "/projects",
    response=list[ProjectOut],
    summary="办实事项目清单（可按组织及下级、疑似泛化 flagged=1、状态、领域、关键词筛选）",
)
@paginate(Pages, page_size=50)
def list_projects(request, org: str = "", flagged: str = "", status: str = "", category: str = "", q: str = ""):
    if flagged not in ("", "0", "1"):
        raise ActionError("flagged 只能是 1 或 0", field="flagged")
    return queries.project_list(
        request.user, _root(request, org), flagged=flagged, status=status, category=category, q=q.strip()
    )


@router.get("/projects/{int:pk}", response=ProjectDetailOut, summary="办实事项目详情（含佐证材料信息）")
def get_project(request, pk: int):
    return _project(request, pk)


@router.get("/evidence/{int:pk}", summary="下载佐证材料", response={200: None})
def download_evidence(request, pk: int):
    evidence = get_object_or_404(ProjectEvidence.objects.visible_to(request.user), pk=pk)
    try:
        data = open_stored(evidence.storage_name)
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = HttpResponse(data, content_type=evidence.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get(
    "/indicators", response=list[ReadingOut], summary="调查研究、办实事指标（组织及全部下级汇总，与时间进度比较）"
)
def get_indicators(request, org: str, as_of: dt.date | None = None):
    root = get_object_or_404(Org.objects.visible_to(request.user), code=org)
    as_of = as_of or today()
    campaign = current_campaign(root, as_of)
    out = []
    for code in INDICATORS:
        reading = registry.read(registry.get(code), root, as_of, campaign)
        ind = reading.indicator
        out.append(
            ReadingOut(
                code=ind.code,
                name=ind.name,
                dimension=ind.dimension,
                unit=ind.unit,
                value=reading.value,
                expected=reading.expected,
                status=reading.status,
                numerator=reading.pair.num,
                denominator=reading.pair.den,
            )
        )
    return out


@router.post("/projects/check", response=CheckOut, summary="疑似泛化检查（不保存），供填报时提示")
def check_project(request, payload: CheckIn):
    reasons = genericness.check(payload.name, payload.need, payload.need_category, payload.beneficiaries)
    return CheckOut(flagged=bool(reasons), reasons=reasons)


# ------------------------------------------------------------------ changes


@router.post("/visits", response={201: VisitDetailOut}, summary="登记调研（发现问题为列表，每项一条）")
def create_visit(request, payload: VisitIn):
    person = get_object_or_404(Person.objects.visible_to(request.user).select_related("org"), number=payload.person)
    visited = None
    if payload.visited_org:
        visited = Org.objects.visible_to(request.user).filter(code=payload.visited_org).first()
        if visited is None:
            raise ActionError(f"组织“{payload.visited_org}”不存在，或不在您的查看范围内", field="visited_org")
    visit = actions.record_visit(
        actor=request.user,
        person=person,
        date=payload.date,
        topic=payload.topic,
        place=payload.place,
        visited_org=visited,
        findings=payload.findings,
        outcome=payload.outcome,
        today=today(),
    )
    return Status(201, _visit_detail(visit))


@router.post("/visits/{int:pk}/findings", response={201: FindingOut}, summary="补充一条发现问题")
def add_finding(request, pk: int, payload: FindingIn):
    return Status(201, actions.add_finding(_visit(request, pk), actor=request.user, text=payload.text))


@router.post(
    "/findings/{int:pk}/to-problem",
    response={201: FindingOut},
    summary="成果转化：发现问题转为问题清单中的问题（来源“调研发现”）",
)
def to_problem(request, pk: int, payload: ToProblemIn):
    finding = _finding(request, pk)
    org = get_object_or_404(Org.objects.visible_to(request.user), code=payload.org) if payload.org else None
    actions.convert_to_problem(
        finding,
        actor=request.user,
        found_on=today(),
        org=org,
        description=payload.description,
        category=payload.category,
        responsible=payload.responsible.strip(),
        deadline=payload.deadline,
    )
    return Status(201, Finding.objects.get(pk=finding.pk))


@router.post(
    "/findings/{int:pk}/to-measure", response={201: FindingOut}, summary="成果转化：发现问题转为已有问题的整改措施"
)
def to_measure(request, pk: int, payload: ToMeasureIn):
    finding = _finding(request, pk)
    problem = Problem.objects.visible_to(request.user).filter(pk=payload.problem_id).first()
    if problem is None:
        raise ActionError("问题不存在，或不在您的查看范围内", field="problem_id")
    actions.convert_to_measure(
        finding,
        actor=request.user,
        problem=problem,
        as_of=today(),
        text=payload.text,
        owner=payload.owner.strip(),
        deadline=payload.deadline,
    )
    return Status(201, Finding.objects.get(pk=finding.pk))


@router.post("/projects", response={201: ProjectDetailOut}, summary="新增办实事项目（疑似泛化也会保存，并返回原因）")
def create_project(request, payload: ProjectIn):
    org = get_object_or_404(Org.objects.visible_to(request.user), code=payload.org)
    project = actions.create_project(
        actor=request.user,
        org=org,
        listed_on=today(),
        name=payload.name,
        need=payload.need,
        need_category=payload.need_category,
        beneficiaries=payload.beneficiaries,
        deadline=payload.deadline,
    )
    return Status(201, project)


@router.patch("/projects/{int:pk}", response=ProjectDetailOut, summary="修改办实事项目（需带 version）")
def patch_project(request, pk: int, payload: ProjectPatch):
    project = _project(request, pk)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    for key in ("name", "need", "need_category"):
        if key in changes and changes[key] is None:
            changes[key] = ""
    return actions.update_project(project, actor=request.user, version=payload.version, **changes)


@router.post(
    "/projects/{int:pk}/status",
    response=ProjectDetailOut,
    summary="更新项目状态：未开始 / 推进中 / 已完成（已完成须先上传佐证材料）",
)
def set_status(request, pk: int, payload: StatusIn):
    return actions.set_project_status(
        _project(request, pk), actor=request.user, status=payload.status, as_of=today(), version=payload.version
    )


@router.post(
    "/projects/{int:pk}/evidence",
    response={201: EvidenceOut},
    summary="上传佐证材料（multipart：file）",
    openapi_extra=multipart_body(),
)
def upload_evidence(request, pk: int):
    project = _project(request, pk)  # scope first: an outsider gets 404 whatever the body holds
    file = uploaded(request)
    if file is None:
        raise ActionError("请选择要上传的文件", field="file")
    limit = settings.TUIJIN_UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ActionError(
            f"文件“{file.name}”太大（{file.size / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB", field="file"
        )
    return Status(
        201, actions.attach_project_evidence(project, actor=request.user, name=file.name or "未命名", data=file.read())
    )

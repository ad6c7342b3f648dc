"""Publicity over the API (SPEC §2.6, §2.9, §4.4), mounted at /api/v1/publicity.

Everything is read through visible_to(): a record outside the caller's scope is 404, as on the pages.
Changes go through the same actions the pages use: PermissionDenied → 403, ActionError → 422,
StaleEdit → 409 (see tuijin.api.api).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from tuijin.core.pagination import Pages

from tuijin.campaigns.queries import current_campaign
from tuijin.core import indicators as registry
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError
from tuijin.core.files import open_stored
from tuijin.core.permissions import can
from tuijin.orgs.models import Org

from . import actions, queries, relevance
from .indicators import MEANING
from .models import (
    CHANNELS,
    LEVELS,
    LIBRARY_TYPES,
    TYPES,
    Attachment,
    CopyPair,
    PublicityItem,
    Solicitation,
    Submission,
)
from .models import Status as PieceStatus

router = Router(tags=["宣传与信息报送"])


class _WholeScope:
    path = ""


# ------------------------------------------------------------------ schemas


class ReviewOut(Schema):
    org_code: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    decision: str
    level: str
    quality: int | None
    reason: str
    to_org_code: str | None
    at: dt.datetime

    @staticmethod
    def resolve_to_org_code(obj):
        return obj.to_org.code if obj.to_org_id else None


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime


class SubmissionOut(Schema):
    id: int
    org_code: str = Field(alias="org.code")
    org_name: str = Field(alias="org.name")
    title: str
    type: str
    date: dt.date
    submitted_at: dt.datetime | None
    solicitation: str | None
    status: str
    review_org_code: str | None
    adopted: bool
    adopted_level: str
    quality: int | None
    return_reason: str
    relevance_flagged: bool
    relevance_reasons: list[str]
    version: int

    @staticmethod
    def resolve_solicitation(obj):
        return obj.solicitation.number if obj.solicitation_id else None

    @staticmethod
    def resolve_review_org_code(obj):
        return obj.review_org.code if obj.review_org_id else None


class SubmissionDetailOut(SubmissionOut):
    body: str
    reviews: list[ReviewOut]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_reviews(obj):
        return list(obj.reviews.select_related("org", "to_org"))


class SubmissionIn(Schema):
    org: str
    title: str
    date: dt.date
    body: str = ""
    type: str = "工作动态"
    solicitation: str = ""  # 约稿编号


class AdoptIn(Schema):
    level: str
    quality: int | None = None
    note: str = ""
    version: int | None = None


class ReturnIn(Schema):
    reason: str
    quality: int | None = None
    version: int | None = None


class ForwardIn(Schema):
    note: str = ""
    version: int | None = None


class TargetOut(Schema):
    org_code: str
    org_name: str
    status: str
    answered_at: dt.datetime | None
    hours: float | None
    submission_id: int | None


class SolicitationOut(Schema):
    id: int
    number: str
    org_code: str = Field(alias="org.code")
    topic: str
    note: str
    issued_at: dt.datetime
    deadline: dt.date


class SolicitationDetailOut(SolicitationOut):
    standing: list[TargetOut]  # each target org: 按时 / 逾期 / 未报送 / 未到期
    median_hours: float | None


class SolicitationIn(Schema):
    org: str
    topic: str
    deadline: dt.date
    note: str = ""
    targets: list[str] = []  # 组织编码
    kinds: list[str] = []
    sectors: list[str] = []
    depths: list[int] = []


class ItemOut(Schema):
    id: int
    org_code: str = Field(alias="org.code")
    channel: str
    outlet: str
    title: str
    date: dt.date
    link: str
    photos: int

    @staticmethod
    def resolve_photos(obj):
        return obj.attachments.count()


class ItemIn(Schema):
    org: str
    channel: str
    title: str
    date: dt.date
    outlet: str = ""
    link: str = ""


class Run(Schema):
    text: str
    matched: bool


class SideOut(Schema):
    source: str
    label: str
    org_code: str
    date: dt.date | None
    runs: list[Run]


class PairOut(Schema):
    id: int
    source_a: str
    org_a_code: str = Field(alias="org_a.code")
    source_b: str
    org_b_code: str = Field(alias="org_b.code")
    similarity: float
    found_on: dt.date
    status: str
    note: str


class PairDetailOut(PairOut):
    a: SideOut | None
    b: SideOut | None
    matched_chars: int


@dataclass
class PairDetail:
    """What get_copy returns for PairDetailOut: the pair (its fields are read through) and both sides."""

    pair: CopyPair
    a: SideOut | None
    b: SideOut | None
    matched_chars: int

    def __getattr__(self, name: str):  # only for names that are not the four fields above
        if name == "pair":  # not set yet (copy, pickle): no recursion
            raise AttributeError(name)
        return getattr(self.pair, name)


class DecideIn(Schema):
    note: str = ""


class CheckIn(Schema):
    org: str


class CheckOut(Schema):
    found: int
    new: int


class RelevanceIn(Schema):
    title: str
    body: str = ""


class RelevanceOut(Schema):
    flagged: bool
    reasons: list[str]


class SummaryOut(Schema):
    submissions: int
    adopted: int
    adoption_rate: float | None
    by_level: dict[str, int]
    average_quality: float | None
    library: int
    relevance_flagged: int
    solicitations_due: int
    answered: int
    on_time: int
    missing: int
    response_rate: float | None
    on_time_rate: float | None
    median_response_hours: float | None
    by_channel: dict[str, int]
    copies_confirmed: int
    copies_open: int


class ReadingOut(Schema):
    code: str
    name: str
    unit: str
    meaning: str
    value: float | None
    expected: float | None
    status: str
    numerator: float
    denominator: float | None


# ------------------------------------------------------------------ helpers


def _root(request, org: str):
    return get_object_or_404(Org.objects.visible_to(request.user), code=org) if org else _WholeScope()


def _org(request, code: str, field="org") -> Org:
    org = Org.objects.visible_to(request.user).filter(code=code).first()
    if org is None:
        raise Http404(f"组织“{code}”不存在")
    return org


def _submission(request, pk) -> Submission:
    return get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("org", "solicitation", "review_org"), pk=pk
    )


def _solicitation(request, pk) -> Solicitation:
    visible = Solicitation.objects.visible_to(request.user).values("pk")
    return get_object_or_404(Solicitation.objects.filter(pk__in=visible).select_related("org"), pk=pk)


def _pair(request, pk) -> CopyPair:
    visible_orgs = Org.objects.visible_to(request.user).values("pk")
    return get_object_or_404(
        CopyPair.objects.visible_to(request.user).filter(org_a__in=visible_orgs).select_related("org_a", "org_b"), pk=pk
    )


def _check_upload(file):
    limit = settings.TUIJIN_UPLOAD_MAX_BYTES
    if file.size > limit:
        raise ActionError(
            f"文件“{file.name}”太大（{file.size / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB", field="file"
        )


def _solicitation_detail(request, s):
    targets = list(Org.objects.visible_to(request.user).filter(solicitation_targets__solicitation=s).order_by("path"))
    rows = queries.answers(s, today(), targets)
    s.median_hours = queries.timeliness.median_hours([r.answer for r in rows])
    s.standing = [
        TargetOut(
            org_code=r.org.code,
            org_name=r.org.name,
            status=r.answer.status,
            answered_at=r.answer.answered_at,
            hours=r.answer.hours,
            submission_id=r.answer.submission_id,
        )
        for r in rows
    ]
    return s


# ------------------------------------------------------------------ submissions


@router.get(
    "/submissions",
    response=list[SubmissionOut],
    summary="信息报送（可按组织及下级、信息类型、审核状态、是否采用、关联不紧密 flagged=1、关键词筛选）",
)
@paginate(Pages, page_size=50)
def list_submissions(request, org: str = "", type: str = "", status: str = "", flagged: str = "", q: str = ""):
    if type and type not in TYPES:
        raise ActionError(f"type 应为以下之一：{'、'.join(TYPES)}", field="type")
    if status and status not in PieceStatus.values:
        raise ActionError(f"status 应为以下之一：{'、'.join(PieceStatus.values)}", field="status")
    return queries.submission_list(
        request.user,
        _root(request, org),
        type=type,
        status=status,
        flagged="1" if flagged == "1" else "",
        q=q.strip()[:100],
    )


@router.get("/submissions/{int:pk}", response=SubmissionDetailOut, summary="信息详情（含审核、转报记录和附件）")
def get_submission(request, pk: int):
    return _submission(request, pk)


@router.post("/submissions", response={201: SubmissionDetailOut}, summary="报送信息（可答复约稿：填约稿编号）")
def create_submission(request, payload: SubmissionIn):
    org = _org(request, payload.org)
    sol = None
    if payload.solicitation:
        sol = Solicitation.objects.filter(number=payload.solicitation).first()
        if sol is None:
            raise ActionError(f"约稿“{payload.solicitation}”不存在", field="solicitation")
    piece = actions.create_submission(
        actor=request.user,
        org=org,
        title=payload.title,
        body=payload.body,
        type=payload.type,
        date=payload.date,
        solicitation=sol,
        submitted_at=queries.timeliness.now_on(today()),
        today=today(),
    )
    return Status(201, piece)


@router.post(
    "/submissions/{int:pk}/adopt", response=SubmissionDetailOut, summary="采用（层级：县/市/省/中央，质量评分 1–5）"
)
def adopt(request, pk: int, payload: AdoptIn):
    return actions.adopt(
        _submission(request, pk),
        actor=request.user,
        level=payload.level,
        quality=payload.quality,
        note=payload.note,
        as_of=today(),
        version=payload.version,
    )


@router.post("/submissions/{int:pk}/return", response=SubmissionDetailOut, summary="退回（须写明原因）")
def return_submission(request, pk: int, payload: ReturnIn):
    return actions.return_submission(
        _submission(request, pk),
        actor=request.user,
        reason=payload.reason,
        quality=payload.quality,
        version=payload.version,
    )


@router.post("/submissions/{int:pk}/forward", response=SubmissionDetailOut, summary="转报上级（须已采用）")
def forward(request, pk: int, payload: ForwardIn):
    return actions.forward(_submission(request, pk), actor=request.user, note=payload.note, version=payload.version)


@router.post("/submissions/{int:pk}/attachments", response={201: AttachmentOut}, summary="上传附件（multipart：file）")
def upload_attachment(request, pk: int, file: UploadedFile = File(...)):
    piece = _submission(request, pk)
    _check_upload(file)
    return Status(
        201, actions.attach_to_submission(piece, actor=request.user, name=file.name or "未命名", data=file.read())
    )


@router.get("/attachments/{int:pk}", summary="下载附件或照片", response={200: None})
def download_attachment(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    try:
        data = open_stored(attachment.storage_name)
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = HttpResponse(data, content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.get("/review-queue", response=list[SubmissionOut], summary="本级待审核的信息（办公室）")
@paginate(Pages, page_size=50)
def review_queue(request, org: str):
    root = _org(request, org)
    if not can(request.user, "campaign.manage", root):
        raise PermissionDenied
    return queries.review_queue(request.user, root)


@router.get(
    "/library",
    response=list[SubmissionOut],
    summary="典型案例库：已采用的典型案例和经验做法（按关键词、类型、领域、层级）",
)
@paginate(Pages, page_size=50)
def library(request, q: str = "", type: str = "", sector: str = "", level: str = "", org: str = ""):
    if type and type not in LIBRARY_TYPES:
        raise ActionError(f"type 应为以下之一：{'、'.join(LIBRARY_TYPES)}", field="type")
    if level and level not in LEVELS:
        raise ActionError(f"level 应为以下之一：{'、'.join(LEVELS)}", field="level")
    root = _org(request, org) if org else None
    return queries.library(request.user, q=q.strip()[:100], type=type, sector=sector, level=level, org=root)


@router.post("/relevance/check", response=RelevanceOut, summary="关联度检查（不保存）：与学习教育关联不紧密的原因")
def check_relevance(request, payload: RelevanceIn):
    reasons = relevance.check(payload.title, payload.body)
    return RelevanceOut(flagged=bool(reasons), reasons=reasons)


# ------------------------------------------------------------------ solicitations


@router.get("/solicitations", response=list[SolicitationOut], summary="约稿（本级发出的，以及向本级约稿的）")
@paginate(Pages, page_size=50)
def list_solicitations(request, org: str = ""):
    return queries.solicitations(request.user, _org(request, org) if org else None)


@router.get(
    "/solicitations/{int:pk}",
    response=SolicitationDetailOut,
    summary="约稿详情：每个对象按时 / 逾期 / 未报送 / 未到期及用时（截止日当天 24 时，北京时间）",
)
def get_solicitation(request, pk: int):
    return _solicitation_detail(request, _solicitation(request, pk))


@router.post(
    "/solicitations",
    response={201: SolicitationDetailOut},
    summary="发出约稿：对象可点名（组织编码），或按组织类别、领域、层级（树深度）选择",
)
def create_solicitation(request, payload: SolicitationIn):
    org = _org(request, payload.org)
    codes = set(payload.targets)
    targets = actions.targets_by(org, codes=codes, kinds=payload.kinds, sectors=payload.sectors, depths=payload.depths)
    unknown = codes - {o.code for o in targets}
    if unknown:
        raise ActionError(f"约稿对象“{'、'.join(sorted(unknown)[:5])}”不是{org.name}的下级组织", field="targets")
    s = actions.issue_solicitation(
        actor=request.user,
        org=org,
        topic=payload.topic,
        deadline=payload.deadline,
        note=payload.note,
        targets=targets,
        today=today(),
        issued_at=queries.timeliness.now_on(today()),
    )
    return Status(201, _solicitation_detail(request, s))


# ------------------------------------------------------------------ media coverage and placements


@router.get("/items", response=list[ItemOut], summary="宣传报道与宣传阵地（可按组织及下级、渠道筛选）")
@paginate(Pages, page_size=50)
def list_items(request, org: str = "", channel: str = ""):
    if channel and channel not in CHANNELS:
        raise ActionError(f"channel 应为以下之一：{'、'.join(CHANNELS)}", field="channel")
    return queries.items(request.user, _root(request, org), channel=channel)


@router.get("/items/{int:pk}", response=ItemOut, summary="宣传记录详情")
def get_item(request, pk: int):
    return get_object_or_404(PublicityItem.objects.visible_to(request.user).select_related("org"), pk=pk)


@router.post(
    "/items",
    response={201: ItemOut},
    summary="登记宣传报道（电视/报刊/网络/新媒体）或宣传阵地（重点路段/公共场所/单位内部）",
)
def create_item(request, payload: ItemIn):
    org = _org(request, payload.org)
    return Status(
        201,
        actions.create_item(
            actor=request.user,
            org=org,
            channel=payload.channel,
            title=payload.title,
            date=payload.date,
            outlet=payload.outlet,
            link=payload.link,
            today=today(),
        ),
    )


@router.post("/items/{int:pk}/photos", response={201: AttachmentOut}, summary="上传宣传阵地照片（multipart：file）")
def upload_photo(request, pk: int, file: UploadedFile = File(...)):
    item = get_object_or_404(PublicityItem.objects.visible_to(request.user), pk=pk)
    _check_upload(file)
    return Status(201, actions.attach_photo(item, actor=request.user, name=file.name or "未命名", data=file.read()))


# ------------------------------------------------------------------ copied materials


@router.get("/copies", response=list[PairOut], summary="材料雷同（办公室）：按组织及下级、核实结果筛选")
@paginate(Pages, page_size=50)
def list_copies(request, org: str, status: str = ""):
    root = _org(request, org)
    if not can(request.user, "campaign.manage", root):
        raise PermissionDenied
    return queries.copy_pairs(request.user, root, status=status)


@router.get("/copies/{int:pk}", response=PairDetailOut, summary="雷同材料对照：两段原文，相同段落标出")
def get_copy(request, pk: int):
    pair = _pair(request, pk)
    if not can(request.user, "campaign.manage", pair.org_b):
        raise PermissionDenied
    a, b, matched = queries.pair_sides(pair)

    def side(s):
        if s is None:
            return None
        return SideOut(
            source=s.source,
            label=s.label,
            org_code=s.org.code,
            date=s.date,
            runs=[Run(text=t, matched=m) for t, m in s.runs],
        )

    return PairDetail(pair, side(a), side(b), matched)


@router.post("/copies/check", response=CheckOut, summary="对组织及全部下级做一次材料雷同检查（办公室）")
def run_check(request, payload: CheckIn):
    found, new = actions.run_copy_check(actor=request.user, org=_org(request, payload.org), as_of=today())
    return CheckOut(found=found, new=new)


@router.post("/copies/{int:pk}/confirm", response=PairOut, summary="确认雷同（计入得分卡）")
def confirm_copy(request, pk: int, payload: DecideIn):
    return actions.decide_pair(_pair(request, pk), actor=request.user, confirm=True, note=payload.note, as_of=today())


@router.post("/copies/{int:pk}/dismiss", response=PairOut, summary="排除（须写明理由）")
def dismiss_copy(request, pk: int, payload: DecideIn):
    return actions.decide_pair(_pair(request, pk), actor=request.user, confirm=False, note=payload.note, as_of=today())


# ------------------------------------------------------------------ figures


@router.get("/summary", response=SummaryOut, summary="宣传信息汇总（组织及全部下级；含响应用时中位数）")
def summary(request, org: str, as_of: dt.date | None = None):
    s = queries.summary(request.user, _org(request, org), as_of or today())
    return SummaryOut(
        submissions=s.submissions,
        adopted=s.adopted,
        adoption_rate=s.adoption_rate,
        by_level=s.by_level,
        average_quality=s.quality,
        library=s.library,
        relevance_flagged=s.flagged,
        solicitations_due=s.due,
        answered=s.answered,
        on_time=s.on_time,
        missing=s.missing,
        response_rate=s.response_rate,
        on_time_rate=s.on_time_rate,
        median_response_hours=s.median_hours,
        by_channel=s.by_channel,
        copies_confirmed=s.copies_confirmed,
        copies_open=s.copies_open,
    )


@router.get("/indicators", response=list[ReadingOut], summary="宣传信息指标（组织及全部下级汇总）")
def indicators(request, org: str, as_of: dt.date | None = None):
    root = _org(request, org)
    as_of = as_of or today()
    campaign = current_campaign(root, as_of)
    out = []
    for code in MEANING:
        r = registry.read(registry.get(code), root, as_of, campaign)
        out.append(
            ReadingOut(
                code=code,
                name=r.indicator.name,
                unit=r.indicator.unit,
                meaning=MEANING[code],
                value=r.value,
                expected=r.expected,
                status=r.status,
                numerator=r.pair.num,
                denominator=r.pair.den,
            )
        )
    return out

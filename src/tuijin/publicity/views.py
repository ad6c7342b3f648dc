"""Publicity pages (SPEC §2.6, §2.9): 信息报送, review, 约稿, media and placements, the typical-case
library and copied materials.

Thin: parse, call an action or a query, render. Every read goes through visible_to(), so out of
scope is 404; every change goes through actions.py, whose Chinese messages are shown as they are.
"""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tuijin.core.calendar import today
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.files import content_disposition, open_stored
from tuijin.core.models import DomainEvent
from tuijin.core.permissions import can
from tuijin.core.scope import in_business_scope, scope_paths, subtree_q
from tuijin.imports.registry import export_subtree
from tuijin.orgs.models import SECTORS, Org
from tuijin.core.pages import page_query
from tuijin.orgs.queries import visible_ancestors

from . import actions, queries, timeliness
from .forms import (
    AdoptForm,
    DecideForm,
    FileForm,
    ForwardForm,
    ItemForm,
    ReturnForm,
    SolicitationForm,
    SubmissionForm,
)
from .models import (
    CHANNELS,
    LEVELS,
    LIBRARY_TYPES,
    MEDIA,
    TYPES,
    Attachment,
    CopyPair,
    PublicityItem,
    Solicitation,
    Status,
    Submission,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TARGET_CHOICES = 500


# ------------------------------------------------------------------ helpers


def _org(request, code) -> Org:
    org = get_object_or_404(Org.objects.visible_to(request.user), code=code)
    if not in_business_scope(request.user, org):
        raise Http404("没有可查看的组织")
    return org


def _ctx(request, org, section, **more):
    return {
        "org": org,
        "section": section,
        "breadcrumb": visible_ancestors(request.user, org),
        "as_of": today(),
        "is_office": can(request.user, "campaign.manage", org),
        **more,
    }


def _require_office(request, org):
    if not can(request.user, "campaign.manage", org):
        raise PermissionDenied(f"只有{org.name}及上级的主题教育办公室可以使用此功能")


def _form_error(form, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _valid(form) -> dict:
    if form.is_valid():
        return form.cleaned_data
    name, errors = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else ""
    raise ActionError(f"{label}：{errors[0]}" if label else errors[0], field=name)


def _upload(request):
    upload = request.FILES.get("file")
    if upload is None:
        return None
    limit = settings.TUIJIN_UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ActionError(
            f"文件“{upload.name}”太大（{upload.size / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB", field="file"
        )
    return upload.name, upload.read()


def _attachment(data: bytes, filename: str, content_type: str, inline=False) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _with(request, **params) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


@login_required
def root(request):
    org = Org.objects.filter(path__in=scope_paths(request.user)).order_by("path").first()
    if org is None:
        raise Http404("没有可查看的组织")
    return redirect("publicity:submissions", code=org.code)


# ------------------------------------------------------------------ submissions


@login_required
def submissions(request, code):
    org = _org(request, code)
    g = request.GET
    f = {
        "type": g.get("type") if g.get("type") in TYPES else "",
        "status": g.get("status") if g.get("status") in Status.values else "",
        "flagged": "1" if g.get("flagged") == "1" else "",
        "q": g.get("q", "").strip()[:100],
    }
    rows = queries.submission_list(request.user, org, **f)
    return render(
        request,
        "publicity/submissions.html",
        _ctx(
            request,
            org,
            "submissions",
            f=f,
            page=Paginator(rows, 50).get_page(g.get("page")),
            query=page_query(request),
            types=TYPES,
            statuses=Status.values,
            summary=queries.summary(request.user, org, today()),
            can_report=can(request.user, "records.manage", org) and org.active,
            type_links=[(t or "全部", _with(request, type=t), t == f["type"]) for t in [""] + TYPES],
        ),
    )


@login_required
def submission_new(request, code):
    org = _org(request, code)
    if not can(request.user, "records.manage", org):
        raise PermissionDenied(f"您不能以“{org.name}”的名义报送信息")
    as_of = today()
    sols = list(queries.open_solicitations_for(org, as_of)[:50])
    initial = {"date": as_of, "solicitation": request.GET.get("solicitation", "")}
    form = SubmissionForm(request.POST or None, request.FILES or None, solicitations=sols, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        sol = next((s for s in sols if s.number == data["solicitation"]), None)
        try:
            upload = _upload(request)
            piece = actions.create_submission(
                actor=request.user,
                org=org,
                title=data["title"],
                body=data["body"],
                type=data["type"],
                date=data["date"],
                solicitation=sol,
                submitted_at=timeliness.now_on(as_of),
                today=as_of,
            )
            if upload:
                actions.attach_to_submission(piece, actor=request.user, name=upload[0], data=upload[1])
        except ActionError as exc:
            _form_error(form, exc)
        else:
            if piece.relevance_flagged:
                messages.warning(request, "已报送。审核人会看到提示：" + "；".join(piece.relevance_reasons))
            else:
                messages.success(request, f"已报送“{piece.title}”")
            return redirect("publicity:submission", pk=piece.pk)
    return render(request, "publicity/submission_new.html", _ctx(request, org, "submissions", form=form))


def _submission(request, pk) -> Submission:
    return get_object_or_404(
        Submission.objects.visible_to(request.user).select_related("org", "solicitation", "review_org"), pk=pk
    )


@login_required
def submission_detail(request, pk):
    piece = _submission(request, pk)
    if not in_business_scope(request.user, piece.org):
        raise Http404
    reviewing = None
    if piece.status in (Status.PENDING, Status.ADOPTED):
        try:
            reviewing = actions.reviewer_org(request.user, piece)
        except PermissionDenied:
            reviewing = None
    v = {"version": piece.version}
    return render(
        request,
        "publicity/submission_detail.html",
        _ctx(
            request,
            piece.org,
            "submissions",
            piece=piece,
            reviewing=reviewing,
            reviews=piece.reviews.select_related("org", "to_org", "by"),
            attachments=piece.attachments.all(),
            can_attach=can(request.user, "records.manage", piece.org),
            adopt_form=AdoptForm(initial=v),
            return_form=ReturnForm(initial=v),
            forward_form=ForwardForm(initial=v),
            file_form=FileForm(),
            upload_limit_mb=settings.TUIJIN_UPLOAD_MAX_BYTES // 1048576,
            events=DomainEvent.objects.filter(target_type="publicity.submission", target_id=str(piece.pk)).order_by(
                "-at", "-id"
            )[:30],
        ),
    )


@login_required
@require_POST
def submission_action(request, pk, name):
    piece = _submission(request, pk)
    try:
        if name == "adopt":
            d = _valid(AdoptForm(request.POST))
            actions.adopt(
                piece,
                actor=request.user,
                level=d["level"],
                quality=d["quality"],
                note=d["note"],
                as_of=today(),
                version=d["version"],
            )
            messages.success(request, f"已采用（{d['level']}级）")
        elif name == "return":
            d = _valid(ReturnForm(request.POST))
            actions.return_submission(
                piece, actor=request.user, reason=d["reason"], quality=d["quality"], version=d["version"]
            )
            messages.success(request, "已退回，报送单位会看到退回原因")
        elif name == "forward":
            d = _valid(ForwardForm(request.POST))
            piece = actions.forward(piece, actor=request.user, note=d["note"], version=d["version"])
            assert piece.review_org is not None  # forward() sends the piece up to the level above
            messages.success(request, f"已转报{piece.review_org.name}")
        elif name == "attach":
            upload = _upload(request)
            if upload is None:
                raise ActionError("请选择要上传的文件", field="file")
            actions.attach_to_submission(piece, actor=request.user, name=upload[0], data=upload[1])
            messages.success(request, f"已上传附件“{upload[0]}”")
        else:
            raise Http404
    except StaleEdit as exc:
        messages.error(request, exc.message)
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("publicity:submission", pk=piece.pk)


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    try:
        data = open_stored(attachment.storage_name)
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    return _attachment(data, attachment.name, attachment.content_type)


@login_required
def review_queue(request, code):
    org = _org(request, code)
    _require_office(request, org)
    rows = queries.review_queue(request.user, org)
    return render(
        request,
        "publicity/review.html",
        _ctx(
            request,
            org,
            "review",
            page=Paginator(rows, 50).get_page(request.GET.get("page")),
            query=page_query(request),
        ),
    )


# ------------------------------------------------------------------ solicitations


@login_required
def solicitations(request, code):
    org = _org(request, code)
    as_of = today()
    rows = []
    for s in queries.solicitations(request.user, org)[:100]:
        standing = queries.answers(s, as_of) if s.org.path.startswith(org.path) else []
        counts = {
            k: sum(1 for r in standing if r.answer.status == k)
            for k in (timeliness.ON_TIME, timeliness.LATE, timeliness.MISSING, timeliness.PENDING)
        }
        rows.append((s, len(standing), counts))
    return render(request, "publicity/solicitations.html", _ctx(request, org, "solicitations", rows=rows))


def _depth_choices(org):
    names = {1: "市级", 2: "县级", 3: "乡镇/部门级", 4: "支部级", 5: "第五级"}
    return [(str(d), names.get(d, f"第{d}级")) for d in range(org.depth + 1, org.depth + 4)]


@login_required
def solicitation_new(request, code):
    org = _org(request, code)
    _require_office(request, org)
    orgs = (
        Org.objects.visible_to(request.user)
        .filter(subtree_q("path", org.path), active=True, depth__lte=org.depth + 3)
        .exclude(pk=org.pk)
    )
    choices = [(o.code, "　" * (o.depth - org.depth - 1) + o.name) for o in orgs.order_by("path")[:TARGET_CHOICES]]
    form = SolicitationForm(request.POST or None, orgs=choices, depths=_depth_choices(org))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        targets = actions.targets_by(
            org, codes=d["targets"], kinds=d["kinds"], sectors=d["sectors"], depths=d["depths"]
        )
        try:
            s = actions.issue_solicitation(
                actor=request.user,
                org=org,
                topic=d["topic"],
                deadline=d["deadline"],
                note=d["note"],
                targets=targets,
                today=today(),
                issued_at=timeliness.now_on(today()),
            )
        except ActionError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已向 {s.solicitationtarget_set.count()} 个单位约稿（{s.number}）")
            return redirect("publicity:solicitation", pk=s.pk)
    return render(request, "publicity/solicitation_new.html", _ctx(request, org, "solicitations", form=form))


@login_required
def solicitation_detail(request, pk):
    visible = Solicitation.objects.visible_to(request.user).values("pk")
    s = get_object_or_404(Solicitation.objects.filter(pk__in=visible).select_related("org"), pk=pk)
    as_of = today()
    # The issuing office sees every target; a target sees its own row only.
    targets = Org.objects.visible_to(request.user).filter(solicitation_targets__solicitation=s).order_by("path")
    rows = queries.answers(s, as_of, list(targets))
    org = s.org if in_business_scope(request.user, s.org) else (rows[0].org if rows else None)
    if org is None or not in_business_scope(request.user, org):
        raise Http404
    answered = [r for r in rows if r.answer.answered_at]
    return render(
        request,
        "publicity/solicitation_detail.html",
        _ctx(
            request,
            org,
            "solicitations",
            s=s,
            rows=rows,
            median=timeliness.median_hours([r.answer for r in rows]),
            answered=len(answered),
            # A unit answers for itself; the issuing office is not offered a button per target.
            can_answer=[]
            if can(request.user, "campaign.manage", s.org)
            else [r.org for r in rows if can(request.user, "records.manage", r.org)],
        ),
    )


# ------------------------------------------------------------------ media coverage and placements


@login_required
def items(request, code):
    org = _org(request, code)
    channel = request.GET.get("channel", "") if request.GET.get("channel") in CHANNELS else ""
    rows = queries.items(request.user, org, channel=channel)
    summary = queries.summary(request.user, org, today())
    return render(
        request,
        "publicity/items.html",
        _ctx(
            request,
            org,
            "items",
            page=Paginator(rows, 50).get_page(request.GET.get("page")),
            query=page_query(request),
            channel=channel,
            summary=summary,
            media_counts=[(c, summary.by_channel.get(c, 0)) for c in MEDIA],
            channel_links=[(c or "全部", _with(request, channel=c), c == channel) for c in [""] + CHANNELS],
            can_add=can(request.user, "records.manage", org) and org.active,
        ),
    )


@login_required
def item_new(request, code):
    org = _org(request, code)
    if not can(request.user, "records.manage", org):
        raise PermissionDenied(f"您不能为“{org.name}”登记宣传")
    form = ItemForm(request.POST or None, request.FILES or None, initial={"date": today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            upload = _upload(request)
            item = actions.create_item(
                actor=request.user,
                org=org,
                channel=d["channel"],
                outlet=d["outlet"],
                title=d["title"],
                date=d["date"],
                link=d["link"],
                today=today(),
            )
            if upload:
                actions.attach_photo(item, actor=request.user, name=upload[0], data=upload[1])
        except ActionError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已登记{item.channel}宣传")
            return redirect("publicity:item", pk=item.pk)
    return render(request, "publicity/item_new.html", _ctx(request, org, "items", form=form))


def _item(request, pk):
    item = get_object_or_404(PublicityItem.objects.visible_to(request.user).select_related("org"), pk=pk)
    if not in_business_scope(request.user, item.org):
        raise Http404
    return item


@login_required
def item_detail(request, pk):
    item = _item(request, pk)
    return render(
        request,
        "publicity/item_detail.html",
        _ctx(
            request,
            item.org,
            "items",
            item=item,
            photos=item.attachments.all(),
            file_form=FileForm(),
            can_attach=can(request.user, "records.manage", item.org),
        ),
    )


@login_required
@require_POST
def item_photo(request, pk):
    item = _item(request, pk)
    try:
        upload = _upload(request)
        if upload is None:
            raise ActionError("请选择要上传的照片", field="file")
        actions.attach_photo(item, actor=request.user, name=upload[0], data=upload[1])
        messages.success(request, f"已上传照片“{upload[0]}”")
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("publicity:item", pk=item.pk)


# ------------------------------------------------------------------ library


@login_required
def library(request, code):
    org = _org(request, code)
    g = request.GET
    f = {
        "q": g.get("q", "").strip()[:100],
        "type": g.get("type") if g.get("type") in LIBRARY_TYPES else "",
        "sector": g.get("sector") if g.get("sector") in SECTORS else "",
        "level": g.get("level") if g.get("level") in LEVELS else "",
    }
    rows = queries.library(request.user, org=org, **f)
    return render(
        request,
        "publicity/library.html",
        _ctx(
            request,
            org,
            "library",
            f=f,
            page=Paginator(rows, 20).get_page(g.get("page")),
            query=page_query(request),
            types=LIBRARY_TYPES,
            sectors=SECTORS,
            levels=LEVELS,
        ),
    )


# ------------------------------------------------------------------ copied materials


@login_required
def copies_list(request, code):
    org = _org(request, code)
    _require_office(request, org)
    status = request.GET.get("status", "")
    status = status if status in ("待核实", "已确认", "已排除") else ""
    rows = queries.copy_pairs(request.user, org, status=status)
    from tuijin.core import texts

    labels = {name: s.label for name, s in texts.sources().items()}
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for pair in page.object_list:  # what kind of material each side is (心得, 整改措施, 信息报送…)
        pair.label_a, pair.label_b = labels.get(pair.source_a, pair.source_a), labels.get(pair.source_b, pair.source_b)
    return render(
        request,
        "publicity/copies.html",
        _ctx(
            request,
            org,
            "copies",
            page=page,
            query=page_query(request),
            status=status,
            status_links=[
                (s or "全部", _with(request, status=s), s == status) for s in ("", "待核实", "已确认", "已排除")
            ],
        ),
    )


@login_required
@require_POST
def copies_check(request, code):
    org = _org(request, code)
    try:
        found, new = actions.run_copy_check(actor=request.user, org=org, as_of=today())
        messages.success(request, f"检查完成：发现雷同 {found} 对，其中新发现 {new} 对")
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("publicity:copies", code=org.code)


def _pair(request, pk) -> CopyPair:
    visible_orgs = Org.objects.visible_to(request.user).values("pk")
    pair = get_object_or_404(
        CopyPair.objects.visible_to(request.user).filter(org_a__in=visible_orgs).select_related("org_a", "org_b"), pk=pk
    )
    if not in_business_scope(request.user, pair.org_b):
        raise Http404
    return pair


@login_required
def copy_detail(request, pk):
    pair = _pair(request, pk)
    _require_office(request, pair.org_b)
    a, b, matched = queries.pair_sides(pair)
    return render(
        request,
        "publicity/copy_detail.html",
        _ctx(
            request,
            pair.org_b,
            "copies",
            pair=pair,
            a=a,
            b=b,
            matched=matched,
            form=DecideForm(),
            can_decide=can(request.user, "campaign.manage", pair.org_a),
        ),
    )


@login_required
@require_POST
def copy_action(request, pk, name):
    pair = _pair(request, pk)
    if name not in ("confirm", "dismiss"):
        raise Http404
    try:
        d = _valid(DecideForm(request.POST))
        actions.decide_pair(pair, actor=request.user, confirm=name == "confirm", note=d["note"], as_of=today())
        messages.success(request, "已确认为雷同材料，计入得分卡" if name == "confirm" else "已排除")
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("publicity:copy", pk=pair.pk)


@login_required
def export(request, code, kind):
    if kind not in ("submissions", "publicity"):
        raise Http404
    org = _org(request, code)
    buffer = io.BytesIO()
    export_subtree(kind, org, buffer, user=request.user)
    label = "信息报送" if kind == "submissions" else "宣传报道"
    return _attachment(buffer.getvalue(), f"{org.code}-{label}-{today():%Y%m%d}.xlsx", XLSX)

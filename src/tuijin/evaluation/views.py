"""Scorecard and dashboard pages for offices, guidance groups and units (within their scope)."""

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tuijin.core.calendar import today
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.files import content_disposition
from tuijin.core.indicators import all_indicators
from tuijin.core.panels import panels
from tuijin.core.permissions import can
from tuijin.core.scope import scope_paths
from tuijin.orgs.models import Org
from tuijin.orgs.tree import ancestor_paths

from . import actions, exports, queries
from .models import BriefingDoc
from .scorecard import scorecard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _as_of(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET["as_of"])
    except (KeyError, ValueError):
        return today()


def _org(request, code) -> Org:
    return queries.business_org(request.user, code)


def _xlsx(filename, write) -> HttpResponse:
    buffer = io.BytesIO()
    write(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(filename)
    return response


@login_required
def index(request):
    paths = scope_paths(request.user)
    if not paths:
        raise Http404
    return redirect("evaluation:dashboard", code=Org.objects.get(path=paths[0]).code)


@login_required
def scorecard_page(request, code):
    org, as_of = _org(request, code), _as_of(request)
    card = scorecard(org, as_of)
    fmt = request.GET.get("format")
    if fmt == "json":
        return JsonResponse(card.as_dict(), json_dumps_params={"ensure_ascii": False})
    if fmt == "xlsx":
        return _xlsx(f"{org.name}-得分卡-{as_of}.xlsx", lambda b: exports.scorecard_xlsx(card, b))
    return render(request, "evaluation/scorecard.html", {"org": org, "as_of": as_of, "card": card})


@login_required
def dashboard(request, code):
    org, as_of = _org(request, code), _as_of(request)
    card = scorecard(org, as_of, with_tasks=False)
    shares = queries.share_indicators()
    rank_code = request.GET.get("rank", "")
    if rank_code not in {i.code for i in shares}:  # an unknown indicator is ignored, not a server error
        rank_code = shares[0].code if shares else ""
    trend_codes = [i.code for i in shares][:6]
    heat = queries.heatmap(org, as_of)
    trend = {**queries.trend(org, trend_codes), "names": {i.code: i.name for i in shares}}
    context = {
        "org": org,
        "as_of": as_of,
        "card": card,
        "dimensions": queries.dimension_progress(card),
        "lagging": queries.lagging_units(org, as_of),
        "rankings": queries.rankings(org, as_of, rank_code) if rank_code else [],
        "rank_code": rank_code,
        "shares": shares,
        "heatmap": heat,
        "heat_rows": queries.heatmap_rows(heat),
        "heat_lagging": len({c["y"] for c in heat["cells"] if c["level"] > 0}),
        "trend": trend,
        "trend_rows": queries.trend_rows(trend),
        "trend_names": [trend["names"][c] for c in trend_codes],
        "panels": panels("dashboard", today()),  # e.g. how old the last snapshot is, today
        "breadcrumb": list(Org.objects.filter(path__in=ancestor_paths(org)).visible_to(request.user).order_by("depth")),
    }
    return render(request, "evaluation/dashboard.html", context)


@login_required
def chart_data(request, code, chart):
    """The numbers behind each chart, as Excel."""
    org, as_of = _org(request, code), _as_of(request)
    if chart == "heatmap":
        data = queries.heatmap(org, as_of)
        headers = ["组织", "组织编码"] + [i["name"] for i in data["indicators"]]
        grid = {(c["y"], c["x"]): c["value"] for c in data["cells"]}
        rows = [
            [o["name"], o["code"]] + [grid.get((y, x)) for x in range(len(data["indicators"]))]
            for y, o in enumerate(data["orgs"])
        ]
    elif chart == "lagging":
        headers = ["组织", "组织编码", "滞后指标", "状态", "数值", "应达"]
        rows = [
            [o.name, o.code, ln.indicator.name, ln.status, ln.value, ln.expected]
            for o, lines in queries.lagging_units(org, as_of)
            for ln in lines
        ]
    elif chart == "ranking":
        code_ = request.GET.get("rank", "")
        if code_ not in {i.code for i in all_indicators()}:
            raise Http404
        headers = ["领域", "名次", "组织", "组织编码", "数值"]
        rows = [
            [sector, n, o.name, o.code, ln.value]
            for sector, items in queries.rankings(org, as_of, code_)
            for n, o, ln in items
        ]
    elif chart == "units":
        from .table import units_table, units_xlsx

        table = units_table(org, as_of)
        return _xlsx(f"{org.name}-全部单位指标一览-{as_of}.xlsx", lambda b: units_xlsx(table, b))
    elif chart == "trend":
        shares = queries.share_indicators()
        data = queries.trend(org, [i.code for i in shares])
        headers = ["日期"] + [i.name for i in shares]
        rows = [[d] + [data["series"][i.code][n] for i in shares] for n, d in enumerate(data["dates"])]
    else:
        raise Http404
    return _xlsx(f"{org.name}-{chart}-{as_of}.xlsx", lambda b: exports.grid_xlsx(b, headers, rows))


@login_required
def briefing_page(request, code):
    from . import briefing, docx

    org, as_of = _org(request, code), _as_of(request)
    b = briefing.build(org, as_of)
    fmt = request.GET.get("format")
    if fmt == "md":
        response = HttpResponse(briefing.to_markdown(b), content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = content_disposition(b.title + ".md")
        return response
    if fmt == "docx":
        buffer = io.BytesIO()
        docx.render(b, buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type=("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        )
        response["Content-Disposition"] = content_disposition(b.title + ".docx")
        return response
    return render(
        request,
        "evaluation/briefing.html",
        {
            "org": org,
            "as_of": as_of,
            "b": b,
            "can_issue": can(request.user, "campaign.manage", org),
            "kinds": [(k, BriefingDoc.Kind(k).label) for k in actions.kinds_available()],
        },
    )


# ------------------------------------------------------------------ from draft to issued

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _download(data, content_type, filename) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    return response


@login_required
def briefing_list(request, code):
    """Issued briefings of an org (everyone with its dashboard); drafts too for its office, which
    starts a new draft here (POST)."""
    org = _org(request, code)
    manages = can(request.user, "campaign.manage", org)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied("只有本级或上级主题教育办公室可以起草和签发通报")
        try:
            as_of = dt.date.fromisoformat(request.POST.get("as_of") or today().isoformat())
            doc = actions.draft_briefing(
                actor=request.user, org=org, as_of=as_of, kind=request.POST.get("kind") or BriefingDoc.Kind.NOTICE
            )
        except ValueError:
            messages.error(request, "数据截至日期应写成 2026-11-27")
        except ActionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已按最新数据起草，请逐段核改后签发")
            return redirect("evaluation:briefing_doc", pk=doc.pk)
        return redirect("evaluation:briefings", code=org.code)
    docs = BriefingDoc.objects.filter(org=org).exclude(status=BriefingDoc.Status.DISCARDED)
    if not manages:
        docs = docs.filter(status=BriefingDoc.Status.ISSUED)
    return render(
        request,
        "evaluation/briefing_list.html",
        {
            "org": org,
            "docs": docs.select_related("issued_by", "created_by")[:200],
            "can_issue": manages,
            "as_of": today(),
            "kinds": [(k, BriefingDoc.Kind(k).label) for k in actions.kinds_available()],
        },
    )


def _doc(request, pk) -> tuple:
    """The briefing and its org, for someone whose business scope has the org (404 otherwise); a draft
    is only its office's business (404 for anyone else)."""
    doc = get_object_or_404(BriefingDoc.objects.select_related("org"), pk=pk)
    org = _org(request, doc.org.code)
    manages = can(request.user, "campaign.manage", org)
    if doc.status != BriefingDoc.Status.ISSUED and not manages:
        raise Http404("通报不存在")
    return org, doc, manages


BASIS_LABELS = {
    "indicator": "指标编码",
    "name": "指标",
    "value": "数值",
    "expected": "应达",
    "numerator": "分子",
    "denominator": "分母",
    "status": "状态",
    "units": "涉及单位",
    "unit": "单位",
    "previous": "比较时数值",
    "previous_date": "比较日期",
    "compared_with": "比较对象",
    "task": "任务",
    "applicable": "适用单位数",
    "undone": "未完成单位",
    "indicators": "指标",
    "now": "现状态",
    "time_progress": "时间进度",
    "orgs": "组织数",
    "branches": "党支部数",
    "members": "党员数",
    "campaign_end": "结束日期",
}


def _basis_value(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        items = [_basis_value(x) for x in v]
        return "、".join(items[:12]) + (f"等{len(items)}项" if len(items) > 12 else "")
    if isinstance(v, dict):
        return "，".join(f"{k}={_basis_value(x)}" for k, x in list(v.items())[:12])
    return str(v)


def basis_lines(basis) -> list[str]:
    """Each basis row as one readable line ("指标：集体学习覆盖率；数值：0.58；…"), bounded in length."""
    lines = []
    for row in basis or []:
        if not isinstance(row, dict):
            lines.append(_basis_value(row)[:300])
            continue
        parts = [f"{BASIS_LABELS.get(k, k)}：{_basis_value(v)}" for k, v in row.items() if v not in (None, "", [])]
        lines.append("；".join(parts)[:300])
    return lines


def _sections(doc) -> list[dict]:
    return [
        {
            "heading": section["heading"],
            "index": s,
            "paragraphs": [
                {
                    "name": f"p-{s}-{p}",
                    "text": para["text"],
                    "generated": para.get("generated", para["text"]),
                    "edited": para["text"] != para.get("generated", para["text"]),
                    "basis": basis_lines(para.get("basis")),
                }
                for p, para in enumerate(section["paragraphs"])
            ],
        }
        for s, section in enumerate(doc.content.get("sections", []))
    ]


def _edited_texts(post) -> dict:
    texts = {}
    for key, value in post.items():
        parts = key.split("-")
        if len(parts) == 3 and parts[0] == "p" and parts[1].isdigit() and parts[2].isdigit():
            texts[(int(parts[1]), int(parts[2]))] = value
    return texts


@login_required
def briefing_doc(request, pk):
    """A draft to edit paragraph by paragraph (its basis beside it) and issue; an issued one, read-only."""
    org, doc, manages = _doc(request, pk)
    if request.method == "POST":
        if not manages:
            raise PermissionDenied("只有本级或上级主题教育办公室可以修改和签发通报")
        version = request.POST.get("version")
        try:
            doc = actions.edit_briefing(doc, actor=request.user, texts=_edited_texts(request.POST), version=version)
            if "issue" in request.POST:
                doc = actions.issue_briefing(doc, actor=request.user, on=today(), version=doc.version)
                messages.success(request, f"已签发，发文字号 {doc.number}")
            else:
                messages.success(request, "已保存")
        except StaleEdit as exc:
            messages.error(request, exc.message)
        except ActionError as exc:
            messages.error(request, exc.message)
        return redirect("evaluation:briefing_doc", pk=doc.pk)
    return render(
        request,
        "evaluation/briefing_doc.html",
        {
            "org": org,
            "doc": doc,
            "can_issue": manages,
            "draft": doc.status == BriefingDoc.Status.DRAFT,
            "kind_label": doc.get_kind_display(),
            "sections": _sections(doc),
            "c": doc.content,
        },
    )


@login_required
@require_POST
def briefing_discard(request, pk):
    org, doc, manages = _doc(request, pk)
    if not manages:
        raise PermissionDenied("只有本级或上级主题教育办公室可以废弃草稿")
    try:
        actions.discard_briefing(doc, actor=request.user, version=request.POST.get("version"))
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("evaluation:briefing_doc", pk=doc.pk)
    messages.success(request, "草稿已废弃")
    return redirect("evaluation:briefings", code=org.code)


@login_required
def briefing_download(request, pk, fmt):
    """The stored text as .docx (official layout, with its number) or .md (with each paragraph's basis)."""
    from . import docx

    _, doc, _ = _doc(request, pk)
    name = f"{doc.title}{doc.number}"
    if fmt == "md":
        return _download(actions.markdown(doc), "text/markdown; charset=utf-8", f"{name}.md")
    if fmt == "docx":
        buffer = io.BytesIO()
        docx.render(actions.as_briefing(doc), buffer)
        return _download(buffer.getvalue(), DOCX, f"{name}.docx")
    raise Http404

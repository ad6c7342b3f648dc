"""Scorecard and dashboard pages for offices, guidance groups and units (within their scope)."""
import datetime as dt
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from tuijin.core.calendar import today
from tuijin.core.files import content_disposition
from tuijin.core.indicators import all_indicators
from tuijin.core.scope import scope_paths
from tuijin.jobs.queries import snapshot_status
from tuijin.orgs.models import Org

from . import exports, queries
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
    context = {
        "org": org, "as_of": as_of, "card": card,
        "dimensions": queries.dimension_progress(card),
        "lagging": queries.lagging_units(org, as_of),
        "rankings": queries.rankings(org, as_of, rank_code) if rank_code else [],
        "rank_code": rank_code, "shares": shares,
        "heatmap": queries.heatmap(org, as_of),
        "trend": {**queries.trend(org, trend_codes), "names": {i.code: i.name for i in shares}},
        "snapshot_status": snapshot_status(today()),
        "breadcrumb": list(Org.objects.filter(
            path__in=[org.path[:i] for i in range(org.steplen, len(org.path), org.steplen)])
            .visible_to(request.user).order_by("depth")),
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
        rows = [[o["name"], o["code"]] + [grid.get((y, x)) for x in range(len(data["indicators"]))]
                for y, o in enumerate(data["orgs"])]
    elif chart == "lagging":
        headers = ["组织", "组织编码", "滞后指标", "状态", "数值", "应达"]
        rows = [[o.name, o.code, ln.indicator.name, ln.status, ln.value, ln.expected]
                for o, lines in queries.lagging_units(org, as_of) for ln in lines]
    elif chart == "ranking":
        code_ = request.GET.get("rank", "")
        if code_ not in {i.code for i in all_indicators()}:
            raise Http404
        headers = ["领域", "名次", "组织", "组织编码", "数值"]
        rows = [[sector, n, o.name, o.code, ln.value] for sector, items in queries.rankings(org, as_of, code_)
                for n, o, ln in items]
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
        response["Content-Disposition"] = content_disposition(b.title + '.md')
        return response
    if fmt == "docx":
        buffer = io.BytesIO()
        docx.render(b, buffer)
        response = HttpResponse(buffer.getvalue(), content_type=(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
        response["Content-Disposition"] = content_disposition(b.title + '.docx')
        return response
    return render(request, "evaluation/briefing.html", {"org": org, "as_of": as_of, "b": b})

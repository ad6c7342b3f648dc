"""Scorecards over the API (SPEC §4.4, §2.8): one org's scorecard, and every unit of a subtree at once.

Upper levels pull figures from here instead of sending tables down (SPEC §2.9). Same scope as the
pages: an org outside the caller's scope is 404.
"""

import datetime as dt

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from tuijin.core.calendar import today
from tuijin.orgs.models import Org

from .models import BriefingDoc
from .queries import business_org
from .scorecard import scorecard
from .table import units_table

router = Router(tags=["总结讲评"])


def _org(request, code: str) -> Org:
    return business_org(request.user, code)


def _json(data: bytes) -> HttpResponse:
    return HttpResponse(data, content_type="application/json; charset=utf-8")


@router.get("/scorecard", summary="组织的指标得分卡（含部署任务完成情况）")
def get_scorecard(request, org: str, as_of: dt.date | None = None):
    """Every registered indicator for the org's subtree at as_of (default today): value, numerator,
    denominator, value expected at the time progress, status 正常/滞后/严重滞后; and the deployed tasks."""
    import orjson

    card = scorecard(_org(request, org), as_of or today())
    return _json(orjson.dumps(card.as_dict()))


@router.get("/units", summary="全部单位指标一览（组织及其全部下级单位）")
def get_units(request, org: str, as_of: dt.date | None = None, depth: int | None = None):
    """For the org and every active org below it (down to `depth` levels; all when omitted), in tree
    order: each indicator's value and status. `indicators` gives the columns (with the value expected
    at the time progress); each unit's `values` and `statuses` follow that order. Shares are 0–1."""
    if depth is not None and depth < 0:
        depth = 0
    table = units_table(_org(request, org), as_of or today(), depth=depth)
    return _json(table.to_json())


def _briefing_summary(doc: BriefingDoc) -> dict:
    return {
        "id": doc.pk,
        "org": doc.org.code,
        "kind": doc.kind,
        "number": doc.number,
        "title": doc.title,
        "as_of": doc.as_of.isoformat(),
        "issued_at": doc.issued_at.isoformat() if doc.issued_at else None,
    }


@router.get("/briefings", summary="已签发的通报（按组织）")
def list_briefings(request, org: str):
    """The briefings the org has issued, newest first: number (〔2026〕5号), title, kind, data date."""
    import orjson

    found = _org(request, org)
    docs = BriefingDoc.objects.filter(org=found, status=BriefingDoc.Status.ISSUED).select_related("org")[:500]
    return _json(orjson.dumps({"org": found.code, "briefings": [_briefing_summary(d) for d in docs]}))


@router.get("/briefings/{briefing_id}", summary="一份已签发的通报：全文、每段的数据依据和当时的数据")
def get_briefing(request, briefing_id: int):
    """The text as issued (each paragraph with its data basis) and the figures it was issued with."""
    import orjson

    doc = get_object_or_404(BriefingDoc.objects.select_related("org"), pk=briefing_id, status=BriefingDoc.Status.ISSUED)
    if doc.org_id != _org(request, doc.org.code).pk:
        raise Http404
    return _json(
        orjson.dumps(
            {**_briefing_summary(doc), "content": doc.content, "figures": doc.figures, "baseline": doc.baseline}
        )
    )

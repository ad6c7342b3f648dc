"""Helpers every module's pages share (forms are in core/forms.py): the pager's query, the evidence download."""

from __future__ import annotations


from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .evidence import StoredEvidence
from .files import content_disposition, open_stored


def page_query(request: HttpRequest) -> str:
    """The current query string without `page`, ready for the pager to append page=N."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode() + "&" if params else ""


def evidence_download(
    request: HttpRequest, model: type[StoredEvidence], pk: int, *, inline_photos: bool = False
) -> HttpResponse:
    """The one download of a stored evidence file, for every module: out of scope is 404.

    With `inline_photos`, a photo asked for with ?inline=1 is shown in the page; everything else is a
    download. The content type was sniffed from the bytes at upload (core/files.py)."""
    evidence = get_object_or_404(model.objects.visible_to(request.user), pk=pk)
    try:
        data = open_stored(evidence.storage_name)
    except FileNotFoundError:
        raise Http404("文件不存在") from None
    response = HttpResponse(data, content_type=evidence.content_type)
    inline = inline_photos and evidence.is_photo and request.GET.get("inline") == "1"
    response["Content-Disposition"] = content_disposition(evidence.name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    return response

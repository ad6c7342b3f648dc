"""Helpers every module's pages share (forms are in core/forms.py)."""
from __future__ import annotations

from django.http import HttpRequest


def page_query(request: HttpRequest) -> str:
    """The current query string without `page`, ready for the pager to append page=N."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode() + "&" if params else ""

"""API pagination: django-ninja's page numbers, with a page past any real list answered by no items.

A `page` of 2**63 would otherwise become an OFFSET the database driver cannot hold (HTTP 500).
"""

from typing import Any

from ninja.pagination import PageNumberPagination

MAX_OFFSET = 2**31  # far past any list we hold; well inside every database's integer range


class Pages(PageNumberPagination):
    def paginate_queryset(self, queryset: Any, pagination: Any, request: Any, **params: Any) -> Any:
        if (pagination.page - 1) * self._get_page_size(pagination.page_size) > MAX_OFFSET:
            return {self.items_attribute: [], "count": self._items_count(queryset)}
        return super().paginate_queryset(queryset, pagination, request, **params)

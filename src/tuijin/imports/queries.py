"""The uploader's own failed web imports, for the home page's work queue (issue 11)."""

from typing import Any

from django.db.models import Exists, OuterRef

from .models import ImportJob
from .registry import KINDS


def failed_imports(user: Any, limit: int = 5) -> list[ImportJob]:
    """The user's failed imports still to look at: not a check-only run, not dismissed, and no later
    import of the same kind by the same user has succeeded since. Newest first; each carries
    `kind_label`."""
    if not getattr(user, "is_authenticated", False):
        return []
    later_success = ImportJob.objects.filter(
        user=user,
        kind=OuterRef("kind"),
        dry_run=False,
        status=ImportJob.Status.DONE,
        created_at__gt=OuterRef("created_at"),
    )
    jobs = list(
        ImportJob.objects.defer("data")
        .filter(user=user, status=ImportJob.Status.FAILED, dry_run=False, dismissed_at__isnull=True)
        .exclude(Exists(later_success))
        .order_by("-created_at")[:limit]
    )
    for job in jobs:
        job.kind_label = KINDS[job.kind].label if job.kind in KINDS else job.kind  # type: ignore[attr-defined]
    return jobs

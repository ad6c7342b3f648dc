"""State changes of the imports app that are not an import itself."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tuijin.core import events
from tuijin.core.errors import ActionError

from .models import ImportJob


def dismiss_failed_import(job: ImportJob, *, actor) -> ImportJob:
    """The uploader takes a failed import off the home page's work queue (the job and its error
    report stay). Only the uploader may, and only a failed import."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().defer("data").get(pk=job.pk)
        if actor is None or job.user_id != actor.pk:
            raise PermissionDenied("只能处理自己上传的导入")
        if job.status != ImportJob.Status.FAILED:
            raise ActionError("只有未写入的导入可以从待办中移除")
        if job.dismissed_at is None:
            job.dismissed_at = timezone.now()
            job.save(update_fields=["dismissed_at"])
            events.record(actor, "import.dismiss", job, summary=f"不再提示导入错误：{job.filename}"[:500])
        return job

"""Web imports run as a django-tasks task in `tuijin worker`, so a 200,000-row sheet never meets the
web worker's timeout. The import itself is the same all-or-nothing `run_import` as the command line."""
import io
import logging

from django.conf import settings
from django.utils import timezone  # finished_at: the worker's clock, bookkeeping only (as jobs/tasks.py)
from django_tasks import task

from .models import ImportJob
from .registry import ImportFailed, run_import

logger = logging.getLogger("tuijin.imports")


def submit(*, user, kind: str, filename: str, data: bytes, dry_run: bool, now) -> ImportJob:
    """Store the upload and queue its import; returns the job whose page shows the progress."""
    job = ImportJob.objects.create(user=user, kind=kind, filename=filename[:255], data=data, dry_run=dry_run,
                                   created_at=now)
    # Committed with the job (the web request runs in autocommit): the worker finds both or neither.
    run_import_job.using(backend=settings.TUIJIN_IMPORT_TASK_BACKEND).enqueue(str(job.pk))
    return job


def _progress(job_id, stage: str, percent: int) -> None:
    ImportJob.objects.filter(pk=job_id).update(stage=stage, percent=percent)


@task()
def run_import_job(job_id: str) -> str:
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.finished:
        return job.summary
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, stage="读取表格", percent=10)
    try:
        result = run_import(job.kind, io.BytesIO(bytes(job.data)), actor=job.user, dry_run=job.dry_run,
                            progress=lambda stage, percent: _progress(job.pk, stage, percent))
    except ImportFailed as exc:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, stage="未写入任何数据", percent=100, errors=exc.errors,
            warnings=exc.warnings, data=b"", finished_at=timezone.now())
        return f"{len(exc.errors)} 处错误"
    except Exception:
        logger.exception("导入任务 %s 出错", job.pk)
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.FAILED, stage="未写入任何数据", percent=100, data=b"",
            errors=["导入时发生系统错误，未写入任何数据。请稍后重试，或联系系统管理员"], finished_at=timezone.now())
        raise
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.DONE, stage="完成", percent=100, summary=result.summary(), warnings=result.warnings,
        data=b"", finished_at=timezone.now())
    return result.summary()

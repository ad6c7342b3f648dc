"""The upload page: the same all-or-nothing import as `tuijin import`, for clerks in a browser.

An upload is stored as an ImportJob and run by the background worker (`tuijin worker`); its page
shows the progress (htmx polls the status fragment) and then the result or every row's error."""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django.utils import timezone

from tuijin.core.errors import ActionError
from tuijin.core.files import content_disposition
from tuijin.core.scope import scope_paths
from tuijin.orgs.models import Org

from . import actions
from .models import ImportJob
from .registry import KINDS, export_subtree, write_template
from .tasks import submit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def index(request):
    if not scope_paths(request.user):
        raise Http404
    context = {"kinds": KINDS.values(), "result": None, "errors": None, "warnings": [], "chosen": "orgs"}
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        context["chosen"] = kind
        dry_run = bool(request.POST.get("dry_run"))
        context["dry_run"] = dry_run
        if upload is None:
            context["errors"] = ["请选择要导入的 Excel 文件"]
        elif upload.size > settings.TUIJIN_UPLOAD_MAX_BYTES:
            context["errors"] = [
                f"文件太大（{upload.size // 1024 // 1024} MB），"
                f"上限 {settings.TUIJIN_UPLOAD_MAX_BYTES // 1024 // 1024} MB"
            ]
        else:
            job = submit(
                user=request.user,
                kind=kind,
                filename=upload.name,
                data=upload.read(),
                dry_run=dry_run,
                now=timezone.now(),
            )
            return redirect("imports:job", pk=job.pk)
        context["filename"] = upload.name if upload else ""
    return render(request, "imports/index.html", context)


def _job(request, pk) -> ImportJob:
    if not scope_paths(request.user):
        raise Http404
    return get_object_or_404(ImportJob.objects.defer("data"), pk=pk, user=request.user)  # one's own uploads only


@login_required
def job(request, pk):
    """The job's page: a progress bar until the worker has run it, then the result as the form showed it."""
    return render(request, "imports/job.html", {"job": _job(request, pk)})


@login_required
def job_status(request, pk):
    """The fragment htmx polls; once finished it no longer asks to be polled."""
    return render(request, "imports/_job_status.html", {"job": _job(request, pk)})


@login_required
@require_POST
def job_dismiss(request, pk):
    """不再提示: take a failed import off the home page's work queue; its report stays at its address."""
    job = _job(request, pk)
    try:
        actions.dismiss_failed_import(job, actor=request.user)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("imports:job", pk=job.pk)
    messages.success(request, f"已不再提示“{job.filename}”的导入错误；错误报告仍可从原地址查看")
    return redirect("home")


@login_required
def template(request, kind):
    if kind not in KINDS:
        raise Http404
    buffer = io.BytesIO()
    write_template(kind, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(KINDS[kind].label + "导入模板.xlsx")
    return response


@login_required
def org_export(request, code, kind):
    """An org's subtree as the orgs or people template (served under /orgs/…, routed in tuijin/urls.py)."""
    org = get_object_or_404(Org.objects.visible_to(request.user), code=code)
    if kind not in ("orgs", "people"):
        raise Http404
    buffer = io.BytesIO()
    export_subtree(kind, org, buffer, user=request.user)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = f"{org.code}-{'组织' if kind == 'orgs' else '人员'}.xlsx"
    response["Content-Disposition"] = content_disposition(filename)
    return response

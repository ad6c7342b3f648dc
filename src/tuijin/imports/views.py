"""The upload page: the same all-or-nothing import as `tuijin import`, for clerks in a browser."""
import io

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from tuijin.core.files import content_disposition
from tuijin.core.scope import scope_paths

from .registry import KINDS, ImportFailed, run_import, write_template

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
        context["dry_run"] = bool(request.POST.get("dry_run"))
        if upload is None:
            context["errors"] = ["请选择要导入的 Excel 文件"]
        elif upload.size > settings.TUIJIN_UPLOAD_MAX_BYTES:
            context["errors"] = [f"文件太大（{upload.size // 1024 // 1024} MB），"
                                 f"上限 {settings.TUIJIN_UPLOAD_MAX_BYTES // 1024 // 1024} MB"]
        else:
            try:
                result = run_import(kind, io.BytesIO(upload.read()), actor=request.user,
                                    dry_run=context["dry_run"])
                context["result"], context["warnings"] = result, result.warnings
            except ImportFailed as exc:
                context["errors"], context["warnings"] = exc.errors, exc.warnings
        context["filename"] = upload.name if upload else ""
    return render(request, "imports/index.html", context)


@login_required
def template(request, kind):
    if kind not in KINDS:
        raise Http404
    buffer = io.BytesIO()
    write_template(kind, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = content_disposition(KINDS[kind].label + '导入模板.xlsx')
    return response

"""Research visit and practical-project pages (SPEC §2.4).

Thin: parse, call an action or a query, render. Every read goes through visible_to(), so out of
scope is 404; every change goes through actions.py, whose Chinese messages are shown as they are.
"""

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tuijin.core.scope import subtree_q
from tuijin.campaigns.queries import current_campaign
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.files import content_disposition, uploaded
from tuijin.core.middleware import scope_before_body
from tuijin.core.models import DomainEvent
from tuijin.core.permissions import can
from tuijin.core.pages import evidence_download as download_evidence
from tuijin.core.pages import page_query
from tuijin.core.scope import scope_paths
from tuijin.imports.registry import export_subtree
from tuijin.orgs.models import Org, Person
from tuijin.orgs.queries import visible_ancestors
from tuijin.rectification.models import Problem

from . import actions, genericness, queries
from .forms import (
    EvidenceForm,
    FindingAddForm,
    FindingFormSet,
    ProjectEditForm,
    ProjectForm,
    StatusForm,
    ToMeasureForm,
    ToProblemForm,
    VisitForm,
)
from .indicators import VISITS_PER_CADRE_TARGET
from .models import NEED_CATEGORIES, Finding, Project, ProjectEvidence, ProjectStatus, ResearchVisit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VISITED_ORG_CHOICES = 300


# ------------------------------------------------------------------ helpers


def _org(request, code) -> Org:
    return get_object_or_404(Org.objects.visible_to(request.user), code=code)


def _visit(request, pk) -> ResearchVisit:
    return get_object_or_404(
        ResearchVisit.objects.visible_to(request.user).select_related("person", "org", "visited_org"), pk=pk
    )


def _project(request, pk) -> Project:
    return get_object_or_404(Project.objects.visible_to(request.user).select_related("org"), pk=pk)


def _form_error(form, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _valid(form) -> dict:
    """cleaned_data, or an ActionError naming the first bad field (for the one-button action forms)."""
    if form.is_valid():
        return form.cleaned_data
    name, errors = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else ""
    raise ActionError(f"{label}：{errors[0]}" if label else errors[0], field=name)


def _sub_org(request, org):
    code = request.GET.get("org", "")
    if not code:
        return None
    return get_object_or_404(Org.objects.visible_to(request.user), subtree_q("path", org.path), code=code)


def _with(request, **params) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def root(request):
    """The nav's 调研与办实事: the first scope root's visits (a member: their own org's); with ?scope=all,
    for a user whose scope has several roots, one list of visits across them."""
    roots = list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path"))
    if request.GET.get("scope") == "all" and len(roots) > 1:
        g = request.GET
        converted = g.get("converted", "") if g.get("converted", "") in ("", "0", "1") else ""
        q = g.get("q", "").strip()
        rows = queries.visit_list(request.user, roots, converted=converted, q=q)
        return render(
            request,
            "research/visits_all.html",
            {
                "roots": roots,
                "page": Paginator(rows, 50).get_page(g.get("page")),
                "query": page_query(request),
                "converted": converted,
                "q": q,
                "filters": [
                    (label, value, _with(request, converted=value))
                    for label, value in (("全部", ""), ("有未转化的发现", "0"), ("有已转化的发现", "1"))
                ],
            },
        )
    org = roots[0] if roots else None
    if org is None and request.user.person_id:
        org = request.user.person.org
    if org is None:
        raise Http404("没有可查看的组织")
    return redirect("research:visits", code=org.code)


# ------------------------------------------------------------------ research visits


def _people_for(user, org):
    """Whom the user may record a visit for at this org: everyone there for a clerk or an office,
    only themselves for a member."""
    people = Person.objects.visible_to(user).filter(org=org, active=True)
    if not can(user, "records.manage", org):
        people = people.filter(pk=user.person_id) if user.person_id else people.none()
    return list(people.order_by("-is_leading_cadre", "number"))


@login_required
def visits(request, code):
    org = _org(request, code)
    as_of = today()
    g = request.GET
    converted = g.get("converted", "") if g.get("converted", "") in ("", "0", "1") else ""
    sub_org = _sub_org(request, org)
    q = g.get("q", "").strip()
    rows = queries.visit_list(request.user, org, converted=converted, q=q, sub_org=sub_org)
    return render(
        request,
        "research/visits.html",
        {
            "org": org,
            "as_of": as_of,
            "breadcrumb": visible_ancestors(request.user, org),
            "section": "visits",
            "page": Paginator(rows, 50).get_page(g.get("page")),
            "query": page_query(request),
            "converted": converted,
            "q": q,
            "sub_org": sub_org,
            "filters": [
                (label, value, _with(request, converted=value))
                for label, value in (("全部", ""), ("有未转化的发现", "0"), ("有已转化的发现", "1"))
            ],
            "children": Org.objects.visible_to(request.user).filter(parent=org, active=True).order_by("path"),
            "summary": queries.research_summary(request.user, org, as_of),
            "expected_per_cadre": _expected_per_cadre(org, as_of),
            "idle_cadres": queries.cadres_without_visits(request.user, org, as_of, limit=20),
            "can_record": bool(_people_for(request.user, org)),
            "roots": list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path")),
        },
    )


def _expected_per_cadre(org, as_of):
    campaign = current_campaign(org, as_of)
    return VISITS_PER_CADRE_TARGET * campaign.progress(as_of) if campaign else None


@login_required
def visit_new(request, code):
    org = _org(request, code)
    people = _people_for(request.user, org)
    if not people:
        raise PermissionDenied(f"您不能为“{org.name}”登记调研（没有可选的调研人）")
    orgs = list(
        Org.objects.visible_to(request.user)
        .filter(subtree_q("path", org.path), active=True, depth__lte=org.depth + 2)
        .order_by("path")[:VISITED_ORG_CHOICES]
    )
    form = VisitForm(request.POST or None, people=people, orgs=orgs, initial={"date": today()})
    findings = FindingFormSet(request.POST or None, prefix="f")
    if request.method == "POST" and all([form.is_valid(), findings.is_valid()]):
        data = form.cleaned_data
        person = next(p for p in people if p.number == data["person"])
        visited = next((o for o in orgs if o.code == data["visited_org"]), None)
        texts = [f.cleaned_data.get("text", "") for f in findings]
        try:
            visit = actions.record_visit(
                actor=request.user,
                person=person,
                date=data["date"],
                topic=data["topic"],
                place=data["place"],
                visited_org=visited,
                outcome=data["outcome"],
                findings=texts,
                today=today(),
            )
        except ActionError as exc:
            _form_error(form, exc)
        else:
            n = visit.findings.count()
            messages.success(request, f"已登记{person.name}的调研“{visit.topic}”" + (f"，发现问题 {n} 条" if n else ""))
            return redirect("research:visit", pk=visit.pk)
    return render(
        request,
        "research/visit_new.html",
        {
            "org": org,
            "form": form,
            "findings": findings,
            "breadcrumb": visible_ancestors(request.user, org),
            "section": "visits",
        },
    )


def _conversion_orgs(user, visit):
    """Orgs whose problem list a finding may join: the visit's org and the visited org, where the user may."""
    orgs = [visit.org] + ([visit.visited_org] if visit.visited_org_id and visit.visited_org_id != visit.org_id else [])
    return [
        o
        for o in orgs
        if o.active and can(user, "records.manage", o) and Org.objects.visible_to(user).filter(pk=o.pk).exists()
    ]


@login_required
def visit_detail(request, pk):
    user, visit = request.user, _visit(request, pk)
    findings = list(visit.findings.select_related("converted_problem", "converted_problem__org", "converted_measure"))
    linked = [f.converted_problem_id for f in findings if f.converted_problem_id]
    visible_problems = set(Problem.objects.visible_to(user).filter(pk__in=linked).values_list("pk", flat=True))
    orgs = _conversion_orgs(user, visit)
    problems = list(queries.problems_for_conversion(user, orgs)) if orgs else []
    rows = []
    for f in findings:
        rows.append(
            {
                "finding": f,
                "problem_visible": f.converted_problem_id in visible_problems,
                "to_problem": ToProblemForm(prefix=f"p{f.pk}", orgs=orgs, initial={"description": f.text}),
                "to_measure": ToMeasureForm(prefix=f"m{f.pk}", problems=problems, initial={"text": f.text}),
            }
        )
    return render(
        request,
        "research/visit_detail.html",
        {
            "visit": visit,
            "org": visit.org,
            "rows": rows,
            "section": "visits",
            "breadcrumb": visible_ancestors(user, visit.org),
            "can_convert": bool(orgs),
            "can_measure": bool(problems),
            "can_add": actions.can_record_for(user, visit.person),
            "add_form": FindingAddForm(),
            "converted": sum(1 for f in findings if f.converted),
            "events": DomainEvent.objects.filter(
                target_type="research.researchvisit", target_id=str(visit.pk)
            ).order_by("-at", "-id")[:50],
        },
    )


@login_required
@require_POST
def finding_action(request, pk, name):
    visit = _visit(request, pk)
    if name == "add":
        try:
            actions.add_finding(visit, actor=request.user, text=_valid(FindingAddForm(request.POST))["text"])
            messages.success(request, "已添加发现问题")
        except ActionError as exc:
            messages.error(request, exc.message)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or "没有权限执行此操作")
        return redirect("research:visit", pk=visit.pk)
    if name not in ("problem", "measure"):
        raise Http404
    fpk = request.POST.get("finding", "")
    finding = get_object_or_404(Finding.objects.filter(visit=visit), pk=int(fpk) if fpk.isdigit() else 0)
    try:
        if name == "problem":
            orgs = _conversion_orgs(request.user, visit)
            data = _valid(ToProblemForm(request.POST, prefix=f"p{finding.pk}", orgs=orgs))
            org = next(o for o in orgs if o.code == data["org"])
            problem = actions.convert_to_problem(
                finding,
                actor=request.user,
                found_on=today(),
                org=org,
                description=data["description"],
                category=data["category"],
                responsible=data["responsible"],
                deadline=data["deadline"],
            )
            messages.success(request, f"已转为{org.name}问题清单中的问题 {problem.number}")
        else:
            problems = list(queries.problems_for_conversion(request.user, _conversion_orgs(request.user, visit)))
            data = _valid(ToMeasureForm(request.POST, prefix=f"m{finding.pk}", problems=problems))
            problem = next(p for p in problems if str(p.pk) == data["problem"])
            actions.convert_to_measure(
                finding,
                actor=request.user,
                problem=problem,
                as_of=today(),
                text=data["text"],
                owner=data["owner"],
                deadline=data["deadline"],
            )
            messages.success(request, f"已转为问题 {problem.number} 的整改措施")
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("research:visit", pk=visit.pk)


# ------------------------------------------------------------------ practical projects


@login_required
def projects(request, code):
    org = _org(request, code)
    as_of = today()
    g = request.GET
    f = {
        "flagged": g.get("flagged", "") if g.get("flagged") in ("0", "1") else "",
        "status": g.get("status", "") if g.get("status") in ProjectStatus.values else "",
        "category": g.get("category", "") if g.get("category") in NEED_CATEGORIES else "",
        "q": g.get("q", "").strip(),
        "sub_org": _sub_org(request, org),
    }
    rows = queries.project_list(request.user, org, **f)
    # Status pills count within the 疑似泛化 filter, and the 疑似泛化 count within the status filter, so the
    # numbers shown always match the rows the other filter leaves.
    counts = queries.project_counts(queries.project_list(request.user, org, **{**f, "status": ""}, annotate=False))
    flagged_count = queries.project_list(request.user, org, **{**f, "flagged": "1"}, annotate=False).count()
    pills = [
        ("全部", "", counts["total"]),
        ("未开始", ProjectStatus.NOT_STARTED, counts["todo"]),
        ("推进中", ProjectStatus.IN_PROGRESS, counts["doing"]),
        ("已完成", ProjectStatus.DONE, counts["done"]),
    ]
    return render(
        request,
        "research/projects.html",
        {
            "org": org,
            "as_of": as_of,
            "f": f,
            "breadcrumb": visible_ancestors(request.user, org),
            "section": "projects",
            "page": Paginator(rows, 50).get_page(g.get("page")),
            "query": page_query(request),
            "pills": [(label, value, n, _with(request, status=value)) for label, value, n in pills],
            "flagged_count": flagged_count,
            "flagged_url": _with(request, flagged="1"),
            "unflag_url": _with(request, flagged=""),
            "children": Org.objects.visible_to(request.user).filter(parent=org, active=True).order_by("path"),
            "categories": NEED_CATEGORIES,
            "can_manage": can(request.user, "records.manage", org),
            # 新增 creates for the unit filtered to, not for the list's own org.
            "new_for": f["sub_org"] or org,
            "can_create": can(request.user, "records.manage", f["sub_org"] or org),
        },
    )


@login_required
def project_new(request, code):
    org = _org(request, code)
    if not can(request.user, "records.manage", org):
        raise PermissionDenied(f"您没有管理“{org.name}”办实事项目的权限")
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = actions.create_project(actor=request.user, org=org, listed_on=today(), **form.cleaned_data)
        except ActionError as exc:
            _form_error(form, exc)
        else:
            _saved_message(request, project, "已列入办实事项目清单")
            return redirect("research:project", pk=project.pk)
    return render(
        request,
        "research/project_form.html",
        {
            "org": org,
            "form": form,
            "breadcrumb": visible_ancestors(request.user, org),
            "section": "projects",
            "title": "新增办实事项目",
            "live_check": True,
            "reasons": genericness.check(**_check_args(form)) if request.method == "POST" else [],
        },
    )


def _saved_message(request, project, done: str) -> None:
    """Saved either way; a flagged project tells the clerk why an office will look at it."""
    if project.flagged:
        messages.warning(
            request,
            f"{done}。该项目疑似泛化，办公室会看到此提示：{'；'.join(project.flag_reasons)}。"
            "如确属为群众办的实事，请补充写明群众需求和受益人数。",
        )
    else:
        messages.success(request, done)


def _check_args(form) -> dict:
    data = form.data
    beneficiaries = (data.get("beneficiaries") or "").strip()
    return {
        "name": data.get("name", ""),
        "need": data.get("need", ""),
        "need_category": data.get("need_category", ""),
        "beneficiaries": int(beneficiaries) if beneficiaries.isdigit() else None,
    }


@login_required
@require_POST
def project_check(request, code):
    """htmx: the 疑似泛化 reasons for the form as typed, before saving."""
    _org(request, code)
    reasons = genericness.check(**_check_args(ProjectForm(request.POST)))
    return render(request, "research/_flags.html", {"reasons": reasons, "preview": True})


@login_required
def project_detail(request, pk):
    project = _project(request, pk)
    as_of = today()
    manage = can(request.user, "records.manage", project.org)
    return render(
        request,
        "research/project_detail.html",
        {
            "project": project,
            "org": project.org,
            "as_of": as_of,
            "overdue": project.is_overdue(as_of),
            "breadcrumb": visible_ancestors(request.user, project.org),
            "section": "projects",
            "evidence": project.evidence.select_related("uploaded_by"),
            "can_manage": manage,
            "publication": project.publication if project.publication and project.publication.active else None,
            "status_form": StatusForm(initial={"status": project.status}),
            "evidence_form": EvidenceForm(),
            "upload_limit_mb": settings.TUIJIN_UPLOAD_MAX_BYTES // 1048576,
            "events": DomainEvent.objects.filter(target_type="research.project", target_id=str(project.pk)).order_by(
                "-at", "-id"
            )[:50],
        },
    )


@login_required
def project_edit(request, pk):
    project = _project(request, pk)
    if not can(request.user, "records.manage", project.org):
        raise PermissionDenied("只有责任组织可以修改项目")
    current = {name: getattr(project, name) for name in actions.PROJECT_FIELDS}
    form = ProjectEditForm(initial={**current, "version": project.version})
    if request.method == "POST":
        form = ProjectEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = actions.update_project(
                    project,
                    actor=request.user,
                    version=data["version"],
                    **{name: data[name] for name in actions.PROJECT_FIELDS},
                )
            except StaleEdit as exc:
                messages.error(request, exc.message)
                project = _project(request, pk)
                current = {name: getattr(project, name) for name in actions.PROJECT_FIELDS}
                form = ProjectEditForm(initial={**current, "version": project.version})
            except ActionError as exc:
                _form_error(form, exc)
            else:
                _saved_message(request, project, "已保存修改")
                return redirect("research:project", pk=project.pk)
    return render(
        request,
        "research/project_form.html",
        {
            "org": project.org,
            "project": project,
            "form": form,
            "section": "projects",
            "breadcrumb": visible_ancestors(request.user, project.org),
            "title": f"修改项目：{project.name}",
            "live_check": False,
            "reasons": project.flag_reasons,
        },
    )


@scope_before_body(lambda request, pk, name: _project(request, pk))  # 404 before an upload is parsed
@login_required
@require_POST
def project_action(request, pk, name):
    project = _project(request, pk)
    try:
        if name == "status":
            status = _valid(StatusForm(request.POST))["status"]
            actions.set_project_status(project, actor=request.user, status=status, as_of=today())
            messages.success(request, f"状态已改为“{status}”")
        elif name == "evidence":
            upload = uploaded(request)
            if upload is None:
                raise ActionError("请选择要上传的文件", field="file")
            limit = settings.TUIJIN_UPLOAD_MAX_BYTES
            if upload.size > limit:
                raise ActionError(
                    f"文件“{upload.name}”太大（{upload.size / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB"
                )
            evidence = actions.attach_project_evidence(
                project, actor=request.user, name=upload.name, data=upload.read()
            )
            messages.success(request, f"已上传佐证材料“{evidence.name}”")
        elif name == "publish":
            actions.publish_project(project, actor=request.user, summary=request.POST.get("summary", "").strip())
            messages.success(request, "已公示，群众可扫码或打开链接评价")
        else:
            raise Http404
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("research:project", pk=project.pk)


@login_required
def evidence_download(request, pk):
    return download_evidence(request, ProjectEvidence, pk)


@login_required
def export(request, code, kind):
    """The subtree's visits or projects in the template's columns: it imports back unchanged."""
    if kind not in ("research", "projects"):
        raise Http404
    org = _org(request, code)
    buffer = io.BytesIO()
    export_subtree(kind, org, buffer, user=request.user)
    label = "调研记录" if kind == "research" else "办实事项目清单"
    return _attachment(buffer.getvalue(), f"{org.code}-{label}-{today():%Y%m%d}.xlsx", XLSX)

"""Problem list pages (SPEC §2.5): the list and its ledger, a problem and its actions, hand-down,
rules (建章立制) and the 满意清单.

Thin: parse, call an action or a query, render. Every read goes through visible_to(), so out of
scope is 404; every change goes through actions.py, whose Chinese messages are shown as they are.
"""

import io
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tuijin.core.scope import subtree_q
from tuijin.campaigns.queries import current_campaign, problem_categories
from tuijin.core import readcache
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.files import content_disposition, uploaded
from tuijin.core.middleware import scope_before_body
from tuijin.core.models import DomainEvent
from tuijin.core.permissions import can
from tuijin.core.pages import evidence_download as download_evidence
from tuijin.core.pages import page_query
from tuijin.core.scope import scope_paths
from tuijin.imports.registry import KINDS
from tuijin.imports.writer import write_xlsx
from tuijin.orgs.models import Org, OrgKind
from tuijin.orgs.queries import visible_ancestors
from tuijin.orgs.tree import ancestor_paths

from . import actions, queries, transitions
from .forms import (
    CloseForm,
    EditForm,
    EscalateForm,
    EvidenceForm,
    HandDownForm,
    MeasureForm,
    MeasureFormSet,
    MilestoneForm,
    ProblemForm,
    PublishForm,
    ReasonForm,
    RuleForm,
)
from .models import ACTIVE_STATES, SOURCES, Evidence, InstitutionRule, Problem, PublicItem, Recheck, SelfCheck, State

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ------------------------------------------------------------------ helpers


def _org(request, code) -> Org:
    return get_object_or_404(Org.objects.visible_to(request.user), code=code)


def _problem(request, pk) -> Problem:
    return get_object_or_404(
        Problem.objects.visible_to(request.user).select_related("org", "origin_org", "parent"), pk=pk
    )


def _require_manage(user, org) -> None:
    if not can(user, "records.manage", org):
        raise PermissionDenied(f"您没有管理“{org.name}”问题清单的权限")


def _form_error(form, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _valid(form) -> dict:
    """cleaned_data, or an ActionError naming the first bad field (for the one-button action forms)."""
    if form.is_valid():
        return form.cleaned_data
    name, errors = next(iter(form.errors.items()))
    label = form.fields[name].label if name in form.fields else ""
    raise ActionError(f"{label}：{errors[0]}" if label else errors[0], field=name)


def _version(request):
    value = request.POST.get("version", "")
    return int(value) if value.isdigit() else None


def _with(request, **params) -> str:
    """The current query string with some parameters replaced (and the page reset)."""
    query = request.GET.copy()
    query.pop("page", None)
    for key, value in params.items():
        query.pop(key, None)
        if value:
            query[key] = value
    return "?" + query.urlencode() if query else "?"


# ------------------------------------------------------------------ the list and its ledger


@login_required
def root(request):
    """The nav's 问题整改: the list of the user's first scope root; with ?scope=all, for a user whose
    scope has several roots (a guidance group assigned two districts), one list across all of them."""
    roots = list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path"))
    if not roots:
        raise Http404("没有可查看的组织")
    if request.GET.get("scope") == "all" and len(roots) > 1:
        return _list_all(request, roots)
    return redirect("rectification:list", code=roots[0].code)


def _list_all(request, roots):
    """全部: the problems of every scope root in one list, exactly as each root's list would show them."""
    as_of = today()
    filters = _filters(request, None)
    del filters["cadre"]  # a cadre's own list is asked for on one org's list
    unstated = queries.problem_list(request.user, roots, as_of=as_of, **{**filters, "state": ""})
    rows = queries.problem_list(request.user, roots, as_of=as_of, **filters).annotate(
        measures_total=Count("measures"), measures_done=Count("measures", filter=Q(measures__done=True))
    )
    counts = queries.state_counts(unstated)
    states = [("全部", "", sum(counts.values()))] + [(s.label, s.value, counts[s.value]) for s in State]
    return render(
        request,
        "rectification/list.html",
        {
            "everywhere": True,
            "org": None,
            "roots": roots,
            "as_of": as_of,
            "f": filters,
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "query": page_query(request),
            "states": [(label, value, n, _with(request, state=value)) for label, value, n in states],
            "overdue_count": unstated.filter(state__in=ACTIVE_STATES, deadline__lt=as_of).count(),
            "sources": SOURCES,
            "categories": problem_categories(roots[0], as_of),
            "overdue_url": _with(request, overdue="1"),
        },
    )


def _filters(request, org) -> dict:
    g = request.GET
    sub_org = None
    if g.get("org") and org is not None:
        sub_org = get_object_or_404(Org.objects.visible_to(request.user), subtree_q("path", org.path), code=g["org"])
    cadre = None
    if g.get("cadre") and org is not None:  # 领导干部个人检视: one cadre's own list
        cadre = get_object_or_404(queries.org_cadres(request.user, org), number=g["cadre"])
    return {
        "cadre": cadre,
        "state": g.get("state", ""),
        "source": g.get("source", ""),
        "category": g.get("category", ""),
        "overdue": g.get("overdue") == "1",
        "include_withdrawn": g.get("withdrawn") == "1",
        "q": g.get("q", "").strip(),
        "sub_org": sub_org,
        "recheck": g.get("recheck", "") if g.get("recheck") in ("due", "overdue") else "",
    }


@login_required
def problem_list(request, code):
    org = _org(request, code)
    as_of = today()
    filters = _filters(request, org)
    # The body is kept until the next recorded change (core/readcache.py); the scope checks above are not.
    body = readcache.page_body(request, "problems")
    if body.hit:
        return render(request, "rectification/list.html", {"org": org, "readcache": body})
    unstated = queries.problem_list(request.user, org, as_of=as_of, **{**filters, "state": ""})
    rows = queries.problem_list(request.user, org, as_of=as_of, **filters).annotate(
        measures_total=Count("measures"), measures_done=Count("measures", filter=Q(measures__done=True))
    )
    counts = queries.state_counts(unstated)
    new_for = filters["sub_org"] or org
    roots = list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path"))
    states = [("全部", "", sum(counts.values()))] + [(s.label, s.value, counts[s.value]) for s in State]
    return render(
        request,
        "rectification/list.html",
        {
            "org": org,
            "readcache": body,
            "as_of": as_of,
            "f": filters,
            "breadcrumb": visible_ancestors(request.user, org),
            "page": Paginator(rows, 50).get_page(request.GET.get("page")),
            "query": page_query(request),
            "states": [(label, value, n, _with(request, state=value)) for label, value, n in states],
            "overdue_count": unstated.filter(state__in=ACTIVE_STATES, deadline__lt=as_of).count(),
            "children": Org.objects.visible_to(request.user).filter(parent=org, active=True).order_by("path"),
            "sources": SOURCES,
            "categories": problem_categories(org, today()),
            "overdue_url": _with(request, overdue="1"),
            "ledger_query": _with(request),
            "can_manage": can(request.user, "records.manage", org),
            # 新增 creates for the unit filtered to, not for the list's own org.
            "new_for": new_for,
            "can_create": can(request.user, "records.manage", new_for),
            "roots": roots if len(roots) > 1 else [],
            # 领导干部个人检视问题: per cadre, over what the user sees of the org (or of the unit filtered to)
            "cadre_counts": queries.cadre_counts(
                queries.problem_list(request.user, org, as_of=as_of, sub_org=filters["sub_org"])
            ),
        },
    )


def _ledger_row(p: Problem) -> list:
    values = {
        "组织编码": p.org.code,
        "问题编号": p.number,
        "问题类别": p.category,
        "问题来源": p.source,
        "问题描述": p.description,
        "整改措施": [m.text for m in p.measures.all()],
        "责任人": p.responsible,
        "整改时限": p.deadline,
        "整改状态": p.state,
        "是否专项整治": p.is_special,
    }
    return [values[h] for h in KINDS["problems"].headers]


@login_required
def ledger(request, code):
    """台账: the list as filtered, in the problems template's columns, so it imports back."""
    org = _org(request, code)
    rows = queries.problem_list(request.user, org, as_of=today(), **_filters(request, org)).prefetch_related("measures")
    kind = KINDS["problems"]
    buffer = io.BytesIO()
    write_xlsx(
        buffer,
        kind.headers,
        (_ledger_row(p) for p in rows.iterator(chunk_size=2000)),
        sheet_name=kind.label,
        notes=kind.notes,
        title=f"{org.name}问题整改台账",
    )
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = f"{org.code}-问题整改台账-{today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition(filename)
    return response


# ------------------------------------------------------------------ new problem, edit


def _cadres(user, org, keep=None):
    """The leading cadres a 个人检视 problem of `org` may name: active ones, and the one it names now."""
    return queries.org_cadres(user, org).filter(Q(active=True) | Q(pk=keep))


@login_required
def problem_new(request, code):
    org = _org(request, code)
    _require_manage(request.user, org)
    form = ProblemForm(
        request.POST or None,
        initial={"found_on": today()},
        categories=problem_categories(org, today()),
        cadres=_cadres(request.user, org),
    )
    measures = MeasureFormSet(request.POST or None, prefix="m")
    if request.method == "POST" and all([form.is_valid(), measures.is_valid()]):
        rows = [m for m in (f.measure() for f in measures) if m]
        try:
            problem = actions.create_problem(actor=request.user, org=org, measures=rows, **form.cleaned_data)
        except ActionError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已新增问题 {problem.number}")
            return redirect("rectification:detail", pk=problem.pk)
    return render(
        request,
        "rectification/new.html",
        {"org": org, "form": form, "measures": measures, "breadcrumb": visible_ancestors(request.user, org)},
    )


@login_required
def problem_edit(request, pk):
    problem = _problem(request, pk)
    if not actions.can_rectify(request.user, problem):
        raise PermissionDenied("只有责任单位可以修改问题")
    current = {name: getattr(problem, name) for name in actions.EDITABLE}
    categories = problem_categories(problem.org, problem.found_on)
    categories += [problem.category] if problem.category not in categories else []
    cadres = _cadres(request.user, problem.org, problem.owner_person_id)
    form = EditForm(initial={**current, "version": problem.version}, categories=categories, cadres=cadres)
    unsaved = []
    if request.method == "POST":
        form = EditForm(request.POST, categories=categories, cadres=cadres)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_problem(
                    problem,
                    actor=request.user,
                    version=data["version"],
                    **{name: data[name] for name in actions.EDITABLE},
                )
            except StaleEdit as exc:
                # Someone saved first: show what is stored now, and what this user typed, so nothing is lost
                # and nothing is overwritten.
                messages.error(request, exc.message)
                problem = _problem(request, pk)
                current = {name: getattr(problem, name) for name in actions.EDITABLE}
                unsaved = [(form.fields[n].label, data[n]) for n in actions.EDITABLE if data[n] != current[n]]
                form = EditForm(initial={**current, "version": problem.version}, categories=categories, cadres=cadres)
            except ActionError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, "已保存修改")
                return redirect("rectification:detail", pk=problem.pk)
    return render(request, "rectification/edit.html", {"problem": problem, "form": form, "unsaved": unsaved})


# ------------------------------------------------------------------ one problem


def _allowed(user, problem: Problem, item, has_ancestors: bool) -> dict:
    """Which action forms to show. The actions check again; this only hides what would be refused."""
    s, live = problem.state, not problem.withdrawn
    rectify = live and actions.can_rectify(user, problem)
    coop_ids = (
        []
        if rectify
        else [c.org_id for c in problem.cooperations.select_related("org") if can(user, "records.manage", c.org)]
    )
    review = live and actions.can_review(user, problem) and not problem.is_hand_down
    # A hand-down parent only shows its children's progress; it can still be edited or withdrawn.
    flow = not problem.is_hand_down
    open_ = s != State.CLOSED
    return {
        "rectify": rectify,
        "review": review,
        "start": rectify and flow and transitions.in_source_state("start", problem),
        "submit": rectify and flow and transitions.in_source_state("submit", problem),
        "edit": rectify and open_,
        "measures": rectify and open_ and s != State.SUBMITTED,
        "evidence": rectify and open_,
        "set_aside": review and open_,
        "withdraw": rectify and open_,
        "escalate": rectify and flow and open_ and has_ancestors,
        "close": review and transitions.in_source_state("close", problem),
        "send_back": review and transitions.in_source_state("send_back", problem),
        "reopen": review and transitions.in_source_state("reopen", problem),
        "recheck": review and s == State.CLOSED and problem.rechecks.filter(result=Recheck.Result.PENDING).exists(),
        # 联合会诊: the cooperating orgs this user manages (their measures are its to add and mark)
        "coop_ids": coop_ids,
        "coop_measures": live and open_ and s != State.SUBMITTED and bool(coop_ids),
        "cooperate": rectify and open_ and flow,
        "publish": (rectify or review) and s in (State.SUBMITTED, State.CLOSED) and not (item and item.active),
    }


def _ancestors(problem: Problem):
    return list(Org.objects.filter(path__in=ancestor_paths(problem.org)).order_by("-depth"))


@login_required
def problem_detail(request, pk):
    user, problem = request.user, _problem(request, pk)
    as_of = today()
    item = PublicItem.objects.filter(problem=problem).first()
    ancestors = _ancestors(problem) if actions.can_rectify(user, problem) else []
    children = (
        problem.children.visible_to(user)
        .select_related("org")
        .annotate(measures_total=Count("measures"), measures_done=Count("measures", filter=Q(measures__done=True)))
    )
    campaign = current_campaign(problem.org, as_of) if item else None
    # The list this problem is reached from: its org's, or for an escalated one, the unit that raised it.
    home = next(
        (o for o in (problem.org, problem.origin_org) if o and Org.objects.visible_to(user).filter(pk=o.pk).exists()),
        None,
    )
    return render(
        request,
        "rectification/detail.html",
        {
            "problem": problem,
            "as_of": as_of,
            "overdue": problem.is_overdue(as_of),
            "org": home,
            "breadcrumb": visible_ancestors(user, home) if home else [],
            "events": _timeline(problem),
            "measures": problem.measures.select_related("org"),
            # a cooperating org sees the problem and every org's measures, not the lead org's files
            "evidence": problem.evidence.visible_to(user).select_related("uploaded_by"),
            "cooperations": problem.cooperations.select_related("org").order_by("org__path"),
            "rules": problem.institution_rules.all(),
            "rechecks": problem.rechecks.all(),
            "milestones": problem.milestones.all(),
            "milestone_form": MilestoneForm(),
            "plan_uploaded": problem.is_special and problem.evidence.filter(kind=Evidence.Kind.PLAN).exists(),
            "children": children,
            "progress": queries.children_progress(problem) if children else None,
            "parent_visible": problem.parent_id
            and Problem.objects.visible_to(user).filter(pk=problem.parent_id).exists(),
            "item": item,
            "in_satisfaction_list": item and queries.in_satisfaction_list(item, campaign),
            "may": _allowed(user, problem, item, bool(ancestors)),
            "edit_version": problem.version,
            "upload_limit_mb": settings.TUIJIN_UPLOAD_MAX_BYTES // 1048576,
            "escalate_form": EscalateForm(ancestors=ancestors),
            "evidence_form": EvidenceForm(),
            "measure_form": MeasureForm(),
            "publish_form": PublishForm(initial={"title": problem.description[:60]}),
            "kinds": Evidence.Kind,
        },
    )


def _timeline(problem: Problem) -> list[tuple]:
    """(time, who, what) newest first; the "<org> 问题 <number>：" every summary starts with is left out."""
    events = (
        DomainEvent.objects.filter(target_type="rectification.problem", target_id=str(problem.pk))
        .select_related("actor__person")
        .order_by("-at", "-id")
    )
    prefix = f"{problem.org.name} 问题 {problem.number}"
    return [
        (
            e.at,
            e.actor.display_name if e.actor else e.actor_label,
            e.summary.removeprefix(prefix).lstrip("： ") or e.summary,
        )
        for e in events
    ]


def _start(request, p):
    actions.start_rectification(p, actor=request.user, version=_version(request))
    return "已开始整改"


def _submit(request, p):
    actions.submit_for_acceptance(p, actor=request.user, version=_version(request))
    return "已提交验收，等待上级验收销号"


def _close(request, p):
    data = _valid(CloseForm(request.POST))
    actions.close_problem(
        p, actor=request.user, as_of=today(), comment=data["comment"], change=data["change"], version=_version(request)
    )
    return "已验收销号"


def _send_back(request, p):
    actions.send_back(
        p, actor=request.user, reason=_valid(ReasonForm(request.POST))["reason"], version=_version(request)
    )
    return "已退回整改"


def _reopen(request, p):
    actions.reopen_problem(
        p, actor=request.user, reason=_valid(ReasonForm(request.POST))["reason"], version=_version(request)
    )
    return "已标记为反弹，问题重新打开"


def _cooperate(request, p):
    codes = [c for c in re.split(r"[\s,，、；;]+", request.POST.get("orgs", "")) if c]
    orgs = list(Org.objects.visible_to(request.user).filter(code__in=codes))
    missing = sorted(set(codes) - {o.code for o in orgs})
    if missing:
        raise PermissionDenied(f"组织编码“{'、'.join(missing)}”不存在或不在您的管理范围内")
    added = actions.add_cooperation(p, actor=request.user, orgs=orgs, as_of=today())
    return f"已增加联合整改单位 {len(added)} 个"


def _add_milestone(request, p):
    data = _valid(MilestoneForm(request.POST))
    actions.add_milestone(p, actor=request.user, title=data["title"], due_on=data["due_on"], owner=data["owner"])
    return "已添加专项整治节点"


def _milestone_done(request, p):
    pk = request.POST.get("milestone", "")
    milestone = get_object_or_404(p.milestones, pk=int(pk) if pk.isdigit() else 0)
    done = request.POST.get("done", "1") == "1"
    actions.set_milestone_done(milestone, actor=request.user, done=done, as_of=today())
    return f"节点“{milestone.title[:20]}”{'已完成' if done else '改为未完成'}"


def _recheck_confirm(request, p):
    actions.recheck_problem(
        p,
        actor=request.user,
        as_of=today(),
        confirm=True,
        note=request.POST.get("note", "")[:300],
        version=_version(request),
    )
    return "回头看已确认：整改成果巩固"


def _recheck_reopen(request, p):
    actions.recheck_problem(
        p,
        actor=request.user,
        as_of=today(),
        confirm=False,
        note=_valid(ReasonForm(request.POST))["reason"],
        version=_version(request),
    )
    return "回头看发现问题反弹，已重新打开"


def _withdraw(request, p):
    actions.withdraw_problem(
        p, actor=request.user, reason=_valid(ReasonForm(request.POST))["reason"], version=_version(request)
    )
    return "问题已撤回，仍保留在历史记录中"


def _escalate(request, p):
    ancestors = _ancestors(p)
    data = _valid(EscalateForm(request.POST, ancestors=ancestors))
    to = next(o for o in ancestors if o.code == data["to"])
    actions.escalate(p, actor=request.user, to=to, reason=data["reason"], version=_version(request))
    return f"已提交{to.name}解决，本单位可继续查看办理进度"


def _publish(request, p):
    data = _valid(PublishForm(request.POST))
    actions.publish(p, actor=request.user, title=data["title"].strip(), summary=data["summary"].strip())
    return "已公示，群众可通过链接或二维码评价"


def _add_measure(request, p):
    data = _valid(MeasureForm(request.POST))
    actions.add_measure(
        p,
        actor=request.user,
        text=data["text"],
        owner=data["owner"],
        deadline=data["deadline"],
        kind=data.get("kind") or "立行立改",
    )
    return "已添加整改措施"


def _measure_done(request, p):
    pk = request.POST.get("measure", "")
    measure = get_object_or_404(p.measures, pk=int(pk) if pk.isdigit() else 0)
    done = request.POST.get("done") == "1"
    actions.set_measure_done(measure, actor=request.user, done=done, as_of=today())
    return f"措施“{measure.text[:20]}”{'已完成' if done else '改为未完成'}"


def _measure_aside(request, p):
    pk = request.POST.get("measure", "")
    measure = get_object_or_404(p.measures, pk=int(pk) if pk.isdigit() else 0)
    reason = _valid(ReasonForm(request.POST))["reason"]
    actions.set_measure_aside(measure, actor=request.user, reason=reason, as_of=today())
    return f"措施“{measure.text[:20]}”已标记为不再需要"


def _evidence(request, p):
    upload = uploaded(request)
    if upload is None:
        raise ActionError("请选择要上传的文件", field="file")
    limit = settings.TUIJIN_UPLOAD_MAX_BYTES
    if upload.size > limit:  # refuse before reading a huge file into memory
        raise ActionError(f"文件“{upload.name}”太大（{upload.size / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB")
    kind = request.POST.get("kind") if request.POST.get("kind") in Evidence.Kind.values else Evidence.Kind.SUPPORT
    evidence = actions.attach_evidence(p, actor=request.user, name=upload.name, data=upload.read(), kind=kind)
    return f"已上传{evidence.kind}“{evidence.name}”"


ACTIONS = {
    "start": _start,
    "submit": _submit,
    "close": _close,
    "send-back": _send_back,
    "reopen": _reopen,
    "withdraw": _withdraw,
    "escalate": _escalate,
    "publish": _publish,
    "add-measure": _add_measure,
    "add-milestone": _add_milestone,
    "cooperate": _cooperate,
    "milestone-done": _milestone_done,
    "recheck-confirm": _recheck_confirm,
    "recheck-reopen": _recheck_reopen,
    "measure-done": _measure_done,
    "measure-aside": _measure_aside,
    "evidence": _evidence,
}


@scope_before_body(lambda request, pk, name: _problem(request, pk))  # 404 before an upload is parsed
@login_required
@require_POST
def problem_action(request, pk, name):
    problem = _problem(request, pk)
    if name not in ACTIONS:
        raise Http404
    try:
        messages.success(request, ACTIONS[name](request, problem))
    except ActionError as exc:  # includes StaleEdit and RateLimited
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("rectification:detail", pk=problem.pk)


@login_required
def evidence_download(request, pk):
    return download_evidence(request, Evidence, pk)


# ------------------------------------------------------------------ hand-down, rules, 满意清单


@login_required
def hand_down(request, code):
    """上级交办 / 同题共答: one problem to many orgs below."""
    org = _org(request, code)
    _require_manage(request.user, org)
    children = list(org.children_set.filter(active=True).order_by("path"))
    form = HandDownForm(request.POST or None, children=children, categories=problem_categories(org, today()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        targets = {c.pk: c for c in children if c.code in data["targets"]}
        if data["all_branches"]:
            branches = Org.objects.filter(subtree_q("path", org.path), kind=OrgKind.BRANCH, active=True).exclude(
                pk=org.pk
            )
            targets.update({b.pk: b for b in branches})
        try:
            parent = actions.hand_down(
                actor=request.user,
                org=org,
                targets=targets.values(),
                found_on=today(),
                description=data["description"],
                deadline=data["deadline"],
                category=data["category"],
                number=data["number"],
            )
        except ActionError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"已交办给 {len(targets)} 个单位，各单位已各自生成一条问题")
            return redirect("rectification:detail", pk=parent.pk)
    return render(
        request,
        "rectification/hand_down.html",
        {
            "org": org,
            "form": form,
            "breadcrumb": visible_ancestors(request.user, org),
            "branch_count": Org.objects.filter(subtree_q("path", org.path), kind=OrgKind.BRANCH, active=True)
            .exclude(pk=org.pk)
            .count(),
        },
    )


RULE_CHOICES_SHOWN = 200


@login_required
def rules(request, code):
    """建章立制: the rules made in the subtree, and a form linking a new rule to the problems it closes off."""
    org = _org(request, code)
    may_create = can(request.user, "records.manage", org)
    q = request.GET.get("q", "").strip()
    candidates = queries.problem_list(request.user, org, as_of=today(), q=q).filter(subtree_q("org__path", org.path))
    if request.method == "POST":
        _require_manage(request.user, org)
        chosen = [pk for pk in request.POST.getlist("problems") if pk.isdigit()]
        form = RuleForm(request.POST, problems=candidates.filter(pk__in=chosen))
        if form.is_valid():
            data = form.cleaned_data
            try:
                rule = actions.create_institution_rule(
                    actor=request.user,
                    org=org,
                    title=data["title"],
                    issued_on=data["issued_on"],
                    doc_number=data["doc_number"],
                    problems=candidates.filter(pk__in=data["problems"]),
                )
            except ActionError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已登记制度《{rule.title}》")
                return redirect("rectification:rules", code=org.code)
    else:
        form = RuleForm(problems=candidates[:RULE_CHOICES_SHOWN], initial={"issued_on": today()})
    made = (
        InstitutionRule.objects.visible_to(request.user)
        .filter(subtree_q("org__path", org.path))
        .select_related("org")
        .prefetch_related("problems")
    )
    return render(
        request,
        "rectification/rules.html",
        {
            "org": org,
            "form": form,
            "may_create": may_create,
            "q": q,
            "shown": RULE_CHOICES_SHOWN,
            "more": candidates.count() > RULE_CHOICES_SHOWN,
            "breadcrumb": visible_ancestors(request.user, org),
            "page": Paginator(made, 50).get_page(request.GET.get("page")),
            "query": page_query(request),
        },
    )


@login_required
def satisfied(request, code):
    """满意清单: published items that reached the campaign's threshold with enough votes."""
    org = _org(request, code)
    as_of = today()
    campaign = current_campaign(org, as_of)
    listed = queries.satisfaction_list(request.user, org, campaign)
    rating = (
        PublicItem.objects.visible_to(request.user)
        .filter(subtree_q("problem__org__path", org.path) | subtree_q("subject_org__path", org.path), active=True)
        .exclude(pk__in=[i.pk for i in listed])
        .select_related("problem", "problem__org", "subject_org")
        .order_by("-published_at")
    )
    return render(
        request,
        "rectification/satisfied.html",
        {
            "org": org,
            "campaign": campaign,
            "listed": listed,
            "rating": rating[:100],
            "threshold": campaign.satisfaction_threshold if campaign else 0.9,
            "min_votes": campaign.satisfaction_min_votes if campaign else 10,
            "breadcrumb": visible_ancestors(request.user, org),
        },
    )


@login_required
def self_checks(request, code):
    """举一反三: the 对照检视 suggestions to the org and the units below it; the unit (or an office above it)
    answers an open one 已对照，存在 (its own problem is added, 集体查) or 已对照，不存在 (with a note)."""
    org = _org(request, code)
    visible = (
        SelfCheck.objects.visible_to(request.user)
        .filter(subtree_q("org__path", org.path))
        .select_related("org", "source", "source__org", "found_problem")
    )
    if request.method == "POST":
        pk = request.POST.get("check", "")
        check = get_object_or_404(visible, pk=int(pk) if pk.isdigit() else 0)
        choice = request.POST.get("answer", "")
        if choice not in (SelfCheck.Answer.EXISTS, SelfCheck.Answer.ABSENT):
            messages.error(request, "请选择“已对照，存在”或“已对照，不存在”")
            return redirect("rectification:self_checks", code=org.code)
        try:
            check = actions.answer_self_check(
                check,
                actor=request.user,
                exists=choice == SelfCheck.Answer.EXISTS,
                note=request.POST.get("note", ""),
                as_of=today(),
                description=request.POST.get("description", ""),
            )
        except ActionError as exc:
            messages.error(request, f"{check.org.name}对照{check.source.number}：{exc.message}")
        else:
            found = f"，已列入问题 {check.found_problem.number}" if check.found_problem is not None else ""
            messages.success(request, f"{check.org.name}：已答复“{check.get_answer_display()}”{found}")
        return redirect("rectification:self_checks", code=org.code)
    answer = request.GET.get("answer", "")
    shown = visible.filter(answer=answer) if answer in SelfCheck.Answer.values else visible
    shown = shown.order_by("-suggested_on", "-pk")
    page = Paginator(shown, 50).get_page(request.GET.get("page"))
    for check in page:
        check.may_answer = check.answer == SelfCheck.Answer.OPEN and can(request.user, "records.manage", check.org)
    return render(
        request,
        "rectification/self_checks.html",
        {
            "org": org,
            "page": page,
            "answer": answer,
            "answers": SelfCheck.Answer.choices,
            "open_count": visible.filter(answer=SelfCheck.Answer.OPEN).count(),
            "breadcrumb": visible_ancestors(request.user, org),
            "query": page_query(request),
        },
    )

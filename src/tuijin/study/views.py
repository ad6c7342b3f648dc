"""Study pages (SPEC §2.3): a member's own progress and self-study log, an org's sessions and their
evidence, the office's analysis of a subtree, and the reading list.

Thin: parse, call an action or a query, render. Every read goes through visible_to(), so out of
scope is 404; every change goes through actions.py, whose Chinese messages are shown as they are.
"""

import datetime as dt
import io
from collections import OrderedDict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tuijin.campaigns import actions as campaign_actions
from tuijin.campaigns.queries import current_campaign
from tuijin.campaigns.models import Chapter, ReadingItem
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.files import content_disposition, uploaded
from tuijin.core.middleware import scope_before_body
from tuijin.core.permissions import can
from tuijin.core.pages import evidence_download as download_evidence
from tuijin.core.pages import page_query
from tuijin.core.scope import in_business_scope, scope_paths, subtree_q
from tuijin.imports.registry import KINDS, export_subtree
from tuijin.orgs.models import Org, Person
from tuijin.orgs.queries import visible_ancestors

from . import actions, queries
from .forms import (
    ChapterForm,
    EvidenceForm,
    FollowupItemForm,
    ReadingItemForm,
    ReasonForm,
    RenameForm,
    SelfStudyForm,
    SessionForm,
)
from .models import FORMS, SelfStudy, SessionEvidence, StudySession

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_LISTED_PEOPLE = 600  # beyond this the form lists only the org's own people; use 参加人数 or an import
EXPORT_KINDS = ("study-sessions", "self-study")


def _org(request, code) -> Org:
    org = get_object_or_404(Org.objects.visible_to(request.user), code=code)
    # A member sees their own org (its notices) but not its study records: those pages need a business scope.
    if not in_business_scope(request.user, org):
        raise Http404
    return org


def _session(request, pk) -> StudySession:
    return get_object_or_404(StudySession.objects.visible_to(request.user).select_related("org"), pk=pk)


def _require_manage(user, org) -> None:
    if not can(user, "records.manage", org):
        raise PermissionDenied(f"您没有维护“{org.name}”学习记录的权限")


def _form_error(form, exc: ActionError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _pk(value) -> int:
    return int(value) if str(value or "").isdigit() else 0


def _percent(value):
    return None if value is None else round(value * 100)


@login_required
def root(request):
    """The nav's 学习教育: the first scope root's sessions, or a member's own page; with ?scope=all, for a
    user whose scope has several roots (a guidance group assigned two districts), one list across them."""
    roots = list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path"))
    if request.GET.get("scope") == "all" and len(roots) > 1:
        return _list_all(request, roots)
    org = roots[0] if roots else None
    if org is not None:
        return redirect("study:list", code=org.code)
    if request.user.person_id:
        return redirect("study:me")
    raise Http404("没有可查看的组织")


def _list_all(request, roots):
    """全部: the sessions of every scope root in one list, with the form and month filters."""
    g = request.GET
    form, month = g.get("form", ""), g.get("month", "").strip()
    all_forms = queries.session_list(request.user, roots, month=month)
    rows = queries.session_list(request.user, roots, form=form, month=month).annotate(
        listed=Count("attendance", distinct=True), n_chapters=Count("chapter_links", distinct=True)
    )
    counts = queries.form_counts(all_forms)
    return render(
        request,
        "study/list_all.html",
        {
            "roots": roots,
            "as_of": today(),
            "page": Paginator(rows, 50).get_page(g.get("page")),
            "query": page_query(request),
            "forms": [(f, counts.get(f, 0)) for f in FORMS],
            "total": sum(counts.values()),
            "f": {"form": form, "month": month},
        },
    )


# ------------------------------------------------------------------ a member's own page


@login_required
def me(request):
    user = request.user
    person = Person.objects.visible_to(user).select_related("org").filter(pk=user.person_id).first()
    if person is None:
        raise Http404("账号未关联党员信息")
    as_of = today()
    campaign = current_campaign(person.org, as_of)
    chapters = queries.all_chapters(campaign)
    progress = queries.person_progress(person, campaign, as_of) if campaign else None
    next_chapter = progress.next_chapter() if progress else None
    form = SelfStudyForm(
        chapters=chapters, initial={"date": as_of, "chapter": next_chapter.code if next_chapter else ""}
    )
    if request.method == "POST":
        form = SelfStudyForm(request.POST, chapters=chapters)
        if form.is_valid():
            data = form.cleaned_data
            chapter = next(c for c in chapters if c.code == data["chapter"])
            try:
                actions.log_self_study(
                    actor=user,
                    person=person,
                    date=data["date"],
                    chapter=chapter,
                    reflection=data["reflection"],
                    today=as_of,
                )
            except ActionError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已记录自学：{chapter.code} {chapter.title}")
                return redirect("study:me")
    logs = (
        SelfStudy.objects.visible_to(user)
        .filter(person=person, withdrawn=False)
        .select_related("chapter")
        .order_by("-date", "-id")
    )
    return render(
        request,
        "study/me.html",
        {
            "person": person,
            "campaign": campaign,
            "as_of": as_of,
            "p": progress,
            "form": form,
            "share": _percent(progress.share) if progress else None,
            "time": _percent(progress.progress) if progress else None,
            "logs": Paginator(logs, 20).get_page(request.GET.get("page")),
            "query": page_query(request),
        },
    )


@login_required
@require_POST
def withdraw_log(request, pk):
    log = get_object_or_404(SelfStudy.objects.visible_to(request.user).select_related("chapter"), pk=pk)
    try:
        actions.withdraw_self_study(log, actor=request.user)
        messages.success(request, f"已撤回 {log.date:%m月%d日} 的自学记录（{log.chapter.code}）")
    except (ActionError, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/study/") else "study:me")


# ------------------------------------------------------------------ an org's sessions


@login_required
def session_list(request, code):
    org = _org(request, code)
    as_of = today()
    g = request.GET
    form, month = g.get("form", ""), g.get("month", "").strip()
    include_withdrawn = g.get("withdrawn") == "1"
    all_forms = queries.session_list(request.user, org, month=month, include_withdrawn=include_withdrawn)
    rows = queries.session_list(
        request.user, org, form=form, month=month, include_withdrawn=include_withdrawn
    ).annotate(listed=Count("attendance", distinct=True), n_chapters=Count("chapter_links", distinct=True))
    campaign = current_campaign(org, as_of)
    study = (
        queries.cached("subtree", org, as_of, campaign, lambda: queries.subtree_study(org, campaign, as_of))
        if campaign
        else None
    )
    quiet, n_branches = queries.cached("quiet", org, as_of, campaign, lambda: queries.quiet_branches(org, as_of))
    counts = queries.form_counts(all_forms)
    return render(
        request,
        "study/list.html",
        {
            "org": org,
            "as_of": as_of,
            "campaign": campaign,
            "breadcrumb": visible_ancestors(request.user, org),
            "page": Paginator(rows, 50).get_page(g.get("page")),
            "query": page_query(request),
            "forms": [(f, counts.get(f, 0)) for f in FORMS],
            "total": sum(counts.values()),
            "f": {"form": form, "month": month, "withdrawn": include_withdrawn},
            "study": study,
            "share": _percent(study.share) if study else None,
            "own_share": _percent(study.own_share) if study else None,
            "time": _percent(campaign.progress(as_of)) if campaign else None,
            "n_branches": n_branches,
            "active_branches": n_branches - len(quiet),
            "can_manage": can(request.user, "records.manage", org),
            "children": org.children_set.filter(active=True).order_by("path"),
            "roots": list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path")),
        },
    )


def _people_groups(user, org, extra=()):
    """Attendee choices: the org's people, with its sub-orgs' people grouped below (all of them unless
    there are too many to tick by hand), plus people already recorded who have since moved."""
    people = Person.objects.visible_to(user).filter(subtree_q("org__path", org.path), active=True)
    truncated = people.count() > MAX_LISTED_PEOPLE
    if truncated:
        people = people.filter(org=org)
    people = list(people.select_related("org").order_by("org__path", "number"))
    known = {p.pk for p in people}
    people += [p for p in extra if p.pk not in known]
    groups = OrderedDict()
    for p in people:
        groups.setdefault(p.org, []).append(p)
    return list(groups.items()), people, truncated


def _session_page(request, org, session=None):
    as_of = today()
    campaign = current_campaign(org, as_of)
    chapters = queries.all_chapters(campaign)
    old_chapters = list(session.chapters.all()) if session else []
    chapters += [c for c in old_chapters if c not in chapters]
    old_attendees = list(session.attendees.select_related("org")) if session else []
    groups, people, truncated = _people_groups(request.user, org, old_attendees)
    if session:
        initial = {f: getattr(session, f) for f in actions.SESSION_FIELDS}
        initial.update(
            chapters=[c.code for c in old_chapters],
            attendees=[p.number for p in old_attendees],
            version=session.version,
        )
    else:
        initial = {"date": as_of}
    form = SessionForm(request.POST or None, initial=initial, chapters=chapters, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen_chapters = [c for c in chapters if c.code in set(data["chapters"])]
        chosen_people = [p for p in people if p.number in set(data["attendees"])]
        fields = {f: data[f] for f in actions.SESSION_FIELDS}
        try:
            if session is None:
                session = actions.record_session(
                    actor=request.user,
                    org=org,
                    chapters=chosen_chapters,
                    attendees=chosen_people,
                    today=as_of,
                    **fields,
                )
                messages.success(request, f"已记录集体学习《{session.topic}》，参加人员的学习记录已同步更新")
            else:
                actions.update_session(
                    session,
                    actor=request.user,
                    version=data["version"],
                    chapters=chosen_chapters,
                    attendees=chosen_people,
                    today=as_of,
                    **fields,
                )
                messages.success(request, "已保存修改")
        except StaleEdit as exc:
            messages.error(request, exc.message)
            return redirect("study:session", pk=session.pk)
        except ActionError as exc:
            _form_error(form, exc)
        else:
            return redirect("study:session", pk=session.pk)
    by_item = OrderedDict()
    for c in chapters:
        by_item.setdefault(c.item, []).append(c)
    selected_people = set(form["attendees"].value() or [])
    selected_chapters = set(form["chapters"].value() or [])
    return render(
        request,
        "study/session_form.html",
        {
            "org": org,
            "session": session,
            "form": form,
            "campaign": campaign,
            "as_of": as_of,
            "breadcrumb": visible_ancestors(request.user, org),
            "groups": groups,
            "truncated": truncated,
            "chapter_groups": list(by_item.items()),
            "selected_people": selected_people,
            "selected_chapters": selected_chapters,
            "max_listed": MAX_LISTED_PEOPLE,
        },
    )


@login_required
def session_new(request, code):
    org = _org(request, code)
    _require_manage(request.user, org)
    return _session_page(request, org)


@login_required
def session_edit(request, pk):
    session = _session(request, pk)
    _require_manage(request.user, session.org)
    if session.withdrawn:
        raise Http404("已撤回的集体学习不能修改")
    return _session_page(request, session.org, session)


@login_required
def session_detail(request, pk):
    session = _session(request, pk)
    may = can(request.user, "records.manage", session.org) and not session.withdrawn
    attendees = list(session.attendees.select_related("org").order_by("org__path", "number"))
    return render(
        request,
        "study/session_detail.html",
        {
            "session": session,
            "org": session.org,
            "breadcrumb": visible_ancestors(request.user, session.org),
            "chapters": session.chapters.select_related("item").order_by("item__position", "position"),
            "attendees": attendees,
            "evidence": session.evidence.select_related("uploaded_by"),
            "may": may,
            "evidence_form": EvidenceForm(),
            "reason_form": ReasonForm(),
            "upload_limit_mb": settings.TUIJIN_UPLOAD_MAX_BYTES // 1048576,
        },
    )


@login_required
@require_POST
def session_withdraw(request, pk):
    session = _session(request, pk)
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError("撤回集体学习必须写明原因", field="reason")
        version = request.POST.get("version", "")
        actions.withdraw_session(
            session,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            version=int(version) if version.isdigit() else None,
        )
        messages.success(request, "已撤回，参加人员的学习记录已同步更新；撤回的记录仍保留在历史中")
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("study:session", pk=session.pk)


@scope_before_body(lambda request, pk: _session(request, pk))  # 404 before the upload is parsed
@login_required
@require_POST
def session_evidence(request, pk):
    session = _session(request, pk)
    upload = uploaded(request)
    limit = settings.TUIJIN_UPLOAD_MAX_BYTES
    try:
        if upload is None:
            raise ActionError("请选择要上传的文件", field="file")
        if upload.size > limit:  # refuse before reading a huge file into memory
            raise ActionError(
                f"文件“{upload.name}”太大（{upload.size / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB"
            )
        evidence = actions.attach_session_evidence(session, actor=request.user, name=upload.name, data=upload.read())
        messages.success(request, f"已上传“{evidence.name}”")
    except ActionError as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "没有权限执行此操作")
    return redirect("study:session", pk=session.pk)


@login_required
def evidence_download(request, pk):
    # Photos may be shown in the page (?inline=1); everything else is a download.
    return download_evidence(request, SessionEvidence, pk, inline_photos=True)


@login_required
def export(request, code, kind):
    org = _org(request, code)
    if kind not in EXPORT_KINDS:
        raise Http404
    buffer = io.BytesIO()
    export_subtree(kind, org, buffer, user=request.user)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = f"{org.code}-{KINDS[kind].label}-{today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition(filename)
    return response


# ------------------------------------------------------------------ the office's analysis of a subtree

LIST_CAP = 100


@login_required
def analysis(request, code):
    org = _org(request, code)
    as_of = today()
    campaign = current_campaign(org, as_of)
    if campaign is None:
        raise Http404("当前没有进行中的主题教育")
    progress = campaign.progress(as_of)

    def compute():
        return (
            queries.chapter_coverage(org, campaign, as_of),
            queries.unbalanced_orgs(org, campaign, as_of),
            queries.orgs_without(org, campaign, as_of),
            queries.orgs_without(org, campaign, as_of, expert=True),
            queries.quiet_branches(org, as_of),
            queries.subtree_study(org, campaign, as_of),
        )

    coverage, unbalanced, no_seminar, no_expert, (quiet, n_branches), study = queries.cached(
        "analysis", org, as_of, campaign, compute
    )
    chapters = [(c, n, total, _percent(n / total) if total else None) for c, n, total in coverage]
    return render(
        request,
        "study/analysis.html",
        {
            "org": org,
            "as_of": as_of,
            "campaign": campaign,
            "time": _percent(progress),
            "bar": _percent(max(0.0, progress - campaign.lag_threshold)),
            "breadcrumb": visible_ancestors(request.user, org),
            "study": study,
            "share": _percent(study.share),
            "collective": _percent(study.collective_share),
            "own": _percent(study.own_share),
            "chapters": chapters,
            "unbalanced": [
                (r.org, _percent(r.study.collective_share), _percent(r.study.own_share), r.study.members)
                for r in unbalanced[:LIST_CAP]
            ],
            "n_unbalanced": len(unbalanced),
            "no_seminar": no_seminar[:LIST_CAP],
            "n_no_seminar": len(no_seminar),
            "no_expert": no_expert[:LIST_CAP],
            "n_no_expert": len(no_expert),
            "quiet": quiet[:LIST_CAP],
            "n_quiet": len(quiet),
            "n_branches": n_branches,
            "cap": LIST_CAP,
            "month_start": queries.month_start(as_of),
        },
    )


# ------------------------------------------------------------------ 跟进学习 (第一议题)


@login_required
def followup(request, code):
    """Each 跟进学习 item against its own window: the subtree's figure and the orgs (own members) behind
    or late on it. The office adds an item here (POST, campaign.manage over the campaign's root)."""
    org = _org(request, code)
    as_of = today()
    campaign = current_campaign(org, as_of)
    if campaign is None:
        raise Http404("当前没有进行中的主题教育")
    may = can(request.user, "campaign.manage", campaign.root)
    default_due = min(campaign.end, as_of + dt.timedelta(days=13))
    form = FollowupItemForm(initial={"opens_on": as_of, "due_on": default_due})
    if request.method == "POST":
        if not may:
            raise PermissionDenied("只有主题教育办公室可以布置跟进学习")
        form = FollowupItemForm(request.POST)
        if form.is_valid():
            try:
                item = campaign_actions.add_followup_item(campaign, actor=request.user, **form.cleaned_data)
            except ActionError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"已布置跟进学习《{item.title}》，{item.due_on:%m月%d日}前学完")
                return redirect("study:followup", code=org.code)
    lag, severe = campaign.lag_threshold, campaign.severe_lag_threshold
    items = []
    for item in queries.followup_items(campaign, as_of):
        total = queries.subtree_followup(org, item, as_of)
        rows = [
            r
            for r in queries.followup_orgs(org, item, as_of)
            if (r.late if r.overdue else r.status(lag, severe) != "正常")
        ]
        items.append(
            {
                "item": item,
                "total": total,
                "status": total.status(lag, severe),
                "share": _percent(total.share),
                "expected": _percent(total.expected),
                "rows": [(r, _percent(r.share)) for r in rows[:LIST_CAP]],
                "n_rows": len(rows),
            }
        )
    upcoming = list(campaign.reading.filter(due_on__isnull=False, opens_on__gt=as_of).order_by("opens_on"))
    return render(
        request,
        "study/followup.html",
        {
            "org": org,
            "as_of": as_of,
            "campaign": campaign,
            "breadcrumb": visible_ancestors(request.user, org),
            "items": items,
            "upcoming": upcoming,
            "may": may,
            "form": form,
            "cap": LIST_CAP,
        },
    )


# ------------------------------------------------------------------ the reading list


@login_required
def reading(request):
    roots = list(Org.objects.filter(path__in=scope_paths(request.user)).order_by("path"))
    if not roots:
        raise Http404
    as_of = today()
    campaign = current_campaign(roots[0], as_of)
    if campaign is None:
        raise Http404("当前没有进行中的主题教育")
    may = can(request.user, "campaign.manage", campaign.root)
    forms = {"item": ReadingItemForm(prefix="item"), "chapter": ChapterForm(prefix="chapter")}
    open_item = None
    if request.method == "POST":
        if not may:
            raise PermissionDenied("只有主题教育办公室可以修改指定书目")
        op = request.POST.get("op", "")
        try:
            if op == "add_item":
                form = forms["item"] = ReadingItemForm(request.POST, prefix="item")
                if form.is_valid():
                    item = campaign_actions.add_reading_item(campaign, actor=request.user, **form.cleaned_data)
                    messages.success(request, f"已新增书目《{item.title}》")
                    return redirect("study:reading")
            elif op == "add_chapter":
                item = get_object_or_404(ReadingItem, pk=_pk(request.POST.get("item")), campaign=campaign)
                form = forms["chapter"] = ChapterForm(request.POST, prefix="chapter")
                open_item = item.pk
                if form.is_valid():
                    code, title = form.cleaned_data["code"].strip(), form.cleaned_data["title"].strip()
                    campaign_actions.add_chapter(item, actor=request.user, code=code, title=title)
                    messages.success(request, f"已在《{item.title}》中新增篇目 {code}")
                    return redirect("study:reading")
            elif op in ("rename_item", "rename_chapter"):
                form = RenameForm(request.POST)
                if not form.is_valid():
                    raise ActionError("名称不能为空", field="title")
                title = form.cleaned_data["title"]
                if op == "rename_item":
                    item = get_object_or_404(ReadingItem, pk=_pk(request.POST.get("pk")), campaign=campaign)
                    campaign_actions.rename_reading_item(item, actor=request.user, title=title)
                else:
                    chapter = get_object_or_404(Chapter, pk=_pk(request.POST.get("pk")), item__campaign=campaign)
                    campaign_actions.rename_chapter(chapter, actor=request.user, title=title)
                messages.success(request, "已修改名称")
                return redirect("study:reading")
            else:
                raise Http404
        except ActionError as exc:
            target = forms.get("item" if op == "add_item" else "chapter")
            if op in ("add_item", "add_chapter"):
                _form_error(target, exc)
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "study/reading.html",
        {
            "campaign": campaign,
            "may": may,
            "forms": forms,
            "open_item": open_item,
            "reading": campaign.reading.prefetch_related("chapters"),
            "as_of": as_of,
        },
    )

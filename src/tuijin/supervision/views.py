"""Supervision pages (SPEC §2.7): the guidance group's home, an org's supervision page, letters,
inspections, samples, interviews and accountability, the inbox.

Thin: every read goes through visible_to() (out of scope is 404); every change through actions.py.
Interviews and accountability are shown only to those who supervise the org, never to the unit.
"""

import datetime as dt
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tuijin.core.calendar import today
from tuijin.core.errors import ActionError
from tuijin.core.files import content_disposition
from tuijin.core.permissions import can
from tuijin.core.scope import in_business_scope, scope_paths
from tuijin.evaluation.briefing import cn_date

from . import actions, escalation, letters, queries, sampling
from .models import (
    CHECK_RESULTS,
    INSPECTION_KINDS,
    LADDER,
    SAMPLE_KINDS,
    Accountability,
    Inspection,
    InspectionFinding,
    Interview,
    LetterState,
    ReminderLetter,
    Sample,
    SampleCheck,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _date(value, default=None):
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return default


def _letter(request, pk) -> ReminderLetter:
    letter = get_object_or_404(queries.letters_for(request.user), pk=pk)
    if not in_business_scope(request.user, letter.org):
        raise Http404
    return letter


def _do(request, fn, back):
    """Run an action; its Chinese message is shown on the page it came from."""
    try:
        result = fn()
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect(back), None
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from None
    return None, result


@login_required
def index(request):
    if not scope_paths(request.user):
        raise Http404
    as_of = today()
    units = queries.supervised_units(request.user)
    own = [g.org for g in request.user.grants.filter(role="unit").select_related("org")]
    return render(
        request,
        "supervision/index.html",
        {
            "as_of": as_of,
            "rows": queries.ranked(units, as_of),
            "groups": [g.group for g in request.user.grants.filter(role="guidance").select_related("group")],
            "received": queries.letters_for(request.user).filter(org__in=own).exclude(state=LetterState.WITHDRAWN),
        },
    )


@login_required
def org_page(request, code):
    org, as_of = queries.business_org(request.user, code), today()
    supervises = actions.can_supervise(request.user, org)
    context = {
        "org": org,
        "as_of": as_of,
        "supervises": supervises,
        "letters": queries.letters_for(request.user, org),
        "findings": letters.letter_findings(org, as_of),
        "inspection_kinds": INSPECTION_KINDS,
        "sample_kinds": SAMPLE_KINDS.items(),
        "ladder": LADDER,
    }
    if supervises:
        context |= {
            "suggestion": escalation.suggest(org, as_of),
            "inspections": Inspection.objects.visible_to(request.user).filter(org=org).prefetch_related("items"),
            "samples": Sample.objects.visible_to(request.user).filter(org=org),
            "interviews": Interview.objects.visible_to(request.user).filter(org=org),
            "accountabilities": Accountability.objects.visible_to(request.user).filter(org=org),
        }
    return render(request, "supervision/org.html", context)


@login_required
@require_POST
def letter_new(request, code):
    org = queries.business_org(request.user, code)
    back = redirect("supervision:org", code=org.code)
    err, letter = _do(request, lambda: actions.draft_letter(org, actor=request.user, as_of=today()), back.url)
    return err or redirect("supervision:letter", pk=letter.pk)


@login_required
def letter_page(request, pk):
    letter = _letter(request, pk)
    if request.GET.get("format") == "docx":
        buffer = io.BytesIO()
        letters.render_docx(
            letter.title,
            f"{letter.org.name}：",
            letter.body,
            letter.issuer,
            cn_date(letter.sent_on or letter.drafted_on),
            letter.number,
            buffer,
        )
        response = HttpResponse(buffer.getvalue(), content_type=DOCX)
        name = f"{letter.number or letter.title}.docx"
        response["Content-Disposition"] = content_disposition(name)
        return response
    return render(
        request,
        "supervision/letter.html",
        {
            "letter": letter,
            "as_of": today(),
            "supervises": actions.can_supervise(request.user, letter.org),
            "answers": can(request.user, "records.manage", letter.org),
            "evidence": letter.evidence.all(),
            "overdue": letter.is_overdue(today()),
        },
    )


@login_required
@require_POST
def letter_act(request, pk, step):
    letter = _letter(request, pk)
    post, on, user = request.POST, today(), request.user
    version = post.get("version") if (post.get("version") or "").isdigit() else None
    steps = {
        "edit": lambda: actions.edit_letter(
            letter,
            actor=user,
            title=post.get("title", ""),
            body=post.get("body", ""),
            feedback_due=_date(post.get("feedback_due")),
            version=version,
        ),
        "send": lambda: actions.send_letter(
            letter, actor=user, on=on, feedback_due=_date(post.get("feedback_due")), version=version
        ),
        "withdraw": lambda: actions.withdraw_letter(letter, actor=user, reason=post.get("reason", ""), version=version),
        "answer": lambda: actions.answer_letter(
            letter,
            actor=user,
            answer=post.get("answer", ""),
            on=on,
            version=version,
            attachments=[(f.name, f.read()) for f in request.FILES.getlist("file")[:10]],
        ),
        "accept": lambda: actions.review_answer(
            letter, actor=user, accept=True, comment=post.get("comment", ""), on=on, version=version
        ),
        "return": lambda: actions.review_answer(
            letter,
            actor=user,
            accept=False,
            comment=post.get("comment", ""),
            on=on,
            feedback_due=_date(post.get("feedback_due")),
            version=version,
        ),
    }
    if step not in steps:
        raise Http404
    err, _ = _do(request, steps[step], request.path.rsplit("/", 2)[0] + "/")
    if err:
        return err
    messages.success(request, "已保存")
    return redirect("supervision:letter", pk=letter.pk)


@login_required
@require_POST
def inspection_new(request, code):
    org = queries.business_org(request.user, code)
    post = request.POST
    err, _ = _do(
        request,
        lambda: actions.record_inspection(
            org,
            actor=request.user,
            kind=post.get("kind", ""),
            on=_date(post.get("on"), today()),
            inspectors=post.get("inspectors", ""),
            findings=post.get("findings", "").splitlines()[:50],
        ),
        f"/supervision/{org.code}/",
    )
    return err or redirect("supervision:org", code=org.code)


@login_required
@require_POST
def finding_problem(request, pk):
    finding = get_object_or_404(
        InspectionFinding.objects.visible_to(request.user).select_related("inspection__org"), pk=pk
    )
    org = finding.inspection.org
    err, problem = _do(
        request,
        lambda: actions.finding_to_problem(finding, actor=request.user, deadline=_date(request.POST.get("deadline"))),
        f"/supervision/{org.code}/",
    )
    if err:
        return err
    messages.success(request, f"已转为{org.name}问题清单中的问题 {problem.number}（来源：上级查）")
    return redirect("supervision:org", code=org.code)


@login_required
@require_POST
def sample_new(request, code):
    org = queries.business_org(request.user, code)
    post = request.POST
    size = int(post["size"]) if post.get("size", "").isdigit() else 0
    err, sample = _do(
        request,
        lambda: actions.draw_sample(
            org, actor=request.user, kind=post.get("kind", ""), size=size, as_of=today(), seed=post.get("seed")
        ),
        f"/supervision/{org.code}/",
    )
    return err or redirect("supervision:sample", pk=sample.pk)


@login_required
def sample_page(request, pk):
    sample = get_object_or_404(Sample.objects.visible_to(request.user).select_related("org"), pk=pk)
    if not actions.can_supervise(request.user, sample.org):
        raise Http404  # the unit does not see which of its records were drawn before the visit
    checks = {c.record_id: c for c in SampleCheck.objects.filter(sample=sample)}
    described = sampling.describe(sample.kind, sample.drawn)
    redrawn = sampling.draw(sampling.population(sample.org, sample.kind, sample.as_of), sample.seed, sample.size)
    return render(
        request,
        "supervision/sample.html",
        {
            "sample": sample,
            "kind": SAMPLE_KINDS[sample.kind],
            "results": CHECK_RESULTS,
            "rows": [(rid, described.get(rid, "（记录已删除）"), checks.get(rid)) for rid in sample.drawn],
            "reproducible": redrawn == sample.drawn,
        },
    )


@login_required
@require_POST
def sample_check(request, pk):
    sample = get_object_or_404(Sample.objects.visible_to(request.user).select_related("org"), pk=pk)
    post = request.POST
    rid = int(post["record_id"]) if post.get("record_id", "").isdigit() else 0
    err, _ = _do(
        request,
        lambda: actions.record_check(
            sample,
            actor=request.user,
            record_id=rid,
            result=post.get("result", ""),
            note=post.get("note", ""),
            on=today(),
        ),
        f"/supervision/samples/{sample.pk}/",
    )
    return err or redirect("supervision:sample", pk=sample.pk)


@login_required
@require_POST
def interview_new(request, code):
    org = queries.business_org(request.user, code)
    post = request.POST
    err, _ = _do(
        request,
        lambda: actions.record_interview(
            org,
            actor=request.user,
            on=_date(post.get("on"), today()),
            by=post.get("by", ""),
            whom=post.get("whom", ""),
            reason=post.get("reason", ""),
            outcome=post.get("outcome", ""),
            letters=[int(x) for x in post.getlist("letters") if x.isdigit()][:20],
        ),
        f"/supervision/{org.code}/",
    )
    return err or redirect("supervision:org", code=org.code)


@login_required
@require_POST
def accountability_new(request, code):
    org = queries.business_org(request.user, code)
    post = request.POST
    err, _ = _do(
        request,
        lambda: actions.record_accountability(
            org,
            actor=request.user,
            on=_date(post.get("on"), today()),
            whom=post.get("whom", ""),
            measure=post.get("measure", ""),
            reason=post.get("reason", ""),
            decided_by=post.get("decided_by", ""),
            letters=[int(x) for x in post.getlist("letters") if x.isdigit()][:20],
        ),
        f"/supervision/{org.code}/",
    )
    return err or redirect("supervision:org", code=org.code)


@login_required
@require_POST
def decide(request, code):
    org = queries.business_org(request.user, code)
    err, d = _do(
        request,
        lambda: actions.decide_escalation(
            org,
            actor=request.user,
            on=today(),
            decided=request.POST.get("decided", ""),
            note=request.POST.get("note", ""),
        ),
        f"/supervision/{org.code}/",
    )
    if err:
        return err
    messages.success(request, f"已记录决定：{d.decided}（系统建议：{d.suggested}）")
    return redirect("supervision:org", code=org.code)


@login_required
def inbox_page(request):
    items = request.user.notifications.all()[:200]
    return render(request, "supervision/inbox.html", {"items": items})


@login_required
@require_POST
def inbox_read(request):
    pk = request.POST.get("pk")
    actions.mark_read(request.user, int(pk) if pk and pk.isdigit() else None)
    return redirect("supervision:inbox")


@login_required
def groups_page(request):
    from tuijin.orgs.models import GuidanceGroup  # noqa: F401

    groups = list(queries.groups_for(request.user).prefetch_related("orgs", "assignments__org"))
    if not groups and not request.user.grants.filter(role="office").exists():
        raise Http404
    rows = [
        {
            "group": g,
            "members": actions.members(g),
            "leader": getattr(getattr(g, "leader_record", None), "user", None),
            "history": sorted(g.assignments.all(), key=lambda a: (a.start, a.org.path)),
        }
        for g in groups
    ]
    return render(
        request,
        "supervision/groups.html",
        {"rows": rows, "as_of": today(), "offices": request.user.grants.filter(role="office").exists()},
    )


def _group(request, code):
    group = queries.groups_for(request.user).filter(code=code).first()
    if group is None:
        raise Http404
    return group


@login_required
@require_POST
def group_assign(request, code):
    from tuijin.orgs.models import Org

    group = _group(request, code)
    if not all(can(request.user, "org.manage", o) for o in group.orgs.all()):
        raise PermissionDenied(f"只有管辖{group.name}联系单位的办公室可以调整联系单位")
    codes = [
        c.strip() for c in request.POST.get("orgs", "").replace("，", "\n").replace(",", "\n").splitlines() if c.strip()
    ][:100]
    found = {o.code: o for o in Org.objects.visible_to(request.user).filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing or not codes:
        messages.error(
            request, f"组织编码“{'、'.join(missing)}”不存在或不在您的范围内" if missing else "请至少填写一个联系单位"
        )
        return redirect("supervision:groups")
    err, _ = _do(
        request,
        lambda: actions.assign_orgs(group, [found[c] for c in codes], actor=request.user, on=today()),
        "/supervision/groups/",
    )
    if err:
        return err
    messages.success(request, f"{group.name}的联系单位已调整，原联系记录保留")
    return redirect("supervision:groups")


@login_required
@require_POST
def group_leader(request, code):
    from tuijin.orgs.models import User

    group = _group(request, code)
    user = User.objects.filter(username=request.POST.get("username", "").strip()).first()
    if user is None:
        messages.error(request, "账号不存在")
        return redirect("supervision:groups")
    err, _ = _do(request, lambda: actions.set_leader(group, user, actor=request.user), "/supervision/groups/")
    return err or redirect("supervision:groups")

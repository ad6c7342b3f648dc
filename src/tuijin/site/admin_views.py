"""Pages for the three separated admin roles (三员分立): accounts, role grants, the audit log.

None of them shows business data: the system administrator manages logins, the security
administrator grants roles, the audit administrator reads the event log and checks its chain.
"""
import re

from django import forms
from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import F, TextField, Value
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from tuijin.core import events
from tuijin.core.errors import ActionError
from tuijin.core.models import DomainEvent
from tuijin.core.pages import page_query
from tuijin.core.permissions import can
from tuijin.orgs import actions
from tuijin.orgs.models import GuidanceGroup, Org, Person, Role, RoleGrant, User


def _require(request, perm):
    if not can(request.user, perm):
        raise Http404  # other roles do not learn these pages exist


class AccountForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    password = forms.CharField(label="初始密码", widget=forms.PasswordInput, help_text="至少 10 位；不能全是数字，不能是常见密码或“单词 + 年份”（如 Tuijin2026），不能包含账号名、姓名或平台名称")
    person_number = forms.CharField(label="对应人员编号（可不填）", required=False)


@login_required
def accounts(request):
    _require(request, "accounts.manage")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = None
        number = form.cleaned_data["person_number"].strip()
        if number:
            person = Person.objects.filter(number=number).first()
            if person is None:
                form.add_error("person_number", f"人员编号“{number}”不存在")
        if not form.errors:
            try:
                user = actions.create_account(actor=request.user, username=form.cleaned_data["username"].strip(),
                                              password=form.cleaned_data["password"], person=person)
                messages.success(request, f"已创建账号 {user.username}。请安全管理员为其授予角色。")
                return redirect("admin3:accounts")
            except ValidationError as exc:
                form.add_error("password", exc)
            except ActionError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    users = User.objects.select_related("person").prefetch_related("grants").order_by("username")
    page = Paginator(users, 50).get_page(request.GET.get("page"))
    return render(request, "admin3/accounts.html", {"form": form, "page": page, "query": page_query(request)})


@login_required
def set_active(request, username):
    _require(request, "accounts.manage")
    if request.method != "POST":
        raise Http404
    user = get_object_or_404(User, username=username)
    if user == request.user:
        messages.error(request, "不能停用自己的账号")
    else:
        actions.set_account_active(actor=request.user, user=user, active=request.POST.get("active") == "1")
        messages.success(request, f"账号 {user.username} 已{'启用' if user.is_active else '停用'}")
    return redirect("admin3:accounts")


class GrantForm(forms.Form):
    username = forms.CharField(label="账号")
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    org_code = forms.CharField(label="组织编码（办公室、单位）", required=False)
    group_code = forms.CharField(label="指导组编号（指导组）", required=False)
    manage_subtree = forms.BooleanField(label="可维护下级组织数据（单位）", required=False)


@login_required
def grants(request):
    _require(request, "grants.manage")
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = User.objects.filter(username=data["username"].strip()).first()
        org = Org.objects.filter(code=data["org_code"].strip()).first() if data["org_code"].strip() else None
        group = (GuidanceGroup.objects.filter(code=data["group_code"].strip()).first()
                 if data["group_code"].strip() else None)
        if user is None:
            form.add_error("username", "账号不存在")
        if data["org_code"].strip() and org is None:
            form.add_error("org_code", "组织编码不存在")
        if data["group_code"].strip() and group is None:
            form.add_error("group_code", "指导组编号不存在")
        if not form.errors:
            try:
                grant = actions.grant_role(actor=request.user, user=user, role=data["role"], org=org, group=group,
                                           manage_subtree=data["manage_subtree"])
                messages.success(request, f"已授予 {user.username}：{grant}")
                return redirect("admin3:grants")
            except ActionError as exc:
                form.add_error(None, exc.message)
    rows = RoleGrant.objects.select_related("user", "org", "group").order_by("user__username", "role")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "admin3/grants.html", {"form": form, "page": page, "query": page_query(request)})


@login_required
def revoke(request, pk):
    _require(request, "grants.manage")
    if request.method != "POST":
        raise Http404
    grant = get_object_or_404(RoleGrant, pk=pk)
    actions.revoke_role(actor=request.user, grant=grant)
    messages.success(request, "已撤销授权")
    return redirect("admin3:grants")


QUOTED = re.compile(r"“[^”]*”|《[^》]*》")
PHONE = re.compile(r"(?<!\d)(1\d{2})\d{4}(\d{4})(?!\d)")


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def masked_rows(events_page) -> list[dict]:
    """What the audit administrator sees of each event: who, when, which action, which object; the summary
    with personal data masked — people's names (张**), quoted texts (problem descriptions, self-study
    notes, topics: “…”), phone numbers. before/after are never shown."""
    rows = list(events_page)
    # Every person whose name occurs in a summary on this page (one scan of the people table), wherever
    # the person belongs: a research visit's summary names the researcher, not the visited org's people.
    text = "\n".join(e.summary for e in rows)
    names = set(Person.objects.alias(page_text=Value(text, output_field=TextField()))
                .filter(page_text__contains=F("name")).values_list("name", flat=True).distinct()) if text else set()
    names = sorted((n for n in names if len(n) >= 2), key=len, reverse=True)  # longest first: 张三丰 before 张三
    name_re = re.compile("|".join(re.escape(n) for n in names)) if names else None
    out = []
    for e in rows:
        text = QUOTED.sub(lambda m: m.group(0)[0] + "…" + m.group(0)[-1], e.summary)
        text = PHONE.sub(r"\1****\2", text)
        if name_re:
            text = name_re.sub(lambda m: _mask_name(m.group(0)), text)
        try:
            kind = apps.get_model(e.target_type)._meta.verbose_name
        except (LookupError, ValueError):
            kind = e.target_type
        out.append({"id": e.id, "at": e.at, "actor": e.actor_label, "verb": e.verb, "object": f"{kind} {e.target_id}",
                    "summary": text})
    return out


@login_required
def mfa_reset(request):
    """The security administrator removes an account's authenticator (lost phone); recorded."""
    _require(request, "grants.manage")
    if request.method != "POST":
        raise Http404
    user = User.objects.filter(username=request.POST.get("username", "").strip()[:150]).first()
    if user is None:
        messages.error(request, "账号不存在")
    else:
        try:
            actions.reset_mfa(actor=request.user, user=user)
            messages.success(request, f"已重置 {user.username} 的双因素认证，其下次登录时须重新绑定身份验证器")
        except ActionError as exc:
            messages.error(request, exc.message)
    return redirect("admin3:grants")


@login_required
def audit(request):
    _require(request, "audit.read")
    qs = DomainEvent.objects.all()
    verb, actor = request.GET.get("verb", "").strip()[:60], request.GET.get("actor", "").strip()[:150]
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if actor:
        qs = qs.filter(actor_label=actor)
    check = events.verify(timezone.now()) if request.GET.get("verify") == "1" else None
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "admin3/audit.html", {"page": page, "rows": masked_rows(page), "verb": verb,
                                                  "actor": actor, "check": check, "query": page_query(request)})

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
from django.db.models import F, Q, TextField, Value
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.text import format_lazy
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


# ------------------------------------------------------------------ pickers: search by name (issue 11)

PICK_PAGE = 20
# What each picker searches, and which admin may: the security admin picks accounts, orgs and groups to
# grant roles; the system admin picks the person an account belongs to.
PICKERS = {"user": "grants.manage", "org": "grants.manage", "group": "grants.manage", "person": "accounts.manage"}
PICK_WORDS = {"user": "账号", "org": "组织", "group": "指导组", "person": "人员"}
_TRAILING_CODE = re.compile(r"（([^（）]+)）\s*$")


def picker(kind: str) -> forms.TextInput:
    """A text input that searches as one types (site.js fills its datalist from admin3:search)."""
    return forms.TextInput(
        attrs={
            "data-tj-search": format_lazy("{}?kind={}", reverse_lazy("admin3:search"), kind),
            "list": f"pick-{kind}",
            "autocomplete": "off",
        }
    )


def _picks(kind: str, q: str):
    """(queryset, key field) of what `q` finds for a picker: by name or code, the shortest path first."""
    if kind == "org":
        return (
            Org.objects.filter(Q(name__contains=q) | Q(code__iexact=q), active=True).order_by("depth", "path"),
            "code",
        )
    if kind == "group":
        return GuidanceGroup.objects.filter(Q(name__contains=q) | Q(code__iexact=q)).order_by("code"), "code"
    if kind == "person":
        return (
            Person.objects.filter(Q(name__contains=q) | Q(number__iexact=q), active=True)
            .select_related("org")
            .order_by("name", "number"),
            "number",
        )
    return (
        User.objects.filter(Q(username__icontains=q) | Q(person__name__contains=q))
        .select_related("person")
        .order_by("username"),
        "username",
    )


def _label(kind: str, obj) -> str:
    if kind == "user":
        return f"{obj.person.name}（{obj.username}）" if obj.person_id else obj.username
    if kind == "person":
        return f"{obj.name}（{obj.number}）"
    return f"{obj.name}（{obj.code}）"


def pick(kind: str, text: str):
    """The object a picker's text names — "名称（编码）" as the list offers it, a code, or a name only
    one object has — or (None, a message in Chinese)."""
    qs, key = _picks(kind, "")
    match = _TRAILING_CODE.search(text)
    for code in ([match.group(1).strip()] if match else []) + [text]:
        found = qs.filter(**{key: code}).first()
        if found is not None:
            return found, ""
    name_field = {"org": "name", "group": "name", "person": "name", "user": "person__name"}[kind]
    named = list(qs.filter(**{name_field: text})[:2])
    if len(named) == 1:
        return named[0], ""
    word = PICK_WORDS[kind]
    if named:
        return None, f"有多个名为“{text}”的{word}，请输入后从列表中选择"
    return None, f"没有找到{word}“{text}”，请输入名称或编码后从列表中选择"


@login_required
def search(request):
    """GET ?kind=org|user|group|person&q=…&page=N → {"results": [{"value", "label"}], "page", "has_next"}:
    what a picker offers, 20 at a time, to the admin whose work needs it (404 for anyone else)."""
    kind = request.GET.get("kind", "")
    if kind not in PICKERS:
        raise Http404
    _require(request, PICKERS[kind])
    q = request.GET.get("q", "").strip()[:60]
    try:
        number = min(max(int(request.GET.get("page", "1")), 1), 500)
    except ValueError:
        number = 1
    if not q:
        return JsonResponse({"results": [], "page": 1, "has_next": False})
    qs, _ = _picks(kind, q)
    start = (number - 1) * PICK_PAGE
    rows = list(qs[start : start + PICK_PAGE + 1])
    return JsonResponse(
        {
            "results": [{"value": _label(kind, o), "label": _label(kind, o)} for o in rows[:PICK_PAGE]],
            "page": number,
            "has_next": len(rows) > PICK_PAGE,
        },
        json_dumps_params={"ensure_ascii": False},
    )


class AccountForm(forms.Form):
    username = forms.CharField(label="账号", max_length=150)
    password = forms.CharField(
        label="初始密码",
        widget=forms.PasswordInput,
        help_text="至少 10 位；不能全是数字，不能是常见密码或“单词 + 年份”（如 Tuijin2026），不能包含账号名、姓名或平台名称",
    )
    person_number = forms.CharField(
        label="对应人员（可不填）",
        required=False,
        help_text="输入姓名或人员编号，从列表中选择",
        widget=picker("person"),
    )


@login_required
def accounts(request):
    _require(request, "accounts.manage")
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = None
        number = form.cleaned_data["person_number"].strip()
        if number:
            person, error = pick("person", number)
            if person is None:
                form.add_error("person_number", error)
            elif (taken := User.objects.filter(person=person).first()) is not None:
                form.add_error("person_number", f"{person.name}（{person.number}）已有账号 {taken.username}")
        if not form.errors:
            try:
                user = actions.create_account(
                    actor=request.user,
                    username=form.cleaned_data["username"].strip(),
                    password=form.cleaned_data["password"],
                    person=person,
                )
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
    username = forms.CharField(label="账号", help_text="输入姓名或账号，从列表中选择", widget=picker("user"))
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    org_code = forms.CharField(
        label="组织（办公室、单位角色）",
        required=False,
        help_text="输入组织名称（如“东城”）或编码，从列表中选择",
        widget=picker("org"),
    )
    group_code = forms.CharField(
        label="指导组（指导组角色）",
        required=False,
        help_text="输入指导组名称或编号，从列表中选择",
        widget=picker("group"),
    )
    manage_subtree = forms.BooleanField(label="可维护下级组织数据（单位）", required=False)


@login_required
def grants(request):
    _require(request, "grants.manage")
    form = GrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, org, group = None, None, None
        for name, kind in (("username", "user"), ("org_code", "org"), ("group_code", "group")):
            text = data[name].strip()
            if not text:
                continue
            found, error = pick(kind, text)
            if found is None:
                form.add_error(name, error)
            elif kind == "user":
                user = found
            elif kind == "org":
                org = found
            else:
                group = found
        if not form.errors and user is not None:
            try:
                grant = actions.grant_role(
                    actor=request.user,
                    user=user,
                    role=data["role"],
                    org=org,
                    group=group,
                    manage_subtree=data["manage_subtree"],
                )
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
    found = (
        set(
            Person.objects.alias(page_text=Value(text, output_field=TextField()))
            .filter(page_text__contains=F("name"))
            .values_list("name", flat=True)
            .distinct()
        )
        if text
        else set()
    )
    names = sorted((n for n in found if len(n) >= 2), key=len, reverse=True)  # longest first: 张三丰 before 张三
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
        out.append(
            {
                "id": e.id,
                "at": e.at,
                "actor": e.actor_label,
                "verb": e.verb,
                "object": f"{kind} {e.target_id}",
                "summary": text,
            }
        )
    return out


@login_required
def mfa_reset(request):
    """The security administrator removes an account's authenticator (lost phone); recorded."""
    _require(request, "grants.manage")
    if request.method != "POST":
        raise Http404
    user, error = pick("user", request.POST.get("username", "").strip()[:150])
    if user is None:
        messages.error(request, error)
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
    return render(
        request,
        "admin3/audit.html",
        {
            "page": page,
            "rows": masked_rows(page),
            "verb": verb,
            "actor": actor,
            "check": check,
            "query": page_query(request),
        },
    )

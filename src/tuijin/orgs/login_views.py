"""Login with throttling, and the second step: TOTP verification and enrolment (see mfa.py, throttle.py).

Only views read the clock; the throttle takes `now` from here.
"""

import io
from typing import cast
from urllib.parse import quote

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice

from tuijin.core.errors import ActionError
from tuijin.core.net import client_ip

from . import actions, throttle
from .mfa import base32_secret, required_by_role, totp_device


def _now():
    return timezone.now()


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username, ip = request.POST.get("username", "").strip(), client_ip(request)
        wait = throttle.wait_seconds(username, ip, _now())
        if wait:
            return render(
                request,
                "registration/locked_out.html",
                {"wait": wait, "cap_minutes": max(1, throttle.limits().cap_seconds // 60)},
                status=429,
            )
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        username = self.request.POST.get("username", "").strip()
        wait = throttle.failed(username, client_ip(self.request), _now())
        # LoginView renders with render_to_response: a TemplateResponse (the stubs say HttpResponse)
        response = cast(TemplateResponse, super().form_invalid(form))
        if response.context_data is not None:  # always a dict here: LoginView renders its form's context
            response.context_data["wait"] = wait
        return response

    def form_valid(self, form):
        throttle.succeeded(form.get_user().username)
        return super().form_valid(form)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return "/"
    return target


class CodeForm(forms.Form):
    token = forms.CharField(
        label="验证码",
        max_length=16,
        strip=True,
        error_messages={"required": "请输入验证码", "max_length": "验证码太长"},
    )


@never_cache
@login_required
def verify(request):
    """Step two of login: a 6-digit code from the authenticator, or one of the recovery codes."""
    device = totp_device(request.user)
    if device is None:
        return redirect(f"/account/mfa/?next={quote(_next(request))}")
    if request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].replace(" ", "").lower()
        verified = verify_token(request.user, device.persistent_id, token) if token.isdigit() else None
        if verified is None and not token.isdigit():
            static = StaticDevice.objects.filter(user=request.user).first()
            verified = verify_token(request.user, static.persistent_id, token) if static else None
        if verified is not None:
            otp_login(request, verified)
            if not token.isdigit():
                messages.warning(request, "已使用一个恢复码登录，该恢复码已作废。手机找回前请妥善保管其余恢复码。")
            return redirect(_next(request))
        form.add_error("token", "验证码不正确或已过期（多次输错需稍候再试）")
    return render(request, "registration/mfa_verify.html", {"form": form, "next": _next(request)})


def _qr_svg(device) -> str:
    buffer = io.BytesIO()
    segno.make(device.config_url, error="m").save(
        buffer, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, title="身份验证器二维码"
    )
    return buffer.getvalue().decode()


@never_cache
@login_required
def setup(request):
    """Enrolment: scan the QR code (or type the key), confirm with one code, receive recovery codes."""
    user = request.user
    enrolled = totp_device(user)
    if enrolled is not None:
        if not user.is_verified():
            return redirect(f"/login/verify/?next={quote(_next(request))}")
        codes = None
        if request.method == "POST" and request.POST.get("regenerate") == "1":
            codes = actions.regenerate_recovery_codes(actor=user)
        return render(
            request,
            "registration/mfa_setup.html",
            {"enrolled": True, "codes": codes, "required": required_by_role(user)},
        )
    try:
        device = actions.start_totp_enrolment(actor=user)
    except ActionError as exc:
        messages.error(request, exc.message)
        return redirect("/")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified, codes = actions.confirm_totp(actor=user, token=form.cleaned_data["token"])
        except ActionError as exc:
            form.add_error("token", exc.message)
        else:
            otp_login(request, verified)
            return render(
                request,
                "registration/mfa_setup.html",
                {"enrolled": True, "codes": codes, "next": _next(request), "just_enrolled": True},
            )
    secret = base32_secret(device)
    return render(
        request,
        "registration/mfa_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
            "required": required_by_role(user),
        },
    )

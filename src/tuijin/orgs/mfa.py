"""Two-factor login (TOTP, django-otp): who must use it, and the gate that holds them until they have.

Required for the three admin roles (系统管理员 / 安全管理员 / 审计管理员); for office accounts when
TUIJIN_MFA_FOR_OFFICES=1 (the office running the platform decides); and for anyone who enrolled on
their own. A signed-in account that needs it and has not passed it this session reaches only the
verification and enrolment pages and logout; the API answers it 403.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tuijin.core import readcache

ADMIN_ROLES = {"sysadmin", "secadmin", "auditadmin"}
# The authenticator the demo binds to its admin accounts: only these may have their code shown on the
# command line (`tuijin totp-code`), so a newcomer can log in without a phone.
DEMO_DEVICE_NAME = "演示验证器"
OPEN_PREFIXES = ("/login/", "/logout/", "/account/mfa/", "/static/")


def totp_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def required_by_role(user) -> bool:
    roles = set(user.grants.values_list("role", flat=True))
    return bool(roles & ADMIN_ROLES) or (settings.TUIJIN_MFA_FOR_OFFICES and "office" in roles)


def base32_secret(device) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode().rstrip("=")


def needs_mfa(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    # In a GET, kept until the next recorded change (grants, enrolment and resets are recorded actions)
    # and under the office setting (a setting is no event); the login steps and every write ask the database.
    return readcache.kept(
        "mfa", lambda: required_by_role(user) or totp_device(user) is not None, user.pk, settings.TUIJIN_MFA_FOR_OFFICES
    )


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(OPEN_PREFIXES)
            and not user.is_verified()
            and needs_mfa(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "需要先完成双因素认证（动态验证码）"}, status=403)
            target = "mfa_verify" if totp_device(user) else "mfa_setup"
            return redirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)

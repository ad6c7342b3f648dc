"""REST API /api/v1/: token auth, the same scope as the pages (SPEC §4.4).

Modules add their routers here. Every list and detail reads through visible_to(); an object
outside the caller's scope is 404, exactly as on the pages.
"""
import hashlib

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from tuijin.core.errors import ActionError, StaleEdit


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        from tuijin.orgs.models import ApiToken

        digest = hashlib.sha256(token.encode()).hexdigest()
        found = ApiToken.objects.select_related("user").filter(key_hash=digest, revoked=False).first()
        if found is None or not found.user.is_active:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used=timezone.now())
        request.user = found.user
        return found.user


api = NinjaAPI(
    title="推进 tuijin API",
    version="1",
    description="主题教育推进平台接口。认证：请求头 Authorization: Bearer <令牌>（令牌用 `tuijin token USERNAME` 签发）。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)


@api.exception_handler(StaleEdit)
def _stale(request, exc):
    return api.create_response(request, {"detail": exc.message}, status=409)


@api.exception_handler(ActionError)
def _action_error(request, exc):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=422)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": "没有权限执行此操作"}, status=403)


from tuijin.orgs.api import router as orgs_router  # noqa: E402

api.add_router("/", orgs_router)

"""REST API /api/v1/: token auth, the same scope as the pages (SPEC §4.4).

Modules add their routers here. Every list and detail reads through visible_to(); an object
outside the caller's scope is 404, exactly as on the pages.
"""
import hashlib

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import ValidationError
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


# Request data the schema refuses, worded for a clerk; anything rarer keeps pydantic's words.
INVALID = {
    "missing": "必须填写",
    "int_parsing": "应为整数", "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false", "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "date_parsing": "应为日期，如 2026-11-27", "date_from_datetime_parsing": "应为日期，如 2026-11-27",
    "greater_than_equal": "数值太小",
}


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    """422 in the same shape as an action's refusal: a Chinese message naming the field."""
    errors = []
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        field = ".".join(loc[2:] if loc[:1] == ["body"] else loc[1:]) or "请求内容"
        errors.append({"field": field, "message": f"{field}：{INVALID.get(error.get('type'), error.get('msg'))}"})
    return api.create_response(request, {
        "detail": "；".join(e["message"] for e in errors), "field": errors[0]["field"] if errors else None,
        "errors": errors,
    }, status=422)


@api.exception_handler(PermissionDenied)
def _denied(request, exc):
    return api.create_response(request, {"detail": "没有权限执行此操作"}, status=403)


from tuijin.orgs.api import router as orgs_router  # noqa: E402
from tuijin.rectification.api import router as rectification_router  # noqa: E402

api.add_router("/", orgs_router)
api.add_router("/", rectification_router)

from tuijin.study.api import router as study_router  # noqa: E402

api.add_router("/study", study_router)

from tuijin.research.api import router as research_router  # noqa: E402

api.add_router("/research", research_router)

from tuijin.evaluation.api import router as evaluation_router  # noqa: E402

api.add_router("/evaluation", evaluation_router)

from tuijin.supervision.api import router as supervision_router  # noqa: E402

api.add_router("/supervision", supervision_router)

"""REST API /api/v1/: token auth, the same scope as the pages (SPEC §4.4).

Modules add their routers here. Every list and detail reads through visible_to(); an object
outside the caller's scope is 404, exactly as on the pages.
"""

import hashlib

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
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


ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {"type": "string", "description": "写给使用者的中文说明"},
        "field": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "出错的字段（如有）"},
        "errors": {
            "type": "array",
            "description": "请求内容不合要求时，逐个字段的说明",
            "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}},
        },
    },
}
ERRORS = {
    400: "请求无法解析：查询参数过长，或上传内容不是有效的 multipart/form-data",
    401: "未登录或令牌无效",
    403: "没有权限执行此操作",
    404: "对象不存在，或不在您的查看范围内（两者不作区分）",
    409: "内容已被他人修改（version 已过期），请刷新后重试",
    422: "请求内容不合要求，或操作被业务规则拒绝（detail 说明原因，field 指出字段）",
}


def error_statuses(method: str, operation: dict) -> set[int]:
    """The error statuses one operation really answers with, from what it takes.

    Every operation: 400 (a query parameter over the length limit), 401 (no or bad token) and 422 (a
    parameter or body the schema refuses). An object named in the path or a filter naming an org or a
    person: 404 (out of scope reads like not there). A change: 403 (in scope, no permission) and 404
    (an object it refers to). A change that carries `version`: 409 (stale edit).
    """
    found = {400, 401, 422}
    params = {p["name"]: p["in"] for p in operation.get("parameters", [])}
    if "path" in params.values() or {"org", "person"} & set(params):
        found.add(404)
    if method != "get":
        found |= {403, 404}
        body = operation.get("requestBody", {}).get("content", {})
        if any("version" in str(media.get("schema", {})) for media in body.values()) or method == "patch":
            found.add(409)
    return found


class TuijinAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        """django-ninja's schema plus the error answers of every operation (issue 12: no status undocumented)."""
        schema = super().get_openapi_schema(*args, **kwargs)
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path in schema["paths"].values():
            for method, operation in path.items():
                for status in sorted(error_statuses(method, operation)):
                    operation["responses"].setdefault(status, {"description": ERRORS[status], "content": ref})
        return schema


api = TuijinAPI(
    title="推进 tuijin API",
    version="1",
    description="主题教育推进平台接口。认证：请求头 Authorization: Bearer <令牌>（令牌用 `tuijin token USERNAME` 签发）。",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
    # In production the schema and the docs page are for logged-in users only (issue 12, finding 10).
    docs_decorator=login_required if settings.PRODUCTION else None,
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
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "string_type": "应为文字",
    "date_parsing": "应为日期，如 2026-11-27",
    "date_from_datetime_parsing": "应为日期，如 2026-11-27",
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
    return api.create_response(
        request,
        {
            "detail": "；".join(e["message"] for e in errors),
            "field": errors[0]["field"] if errors else None,
            "errors": errors,
        },
        status=422,
    )


@api.exception_handler(BadRequest)
def _bad_request(request, exc):
    return api.create_response(request, {"detail": str(exc) or "请求无法解析"}, status=400)


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
from tuijin.publicity.api import router as publicity_router  # noqa: E402

api.add_router("/publicity", publicity_router)

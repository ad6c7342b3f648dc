"""Orgs and people over the API."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from tuijin.core import readcache
from tuijin.core.scope import subtree_q
from tuijin.core.pagination import Pages

from . import actions, queries
from .models import Org, Person

router = Router(tags=["组织与人员"])


class OrgOut(Schema):
    code: str
    name: str
    kind: str
    sector: str
    batch: str
    active: bool
    parent_code: str | None
    depth: int

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class CountsOut(Schema):
    orgs: int
    branches: int
    people: int
    members: int


class OrgDetailOut(OrgOut):
    counts: CountsOut


class PersonOut(Schema):
    number: str
    name: str
    org_code: str = Field(alias="org.code")
    status: str
    post: str
    is_leading_cadre: bool
    cadre_level: str
    phone_masked: str = Field(alias="masked_phone")
    version: int


class PersonPatch(Schema):
    version: int
    name: str | None = None
    status: str | None = None
    post: str | None = None
    is_leading_cadre: bool | None = None
    cadre_level: str | None = None
    phone: str | None = None
    org_code: str | None = None


@router.get("/orgs", response=list[OrgOut], summary="组织列表")
@paginate(Pages, page_size=100)
def list_orgs(request, q: str = "", parent: str = "", kind: str = ""):
    qs = Org.objects.visible_to(request.user).select_related("parent").order_by("path")
    if q:
        qs = queries.search_orgs(request.user, q).select_related("parent")
    if parent:
        qs = qs.filter(parent__code=parent)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@router.get("/orgs/{code}", response=OrgDetailOut, summary="组织详情（含下级汇总数）")
def get_org(request, code: str):
    org = get_object_or_404(Org.objects.visible_to(request.user).select_related("parent"), code=code)
    org.counts = queries.subtree_counts(org)
    return org


@router.get("/people", response=list[PersonOut], summary="人员列表")
@readcache.api_list("people")  # kept until the next recorded change
@paginate(Pages, page_size=100)
def list_people(request, org: str = "", subtree: bool = True, q: str = ""):
    qs = Person.objects.visible_to(request.user).select_related("org").order_by("org__path", "number")
    if org:
        root = get_object_or_404(Org.objects.visible_to(request.user), code=org)
        qs = qs.filter(subtree_q("org__path", root.path)) if subtree else qs.filter(org=root)
    if q:
        qs = qs.filter(pk__in=queries.search_people(request.user, q).values("pk"))
    return qs


@router.get("/people/{number}", response=PersonOut, summary="人员详情")
def get_person(request, number: str):
    return get_object_or_404(Person.objects.visible_to(request.user).select_related("org"), number=number)


@router.patch("/people/{number}", response=PersonOut, summary="修改人员（需带 version，防止覆盖他人修改）")
def patch_person(request, number: str, payload: PersonPatch):
    person = get_object_or_404(Person.objects.visible_to(request.user), number=number)
    changes = payload.dict(exclude_unset=True, exclude={"version", "org_code"})
    org = None
    if payload.org_code:
        org = get_object_or_404(Org.objects.visible_to(request.user), code=payload.org_code)
    return actions.update_person(person, actor=request.user, version=payload.version, org=org, **changes)

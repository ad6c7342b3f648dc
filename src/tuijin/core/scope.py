"""The one scope function: what a user may see (SPEC §1).

Every list, detail, export, API call and report reads through `visible_to(queryset, user)`
(or the `.visible_to(user)` queryset method, which calls it). A model opts in by naming the
path of its owning org (`scope_path_field`, e.g. "org__path") and, if party members may see
some of its rows, a `scope_member_q(user)` classmethod. Out-of-scope rows simply do not exist
for the caller: views answer 404.

- 办公室 / 单位: the granted org's whole subtree.
- 指导组: the subtrees of the orgs assigned to the group.
- 党员: only what the model's scope_member_q allows (own records, own org).
- admin roles (三员) and users without grants: no business data.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from . import readcache

BUSINESS_SCOPE_ROLES = ("office", "unit", "guidance")


def scope_paths(user: Any) -> list[str]:
    """Tree paths whose subtrees the user sees, minimal (no path under another). Cached per user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_tuijin_scope_paths", None)
    if cached is not None:
        return cached
    # In a GET, kept until the next recorded change (grants, groups and org moves are recorded actions).
    user._tuijin_scope_paths = readcache.kept("scope", lambda: _scope_paths(user), user.pk)
    return user._tuijin_scope_paths


def _scope_paths(user: Any) -> list[str]:
    # orgs is a higher layer: its models are reached through Django's app registry
    Org, RoleGrant = apps.get_model("orgs", "Org"), apps.get_model("orgs", "RoleGrant")

    grants = RoleGrant.objects.filter(user=user, role__in=BUSINESS_SCOPE_ROLES)
    paths = set(
        Org.objects.filter(pk__in=grants.filter(org__isnull=False).values("org")).values_list("path", flat=True)
    )
    paths |= set(
        Org.objects.filter(guidance_groups__in=grants.filter(group__isnull=False).values("group")).values_list(
            "path", flat=True
        )
    )
    minimal: list[str] = []
    for path in sorted(paths):
        if not minimal or not path.startswith(minimal[-1]):
            minimal.append(path)
    return minimal


def in_business_scope(user: Any, org: Any) -> bool:
    """Whether `org` lies in a subtree the user sees through an office, unit or guidance grant.

    A party member sees their own org (its notices) but not the records and figures of the units
    below it: pages about a subtree's work (study records, dashboards, briefings) need this."""
    return any(org.path.startswith(p) for p in scope_paths(user))


def is_member(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_tuijin_is_member", None)
    if cached is None:
        cached = readcache.kept("member", lambda: user.grants.filter(role="member").exists(), user.pk)
        user._tuijin_is_member = cached
    return cached


def subtree_q(field: str, path: str) -> Q:
    """Rows whose `field` (a tree path) lies in the subtree at `path`: THE subtree filter.

    Every subtree filter in src/ goes through here (tests/architecture/test_subtree_filters.py fails on
    a `path__startswith` anywhere else), so the database answers each from an index and the cost of a
    subtree follows its size, not the size of the tree or of the rows stored elsewhere.

    - On the org's own path (`"path"`): on PostgreSQL a prefix match uses the path's pattern index.
      SQLite's LIKE ignores the index (it is case-insensitive), so there the same set is asked for as a
      range, [path, successor), which the index answers directly. (Not on PostgreSQL: a linguistic
      collation does not order the successor character bytewise.)
    - Through a relation (`"org__path"`, `"person__org__path"`): the foreign key is matched against the
      ids of the subtree's orgs, `org_id IN (SELECT id FROM org WHERE <range>)`. The planner then
      reads the subtree's orgs from the path index and the rows from the foreign-key index, instead of
      joining every row to its org and testing the path (a scan of the whole table); an OR of two such
      filters (a problem's org and origin_org) stays two index lookups."""
    if not path:  # the root of everything (an API call without org=): every row that has the field
        return Q(**{f"{field}__isnull": False})
    if "__" in field:
        relation, last = field.rsplit("__", 1)
        if last == "path":
            Org = apps.get_model("orgs", "Org")
            return Q(**{f"{relation}__in": Org.objects.filter(_path_q("path", path)).values("pk")})
    return _path_q(field, path)


def _path_q(field: str, path: str) -> Q:
    from django.db import connection

    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": path, f"{field}__lt": path[:-1] + chr(ord(path[-1]) + 1)})
    return Q(**{f"{field}__startswith": path})


def subtrees_q(
    model: Any, fields: str | Iterable[str], paths: Iterable[str], extra: Callable[[str], Q] | None = None
) -> Q:
    """Rows of `model` whose any of `fields` (tree paths) lies in any of the subtrees at `paths`.

    One field and one path is `subtree_q`. Several roots of one field are one `org_id IN (SELECT id
    FROM org WHERE <range> OR <range>)`. Several fields (a problem's owner or escalating org) are NOT an
    OR of their filters — neither database answers `a_id IN (…) OR b_id IN (…)` from its indexes once
    anything else is in the query (SQLite walks the state or deadline index, or every org; PostgreSQL
    filters every row with a hashed subplan) — but one `id IN (SELECT id … UNION SELECT id …)`, a
    branch per field: each an index search, the rows then come by primary key. `extra(path)` (a model's
    `scope_extra_q`, e.g. a problem seen by its cooperating orgs) adds one more branch."""
    fields = (fields,) if isinstance(fields, str) else tuple(fields)
    paths = list(paths)
    if not paths:
        return Q(pk__in=[])
    if "" in paths:  # the root of everything: every row that has one of the fields (no index helps)
        q = Q(pk__in=[])
        for field in fields:
            q |= subtree_q(field, "")
        return q
    if len(fields) == 1 and extra is None:
        return _one_field(fields[0], paths)
    parts = [model._default_manager.order_by().filter(_one_field(field, paths)).values("pk") for field in fields]
    if extra is not None:
        extra_q = Q(pk__in=[])
        for path in paths:
            extra_q |= extra(path)
        parts.append(model._default_manager.order_by().filter(extra_q).values("pk"))
    return Q(pk__in=parts[0].union(*parts[1:]))


def _one_field(field: str, paths: list[str]) -> Q:
    if len(paths) == 1:
        return subtree_q(field, paths[0])
    if "__" in field and field.endswith("__path"):
        ranges = Q(pk__in=[])
        for path in paths:
            ranges |= _path_q("path", path)
        Org = apps.get_model("orgs", "Org")
        return Q(**{f"{field.rsplit('__', 1)[0]}__in": Org.objects.filter(ranges).values("pk")})
    q = Q(pk__in=[])
    for path in paths:
        q |= subtree_q(field, path)
    return q


def scope_q(model: Any, user: Any) -> Q:
    """The filter that restricts `model` to what `user` may see.

    `scope_path_field` may be a tuple: a row is visible through any of the orgs it names
    (an escalated problem stays visible to the unit that raised it). A model may add
    `scope_extra_q(path)` (a classmethod returning a Q on the model, e.g. `pk__in=<subquery>`) for rows
    visible through a many-to-many relation; it becomes one more branch of the union, so rows are never
    duplicated and every branch stays an index search."""
    q = subtrees_q(model, model.scope_path_field, scope_paths(user), extra=getattr(model, "scope_extra_q", None))
    if is_member(user) and hasattr(model, "scope_member_q"):
        q |= model.scope_member_q(user)
    return q


def visible_to(queryset: Any, user: Any) -> Any:
    return queryset.filter(scope_q(queryset.model, user))


def forget(user: Any) -> None:
    """Drop cached scope after grants change (used by actions and tests)."""
    for attr in ("_tuijin_scope_paths", "_tuijin_is_member"):
        if hasattr(user, attr):
            delattr(user, attr)


class ScopedQuerySetMixin:
    def visible_to(self, user: Any) -> Any:
        return visible_to(self, user)


class ScopedQuerySet(ScopedQuerySetMixin, models.QuerySet):
    """For org-owned models with nothing else on their queryset: `objects = ScopedQuerySet.as_manager()`."""

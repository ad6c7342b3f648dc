"""The task-rule engine: rules count records of a named kind per org (or per leading cadre).

Modules register the kinds they own with `core.kinds.register_kind`; a campaign file may only name
registered kinds and their declared fields, so a typo is a load error, not a silent zero.

    rule = { count = "study_session", where = { form = "专题研讨" }, at_least = 1 }
    rule = { count = "research_visit", per = "leading_cadre", at_least = 2 }
    rule = { count = "person", where = { status = "正式党员" }, at_least = 3, scope = "subtree" }
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from tuijin.core.kinds import RecordKind, get_kind, kinds, register_kind
from tuijin.core.scope import subtree_q

APPLIES_TO_KEYS = {"kind", "sector", "level", "batch"}
RULE_KEYS = {"count", "where", "at_least", "per", "scope"}


class RuleError(ValueError):
    pass


def validate_rule(rule: dict) -> list[str]:
    """Chinese messages for everything wrong with a rule; empty when it is usable."""
    errors = []
    unknown = set(rule) - RULE_KEYS
    if unknown:
        errors.append(f"未知的规则项：{'、'.join(sorted(unknown))}（可用：{'、'.join(sorted(RULE_KEYS))}）")
    name = rule.get("count")
    kind = get_kind(name)
    if kind is None:
        errors.append(f"未知的记录类型“{name}”（可用：{'、'.join(sorted(kinds()))}）")
    else:
        where = rule.get("where", {})
        if not isinstance(where, dict):
            errors.append('where 应为表，如 where = { form = "专题研讨" }')
        else:
            for key in where:
                if key not in kind.fields:
                    errors.append(f"记录类型“{name}”没有字段“{key}”（可用：{'、'.join(sorted(kind.fields)) or '无'}）")
        per = rule.get("per")
        if per not in (None, "leading_cadre"):
            errors.append(f'per 只能是 "leading_cadre"，实际为“{per}”')
        elif per and not kind.person_field:
            errors.append(f"记录类型“{name}”不能按领导干部计数")
    at_least = rule.get("at_least")
    if not isinstance(at_least, int) or isinstance(at_least, bool) or at_least < 1:
        errors.append("at_least 应为不小于 1 的整数")
    if rule.get("scope", "self") not in ("self", "subtree"):
        errors.append('scope 只能是 "self" 或 "subtree"')
    return errors


def validate_applies_to(applies_to: dict) -> list[str]:
    unknown = set(applies_to) - APPLIES_TO_KEYS
    if unknown:
        return [f"未知的适用范围筛选项：{'、'.join(sorted(unknown))}（可用：{'、'.join(sorted(APPLIES_TO_KEYS))}）"]
    return []


def _as_list(value):
    return value if isinstance(value, list) else [value]


def applicable_orgs(task, within=None):
    """Active orgs in the campaign's tree that the task applies to (optionally inside `within`'s subtree)."""
    from tuijin.orgs.models import Org

    root = task.campaign.root
    # One subtree range, the narrower of the two (a second range would make SQLite walk the wider).
    if within is None or within.path.startswith(root.path):
        qs = Org.objects.filter(subtree_q("path", (within or root).path), active=True)
    elif root.path.startswith(within.path):
        qs = Org.objects.filter(subtree_q("path", root.path), active=True)
    else:
        return Org.objects.none()
    f = task.applies_to or {}
    if "kind" in f:
        qs = qs.filter(kind__in=_as_list(f["kind"]))
    if "sector" in f:
        qs = qs.filter(sector__in=_as_list(f["sector"]))
    if "batch" in f:
        qs = qs.filter(batch__in=_as_list(f["batch"]))
    if "level" in f:
        qs = qs.filter(depth__in=[root.depth + int(level) for level in _as_list(f["level"])])
    return qs


def _records(kind: RecordKind, where: dict, as_of: dt.date):
    qs = kind.queryset()
    for key, value in (where or {}).items():
        lookup = kind.fields[key]
        qs = qs.filter(**({f"{lookup}__in": value} if isinstance(value, list) else {lookup: value}))
    if kind.date_field:
        qs = qs.filter(**{f"{kind.date_field}__lte": as_of})
    return qs


def count_by_org(kind_name: str, where: dict, orgs, as_of: dt.date, scope: str = "self") -> dict[int, int]:
    """Records per org: own records, or (scope="subtree") records anywhere under the org."""
    kind = kinds()[kind_name]
    orgs = list(orgs)
    records = _records(kind, where, as_of)
    if scope == "self":
        # order_by() clears default ordering, which would otherwise split the GROUP BY.
        rows = (
            records.filter(**{f"{kind.org_field}__in": [o.pk for o in orgs]})
            .order_by()
            .values(kind.org_field)
            .annotate(n=Count("pk"))
        )
        counts = {row[kind.org_field]: row["n"] for row in rows}
        return {o.pk: counts.get(o.pk, 0) for o in orgs}
    result = {}
    for org in orgs:
        result[org.pk] = records.filter(subtree_q(f"{kind.org_field}__path", org.path)).count()
    return result


def count_per_cadre(kind_name: str, where: dict, orgs, as_of: dt.date) -> dict[int, dict[int, int]]:
    """For each org, {leading cadre person id: records}. An org with no cadres maps to {}."""
    from tuijin.orgs.models import Person

    kind = kinds()[kind_name]
    orgs = list(orgs)
    cadres = Person.objects.filter(org__in=orgs, is_leading_cadre=True, active=True).values_list("pk", "org_id")
    result: dict[int, dict[int, int]] = {o.pk: {} for o in orgs}
    cadre_org = {}
    for pk, org_id in cadres:
        result[org_id][pk] = 0
        cadre_org[pk] = org_id
    rows = (
        _records(kind, where, as_of)
        .filter(**{f"{kind.person_field}__in": list(cadre_org)})
        .order_by()
        .values(kind.person_field)
        .annotate(n=Count("pk"))
    )
    for row in rows:
        pk = row[kind.person_field]
        result[cadre_org[pk]][pk] = row["n"]
    return result


@dataclass
class Completion:
    org_id: int
    done: bool
    count: int  # records counted (per cadre: cadres meeting the bar)
    required: int  # at_least (per cadre: number of cadres)
    detail: dict = field(default_factory=dict)


def evaluate(task, orgs, as_of: dt.date) -> dict[int, Completion]:
    rule = task.rule
    at_least = rule["at_least"]
    if rule.get("per") == "leading_cadre":
        per = count_per_cadre(rule["count"], rule.get("where", {}), orgs, as_of)
        out = {}
        for org_id, cadres in per.items():
            meeting = sum(1 for n in cadres.values() if n >= at_least)
            # An org without leading cadres has nothing to do for this task.
            out[org_id] = Completion(org_id, meeting == len(cadres), meeting, len(cadres), cadres)
        return out
    counts = count_by_org(rule["count"], rule.get("where", {}), orgs, as_of, rule.get("scope", "self"))
    return {org_id: Completion(org_id, n >= at_least, n, at_least) for org_id, n in counts.items()}


def completion_table(campaign, as_of: dt.date, within=None) -> dict[int, dict[int, Completion]]:
    """{task id: {org id: Completion}} for every task of the campaign over the applicable orgs."""
    table = defaultdict(dict)
    for task in campaign.tasks.all():
        table[task.pk] = evaluate(task, applicable_orgs(task, within), as_of)
    return dict(table)


def check_where_values(kind_name: str, where: dict) -> list[str]:
    """Values in `where` must be valid for choice fields, so "专题研讨会" is caught at load time."""
    kind = kinds()[kind_name]
    model = kind.queryset().model
    errors = []
    for key, value in (where or {}).items():
        lookup = kind.fields[key]
        if "__" in lookup:
            continue
        field_obj = model._meta.get_field(lookup)
        choices = {str(c[0]) for c in field_obj.choices or []}
        if choices:
            for v in _as_list(value):
                if str(v) not in choices and not isinstance(v, bool):
                    errors.append(f"字段“{key}”的值“{v}”无效（可用：{'、'.join(sorted(choices))}）")
    return errors


__all__ = [
    "RecordKind",
    "register_kind",
    "kinds",
    "validate_rule",
    "evaluate",
    "applicable_orgs",
    "completion_table",
    "Completion",
    "RuleError",
    "Q",
]

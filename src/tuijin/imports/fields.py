"""Cell helpers every module's loader uses: one home, public names (docs/architecture.md).

Each reads one cell of a sheet row, adds a clerk's message (`第N行 列名: 原因`) to `errors` when the
cell is wrong, and returns the cleaned value (or a neutral default) so validation goes on collecting.
"""

from __future__ import annotations

import re

from tuijin.core.chunks import chunks
from tuijin.core.permissions import checker
from tuijin.orgs.models import Org

from .normalize import clean_text, parse_choice

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")


def code_cell(row, column, errors, required=True):
    value = clean_text(row.get(column))
    if value is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return None
    if not CODE_RE.match(value):
        errors.add(row.number, column, f"“{value}”不是有效的编码（只能用字母、数字、- _ .，最长 40 位）")
        return None
    return value


def choice_cell(row, column, choices, errors, default="", required=False):
    value = row.get(column)
    if clean_text(value) is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return default
    try:
        return parse_choice(value, choices)
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return default


def text_cell(row, column, errors, *, required=False, max_length=120):
    value = clean_text(row.get(column))
    if value is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return ""
    if len(value) > max_length:
        errors.add(row.number, column, f"太长（{len(value)} 字），最多 {max_length} 字")
    return value


def fetch(queryset, field, values):
    """{value: obj} for many keys, in chunks."""
    found = {}
    for chunk in chunks(values):
        found.update({getattr(o, field): o for o in queryset.filter(**{f"{field}__in": chunk})})
    return found


def allowed(actor, perm):
    """can(actor, perm, org), asked once per org."""
    answers = {}
    check = checker(actor, perm)  # the actor's grants read once (issue 15: not a query per org)

    def may(org):
        if org.pk not in answers:
            answers[org.pk] = check(org)
        return answers[org.pk]

    return may


def not_found(code, actor, hint):
    # To an actor, an org outside their scope reads exactly like one that does not exist (SPEC §1).
    return f"组织“{code}”不存在" + ("，或不在您的管理范围内" if actor is not None else hint)


def check_row_orgs(rows: dict, actor, errors, *, what: str) -> dict:
    """For records keyed (org code, …): drop every row whose org is missing (or outside the actor's
    scope), withdrawn, or not the actor's to maintain, with the clerk's reason under 组织编码.
    Returns the orgs found, by code; `what` names the records (e.g. 学习记录)."""
    orgs = fetch(
        Org.objects.all() if actor is None else Org.objects.visible_to(actor), "code", {key[0] for key in rows}
    )
    may = allowed(actor, "records.manage")
    for key, d in list(rows.items()):
        org = orgs.get(key[0])
        if org is None:
            errors.add(d["row"], "组织编码", not_found(key[0], actor, "，请先导入组织"))
        elif not org.active:
            errors.add(d["row"], "组织编码", f"组织“{org.name}”已撤销或并入其他组织，请填写现在的组织")
        elif not may(org):
            errors.add(d["row"], "组织编码", f"无权维护组织“{org.name}”的{what}")
        else:
            continue
        del rows[key]
    return orgs


def check_set_aside_orgs(set_aside: list[dict], actor, errors, *, what: str) -> dict:
    """check_row_orgs for rows set aside before it (a key cell empty or wrong, or the key repeated):
    their 组织编码 is checked too, so every error of the sheet comes in one report. Each dict needs
    "code" (None when unreadable) and "row"; a row whose org passes gets it as "org". Returns the orgs
    found, by code."""
    keyed = {(d["code"], d["row"]): d for d in set_aside if d.get("code")}
    orgs = check_row_orgs(keyed, actor, errors, what=what)
    for (code, _), d in keyed.items():  # what check_row_orgs kept: the rows whose org is good
        d["org"] = orgs[code]
    return orgs

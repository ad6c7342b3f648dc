"""Importing and exporting orgs and people (templates of SPEC §4.2); the shared cell helpers are in fields.py.

Every row is validated first and every error collected; only a wholly valid sheet is written,
in one transaction, as one recorded action. Rows match existing records by code / number, so
re-importing the same sheet updates and never duplicates.
"""

import re
from collections import Counter, defaultdict

from simple_history.utils import bulk_update_with_history

from tuijin.core.scope import subtree_q
from tuijin.core import events
from tuijin.core.chunks import chunks
from tuijin.orgs.models import BATCHES, CADRE_LEVELS, ORG_KINDS, PERSON_STATUSES, PHONE_RE, SECTORS, Org, Person
from tuijin.orgs.tree import allocate_paths, refresh_numchild, step

from .base import all_or_nothing, keyed_rows
from .bulk import default_history_user, insert_values, insert_with_history
from .fields import allowed, choice_cell, code_cell, fetch, not_found, text_cell
from .normalize import RowErrors, clean_text, parse_bool
from .registry import ImportFailed, ImportResult, register_loader


def _present(sheet, columns):
    """Fields whose column is in the sheet. A column left out of the sheet says nothing, so it must
    not blank what is stored (a sheet without 手机号 would otherwise erase every phone)."""
    return [f for f, column in columns.items() if column in sheet.columns]


# ------------------------------------------------------------------ orgs

ORG_COLUMNS = {"name": "组织名称", "kind": "组织类别", "sector": "所属领域", "batch": "批次"}


def _org_rows(sheet, errors):
    """({code: row data} in sheet order, rows set aside: 组织编码 empty, wrong or repeated); cell errors
    are added in column order."""

    def read(row):
        code = code_cell(row, "组织编码", errors)
        data = {
            "name": text_cell(row, "组织名称", errors, required=True),
            "parent": code_cell(row, "上级组织编码", errors, required=False),
            "kind": choice_cell(row, "组织类别", ORG_KINDS, errors, required=True),
            "sector": choice_cell(row, "所属领域", SECTORS, errors, default="其他"),
            "batch": choice_cell(row, "批次", BATCHES, errors),
        }
        # An unreadable parent code is already reported; do not also call it "empty".
        data["parent_unreadable"] = data["parent"] is None and clean_text(row.get("上级组织编码")) is not None
        return code, data

    return keyed_rows(sheet, read, errors, repeated=lambda key, row, first: ("组织编码", f"“{key}”与第{first}行重复"))


def _paths_with_ancestors(orgs):
    """{code: path} for the given orgs and every org above them."""
    step = Org.steplen
    paths = {o.path[:i] for o in orgs for i in range(step, len(o.path) + 1, step)}
    found = {}
    for chunk in chunks(paths):
        found.update(Org.objects.filter(path__in=chunk).values_list("code", "path"))
    return found


def load_orgs(sheet, *, actor, dry_run=False) -> ImportResult:
    errors = RowErrors()
    rows, set_aside = _org_rows(sheet, errors)
    existing = fetch(
        Org.objects.select_related("parent"),
        "code",
        set(rows) | {d["parent"] for d in [*rows.values(), *set_aside] if d["parent"]},
    )
    visible = set(existing) if actor is None else set(fetch(Org.objects.visible_to(actor), "code", existing))
    for d in set_aside:  # 组织编码 already reported: a parent found nowhere is reported in the same round
        if d["parent"] and d["parent"] not in rows and d["parent"] not in visible:
            errors.add(d["row"], "上级组织编码", not_found(d["parent"], actor, "（既不在系统中，也不在本表中）"))

    def parent_now(code):
        org = existing[code]
        return org.parent.code if org.parent_id else None

    may_manage = allowed(actor, "org.manage")
    for code, data in list(rows.items()):
        if code in existing and code not in visible:
            # An org outside the actor's scope answers as if the code were new: the row's parent is checked
            # the same way and reported with the same words. Only a row that would otherwise create the org
            # learns that the code is taken, which a unique code cannot hide; it never learns by whom.
            parent = data["parent"]
            if data["parent_unreadable"]:
                pass  # reported with the row's other errors, as for any row
            elif parent is None:
                errors.add(data["row"], "上级组织编码", "不能为空：新的最上级组织只能由系统管理员用命令行导入")
            elif parent == code:
                errors.add(data["row"], "上级组织编码", "不能是组织自己")
            elif parent not in rows and parent not in visible:
                errors.add(data["row"], "上级组织编码", not_found(parent, actor, "（既不在系统中，也不在本表中）"))
            elif parent in visible and not may_manage(existing[parent]):
                errors.add(data["row"], "上级组织编码", f"无权在组织“{existing[parent].name}”下设立或调入组织")
            else:
                errors.add(data["row"], "组织编码", f"组织编码“{code}”已被占用，请换一个编码")
            del rows[code]

    # Where each row puts its org. An org staying under its current parent needs no check: that is
    # how a county re-imports its own export, whose top row names the city above it.
    bad_parent = set()
    for code, data in rows.items():
        parent = data["parent"]
        if data["parent_unreadable"]:
            bad_parent.add(code)
            continue
        if code in existing and parent == parent_now(code):
            continue
        if parent is None:
            if code in existing:
                reason = "不能为空（该组织已有上级组织）"
            elif actor is not None:
                reason = "不能为空：新的最上级组织只能由系统管理员用命令行导入"
            else:
                continue  # a new top-level org, from the command line
        elif parent == code:
            reason = "不能是组织自己"
        elif parent not in rows and parent not in visible:
            reason = not_found(parent, actor, "（既不在系统中，也不在本表中）")
        else:
            continue
        errors.add(data["row"], "上级组织编码", reason)
        bad_parent.add(code)

    # Walk each row up the tree as it will be after the import (sheet rows first, stored paths for
    # the rest): this finds loops made of sheet rows, of stored orgs, or of both, and gives each
    # org its final depth so parents are created and moved before their children.
    path_of = _paths_with_ancestors(existing.values())
    code_at = {path: code for code, path in path_of.items()}

    def parent_after(code):
        if code in rows:
            return rows[code]["parent"]
        path = path_of.get(code, "")
        return code_at.get(path[: -Org.steplen]) if len(path) > Org.steplen else None

    depth_after = {}
    for code, data in rows.items():
        if code in bad_parent:
            continue
        chain, cur = [code], parent_after(code)
        while cur is not None and cur not in chain:
            chain.append(cur)
            cur = parent_after(cur)
        if cur is None:
            depth_after[code] = len(chain)
        elif cur == code:  # this org is part of the loop (other rows may only lead into it)
            target, mine = existing.get(data["parent"]), existing.get(code)
            under_itself = target is not None and mine is not None and target.path.startswith(mine.path)
            errors.add(
                data["row"],
                "上级组织编码",
                "不能把组织移到它自己的下级组织之下" if under_itself else "上下级关系形成了循环",
            )

    # What the sheet changes.
    fields = _present(sheet, ORG_COLUMNS)
    creates, changed, moves = [], [], []
    for code, data in rows.items():
        org = existing.get(code)
        if org is None:
            creates.append(code)
            continue
        if any(getattr(org, f) != data[f] for f in fields) or not org.active:
            changed.append(code)
        if data["parent"] != parent_now(code):
            moves.append(code)

    # Permission is needed for what changes: the org itself, and the parent it is put under.
    may = allowed(actor, "org.manage")
    for code in dict.fromkeys(changed + moves + creates):
        data = rows[code]
        org = existing.get(code)
        parent = existing.get(data["parent"]) if data["parent"] in visible else None  # else reported above
        if org is not None and not may(org):
            errors.add(data["row"], "组织编码", f"无权维护组织“{org.name}”")
        elif (org is None or code in moves) and parent is not None and not may(parent):
            errors.add(data["row"], "上级组织编码", f"无权在组织“{parent.name}”下设立或调入组织")
    if errors:
        raise ImportFailed(errors)

    updated = list(dict.fromkeys(changed + moves))
    result = ImportResult(created=len(creates), updated=len(updated), unchanged=len(rows) - len(creates) - len(updated))

    def write():
        pk_of = {code: o.pk for code, o in existing.items()}
        new_path = {}
        # treebeard's move() reads numchild to find a free path: it must count the new children. A new
        # org's children are the ones created here (moves below keep numchild themselves).
        new_children = Counter(rows[c]["parent"] for c in creates if rows[c]["parent"])
        by_depth = defaultdict(list)
        for code in creates:
            by_depth[depth_after[code]].append(code)
        for depth in sorted(by_depth):
            objs, level, taken = [], [], Counter()
            for code in by_depth[depth]:
                data, parent = rows[code], rows[code]["parent"]
                org = Org(code=code, parent_id=pk_of.get(parent), **{f: data[f] for f in ORG_COLUMNS})
                objs.append(org)
                if parent in new_path:
                    # Under an org created by this import nothing is stored yet: its children take the
                    # steps 1, 2, … as allocate_paths would give them, without its query per parent.
                    taken[parent] += 1
                    org.path = new_path[parent] + step(taken[parent])
                    org.depth = len(org.path) // Org.steplen
                else:
                    level.append((org, existing[parent].path if parent else ""))
            allocate_paths(level)
            for org in objs:
                org.numchild = new_children.get(org.code, 0)
            created = insert_with_history(Org, objs, user=default_history_user(Org), reason="导入")
            for org in created:
                pk_of[org.code], new_path[org.code] = org.pk, org.path
        refresh_numchild(
            Org.objects.filter(code__in={p for p in new_children if p not in new_path}).values_list("path", flat=True)
        )
        # Shallowest first: every new parent is then already where it belongs.
        for code in sorted(moves, key=depth_after.get):
            org = Org.objects.get(code=code)
            new_parent = Org.objects.get(code=rows[code]["parent"])
            Org.objects.move(org, new_parent, pos="last-child")
            Org.objects.filter(pk=org.pk).update(parent=new_parent)
        # Field changes last, on fresh rows, so each history row shows the org as it now stands.
        orgs = list(fetch(Org.objects.all(), "code", updated).values())
        for org in orgs:
            for f in fields:
                setattr(org, f, rows[org.code][f])
            org.active = True
            org.version += 1
        bulk_update_with_history(
            orgs, Org, fields + ["active", "version"], batch_size=500, default_change_reason="导入"
        )
        if moves:
            events.tree_changed()
        events.record(
            actor,
            "import.orgs",
            ("imports", "orgs"),
            summary=f"导入组织：{result.summary()}",
            after={"created": creates[:200], "updated": changed[:200], "moved": moves[:200]},
        )

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_orgs(org, user):
    # Inactive (merged) orgs are left out: the sheet has no column to say so, and importing
    # the export back would bring them back to life.
    qs = Org.objects.filter(subtree_q("path", org.path), active=True).select_related("parent").order_by("path")
    if user is not None:
        qs = qs.visible_to(user)
    for o in qs.iterator(chunk_size=2000):
        yield [o.code, o.name, o.parent.code if o.parent_id else "", o.kind, o.sector, o.batch]


# ---------------------------------------------------------------- people

PERSON_COLUMNS = {
    "name": "姓名",
    "status": "政治面貌",
    "post": "职务",
    "is_leading_cadre": "是否领导干部",
    "cadre_level": "干部层级",
    "phone": "手机号",
}
NEW_PERSON_FIELDS = ["number", "org_id", *PERSON_COLUMNS]
# Offices pad two-character names to line them up ("王　芳"); the person is 王芳.
CJK_GAP = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
MASK = "****"


def _phone(row, errors):
    """Digits only: spaces, dashes, brackets and a +86 prefix are dropped. An exported phone
    comes back masked (138****1234); it is matched against the stored one later."""
    shown = clean_text(row.get("手机号"))
    if shown is None or MASK in shown:
        return shown or ""
    phone = re.sub(r"[\s\-－—()（）+]", "", shown)
    phone = phone[2:] if phone.startswith("86") and len(phone) == 13 else phone
    if not PHONE_RE.match(phone):
        errors.add(row.number, "手机号", f"“{shown}”不是有效的手机号")
    return phone


def _bool(row, column, errors):
    if clean_text(row.get(column)) is None:
        return False
    try:
        return parse_bool(row.get(column))
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return False


def _person_rows(sheet, errors):
    """({number: row data} in sheet order, rows set aside: 人员编号 empty, wrong or repeated); cell errors
    are added in column order."""

    def read(row):
        number = code_cell(row, "人员编号", errors)
        data = {
            "name": CJK_GAP.sub("", text_cell(row, "姓名", errors, required=True, max_length=60)),
            "org": code_cell(row, "所在组织编码", errors),
            "status": choice_cell(row, "政治面貌", PERSON_STATUSES, errors, default="正式党员"),
            "post": text_cell(row, "职务", errors, max_length=60),
            "is_leading_cadre": _bool(row, "是否领导干部", errors),
            "cadre_level": choice_cell(row, "干部层级", CADRE_LEVELS, errors),
            "phone": _phone(row, errors),
        }
        if data["cadre_level"] and not data["is_leading_cadre"]:
            errors.add(row.number, "干部层级", "填写了干部层级，但“是否领导干部”不是“是”")
        return number, data

    return keyed_rows(sheet, read, errors, repeated=lambda key, row, first: ("人员编号", f"“{key}”与第{first}行重复"))


def load_people(sheet, *, actor, dry_run=False) -> ImportResult:
    errors = RowErrors()
    rows, set_aside = _person_rows(sheet, errors)
    orgs = fetch(
        Org.objects.all() if actor is None else Org.objects.visible_to(actor),
        "code",
        {d["org"] for d in [*rows.values(), *set_aside] if d["org"]},
    )
    existing = fetch(Person.objects.select_related("org"), "number", rows)
    seen = set(existing) if actor is None else set(fetch(Person.objects.visible_to(actor), "number", existing))
    may = allowed(actor, "people.manage")

    def org_problem(d):
        target = orgs.get(d["org"])
        if d["org"] and target is None:
            return not_found(d["org"], actor, "，请先导入组织")
        if target is not None and not target.active:
            return f"组织“{target.name}”已撤销或并入其他组织，请填写现在的组织"
        if target is not None and not may(target):
            return f"无权维护组织“{target.name}”的人员"
        return None

    for d in set_aside:  # 人员编号 already reported: the org is checked all the same
        if message := org_problem(d):
            errors.add(d["row"], "所在组织编码", message)
    for number, d in rows.items():
        person = existing.get(number)
        if message := org_problem(d):
            errors.add(d["row"], "所在组织编码", message)
        elif person is not None and number not in seen:
            # Outside the actor's scope: after the same checks a new number gets, only "taken" — never by whom.
            errors.add(d["row"], "人员编号", f"人员编号“{number}”已被占用，请核对编号")
        elif person is not None and not may(person.org):
            errors.add(d["row"], "人员编号", f"无权维护“{person.name}”（{person.org.name}）的信息")
        if MASK in d["phone"]:
            if person is not None and person.masked_phone == d["phone"]:
                d["phone"] = person.phone
            else:
                errors.add(d["row"], "手机号", "是隐藏了中间四位的号码，请填写完整的手机号")
    if errors:
        raise ImportFailed(errors)

    fields = _present(sheet, PERSON_COLUMNS)
    result = ImportResult()
    creates, updates = [], []
    # Orgs whose people change, before and after: their indicator counters are refreshed.
    touched_ids = {p.org_id for p in existing.values()}
    for number, d in rows.items():
        org_id = orgs[d["org"]].pk
        person = existing.get(number)
        if person is None:  # a plain tuple of NEW_PERSON_FIELDS, not a model instance (issue 15)
            creates.append((number, org_id, *(d[f] for f in PERSON_COLUMNS)))
        elif any(getattr(person, f) != d[f] for f in fields) or person.org_id != org_id or not person.active:
            for f in fields:
                setattr(person, f, d[f])
            person.org_id, person.active = org_id, True
            person.version += 1
            updates.append(person)
        else:
            result.unchanged += 1
    result.created, result.updated = len(creates), len(updates)

    def write():
        touched = touched_ids.copy()
        insert_values(Person, NEW_PERSON_FIELDS, creates, user=default_history_user(Person), reason="导入")
        bulk_update_with_history(
            updates, Person, fields + ["org", "active", "version"], batch_size=2000, default_change_reason="导入"
        )
        touched |= {row[1] for row in creates} | {p.org_id for p in updates}
        events.touched(
            [o for chunk in chunks(sorted(touched)) for o in Org.objects.filter(pk__in=chunk)]
            if creates or updates
            else []
        )
        events.record(
            actor,
            "import.people",
            ("imports", "people"),
            summary=f"导入人员：{result.summary()}",
            after={"created": [row[0] for row in creates[:200]], "updated": [p.number for p in updates][:200]},
        )

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_people(org, user):
    qs = Person.objects.filter(subtree_q("org__path", org.path), active=True).select_related("org")
    if user is not None:
        qs = qs.visible_to(user)
    # Phones leave the system masked; re-importing the export keeps the stored numbers.
    for p in qs.order_by("org__path", "number").iterator(chunk_size=5000):
        yield [
            p.number,
            p.name,
            p.org.code,
            p.status,
            p.post,
            "是" if p.is_leading_cadre else "否",
            p.cadre_level,
            p.masked_phone,
        ]


register_loader(
    "orgs", load=load_orgs, export=export_orgs, choices={"组织类别": ORG_KINDS, "所属领域": SECTORS, "批次": BATCHES}
)
register_loader(
    "people",
    load=load_people,
    export=export_people,
    choices={"政治面貌": PERSON_STATUSES, "是否领导干部": ["是", "否"], "干部层级": CADRE_LEVELS},
)

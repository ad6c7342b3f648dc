"""Importing and exporting orgs and people (templates of SPEC §4.2).

Every row is validated first and every error collected; only a wholly valid sheet is written,
in one transaction, as one recorded action. Rows match existing records by code / number, so
re-importing the same sheet updates and never duplicates.
"""
import re

from django.db import transaction
from django.db.models import F
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from tuijin.core import events
from tuijin.core.permissions import can
from tuijin.imports.normalize import RowErrors, clean_text, parse_bool, parse_choice
from tuijin.imports.registry import ImportFailed, ImportResult, register_loader

from .models import BATCHES, CADRE_LEVELS, ORG_KINDS, PERSON_STATUSES, SECTORS, Org, Person
from .tree import allocate_paths, refresh_numchild

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}$")
PHONE_RE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8})$")
CHUNK = 2000


def _code(row, column, errors, required=True):
    value = clean_text(row.get(column))
    if value is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return None
    if not CODE_RE.match(value):
        errors.add(row.number, column, f"“{value}”不是有效的编码（只能用字母、数字、- _ .，最长 40 位）")
        return None
    return value


def _choice(row, column, choices, errors, default=""):
    value = row.get(column)
    if clean_text(value) is None:
        return default
    try:
        return parse_choice(value, choices)
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return default


def _text(row, column, errors, *, required=False, max_length=120):
    value = clean_text(row.get(column))
    if value is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return ""
    if len(value) > max_length:
        errors.add(row.number, column, f"太长（{len(value)} 字），最多 {max_length} 字")
    return value


def _fetch(model, field, values, **extra):
    """{value: obj} for many keys, in chunks (SQLite limits bound parameters)."""
    values = list(values)
    found = {}
    for i in range(0, len(values), CHUNK):
        qs = model.objects.filter(**{f"{field}__in": values[i:i + CHUNK]}, **extra)
        found.update({getattr(o, field): o for o in qs})
    return found


# ------------------------------------------------------------------ orgs

ORG_FIELDS = ("name", "kind", "sector", "batch")


def load_orgs(sheet, *, actor, dry_run=False) -> ImportResult:
    errors = RowErrors()
    rows, first_row = {}, {}
    for row in sheet.rows:
        code = _code(row, "组织编码", errors)
        data = {
            "name": _text(row, "组织名称", errors, required=True),
            "kind": _choice(row, "组织类别", ORG_KINDS, errors),
            "sector": _choice(row, "所属领域", SECTORS, errors, default="其他"),
            "batch": _choice(row, "批次", BATCHES, errors),
            "parent": _code(row, "上级组织编码", errors, required=False),
            "row": row.number,
        }
        if not data["kind"] and clean_text(row.get("组织类别")) is None:
            errors.add(row.number, "组织类别", "不能为空")
        if code is None:
            continue
        if code in first_row:
            errors.add(row.number, "组织编码", f"“{code}”与第{first_row[code]}行重复")
            continue
        first_row[code] = row.number
        rows[code] = data

    existing = _fetch(Org, "code", set(rows) | {d["parent"] for d in rows.values() if d["parent"]})
    # Resolve parents: an existing org or another row of this sheet; refuse cycles.
    for code, data in rows.items():
        parent = data["parent"]
        if parent is None:
            if code in existing and existing[code].depth == 1:
                continue
            if code in existing:
                errors.add(data["row"], "上级组织编码", "不能为空（该组织已有上级组织）")
            elif actor is not None:
                errors.add(data["row"], "上级组织编码", "不能为空：新的最上级组织只能由系统管理员用命令行导入")
            continue
        if parent == code:
            errors.add(data["row"], "上级组织编码", "不能是组织自己")
        elif parent not in rows and parent not in existing:
            errors.add(data["row"], "上级组织编码", f"组织“{parent}”不存在（既不在系统中，也不在本表中）")
    for code, data in rows.items():
        seen, cur = {code}, data["parent"]
        while cur in rows and not errors_for(errors, data["row"], "上级组织编码"):
            if cur in seen:
                errors.add(data["row"], "上级组织编码", "上下级关系形成了循环")
                break
            seen.add(cur)
            cur = rows[cur]["parent"]
        else:
            # Moving an existing org under its own descendant is a cycle too.
            target = existing.get(data["parent"])
            mine = existing.get(code)
            if target is not None and mine is not None and target.path.startswith(mine.path):
                errors.add(data["row"], "上级组织编码", "不能把组织移到它自己的下级组织之下")

    # Permission: the actor must manage the org (if it exists) and its (existing) parent.
    if actor is not None:
        for code, data in rows.items():
            for check_code, column in ((code, "组织编码"), (data["parent"], "上级组织编码")):
                target = existing.get(check_code)
                if target is not None and not can(actor, "org.manage", target):
                    errors.add(data["row"], column, f"无权维护组织“{target.name}”")
                    break
    if errors:
        raise ImportFailed(errors.messages)

    result = ImportResult()
    creates, updates, moves = [], [], []
    for code, data in rows.items():
        org = existing.get(code)
        if org is None:
            creates.append(code)
            continue
        changed = any(getattr(org, f) != data[f] for f in ORG_FIELDS) or not org.active
        parent_changed = data["parent"] and (org.parent is None or org.parent.code != data["parent"])
        if parent_changed:
            moves.append(code)
        if changed:
            updates.append(org)
        if not changed and not parent_changed:
            result.unchanged += 1
    result.created, result.updated = len(creates), len(set(o.code for o in updates) | set(moves))
    if dry_run:
        return result

    with transaction.atomic():
        # Parents before children: order new orgs by how deep their chain inside the sheet goes.
        def chain_depth(code):
            n, cur = 0, rows[code]["parent"]
            while cur in rows and cur in creates_set:
                n, cur = n + 1, rows[cur]["parent"]
            return n

        creates_set = set(creates)
        creates.sort(key=chain_depth)
        path_of = {code: o.path for code, o in existing.items()}
        new_objs = []
        for level in sorted({chain_depth(c) for c in creates}):
            batch = []
            for code in (c for c in creates if chain_depth(c) == level):
                d = rows[code]
                org = Org(code=code, **{f: d[f] for f in ORG_FIELDS})
                batch.append((org, path_of.get(d["parent"], "") if d["parent"] else ""))
            allocate_paths(batch)
            for org, _ in batch:
                path_of[org.code] = org.path
            new_objs += [o for o, _ in batch]
        # Parent ids are set after insert, once every new org has a primary key.
        bulk_create_with_history(new_objs, Org, batch_size=500, default_change_reason="导入")
        by_code = {o.code: o for o in Org.objects.filter(code__in=list(rows))}
        parent_fix = []
        for code in creates:
            parent = rows[code]["parent"]
            if parent:
                org = by_code[code]
                org.parent_id = (by_code.get(parent) or existing[parent]).pk
                parent_fix.append(org)
        Org.objects.bulk_update(parent_fix, ["parent"], batch_size=500)
        for org in updates:
            d = rows[org.code]
            for f in ORG_FIELDS:
                setattr(org, f, d[f])
            org.active = True
            org.version += 1
        bulk_update_with_history(updates, Org, list(ORG_FIELDS) + ["active", "version"], batch_size=500,
                                 default_change_reason="导入")
        for code in moves:
            org = Org.objects.get(code=code)
            new_parent = Org.objects.get(code=rows[code]["parent"])
            Org.objects.move(org, new_parent, pos="last-child")
            Org.objects.filter(pk=org.pk).update(parent=new_parent, version=F("version") + 1)
        touched = {rows[c]["parent"] for c in creates + moves if rows[c]["parent"]}
        touched |= {existing[c].parent.code for c in moves if existing[c].parent_id}
        refresh_numchild(Org.objects.filter(code__in=touched).values_list("path", flat=True))
        events.record(actor, "import.orgs", ("imports", "orgs"), summary=f"导入组织：{result.summary()}",
                      after={"created": creates[:200], "updated": [o.code for o in updates][:200],
                             "moved": moves[:200]})
    return result


def errors_for(errors: RowErrors, row: int, column: str) -> bool:
    return any(r == row and c == column for r, c, _ in errors._items)


def export_orgs(org, user):
    qs = Org.objects.filter(path__startswith=org.path).select_related("parent").order_by("path")
    if user is not None:
        qs = qs.visible_to(user)
    for o in qs.iterator(chunk_size=2000):
        yield [o.code, o.name, o.parent.code if o.parent_id else "", o.kind, o.sector, o.batch]


# ---------------------------------------------------------------- people

PERSON_FIELDS = ("name", "status", "post", "is_leading_cadre", "cadre_level", "phone")


def load_people(sheet, *, actor, dry_run=False) -> ImportResult:
    errors = RowErrors()
    rows, first_row = {}, {}
    for row in sheet.rows:
        number = _code(row, "人员编号", errors)
        org_code = _code(row, "所在组织编码", errors)
        phone = clean_text(row.get("手机号"))
        if phone and "****" in phone:
            pass  # an exported (masked) phone: kept as is if it matches the stored one, checked below
        elif phone:
            phone = re.sub(r"[\s\-－—()（）+]", "", phone)
            phone = phone[2:] if phone.startswith("86") and len(phone) == 13 else phone
            if not PHONE_RE.match(phone):
                errors.add(row.number, "手机号", f"“{clean_text(row.get('手机号'))}”不是有效的手机号")
        is_cadre = False
        if clean_text(row.get("是否领导干部")) is not None:
            try:
                is_cadre = parse_bool(row.get("是否领导干部"))
            except ValueError as exc:
                errors.add(row.number, "是否领导干部", str(exc))
        data = {
            "name": _text(row, "姓名", errors, required=True, max_length=60),
            "status": _choice(row, "政治面貌", PERSON_STATUSES, errors, default="正式党员"),
            "post": _text(row, "职务", errors, max_length=60),
            "is_leading_cadre": is_cadre,
            "cadre_level": _choice(row, "干部层级", CADRE_LEVELS, errors),
            "phone": phone or "",
            "org": org_code, "row": row.number,
        }
        if data["cadre_level"] and not is_cadre:
            errors.add(row.number, "干部层级", "填写了干部层级，但“是否领导干部”不是“是”")
        if number is None:
            continue
        if number in first_row:
            errors.add(row.number, "人员编号", f"“{number}”与第{first_row[number]}行重复")
            continue
        first_row[number] = row.number
        rows[number] = data

    orgs = _fetch(Org, "code", {d["org"] for d in rows.values() if d["org"]})
    for d in rows.values():
        if d["org"] and d["org"] not in orgs:
            errors.add(d["row"], "所在组织编码", f"组织“{d['org']}”不存在，请先导入组织")
    existing = {p.number: p for p in _fetch(Person, "number", rows).values()}
    for number, d in rows.items():
        if "****" in d["phone"]:
            person = existing.get(number)
            if person is not None and person.masked_phone == d["phone"]:
                d["phone"] = person.phone
            else:
                errors.add(d["row"], "手机号", "是隐藏了中间四位的号码，请填写完整的手机号")
    if actor is not None:
        allowed = {}

        def may(org):
            if org.pk not in allowed:
                allowed[org.pk] = can(actor, "people.manage", org)
            return allowed[org.pk]

        current_orgs = {o.pk: o for o in Org.objects.filter(pk__in={p.org_id for p in existing.values()})}
        for number, d in rows.items():
            target = orgs.get(d["org"])
            if target is not None and not may(target):
                errors.add(d["row"], "所在组织编码", f"无权维护组织“{target.name}”的人员")
            elif number in existing and not may(current_orgs[existing[number].org_id]):
                errors.add(d["row"], "人员编号", f"“{number}”是其他组织（无权维护）的人员")
    if errors:
        raise ImportFailed(errors.messages)

    result = ImportResult()
    creates, updates = [], []
    for number, d in rows.items():
        fields = {f: d[f] for f in PERSON_FIELDS}
        org_id = orgs[d["org"]].pk
        person = existing.get(number)
        if person is None:
            creates.append(Person(number=number, org_id=org_id, **fields))
        elif any(getattr(person, f) != v for f, v in fields.items()) or person.org_id != org_id or not person.active:
            for f, v in fields.items():
                setattr(person, f, v)
            person.org_id, person.active = org_id, True
            person.version += 1
            updates.append(person)
        else:
            result.unchanged += 1
    result.created, result.updated = len(creates), len(updates)
    if dry_run:
        return result
    with transaction.atomic():
        bulk_create_with_history(creates, Person, batch_size=2000, default_change_reason="导入")
        bulk_update_with_history(updates, Person, list(PERSON_FIELDS) + ["org", "active", "version"],
                                 batch_size=2000, default_change_reason="导入")
        events.record(actor, "import.people", ("imports", "people"), summary=f"导入人员：{result.summary()}",
                      after={"created": [p.number for p in creates][:200],
                             "updated": [p.number for p in updates][:200]})
    return result


def export_people(org, user):
    qs = Person.objects.filter(org__path__startswith=org.path, active=True).select_related("org")
    if user is not None:
        qs = qs.visible_to(user)
    # Phones leave the system masked; re-importing the export keeps the stored numbers.
    for p in qs.order_by("org__path", "number").iterator(chunk_size=5000):
        yield [p.number, p.name, p.org.code, p.status, p.post, "是" if p.is_leading_cadre else "否",
               p.cadre_level, p.masked_phone]


register_loader("orgs", load=load_orgs, export=export_orgs)
register_loader("people", load=load_people, export=export_people)

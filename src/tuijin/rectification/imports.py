"""Importing and exporting the problem list (问题清单, template `problems` of SPEC §4.2).

Rows match stored problems by (组织编码, 问题编号), so re-importing a sheet updates and never
duplicates. Every row is checked first — cells, the actor's right over the row's org, and that a
state in the sheet is one the owner org may reach by the rules (an import never closes or reopens a
problem, and never submits one without evidence). Only a wholly valid sheet is written, with bulk
inserts and their history rows, in one transaction recorded as one event.

整改措施 is a list cell. Each item is a measure's text, optionally followed by its owner and deadline
in the form the export writes: 措施内容（责任人：张三，时限：2026-12-31）. A measure whose text names
its owner or deadline the way clerks write them ("由办公室负责，2026年12月31日前完成") takes those;
otherwise it takes the row's 责任人 and 整改时限 (a measure with both is specific, 措施具体率).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass


from tuijin.core.scope import subtree_q
from tuijin.campaigns.models import DEFAULT_PROBLEM_CATEGORIES
from tuijin.campaigns.queries import problem_categories_for
from tuijin.core import events
from tuijin.core.calendar import today
from tuijin.core.chunks import chunks
from tuijin.core.permissions import checker

# Bulk writes with history rows live with the import machinery now; still importable from here.
from tuijin.imports.base import all_or_nothing, keyed_rows
from tuijin.imports.bulk import insert_values, update_with_history
from tuijin.imports.fields import CODE_RE, code_cell
from tuijin.imports.normalize import RowErrors, clean_text, parse_bool, parse_choice, parse_date
from tuijin.imports.registry import ImportResult, register_loader
from tuijin.orgs.models import Org

from . import transitions
from .models import SOURCES, Evidence, Measure, Problem, State

# model field -> template column, for the plain fields an import may change
COLUMNS = {
    "category": "问题类别",
    "source": "问题来源",
    "description": "问题描述",
    "responsible": "责任人",
    "deadline": "整改时限",
    "is_special": "是否专项整治",
}
MEASURES, STATE = "整改措施", "整改状态"
CHUNK = 2000  # keys per IN (...): SQLite limits bound parameters

# ------------------------------------------------------------------ measures in one cell

OWNER_KEYS = ("责任人", "负责人")
DEADLINE_KEYS = ("完成时限", "整改时限", "时限", "期限", "完成时间")
_KEY = re.compile(r"(%s)\s*[：:]" % "|".join(OWNER_KEYS + DEADLINE_KEYS))
_TAIL = re.compile(r"[（(]([^（()）]*)[）)]\s*$")
_STRONG, _WEAK = "；;\n\r", "、"
_OPEN, _CLOSE = "（(", "）)"


@dataclass(frozen=True)
class MeasureSpec:
    text: str
    owner: str = ""
    deadline: dt.date | None = None


_SPECIALS: dict[str, re.Pattern] = {}


def _split_outside_brackets(s: str, separators: str) -> tuple[list[str], bool]:
    if not any(ch in s for ch in separators):  # nothing to split on: one part
        return [p for p in (clean_text(s),) if p], False
    special = _SPECIALS.get(separators)
    if special is None:
        special = _SPECIALS[separators] = re.compile(f"[{re.escape(_OPEN + _CLOSE + separators)}]")
    parts, start, depth, split = [], 0, 0, False
    for m in special.finditer(s):  # only brackets and separators matter: the rest is skipped in C
        ch = m.group()
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(s[start : m.start()])
            start, split = m.end(), True
    parts.append(s[start:])
    return [p for p in (clean_text(x) for x in parts) if p], split


def split_measures(value) -> list[str]:
    """The items of a 整改措施 cell. ；; and line breaks always separate; 、 separates only in a
    cell that uses none of them, because measure texts enumerate with 、 ("健全学习、考核制度").
    Separators inside brackets never split (责任人：张三、李四)."""
    s = clean_text(value)
    if s is None:
        return []
    parts, split = _split_outside_brackets(s, _STRONG)
    if not split:
        parts, _ = _split_outside_brackets(s, _WEAK)
    return parts


def parse_measure(item: str) -> MeasureSpec:
    """ "措施内容（责任人：张三，时限：2026-12-31）" or just "措施内容". A bracket that does not start
    with 责任人/时限 is part of the text ("开展专题学习（每月一次）"). Raises ValueError for the clerk."""
    item = item.strip()
    tail = _TAIL.search(item)
    keys = list(_KEY.finditer(tail.group(1))) if tail else []
    if not keys or tail.group(1)[: keys[0].start()].strip():
        text, owner, deadline = item, "", None
    else:
        inner, text, owner, deadline = tail.group(1), item[: tail.start()].strip(), "", None
        seen = set()
        for i, key in enumerate(keys):
            end = keys[i + 1].start() if i + 1 < len(keys) else len(inner)
            value = inner[key.end() : end].strip().strip("，,；;、").strip()
            name = "责任人" if key.group(1) in OWNER_KEYS else "时限"
            if name in seen:
                raise ValueError(f"措施“{text[:30]}”的{name}写了两次")
            seen.add(name)
            if name == "责任人":
                if len(value) > 60:
                    raise ValueError(f"措施“{text[:30]}”的责任人太长（{len(value)} 字），最多 60 字")
                owner = value
            elif value:
                try:
                    deadline = parse_date(value)
                except ValueError as exc:
                    raise ValueError(f"措施“{text[:30]}”的时限：{exc}") from None
    if not text:
        raise ValueError(f"“{item[:40]}”没有写措施内容")
    if len(text) > 500:
        raise ValueError(f"措施“{text[:30]}…”太长（{len(text)} 字），最多 500 字")
    return MeasureSpec(text, owner, deadline)


# Owner and deadline written into a measure's own text.
_TEXT_OWNER = re.compile(r"由\s*([^，,；;。：:（）()由]{1,30}?)\s*(?:牵头|具体)?负责")
_TEXT_OWNER_KEY = re.compile(r"(?:责任人|负责人|责任单位)\s*[：:]\s*([^，,；;。（）()\s]{1,30})")
_TEXT_DATE = re.compile(
    r"\d{4}\s*年\s*(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*[日号]|[底末])|[底末])(?:以前|之前|前)?"
    r"|\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:以前|之前|前)?"
)


@functools.lru_cache(maxsize=8192)
def owner_and_deadline_in_text(text: str) -> tuple[str, dt.date | None]:
    """("办公室", 2026-12-31) for "…，由办公室负责，2026年12月31日前完成"; ("", None) where the text
    names neither. The last date that is a real day wins (the deadline closes the sentence)."""
    m = _TEXT_OWNER.search(text) or _TEXT_OWNER_KEY.search(text)
    owner = m.group(1).strip() if m else ""
    deadline = None
    for found in _TEXT_DATE.finditer(text):
        try:
            deadline = parse_date(found.group(0))
        except ValueError:
            continue
    return owner, deadline


def with_row_defaults(spec: MeasureSpec, owner: str, deadline: dt.date | None) -> MeasureSpec:
    """The measure's own owner/deadline (bracket, then text), else the row's 责任人/整改时限."""
    if spec.owner and spec.deadline:
        return spec
    text_owner, text_deadline = owner_and_deadline_in_text(spec.text)
    return MeasureSpec(spec.text, spec.owner or text_owner or owner, spec.deadline or text_deadline or deadline)


def format_measure(m) -> str:
    """The export form, read back unchanged by parse_measure."""
    details = ([f"责任人：{m.owner}"] if m.owner else []) + ([f"时限：{m.deadline.isoformat()}"] if m.deadline else [])
    return m.text + (f"（{'，'.join(details)}）" if details else "")


def join_measures(measures) -> str:
    items = [format_measure(m) for m in measures]
    cell = "；".join(items)
    if len(items) == 1 and len(split_measures(cell)) > 1:
        cell += "；"  # one measure whose text has 、: the ； keeps it whole on re-import
    return cell


def _parse_measures(value) -> tuple[list[MeasureSpec] | None, list[str]]:
    """(the measures of a 整改措施 cell, each with what it says of its own owner and deadline, or None when
    an item is wrong; the errors for the clerk)."""
    specs: dict[str, MeasureSpec] = {}
    problems = []
    for item in split_measures(value):
        try:
            spec = parse_measure(item)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if spec.text in specs and specs[spec.text] != spec:
            problems.append(f"措施“{spec.text[:30]}”出现两次，责任人或时限不一致")
        specs.setdefault(spec.text, spec)
    if problems:
        return None, problems
    # what each measure says of itself, in brackets or in its text
    return [with_row_defaults(m, "", None) for m in specs.values()], []


def _measures(row, errors, cache) -> list[MeasureSpec] | None:
    """The row's measures (None when one is wrong, reported). Sheets repeat the same cell often: each
    distinct value is parsed once per import (the list is shared, never changed in place)."""
    value = row.get(MEASURES)
    hit = cache.get(value)
    if hit is None:
        hit = cache[value] = _parse_measures(value)
    for message in hit[1]:
        errors.add(row.number, MEASURES, message)
    return hit[0]


# ------------------------------------------------------------------ reading rows
# (the same cell rules as the org and people importers)


def _text(row, column, errors, *, required=False, max_length=120):
    value = clean_text(row.get(column))
    if value is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return ""
    if len(value) > max_length:
        errors.add(row.number, column, f"太长（{len(value)} 字），最多 {max_length} 字")
    return value


def _cell(row, column, parse, errors, cache, empty=None):
    """parse(cell), or `empty` for an empty or wrong cell. Sheets repeat the same values thousands of
    times, so each distinct value is parsed once per import."""
    value = row.get(column)
    if clean_text(value) is None:
        return empty
    key = (column, type(value), value)
    hit = cache.get(key)
    if hit is None:
        try:
            hit = cache[key] = (True, parse(value))
        except ValueError as exc:
            hit = cache[key] = (False, str(exc))
    if hit[0]:
        return hit[1]
    errors.add(row.number, column, hit[1])
    return empty


def _category(row, code, allowed, errors, caches):
    """问题类别 from the categories of the campaign the row's org takes part in (SPEC §4.3); an empty
    cell is 其他 where the campaign has it. Unknown orgs are reported on 组织编码, not here."""
    categories = allowed.get(code)
    if categories is None:
        return None
    if clean_text(row.get("问题类别")) is None:
        if "其他" in categories:
            return "其他"
        errors.add(row.number, "问题类别", f"不能为空，应为以下之一：{'、'.join(categories)}")
        return None
    cache = caches.setdefault(tuple(categories), {})
    return _cell(row, "问题类别", lambda v: parse_choice(v, categories), errors, cache)


def _rows(sheet, errors, allowed) -> tuple[dict[tuple[str, str], dict], list[dict]]:
    """({(org code, number): row data} in sheet order, rows set aside: 组织编码 or 问题编号 empty or
    wrong, or the key repeated); cell errors are added in column order.
    `allowed`: {org code: its campaign's problem categories} for the orgs found."""
    cache: dict = {}
    measure_cache: dict = {}
    category_caches: dict[tuple[str, ...], dict] = {}  # per category list: {cell text: parsed}
    source = lambda v: parse_choice(v, SOURCES)  # noqa: E731
    state = lambda v: parse_choice(v, State.values)  # noqa: E731

    def read(row):
        code = code_cell(row, "组织编码", errors)
        number = _text(row, "问题编号", errors, required=True, max_length=40)
        data = {
            "code": code,
            "category": _category(row, code, allowed, errors, category_caches),
            "source": _cell(row, "问题来源", source, errors, cache),
            "description": _text(row, "问题描述", errors, required=True, max_length=2000),
            "measures": _measures(row, errors, measure_cache),
            "responsible": _text(row, "责任人", errors, max_length=60),
            "deadline": _cell(row, "整改时限", parse_date, errors, cache),
            "state": _cell(row, STATE, state, errors, cache),
            "is_special": _cell(row, "是否专项整治", parse_bool, errors, cache, empty=False),
        }
        return ((code, number) if code is not None and number else None), data

    return keyed_rows(
        sheet,
        read,
        errors,
        repeated=lambda key, row, first: ("问题编号", f"“{key[1]}”与第{first}行是同一组织的同一问题编号"),
    )


# ------------------------------------------------------------------ what the owner org may do

REVIEWER_ONLY = "须由上级办公室或指导组在系统中办理，责任单位不能通过导入设置"
SPECIAL_NEEDS_PLAN = "专项整治问题须先在系统中上传整改方案，才能改为“整改中”：请导入为“待整改”，上传方案后再开始整改"


def state_refusal(current: str | None, target: str, has_evidence: bool) -> str | None:
    """Why an importer (the owner org) may not move a problem from `current` (None: a new problem)
    to `target`; None when the move is one the owner org may make itself."""
    if current == target:
        return None
    if current is not None and target != State.SUBMITTED and transitions.owner_may_move(current, target):
        return None
    if target == State.CLOSED:
        return f"不能导入为“已销号”：销号{REVIEWER_ONLY}" + ("（新问题还没有支撑材料）" if current is None else "")
    if target == State.RELAPSED:
        return f"不能导入为“已反弹”：重新打开已销号的问题{REVIEWER_ONLY}"
    if current is None:
        if target == State.SUBMITTED:
            return "新问题还没有支撑材料，不能直接导入为“待验收”：请导入为“待整改”或“整改中”，上传支撑材料后再提交验收"
        return None
    if target == State.OPEN:
        return f"问题当前为“{current}”，不能改回“待整改”"
    if current == State.CLOSED:
        return f"问题已销号，不能改为“{target}”；如问题反弹，须由上级办公室或指导组重新打开"
    if target == State.IN_PROGRESS:  # owner_may_move() let every owner's move to 整改中 through above
        return f"问题已提交验收，退回整改{REVIEWER_ONLY}"
    if target == State.SUBMITTED and not has_evidence:
        return "问题还没有上传支撑材料，不能改为“待验收”：请先在系统中上传支撑材料"
    return None


# ------------------------------------------------------------------ loading


def _orgs(actor, codes) -> dict[str, Org]:
    qs = Org.objects.all() if actor is None else Org.objects.visible_to(actor)
    found = {}
    for chunk in chunks(codes):
        found.update({o.code: o for o in qs.filter(code__in=chunk)})
    return found


def _allowed(actor):
    """can(actor, "records.manage", org), asked once per org."""
    answers = {}
    check = checker(actor, "records.manage")  # the actor's grants read once (issue 15: not a query per org)

    def may(org):
        if org.pk not in answers:
            answers[org.pk] = check(org)
        return answers[org.pk]

    return may


def _existing(orgs: dict[str, Org], keys) -> tuple[dict, dict]:
    """Stored problems for the sheet's (org, number) keys, and those that were escalated away
    from the sheet's orgs (matched by their old number), without a query per row."""
    wanted = {(orgs[c].pk, n) for c, n in keys if c in orgs}
    numbers = {n for _, n in wanted}
    moved_numbers = numbers | {f"{c}-{n}" for c, n in keys if c in orgs}
    org_ids = sorted({pk for pk, _ in wanted})
    found, moved = {}, {}
    for org_chunk in chunks(org_ids):
        for number_chunk in chunks(numbers):
            for p in Problem.objects.filter(org_id__in=org_chunk, number__in=number_chunk):
                if (p.org_id, p.number) in wanted:
                    found[(p.org_id, p.number)] = p
        for number_chunk in chunks(moved_numbers):
            escalated = Problem.objects.filter(origin_org_id__in=org_chunk, number__in=number_chunk)
            for p in escalated.select_related("org"):
                moved[(p.origin_org_id, p.number)] = p
    return found, moved


def _ids_with_evidence(problem_ids) -> set[int]:
    have = set()
    for chunk in chunks(problem_ids):
        have.update(
            Evidence.objects.filter(problem_id__in=chunk, kind=Evidence.Kind.SUPPORT).values_list(
                "problem_id", flat=True
            )
        )
    return have


def _measures_of(problem_ids) -> dict[int, list[Measure]]:
    by_problem = defaultdict(list)
    for chunk in chunks(problem_ids):
        for m in Measure.objects.filter(problem_id__in=chunk).order_by("position", "id"):
            by_problem[m.problem_id].append(m)
    return by_problem


@dataclass
class _MeasurePlan:
    create: list
    update: list
    delete: list


def _plan_measures(
    problem_id, stored: list[Measure], wanted: list[MeasureSpec], owner="", deadline=None
) -> _MeasurePlan:
    """Match by text: keep and update the ones in the sheet, add new ones, drop the ones the sheet
    no longer lists unless they are done (a done measure is a fact, not a plan). A new measure that
    names no owner or deadline takes the row's; a stored one keeps its own unless the sheet names
    another (so the exported ledger re-imports unchanged)."""
    plan = _MeasurePlan([], [], [])
    by_text = {m.text: m for m in stored}
    for position, spec in enumerate(wanted):
        m = by_text.pop(spec.text, None)
        if m is None:
            plan.create.append(
                Measure(
                    problem_id=problem_id,
                    text=spec.text,
                    owner=spec.owner or owner,
                    deadline=spec.deadline or deadline,
                    position=position,
                )
            )
            continue
        new = (spec.owner or m.owner, spec.deadline or m.deadline, position)
        if (m.owner, m.deadline, m.position) != new:
            m.owner, m.deadline, m.position = new
            plan.update.append(m)
    position = len(wanted)
    for m in by_text.values():
        if m.done:
            if m.position != position:
                m.position = position
                plan.update.append(m)
            position += 1
        else:
            plan.delete.append(m)
    return plan


SETTLED = (State.SUBMITTED, State.CLOSED)


def _finish_measures(plan: _MeasurePlan | None, stored: list[Measure], as_of: dt.date) -> _MeasurePlan:
    """Every measure the row keeps or adds, recorded as done (today): a problem 待验收 or 已销号 has no open
    measure. Measures the sheet drops are dropped as usual."""
    plan = plan or _MeasurePlan([], [], [])
    dropped = {m.pk for m in plan.delete}
    updated = {m.pk for m in plan.update}
    for m in plan.create:
        m.done, m.done_on = True, as_of
    for m in stored:
        if m.pk not in dropped and m.is_open:
            m.done, m.done_on = True, as_of
            if m.pk not in updated:
                plan.update.append(m)
    return plan


def load_problems(sheet, *, actor, dry_run=False) -> ImportResult:
    errors = RowErrors()
    as_of = today()
    orgs = _orgs(actor, {c for row in sheet.rows if (c := clean_text(row.get("组织编码"))) and CODE_RE.match(c)})
    by_pk = problem_categories_for(orgs.values(), as_of)
    rows, set_aside = _rows(sheet, errors, {code: by_pk[org.pk] for code, org in orgs.items()})
    fields = [f for f, column in COLUMNS.items() if column in sheet.columns]
    has_measures, has_state = MEASURES in sheet.columns, STATE in sheet.columns

    may = _allowed(actor)

    def org_problem(code):
        org = orgs.get(code)
        if org is None:
            # Out of scope reads exactly like not there (SPEC §1).
            return f"组织“{code}”不存在" + ("，或不在您的管理范围内" if actor is not None else "")
        if not org.active:
            return f"组织“{org.name}”已撤销或并入其他组织，不能再导入问题"
        if not may(org):
            return f"无权维护组织“{org.name}”的问题清单"
        return None

    for d in set_aside:  # 问题编号 already reported: the org is checked all the same
        if d["code"] and (message := org_problem(d["code"])):
            errors.add(d["row"], "组织编码", message)
    for (code, number), d in list(rows.items()):
        if message := org_problem(code):
            errors.add(d["row"], "组织编码", message)
            del rows[(code, number)]

    found, moved = _existing(orgs, rows)
    # A row that leaves its problem 待验收 (or 已销号) records its measures as done (issue 11): their measures
    # are needed even when the sheet has no 整改措施 column.
    settled_ids = [
        p.pk
        for (c, n), d in rows.items()
        if (p := found.get((orgs[c].pk, n))) and ((d["state"] if has_state else None) or p.state) in SETTLED
    ]
    stored_measures = _measures_of([p.pk for p in found.values()] if has_measures else settled_ids)
    evidence = _ids_with_evidence(
        [p.pk for (c, n), d in rows.items() if (p := found.get((orgs[c].pk, n))) and d["state"] == State.SUBMITTED]
    )
    result = ImportResult()
    creates, updates, plans = [], [], {}
    for (code, number), d in rows.items():
        org = orgs[code]
        problem = found.get((org.pk, number))
        if problem is None and (gone := moved.get((org.pk, number)) or moved.get((org.pk, f"{code}-{number}"))):
            result.warnings.append(
                f"第{d['row']}行 问题编号: 问题“{number}”已提交{gone.org.name}解决，由其负责整改，本行未导入"
            )
            result.unchanged += 1
            continue
        target = d["state"] if has_state else None
        if problem is None:
            if d["source"] is None:
                errors.add(d["row"], "问题来源", f"新问题必须填写问题来源（{'、'.join(SOURCES)}）")
            if target and (reason := state_refusal(None, target, False)):
                errors.add(d["row"], STATE, reason)
            elif target == State.IN_PROGRESS and d["is_special"]:
                errors.add(d["row"], STATE, SPECIAL_NEEDS_PLAN)
            if d["measures"] is None:
                continue
            specs = (
                [with_row_defaults(m, d["responsible"], d["deadline"]) for m in d["measures"]] if has_measures else []
            )
            # a plain tuple of PROBLEM_FIELDS, not a model instance (issue 15)
            creates.append(
                (
                    (
                        org.pk,
                        number,
                        d["category"],
                        d["source"] or "",
                        d["description"],
                        d["responsible"],
                        d["deadline"],
                        d["is_special"],
                        target or State.OPEN,
                        as_of,
                    ),
                    specs,
                )
            )
            continue
        if problem.withdrawn:
            errors.add(
                d["row"], "问题编号", f"问题“{number}”已撤回（{problem.withdraw_reason}），不能再导入；请从表中删去此行"
            )
            continue
        changed = [f for f in fields if f != "source" or d["source"] is not None]
        changed = [f for f in changed if getattr(problem, f) != d[f]]
        plan = None
        if has_measures and d["measures"] is not None:
            plan = _plan_measures(
                problem.pk, stored_measures.get(problem.pk, []), d["measures"], d["responsible"], d["deadline"]
            )
        if (target or problem.state) in SETTLED and problem.state != State.CLOSED:
            plan = _finish_measures(plan, stored_measures.get(problem.pk, []), as_of)
        measures_change = plan is not None and (plan.create or plan.update or plan.delete)
        new_state = target if target and target != problem.state else None
        if new_state and problem.is_hand_down:
            errors.add(d["row"], STATE, "交办事项由各单位分别整改、分别验收，本事项的状态不能修改")
            continue
        if new_state and (reason := state_refusal(problem.state, new_state, problem.pk in evidence)):
            errors.add(d["row"], STATE, reason)
            continue
        if (
            new_state == State.IN_PROGRESS
            and problem.state == State.OPEN
            and (d["is_special"] or problem.is_special)
            and not problem.evidence.filter(kind=Evidence.Kind.PLAN).exists()
        ):
            errors.add(d["row"], STATE, SPECIAL_NEEDS_PLAN)
            continue
        if (changed or measures_change) and problem.state == State.CLOSED:
            what = [COLUMNS[f] for f in changed] + ([MEASURES] if measures_change else [])
            errors.add(d["row"], "问题编号", f"问题“{number}”已销号，不能再修改（本行改动了：{'、'.join(what)}）")
            continue
        if not (changed or measures_change or new_state):
            result.unchanged += 1
            continue
        for f in changed:
            setattr(problem, f, d[f])
        if new_state:
            problem.state = new_state
        problem.version += 1
        updates.append(problem)
        if measures_change:
            plans[problem.pk] = plan
    result.created, result.updated = len(creates), len(updates)
    return all_or_nothing(
        errors, result, dry_run=dry_run, write=lambda: _write(actor, creates, updates, plans, fields, result, orgs)
    )


PROBLEM_FIELDS = [
    "org_id",
    "number",
    "category",
    "source",
    "description",
    "responsible",
    "deadline",
    "is_special",
    "state",
    "found_on",
]
MEASURE_FIELDS = ["problem_id", "text", "owner", "deadline", "position", "done", "done_on"]


def _write(actor, creates, updates, plans, fields, result, orgs):
    """Inside all_or_nothing's transaction. creates: (a tuple of PROBLEM_FIELDS, its measures)."""
    history = dict(user=actor, reason="导入")
    code_of = {org.pk: code for code, org in orgs.items()}
    ids = insert_values(Problem, PROBLEM_FIELDS, [row for row, _ in creates], **history)
    new_measures = [
        (pk, s.text, s.owner, s.deadline, i, False, None)
        for pk, (_, specs) in zip(ids, creates, strict=True)
        for i, s in enumerate(specs)
    ]
    update_with_history(Problem, updates, fields + ["state", "version"], **history)
    new_measures += [
        (m.problem_id, m.text, m.owner, m.deadline, m.position, m.done, m.done_on)
        for plan in plans.values()
        for m in plan.create
    ]
    insert_values(Measure, MEASURE_FIELDS, new_measures, **history)
    update_with_history(
        Measure,
        [m for plan in plans.values() for m in plan.update],
        ["owner", "deadline", "position", "done", "done_on"],
        **history,
    )
    dropped = [m.pk for plan in plans.values() for m in plan.delete]
    for chunk in chunks(dropped):
        Measure.objects.filter(pk__in=chunk).delete()  # simple_history keeps a "-" row for each
    touched = {row[0] for row, _ in creates} | {p.org_id for p in updates}
    # 个人检视 figures sit at the owning cadre's org (imports never set an owner, but may close an owned problem)
    owners = {p.owner_person_id for p in updates if p.owner_person_id}
    cadre_orgs = {o.pk: o for o in Org.objects.filter(people__pk__in=owners).distinct()} if owners else {}
    events.touched(
        [org for org in orgs.values() if org.pk in touched]
        + [org for pk, org in cadre_orgs.items() if pk not in touched]
    )  # refresh derived figures
    events.record(
        actor,
        "import.problems",
        ("imports", "problems"),
        summary=f"导入问题清单：{result.summary()}",
        after={
            "created": [f"{code_of[row[0]]} {row[1]}" for row, _ in creates[:200]],
            "updated": [f"{code_of[p.org_id]} {p.number}" for p in updates][:200],
            "measures_added": len(new_measures),
            "measures_dropped": len(dropped),
        },
    )


# ------------------------------------------------------------------ the ledger


def export_problems(org, user):
    """台账: every current problem owned in the subtree, in template columns; re-imports unchanged.
    Plain tuples, measures fetched per chunk: a city's 30,000 problems need no model instances."""
    qs = Problem.objects.filter(subtree_q("org__path", org.path), withdrawn=False)
    if user is not None:
        qs = qs.visible_to(user)
    problems = list(
        qs.order_by("org__path", "number").values_list(
            "pk",
            "org__code",
            "number",
            "category",
            "source",
            "description",
            "responsible",
            "deadline",
            "state",
            "is_special",
        )
    )
    for i in range(0, len(problems), CHUNK):
        chunk = problems[i : i + CHUNK]
        measures = defaultdict(list)
        for problem_id, *spec in (
            Measure.objects.filter(problem_id__in=[p[0] for p in chunk])
            .order_by("problem_id", "position", "id")
            .values_list("problem_id", "text", "owner", "deadline")
        ):
            measures[problem_id].append(MeasureSpec(*spec))
        for pk, code, number, category, source, description, responsible, deadline, state, special in chunk:
            yield [
                code,
                number,
                category,
                source,
                description,
                join_measures(measures[pk]),
                responsible,
                deadline,
                state,
                special,
            ]


# 问题类别: the SPEC §4.3 default list, as a suggestion only: each campaign may have its own categories, and
# the row's campaign decides on import (a template is written without a database, and for any org).
register_loader(
    "problems",
    load=load_problems,
    export=export_problems,
    choices={
        "问题类别": DEFAULT_PROBLEM_CATEGORIES,
        "问题来源": SOURCES,
        STATE: State.values,
        "是否专项整治": ["是", "否"],
    },
    open_choices={"问题类别"},
)

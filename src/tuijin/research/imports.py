"""Importing and exporting research visits and practical projects (templates `research` and `projects`
of SPEC §4.2).

Natural keys make a re-import match instead of duplicate: a visit is (人员编号, 日期, 调研主题), a
project is (组织编码, 项目名称). A matched row updates what its columns say (a column left out of the
sheet changes nothing); a row equal to what is stored counts as unchanged.

发现问题 is a list cell, one finding per item. Items are split like rectification's 整改措施: ；; and
line breaks always separate, 、 only in a cell that uses none of them, because a finding often
enumerates with 、 ("道路、路灯年久失修"). On re-import, findings match by text: new ones are added,
and ones the sheet no longer lists are dropped unless already converted (a conversion is a fact).

Every row is checked first; only a wholly valid sheet is written, in bulk with history rows, in one
transaction recorded as one event. A project's 疑似泛化 flag is computed for every written row and
each flagged row is reported as a warning, as the form warns at save time.
"""

from __future__ import annotations

import re
from collections import defaultdict

from simple_history.utils import bulk_update_with_history

from tuijin.core.scope import subtree_q
from tuijin.core import events
from tuijin.core.calendar import today
from tuijin.core.chunks import chunks
from tuijin.imports.base import all_or_nothing, keyed_rows
from tuijin.imports.bulk import default_history_user, insert_values
from tuijin.imports.fields import (
    allowed,
    check_row_orgs,
    check_set_aside_orgs,
    choice_cell,
    code_cell,
    fetch,
    text_cell,
)
from tuijin.imports.normalize import RowErrors, clean_text, parse_date, parse_int
from tuijin.imports.registry import ImportFailed, ImportResult, register_loader
from tuijin.orgs.models import Person
from tuijin.rectification.imports import split_measures

from . import genericness
from .actions import apply_flags, clean_findings, date_problem, finding_problem, status_problem
from .models import NEED_CATEGORIES, Finding, Project, ProjectEvidence, ProjectStatus, ResearchVisit

BATCH = 2000
FINDINGS = "发现问题"
VISIT_COLUMNS = {"place": "调研地点", "outcome": "调研成果"}
VISIT_FIELDS = ["person_id", "org_id", "date", "topic", "place", "outcome"]
PROJECT_COLUMNS = {
    "need": "群众需求",
    "need_category": "所属领域",
    "beneficiaries": "受益人数",
    "deadline": "计划完成时间",
}
STATUS = "状态"
NEW_PROJECT_FIELDS = ["org_id", "name", "listed_on", "status", *PROJECT_COLUMNS, "flagged", "flag_reasons"]


def _date(row, column, errors, *, required=False):
    if clean_text(row.get(column)) is None:
        if required:
            errors.add(row.number, column, "不能为空")
        return None
    try:
        return parse_date(row.get(column))
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return None


def _users(actor):
    user = actor if getattr(actor, "pk", None) else None
    return dict(default_user=user, default_change_reason="导入")


# ------------------------------------------------------------------ findings in one cell


def split_findings(value) -> list[str]:
    return clean_findings(split_measures(value))


def join_findings(texts: list[str]) -> str:
    cell = "；".join(texts)
    if len(texts) == 1 and len(split_findings(cell)) > 1:
        cell += "；"  # one finding whose text has 、: the ； keeps it whole on re-import
    return cell


# ------------------------------------------------------------------ research visits


def _visit_rows(sheet, errors, as_of):
    """({(人员编号, 日期, 调研主题): row data}, rows set aside: a key cell empty or wrong, or the key repeated)."""

    def read(row):
        number = code_cell(row, "人员编号", errors)
        date = _date(row, "日期", errors, required=True)
        if date is not None and (message := date_problem(date, as_of)):
            errors.add(row.number, "日期", message)
            date = None
        topic = text_cell(row, "调研主题", errors, required=True, max_length=200)
        findings = split_findings(row.get(FINDINGS))
        for text in findings:
            if message := finding_problem(text):
                errors.add(row.number, FINDINGS, message)
        data = {
            "place": text_cell(row, "调研地点", errors, max_length=200),
            "outcome": text_cell(row, "调研成果", errors, max_length=5000),
            "findings": findings,
            "number": number,
        }
        return ((number, date, topic) if number and date and topic else None), data

    return keyed_rows(
        sheet,
        read,
        errors,
        repeated=lambda key, row, first: ("调研主题", f"与第{first}行是同一次调研（人员、日期、主题都相同）"),
    )


def _stored_visits(person_ids):
    found, findings = {}, defaultdict(list)
    for chunk in chunks(person_ids):
        for v in ResearchVisit.objects.filter(person_id__in=chunk):
            found[(v.person_id, v.date, v.topic)] = v
    for chunk in chunks([v.pk for v in found.values()]):
        for f in Finding.objects.filter(visit_id__in=chunk).order_by("position", "id"):
            findings[f.visit_id].append(f)
    return found, findings


def _plan_findings(visit_id, stored: list[Finding], wanted: list[str]):
    """(create, update, delete): keep and reorder the ones in the sheet, add new ones, drop the ones
    the sheet no longer lists unless they were converted."""
    create, update, delete = [], [], []
    by_text = {f.text: f for f in stored}
    for position, text in enumerate(wanted):
        f = by_text.pop(text, None)
        if f is None:
            create.append(Finding(visit_id=visit_id, text=text, position=position))
        elif f.position != position:
            f.position = position
            update.append(f)
    position = len(wanted)
    for f in by_text.values():
        if f.converted:
            if f.position != position:
                f.position = position
                update.append(f)
            position += 1
        else:
            delete.append(f)
    return create, update, delete


def load_visits(sheet, *, actor, dry_run=False) -> ImportResult:
    as_of = today()
    errors = RowErrors()
    rows, set_aside = _visit_rows(sheet, errors, as_of)
    visible = Person.objects.all() if actor is None else Person.objects.visible_to(actor)
    people = fetch(
        visible.select_related("org"),
        "number",
        {key[0] for key in rows} | {d["number"] for d in set_aside if d["number"]},
    )
    may = allowed(actor, "records.manage")

    def person_problem(number):
        person = people.get(number)
        if person is None:
            return f"人员编号“{number}”不存在" + ("，或不在您的管理范围内" if actor is not None else "，请先导入人员")
        if not person.active:
            return f"人员编号“{number}”（{person.name}）已停用"
        if not (actor is None or actor.person_id == person.pk or may(person.org)):
            return f"无权登记“{person.name}”的调研"
        return None

    for d in set_aside:  # a key cell already reported: the person is checked all the same
        if d["number"] and (message := person_problem(d["number"])):
            errors.add(d["row"], "人员编号", message)
    for key, d in list(rows.items()):
        if message := person_problem(key[0]):
            errors.add(d["row"], "人员编号", message)
            del rows[key]
        else:
            d["person"] = people[key[0]]

    stored, stored_findings = _stored_visits({d["person"].pk for d in rows.values()})
    fields = [f for f, column in VISIT_COLUMNS.items() if column in sheet.columns]
    has_findings = FINDINGS in sheet.columns
    result = ImportResult()
    creates, updates, plans = [], [], []
    for (number, date, topic), d in rows.items():
        person = d["person"]
        visit = stored.get((person.pk, date, topic))
        if visit is None:  # a plain tuple of VISIT_FIELDS, not a model instance (issue 15)
            creates.append(((person.pk, person.org_id, date, topic, d["place"], d["outcome"]), d["findings"], number))
            continue
        changed = [f for f in fields if getattr(visit, f) != d[f]]
        plan = _plan_findings(visit.pk, stored_findings.get(visit.pk, []), d["findings"]) if has_findings else None
        if not (changed or (plan and any(plan))):
            result.unchanged += 1
            continue
        for f in changed:
            setattr(visit, f, d[f])
        visit.version += 1
        updates.append(visit)
        if plan:
            plans.append(plan)
    result.created, result.updated = len(creates), len(updates)
    history = _users(actor)

    def write():
        user = history["default_user"] or default_history_user(ResearchVisit)
        ids = insert_values(ResearchVisit, VISIT_FIELDS, [row for row, _, _ in creates], user=user, reason="导入")
        new = [(pk, t, i) for pk, (_, texts, _) in zip(ids, creates, strict=True) for i, t in enumerate(texts)]
        new += [(f.visit_id, f.text, f.position) for create, _, _ in plans for f in create]
        bulk_update_with_history(updates, ResearchVisit, fields + ["version"], batch_size=BATCH, **history)
        insert_values(Finding, ["visit_id", "text", "position"], new, user=user, reason="导入")
        bulk_update_with_history(
            [f for _, update, _ in plans for f in update], Finding, ["position"], batch_size=BATCH, **history
        )
        dropped = [f.pk for _, _, delete in plans for f in delete]
        for chunk in chunks(dropped):
            Finding.objects.filter(pk__in=chunk).delete()  # history keeps a "-" row for each
        events.record(
            actor,
            "import.research",
            ("imports", "research"),
            summary=f"导入调研：{result.summary()}",
            after={
                "created": [f"{number} {row[2]} {row[3]}" for row, _, number in creates[:200]],
                "updated": [v.pk for v in updates][:200],
                "findings_added": len(new),
                "findings_dropped": len(dropped),
            },
        )
        events.touched(list({d["person"].org_id: d["person"].org for d in rows.values()}.values()))

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_visits(org, user):
    """Visits recorded in the subtree, in template columns; re-imports unchanged."""
    qs = ResearchVisit.objects.filter(subtree_q("org__path", org.path))
    if user is not None:
        qs = qs.visible_to(user)
    ids = list(qs.order_by("org__path", "person__number", "date", "id").values_list("pk", flat=True))
    for chunk in chunks(ids):
        visits = ResearchVisit.objects.filter(pk__in=chunk).select_related("person").in_bulk()
        findings = defaultdict(list)
        for visit_id, text in (
            Finding.objects.filter(visit_id__in=chunk).order_by("position", "id").values_list("visit_id", "text")
        ):
            findings[visit_id].append(text)
        for pk in chunk:
            v = visits[pk]
            yield [v.person.number, v.date, v.place, v.topic, join_findings(findings[pk]), v.outcome]


# ------------------------------------------------------------------ practical projects

_PEOPLE_SUFFIX = re.compile(r"^\s*(.*?)\s*(人次|人|名)?\s*$")


def _beneficiaries(row, errors):
    """受益人数: a whole number; "300人" and "1,200 名" are read as meant. Households are not people."""
    column = "受益人数"
    value = row.get(column)
    if clean_text(value) is None:
        return None
    if isinstance(value, str):
        text = clean_text(value)
        if text.endswith("户"):
            errors.add(row.number, column, f"“{text}”是户数，请填写受益人数（人）")
            return None
        value = _PEOPLE_SUFFIX.match(text).group(1)
    try:
        return parse_int(value, min=0)
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return None


def _project_rows(sheet, errors):
    """({(组织编码, 项目名称): row data}, rows set aside: a key cell empty or wrong, or the key repeated)."""

    def read(row):
        code = code_cell(row, "组织编码", errors)
        name = text_cell(row, "项目名称", errors, required=True, max_length=200)
        data = {
            "need": text_cell(row, "群众需求", errors, max_length=2000),
            "need_category": choice_cell(row, "所属领域", NEED_CATEGORIES, errors),
            "beneficiaries": _beneficiaries(row, errors),
            "deadline": _date(row, "计划完成时间", errors),
            "status": choice_cell(row, STATUS, ProjectStatus.values, errors) or None,
            "code": code,
        }
        return ((code, name) if code and name else None), data

    return keyed_rows(
        sheet, read, errors, repeated=lambda key, row, first: ("项目名称", f"与第{first}行是同一组织的同一项目")
    )


def load_projects(sheet, *, actor, dry_run=False) -> ImportResult:
    as_of = today()
    errors = RowErrors()
    rows, set_aside = _project_rows(sheet, errors)
    orgs = check_row_orgs(rows, actor, errors, what="办实事项目")
    check_set_aside_orgs(set_aside, actor, errors, what="办实事项目")

    stored = {}
    for chunk in chunks({orgs[code].pk for code, _ in rows}):
        for p in Project.objects.filter(org_id__in=chunk).select_related("org"):
            stored[(p.org_id, p.name)] = p
    with_evidence = set()
    for chunk in chunks([p.pk for p in stored.values()]):
        with_evidence.update(ProjectEvidence.objects.filter(project_id__in=chunk).values_list("project_id", flat=True))

    fields = [f for f, column in PROJECT_COLUMNS.items() if column in sheet.columns]
    result = ImportResult()
    creates, updates, flagged_rows, new_codes = [], [], [], []
    for (code, name), d in rows.items():
        org = orgs[code]
        project = stored.get((org.pk, name))
        target = d["status"]  # None: the cell is empty or the column absent, so the status stays
        if project is None:
            if target and (message := status_problem(None, target, False)):
                errors.add(d["row"], STATUS, message)
                continue
            # a plain tuple of NEW_PROJECT_FIELDS, not a model instance (issue 15); flagged as apply_flags would
            reasons = genericness.check(name, d["need"], d["need_category"], d["beneficiaries"])
            creates.append(
                (
                    org.pk,
                    name,
                    as_of,
                    target or ProjectStatus.NOT_STARTED,
                    *(d[f] for f in PROJECT_COLUMNS),
                    bool(reasons),
                    reasons,
                )
            )
            new_codes.append(code)
            if reasons:
                flagged_rows.append(f"第{d['row']}行 项目名称: “{name}”疑似泛化（{'；'.join(reasons)}）")
            continue
        changed = [f for f in fields if getattr(project, f) != d[f]]
        new_status = target if target and target != project.status else None
        if new_status and (message := status_problem(project.status, new_status, project.pk in with_evidence)):
            errors.add(d["row"], STATUS, message)
            continue
        if not (changed or new_status):
            result.unchanged += 1
            continue
        for f in changed:
            setattr(project, f, d[f])
        if new_status:
            project.status = new_status
            project.completed_on = as_of if new_status == ProjectStatus.DONE else None
        project.version += 1
        apply_flags(project)
        updates.append(project)
        if project.flagged:
            flagged_rows.append(f"第{d['row']}行 项目名称: “{name}”疑似泛化（{'；'.join(project.flag_reasons)}）")
    if errors:
        raise ImportFailed(errors)  # before the 疑似泛化 warnings, which only a valid sheet reports
    result.created, result.updated = len(creates), len(updates)
    result.warnings += flagged_rows
    history = _users(actor)

    def write():
        insert_values(
            Project,
            NEW_PROJECT_FIELDS,
            creates,
            user=history["default_user"] or default_history_user(Project),
            reason="导入",
        )
        bulk_update_with_history(
            updates,
            Project,
            fields + ["status", "completed_on", "version", "flagged", "flag_reasons"],
            batch_size=BATCH,
            **history,
        )
        events.record(
            actor,
            "import.projects",
            ("imports", "projects"),
            summary=f"导入办实事项目：{result.summary()}",
            after={
                "created": [f"{code} {row[1]}" for code, row in zip(new_codes[:200], creates[:200], strict=True)],
                "updated": [p.pk for p in updates][:200],
                "flagged": len(flagged_rows),
            },
        )
        events.touched(
            list({org.pk: org for org in [*(orgs[c] for c in new_codes), *(p.org for p in updates)]}.values())
        )

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_projects(org, user):
    qs = Project.objects.filter(subtree_q("org__path", org.path)).select_related("org")
    if user is not None:
        qs = qs.visible_to(user)
    for p in qs.order_by("org__path", "name").iterator(chunk_size=2000):
        yield [p.org.code, p.name, p.need, p.need_category, p.beneficiaries, p.deadline, p.status]


register_loader("research", load=load_visits, export=export_visits)
register_loader(
    "projects",
    load=load_projects,
    export=export_projects,
    choices={"所属领域": NEED_CATEGORIES, STATUS: ProjectStatus.values},
)

"""Every change to research visits, findings and practical projects (SPEC §2.4). Each action checks who
may do it, runs in one transaction and writes the domain event; views, API, importers and the demo
all come through here (importers and the demo write in bulk, but use the same checks and flags).

Who may do what:
- a visit: the person it belongs to (a leading cadre recording their own visit), or anyone with
  `records.manage` over the person's org (the unit's reporter, an office above);
- converting a finding: `records.manage` over the org that will own the problem (rectification's
  own rule), and the problem must be one the actor sees;
- a project: `records.manage` over its org.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction

from tuijin.core.scope import subtree_q
from tuijin.core import derived, events, files
from tuijin.core.chunks import chunks
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.permissions import can, require
from tuijin.orgs.models import Org, Person
from tuijin.rectification import actions as rectification
from tuijin.rectification.models import Measure, Problem, PublicItem, State

from . import genericness
from .models import NEED_CATEGORIES, Finding, Project, ProjectEvidence, ProjectStatus, ResearchVisit

VISIT_FIELDS = ("date", "place", "visited_org", "topic", "outcome")
PROJECT_FIELDS = ("name", "need", "need_category", "beneficiaries", "deadline")
MAX_FINDING = 500


# ------------------------------------------------------------------ checks shared with the importers


def date_problem(date: dt.date | None, today: dt.date | None) -> str | None:
    if date is None:
        return "不能为空"
    if today is not None and date > today:
        return f"{date:%Y-%m-%d} 晚于今天，只能记录已经开展的调研"
    return None


def finding_problem(text: str) -> str | None:
    if len(text) > MAX_FINDING:
        return f"“{text[:20]}…”太长（{len(text)} 字），每条最多 {MAX_FINDING} 字"
    return None


def clean_findings(findings) -> list[str]:
    """Non-empty, stripped, each once, in the order given."""
    return list(dict.fromkeys(t.strip() for t in findings if t and t.strip()))


def can_record_for(actor, person: Person) -> bool:
    if actor is None:
        return True
    if getattr(actor, "person_id", None) == person.pk and actor.is_active:
        return True
    return can(actor, "records.manage", person.org)


def _require_record_for(actor, person: Person) -> None:
    if not can_record_for(actor, person):
        raise PermissionDenied(f"没有权限登记{person.name}的调研")


def _visible(actor, model, pk) -> bool:
    return actor is None or model.objects.visible_to(actor).filter(pk=pk).exists()


# ------------------------------------------------------------------ research visits


def record_visit(
    *,
    actor,
    person: Person,
    date: dt.date,
    topic: str,
    place: str = "",
    visited_org: Org | None = None,
    findings=(),
    outcome: str = "",
    today: dt.date | None = None,
) -> ResearchVisit:
    """One research visit with its findings. `today`, when given, refuses dates after it (views pass
    the calendar's today; the demo and tests record whatever they need)."""
    with transaction.atomic():
        person = Person.objects.select_related("org").get(pk=person.pk)
        _require_record_for(actor, person)
        if not person.active:
            raise ActionError(f"{person.name}已停用，不能再登记调研", field="person")
        if message := date_problem(date, today):
            raise ActionError(f"调研日期：{message}", field="date")
        topic, place, outcome = (topic or "").strip(), (place or "").strip(), (outcome or "").strip()
        if not topic:
            raise ActionError("调研主题不能为空", field="topic")
        if len(topic) > 200:
            raise ActionError(f"调研主题太长（{len(topic)} 字），最多 200 字", field="topic")
        if visited_org is not None and not _visible(actor, Org, visited_org.pk):
            raise ActionError("调研单位不存在，或不在您的查看范围内", field="visited_org")
        if not place and visited_org is not None:
            place = visited_org.name
        if len(place) > 200:
            raise ActionError(f"调研地点太长（{len(place)} 字），最多 200 字", field="place")
        texts = clean_findings(findings)
        for text in texts:
            if message := finding_problem(text):
                raise ActionError(f"发现问题：{message}", field="findings")
        visit = ResearchVisit.objects.create(
            person=person, org=person.org, date=date, topic=topic, place=place, visited_org=visited_org, outcome=outcome
        )
        Finding.objects.bulk_create([Finding(visit=visit, text=t, position=i) for i, t in enumerate(texts)])
        derived.refresh([person.org])
        events.record(
            actor,
            "research.create",
            visit,
            org=person.org,
            summary=f"{person.name} {date:%Y-%m-%d} 调研“{topic[:40]}”，发现问题 {len(texts)} 条",
            after={**events.snapshot(visit, VISIT_FIELDS + ("person",)), "findings": len(texts)},
        )
        return visit


def add_finding(visit: ResearchVisit, *, actor, text: str) -> Finding:
    with transaction.atomic():
        visit = ResearchVisit.objects.select_for_update(of=("self",)).select_related("person", "org").get(pk=visit.pk)
        _require_record_for(actor, visit.person)
        text = (text or "").strip()
        if not text:
            raise ActionError("发现问题不能为空", field="text")
        if message := finding_problem(text):
            raise ActionError(message, field="text")
        if visit.findings.filter(text=text).exists():
            raise ActionError("这条发现问题已经登记过了", field="text")
        finding = Finding.objects.create(visit=visit, text=text, position=visit.findings.count())
        visit.version += 1
        visit.save(update_fields=["version"])
        derived.refresh([visit.org])
        events.record(actor, "research.finding", visit, org=visit.org, summary=f"调研“{visit.topic[:30]}”新增发现问题")
        return finding


def _locked_finding(finding: Finding) -> Finding:
    finding = (
        Finding.objects.select_for_update(of=("self",))
        .select_related("visit", "visit__org", "visit__person")
        .get(pk=finding.pk)
    )
    if finding.converted:
        raise ActionError(f"这条发现问题已经{finding.conversion_label.removeprefix('已')}，不能重复转化")
    return finding


def convert_to_problem(
    finding: Finding,
    *,
    actor,
    found_on: dt.date,
    org: Org | None = None,
    description: str = "",
    category: str = "其他",
    responsible: str = "",
    deadline: dt.date | None = None,
) -> Problem:
    """成果转化: the finding becomes a problem (source 调研发现) on `org`'s list (default: the visit's org)."""
    with transaction.atomic():
        finding = _locked_finding(finding)
        visit = finding.visit
        if not _visible(actor, ResearchVisit, visit.pk):
            raise PermissionDenied("没有权限转化这条调研发现")
        org = org or visit.org
        if not _visible(actor, Org, org.pk):
            raise ActionError("责任组织不存在，或不在您的查看范围内", field="org")
        problem = rectification.create_problem(
            actor=actor,
            org=org,
            description=(description or finding.text).strip(),
            source="调研发现",
            found_on=found_on,
            category=category,
            responsible=responsible,
            deadline=deadline,
            reason=f"{visit.person.name}调研发现",
        )
        finding.converted_problem, finding.converted_on = problem, found_on
        finding.save(update_fields=["converted_problem", "converted_on"])
        derived.refresh([visit.org])  # the finding counts as converted where the visit belongs
        events.record(
            actor,
            "research.convert",
            visit,
            org=visit.org,
            summary=f"调研发现“{finding.text[:30]}”转为{org.name}问题 {problem.number}",
            after={"finding": finding.pk, "problem": problem.pk},
        )
        return problem


def convert_to_measure(
    finding: Finding,
    *,
    actor,
    problem: Problem,
    as_of: dt.date,
    text: str = "",
    owner: str = "",
    deadline: dt.date | None = None,
) -> Measure:
    """成果转化: the finding becomes a measure of an existing, open problem the actor sees."""
    with transaction.atomic():
        finding = _locked_finding(finding)
        visit = finding.visit
        if not _visible(actor, ResearchVisit, visit.pk):
            raise PermissionDenied("没有权限转化这条调研发现")
        if not _visible(actor, Problem, problem.pk):
            raise ActionError("问题不存在，或不在您的查看范围内", field="problem")
        problem = Problem.objects.select_related("org").get(pk=problem.pk)
        if problem.withdrawn or problem.state == State.CLOSED:
            raise ActionError(
                f"问题 {problem.number} 已{'撤回' if problem.withdrawn else '销号'}，不能再添加措施", field="problem"
            )
        measure = rectification.add_measure(
            problem, actor=actor, text=(text or finding.text).strip()[:500], owner=owner, deadline=deadline
        )
        finding.converted_problem, finding.converted_measure, finding.converted_on = problem, measure, as_of
        finding.save(update_fields=["converted_problem", "converted_measure", "converted_on"])
        derived.refresh([visit.org])
        events.record(
            actor,
            "research.convert",
            visit,
            org=visit.org,
            summary=f"调研发现“{finding.text[:30]}”转为{problem.org.name}问题 {problem.number} 的整改措施",
            after={"finding": finding.pk, "problem": problem.pk, "measure": measure.pk},
        )
        return measure


# ------------------------------------------------------------------ practical projects


def apply_flags(project: Project) -> Project:
    """Store genericness.check()'s verdict on the (unsaved) project."""
    project.flag_reasons = genericness.check_project(project)
    project.flagged = bool(project.flag_reasons)
    return project


def _validate_project(fields: dict) -> None:
    name = fields.get("name")
    if name is not None:
        if not name:
            raise ActionError("项目名称不能为空", field="name")
        if len(name) > 200:
            raise ActionError(f"项目名称太长（{len(name)} 字），最多 200 字", field="name")
    category = fields.get("need_category")
    if category and category not in NEED_CATEGORIES:
        raise ActionError(f"所属领域应为以下之一：{'、'.join(NEED_CATEGORIES)}", field="need_category")
    beneficiaries = fields.get("beneficiaries")
    if beneficiaries is not None and (not isinstance(beneficiaries, int) or beneficiaries < 0):
        raise ActionError("受益人数应为不小于 0 的整数", field="beneficiaries")


def _clean_project_fields(fields: dict) -> dict:
    out = dict(fields)
    for key in ("name", "need", "need_category"):
        if key in out:
            out[key] = (out[key] or "").strip()
    return out


def create_project(
    *,
    actor,
    org: Org,
    name: str,
    listed_on: dt.date,
    need: str = "",
    need_category: str = "",
    beneficiaries: int | None = None,
    deadline: dt.date | None = None,
) -> Project:
    """Put a project on an org's list. It is saved even when 疑似泛化: the flag is for supervision."""
    with transaction.atomic():
        require(actor, "records.manage", org)
        fields = _clean_project_fields(
            dict(name=name, need=need, need_category=need_category, beneficiaries=beneficiaries, deadline=deadline)
        )
        _validate_project(fields)
        if not org.active:
            raise ActionError(f"组织“{org.name}”已撤销或并入其他组织", field="org")
        if Project.objects.filter(org=org, name=fields["name"]).exists():
            raise ActionError(f"{org.name}已有名为“{fields['name']}”的项目", field="name")
        project = apply_flags(Project(org=org, listed_on=listed_on, **fields))
        project.save()
        derived.refresh([org])
        events.record(
            actor,
            "project.create",
            project,
            org=org,
            summary=f"{org.name} 新增办实事项目“{project.name[:40]}”" + ("（疑似泛化）" if project.flagged else ""),
            after={**events.snapshot(project, PROJECT_FIELDS + ("flagged",)), "reasons": project.flag_reasons},
        )
        return project


def _locked_project(project: Project, version=None) -> Project:
    fresh = Project.objects.select_for_update(of=("self",)).select_related("org").get(pk=project.pk)
    if version is not None and int(version) != fresh.version:
        raise StaleEdit()
    return fresh


def update_project(project: Project, *, actor, version=None, **changes) -> Project:
    with transaction.atomic():
        project = _locked_project(project, version)
        require(actor, "records.manage", project.org)
        unknown = set(changes) - set(PROJECT_FIELDS)
        if unknown:
            raise ActionError(f"不能修改字段 {'、'.join(sorted(unknown))}")
        changes = _clean_project_fields(changes)
        _validate_project(changes)
        if (
            "name" in changes
            and changes["name"] != project.name
            and Project.objects.filter(org=project.org, name=changes["name"]).exists()
        ):
            raise ActionError(f"{project.org.name}已有名为“{changes['name']}”的项目", field="name")
        before = events.snapshot(project, PROJECT_FIELDS + ("flagged",))
        for key, value in changes.items():
            setattr(project, key, value)
        apply_flags(project)
        project.version += 1
        project.save()
        b, a = events.diff(before, events.snapshot(project, PROJECT_FIELDS + ("flagged",)))
        derived.refresh([project.org])
        events.record(
            actor,
            "project.update",
            project,
            org=project.org,
            summary=f"修改办实事项目“{project.name[:40]}”",
            before=b,
            after={**(a or {}), "reasons": project.flag_reasons},
        )
        return project


def status_problem(current: str | None, target: str, has_evidence: bool) -> str | None:
    """Why a project may not go from `current` (None: a new project) to `target`. Finishing needs
    evidence (SPEC §2.9: evidence where it proves something)."""
    if target not in ProjectStatus.values:
        return f"状态应为以下之一：{'、'.join(ProjectStatus.values)}"
    if target == ProjectStatus.DONE and current != ProjectStatus.DONE and not has_evidence:
        if current is None:
            return "新项目还没有佐证材料，不能直接登记为“已完成”：请先登记为“推进中”，上传佐证材料后再改为“已完成”"
        return "改为“已完成”前至少要上传一份佐证材料（照片、PDF、Word 或 Excel）"
    return None


def set_project_status(project: Project, *, actor, status: str, as_of: dt.date, version=None) -> Project:
    with transaction.atomic():
        project = _locked_project(project, version)
        require(actor, "records.manage", project.org)
        if status == project.status:
            return project
        if message := status_problem(project.status, status, project.evidence.exists()):
            raise ActionError(message, field="status")
        before = project.status
        project.status = status
        project.completed_on = as_of if status == ProjectStatus.DONE else None
        project.version += 1
        project.save()
        derived.refresh([project.org])
        events.record(
            actor,
            "project.status",
            project,
            org=project.org,
            summary=f"办实事项目“{project.name[:40]}”：{before} → {status}",
            before={"status": before},
            after={"status": status},
        )
        return project


def attach_project_evidence(project: Project, *, actor, name: str, data: bytes) -> ProjectEvidence:
    with transaction.atomic():
        project = _locked_project(project)
        require(actor, "records.manage", project.org)
        stored = files.store(name, data)
        evidence = ProjectEvidence.objects.create(
            project=project,
            name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        project.version += 1
        project.save(update_fields=["version"])
        events.record(
            actor,
            "project.evidence",
            project,
            org=project.org,
            summary=f"办实事项目“{project.name[:40]}”上传佐证材料“{stored.name}”",
            after={"sha256": stored.sha256, "size": stored.size},
        )
        return evidence


def publish_project(project: Project, *, actor, title: str = "", summary: str = "") -> PublicItem:
    """A finished 办实事 project goes to the people who were to benefit, for their rating (群众评: the
    item, its ratings and the satisfaction list are rectification's, as for a rectified problem)."""
    with transaction.atomic():
        project = _locked_project(project)
        if not can(actor, "records.manage", project.org) and not rectification.reviewer_grants(actor, project.org):
            raise PermissionDenied("没有权限公示该项目")
        if project.status != ProjectStatus.DONE:
            raise ActionError("项目完成后才能公示，请群众评价")
        item = rectification.publish_subject(
            project.publication, org=project.org, title=title, summary=summary, new_title=project.name
        )
        if project.publication_id != item.pk:
            project.publication = item
            project.save(update_fields=["publication"])
        derived.refresh([project.org])
        events.record(
            actor,
            "project.publish",
            project,
            org=project.org,
            summary=f"{project.org.name} 办实事项目“{project.name}”公示，接受群众评价",
            after={"token": item.token},
        )
        return item


def recheck_flags(*, actor=None, org: Org | None = None) -> int:
    """Re-run the genericness rules over stored projects (after the rules were extended). Returns how
    many projects' flags changed. Operator-only from the command line, or an office over `org`."""
    with transaction.atomic():
        if org is not None:
            require(actor, "campaign.manage", org)
        elif actor is not None:
            raise PermissionDenied("只有命令行可以复核全部项目")
        qs = Project.objects.all() if org is None else Project.objects.filter(subtree_q("org__path", org.path))
        changed = []
        for project in qs.iterator(chunk_size=2000):
            flagged, reasons = project.flagged, project.flag_reasons
            apply_flags(project)
            if (flagged, reasons) != (project.flagged, project.flag_reasons):
                changed.append(project)
        Project.objects.bulk_update(changed, ["flagged", "flag_reasons"], batch_size=2000)
        derived.refresh(
            o for part in chunks(sorted({p.org_id for p in changed})) for o in Org.objects.filter(pk__in=part)
        )  # the flagged share of their orgs
        events.record(
            actor,
            "project.recheck",
            ("research", "projects"),
            org=org,
            summary=f"按现行规则复核办实事项目疑似泛化标记：{len(changed)} 个项目有变化",
        )
        return len(changed)

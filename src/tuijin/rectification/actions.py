"""Every change to problems, measures, evidence, rules and public ratings (SPEC §2.5).

States: 待整改 → 整改中 → 待验收 → 已销号, and 已销号 → 已反弹 → 整改中 … on reopening.
The owner org rectifies and submits; only a reviewer of a higher level closes, sends back or reopens.
"""

import datetime as dt
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from tuijin.campaigns.queries import problem_categories
from tuijin.core import derived, events, files
from tuijin.core.calendar import today
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.permissions import can, require
from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org, Person, RoleGrant

from . import transitions
from .models import (
    SOURCES,
    Cooperation,
    Evidence,
    InstitutionRule,
    Measure,
    MeasureKind,
    Milestone,
    Problem,
    PublicItem,
    Rating,
    Recheck,
    SelfCheck,
    State,
)

EDITABLE = ("category", "source", "description", "responsible", "owner_person", "deadline", "is_special")
SATISFIED = {Rating.Choice.SATISFIED, Rating.Choice.BASIC}


# ------------------------------------------------------------------ who may do what


def reviewer_grants(actor, org: Org):
    """Grants that make `actor` a reviewer of a higher level for `org`: an office strictly above it,
    or a guidance group assigned to it or to one of its ancestors. Never the owner org itself."""
    if actor is None:
        return ["命令行"]
    found = []
    for grant in RoleGrant.objects.filter(user=actor, role__in=["office", "guidance"]).select_related("org", "group"):
        if grant.role == "office" and org.path.startswith(grant.org.path) and org.path != grant.org.path:
            found.append(grant)
        elif grant.role == "guidance" and any(
            org.path.startswith(p) for p in grant.group.orgs.values_list("path", flat=True)
        ):
            found.append(grant)
    return found


def can_review(actor, problem: Problem) -> bool:
    return bool(reviewer_grants(actor, problem.org))


def require_reviewer(actor, problem: Problem) -> None:
    if not can_review(actor, problem):
        raise PermissionDenied("只有上级办公室或指导组可以验收、销号、退回或重新打开问题，责任单位不能给自己销号")


def can_rectify(actor, problem: Problem) -> bool:
    from tuijin.core.permissions import can

    return can(actor, "records.manage", problem.org)


def _locked(problem: Problem, version=None) -> Problem:
    fresh = Problem.objects.select_for_update(of=("self",)).select_related("org").get(pk=problem.pk)
    if version is not None and int(version) != fresh.version:
        raise StaleEdit()
    return fresh


def _refuse_unless(move: str, problem: Problem) -> None:
    """The state machine's answer (transitions.py), raised as the clerk's error."""
    refused = transitions.refusal(move, problem)
    if refused is not None:
        raise ActionError(refused.message, field=refused.field)


def _not_hand_down(problem: Problem) -> None:
    if problem.is_hand_down:
        raise ActionError("交办事项由各单位分别整改、分别验收，请在下级事项中办理；本事项显示汇总进度")


def _counted_at(problem: Problem, *people) -> list[Org]:
    """The orgs a problem is counted at: its own, and the cadre's own org for 个人检视 figures."""
    return [problem.org, *(p.org for p in (problem.owner_person, *people) if p is not None)]


def _save(problem: Problem, actor, verb: str, summary: str, before=None, after=None, former=None, also=()) -> Problem:
    """Save a change to a problem: its counters (and those of `also`, e.g. the org it left, and of the
    cadre it no longer belongs to, `former`), then its event."""
    problem.version += 1
    problem.save()
    derived.refresh([*_counted_at(problem, former), *also])
    events.record(
        actor,
        verb,
        problem,
        org=problem.org,
        summary=f"{problem.org.name} 问题 {problem.number}：{summary}",
        before=before,
        after=after,
    )
    return problem


def _validate(fields: dict, org: Org, as_of: dt.date) -> None:
    if "source" in fields and fields["source"] not in SOURCES:
        raise ActionError(f"问题来源应为以下之一：{'、'.join(SOURCES)}", field="source")
    if "category" in fields and fields["category"] not in (categories := problem_categories(org, as_of)):
        # The campaign file's list (SPEC §4.3)
        raise ActionError(f"问题类别应为以下之一：{'、'.join(categories)}", field="category")
    if "description" in fields and not (fields["description"] or "").strip():
        raise ActionError("问题描述不能为空", field="description")


def _owner_person(person: Person | None, org: Org) -> Person | None:
    """个人检视: the problem is a leading cadre's own, and the cadre is of the org or a unit under it."""
    if person is None:
        return None
    if not person.is_leading_cadre:
        raise ActionError(f"“{person.name}”不是领导干部，不能作为个人检视问题的领导干部", field="owner_person")
    if not Person.objects.filter(subtree_q("org__path", org.path), pk=person.pk).exists():
        raise ActionError(
            f"“{person.name}”不属于{org.name}或其下级单位，不能作为该问题的领导干部", field="owner_person"
        )
    return person


def _measure_kind(value) -> str:
    """立行立改 (the default) or 建章立制 (当下改与长久立)."""
    value = (value or MeasureKind.NOW).strip()
    if value not in MeasureKind.values:
        raise ActionError(f"措施类型应为：{'、'.join(MeasureKind.values)}，实际为“{value}”", field="kind")
    return value


def _next_number(org: Org, year: int) -> str:
    n = Problem.objects.filter(org=org).count() + 1
    while Problem.objects.filter(org=org, number=f"{year}-{n:03d}").exists():
        n += 1
    return f"{year}-{n:03d}"


# ------------------------------------------------------------------ the problem list


def create_problem(
    *,
    actor,
    org: Org,
    description: str,
    source: str,
    found_on: dt.date,
    number: str = "",
    category: str = "其他",
    responsible: str = "",
    deadline: dt.date | None = None,
    is_special: bool = False,
    measures=(),
    reason: str = "",
    parent: Problem | None = None,
    owner_person: Person | None = None,
) -> Problem:
    """Add a problem to an org's list, with its measures ({text, owner, deadline}); `owner_person` makes
    it a leading cadre's own (个人检视)."""
    with transaction.atomic():
        require(actor, "records.manage", org)
        return _insert_problem(
            actor=actor,
            org=org,
            description=description,
            source=source,
            found_on=found_on,
            number=number,
            category=category,
            responsible=responsible,
            deadline=deadline,
            is_special=is_special,
            measures=measures,
            reason=reason,
            parent=parent,
            owner_person=owner_person,
        )


def add_found_by_upper_level(
    *,
    actor,
    org: Org,
    description: str,
    found_on: dt.date,
    category: str = "其他",
    deadline: dt.date | None = None,
    reason: str = "",
) -> Problem:
    """A problem a reviewer of a higher level (the guidance group assigned to the org, an office above
    it) found itself, e.g. on an inspection: added to the org's list sourced 上级查 (SPEC §1, §2.7)."""
    with transaction.atomic():
        if not reviewer_grants(actor, org):
            raise PermissionDenied(f"只有联系“{org.name}”的指导组或上级办公室可以列入上级查摆的问题")
        return _insert_problem(
            actor=actor,
            org=org,
            description=description,
            source="上级查",
            found_on=found_on,
            category=category,
            deadline=deadline,
            reason=reason,
        )


def _insert_problem(
    *,
    actor,
    org,
    description,
    source,
    found_on,
    number="",
    category="其他",
    responsible="",
    deadline=None,
    is_special=False,
    measures=(),
    reason="",
    parent=None,
    owner_person=None,
) -> Problem:
    with transaction.atomic():
        fields = dict(category=category, source=source, description=description.strip())
        _validate(fields, org, found_on)
        owner_person = _owner_person(owner_person, org)
        number = (number or "").strip() or _next_number(org, found_on.year)
        if Problem.objects.filter(org=org, number=number).exists():
            raise ActionError(f"问题编号“{number}”在{org.name}已存在", field="number")
        problem = Problem.objects.create(
            org=org,
            number=number,
            responsible=responsible,
            deadline=deadline,
            owner_person=owner_person,
            is_special=is_special,
            found_on=found_on,
            parent=parent,
            **fields,
        )
        for i, m in enumerate(measures):
            Measure.objects.create(
                problem=problem,
                position=i,
                text=m["text"],
                owner=m.get("owner", ""),
                deadline=m.get("deadline"),
                kind=_measure_kind(m.get("kind")),
            )
        derived.refresh(_counted_at(problem))
        events.record(
            actor,
            "problem.create",
            problem,
            org=org,
            summary=f"{org.name} 新增问题 {number}" + (f"（{reason}）" if reason else ""),
            after={**events.snapshot(problem, ("number",) + EDITABLE), "reason": reason, "measures": len(measures)},
        )
        if source == "上级查" and not problem.is_hand_down:
            suggest_self_checks(problem, actor=actor, as_of=found_on, trigger="上级查")
        return problem


def update_problem(problem: Problem, *, actor, version=None, **changes) -> Problem:
    with transaction.atomic():
        problem = _locked(problem, version)
        require(actor, "records.manage", problem.org)
        if problem.state == State.CLOSED or problem.withdrawn:
            raise ActionError("已销号或已撤回的问题不能修改")
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise ActionError(f"不能修改字段 {'、'.join(sorted(unknown))}")
        _validate(
            {k: v for k, v in changes.items() if k != "category" or v != problem.category},
            problem.org,
            problem.found_on,
        )
        former = problem.owner_person
        if "owner_person" in changes and changes["owner_person"] != former:  # kept as is: not checked again
            changes["owner_person"] = _owner_person(changes["owner_person"], problem.org)
        before = events.snapshot(problem, EDITABLE)
        for key, value in changes.items():
            setattr(problem, key, value)
        b, a = events.diff(before, events.snapshot(problem, EDITABLE))
        return _save(problem, actor, "problem.update", "修改", before=b, after=a, former=former)


def withdraw_problem(problem: Problem, *, actor, reason: str, version=None) -> Problem:
    """Take a problem off the list (动态更新): it stays in history, never deleted."""
    with transaction.atomic():
        problem = _locked(problem, version)
        require(actor, "records.manage", problem.org)
        if not reason.strip():
            raise ActionError("撤回问题必须写明原因", field="reason")
        if problem.state == State.CLOSED:
            raise ActionError("已销号的问题不能撤回")
        problem.withdrawn, problem.withdraw_reason = True, reason.strip()
        return _save(problem, actor, "problem.withdraw", f"撤回（{reason.strip()}）", after={"reason": reason})


def measure_org(actor, problem: Problem, org: Org | None = None) -> Org | None:
    """联合会诊: whose measure a new one is — None for the lead org's own (when the actor manages the
    lead org, or names it), else the cooperating org named, or the one the actor manages."""
    if org is None or org.pk == problem.org_id:
        if can(actor, "records.manage", problem.org):
            return None
        if org is None:
            for c in problem.cooperations.select_related("org").order_by("org__path"):
                if can(actor, "records.manage", c.org):
                    return c.org
        raise PermissionDenied("没有权限为该问题添加整改措施")
    if not problem.cooperations.filter(org=org).exists():
        raise ActionError(f"“{org.name}”不是该问题的联合整改单位", field="org")
    require(actor, "records.manage", org)
    return org


def add_cooperation(problem: Problem, *, actor, orgs, as_of: dt.date) -> list[Cooperation]:
    """联合会诊、同题共答: cooperating orgs rectify one problem with its lead org, each with its own
    measures. Set up by whoever manages both the lead org and each cooperating org (the office above)."""
    with transaction.atomic():
        problem = _locked(problem)
        _not_hand_down(problem)
        require(actor, "records.manage", problem.org)
        if problem.state == State.CLOSED or problem.withdrawn:
            raise ActionError("已销号或已撤回的问题不能再增加联合整改单位")
        orgs = list(orgs)
        if not orgs:
            raise ActionError("请选择至少一个联合整改单位", field="orgs")
        added = []
        for org in orgs:
            if org.pk == problem.org_id:
                raise ActionError(f"“{org.name}”是牵头单位，不需要再列为联合整改单位", field="orgs")
            if not can(actor, "records.manage", org):
                raise PermissionDenied(f"只有同时管理牵头单位和“{org.name}”的上级办公室可以组织联合整改")
            cooperation, created = Cooperation.objects.get_or_create(
                problem=problem, org=org, defaults={"added_on": as_of}
            )
            if created:
                added.append(cooperation)
        if added:
            _save(
                problem,
                actor,
                "problem.cooperate",
                f"联合会诊：{'、'.join(c.org.name for c in added)}共同整改，{problem.org.name}牵头",
                after={"orgs": [c.org.code for c in added]},
                also=[c.org for c in added],
            )
        return added


def add_measure(
    problem: Problem,
    *,
    actor,
    text: str,
    owner: str = "",
    deadline: dt.date | None = None,
    kind: str = MeasureKind.NOW,
    org: Org | None = None,
) -> Measure:
    with transaction.atomic():
        problem = _locked(problem)
        org = measure_org(actor, problem, org)
        if not text.strip():
            raise ActionError("措施内容不能为空", field="text")
        kind = _measure_kind(kind)
        _measures_settled(problem)
        measure = Measure.objects.create(
            problem=problem,
            text=text.strip(),
            owner=owner.strip(),
            deadline=deadline,
            position=problem.measures.count(),
            kind=kind,
            org=org,
        )
        _save(problem, actor, "measure.create", (f"{org.name}" if org else "") + f"新增{kind}措施“{measure.text[:40]}”")
        return measure


def _advance(problem: Problem) -> None:
    """Work done on a 待整改/已反弹 problem puts it 整改中 — when the start move is allowed (a special
    rectification stays 待整改 until its plan is uploaded)."""
    if problem.state in (State.OPEN, State.RELAPSED) and transitions.refusal("start", problem) is None:
        problem.state = State.IN_PROGRESS


def _measures_settled(problem: Problem) -> None:
    """Once submitted or closed, the measures are what was accepted: changing them means sending it back."""
    if problem.state == State.SUBMITTED:
        raise ActionError("问题已提交验收，整改措施不能再改动；如需调整，请上级退回整改后再改", field="measures")
    if problem.state == State.CLOSED:
        raise ActionError("问题已销号，整改措施不能再改动", field="measures")


def set_measure_done(measure: Measure, *, actor, done: bool, as_of: dt.date) -> Measure:
    with transaction.atomic():
        problem = _locked(measure.problem)
        measure = Measure.objects.select_related("org").get(pk=measure.pk)
        if measure.problem_id != problem.pk:
            raise ActionError("该措施不属于这个问题")
        # 联合会诊: a cooperating org marks its own measures; the lead org its own and any
        require(
            actor,
            "records.manage",
            problem.org if not measure.org_id or can(actor, "records.manage", problem.org) else measure.org,
        )
        if not done:
            _measures_settled(problem)
        if measure.set_aside:
            raise ActionError("该措施已标记为“不再需要”，不能再改完成情况", field="measures")
        measure.done, measure.done_on = done, (as_of if done else None)
        measure.save()
        if done:
            _advance(problem)
        _save(
            problem,
            actor,
            "measure.done" if done else "measure.undone",
            f"措施“{measure.text[:40]}”{'已完成' if done else '改为未完成'}",
        )
        return measure


def add_milestone(problem: Problem, *, actor, title: str, due_on: dt.date | None, owner: str) -> Milestone:
    """专项整治的节点 (date, owner): only a special rectification has them; tracked like measures."""
    with transaction.atomic():
        problem = _locked(problem)
        require(actor, "records.manage", problem.org)
        if not problem.is_special:
            raise ActionError("只有专项整治问题需要安排节点；普通问题请添加整改措施", field="milestones")
        if problem.withdrawn:
            raise ActionError("已撤回的问题不能再安排节点")
        _measures_settled(problem)
        title, owner = title.strip(), owner.strip()
        if not title:
            raise ActionError("节点内容不能为空", field="title")
        if due_on is None:
            raise ActionError("请填写节点的计划完成日期", field="due_on")
        if not owner:
            raise ActionError("请填写节点的责任人", field="owner")
        milestone = Milestone.objects.create(
            problem=problem, title=title[:300], due_on=due_on, owner=owner[:60], position=problem.milestones.count()
        )
        _save(
            problem,
            actor,
            "milestone.create",
            f"专项整治节点“{milestone.title[:40]}”（{owner}，{due_on.isoformat()}前）",
            after={"milestone": milestone.pk, "due_on": due_on.isoformat(), "owner": owner},
        )
        return milestone


def set_milestone_done(milestone: Milestone, *, actor, done: bool, as_of: dt.date) -> Milestone:
    with transaction.atomic():
        problem = _locked(milestone.problem)
        require(actor, "records.manage", problem.org)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.problem_id != problem.pk:
            raise ActionError("该节点不属于这个问题")
        if problem.withdrawn:
            raise ActionError("已撤回的问题不能再改动节点")
        if not done:
            _measures_settled(problem)
        milestone.done, milestone.done_on = done, (as_of if done else None)
        milestone.save()
        late = f"（晚于计划{(as_of - milestone.due_on).days}天）" if done and as_of > milestone.due_on else ""
        _save(
            problem,
            actor,
            "milestone.done" if done else "milestone.undone",
            f"专项整治节点“{milestone.title[:40]}”{'已完成' + late if done else '改为未完成'}",
        )
        return milestone


def set_measure_aside(measure: Measure, *, actor, reason: str, as_of: dt.date) -> Measure:
    """不再需要: a reviewer of a higher level sets an open measure aside, with a reason kept in the
    history, so it no longer holds the problem back from 待验收/已销号. The owner cannot do it itself."""
    with transaction.atomic():
        problem = _locked(measure.problem)
        require_reviewer(actor, problem)
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        if not reason.strip():
            raise ActionError("标记“不再需要”必须写明原因", field="reason")
        if problem.state == State.CLOSED or problem.withdrawn:
            raise ActionError("已销号或已撤回的问题，措施不能再改动", field="measures")
        if measure.done:
            raise ActionError("该措施已完成，不需要标记“不再需要”", field="measures")
        if measure.set_aside:
            raise ActionError("该措施已标记为“不再需要”", field="measures")
        measure.set_aside, measure.set_aside_reason = True, reason.strip()[:300]
        measure.save()
        _save(
            problem,
            actor,
            "measure.set_aside",
            f"措施“{measure.text[:40]}”不再需要（{reason.strip()}）",
            after={"measure": measure.pk, "reason": reason.strip(), "as_of": as_of.isoformat()},
        )
        return measure


def attach_evidence(problem: Problem, *, actor, name: str, data: bytes, kind: str = Evidence.Kind.SUPPORT) -> Evidence:
    with transaction.atomic():
        problem = _locked(problem)
        require(actor, "records.manage", problem.org)
        if problem.withdrawn:
            raise ActionError("已撤回的问题不能上传材料")
        stored = files.store(name, data)
        evidence = Evidence.objects.create(
            problem=problem,
            kind=kind,
            name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        _advance(problem)
        _save(
            problem,
            actor,
            "evidence.add",
            f"上传{kind}“{stored.name}”",
            after={"sha256": stored.sha256, "size": stored.size},
        )
        return evidence


def start_rectification(problem: Problem, *, actor, version=None) -> Problem:
    with transaction.atomic():
        problem = _locked(problem, version)
        _not_hand_down(problem)
        require(actor, "records.manage", problem.org)
        _refuse_unless("start", problem)
        before = problem.state
        problem.state = State.IN_PROGRESS
        return _save(problem, actor, "problem.start", "开始整改", {"state": before}, {"state": problem.state})


def submit_for_acceptance(problem: Problem, *, actor, version=None) -> Problem:
    with transaction.atomic():
        problem = _locked(problem, version)
        _not_hand_down(problem)
        require(actor, "records.manage", problem.org)
        _refuse_unless("submit", problem)
        before = problem.state
        problem.state = State.SUBMITTED
        return _save(problem, actor, "problem.submit", "提交验收", {"state": before}, {"state": problem.state})


CHANGE_MAX = 150


def change_problem(change: str) -> str | None:
    """The closing sentence "工作中发生了什么变化": required, one sentence, at most CHANGE_MAX characters."""
    if not change:
        return "销号时请用一句话写明整改后工作中发生了什么变化（如“窗口办件时间由5天缩短到2天”）"
    if len(change) > CHANGE_MAX:
        return f"“工作中发生了什么变化”请用一句话写明，最多 {CHANGE_MAX} 字，实际 {len(change)} 字"
    if any(mark in change.rstrip("。！!？?") for mark in "。！!？?\n"):
        return "“工作中发生了什么变化”请只写一句话"
    return None


def close_problem(problem: Problem, *, actor, as_of: dt.date, change: str, comment: str = "", version=None) -> Problem:
    """销号: only by a reviewer of a higher level; 专项整治 also needs its plan document. `change` says in
    one sentence what changed in the work (shown on the public page)."""
    with transaction.atomic():
        problem = _locked(problem, version)
        _not_hand_down(problem)
        require_reviewer(actor, problem)
        _refuse_unless("close", problem)
        change = (change or "").strip()
        if message := change_problem(change):
            raise ActionError(message, field="change")
        problem.state, problem.closed_on, problem.change_note = State.CLOSED, as_of, change
        recheck = _schedule_recheck(problem, as_of)
        suggest_self_checks(problem, actor=actor, as_of=as_of, trigger="已销号")
        return _save(
            problem,
            actor,
            "problem.close",
            "验收销号" + (f"（{comment}）" if comment else "") + f"：{change}，{recheck.due_on.isoformat()}前回头看",
            {"state": State.SUBMITTED},
            {"state": State.CLOSED, "comment": comment, "change": change, "recheck_due": recheck.due_on.isoformat()},
        )


# ------------------------------------------------------------------ 举一反三 (对照检视)


def suggest_self_checks(problem: Problem, *, actor, as_of: dt.date, trigger: str) -> list[SelfCheck]:
    """Suggest 对照检视 to the units selfcheck.candidates() finds (same sector, kind and level in the same
    campaign, nothing similar on their lists; at most MAX_FAN_OUT, never twice for one unit and problem).
    Runs inside the recording or closing action's transaction, and records one event for the lot."""
    from . import selfcheck

    with transaction.atomic():
        orgs = selfcheck.candidates(problem, as_of)
        if not orgs:
            return []
        checks = SelfCheck.objects.bulk_create(
            [SelfCheck(source=problem, org=o, suggested_on=as_of, trigger=trigger) for o in orgs], ignore_conflicts=True
        )
        names = "、".join(o.name for o in orgs[:5]) + (f"等{len(orgs)}个单位" if len(orgs) > 5 else "")
        derived.refresh(orgs)  # the suggestions count at each suggested unit
        events.record(
            actor,
            "problem.self_check.suggest",
            problem,
            org=problem.org,
            summary=f"{problem.org.name} 问题 {problem.number}（{trigger}）：提示{names}举一反三、对照检视",
            after={"trigger": trigger, "orgs": [o.code for o in orgs]},
        )
        return checks


def answer_self_check(
    check: SelfCheck,
    *,
    actor,
    exists: bool,
    note: str = "",
    as_of: dt.date,
    description: str = "",
    deadline: dt.date | None = None,
) -> SelfCheck:
    """The suggested unit (or an office above it) answers 已对照，存在 — its own problem, sourced 集体查 (it
    found it itself by comparison), is created through the same insert as create_problem and linked to
    the suggestion — or 已对照，不存在, with a note of what was compared (required)."""
    with transaction.atomic():
        check = SelfCheck.objects.select_for_update(of=("self",)).select_related("org", "source__org").get(pk=check.pk)
        require(actor, "records.manage", check.org)
        if check.answer != SelfCheck.Answer.OPEN:
            raise ActionError(f"该对照检视已于{check.answered_on}答复为“{check.get_answer_display()}”，不能重复答复")
        note = (note or "").strip()
        source = check.source
        if exists:
            text = (description or "").strip() or source.description
            check.found_problem = _insert_problem(
                actor=actor,
                org=check.org,
                description=text,
                source="集体查",
                found_on=as_of,
                category=source.category,
                deadline=deadline,
                reason=f"举一反三：对照{source.org.name}问题{source.number}查摆",
            )
            check.answer = SelfCheck.Answer.EXISTS
        else:
            if not note:
                raise ActionError("答复“已对照，不存在”时请写明对照检视了哪些方面", field="note")
            check.answer = SelfCheck.Answer.ABSENT
        check.note, check.answered_on = note[:500], as_of
        check.answered_by = actor if getattr(actor, "pk", None) else None
        check.save()
        number = check.found_problem.number if check.found_problem is not None else None
        found = f"，新增问题 {number}" if number else ""
        derived.refresh([check.org])
        events.record(
            actor,
            "problem.self_check.answer",
            check,
            org=check.org,
            summary=f"{check.org.name} 对照{source.org.name}问题{source.number}：{check.get_answer_display()}{found}",
            after={"answer": check.answer, "note": check.note, "problem": number},
        )
        return check


def recheck_days(problem: Problem, as_of: dt.date) -> int:
    """回头看: the campaign file's [rectification] recheck_days for the problem's org (60 if none)."""
    from tuijin.campaigns.queries import current_campaign

    campaign = current_campaign(problem.org, as_of)
    return campaign.recheck_days if campaign else 60


def _schedule_recheck(problem: Problem, as_of: dt.date) -> Recheck:
    _settle_rechecks(problem, as_of, Recheck.Result.REOPENED, "")  # none should be pending; never two at once
    return Recheck.objects.create(
        problem=problem, scheduled_on=as_of, due_on=as_of + dt.timedelta(days=recheck_days(problem, as_of))
    )


def _settle_rechecks(problem: Problem, as_of: dt.date, result: str, note: str, actor=None) -> int:
    return Recheck.objects.filter(problem=problem, result=Recheck.Result.PENDING).update(
        result=result, done_on=as_of, note=note[:500], done_by=actor if getattr(actor, "pk", None) else None
    )


def recheck_problem(problem: Problem, *, actor, as_of: dt.date, confirm: bool, note: str = "", version=None) -> Recheck:
    """回头看 by the reviewing level: confirm the closed problem stayed fixed, or reopen it (已反弹)
    with what was found. Only a reviewer of a higher level; only a closed problem with a re-check due."""
    with transaction.atomic():
        problem = _locked(problem, version)
        require_reviewer(actor, problem)
        recheck = Recheck.objects.select_for_update().filter(problem=problem, result=Recheck.Result.PENDING).first()
        if recheck is None or problem.state != State.CLOSED:
            raise ActionError("该问题没有待开展的回头看（只有已销号的问题安排回头看）")
        note = note.strip()
        if not confirm and not note:
            raise ActionError("回头看发现问题反弹，请写明发现的情况", field="note")
        recheck.result = Recheck.Result.CONFIRMED if confirm else Recheck.Result.REOPENED
        recheck.done_on, recheck.note = as_of, note[:500]
        recheck.done_by = actor if getattr(actor, "pk", None) else None
        recheck.save()
        late = f"（超过时限{(as_of - recheck.due_on).days}天）" if as_of > recheck.due_on else ""
        if confirm:
            _save(
                problem,
                actor,
                "problem.recheck",
                f"回头看：整改成果巩固，未反弹{late}" + (f"（{note}）" if note else ""),
                after={"result": recheck.result, "due_on": recheck.due_on.isoformat(), "note": note},
            )
        else:
            problem.state, problem.closed_on = State.RELAPSED, None
            problem.relapses += 1
            _save(
                problem,
                actor,
                "problem.recheck",
                f"回头看发现问题反弹，重新打开{late}（{note}）",
                {"state": State.CLOSED},
                {"state": State.RELAPSED, "result": recheck.result, "note": note},
            )
        return recheck


def send_back(problem: Problem, *, actor, reason: str, version=None) -> Problem:
    with transaction.atomic():
        problem = _locked(problem, version)
        _not_hand_down(problem)
        require_reviewer(actor, problem)
        if not reason.strip():
            raise ActionError("退回必须写明原因", field="reason")
        _refuse_unless("send_back", problem)
        problem.state = State.IN_PROGRESS
        return _save(
            problem,
            actor,
            "problem.send_back",
            f"退回整改（{reason.strip()}）",
            {"state": State.SUBMITTED},
            {"state": State.IN_PROGRESS, "reason": reason},
        )


def reopen_problem(problem: Problem, *, actor, reason: str, version=None) -> Problem:
    """已反弹: a closed problem came back; the reason is kept."""
    with transaction.atomic():
        problem = _locked(problem, version)
        _not_hand_down(problem)
        require_reviewer(actor, problem)
        if not reason.strip():
            raise ActionError("重新打开必须写明原因", field="reason")
        _refuse_unless("reopen", problem)
        _settle_rechecks(problem, today(), Recheck.Result.REOPENED, f"问题已重新打开：{reason.strip()}", actor)
        problem.state, problem.closed_on = State.RELAPSED, None
        problem.relapses += 1
        return _save(
            problem,
            actor,
            "problem.reopen",
            f"问题反弹，重新打开（{reason.strip()}）",
            {"state": State.CLOSED},
            {"state": State.RELAPSED, "reason": reason},
        )


def escalate(problem: Problem, *, actor, to: Org, reason: str, version=None) -> Problem:
    """上下贯通: a problem beyond the unit's powers goes to a higher level, which owns it from then on;
    the unit keeps seeing its progress (origin_org)."""
    with transaction.atomic():
        problem = _locked(problem, version)
        _not_hand_down(problem)
        require(actor, "records.manage", problem.org)
        to = Org.objects.get(pk=to.pk)
        if not problem.org.path.startswith(to.path) or to.pk == problem.org_id:
            raise ActionError("只能提交给本单位的上级组织", field="to")
        if not reason.strip():
            raise ActionError("请说明为什么本单位解决不了", field="reason")
        if problem.state == State.CLOSED or problem.withdrawn:
            raise ActionError("已销号或已撤回的问题不能上报")
        origin = problem.org
        number = problem.number
        if Problem.objects.filter(org=to, number=number).exists():
            number = f"{origin.code}-{number}"
        problem.origin_org = problem.origin_org or origin
        problem.org, problem.number, problem.state = to, number, State.OPEN
        problem.save()
        return _save(
            problem,
            actor,
            "problem.escalate",
            f"由{origin.name}提交{to.name}解决（{reason.strip()}）",
            {"org": origin.code},
            {"org": to.code, "reason": reason},
            also=[origin],
        )


def hand_down(
    *,
    actor,
    org: Org,
    targets,
    description: str,
    deadline: dt.date | None,
    found_on: dt.date,
    category: str = "其他",
    number: str = "",
    measures=(),
) -> Problem:
    """上级交办 / 同题共答: one problem issued to many orgs; each gets its own child item."""
    with transaction.atomic():
        require(actor, "records.manage", org)
        targets = list(targets)
        if not targets:
            raise ActionError("请选择至少一个下级组织", field="targets")
        for target in targets:
            if not target.path.startswith(org.path) or target.pk == org.pk:
                raise ActionError(f"“{target.name}”不是{org.name}的下级组织", field="targets")
            require(actor, "records.manage", target)
        parent = create_problem(
            actor=actor,
            org=org,
            description=description,
            source="上级交办",
            found_on=found_on,
            number=number,
            category=category,
            deadline=deadline,
            reason=f"交办给 {len(targets)} 个单位",
        )
        Problem.objects.filter(pk=parent.pk).update(is_hand_down=True)
        parent.is_hand_down = True
        for target in targets:
            child_number = (
                parent.number
                if not Problem.objects.filter(org=target, number=parent.number).exists()
                else f"{org.code}-{parent.number}"
            )
            create_problem(
                actor=actor,
                org=target,
                description=description,
                source="上级交办",
                found_on=found_on,
                number=child_number,
                category=category,
                deadline=deadline,
                measures=measures,
                parent=parent,
                reason=f"{org.name}交办",
            )
        return parent


def create_institution_rule(
    *, actor, org: Org, title: str, issued_on: dt.date, doc_number: str = "", problems=()
) -> InstitutionRule:
    with transaction.atomic():
        require(actor, "records.manage", org)
        if not title.strip():
            raise ActionError("制度名称不能为空", field="title")
        problems = list(problems)
        for p in problems:
            if not p.org.path.startswith(org.path):
                raise ActionError(f"问题 {p.number} 不属于{org.name}或其下级", field="problems")
        rule = InstitutionRule.objects.create(
            org=org, title=title.strip(), doc_number=doc_number.strip(), issued_on=issued_on
        )
        rule.problems.set(problems)
        derived.refresh([org, *(p.org for p in problems)])  # 建章立制: the rule's org, and its problems' (ruled)
        events.record(
            actor,
            "rule.create",
            rule,
            org=org,
            summary=f"{org.name} 建章立制《{rule.title}》",
            after={"problems": [p.number for p in problems]},
        )
        return rule


# ------------------------------------------------------------------ 群众评


def publish(problem: Problem, *, actor, title: str = "", summary: str = "") -> PublicItem:
    with transaction.atomic():
        problem = _locked(problem)
        if not (can_rectify(actor, problem) or can_review(actor, problem)):
            raise PermissionDenied("没有权限公示该问题")
        if problem.state not in (State.SUBMITTED, State.CLOSED) or problem.withdrawn:
            raise ActionError("整改完成（待验收或已销号）后才能公示，请群众评价")
        item = _open_item(
            PublicItem.objects.filter(problem=problem).first(),
            title=title,
            summary=summary,
            new_title=problem.description[:60],
            problem=problem,
        )
        derived.refresh([problem.org])
        events.record(
            actor,
            "problem.publish",
            problem,
            org=problem.org,
            summary=f"{problem.org.name} 问题 {problem.number} 公示，接受群众评价",
            after={"token": item.token},
        )
        return item


def _open_item(item: PublicItem | None, *, title: str, summary: str, new_title: str, **subject) -> PublicItem:
    """The first publication creates the item (with a token for its link and QR code); a later one
    opens it again, keeping its votes, with the title and result given (the old ones if blank)."""
    if item is None:
        return PublicItem.objects.create(
            token=secrets.token_urlsafe(12), title=title or new_title, summary=summary, **subject
        )
    item.active, item.title, item.summary = True, title or item.title, summary or item.summary
    item.save()
    return item


def publish_subject(item: PublicItem | None, *, org: Org, title: str, summary: str, new_title: str) -> PublicItem:
    """群众评 of a subject a higher app owns (research's 办实事 project): that app's action checks who may
    publish, links the item to its record, refreshes the counters and records the event, in its
    transaction; here the item is created for `org` or opened again (`item`: its earlier one)."""
    return _open_item(item, title=title, summary=summary, new_title=new_title, subject_org=org)


class RateLimited(ActionError):
    pass


def _address_caps() -> tuple[int, int]:
    """(votes per address per item, votes per address per hour): settings TUIJIN_VOTES_PER_ADDRESS[_HOUR].
    High enough for a village office or a company behind one NAT address, low enough that one
    client changing its cookie cannot decide an item's score."""
    from django.conf import settings

    return settings.TUIJIN_VOTES_PER_ADDRESS, settings.TUIJIN_VOTES_PER_ADDRESS_HOUR


def _digest(value: str) -> str:
    from django.conf import settings

    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def has_rated(item: PublicItem, device: str) -> bool:
    """Whether this device (its cookie) has already rated the item: the page says so before the form."""
    return bool(device) and Rating.objects.filter(item=item, device=_digest(device)).exists()


def rate(item: PublicItem, *, choice: str, comment: str, device: str, ip: str, now=None) -> Rating:
    """One vote per device per item, and a cap per network address, so one source cannot flood the score."""
    now = now or timezone.now()
    if choice not in Rating.Choice.values:
        raise ActionError("请选择 满意、基本满意 或 不满意", field="choice")
    if not device:
        raise ActionError("无法识别设备，请允许浏览器保存 Cookie 后再评价")
    device_hash, ip_hash = _digest(device), _digest(ip or "")
    per_item, per_hour = _address_caps()
    with transaction.atomic():
        item = PublicItem.objects.select_for_update().get(pk=item.pk)
        if not item.active:
            raise ActionError("该事项已停止评价")
        if Rating.objects.filter(item=item, device=device_hash).exists():
            raise ActionError("您已经评价过这一事项，谢谢参与", field="device")
        limited = (
            Rating.objects.filter(item=item, ip_hash=ip_hash).count() >= per_item
            or Rating.objects.filter(ip_hash=ip_hash, created_at__gte=now - dt.timedelta(hours=1)).count() >= per_hour
        )
        if limited:
            # Counted and committed (the refusal is raised after the transaction), so the office sees
            # how many votes the cap turned away.
            PublicItem.objects.filter(pk=item.pk).update(refused=F("refused") + 1)
            rating = None
        else:
            try:
                with transaction.atomic():
                    rating = Rating.objects.create(
                        item=item, choice=choice, comment=comment.strip()[:500], device=device_hash, ip_hash=ip_hash
                    )
            except IntegrityError:
                raise ActionError("您已经评价过这一事项，谢谢参与", field="device") from None
            PublicItem.objects.filter(pk=item.pk).update(
                votes=F("votes") + 1, satisfied=F("satisfied") + (1 if choice in SATISFIED else 0)
            )
            derived.refresh([item.org])
            events.record(
                None, "public.rate", item, org=item.org, summary=f"群众评价“{item.title[:30]}”：{choice}", label="群众"
            )
    if rating is None:
        raise RateLimited("同一网络的评价次数已达上限，请稍后再试")
    return rating

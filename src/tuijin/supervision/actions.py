"""Every change in supervision (SPEC §2.7). Each action checks the actor may do it, runs in one
transaction and writes a domain event; views, API, the CLI and the demo all call these.

Who supervises an org: a guidance group assigned to it or to an ancestor, or an office strictly above
it — the same reviewers of a higher level as for problems (rectification.actions.reviewer_grants).
The org itself answers letters (records.manage over its own org).
"""

from __future__ import annotations

import datetime as dt
import random

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F

from tuijin.core import derived, events, files
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.permissions import require
from tuijin.evaluation.briefing import cn_date, short_name
from tuijin.orgs.models import GuidanceGroup, Org, RoleGrant, User
from tuijin.rectification import actions as rectification
from tuijin.rectification.actions import reviewer_grants

from . import letters as letter_text
from . import sampling
from .models import (
    CHECK_RESULTS,
    INSPECTION_KINDS,
    LADDER,
    Accountability,
    EscalationDecision,
    GroupAssignment,
    GroupLeader,
    Inspection,
    InspectionFinding,
    Interview,
    LetterCounter,
    LetterEvidence,
    LetterState,
    ReminderLetter,
    Sample,
    SampleCheck,
)

# ------------------------------------------------------------------ who may do what


def supervisor_grant(actor, org: Org):
    """The grant through which `actor` supervises `org` (a guidance group first), or None."""
    grants = reviewer_grants(actor, org)
    if not grants:
        return None
    if actor is None:
        return "命令行"
    return sorted(grants, key=lambda g: g.role != "guidance")[0]


def can_supervise(actor, org: Org) -> bool:
    return supervisor_grant(actor, org) is not None


def require_supervisor(actor, org: Org) -> None:
    if not can_supervise(actor, org):
        raise PermissionDenied(f"只有联系“{org.name}”的指导组或上级办公室可以办理")


def issuer_of(grant) -> str:
    """The issuing body a letter is numbered under: the group, or the office's 主题教育办."""
    if grant == "命令行" or grant is None:
        return "主题教育领导小组办公室"
    if grant.role == "guidance":
        return grant.group.name
    return f"{short_name(grant.org)}主题教育领导小组办公室"


def _group_of(grant):
    return grant.group if getattr(grant, "role", None) == "guidance" else None


def _locked_letter(letter: ReminderLetter, version=None) -> ReminderLetter:
    fresh = ReminderLetter.objects.select_for_update(of=("self",)).select_related("org", "group").get(pk=letter.pk)
    if version is not None and int(version) != fresh.version:
        raise StaleEdit()
    return fresh


def _save_letter(letter, actor, verb, summary, **extra) -> ReminderLetter:
    letter.version += 1
    letter.save()
    if letter.state != LetterState.DRAFT:  # a draft counts nowhere: only sent letters (not withdrawn) do
        derived.refresh([letter.org])
    events.record(
        actor,
        verb,
        letter,
        org=letter.org,
        summary=f"{letter.org.name} 提示函：{summary}",
        after={"state": letter.state, "number": letter.number, **extra},
    )
    return letter


# ------------------------------------------------------------------ guidance groups


def _require_office_over(actor, orgs) -> None:
    for org in orgs:
        require(actor, "org.manage", org)


def assign_orgs(group: GuidanceGroup, orgs, *, actor, on: dt.date) -> GuidanceGroup:
    """Set the orgs a group is assigned from `on`; the periods before stay on record. The office must
    manage every org added or removed."""
    orgs = list(orgs)
    with transaction.atomic():
        current = set(group.orgs.all())
        wanted = set(orgs)
        _require_office_over(actor, (current ^ wanted) or wanted)
        removed, added = current - wanted, wanted - current
        GroupAssignment.objects.filter(group=group, org__in=removed, end__isnull=True).update(end=on)
        for org in sorted(added, key=lambda o: o.path):
            GroupAssignment.objects.create(group=group, org=org, start=on)
        group.orgs.set(orgs)
        events.record(
            actor,
            "group.assign",
            group,
            summary=f"{group.name} 联系单位调整："
            + "，".join(
                filter(
                    None,
                    [
                        f"新增 {'、'.join(o.name for o in added)}" if added else "",
                        f"不再联系 {'、'.join(o.name for o in removed)}" if removed else "",
                    ],
                )
            )
            or f"{group.name} 联系单位未变",
            after={"orgs": sorted(o.code for o in orgs), "on": on.isoformat()},
        )
        return group


def create_group(*, actor, code: str, name: str, orgs, on: dt.date) -> GuidanceGroup:
    """A new group (orgs.actions.create_guidance_group) with its assignment history started."""
    from tuijin.orgs.actions import create_guidance_group

    with transaction.atomic():
        orgs = list(orgs)
        if not orgs:
            raise ActionError("请至少选择一个联系单位", field="orgs")
        if GuidanceGroup.objects.filter(code=code.strip()).exists():
            raise ActionError(f"指导组编号“{code}”已存在", field="code")
        group = create_guidance_group(actor=actor, code=code.strip(), name=name.strip(), orgs=orgs)
        for org in orgs:
            GroupAssignment.objects.create(group=group, org=org, start=on)
        return group


def set_leader(group: GuidanceGroup, user: User, *, actor) -> GroupLeader:
    """The leader is chosen among the accounts granted to the group (grants are the security
    administrator's, 三员分立); the office over the group's orgs chooses."""
    with transaction.atomic():
        _require_office_over(actor, group.orgs.all())
        if not RoleGrant.objects.filter(user=user, role="guidance", group=group).exists():
            raise ActionError(
                f"账号“{user.username}”不是{group.name}的成员，请先由安全管理员授予指导组角色", field="user"
            )
        leader, _ = GroupLeader.objects.update_or_create(group=group, defaults={"user": user})
        events.record(
            actor,
            "group.leader",
            group,
            summary=f"{group.name} 组长设为 {user.display_name}",
            after={"leader": user.username},
        )
        return leader


def members(group: GuidanceGroup) -> list[User]:
    return list(User.objects.filter(grants__role="guidance", grants__group=group).distinct().order_by("username"))


# ------------------------------------------------------------------ reminder letters


def draft_letter(
    org: Org, *, actor, as_of: dt.date, feedback_days: int = letter_text.FEEDBACK_DAYS, issuer: str | None = None
) -> ReminderLetter:
    grant = supervisor_grant(actor, org)
    if grant is None:
        raise PermissionDenied(f"只有联系“{org.name}”的指导组或上级办公室可以起草提示函")
    issuer = issuer or issuer_of(grant)
    d = letter_text.draft(org, as_of, issuer=issuer, feedback_days=feedback_days)
    if d is None:
        raise ActionError(f"截至{cn_date(as_of)}，{org.name}各项指标均未滞后于时间进度，无需发提示函")
    with transaction.atomic():
        letter = ReminderLetter.objects.create(
            org=org,
            group=_group_of(grant),
            issuer=issuer,
            title=d.title,
            body=d.body,
            basis=[f.as_dict() for f in d.findings],
            drafted_on=as_of,
            feedback_due=d.feedback_due,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        events.record(
            actor,
            "letter.draft",
            letter,
            org=org,
            summary=f"{org.name} 提示函：起草《{d.title}》",
            after={"findings": [f.code for f in d.findings]},
        )
        return letter


def edit_letter(
    letter: ReminderLetter, *, actor, title: str, body: str, feedback_due: dt.date | None = None, version=None
) -> ReminderLetter:
    require_supervisor(actor, letter.org)
    with transaction.atomic():
        letter = _locked_letter(letter, version)
        if letter.state != LetterState.DRAFT:
            raise ActionError("提示函已发出，不能再修改正文")
        if not title.strip():
            raise ActionError("标题不能为空", field="title")
        if not body.strip():
            raise ActionError("正文不能为空", field="body")
        letter.title, letter.body = title.strip()[:200], body.strip()
        if feedback_due:
            letter.feedback_due = feedback_due
        return _save_letter(letter, actor, "letter.edit", "修改草稿")


def _next_seq(issuer: str, year: int) -> int:
    """The next number for the issuer and year. The UPDATE locks the counter row (PostgreSQL) or the
    database (SQLite) until the sending transaction ends, so no two sends get the same number; the
    counter only goes up, so a withdrawn letter's number is never given again."""
    if not LetterCounter.objects.filter(issuer=issuer, year=year).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                LetterCounter.objects.create(issuer=issuer, year=year, last=1)
                return 1
        except IntegrityError:  # another send created it first: take the next one after it
            LetterCounter.objects.filter(issuer=issuer, year=year).update(last=F("last") + 1)
    return LetterCounter.objects.get(issuer=issuer, year=year).last


def number_text(issuer: str, year: int, seq: int) -> str:
    return f"{issuer}提示〔{year}〕{seq}号"


def send_letter(
    letter: ReminderLetter, *, actor, on: dt.date, feedback_due: dt.date | None = None, version=None
) -> ReminderLetter:
    require_supervisor(actor, letter.org)
    issuer = letter.issuer
    with transaction.atomic():
        seq = _next_seq(issuer, on.year)  # first write of the transaction: takes the lock at once
        letter = _locked_letter(letter, version)
        if letter.state != LetterState.DRAFT:
            raise ActionError(f"提示函已是“{letter.state}”状态，不能再次发送")
        due = feedback_due or letter.feedback_due
        if due is None or due <= on:
            raise ActionError("反馈时限应晚于发送日期", field="feedback_due")
        letter.year, letter.seq, letter.number = on.year, seq, number_text(issuer, on.year, seq)
        letter.state, letter.sent_on, letter.feedback_due = LetterState.SENT, on, due
        return _save_letter(
            letter, actor, "letter.send", f"发出 {letter.number}，{cn_date(due)}前反馈", feedback_due=due.isoformat()
        )


def withdraw_letter(letter: ReminderLetter, *, actor, reason: str, version=None) -> ReminderLetter:
    require_supervisor(actor, letter.org)
    with transaction.atomic():
        letter = _locked_letter(letter, version)
        if letter.state in (LetterState.ACCEPTED, LetterState.WITHDRAWN):
            raise ActionError(f"提示函已“{letter.state}”，不能撤回")
        if not reason.strip():
            raise ActionError("请填写撤回原因", field="reason")
        letter.state = LetterState.WITHDRAWN
        letter.review_comment = reason.strip()
        return _save_letter(letter, actor, "letter.withdraw", f"撤回（{reason.strip()}），文号不再使用")


def answer_letter(
    letter: ReminderLetter, *, actor, answer: str, on: dt.date, attachments=(), version=None
) -> ReminderLetter:
    """The receiving org's feedback, with evidence files ([(name, bytes)])."""
    require(actor, "records.manage", letter.org)
    with transaction.atomic():
        letter = _locked_letter(letter, version)
        if letter.state != LetterState.SENT:
            raise ActionError("该提示函当前不需要反馈" if letter.state != LetterState.ANSWERED else "已反馈，等待审核")
        if not answer.strip():
            raise ActionError("请填写整改落实情况", field="answer")
        for name, data in attachments:
            stored = files.store(name, data)
            LetterEvidence.objects.create(
                letter=letter,
                name=stored.name,
                sha256=stored.sha256,
                storage_name=stored.storage_name,
                content_type=stored.content_type,
                size=stored.size,
            )
        letter.answer, letter.answered_on = answer.strip(), on
        letter.rounds += 1
        letter.state = LetterState.ANSWERED
        return _save_letter(
            letter, actor, "letter.answer", f"{letter.number} 已反馈（第{letter.rounds}次）", files=len(attachments)
        )


def review_answer(
    letter: ReminderLetter,
    *,
    actor,
    accept: bool,
    comment: str,
    on: dt.date,
    feedback_due: dt.date | None = None,
    version=None,
) -> ReminderLetter:
    """The sender accepts the feedback (已办结) or asks again with a new deadline (back to 待反馈)."""
    require_supervisor(actor, letter.org)
    with transaction.atomic():
        letter = _locked_letter(letter, version)
        if letter.state != LetterState.ANSWERED:
            raise ActionError("只有已反馈的提示函可以审核")
        letter.review_comment = comment.strip()
        if accept:
            letter.state, letter.closed_on = LetterState.ACCEPTED, on
            return _save_letter(letter, actor, "letter.accept", f"{letter.number} 反馈通过，办结")
        if not comment.strip():
            raise ActionError("退回重报请写明原因", field="comment")
        due = feedback_due or on + dt.timedelta(days=letter_text.FEEDBACK_DAYS)
        if due <= on:
            raise ActionError("新的反馈时限应晚于今天", field="feedback_due")
        letter.state, letter.feedback_due = LetterState.SENT, due
        return _save_letter(
            letter,
            actor,
            "letter.return",
            f"{letter.number} 退回重报（{comment.strip()}），{cn_date(due)}前再次反馈",
            feedback_due=due.isoformat(),
        )


# ------------------------------------------------------------------ inspections


def record_inspection(org: Org, *, actor, kind: str, on: dt.date, inspectors: str, findings=()) -> Inspection:
    """An inspection and what it found, one finding a line (turned into problems one by one)."""
    grant = supervisor_grant(actor, org)
    if grant is None:
        raise PermissionDenied(f"只有联系“{org.name}”的指导组或上级办公室可以记录督导检查")
    if kind not in INSPECTION_KINDS:
        raise ActionError(f"督导方式应为以下之一：{'、'.join(INSPECTION_KINDS)}", field="kind")
    if not inspectors.strip():
        raise ActionError("请填写督导人员", field="inspectors")
    items = [f.strip() for f in findings if f and f.strip()]
    with transaction.atomic():
        inspection = Inspection.objects.create(
            org=org,
            group=_group_of(grant),
            kind=kind,
            on=on,
            inspectors=inspectors.strip()[:200],
            findings="\n".join(items),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        for text in items:
            InspectionFinding.objects.create(inspection=inspection, text=text)
        events.record(
            actor,
            "inspection.create",
            inspection,
            org=org,
            summary=f"{org.name} 督导检查（{kind}，{on}），发现问题 {len(items)} 条",
        )
        return inspection


def finding_to_problem(finding: InspectionFinding, *, actor, deadline: dt.date | None = None, category: str = "其他"):
    """The finding becomes a problem sourced 上级查 in the inspected org's list, in one step."""
    org = finding.inspection.org
    require_supervisor(actor, org)
    with transaction.atomic():
        finding = InspectionFinding.objects.select_for_update().get(pk=finding.pk)
        if finding.problem_id:
            raise ActionError("该发现已转为问题")
        problem = rectification.add_found_by_upper_level(
            actor=actor,
            org=org,
            description=finding.text,
            found_on=finding.inspection.on,
            category=category,
            deadline=deadline,
            reason=f"督导检查（{finding.inspection.kind}）发现",
        )
        finding.problem = problem
        finding.save(update_fields=["problem"])
        return problem


# ------------------------------------------------------------------ random sampling


def draw_sample(org: Org, *, actor, kind: str, size: int, as_of: dt.date, seed: str | None = None) -> Sample:
    grant = supervisor_grant(actor, org)
    if grant is None:
        raise PermissionDenied(f"只有联系“{org.name}”的指导组或上级办公室可以抽查")
    from .models import SAMPLE_KINDS

    if kind not in SAMPLE_KINDS:
        raise ActionError(f"抽查记录类型应为：{'、'.join(SAMPLE_KINDS.values())}", field="kind")
    if not 1 <= int(size) <= 200:
        raise ActionError("样本量应在 1 到 200 之间", field="size")
    ids = sampling.population(org, kind, as_of)
    if not ids:
        raise ActionError(f"{org.name}截至{cn_date(as_of)}没有可抽查的{SAMPLE_KINDS[kind]}记录", field="kind")
    seed = (seed or "").strip() or f"{random.SystemRandom().randrange(10**12):012d}"
    drawn = sampling.draw(ids, seed, int(size))
    with transaction.atomic():
        sample = Sample.objects.create(
            org=org,
            group=_group_of(grant),
            kind=kind,
            as_of=as_of,
            seed=seed,
            size=int(size),
            population=len(ids),
            drawn=drawn,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        events.record(
            actor,
            "sample.draw",
            sample,
            org=org,
            summary=f"{org.name} 随机抽查{SAMPLE_KINDS[kind]}：从{len(ids)}条中抽取{len(drawn)}条（种子 {seed}）",
            after={"seed": seed, "size": int(size), "population": len(ids), "drawn": drawn},
        )
        return sample


def record_check(sample: Sample, *, actor, record_id: int, result: str, note: str, on: dt.date) -> SampleCheck:
    """The result of checking one drawn record on site. Once recorded it is not overwritten: a record
    found 不属实 is corrected by `resolve_check`, which keeps both."""
    require_supervisor(actor, sample.org)
    if int(record_id) not in sample.drawn:
        raise ActionError("该记录不在本次抽中的样本里", field="record_id")
    if result not in CHECK_RESULTS:
        raise ActionError(f"核查结果应为：{'、'.join(CHECK_RESULTS)}", field="result")
    if result != "属实" and not note.strip():
        raise ActionError("核查结果不是“属实”时请写明情况", field="note")
    with transaction.atomic():
        if SampleCheck.objects.filter(sample=sample, record_id=record_id).exists():
            raise ActionError("该记录已核查，结果不能改写")
        check = SampleCheck.objects.create(
            sample=sample, record_id=int(record_id), result=result, note=note.strip(), checked_on=on
        )
        # The check counts at the sample's org; a record found 不属实 stops counting at its own.
        derived.refresh([sample.org, *(_recount(sample.kind, int(record_id)) if result == "不属实" else [])])
        events.record(
            actor,
            "sample.check",
            check,
            org=sample.org,
            summary=f"{sample.org.name} 抽查记录 {record_id}：{result}",
            after={"note": note.strip()},
        )
        return check


def resolve_check(check: SampleCheck, *, actor, resolution: str, on: dt.date) -> SampleCheck:
    """The unit corrected the record found 不属实 and the group confirms: it counts again."""
    require_supervisor(actor, check.sample.org)
    with transaction.atomic():
        check = SampleCheck.objects.select_for_update(of=("self",)).select_related("sample__org").get(pk=check.pk)
        if check.result != "不属实" or check.resolved_on:
            raise ActionError("只有未纠正的“不属实”记录需要确认纠正")
        if not resolution.strip():
            raise ActionError("请写明纠正情况", field="resolution")
        check.resolved_on, check.resolution = on, resolution.strip()
        check.save()
        derived.refresh([check.sample.org, *_recount(check.sample.kind, check.record_id)])  # it counts again
        events.record(
            actor,
            "sample.resolve",
            check,
            org=check.sample.org,
            summary=f"{check.sample.org.name} 抽查记录 {check.record_id} 已纠正，恢复计入",
        )
        return check


def _recount(kind: str, record_id: int) -> list:
    """A drawn record stopped or started counting: the orgs whose counters follow (its own org; for a
    study session, its attendees' too, whose reading coverage, the derived table, is rebuilt here)."""
    if kind == "study_session":
        from tuijin.study.actions import recount_sessions

        return recount_sessions([record_id])
    return [sampling.record_org(kind, record_id)]


# ------------------------------------------------------------------ interviews, accountability, escalation


def _links(org, letters, problems):
    from tuijin.core.scope import subtree_q
    from tuijin.rectification.models import Problem

    letters = list(ReminderLetter.objects.filter(pk__in=[getattr(x, "pk", x) for x in letters], org=org))
    problems = list(
        Problem.objects.filter(subtree_q("org__path", org.path), pk__in=[getattr(x, "pk", x) for x in problems])
    )
    return letters, problems


def record_interview(
    org: Org, *, actor, on: dt.date, by: str, whom: str, reason: str, outcome: str = "", letters=(), problems=()
) -> Interview:
    grant = supervisor_grant(actor, org)
    if grant is None:
        raise PermissionDenied(f"只有联系“{org.name}”的指导组或上级办公室可以记录约谈")
    for name, value, label in (("by", by, "约谈人"), ("whom", whom, "被约谈人"), ("reason", reason, "约谈事由")):
        if not value.strip():
            raise ActionError(f"请填写{label}", field=name)
    with transaction.atomic():
        interview = Interview.objects.create(
            org=org,
            group=_group_of(grant),
            on=on,
            by=by.strip(),
            whom=whom.strip(),
            reason=reason.strip(),
            outcome=outcome.strip(),
        )
        letters, problems = _links(org, letters, problems)
        interview.letters.set(letters)
        interview.problems.set(problems)
        derived.refresh([org])
        events.record(
            actor,
            "interview.create",
            interview,
            org=org,
            summary=f"{org.name} 约谈 {whom.strip()}",
            after={"letters": [x.number for x in letters], "problems": [p.number for p in problems]},
        )
        return interview


def record_accountability(
    org: Org, *, actor, on: dt.date, whom: str, measure: str, reason: str, decided_by: str, letters=(), problems=()
) -> Accountability:
    require_supervisor(actor, org)
    for name, value, label in (
        ("whom", whom, "问责对象"),
        ("measure", measure, "问责方式"),
        ("reason", reason, "问责事由"),
        ("decided_by", decided_by, "决定机关"),
    ):
        if not value.strip():
            raise ActionError(f"请填写{label}", field=name)
    with transaction.atomic():
        record = Accountability.objects.create(
            org=org,
            on=on,
            whom=whom.strip(),
            measure=measure.strip(),
            reason=reason.strip(),
            decided_by=decided_by.strip(),
        )
        letters, problems = _links(org, letters, problems)
        record.letters.set(letters)
        record.problems.set(problems)
        derived.refresh([org])
        events.record(
            actor,
            "accountability.create",
            record,
            org=org,
            summary=f"{org.name} 问责 {whom.strip()}（{measure.strip()}）",
        )
        return record


def decide_escalation(org: Org, *, actor, on: dt.date, decided: str, note: str = "") -> EscalationDecision:
    """A person decides on the suggested next step; the suggestion and its reasons are kept with it."""
    from .escalation import suggest

    require_supervisor(actor, org)
    if decided not in LADDER:
        raise ActionError(f"决定应为：{'、'.join(LADDER)}", field="decided")
    s = suggest(org, on)
    with transaction.atomic():
        decision = EscalationDecision.objects.create(
            org=org,
            on=on,
            suggested=s.step,
            reasons=s.reasons,
            decided=decided,
            note=note.strip(),
            decided_by=actor if getattr(actor, "pk", None) else None,
        )
        events.record(
            actor,
            "escalation.decide",
            decision,
            org=org,
            summary=f"{org.name} 督促措施：系统建议“{s.step}”，决定“{decided}”",
        )
        return decision


# ------------------------------------------------------------------ the inbox


def mark_read(user, pk: int | None = None) -> int:
    """Mark one of the user's own notifications (or all) read. Only the user's own rows: nothing to log."""
    from .models import Notification

    qs = Notification.objects.filter(user=user, read=False)
    if pk is not None:
        qs = qs.filter(pk=pk)
    return qs.update(read=True)

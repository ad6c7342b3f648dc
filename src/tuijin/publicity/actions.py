"""Every change to submissions, solicitations, publicity items and copy pairs (SPEC §2.6, §2.9).

Each action checks who may do it, runs in one transaction, refreshes the counters of the orgs whose
counted data it changed (core.derived.refresh) and writes the domain event. Views, API, importers and
the demo all come through here.

Who may do what:
- a submission, a publicity item, their attachments: `records.manage` over the org (its reporter, an
  office above);
- a solicitation: `campaign.manage` (an office) over the issuing org; its targets lie in its subtree;
- reviewing a submission (采用 / 退回 / 转报): an office strictly above the submitting org, at the
  level whose queue the piece is in (a forwarded piece: that level or an office above it);
- running the copy check and deciding a pair: an office over the org (for a pair: over both orgs).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tuijin.core import derived, events, files
from tuijin.core import texts as text_sources
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.permissions import require
from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org
from tuijin.orgs.tree import ancestor_paths

from . import copies, relevance
from .models import (
    CHANNELS,
    LEVELS,
    TYPES,
    Attachment,
    CopyPair,
    CopyStatus,
    PublicityItem,
    Review,
    Solicitation,
    SolicitationTarget,
    Status,
    Submission,
)

MAX_TITLE, MAX_BODY, MAX_REASON = 200, 20000, 500
QUALITY_MIN, QUALITY_MAX = 1, 5
MAX_TARGETS = 5000


# ------------------------------------------------------------------ checks shared with the importers


def date_problem(date, today) -> str | None:
    if date is None:
        return "不能为空"
    if today is not None and date > today:
        return f"{date:%Y-%m-%d} 晚于今天"
    return None


def type_problem(kind: str) -> str | None:
    return None if kind in TYPES else f"信息类型应为以下之一：{'、'.join(TYPES)}"


def channel_problem(channel: str) -> str | None:
    return None if channel in CHANNELS else f"宣传渠道应为以下之一：{'、'.join(CHANNELS)}"


def link_problem(link: str) -> str | None:
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"“{link[:60]}”不是有效的网址（应以 http:// 或 https:// 开头）"
    if len(link) > 500:
        return "网址太长（最多 500 个字符）"
    return None


def solicitation_problem(solicitation: Solicitation | None, org: Org) -> str | None:
    """A piece may answer a solicitation its org (or an org above it) was asked for."""
    if solicitation is None:
        return None
    targets = SolicitationTarget.objects.filter(solicitation=solicitation).values_list("org__path", flat=True)
    if not any(org.path.startswith(path) for path in targets):
        return f"约稿“{solicitation.number}”没有向{org.name}约稿"
    return None


def apply_relevance(submission: Submission) -> Submission:
    submission.relevance_reasons = relevance.check(submission.title, submission.body)
    submission.relevance_flagged = bool(submission.relevance_reasons)
    return submission


def _clean(text) -> str:
    return (text or "").strip()


# ------------------------------------------------------------------ submissions


def _counted_at(submission: Submission) -> list[Org]:
    """Where a submission counts: its own org and, when it answers a 约稿, the targets it answers for (an
    answer from the target or any org below it counts for the target: queries.answers)."""
    if submission.solicitation_id is None:
        return [submission.org]
    return [
        submission.org,
        *Org.objects.filter(
            solicitation_targets__solicitation=submission.solicitation_id,
            path__in=ancestor_paths(submission.org, include_self=True),
        ),
    ]


def create_submission(
    *,
    actor,
    org: Org,
    title: str,
    date: dt.date,
    body: str = "",
    type: str = "工作动态",
    solicitation: Solicitation | None = None,
    submitted_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Submission:
    """信息报送. `submitted_at` is the moment it was sent (views pass now; the demo and tests set it)."""
    with transaction.atomic():
        require(actor, "records.manage", org)
        if not org.active:
            raise ActionError(f"组织“{org.name}”已撤销或并入其他组织", field="org")
        title, body = _clean(title), _clean(body)
        if not title:
            raise ActionError("标题不能为空", field="title")
        if len(title) > MAX_TITLE:
            raise ActionError(f"标题太长（{len(title)} 字），最多 {MAX_TITLE} 字", field="title")
        if len(body) > MAX_BODY:
            raise ActionError(f"正文太长（{len(body)} 字），最多 {MAX_BODY} 字", field="body")
        if message := type_problem(type):
            raise ActionError(message, field="type")
        if message := date_problem(date, today):
            raise ActionError(f"报送日期：{message}", field="date")
        if message := solicitation_problem(solicitation, org):
            raise ActionError(message, field="solicitation")
        submission = apply_relevance(
            Submission(
                org=org,
                title=title,
                body=body,
                type=type,
                date=date,
                submitted_at=submitted_at,
                solicitation=solicitation,
            )
        )
        submission.save()
        derived.refresh(_counted_at(submission))
        events.record(
            actor,
            "submission.create",
            submission,
            org=org,
            summary=f"{org.name} 报送信息“{title[:40]}”"
            + (f"（答复约稿 {solicitation.number}）" if solicitation else ""),
            after={
                **events.snapshot(submission, ("title", "type", "date", "solicitation")),
                "relevance": submission.relevance_reasons,
            },
        )
        return submission


def _office_orgs(actor):
    return [g.org for g in actor.grants.filter(role="office", org__isnull=False).select_related("org")]


def reviewer_org(actor, submission: Submission) -> Org:
    """The level at which `actor` reviews the piece: the deepest of its offices strictly above the
    submitting org and (for a forwarded piece) at or above the level the piece was sent to."""
    org = submission.org
    target = submission.review_org
    if actor is None:
        return target or org.parent or org
    candidates = [
        o
        for o in _office_orgs(actor)
        if org.path.startswith(o.path) and o.path != org.path and (target is None or target.path.startswith(o.path))
    ]
    if not candidates:
        raise PermissionDenied("只有上级主题教育办公室可以审核报送的信息")
    return max(candidates, key=lambda o: len(o.path))


def can_review(actor, submission: Submission) -> bool:
    try:
        reviewer_org(actor, submission)
    except PermissionDenied:
        return False
    return True


def _locked(submission: Submission, version=None) -> Submission:
    fresh = Submission.objects.select_for_update(of=("self",)).select_related("org", "review_org").get(pk=submission.pk)
    if version is not None and int(version) != fresh.version:
        raise StaleEdit()
    return fresh


def _quality(quality) -> int | None:
    if quality in (None, ""):
        return None
    try:
        quality = int(quality)
    except (TypeError, ValueError):
        raise ActionError(f"质量评分应为 {QUALITY_MIN}–{QUALITY_MAX} 的整数", field="quality") from None
    if not QUALITY_MIN <= quality <= QUALITY_MAX:
        raise ActionError(f"质量评分应为 {QUALITY_MIN}–{QUALITY_MAX} 的整数", field="quality")
    return quality


def adopt(
    submission: Submission, *, actor, level: str, quality=None, as_of: dt.date, note: str = "", version=None
) -> Submission:
    """采用 at a level (县/市/省/中央), with a quality score."""
    with transaction.atomic():
        submission = _locked(submission, version)
        at = reviewer_org(actor, submission)
        if submission.status != Status.PENDING:
            raise ActionError(f"这条信息{submission.status}，不在审核中")
        if level not in LEVELS:
            raise ActionError(f"采用层级应为以下之一：{'、'.join(LEVELS)}", field="level")
        quality = _quality(quality)
        submission.status, submission.adopted, submission.adopted_on = Status.ADOPTED, True, as_of
        if not submission.adopted_level or LEVELS.index(level) > LEVELS.index(submission.adopted_level):
            submission.adopted_level = level
        if quality is not None:
            submission.quality = quality
        submission.version += 1
        submission.save()
        Review.objects.create(
            submission=submission,
            org=at,
            decision=Review.ADOPT,
            level=level,
            quality=quality,
            reason=_clean(note)[:MAX_REASON],
            by=_user(actor),
            at=timezone.now(),
        )
        derived.refresh([submission.org])
        events.record(
            actor,
            "submission.adopt",
            submission,
            org=submission.org,
            summary=f"{at.name} 采用{submission.org.name}报送的信息“{submission.title[:30]}”（{level}级）",
            after={"level": level, "quality": quality, "by_org": at.code},
        )
        return submission


def return_submission(submission: Submission, *, actor, reason: str, quality=None, version=None) -> Submission:
    """退回 with a reason the unit reads."""
    with transaction.atomic():
        submission = _locked(submission, version)
        at = reviewer_org(actor, submission)
        if submission.status != Status.PENDING:
            raise ActionError(f"这条信息{submission.status}，不在审核中")
        reason = _clean(reason)
        if not reason:
            raise ActionError("请写明退回原因", field="reason")
        if len(reason) > MAX_REASON:
            raise ActionError(f"退回原因太长（{len(reason)} 字），最多 {MAX_REASON} 字", field="reason")
        quality = _quality(quality)
        submission.status, submission.return_reason = Status.RETURNED, reason
        if quality is not None:
            submission.quality = quality
        submission.version += 1
        submission.save()
        Review.objects.create(
            submission=submission,
            org=at,
            decision=Review.RETURN,
            quality=quality,
            reason=reason,
            by=_user(actor),
            at=timezone.now(),
        )
        derived.refresh([submission.org])
        events.record(
            actor,
            "submission.return",
            submission,
            org=submission.org,
            summary=f"{at.name} 退回{submission.org.name}报送的信息“{submission.title[:30]}”：{reason[:60]}",
            after={"reason": reason, "by_org": at.code},
        )
        return submission


def forward(submission: Submission, *, actor, note: str = "", version=None) -> Submission:
    """转报: an adopted piece goes up to the level above the reviewer, into its review queue."""
    with transaction.atomic():
        submission = _locked(submission, version)
        at = reviewer_org(actor, submission)
        if submission.status != Status.ADOPTED:
            raise ActionError("只有已采用的信息可以向上级转报")
        upper = at.parent
        if upper is None:
            raise ActionError(f"{at.name}是最上级组织，没有可以转报的上级（向省、中央报送请在系统外进行）")
        submission.status, submission.review_org = Status.PENDING, upper
        submission.version += 1
        submission.save()
        Review.objects.create(
            submission=submission,
            org=at,
            decision=Review.FORWARD,
            to_org=upper,
            reason=_clean(note)[:MAX_REASON],
            by=_user(actor),
            at=timezone.now(),
        )
        derived.refresh([submission.org])
        events.record(
            actor,
            "submission.forward",
            submission,
            org=submission.org,
            summary=f"{at.name} 将{submission.org.name}的信息“{submission.title[:30]}”转报{upper.name}",
            after={"from": at.code, "to": upper.code},
        )
        return submission


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _store(actor, name, data, *, allowed=None, **owner) -> Attachment:
    stored = files.store(name, data, allowed=allowed)
    return Attachment.objects.create(
        name=stored.name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_name=stored.storage_name,
        uploaded_by=_user(actor),
        **owner,
    )


def attach_to_submission(submission: Submission, *, actor, name: str, data: bytes) -> Attachment:
    with transaction.atomic():
        submission = _locked(submission)
        require(actor, "records.manage", submission.org)
        attachment = _store(actor, name, data, submission=submission)
        submission.version += 1
        submission.save(update_fields=["version"])
        events.record(
            actor,
            "submission.attach",
            submission,
            org=submission.org,
            summary=f"信息“{submission.title[:30]}”上传附件“{attachment.name}”",
            after={"sha256": attachment.sha256, "size": attachment.size},
        )
        return attachment


# ------------------------------------------------------------------ solicitations


def next_number(as_of: dt.date) -> str:
    prefix = f"YG{as_of:%Y%m%d}-"
    taken = Solicitation.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1:02d}"


def targets_by(org: Org, *, codes=(), kinds=(), sectors=(), depths=()) -> list[Org]:
    """Target orgs in org's subtree: named ones, or every active org of the given kinds/sectors/depths
    (absolute tree depth; the root is 1). Used by the issuing page and the API."""
    qs = Org.objects.filter(subtree_q("path", org.path), active=True).exclude(pk=org.pk)
    picked = list(qs.filter(code__in=list(codes))) if codes else []
    if kinds or sectors or depths:
        by = qs
        if kinds:
            by = by.filter(kind__in=list(kinds))
        if sectors:
            by = by.filter(sector__in=list(sectors))
        if depths:
            by = by.filter(depth__in=[int(d) for d in depths])
        picked += list(by[: MAX_TARGETS + 1])
    return list({o.pk: o for o in picked}.values())


def issue_solicitation(
    *,
    actor,
    org: Org,
    topic: str,
    deadline: dt.date,
    targets,
    note: str = "",
    number: str = "",
    issued_at: dt.datetime | None = None,
    today: dt.date | None = None,
) -> Solicitation:
    """约稿 from the office of `org` to `targets` (orgs in its subtree)."""
    with transaction.atomic():
        require(actor, "campaign.manage", org)
        topic, note, number = _clean(topic), _clean(note), _clean(number)
        if not topic:
            raise ActionError("约稿主题不能为空", field="topic")
        if len(topic) > 200:
            raise ActionError(f"约稿主题太长（{len(topic)} 字），最多 200 字", field="topic")
        if deadline is None:
            raise ActionError("截止日期不能为空", field="deadline")
        if today is not None and deadline < today:
            raise ActionError(f"截止日期 {deadline:%Y-%m-%d} 早于今天", field="deadline")
        targets = list({o.pk: o for o in targets}.values())
        if not targets:
            raise ActionError("请至少选择一个约稿对象", field="targets")
        if len(targets) > MAX_TARGETS:
            raise ActionError(f"约稿对象太多（{len(targets)} 个），一次最多 {MAX_TARGETS} 个", field="targets")
        outside = [o.name for o in targets if not o.path.startswith(org.path) or o.pk == org.pk]
        if outside:
            raise ActionError(f"约稿对象应为{org.name}的下级组织：{'、'.join(outside[:5])}不是", field="targets")
        issued_at = issued_at or timezone.now()
        number = number or next_number(timezone.localtime(issued_at).date())
        if Solicitation.objects.filter(number=number).exists():
            raise ActionError(f"约稿编号“{number}”已被使用", field="number")
        solicitation = Solicitation.objects.create(
            number=number,
            org=org,
            topic=topic,
            note=note,
            deadline=deadline,
            issued_at=issued_at,
            created_by=_user(actor),
        )
        SolicitationTarget.objects.bulk_create([SolicitationTarget(solicitation=solicitation, org=o) for o in targets])
        derived.refresh(targets)  # a 约稿 counts at each target (answered, on time), not at the issuer
        events.record(
            actor,
            "solicitation.issue",
            solicitation,
            org=org,
            summary=f"{org.name} 约稿“{topic[:40]}”，{len(targets)} 个单位，{deadline:%Y-%m-%d} 前报送",
            after={"number": number, "deadline": deadline, "targets": [o.code for o in targets][:200]},
        )
        return solicitation


# ------------------------------------------------------------------ media coverage and placements


def create_item(
    *,
    actor,
    org: Org,
    channel: str,
    title: str,
    date: dt.date,
    outlet: str = "",
    link: str = "",
    today: dt.date | None = None,
) -> PublicityItem:
    with transaction.atomic():
        require(actor, "records.manage", org)
        if not org.active:
            raise ActionError(f"组织“{org.name}”已撤销或并入其他组织", field="org")
        title, outlet, link = _clean(title), _clean(outlet), _clean(link)
        if message := channel_problem(channel):
            raise ActionError(message, field="channel")
        if not title:
            raise ActionError("标题或内容不能为空", field="title")
        if len(title) > 500:
            raise ActionError(f"标题或内容太长（{len(title)} 字），最多 500 字", field="title")
        if len(outlet) > 200:
            raise ActionError(f"媒体或地点太长（{len(outlet)} 字），最多 200 字", field="outlet")
        if message := link_problem(link):
            raise ActionError(message, field="link")
        if message := date_problem(date, today):
            raise ActionError(f"日期：{message}", field="date")
        item = PublicityItem.objects.create(org=org, channel=channel, outlet=outlet, title=title, date=date, link=link)
        derived.refresh([org])
        events.record(
            actor,
            "publicity.create",
            item,
            org=org,
            summary=f"{org.name} 登记{channel}宣传“{title[:40]}”",
            after=events.snapshot(item, ("channel", "outlet", "title", "date", "link")),
        )
        return item


PHOTO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def attach_photo(item: PublicityItem, *, actor, name: str, data: bytes) -> Attachment:
    with transaction.atomic():
        item = PublicityItem.objects.select_for_update(of=("self",)).select_related("org").get(pk=item.pk)
        require(actor, "records.manage", item.org)
        attachment = _store(actor, name, data, allowed=PHOTO_TYPES, item=item)
        item.version += 1
        item.save(update_fields=["version"])
        events.record(
            actor,
            "publicity.photo",
            item,
            org=item.org,
            summary=f"{item.channel}宣传“{item.title[:30]}”上传照片“{attachment.name}”",
            after={"sha256": attachment.sha256},
        )
        return attachment


# ------------------------------------------------------------------ copied materials


def _texts_under(paths):
    for name, source in text_sources.sources().items():
        for pk, org_id, date, text in source.rows(paths):
            yield copies.Text((name, pk), org_id, date, text or "")


def run_copy_check(*, actor, org: Org, as_of: dt.date) -> tuple[int, int]:
    """Check every registered text in org's subtree; store pairs not stored yet (a decided pair keeps
    its decision). Returns (pairs found, new pairs)."""
    require(actor, "campaign.manage", org)
    found = copies.find_pairs(_texts_under([org.path]))
    with transaction.atomic():
        stored = set(
            CopyPair.objects.filter(subtree_q("org_b__path", org.path)).values_list(
                "source_a", "id_a", "source_b", "id_b"
            )
        )
        new = []
        for f in found:
            key = (f.a.key[0], f.a.key[1], f.b.key[0], f.b.key[1])
            if key in stored:
                continue
            new.append(
                CopyPair(
                    source_a=f.a.key[0],
                    id_a=f.a.key[1],
                    org_a_id=f.a.org_id,
                    source_b=f.b.key[0],
                    id_b=f.b.key[1],
                    org_b_id=f.b.org_id,
                    similarity=f.similarity,
                    found_on=as_of,
                )
            )
        CopyPair.objects.bulk_create(new, ignore_conflicts=True)
        events.record(
            actor,
            "copies.check",
            ("publicity", "copies"),
            org=org,
            summary=f"{org.name} 材料雷同检查：发现 {len(found)} 对，其中新增 {len(new)} 对",
            after={"found": len(found), "new": len(new)},
        )
        return len(found), len(new)


def decide_pair(pair: CopyPair, *, actor, confirm: bool, as_of: dt.date, note: str = "") -> CopyPair:
    """确认雷同 or 排除 (e.g. both quote the same document)."""
    with transaction.atomic():
        pair = CopyPair.objects.select_for_update(of=("self",)).select_related("org_a", "org_b").get(pk=pair.pk)
        require(actor, "campaign.manage", pair.org_b)
        require(actor, "campaign.manage", pair.org_a)
        note = _clean(note)
        if len(note) > 500:
            raise ActionError(f"说明太长（{len(note)} 字），最多 500 字", field="note")
        if not confirm and not note:
            raise ActionError("排除时请写明理由（如“共同引用上级文件原文”）", field="note")
        before = pair.status
        pair.status = CopyStatus.CONFIRMED if confirm else CopyStatus.DISMISSED
        pair.decided_on, pair.decided_by, pair.note = as_of, _user(actor), note
        pair.save()
        derived.refresh([pair.org_b])  # a confirmed pair counts at the later text's org
        events.record(
            actor,
            "copies.confirm" if confirm else "copies.dismiss",
            pair,
            org=pair.org_b,
            summary=f"材料雷同（{pair.org_b.name} 与 {pair.org_a.name}）{pair.status}",
            before={"status": before},
            after={"status": pair.status, "note": note},
        )
        return pair

"""Writing and checking the domain event log."""

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from . import derived
from .models import ChainHead, DomainEvent

CLI_LABEL = "命令行"


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict:
    """A JSON-safe dict of the instance's concrete fields (foreign keys as ids)."""
    data = {}
    for field in instance._meta.concrete_fields:
        if fields and field.name not in fields:
            continue
        data[field.attname] = field.value_from_object(instance)
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False))


def diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    """Keep only the keys that changed, so the log reads as what happened."""
    if not before or not after:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def record(
    actor: Any,
    verb: str,
    target: Any,
    *,
    summary: str,
    org: Any = None,
    before: Any = None,
    after: Any = None,
    label: str | None = None,
) -> DomainEvent:
    """Append one event. Must run inside the action's transaction. It only logs: the action has already
    refreshed the derived data it changed (`core.derived.refresh`, before this call), so the chain head,
    the one row every write takes, is taken last and held only for the insert below."""
    assert transaction.get_connection().in_atomic_block, "record() belongs inside an action's transaction"
    head, _ = ChainHead.objects.select_for_update().get_or_create(pk=1)
    if isinstance(target, models.Model):
        target_type, target_id = target._meta.label_lower, str(target.pk)
    else:
        target_type, target_id = str(target[0]), str(target[1])
    event = DomainEvent(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=label or getattr(actor, "username", None) or CLI_LABEL,
        verb=verb,
        summary=summary[:500],
        target_type=target_type,
        target_id=target_id,
        org_path=getattr(org, "path", "") or "",
        before=before,
        after=after,
        prev_hash=head.last_hash,
    )
    event.hash = event.content_digest()
    event.save()
    head.last_hash = event.hash
    head.save(update_fields=["last_hash"])
    return event


def touched(orgs: Iterable[Any]) -> None:
    """The same as `core.derived.refresh(orgs)`, the name the loaders call (once per import, before
    their one event)."""
    derived.refresh(orgs)


def verify_chain() -> list[int]:
    """Ids of events whose content or link no longer matches: empty when the log is intact."""
    broken, prev = [], ""
    key = settings.TUIJIN_AUDIT_KEY.encode()
    for event in DomainEvent.objects.order_by("id").iterator():
        # Re-read JSON through the same encoder the digest used when it was written.
        if event.prev_hash != prev or not hmac.compare_digest(event.content_digest(key), event.hash):
            broken.append(event.id)
        prev = event.hash
    return broken


# --------------------------------------------------------------------------- checkpoints outside the database

CHECKPOINT_VERSION = 1


def _sign(body: dict) -> str:
    payload = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(settings.TUIJIN_AUDIT_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()


def write_checkpoint(now: dt.datetime) -> Path:
    """Anchor the chain's head outside the database: a file naming the newest event, its hash and the
    number of events up to it, signed with the audit key. Written daily by `tuijin worker`."""
    last = DomainEvent.objects.order_by("-id").only("id", "hash").first()
    body = {
        "version": CHECKPOINT_VERSION,
        "written_at": now.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "last_id": last.id if last else None,
        "last_hash": last.hash if last else "",
        "count": DomainEvent.objects.filter(id__lte=last.id).count() if last else 0,
    }
    body["signature"] = _sign(body)
    folder = Path(settings.TUIJIN_AUDIT_CHECKPOINT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"checkpoint-{now.astimezone(dt.UTC):%Y%m%dT%H%M%S}Z.json"
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(body, ensure_ascii=False, indent=1))
    os.replace(partial, path)
    return path


@dataclass
class Verification:
    broken: list[int] = dataclass_field(default_factory=list)  # events whose content or link does not match
    problems: list[str] = dataclass_field(default_factory=list)  # everything wrong, for the auditor (Chinese)
    warnings: list[str] = dataclass_field(default_factory=list)
    checkpoints: int = 0
    events: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(now: dt.datetime | None = None) -> Verification:
    """Check every event's keyed hash and link, the chain head, and every checkpoint file."""
    result = Verification(broken=verify_chain(), events=DomainEvent.objects.count())
    if result.broken:
        shown = "、".join(str(i) for i in result.broken[:20]) + ("等" if len(result.broken) > 20 else "")
        result.problems.append(
            f"{len(result.broken)} 条记录与记录链不符（内容被修改、被删除或被重新计算）：编号 {shown}"
        )
    last = DomainEvent.objects.order_by("-id").only("id", "hash").first()
    head = ChainHead.objects.filter(pk=1).first()
    if (head.last_hash if head else "") != (last.hash if last else ""):
        result.problems.append("记录链末端与链头不符：最新的记录可能被删除")
    folder = Path(settings.TUIJIN_AUDIT_CHECKPOINT_DIR)
    files = sorted(folder.glob("checkpoint-*.json")) if folder.is_dir() else []
    latest = None
    for path in files:
        try:
            body = json.loads(path.read_text())
            signature = body.pop("signature")
            last_id, last_hash, count = body["last_id"], body["last_hash"], body["count"]
        except (ValueError, KeyError, TypeError, AttributeError):
            result.problems.append(f"检查点 {path.name} 无法读取（文件被改动）")
            continue
        if not hmac.compare_digest(_sign(body), str(signature)):
            result.problems.append(f"检查点 {path.name} 签名无效（文件被改动，或签名密钥不同）")
            continue
        result.checkpoints += 1
        latest = max(latest or "", body.get("written_at", ""))
        if last_id is None:
            continue
        anchored = DomainEvent.objects.filter(id=last_id).only("hash").first()
        if anchored is None:
            result.problems.append(f"检查点 {path.name} 记录的编号 {last_id} 的操作记录已不存在：记录被删除")
        elif anchored.hash != last_hash:
            result.problems.append(f"编号 {last_id} 的操作记录与检查点 {path.name} 不符：记录被修改或重新计算")
        present = DomainEvent.objects.filter(id__lte=last_id).count()
        if present != count:
            result.problems.append(f"检查点 {path.name}：编号 {last_id} 及以前应有 {count} 条记录，现有 {present} 条")
    if not result.checkpoints:
        result.warnings.append(
            "尚无有效的检查点：最新记录被删除将无法发现。请运行 tuijin worker 或 tuijin audit checkpoint"
        )
    elif now is not None and latest:
        age = now - dt.datetime.fromisoformat(latest)
        if age > dt.timedelta(days=2):
            result.warnings.append(f"最近的检查点是 {age.days} 天前写的，请检查后台任务（tuijin worker）")
    return result


def tree_changed() -> None:
    """The same as `core.derived.tree_changed()`, the name the org loader calls."""
    derived.tree_changed()

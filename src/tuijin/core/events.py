"""Writing and checking the domain event log."""
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import ChainHead, DomainEvent

CLI_LABEL = "命令行"

# Called with the event's org after each event is written, inside the action's transaction.
# The evaluation app registers its counter refresh here, so core does not depend on it.
AFTER_RECORD: list = []
# Called after the org tree's shape changed (moves, merges, imports that move orgs).
TREE_CHANGED: list = []


def snapshot(instance, fields=None) -> dict:
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


def record(actor, verb: str, target, *, summary: str, org=None, before=None, after=None,
           label: str | None = None) -> DomainEvent:
    """Append one event. Must run inside the action's transaction."""
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
    if org is not None and hasattr(org, "path"):
        for hook in AFTER_RECORD:
            hook([org])
    return event


def touched(orgs) -> None:
    """For writes whose event has no single org (imports, moves): refresh these orgs' derived data."""
    orgs = [o for o in orgs if o is not None]
    if orgs:
        for hook in AFTER_RECORD:
            hook(orgs)


def verify_chain() -> list[int]:
    """Ids of events whose content or link no longer matches: empty when the log is intact."""
    broken, prev = [], ""
    for event in DomainEvent.objects.order_by("id").iterator():
        # Re-read JSON through the same encoder the digest used when it was written.
        if event.prev_hash != prev or event.content_digest() != event.hash:
            broken.append(event.id)
        prev = event.hash
    return broken


def tree_changed() -> None:
    for hook in TREE_CHANGED:
        hook()

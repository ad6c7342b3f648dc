"""Re-key the existing audit chain with the HMAC of settings.TUIJIN_AUDIT_KEY (it was a plain SHA-256 chain).

Run once by whoever holds the key; events written before are re-linked in id order."""

from django.db import migrations


def rekey(apps, schema_editor):
    from tuijin.core.models import DomainEvent as Current

    Event = apps.get_model("core", "DomainEvent")
    Head = apps.get_model("core", "ChainHead")
    prev = ""
    for event in Event.objects.order_by("id").iterator():
        row = Current(
            at=event.at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            verb=event.verb,
            summary=event.summary,
            target_type=event.target_type,
            target_id=event.target_id,
            org_path=event.org_path,
            before=event.before,
            after=event.after,
            prev_hash=prev,
        )
        digest = row.content_digest()
        Event.objects.filter(pk=event.pk).update(prev_hash=prev, hash=digest)
        prev = digest
    Head.objects.update(last_hash=prev)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]
    operations = [migrations.RunPython(rekey, migrations.RunPython.noop)]

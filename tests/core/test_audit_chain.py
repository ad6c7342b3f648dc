"""The audit chain: keyed hashes, a head anchored outside the database, and what the audit admin sees.

An attacker here has full write access to the database but not to the audit key or the checkpoint
directory: edits, re-hashing, deleting the newest events and dump/load are each checked.
"""

import datetime as dt
import hashlib
import json

import pytest

from tests.conftest import login_as
from django.core.management import call_command
from django.core.management.base import CommandError

from tuijin.core import events
from tuijin.core.models import ChainHead, DomainEvent
from tuijin.rectification import actions as rect

NOW = dt.datetime(2026, 11, 29, 2, 0, tzinfo=dt.UTC)


def checkpointed(world):
    assert DomainEvent.objects.count() > 30
    events.write_checkpoint(NOW)
    result = events.verify(NOW)
    assert result.ok and result.checkpoints == 1, result.problems
    return result


def delete_newest(n, *, fix_head=True):
    newest = list(DomainEvent.objects.order_by("-id")[:n])
    DomainEvent.objects.filter(pk__in=[e.pk for e in newest]).delete()
    if fix_head:  # a careful attacker also rewinds the head row
        ChainHead.objects.update(last_hash=DomainEvent.objects.order_by("-id").first().hash)
    return newest


@pytest.mark.parametrize("n", [1, 20])
def test_deleting_the_newest_events_is_detected(world, n):
    checkpointed(world)
    newest = delete_newest(n)
    assert events.verify_chain() == []  # the remaining chain links up: only the anchor can tell
    result = events.verify(NOW)
    assert not result.ok
    assert any(f"编号 {newest[0].id} 的操作记录已不存在" in p for p in result.problems), result.problems
    with pytest.raises(CommandError, match="操作记录被篡改"):
        call_command("audit", "verify")


def test_deleting_the_newest_event_after_the_checkpoint_is_caught_by_the_head(world):
    checkpointed(world)
    rect.create_problem(
        actor=None, org=world.branch_a1a, description="台账不全", source="集体查", found_on=dt.date(2026, 11, 28)
    )
    delete_newest(1, fix_head=False)
    assert "记录链末端与链头不符：最新的记录可能被删除" in events.verify(NOW).problems


def test_an_edited_event_is_detected(world):
    checkpointed(world)
    victim = DomainEvent.objects.order_by("id")[5]
    DomainEvent.objects.filter(pk=victim.pk).update(summary="篡改后的内容")
    result = events.verify(NOW)
    assert result.broken == [victim.pk] and not result.ok


def _rehash_without_key(digest):
    prev = ""
    for e in DomainEvent.objects.order_by("id"):
        e.prev_hash = prev
        payload = json.dumps(
            [
                e.canonical_at(),
                e.actor_id,
                e.actor_label,
                e.verb,
                e.summary,
                e.target_type,
                e.target_id,
                e.org_path,
                e.before,
                e.after,
                e.prev_hash,
            ],
            ensure_ascii=False,
            sort_keys=True,
        )
        e.hash = digest(payload)
        DomainEvent.objects.filter(pk=e.pk).update(prev_hash=e.prev_hash, hash=e.hash)
        prev = e.hash
    ChainHead.objects.update(last_hash=prev)


@pytest.mark.parametrize(
    "digest",
    [
        lambda payload: hashlib.sha256(payload.encode()).hexdigest(),  # the old unkeyed scheme
        lambda payload: __import__("hmac").new(b"guessed-key", payload.encode(), hashlib.sha256).hexdigest(),
    ],
    ids=["sha256", "wrong-key"],
)
def test_an_edit_with_every_hash_recomputed_without_the_key_is_detected(world, digest):
    checkpointed(world)
    DomainEvent.objects.filter(pk=DomainEvent.objects.order_by("id")[5].pk).update(summary="篡改后的内容")
    _rehash_without_key(digest)
    result = events.verify(NOW)
    assert len(result.broken) == DomainEvent.objects.count()
    assert any("与检查点" in p for p in result.problems)


def test_a_forged_checkpoint_is_refused(world, settings):
    checkpointed(world)
    path = next(settings.TUIJIN_AUDIT_CHECKPOINT_DIR.glob("checkpoint-*.json"))
    body = json.loads(path.read_text())
    body["count"] -= 1
    path.write_text(json.dumps(body))
    assert any("签名无效" in p for p in events.verify(NOW).problems)


def test_the_chain_survives_dumpdata_and_loaddata(world, tmp_path):
    checkpointed(world)
    assert any(e.at.microsecond % 1000 for e in DomainEvent.objects.all())  # stored with microseconds
    dump = tmp_path / "events.json"
    call_command("dumpdata", "core.domainevent", "core.chainhead", output=str(dump), verbosity=0)
    count = DomainEvent.objects.count()
    DomainEvent.objects.all().delete()
    ChainHead.objects.all().delete()
    call_command("loaddata", str(dump), verbosity=0)
    assert DomainEvent.objects.count() == count
    assert not any(e.at.microsecond % 1000 for e in DomainEvent.objects.all())  # JSON kept milliseconds only
    result = events.verify(NOW)
    assert result.ok and result.broken == [], result.problems
    call_command("audit", "verify")


def test_the_cli_writes_a_checkpoint_and_verifies(world, settings, capsys):
    call_command("audit", "checkpoint")
    call_command("audit", "verify")
    assert "操作记录完整" in capsys.readouterr().out
    assert len(list(settings.TUIJIN_AUDIT_CHECKPOINT_DIR.glob("checkpoint-*.json"))) == 1


def test_the_audit_admin_sees_who_when_what_and_which_object_but_no_personal_data(client, world):
    rect.create_problem(
        actor=world.county_office,
        org=world.branch_a1a,
        description="王小明同志长期不参加组织生活",
        source="集体查",
        found_on=dt.date(2026, 11, 28),
    )
    # a visit's summary names the researcher (B县), though its org is the visited branch (A县)
    from tuijin.research.actions import record_visit

    record_visit(
        actor=None,
        person=world.p_b1[0],
        date=dt.date(2026, 11, 20),
        topic="课后服务情况调研",
        visited_org=world.branch_a1a,
        findings=["课后服务课程单一"],
    )
    login_as(client, world.auditadmin)
    page = client.get("/admin3/audit/").content.decode()
    assert "county_office" in page and "problem.create" in page and "问题" in page
    assert "王小明同志长期不参加组织生活" not in page  # the problem text
    assert "甲1" not in page and "甲*" in page  # member names masked ("新增人员 甲1（A1A1）")
    assert "乙二" not in page and "丙书记" not in page and "丙**" in page
    assert "丁一" not in page and "丁* 2026-11-20 调研“…”" in page and "课后服务情况调研" not in page
    assert "A县教育局第一党支部" in page  # org names are not personal data: they stay
    assert "A1A1" in page  # the person's number identifies the object without the name
    assert "13800001234" not in page

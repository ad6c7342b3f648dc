"""Evidence files are checked by content; public ratings cannot be flooded."""

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from tuijin.campaigns.models import Campaign
from tuijin.core.errors import ActionError
from tuijin.rectification import actions, queries
from tuijin.rectification.models import PublicItem, Rating

from .conftest import PDF, TODAY


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def test_evidence_is_stored_by_its_sha256(world, problem):
    evidence = actions.attach_evidence(problem, actor=world.branch_reporter, name="记录.pdf", data=PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest() and evidence.content_type == "application/pdf"
    assert (Path(settings.MEDIA_ROOT) / evidence.storage_name).read_bytes() == PDF


def test_a_file_that_claims_to_be_a_pdf_but_is_not_is_refused(world, problem):
    with pytest.raises(ActionError, match="内容"):
        actions.attach_evidence(problem, actor=world.branch_reporter, name="伪装.pdf", data=b"MZ\x90\x00 not a pdf")
    with pytest.raises(ActionError, match=r"扩展名是“\.pdf”，但内容其实是Word"):
        actions.attach_evidence(problem, actor=world.branch_reporter, name="方案.pdf", data=docx_bytes())
    assert not problem.evidence.exists()


def test_word_files_are_accepted(world, problem):
    assert actions.attach_evidence(
        problem, actor=world.branch_reporter, name="方案.docx", data=docx_bytes()
    ).content_type.endswith("document")


def test_files_over_the_limit_are_refused(world, problem, settings):
    settings.TUIJIN_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ActionError, match="太大"):
        actions.attach_evidence(problem, actor=world.branch_reporter, name="a.pdf", data=PDF + b"0" * 200)


def test_only_submitted_or_closed_problems_can_be_published(world, problem, submitted):
    item = actions.publish(submitted, actor=world.county_office, summary="已建立每周学习制度")
    assert item.token and item.active
    fresh = actions.create_problem(
        actor=world.branch_reporter, org=world.branch_a1a, description="y", source="群众评", found_on=TODAY
    )
    with pytest.raises(ActionError):
        actions.publish(fresh, actor=world.branch_reporter)


def test_one_vote_per_device_per_item(world, submitted):
    item = actions.publish(submitted, actor=world.county_office)
    actions.rate(item, choice="满意", comment="", device="dev-1", ip="1.2.3.4")
    with pytest.raises(ActionError, match="已经评价过"):
        actions.rate(item, choice="不满意", comment="", device="dev-1", ip="5.6.7.8")
    item.refresh_from_db()
    assert item.votes == 1 and item.satisfied == 1


def test_a_flood_from_one_address_does_not_move_the_score(world, submitted, settings):
    settings.TUIJIN_VOTES_PER_ADDRESS = 5
    item = actions.publish(submitted, actor=world.county_office)
    refused = 0
    for i in range(50):
        try:
            actions.rate(item, choice="不满意", comment="", device=f"bot-{i}", ip="6.6.6.6")
        except actions.RateLimited:
            refused += 1
    item.refresh_from_db()
    assert item.votes == 5 and refused == 45
    assert item.refused == 45  # kept for the office to see, although each refusal was raised


def test_the_hourly_cap_per_address_spans_items(world, submitted, settings):
    settings.TUIJIN_VOTES_PER_ADDRESS, settings.TUIJIN_VOTES_PER_ADDRESS_HOUR = 10, 3
    item = actions.publish(submitted, actor=world.county_office)
    for i in range(3):
        actions.rate(item, choice="满意", comment="", device=f"d-{i}", ip="7.7.7.7")
    with pytest.raises(actions.RateLimited):
        actions.rate(item, choice="满意", comment="", device="d-9", ip="7.7.7.7")
    actions.rate(item, choice="满意", comment="", device="d-9", ip="7.7.7.8")  # another address is not held back
    item.refresh_from_db()
    assert (item.votes, item.refused) == (4, 1)


def test_ratings_store_no_raw_device_or_address(world, submitted):
    item = actions.publish(submitted, actor=world.county_office)
    actions.rate(item, choice="满意", comment="很好", device="dev-secret", ip="10.1.2.3")
    rating = Rating.objects.get()
    assert "dev-secret" not in rating.device and "10.1.2.3" not in rating.ip_hash


def test_enough_satisfied_votes_put_the_item_in_the_satisfaction_list(world, submitted):
    campaign = Campaign.objects.create(
        name="c",
        start=dt.date(2026, 9, 1),
        end=dt.date(2027, 1, 31),
        root=world.city,
        satisfaction_threshold=0.8,
        satisfaction_min_votes=5,
    )
    item = actions.publish(submitted, actor=world.county_office)
    for i in range(4):
        actions.rate(item, choice="满意", comment="", device=f"d{i}", ip=f"1.1.1.{i}")
    item.refresh_from_db()
    assert not queries.in_satisfaction_list(item, campaign)  # 4 votes < 5
    actions.rate(item, choice="不满意", comment="", device="d9", ip="1.1.1.9")
    item.refresh_from_db()
    assert queries.in_satisfaction_list(item, campaign)  # 4/5 = 0.8
    actions.rate(item, choice="不满意", comment="", device="d10", ip="1.1.1.10")
    item.refresh_from_db()
    assert not queries.in_satisfaction_list(item, campaign)  # 4/6 < 0.8
    assert isinstance(PublicItem.objects.get(), PublicItem)

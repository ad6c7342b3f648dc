"""From draft to issued (issue 9): the office drafts the briefing from the data, edits paragraphs (each
keeps its basis), issues it under a number never used twice; issued briefings are read-only with their
text and figures as they were, downloadable, and the next draft says what changed since."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from django.core.exceptions import PermissionDenied
from docx import Document

from tuijin.campaigns.models import Campaign
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.models import DomainEvent
from tuijin.evaluation import actions, compare, docx
from tuijin.evaluation.jobs import take_snapshot
from tuijin.evaluation.models import BriefingDoc, BriefingNumber
from tuijin.rectification import actions as problems

FIRST, SECOND = dt.date(2026, 11, 13), dt.date(2026, 11, 27)


@pytest.fixture
def city(world, settings, tmp_path):
    """County A has 4 open problems, county B closed both of its 2 before FIRST."""
    settings.MEDIA_ROOT = tmp_path
    Campaign.objects.create(name="测试主题教育", start=dt.date(2026, 9, 1), end=dt.date(2027, 1, 31), root=world.city)
    world.a_problems = add(world.branch_a1a, 4)
    for p in add(world.branch_b1, 2):
        close(p, dt.date(2026, 11, 10))
    return world


def add(org, n, found=dt.date(2026, 10, 1)):
    return [
        problems.create_problem(
            actor=None,
            org=org,
            description=f"{org.name}的问题{i}",
            source="集体查",
            found_on=found,
            deadline=dt.date(2026, 12, 31),
        )
        for i in range(n)
    ]


def close(p, on):
    problems.attach_evidence(p, actor=None, name="a.pdf", data=b"%PDF-1.4\n" + str(p.pk).encode())
    problems.submit_for_acceptance(p, actor=None)
    problems.close_problem(p, actor=None, as_of=on, change="整改后群众办事不再多跑腿")


def texts(doc, section):
    return [p["text"] for p in doc.content["sections"][section]["paragraphs"]]


def test_an_office_drafts_edits_and_issues_a_numbered_read_only_briefing(city):
    office = city.city_office
    doc = actions.draft_briefing(actor=office, org=city.city, as_of=FIRST)
    assert doc.status == BriefingDoc.Status.DRAFT and doc.number == "" and doc.kind == "notice"
    assert doc.baseline == {}  # nothing issued, no snapshot: nothing to compare with
    first = doc.content["sections"][0]["paragraphs"][0]
    basis = first["basis"]
    assert basis and first["generated"] == first["text"]

    doc = actions.edit_briefing(
        doc, actor=office, version=doc.version, texts={(0, 0): "全市各级党组织认真组织，主题教育扎实推进。"}
    )
    edited = doc.content["sections"][0]["paragraphs"][0]
    assert edited["text"] == "全市各级党组织认真组织，主题教育扎实推进。"
    assert edited["basis"] == basis and edited["generated"] == first["generated"]  # the basis stays with it

    doc = actions.issue_briefing(doc, actor=office, on=dt.date(2026, 11, 14), version=doc.version)
    assert (doc.status, doc.number, doc.year, doc.serial) == ("issued", "〔2026〕1号", 2026, 1)
    assert doc.content["date_text"] == "2026年11月14日"
    assert timezone.localtime(doc.issued_at).date() == dt.date(2026, 11, 14)  # 签发 the day it is dated
    assert doc.figures["overall"]["problems.rectified_share"]["value"] == pytest.approx(2 / 6)
    assert doc.figures["units"]["XS-B"]["statuses"]["problems.rectified_share"] == "正常"
    with pytest.raises(ActionError, match="已签发"):
        actions.edit_briefing(doc, actor=office, texts={(0, 0): "改"})
    with pytest.raises(ActionError, match="已签发"):
        actions.issue_briefing(doc, actor=office, on=dt.date(2026, 11, 15))
    verbs = list(
        DomainEvent.objects.filter(target_type="evaluation.briefingdoc").order_by("pk").values_list("verb", flat=True)
    )
    assert verbs == ["briefing.draft", "briefing.edit", "briefing.issue"]


def test_issued_text_and_figures_stay_as_they_were_when_the_data_changes(city):
    doc = actions.draft_briefing(actor=city.city_office, org=city.city, as_of=FIRST)
    doc = actions.issue_briefing(doc, actor=city.city_office, on=FIRST)
    before = (doc.content, doc.figures)
    for p in city.a_problems:
        close(p, dt.date(2026, 11, 12))
    doc.refresh_from_db()
    assert (doc.content, doc.figures) == before


def test_numbers_are_per_org_and_year_and_never_reused(city):
    office, city_org = city.city_office, city.city
    one = actions.issue_briefing(
        actions.draft_briefing(actor=office, org=city_org, as_of=FIRST), actor=office, on=FIRST
    )
    gone = actions.discard_briefing(actions.draft_briefing(actor=office, org=city_org, as_of=FIRST), actor=office)
    two = actions.issue_briefing(
        actions.draft_briefing(actor=office, org=city_org, as_of=SECOND), actor=office, on=SECOND
    )
    county = actions.issue_briefing(
        actions.draft_briefing(actor=city.county_office, org=city.county_a, as_of=SECOND),
        actor=city.county_office,
        on=SECOND,
    )
    next_year = actions.issue_briefing(
        actions.draft_briefing(actor=office, org=city_org, as_of=SECOND), actor=office, on=dt.date(2027, 1, 5)
    )
    assert [one.number, two.number, county.number, next_year.number] == [
        "〔2026〕1号",
        "〔2026〕2号",
        "〔2026〕1号",
        "〔2027〕1号",
    ]
    assert gone.status == "discarded" and gone.number == ""
    with pytest.raises(ActionError):
        actions.issue_briefing(gone, actor=office, on=SECOND)
    # The counter only goes up: even an issued briefing's row cannot give its number back.
    assert BriefingNumber.objects.get(org=city_org, year=2026).last == 2
    assert actions.next_number(city_org, 2026) == 3


def test_only_the_office_of_the_org_or_above_drafts_and_issues(city):
    with pytest.raises(PermissionDenied):
        actions.draft_briefing(actor=city.county_office, org=city.city, as_of=FIRST)
    with pytest.raises(PermissionDenied):
        actions.draft_briefing(actor=city.branch_reporter, org=city.branch_a1a, as_of=FIRST)
    doc = actions.draft_briefing(actor=city.city_office, org=city.county_a, as_of=FIRST)  # from above: allowed
    with pytest.raises(PermissionDenied):
        actions.issue_briefing(doc, actor=city.guide, on=FIRST)
    with pytest.raises(PermissionDenied):
        actions.issue_briefing(doc, actor=city.branch_reporter, on=FIRST)
    assert actions.issue_briefing(doc, actor=city.county_office, on=FIRST).number == "〔2026〕1号"


def test_a_second_save_of_a_stale_draft_is_told_not_applied(city):
    doc = actions.draft_briefing(actor=city.city_office, org=city.city, as_of=FIRST)
    old = doc.version
    actions.edit_briefing(doc, actor=city.city_office, version=old, texts={(0, 0): "第一人的修改。"})
    with pytest.raises(StaleEdit):
        actions.edit_briefing(doc, actor=city.city_office, version=old, texts={(0, 0): "第二人的修改。"})
    doc.refresh_from_db()
    assert texts(doc, 0)[0] == "第一人的修改。"


def test_edits_are_checked(city):
    doc = actions.draft_briefing(actor=city.city_office, org=city.city, as_of=FIRST)
    with pytest.raises(ActionError, match="不能为空"):
        actions.edit_briefing(doc, actor=city.city_office, texts={(0, 0): "  "})
    with pytest.raises(ActionError, match="不存在"):
        actions.edit_briefing(doc, actor=city.city_office, texts={(9, 0): "文字"})
    with pytest.raises(ActionError, match="太长"):
        actions.edit_briefing(doc, actor=city.city_office, texts={(0, 0): "长" * 3001})


def test_the_next_draft_compares_with_the_last_issued_one(city):
    office = city.city_office
    first = actions.issue_briefing(
        actions.draft_briefing(actor=office, org=city.city, as_of=FIRST), actor=office, on=FIRST
    )
    close(city.a_problems[0], dt.date(2026, 11, 20))  # A improves: 1 of 4, still behind
    close(city.a_problems[1], dt.date(2026, 11, 20))  # A: 2 of 4
    add(city.branch_b1, 4, found=dt.date(2026, 11, 20))  # B falls behind: 2 of 6 closed
    doc = actions.draft_briefing(actor=office, org=city.city, as_of=SECOND)
    assert doc.baseline == {"date": "2026-11-13", "source": "briefing", "number": first.number, "id": first.pk}
    overall = texts(doc, 0)[-1]
    # 2 of 6 closed (33.3%) on 11-13; 4 of 10 (40.0%) on 11-27
    assert overall.startswith("与11月13日通报（〔2026〕1号）相比，")
    assert "问题整改销号率40.0%，较11月13日提高6.7个百分点" in overall
    behind = texts(doc, 1)[-1]
    assert "进度退步的有：" in behind and "B县委（问题整改销号率由正常转为滞后" in behind
    assert "A县委" not in behind  # A improved (still behind, but not newly): never named as falling behind
    basis = doc.content["sections"][1]["paragraphs"][-1]["basis"]
    assert [b["unit"] for b in basis] == ["XS-B"]


def test_without_an_issued_briefing_the_draft_compares_with_the_nearest_snapshot(city):
    take_snapshot(dt.date(2026, 11, 6))  # 0 of 6 closed then (B closed on 11-10)
    take_snapshot(dt.date(2026, 11, 12))  # 2 of 6
    take_snapshot(SECOND)  # same day as the draft: not "before"
    close(city.a_problems[0], dt.date(2026, 11, 20))
    doc = actions.draft_briefing(actor=city.city_office, org=city.city, as_of=SECOND)
    assert doc.baseline["source"] == "snapshot" and doc.baseline["date"] == "2026-11-12"
    assert "与11月12日数据相比，" in texts(doc, 0)[-1]
    assert "问题整改销号率50.0%，较11月12日提高16.7个百分点" in texts(doc, 0)[-1]


def test_a_discarded_or_draft_briefing_is_never_the_baseline(city):
    office = city.city_office
    actions.discard_briefing(actions.draft_briefing(actor=office, org=city.city, as_of=FIRST), actor=office)
    actions.draft_briefing(actor=office, org=city.city, as_of=FIRST)
    assert compare.baseline(city.city, SECOND) is None


def test_issued_briefings_download_as_docx_and_markdown_with_their_number_and_edits(city):
    office = city.city_office
    doc = actions.draft_briefing(actor=office, org=city.city, as_of=FIRST)
    doc = actions.edit_briefing(doc, actor=office, texts={(0, 0): "经核改的第一段。"})
    doc = actions.issue_briefing(doc, actor=office, on=FIRST)
    buffer = io.BytesIO()
    docx.render(actions.as_briefing(doc), buffer)
    paragraphs = [p.text for p in Document(io.BytesIO(buffer.getvalue())).paragraphs if p.text.strip()]
    assert paragraphs[:2] == ["关于全市主题教育推进情况的通报", "〔2026〕1号"]
    assert "经核改的第一段。" in paragraphs and paragraphs[-1] == "2026年11月13日"
    md = actions.markdown(doc)
    assert md.startswith("# 关于全市主题教育推进情况的通报\n\n〔2026〕1号\n")
    assert "经核改的第一段。[^1]" in md and "[^1]: 数据依据：" in md

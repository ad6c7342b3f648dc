"""Reminder letters: drafted from the org's short boards, numbered per issuer and year, answered."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from docx import Document

from tuijin.core.errors import ActionError
from tuijin.supervision import actions, letters
from tuijin.supervision.models import LetterState

from .conftest import AS_OF, add_problems, study_this_month


def test_the_draft_names_what_lags_by_how_much_and_when_to_answer(world, campaign):
    add_problems(world.branch_b1, 4, closed=0)  # 0 of 4 closed at 59% of the time: severely behind
    d = letters.draft(world.county_b, AS_OF, issuer="第一巡回指导组")
    assert d.title == "关于B县委主题教育推进滞后的提示函"
    assert d.addressee == "中共B县委："
    text = d.body
    assert "检视整改方面，问题整改销号率为0.0%（0/4），低于时间进度应达的" in text
    assert "于2026年12月4日前将整改落实情况书面反馈第一巡回指导组" in text
    assert "problems.rectified_share" in [f.code for f in d.findings]
    severe = [f.severity for f in d.findings if f.status == "严重滞后"]
    assert severe == sorted(severe, reverse=True)  # worst first


def test_an_org_that_lags_in_nothing_gets_no_letter(world, campaign):
    add_problems(world.branch_a2, 2, closed=2)  # no members, every problem closed with evidence
    study_this_month(world.branch_a2)
    assert letters.letter_findings(world.branch_a2, AS_OF) == []
    assert letters.draft(world.branch_a2, AS_OF, issuer="x") is None
    add_problems(world.branch_b1, 2, closed=0)  # the look-alike next door does lag
    assert letters.letter_findings(world.branch_b1, AS_OF)


def test_a_group_drafts_edits_numbers_and_sends_and_the_unit_answers(world, campaign):
    add_problems(world.branch_b1, 3)
    letter = actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF)
    assert letter.issuer == "第一巡回指导组" and letter.state == LetterState.DRAFT and letter.number == ""
    letter = actions.edit_letter(
        letter, actor=world.guide, title=letter.title, body=letter.body + "\n特此提示。", version=letter.version
    )
    letter = actions.send_letter(letter, actor=world.guide, on=AS_OF, feedback_due=dt.date(2026, 12, 4))
    assert letter.number == "第一巡回指导组提示〔2026〕1号" and letter.state == LetterState.SENT
    second = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF), actor=world.guide, on=AS_OF
    )
    assert second.number == "第一巡回指导组提示〔2026〕2号"
    with pytest.raises(ActionError):
        actions.edit_letter(letter, actor=world.guide, title="x", body="y")


def test_a_withdrawn_letters_number_is_never_given_again(world, campaign):
    add_problems(world.branch_b1, 3)
    first = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF), actor=world.guide, on=AS_OF
    )
    actions.withdraw_letter(first, actor=world.guide, reason="发错单位")
    again = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF), actor=world.guide, on=AS_OF
    )
    assert first.number.endswith("1号") and again.number == "第一巡回指导组提示〔2026〕2号"
    next_year = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF),
        actor=world.guide,
        on=dt.date(2027, 1, 4),
        feedback_due=dt.date(2027, 1, 11),
    )
    assert next_year.number == "第一巡回指导组提示〔2027〕1号"


def test_the_unit_answers_with_evidence_and_the_sender_asks_again_then_accepts(world, campaign):
    from tests.conftest import make_user
    from tuijin.supervision.models import LetterEvidence

    b1 = make_user("b1_clerk", "unit", org=world.branch_b1)
    add_problems(world.branch_b1, 3)
    letter = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF), actor=world.guide, on=AS_OF
    )
    with pytest.raises(PermissionDenied):
        actions.answer_letter(letter, actor=world.guide, answer="x", on=AS_OF)  # the sender cannot answer
    letter = actions.answer_letter(
        letter,
        actor=b1,
        answer="已召开专题会议部署整改",
        on=dt.date(2026, 12, 1),
        attachments=[("会议纪要.pdf", b"%PDF-1.4\nminutes")],
    )
    assert letter.state == LetterState.ANSWERED and LetterEvidence.objects.filter(letter=letter).count() == 1
    with pytest.raises(PermissionDenied):
        actions.review_answer(letter, actor=b1, accept=True, comment="", on=AS_OF)
    letter = actions.review_answer(
        letter,
        actor=world.guide,
        accept=False,
        comment="未说明销号进度",
        on=dt.date(2026, 12, 2),
        feedback_due=dt.date(2026, 12, 9),
    )
    assert letter.state == LetterState.SENT and letter.feedback_due == dt.date(2026, 12, 9)
    letter = actions.answer_letter(letter, actor=b1, answer="3个问题已销号2个", on=dt.date(2026, 12, 8))
    letter = actions.review_answer(letter, actor=world.guide, accept=True, comment="同意", on=dt.date(2026, 12, 9))
    assert letter.state == LetterState.ACCEPTED and letter.rounds == 2 and letter.closed_on == dt.date(2026, 12, 9)


def test_only_the_group_assigned_or_an_office_above_may_send(world, campaign):
    add_problems(world.branch_a1a, 2)
    with pytest.raises(PermissionDenied):
        actions.draft_letter(world.branch_a1a, actor=world.guide, as_of=AS_OF)  # A县 is not its group's
    with pytest.raises(PermissionDenied):
        actions.draft_letter(world.branch_a1a, actor=world.branch_reporter, as_of=AS_OF)  # not to itself
    letter = actions.draft_letter(world.branch_a1a, actor=world.county_office, as_of=AS_OF)
    assert letter.issuer == "A县委主题教育领导小组办公室"


def test_the_letter_docx_is_an_official_document_with_its_number(world, campaign, tmp_path):
    add_problems(world.branch_b1, 3)
    letter = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF), actor=world.guide, on=AS_OF
    )
    out = tmp_path / "l.docx"
    letters.render_docx(
        letter.title, f"{letter.org.name}：", letter.body, letter.issuer, "2026年11月27日", letter.number, str(out)
    )
    paras = [p for p in Document(str(out)).paragraphs]
    assert paras[0].text == "关于B县第一党支部主题教育推进滞后的提示函" and paras[0].style.name == "公文标题"
    assert paras[1].text == "第一巡回指导组提示〔2026〕1号"
    assert paras[2].text == "B县第一党支部：" and paras[2].style.name == "主送机关"
    texts = [p.text for p in paras]
    assert texts[3].startswith("对照主题教育时间进度，截至11月27日") and texts[4].startswith("一是")
    assert any(t.startswith("是检视整改方面", 1) and "问题整改销号率为0.0%" in t for t in texts)
    assert texts[-2:] == ["第一巡回指导组", "2026年11月27日"]


def test_cli_writes_the_draft_or_says_plainly_there_is_nothing(world, campaign, tmp_path, capsys):
    add_problems(world.branch_b1, 3)
    call_command("letter", "--org", "XS-B-1", "--as-of", "2026-11-27", "--out", str(tmp_path / "l.md"))
    md = (tmp_path / "l.md").read_text(encoding="utf-8")
    assert md.startswith("# 关于B县第一党支部主题教育推进滞后的提示函") and "数据依据" in md
    call_command("letter", "--org", "XS-B-1", "--as-of", "2026-11-27", "--out", str(tmp_path / "l.docx"))
    assert Document(str(tmp_path / "l.docx")).paragraphs[0].text.endswith("提示函")
    add_problems(world.branch_a2, 1, closed=1)
    study_this_month(world.branch_a2)
    call_command("letter", "--org", "XS-A-2", "--as-of", "2026-11-27", "--out", str(tmp_path / "none.docx"))
    assert "无需发提示函，未生成文件" in capsys.readouterr().out
    assert not (tmp_path / "none.docx").exists()


def test_the_draft_names_the_short_boards_the_detectors_find_within_the_org(world, campaign):
    """Issue 13: letters come from the briefing's detectors. A县教育局's first branch held no study this
    month (its second did): that branch is named, worst first, then the county with its figures;
    城关镇's branch, which studied, is not."""
    study_this_month(world.branch_a1b)
    study_this_month(world.branch_a2)  # the look-alike: a branch under the same county that studied
    found = letters.letter_findings(world.county_a, AS_OF)
    boards = [f for f in found if f.status == letters.BOARD and f.code == "grassroots_quiet"]
    assert [f.subject for f in boards] == ["A县教育局第一党支部", "A县委"]  # where it sits, then the county
    text = letters.draft(world.county_a, AS_OF, issuer="第一巡回指导组").body
    assert (
        "学习教育方面，末端覆盖不足，A县教育局第一党支部：本月尚未开展集体学习；"
        "A县委：3个党支部中1个本月尚未开展集体学习。" in text
    )
    assert "城关镇" not in text
    # The scorecard line the detector reads is not said a second time.
    assert "study.grassroots_coverage" not in [f.code for f in found]
    # Once the first branch studies too, the board is gone from the letter.
    study_this_month(world.branch_a1a)
    assert not [f for f in letters.letter_findings(world.county_a, AS_OF) if f.code == "grassroots_quiet"]


def test_the_letter_docx_has_no_zero_width_characters(world, campaign, tmp_path):
    out = tmp_path / "zw.docx"
    letters.render_docx(
        "关于\u200b提示的函",
        "B县\ufeff第一党支部：",
        "对照\u200d时间进度。\n一是\u2060学习。",
        "第一巡回\u200c指导组",
        "2026年11月27日",
        "提示〔2026〕\u200b1号",
        str(out),
    )
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert texts[:4] == ["关于提示的函", "提示〔2026〕1号", "B县第一党支部：", "对照时间进度。"]
    assert "第一巡回指导组" in texts
    assert not any(ch in "".join(texts) for ch in "\u200b\u200c\u200d\u2060\ufeff")


def test_an_answered_letter_waits_on_the_senders_home_page_and_not_on_the_units(world, campaign, client):
    from tests.conftest import login_as, make_user

    b1 = make_user("b1_clerk", "unit", org=world.branch_b1)
    add_problems(world.branch_b1, 3)
    letter = actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF), actor=world.guide, on=AS_OF
    )
    # look-alike: a letter sent and not yet answered is not for the sender to review
    actions.send_letter(
        actions.draft_letter(world.branch_b1, actor=world.guide, as_of=AS_OF), actor=world.guide, on=AS_OF
    )
    login_as(client, world.guide)
    assert "提示函答复待审核" not in client.get("/").content.decode()
    actions.answer_letter(letter, actor=b1, answer="已召开专题会议部署整改", on=dt.date(2026, 12, 1))
    page = client.get("/").content.decode()
    assert "提示函答复待审核" in page and f"答复了{letter.number}" in page
    assert page.count("，请审核") == 1 and f"/supervision/letters/{letter.pk}/" in page
    login_as(client, b1)  # the unit that answered has nothing to review
    assert "提示函答复待审核" not in client.get("/").content.decode()
    actions.review_answer(letter, actor=world.guide, accept=True, comment="同意办结", on=dt.date(2026, 12, 2))
    login_as(client, world.guide)
    assert "提示函答复待审核" not in client.get("/").content.decode()

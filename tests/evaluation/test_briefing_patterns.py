"""The briefing names each pattern's unit beside the right judgement, and no other (issue 9)."""

import pytest
from django.core.management import call_command
from docx import Document

from tests.evaluation.patterns import AS_OF, NAMES, PATTERN, build_city, self_study
from tuijin.core.detectors import JUDGEMENTS, get
from tuijin.evaluation import briefing


@pytest.fixture
def city(db):
    return build_city()


def problems_text(b):
    return [c.text for c in b.sections[1].paragraphs]


def judgement_paragraph(b, detector_code):
    judgement = JUDGEMENTS[get(detector_code).judgement]
    return next(t for t in problems_text(b) if judgement in t)


def test_each_pattern_unit_is_named_beside_its_judgement_and_nowhere_else(city):
    b = briefing.build(city.city, AS_OF)
    section = "".join(problems_text(b))
    for code, unit in PATTERN.items():
        paragraph = judgement_paragraph(b, code)
        lead = get(code).lead
        assert f"{lead}，{NAMES[unit]}（" in paragraph, (code, paragraph)
        assert section.count(NAMES[unit]) == 1, (unit, section)
    for look_alike in set(NAMES) - set(PATTERN.values()):
        assert NAMES[look_alike] not in section
    for top in ("A县委", "B县委", "市直机关工委"):
        assert top not in section


def test_changing_one_units_data_changes_exactly_its_sentence(city):
    before = problems_text(briefing.build(city.city, AS_OF))
    self_study(city, city.cadres["SZ-1"] + city.people["SZ-1-1"])
    after = problems_text(briefing.build(city.city, AS_OF))
    lead = get("collective_over_self").lead
    changed = [(x, y) for x, y in zip(before, after) if x != y]
    assert len(before) == len(after) and len(changed) == 1
    old, new = changed[0]
    assert f"{lead}，市卫健委党组（集体学习覆盖率100.0%，个人自学覆盖率0.0%）；" in old
    assert new == old.replace(f"{lead}，市卫健委党组（集体学习覆盖率100.0%，个人自学覆盖率0.0%）；", "")


def test_good_examples_are_units_with_data_and_no_board(city, settings, tmp_path):
    from tests.conftest import make_org
    from tuijin.rectification import actions
    from tuijin.rectification.models import Problem

    settings.MEDIA_ROOT = tmp_path
    make_org(city.sz, "SZ-9", "市档案馆党组", kind="党组")  # no members, no data: nothing to praise it for
    for problem in Problem.objects.filter(org=city.units["SZ-2"]):
        actions.attach_evidence(problem, actor=None, name="a.pdf", data=b"%PDF-1.4\n" + str(problem.pk).encode())
        for measure in problem.measures.all():  # no 待验收 while a measure is open (issue 11)
            actions.set_measure_done(measure, actor=None, done=True, as_of=AS_OF)
        actions.submit_for_acceptance(problem, actor=None)
        actions.close_problem(problem, actor=None, as_of=AS_OF, change="整改后群众办事不再多跑腿")
    b = briefing.build(city.city, AS_OF)
    praise = next(c for c in b.sections[0].paragraphs if "走在前列" in c.text)
    assert "问题整改销号率较高的有市教育局党组（100.0%）" in praise.text
    assert "市档案馆党组" not in praise.text
    # A unit named for a board is not praised in the same dimension: 市卫健委党组 (集体学习多个人自学少).
    study_part = praise.text.split("；")[0]
    assert study_part.startswith("从单位看，指定书目学习覆盖率较高的有") and "市卫健委党组" not in study_part
    assert "B县民政局党组" not in praise.text  # its cadres made no visit


def test_the_outline_is_written_from_the_same_findings(city, tmp_path):
    notice = briefing.build(city.city, AS_OF)
    outline = briefing.build(city.city, AS_OF, kind="outline")
    assert outline.title == "在全市主题教育11月份推进会上的讲话提纲" and outline.addressee == "同志们："
    assert [f.text for f in outline.findings] == [f.text for f in notice.findings]
    texts = [c.text for c in outline.sections[0].paragraphs]
    judgements = [t[:2] for t in texts if t[1:2] == "是" and t[0] in "一二三四五六七八九十"]
    assert judgements == ["一是", "二是", "三是"]  # dash lines under a judgement do not count
    assert any(t.startswith("一是学习教育存在不够平衡的现象") for t in texts)
    assert "——有的集体学习好于个人自学：市卫健委党组：集体学习覆盖率100.0%，个人自学覆盖率0.0%。" in texts
    assert outline.sections[1].heading == "二、下步要求"
    assert outline.sections[1].paragraphs[0].text.startswith("一是要持续抓实理论学习")
    call_command(
        "briefing", "--org", "XS", "--as-of", "2026-11-27", "--kind", "outline", "--out", str(tmp_path / "o.docx")
    )
    assert Document(str(tmp_path / "o.docx")).paragraphs[0].text == outline.title
    call_command("briefing", "--org", "XS", "--as-of", "2026-11-27", "--out", str(tmp_path / "n.md"))
    md = (tmp_path / "n.md").read_text(encoding="utf-8")
    assert "## 附表：短板单位一览" in md and "市卫健委党组（SZ-1）" in md

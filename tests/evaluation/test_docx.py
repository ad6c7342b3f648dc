"""The briefing .docx keeps the GB/T 9704 type area on a 22 lines × 28 characters document grid.

These read the files back (python-docx / lxml) and check the numbers against the page itself, so a
changed margin, font size or grid attribute shows up here rather than in print.
"""

import io
import math
import zipfile
from types import SimpleNamespace as NS

import pytest
from docx import Document
from docx.oxml.ns import qn

from tuijin.evaluation import docx

TWIPS_PER_MM = 1440 / 25.4


def briefing():
    text = "为深入学习贯彻党的创新理论推动主题教育走深走实现将有关情况通报如下" * 3
    return NS(
        title="关于全市主题教育推进情况的通报",
        addressee="各县（区）委，市直各单位党组（党委）：",
        opening="现将有关情况通报如下：",
        sections=[NS(heading="一、总体情况", paragraphs=[NS(text=text), NS(text="截至11月28日，覆盖率为60.1%。")])],
        issuer="X市委主题教育领导小组办公室",
        date_text="2026年11月28日",
    )


@pytest.fixture(params=["template", "rendered"])
def document(request):
    if request.param == "template":
        return Document(str(docx.TEMPLATE))
    buffer = io.BytesIO()
    docx.render(briefing(), buffer)
    return Document(io.BytesIO(buffer.getvalue()))


def attr(el, name):
    return el.get(qn(f"w:{name}"))


def size_pt(rpr):
    return int(attr(rpr.find(qn("w:sz")), "val")) / 2


def style_xml(document, name):
    return document.styles[name].element


def test_the_page_is_a4_with_the_official_margins(document):
    sect = document.sections[0]._sectPr
    pg_sz, pg_mar = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    mm = {
        k: int(attr(el, k)) / TWIPS_PER_MM
        for el, keys in ((pg_sz, ("w", "h")), (pg_mar, ("top", "bottom", "left", "right")))
        for k in keys
    }
    assert {k: round(v) for k, v in mm.items()} == {
        "w": 210,
        "h": 297,
        "top": 37,
        "bottom": 35,
        "left": 28,
        "right": 26,
    }


def test_the_document_grid_gives_22_lines_of_28_characters(document):
    sect = document.sections[0]._sectPr
    grid = sect.find(qn("w:docGrid"))
    assert attr(grid, "type") == "linesAndChars"
    pg_sz, pg_mar = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    width = int(attr(pg_sz, "w")) - int(attr(pg_mar, "left")) - int(attr(pg_mar, "right"))  # twips
    height = int(attr(pg_sz, "h")) - int(attr(pg_mar, "top")) - int(attr(pg_mar, "bottom"))
    line_pitch = int(attr(grid, "linePitch"))
    assert line_pitch == 579 and height // line_pitch == 22

    # charSpace is the pitch beyond the Normal style's size, in 1/4096 pt (ECMA-376 §17.6.5); the
    # document default is the same 三号, so readers that take either get the same pitch.
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    normal = style_xml(document, "Normal").rPr
    assert size_pt(defaults) == size_pt(normal) == 16
    char_space = int(attr(grid, "charSpace"))
    assert char_space == -842
    pitch_pt = 16 + char_space / 4096
    assert math.floor(width / 20 / pitch_pt) == 28
    assert math.floor(width / 20 / (16 + (char_space + 1) / 4096)) == 27  # the widest pitch that fits 28


def test_body_text_fits_28_characters_without_the_grid(document):
    """LibreOffice cannot narrow characters to the grid: the body styles stay off its grid and are
    condensed so that 28 三号 characters fit 156 mm anyway, and 29 do not."""
    sect = document.sections[0]._sectPr
    pg_sz, pg_mar = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    width = int(attr(pg_sz, "w")) - int(attr(pg_mar, "left")) - int(attr(pg_mar, "right"))
    for name in ("Normal", "公文正文", "主送机关", "一级标题", "二级标题", "落款"):
        style = style_xml(document, name)
        assert attr(style.pPr.find(qn("w:snapToGrid")), "val") == "0", name
        assert attr(style.pPr.find(qn("w:spacing")), "lineRule") == "exact"
        assert int(attr(style.pPr.find(qn("w:spacing")), "line")) == 579, name
        assert size_pt(style.rPr) == 16, name
        advance = 320 + int(attr(style.rPr.find(qn("w:spacing")), "val"))  # twips a character
        assert 28 * advance < width < 29 * advance, name
    body = style_xml(document, "公文正文").pPr.find(qn("w:ind"))
    assert attr(body, "firstLineChars") == "200"
    assert int(attr(body, "firstLine")) + 26 * (320 - 6) < width  # 首行缩进二字, then 26 characters


def test_the_title_is_off_the_character_grid(document):
    title = style_xml(document, "公文标题")
    assert size_pt(title.rPr) == 22
    assert attr(title.pPr.find(qn("w:snapToGrid")), "val") == "0"
    assert attr(title.rPr.find(qn("w:snapToGrid")), "val") == "0"
    assert title.rPr.find(qn("w:spacing")) is None


def test_the_shipped_template_is_what_build_template_makes(tmp_path):
    built = docx.build_template(tmp_path / "t.docx")
    with zipfile.ZipFile(docx.TEMPLATE) as shipped, zipfile.ZipFile(built) as fresh:
        parts = [n for n in fresh.namelist() if n.startswith("word/") and n.endswith(".xml")]
        assert parts and sorted(parts) == sorted(
            n for n in shipped.namelist() if n.startswith("word/") and n.endswith(".xml")
        )
        for part in parts:
            assert shipped.read(part) == fresh.read(part), f"{part}: run docx.build_template() again"


ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u2060"]


def all_text(document) -> str:
    """Every w:t of the body, headers and footers, read back with python-docx."""
    parts = [document.element] + [hf._element for s in document.sections for hf in (s.header, s.footer)]
    return "".join(t.text or "" for part in parts for t in part.iter(qn("w:t")))


def test_no_zero_width_characters_from_user_text_or_the_template(tmp_path, monkeypatch):
    # An office's edited template with a zero-width space typed into the issuer line and a footer.
    template = Document(str(docx.TEMPLATE))
    issuer = next(p for p in template.paragraphs if "{{ issuer }}" in p.text)
    issuer.runs[0].text = "\u200b" + issuer.runs[0].text + "\ufeff"
    template.sections[0].footer.add_paragraph("页\u2060脚")
    custom = tmp_path / "custom.docx"
    template.save(custom)
    monkeypatch.setenv("TUIJIN_BRIEFING_TEMPLATE", str(custom))
    b = briefing()
    b.title = "关于\u200b推进情况\u200d的通报"
    b.sections[0].paragraphs.append(NS(text="覆盖率为58.7%（16020/27291），\u200c粘贴\u2060来的\ufeff文字。"))
    b.number = "市主教办〔2026〕\u200b3号"
    buffer = io.BytesIO()
    docx.render(b, buffer)
    document = Document(io.BytesIO(buffer.getvalue()))
    text = all_text(document)
    assert "关于推进情况的通报" in text and "覆盖率为58.7%（16020/27291），粘贴来的文字。" in text
    assert "市主教办〔2026〕3号" in text and "页脚" in text and "X市委主题教育领导小组办公室" in text
    assert not [ch for ch in ZERO_WIDTH if ch in text]
    # The raw XML too (nothing hidden outside w:t elements of the main part).
    xml = zipfile.ZipFile(io.BytesIO(buffer.getvalue())).read("word/document.xml").decode()
    assert not [ch for ch in ZERO_WIDTH if ch in xml]
    # Line breaking is left to the layout: the body style may break between any two characters.
    ppr = style_xml(document, "公文正文").find(qn("w:pPr"))
    assert attr(ppr.find(qn("w:wordWrap")), "val") == "0"

"""The briefing as an official document (GB/T 9704 layout) from a .docx template staff can edit.

The shipped template (briefing_template.docx) is built by `build_template()`; an office may open it
in Word or WPS, change fonts, the issuer line or the layout, and point TUIJIN_BRIEFING_TEMPLATE at
its copy. Rendering fills it with docxtpl.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips

TEMPLATE = Path(__file__).with_name("briefing_template.docx")
TITLE_FONT = "方正小标宋简体"  # Word/WPS substitute a similar font where it is not installed
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
BODY_PT = 16  # 三号
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
# The section carries the document grid, 22 lines × 28 characters (docGrid linesAndChars, linePitch
# 579, charSpace -842), which Word and WPS lay text out on. 28 三号 characters do not fit 156 mm at
# their natural width (28 × 16 pt = 448 pt > 442.25 pt): Word narrows each by the negative charSpace
# to a 15.79 pt pitch. LibreOffice (7.x) cannot narrow: it lays a character grid out as cells, gives
# a glyph wider than a cell two cells (14 characters a line) and pads every run of figures to whole
# cells. So the paragraph styles opt out of the grid in LibreOffice (pPr snapToGrid 0; in Word that
# is the line grid, ECMA-376 §17.3.1.32, which the exact 28.95 pt line spacing keeps anyway) and
# condense their characters by 0.3 pt, so that 28 fit a line in every renderer, grid or not.

# Child order of w:rPr and w:pPr (ECMA-376 CT_RPr, CT_PPrBase), for inserting in place.
_RPR_ORDER = (
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
)
_PPR_ORDER = (
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def template_path() -> Path:
    return Path(os.environ.get("TUIJIN_BRIEFING_TEMPLATE") or TEMPLATE)


def _fonts(style_or_run, east_asia: str, size_pt: float, bold=False):
    font = style_or_run.font
    font.size = Pt(size_pt)
    font.bold = bold
    font.name = "Times New Roman"
    rpr = style_or_run.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.append(rfonts)
    rfonts.set(qn("w:eastAsia"), east_asia)


def _child(parent, tag: str, val: str):
    """Set `<tag w:val=val>` under a w:rPr or w:pPr, inserted in schema order."""
    el = parent.find(qn(tag))
    if el is None:
        order = _RPR_ORDER if parent.tag == qn("w:rPr") else _PPR_ORDER
        el = OxmlElement(tag)
        parent.insert_element_before(el, *order[order.index(tag) + 1 :])
    el.set(qn("w:val"), val)
    return el


def grid(section) -> tuple[int, int]:
    """(linePitch in twips, charSpace in 1/4096 pt) for LINES_PER_PAGE × CHARS_PER_LINE on the type area.

    charSpace is the pitch beyond the Normal style's font size (ECMA-376 §17.6.5), rounded down so
    that CHARS_PER_LINE pitches still fit the width: 156 mm → 15.79 pt → -842 at 三号.
    """
    twips = 635  # EMU
    width = (section.page_width - section.left_margin - section.right_margin) / twips
    height = (section.page_height - section.top_margin - section.bottom_margin) / twips
    line_pitch = math.floor(height / LINES_PER_PAGE)
    char_space = math.floor((width / 20 / CHARS_PER_LINE - BODY_PT) * 4096)
    return line_pitch, char_space


def _indent_twips(chars: int, char_space: int) -> Twips:
    """`chars` grid characters in whole twips (15.79 pt → 315 each), for readers without *Chars
    indents (LibreOffice): 2 characters of the condensed body text, 630 twips, not 32 pt."""
    return Twips(chars * math.floor((BODY_PT + char_space / 4096) * 20))


def _condense_twips(char_space: int) -> int:
    """Character spacing (twentieths of a point, negative) that makes a 三号 character narrower than
    the grid pitch: -842/4096 pt is -4.1 twips → -6 (-0.3 pt). The twip beyond -5 is LibreOffice's:
    it still cuts the line to whole grid cells (28 × 315 twips) and counts the last character's
    spacing, so 28 × (320 - 5) does not fit."""
    return -(math.ceil(-char_space / 4096 * 20) + 1)


def _style(doc, name, font, size, *, line_pitch, char_space, align=None, first_line_chars=None, bold=False):
    style = doc.styles[name] if name in [s.name for s in doc.styles] else doc.styles.add_style(name, 1)
    _fonts(style, font, size, bold)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Twips(line_pitch)  # one grid line: 22 lines on the 225 mm type area
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        fmt.alignment = align
    if first_line_chars:
        # Indents count grid characters (firstLineChars, Word/WPS), with a twips fallback.
        fmt.first_line_indent = _indent_twips(first_line_chars, char_space)
        style.element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), str(first_line_chars * 100))
    _child(style.element.get_or_add_pPr(), "w:snapToGrid", "0")  # see the note above
    rpr = style.element.get_or_add_rPr()
    if size == BODY_PT:
        _child(rpr, "w:spacing", str(_condense_twips(char_space)))
    else:  # the 二号 title keeps its natural width, off the character grid in Word too
        _child(rpr, "w:snapToGrid", "0")
    return style


def _page_number_footer(footer, align):
    """ "— 1 —" in 4号 宋体, outside edge: right on odd pages, left on even."""
    p = footer.paragraphs[0]
    p.alignment = align
    for text, field in (("— ", None), (None, "PAGE"), (" —", None)):
        run = p.add_run()
        _fonts(run, "宋体", 14)
        if field:
            for kind in ("begin", None, "end"):
                if kind is None:
                    instr = OxmlElement("w:instrText")
                    instr.set(qn("xml:space"), "preserve")
                    instr.text = f" {field} "
                    run._r.append(instr)
                else:
                    char = OxmlElement("w:fldChar")
                    char.set(qn("w:fldCharType"), kind)
                    run._r.append(char)
        else:
            run.text = text


def build_template(path: Path = TEMPLATE) -> Path:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.start_type = WD_SECTION.NEW_PAGE
    # Document grid: 22 lines × 28 characters ("指定行和字符网格"), measured on the type area.
    line_pitch, char_space = grid(section)
    sect = section._sectPr
    docgrid = sect.find(qn("w:docGrid"))
    if docgrid is None:
        docgrid = OxmlElement("w:docGrid")
        sect.append(docgrid)
    docgrid.set(qn("w:type"), "linesAndChars")
    docgrid.set(qn("w:linePitch"), str(line_pitch))
    docgrid.set(qn("w:charSpace"), str(char_space))
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    pitch = {"line_pitch": line_pitch, "char_space": char_space}
    _style(doc, "Normal", BODY_FONT, BODY_PT, **pitch)
    # charSpace is measured against the Normal style's size (Word; LibreOffice reads the same
    # style); the document default is 三号 too, so a style without a size still matches the grid.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):
        _child(rpr_default, tag, str(BODY_PT * 2))
    title = _style(doc, "公文标题", TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, **pitch)
    title.paragraph_format.line_spacing = Pt(36)
    _style(doc, "公文正文", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=2, **pitch)
    _style(doc, "主送机关", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.LEFT, **pitch)
    _style(doc, "一级标题", HEADING_FONT, BODY_PT, first_line_chars=2, **pitch)
    _style(doc, "二级标题", SUBHEADING_FONT, BODY_PT, first_line_chars=2, **pitch)
    sign = _style(doc, "落款", BODY_FONT, BODY_PT, align=WD_ALIGN_PARAGRAPH.RIGHT, **pitch)
    sign.paragraph_format.right_indent = _indent_twips(4, char_space)  # 右空四字
    sign.element.pPr.ind.set(qn("w:rightChars"), "400")

    body = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    body.text, body.style = "{{ title }}", doc.styles["公文标题"]
    doc.add_paragraph("", style="公文正文")
    doc.add_paragraph("{{ addressee }}", style="主送机关")
    doc.add_paragraph("{{ opening }}", style="公文正文")
    doc.add_paragraph("{%p for section in sections %}", style="公文正文")
    doc.add_paragraph("{{ section.heading }}", style="一级标题")
    doc.add_paragraph("{%p for claim in section.paragraphs %}", style="公文正文")
    doc.add_paragraph("{{ claim.text }}", style="公文正文")
    doc.add_paragraph("{%p endfor %}", style="公文正文")
    doc.add_paragraph("{%p endfor %}", style="公文正文")
    doc.add_paragraph("", style="公文正文")
    doc.add_paragraph("", style="公文正文")
    doc.add_paragraph("{{ issuer }}", style="落款")
    doc.add_paragraph("{{ date_text }}", style="落款")
    doc.save(path)
    return path


# Zero-width characters (ZWSP, ZWNJ, ZWJ, WORD JOINER, BOM) never go into a document: pasted user
# text and edited templates carry them, they split words for search and copy-paste, and screen
# readers stumble on them (issue 11). Line breaking is the layout's job: the body styles allow a
# break between any two characters (w:wordWrap 0, East Asian typography), so "58.7%（16020/27291）"
# wraps without hidden characters.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_ZERO_WIDTH = dict.fromkeys(map(ord, ZERO_WIDTH))


def visible(text: str) -> str:
    """The text without zero-width characters."""
    return text.translate(_ZERO_WIDTH) if text else text


def _parts(document):
    """Every XML part of the package that holds text: the body, headers, footers, notes."""
    for part in document.part.package.iter_parts():
        element = getattr(part, "_element", None)
        if element is not None:
            yield element


def strip_zero_width(document) -> None:
    """Remove zero-width characters from every run of text (w:t) of the document, whatever put them
    there, and let the body text break anywhere instead."""
    for part in _parts(document):
        for t in part.iter(qn("w:t")):
            if t.text and any(ch in t.text for ch in ZERO_WIDTH):
                t.text = visible(t.text)
    for style in document.styles:
        if style.type == 1 and style.name in ("公文正文", "主送机关"):
            _child(style.element.get_or_add_pPr(), "w:wordWrap", "0")


def render(briefing, target) -> None:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template_path()))
    sections = [
        {"heading": s.heading, "paragraphs": [{"text": visible(c.text)} for c in s.paragraphs]}
        for s in briefing.sections
    ]
    sections = [{"heading": visible(s["heading"]), "paragraphs": s["paragraphs"]} for s in sections]
    tpl.render(
        {
            "title": visible(briefing.title),
            "addressee": visible(briefing.addressee),
            "opening": visible(briefing.opening),
            "sections": sections,
            "issuer": visible(briefing.issuer),
            "date_text": visible(briefing.date_text),
        },
        autoescape=True,
    )
    number = getattr(briefing, "number", "")  # an issued briefing's 发文字号, centred under the title
    if number:
        body = tpl.docx.paragraphs
        title = next((p for p in body if p.text.strip()), None)
        if title is not None:
            line = title.insert_paragraph_before(visible(number), style="主送机关")
            line.alignment = WD_ALIGN_PARAGRAPH.CENTER
            title._p.addnext(line._p)  # moved: the title stays first, the number follows it
    strip_zero_width(tpl.docx)
    tpl.save(target)

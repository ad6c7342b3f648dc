"""The briefing as an official document (GB/T 9704 layout) from a .docx template staff can edit.

The shipped template (briefing_template.docx) is built by `build_template()`; an office may open it
in Word or WPS, change fonts, the issuer line or the layout, and point TUIJIN_BRIEFING_TEMPLATE at
its copy. Rendering fills it with docxtpl.
"""
from __future__ import annotations

import os
from pathlib import Path

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TEMPLATE = Path(__file__).with_name("briefing_template.docx")
TITLE_FONT = "方正小标宋简体"  # Word/WPS substitute a similar font where it is not installed
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"


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


def _style(doc, name, font, size, *, align=None, first_line_chars=None, bold=False):
    style = doc.styles[name] if name in [s.name for s in doc.styles] else doc.styles.add_style(name, 1)
    _fonts(style, font, size, bold)
    fmt = style.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(28.95)  # 22 lines on the 225 mm type area
    fmt.space_before = fmt.space_after = Pt(0)
    if align is not None:
        fmt.alignment = align
    if first_line_chars:
        fmt.first_line_indent = Pt(size * first_line_chars)
    return style


def _page_number_footer(footer, align):
    """"— 1 —" in 4号 宋体, outside edge: right on odd pages, left on even."""
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
    # Document grid: 22 lines a page. The 28-character grid (type linesAndChars, charSpace) is left
    # off: LibreOffice spreads characters far apart with it; the 156 mm type area at 三号 already
    # holds 27–28 characters. Offices using Word can switch it on in the template.
    sect = section._sectPr
    grid = sect.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    grid.set(qn("w:charSpace"), "-842")
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number_footer(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number_footer(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)

    _style(doc, "Normal", BODY_FONT, 16)
    # The grid's charSpace is measured against the document default size: make that 三号 too.
    rpr_default = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    for tag in ("w:sz", "w:szCs"):
        el = rpr_default.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr_default.append(el)
        el.set(qn("w:val"), "32")
    title = _style(doc, "公文标题", TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER)
    title.paragraph_format.line_spacing = Pt(36)
    _style(doc, "公文正文", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.JUSTIFY, first_line_chars=2)
    _style(doc, "主送机关", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.LEFT)
    _style(doc, "一级标题", HEADING_FONT, 16, first_line_chars=2)
    _style(doc, "二级标题", SUBHEADING_FONT, 16, first_line_chars=2)
    sign = _style(doc, "落款", BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT)
    sign.paragraph_format.right_indent = Pt(64)

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


def render(briefing, target) -> None:
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(str(template_path()))
    tpl.render({"title": briefing.title, "addressee": briefing.addressee, "opening": briefing.opening,
                "sections": briefing.sections, "issuer": briefing.issuer, "date_text": briefing.date_text},
               autoescape=True)
    tpl.save(target)

"""Reminder letters (提示函): what an org lags in, and the draft written from it (SPEC §2.7).

`letter_findings(org, as_of)` is the one place the short boards come from. Today it reads the org's
scorecard (lines 滞后/严重滞后 against time progress, and must-be-zero counts that are not zero);
when the briefing's findings API (evaluation/findings.py) lands, only this function changes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuijin.core.indicators import STATUS_OK, STATUS_SEVERE
from tuijin.evaluation.briefing import cn_date, fmt, short_date, short_name
from tuijin.evaluation.scorecard import scorecard
from tuijin.orgs.models import Org

FEEDBACK_DAYS = 7  # the default feedback deadline after sending
CN_NUM = "一二三四五六七八九十"


@dataclass
class LetterFinding:
    code: str
    name: str
    dimension: str
    status: str          # 滞后 / 严重滞后, or 待清零 for a count that should be zero
    value: float | None
    expected: float | None
    unit: str
    numerator: float
    denominator: float | None
    severity: float      # how far behind: 0..1 for shares, relative otherwise; larger is worse
    text: str = ""

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in ("code", "name", "dimension", "status", "value", "expected", "unit",
                                                "numerator", "denominator", "severity", "text")}


def letter_findings(org: Org, as_of: dt.date) -> list[LetterFinding]:
    """The org's short boards at `as_of` over its subtree, worst first. Empty when it lags in nothing."""
    card = scorecard(org, as_of, with_tasks=False)
    found = []
    for ln in card.lines:
        ind = ln.indicator
        if ind.code.startswith("supervision."):
            continue  # supervision's own records are what a letter leads to, not what it reminds of
        if ln.status != STATUS_OK and ln.expected is not None and ln.value is not None:
            gap = (ln.expected - ln.value) if ind.higher_is_better else (ln.value - ln.expected)
            if ind.unit != "%" and ln.expected:
                gap = gap / abs(ln.expected)
            text = (f"{ind.name}为{fmt(ln.value, ind.unit)}"
                    + (f"（{ln.pair.num:g}/{ln.pair.den:g}）" if ind.unit == "%" and ln.pair.den else "")
                    + f"，{'低于' if ind.higher_is_better else '高于'}时间进度应达的{fmt(ln.expected, ind.unit)}")
            found.append(LetterFinding(ind.code, ind.name, ind.dimension, ln.status, ln.value, ln.expected, ind.unit,
                                       ln.pair.num, ln.pair.den, round(max(gap, 0.0), 4), text))
        elif ln.expected is None and not ind.higher_is_better and ln.pair.den is None and ln.pair.num > 0:
            found.append(LetterFinding(ind.code, ind.name, ind.dimension, "待清零", ln.value, 0, ind.unit,
                                       ln.pair.num, None, 0.0, f"{ind.name}{fmt(ln.value, ind.unit)}，应当清零"))
    rank = {STATUS_SEVERE: 0, "滞后": 1, "待清零": 2}
    found.sort(key=lambda f: (rank.get(f.status, 3), -f.severity, f.code))
    return found


@dataclass
class LetterDraft:
    org: Org
    as_of: dt.date
    issuer: str
    title: str
    addressee: str
    opening: str
    paragraphs: list[str]
    feedback_due: dt.date
    findings: list[LetterFinding] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


def draft(org: Org, as_of: dt.date, *, issuer: str, findings: list[LetterFinding] | None = None,
          feedback_days: int = FEEDBACK_DAYS) -> LetterDraft | None:
    """The draft letter for an org, or None when it lags in nothing (nothing to remind it of)."""
    findings = letter_findings(org, as_of) if findings is None else findings
    if not findings:
        return None
    due = as_of + dt.timedelta(days=feedback_days)
    paragraphs = [f"对照主题教育时间进度，截至{short_date(as_of)}，你单位以下工作推进滞后："]
    for n, f in enumerate(findings):
        marker = f"{CN_NUM[n] if n < len(CN_NUM) else n + 1}是"
        paragraphs.append(f"{marker}{f.dimension}方面，{f.text}。")
    paragraphs.append(
        f"请你单位高度重视，对照上述问题逐项分析原因、明确措施、限期整改，于{cn_date(due)}前将整改落实情况"
        f"书面反馈{issuer}，并附相关佐证材料。")
    return LetterDraft(org=org, as_of=as_of, issuer=issuer, title=f"关于{short_name(org)}主题教育推进滞后的提示函",
                       addressee=f"{org.name}：", opening="", paragraphs=paragraphs, feedback_due=due,
                       findings=findings)


def to_markdown(title: str, addressee: str, body: str, issuer: str, date_text: str, number: str = "",
                basis: list[dict] | None = None) -> str:
    lines = [f"# {title}", ""]
    if number:
        lines += [number, ""]
    lines += [addressee, ""]
    lines += [p for para in body.splitlines() if para.strip() for p in (para.strip(), "")]
    lines += [issuer, "", date_text, ""]
    if basis:
        lines += ["---", "", "数据依据："]
        lines += [f"- {b['name']}：{b['status']}（值 {b['value']}，应达 {b['expected']}，"
                  f"{b['numerator']:g}/{b['denominator'] if b['denominator'] is not None else '—'}）" for b in basis]
        lines.append("")
    return "\n".join(lines)


def render_docx(title: str, addressee: str, body: str, issuer: str, date_text: str, number: str, target) -> None:
    """The letter in the official layout, through the briefing's template (evaluation/docx.py): the title,
    the number line under it when numbered, the addressee, the body paragraphs, issuer and date."""
    from types import SimpleNamespace

    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from tuijin.evaluation import docx as official

    paragraphs = [SimpleNamespace(text=p.strip()) for p in body.splitlines() if p.strip()]
    doc_like = SimpleNamespace(title=title, addressee=addressee, opening=paragraphs[0].text if paragraphs else "",
                               sections=[SimpleNamespace(heading="", paragraphs=paragraphs[1:])],
                               issuer=issuer, date_text=date_text)
    official.render(doc_like, target)
    document = Document(target)
    # The empty heading paragraph the template leaves for the one section goes.
    for p in document.paragraphs:
        if p.style is not None and p.style.name == "一级标题" and not p.text.strip():
            p._element.getparent().remove(p._element)
    if number:
        # The number (发文字号) goes centred on the blank line under the title.
        blank = document.paragraphs[1]
        blank.text = number
        blank.alignment = WD_ALIGN_PARAGRAPH.CENTER
        blank.paragraph_format.first_line_indent = 0
    document.save(target)

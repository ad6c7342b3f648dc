"""Reminder letters (提示函): what an org lags in, and the draft written from it (SPEC §2.7).

`letter_findings(org, as_of)` is the one place the short boards come from (issue 13: "letters are
drafted from the same short-board detectors" as the briefing):

1. the detectors' findings within the org's subtree, the org itself included
   (`evaluation.findings.findings(org, as_of, include_self=True)`): the unit where each pattern sits,
   with its figures ("市卫健委党组：集体学习覆盖率92.0%，个人自学覆盖率8.0%"), worst first;
2. then the org's own scorecard lines that lag time progress (滞后/严重滞后) and must-be-zero counts
   that are not zero, unless a detector that found something already reads that indicator.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuijin.core.indicators import STATUS_OK, STATUS_SEVERE
from tuijin.evaluation import findings as findings_mod
from tuijin.evaluation.briefing import cn_date, fmt, short_date, short_name
from tuijin.evaluation.scorecard import scorecard
from tuijin.orgs.models import Org

FEEDBACK_DAYS = 7  # the default feedback deadline after sending
CN_NUM = "一二三四五六七八九十"
BOARD = "短板"  # the status of a detector's finding (a pattern in a unit's figures, not a time-progress line)
MAX_UNITS = 5  # units named per short board in a letter; more read "A、B等N个单位"


@dataclass
class LetterFinding:
    code: str
    name: str
    dimension: str
    status: str  # 滞后 / 严重滞后, or 待清零 for a count that should be zero
    value: float | None
    expected: float | None
    unit: str
    numerator: float
    denominator: float | None
    severity: float  # how far behind: 0..1 for shares, relative otherwise; larger is worse
    text: str = ""
    subject: str = ""  # a detector's finding: the unit where the pattern sits (its short name)
    subject_code: str = ""
    figures: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            k: getattr(self, k)
            for k in (
                "code",
                "name",
                "dimension",
                "status",
                "value",
                "expected",
                "unit",
                "numerator",
                "denominator",
                "severity",
                "text",
                "subject",
                "subject_code",
                "figures",
            )
        }


def board_findings(org: Org, as_of: dt.date) -> list[LetterFinding]:
    """The detectors' short boards within org's subtree (org itself included), grouped by detector,
    the detector with the worst unit first, worst unit first within it."""
    found = findings_mod.findings(org, as_of, include_self=True)
    groups: dict[str, list] = {}
    for f in found:
        groups.setdefault(f.detector, []).append(f)
    ordered = sorted(groups.values(), key=lambda fs: -max(f.severity for f in fs))
    out = []
    for fs in ordered:
        for f in sorted(fs, key=lambda f: (-f.severity, f.subject.path)):
            out.append(
                LetterFinding(
                    f.detector,
                    f.name,
                    f.dimension,
                    BOARD,
                    None,
                    None,
                    "",
                    0,
                    None,
                    round(f.severity, 4),
                    f.text,
                    subject=findings_mod.short_name(f.subject.name),
                    subject_code=f.subject.code,
                    figures=dict(f.figures),
                )
            )
    return out


def letter_findings(org: Org, as_of: dt.date) -> list[LetterFinding]:
    """The org's short boards at `as_of` over its subtree: the detectors' findings, then the lagging
    scorecard lines they do not already cover. Empty when it lags in nothing.

    Kept per (org, day) until the next recorded change anywhere (every change writes a domain event;
    the key holds the last event's chain hash): without the day's counters the detectors' figures are
    computed live over the org's subtree (seconds for a district), and the group home, the org's page
    and the escalation ladder all ask for them."""
    return day_cached("findings", org, as_of, lambda: _letter_findings(org, as_of))


def day_cached(name: str, org: Org, as_of: dt.date, compute, *extra):
    """compute() kept per (org, day) until the next recorded change anywhere: the key holds the last
    domain event's chain hash, and every change writes one."""
    from django.core.cache import cache

    from tuijin.core.models import DomainEvent

    import hashlib

    last = DomainEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    args = hashlib.sha256(":".join(map(str, extra)).encode()).hexdigest()[:16]  # memcached keys stay < 250
    key = f"supervision:{name}:{org.pk}:{as_of.isoformat()}:{args}:{last}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 600)
    return value


def _letter_findings(org: Org, as_of: dt.date) -> list[LetterFinding]:
    from tuijin.core import detectors as registry

    boards = board_findings(org, as_of)
    covered = {code for f in boards for code in registry.get(f.code).uses}
    card = scorecard(org, as_of, with_tasks=False)
    found = []
    for ln in card.lines:
        ind = ln.indicator
        if ind.code.startswith("supervision."):
            continue  # supervision's own records are what a letter leads to, not what it reminds of
        if ind.code in covered:
            continue  # said already, unit by unit, by the detector that reads it
        if ln.status != STATUS_OK and ln.expected is not None and ln.value is not None:
            gap = (ln.expected - ln.value) if ind.higher_is_better else (ln.value - ln.expected)
            if ind.unit != "%" and ln.expected:
                gap = gap / abs(ln.expected)
            text = (
                f"{ind.name}为{fmt(ln.value, ind.unit)}"
                + (f"（{ln.pair.num:g}/{ln.pair.den:g}）" if ind.unit == "%" and ln.pair.den else "")
                + f"，{'低于' if ind.higher_is_better else '高于'}时间进度应达的{fmt(ln.expected, ind.unit)}"
            )
            found.append(
                LetterFinding(
                    ind.code,
                    ind.name,
                    ind.dimension,
                    ln.status,
                    ln.value,
                    ln.expected,
                    ind.unit,
                    ln.pair.num,
                    ln.pair.den,
                    round(max(gap, 0.0), 4),
                    text,
                )
            )
        elif ln.expected is None and not ind.higher_is_better and ln.pair.den is None and ln.pair.num > 0:
            found.append(
                LetterFinding(
                    ind.code,
                    ind.name,
                    ind.dimension,
                    "待清零",
                    ln.value,
                    0,
                    ind.unit,
                    ln.pair.num,
                    None,
                    0.0,
                    f"{ind.name}{fmt(ln.value, ind.unit)}，应当清零",
                )
            )
    rank = {STATUS_SEVERE: 0, "滞后": 1, "待清零": 2}
    found.sort(key=lambda f: (rank.get(f.status, 3), -f.severity, f.code))
    return boards + found


def paragraphs_for(findings: list[LetterFinding]) -> list[str]:
    """One paragraph per short board (a detector's units together), then one per lagging line."""
    items: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for f in findings:
        if f.status != BOARD:
            items.append((f.dimension, f.text))
            continue
        if f.code in seen:
            continue
        units = [g for g in findings if g.status == BOARD and g.code == f.code]
        seen[f.code] = len(items)
        named = "；".join(g.text for g in units[:MAX_UNITS])
        more = f"等{len(units)}个单位" if len(units) > MAX_UNITS else ""
        items.append((f.dimension, f"{f.name}，{named}{more}"))
    return [f"{CN_NUM[n] if n < len(CN_NUM) else n + 1}是{dim}方面，{text}。" for n, (dim, text) in enumerate(items)]


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


def draft(
    org: Org,
    as_of: dt.date,
    *,
    issuer: str,
    findings: list[LetterFinding] | None = None,
    feedback_days: int = FEEDBACK_DAYS,
) -> LetterDraft | None:
    """The draft letter for an org, or None when it lags in nothing (nothing to remind it of)."""
    findings = letter_findings(org, as_of) if findings is None else findings
    if not findings:
        return None
    due = as_of + dt.timedelta(days=feedback_days)
    paragraphs = [f"对照主题教育时间进度，截至{short_date(as_of)}，你单位以下工作存在短板或推进滞后："]
    paragraphs += paragraphs_for(findings)
    paragraphs.append(
        f"请你单位高度重视，对照上述问题逐项分析原因、明确措施、限期整改，于{cn_date(due)}前将整改落实情况"
        f"书面反馈{issuer}，并附相关佐证材料。"
    )
    return LetterDraft(
        org=org,
        as_of=as_of,
        issuer=issuer,
        title=f"关于{short_name(org)}主题教育推进滞后的提示函",
        addressee=f"{org.name}：",
        opening="",
        paragraphs=paragraphs,
        feedback_due=due,
        findings=findings,
    )


def to_markdown(
    title: str,
    addressee: str,
    body: str,
    issuer: str,
    date_text: str,
    number: str = "",
    basis: list[dict] | None = None,
) -> str:
    lines = [f"# {title}", ""]
    if number:
        lines += [number, ""]
    lines += [addressee, ""]
    lines += [p for para in body.splitlines() if para.strip() for p in (para.strip(), "")]
    lines += [issuer, "", date_text, ""]
    if basis:
        lines += ["---", "", "数据依据："]
        lines += [
            f"- {b['name']}：{b.get('text', '')}"
            if b.get("status") == BOARD
            else f"- {b['name']}：{b['status']}（值 {b['value']}，应达 {b['expected']}，"
            f"{b['numerator']:g}/{b['denominator'] if b['denominator'] is not None else '—'}）"
            for b in basis
        ]
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
    doc_like = SimpleNamespace(
        title=title,
        addressee=addressee,
        opening=paragraphs[0].text if paragraphs else "",
        sections=[SimpleNamespace(heading="", paragraphs=paragraphs[1:])],
        issuer=issuer,
        date_text=date_text,
    )
    official.render(doc_like, target)
    document = Document(target)
    # The empty heading paragraph the template leaves for the one section goes.
    for p in document.paragraphs:
        if p.style is not None and p.style.name == "一级标题" and not p.text.strip():
            p._element.getparent().remove(p._element)
    if number:
        # The number (发文字号) goes centred on the blank line under the title.
        blank = document.paragraphs[1]
        blank.text = official.visible(number)
        blank.alignment = WD_ALIGN_PARAGRAPH.CENTER
        blank.paragraph_format.first_line_indent = 0
    official.strip_zero_width(document)
    document.save(target)

"""The data-driven briefing (讲评/通报), written the way an office writes one (SPEC §2.8, issue 9).

Two genres from one set of findings (`evaluation.findings`): the 通报 (`kind="notice"`, issued to
units) and the secretary's 讲话提纲 for the 推进会 (`kind="outline"`: short judgement lines with the
figures under them, 一是…二是…, then 下步要求). Every paragraph carries the facts it rests on
(`Claim.basis`: indicator figures, the units named and their figures), so any sentence can be traced
to its rows and the text changes when the data does.

Rules the text keeps:
- 二、存在的问题 is built from the findings: each judgement of the seed's section 一 followed by the
  units where each of its patterns sits, with the figure that makes it a board — all of them when
  few, "A、B、C等N个单位" when many (the full list is the Markdown's 附表). A unit that did the thing
  is never named; a judgement never names every unit of the addressee line.
- A sentence about a figure follows the indicator's meaning: only what follows time progress is
  compared with 时间进度; a must-be-zero figure reads "有N个…", never "高于时间进度".
- 一、总体情况 praises units only for what they have data for, and never a unit with a finding; it cites
  up to three adopted 典型案例/经验做法 of the typical-case library, each under the unit that wrote it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuijin.campaigns import rules
from tuijin.core.detectors import JUDGEMENTS
from tuijin.core.indicators import HIGHER, LOWER, NEUTRAL, STATUS_OK, ZERO
from tuijin.orgs.models import Org
from tuijin.orgs.queries import subtree_counts

from . import counters, findings as findings_mod
from .scorecard import scorecard, scorecards

CN_NUM = "一二三四五六七八九十"
# Which judgement a lagging figure of the whole scope belongs to (the seed's section 一, plus one for
# 规定动作 the seed has no words for).
JUDGEMENT_OF = {
    "学习教育": "学习教育",
    "检视整改": "检视整改",
    "调查研究": "方式方法",
    "办实事": "方式方法",
    "宣传信息": "宣传信息",
    "组织领导": "组织领导",
}
JUDGEMENT_TEXT = {**JUDGEMENTS, "组织领导": "规定动作落实存在不够到位的现象"}
# Scope figures whose board a detector tells unit by unit (with the units' own figures) instead.
TOLD_BY_DETECTORS = {"study.unbalanced", "problems.cadre_own_list"}
MANY = 5  # name every unit up to this many; beyond it "A、B、C等N个单位"
NAMED_WHEN_MANY = 3
KINDS = ("notice", "outline")


@dataclass
class Claim:
    text: str
    basis: list[dict] = field(default_factory=list)  # [{indicator|detector, figures, units: [codes]}…]


@dataclass
class Section:
    heading: str
    paragraphs: list[Claim]


@dataclass
class Briefing:
    org: Org
    as_of: dt.date
    title: str
    addressee: str
    opening: str
    sections: list[Section]
    issuer: str
    date_text: str
    kind: str = "notice"
    findings: list = field(default_factory=list)  # every Finding, for the attached table
    number: str | None = None  # an issued briefing's 发文字号 (BriefingDoc.number), centred under the title

    def claims(self) -> list[Claim]:
        return [c for s in self.sections for c in s.paragraphs]


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def short_date(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def fmt(value, unit) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{value * 100:.1f}%"
    if isinstance(value, float) and not value.is_integer():  # averages: two decimals are what a reader uses
        return f"{value:.2f}".rstrip("0").rstrip(".") + unit
    return f"{int(value)}{unit}"


def short_name(org) -> str:
    return findings_mod.short_name(org.name)


def name_units(orgs) -> str:
    names = [short_name(o) for o in orgs]
    if len(names) <= MANY:
        return "、".join(names)
    return f"{'、'.join(names[:NAMED_WHEN_MANY])}等{len(names)}个单位"


def scope_word(org: Org) -> str:
    return "全市" if org.depth == 1 else short_name(org)


def addressee(org: Org) -> str:
    if org.depth == 1:
        return "各县（区）委，市直各单位党组（党委）："
    return "各下级党组织："


# ------------------------------------------------------------------ sentences about figures


def figure_sentence(scope: str, line) -> str:
    """One lagging figure of the whole scope, in words that follow the indicator's meaning."""
    ind, unit = line.indicator, line.indicator.unit
    if ind.sense == ZERO:
        return zero_sentence(scope, ind, line.pair)
    text = f"{scope}{ind.name}为{fmt(line.value, unit)}"
    if line.expected is not None and ind.sense in (HIGHER, LOWER):
        words = ind.expectation_words()
        if ind.sense == HIGHER:
            text += f"，低于{words}的{fmt(line.expected, unit)}"
        else:
            text += f"，高于{words.replace('应达', '允许')}的{fmt(line.expected, unit)}"
    return text


def zero_sentence(scope: str, ind, pair) -> str:
    """A must-be-zero figure: "有N个…" (a share also says of how many), never 时间进度."""
    name, unit = ind.name, ind.unit
    if unit == "%":
        stem = name.removesuffix("占比").removesuffix("比例")
        return f"{scope}有{stem}{int(pair.num)}个，占{fmt(pair.value, '%')}"
    if name.endswith("次数"):
        return f"{scope}{name.removesuffix('次数')}{int(pair.num)}次"
    stem = name.removesuffix("数")
    return f"{scope}有{stem}{int(pair.num)}{unit}"


def units_with_figures(found: list, addressed: set, *, outline: bool = False) -> str:
    """The units of one pattern, worst first: all when few, "A、B、C等N个单位" when many. When the
    pattern holds for every unit of the addressee line itself, naming them says nothing: say so."""
    words = found[0].units_word if found else "个单位"
    if len(addressed) >= 3 and addressed <= {f.subject.code for f in found}:
        return f"{len(addressed)}个单位均存在这一情况（详见附表）"
    shown = found if len(found) <= MANY else found[:NAMED_WHEN_MANY]
    if outline:
        named = "；".join(f.text for f in shown)
    else:
        named = "、".join(f"{findings_mod.short_name(f.subject.name)}（{f.clause}）" for f in shown)
    if len(found) > MANY:
        named += f"等{len(found)}{words}"
    return named


def finding_basis(detector_findings: list) -> dict:
    f0 = detector_findings[0]
    return {
        "detector": f0.detector,
        "name": f0.name,
        "count": len(detector_findings),
        "units": [f.subject.code for f in detector_findings],
        "addressed": sorted({f.addressed.code for f in detector_findings}),
        "figures": {f.subject.code: f.figures for f in detector_findings},
    }


# ------------------------------------------------------------------ the briefing


def build(org: Org, as_of: dt.date, kind: str = "notice") -> Briefing:
    if kind not in KINDS:
        raise ValueError(f"kind should be one of {KINDS}")
    card = scorecard(org, as_of, with_tasks=False)  # 三 evaluates the tasks still due itself
    campaign, progress = card.campaign, card.progress
    scope = scope_word(org)
    ctx = findings_mod.context(org, as_of, campaign)
    found = findings_mod.findings(org, as_of, campaign, ctx=ctx)
    counts = subtree_counts(org)

    overall = overall_claims(org, as_of, card, scope, counts, ctx, found)
    problems = problem_claims(scope, card, found, {u.code for u in ctx.addressed}, outline=kind == "outline")
    next_steps = next_step_claims(org, as_of, campaign, found, outline=kind == "outline")
    issuer = f"{short_name(org)}主题教育领导小组办公室"
    if kind == "outline":
        return Briefing(
            org=org,
            as_of=as_of,
            kind=kind,
            findings=found,
            title=f"在{scope}主题教育{as_of.month}月份推进会上的讲话提纲",
            addressee="同志们：",
            opening=(
                f"截至{short_date(as_of)}，主题教育已经过了{fmt(progress, '%')}的时间。今天召开推进会，"
                "总结讲评前段工作，部署下步任务。下面，我讲几点意见。"
            )
            if campaign
            else "今天召开推进会，总结讲评前段工作，部署下步任务。下面，我讲几点意见。",
            sections=[Section("一、要充分认清前期状况", overall + problems), Section("二、下步要求", next_steps)],
            issuer="",
            date_text=cn_date(as_of),
        )
    return Briefing(
        org=org,
        as_of=as_of,
        kind=kind,
        findings=found,
        title=f"关于{scope}主题教育推进情况的通报",
        addressee=addressee(org),
        opening=f"按照{short_name(org)}主题教育工作安排，现将截至{short_date(as_of)}{scope}主题教育推进情况通报如下：",
        sections=[
            Section("一、总体情况", overall),
            Section("二、存在的问题", problems),
            Section("三、下步工作要求", next_steps),
        ],
        issuer=issuer,
        date_text=cn_date(as_of),
    )


def overall_claims(org, as_of, card, scope, counts, ctx, found) -> list[Claim]:
    campaign, progress = card.campaign, card.progress
    overall = [
        Claim(
            f"{scope}共有党组织{counts.orgs}个（其中党支部{counts.branches}个），党员{counts.members}名参加主题教育。"
            + (
                f"截至{short_date(as_of)}，主题教育已进行{(as_of - campaign.start).days + 1}天，时间进度为{fmt(progress, '%')}。"
                if campaign
                else ""
            ),
            [
                {
                    "indicator": "orgs.counts",
                    "orgs": counts.orgs,
                    "branches": counts.branches,
                    "members": counts.members,
                    "time_progress": progress,
                }
            ],
        )
    ]
    for dimension, lines in card.by_dimension():
        facts = [
            ln for ln in lines if ln.value is not None and (ln.pair.den or ln.pair.num) and ln.indicator.sense != ZERO
        ]
        if not facts:
            continue
        parts = []
        for ln in facts[:4]:
            unit = ln.indicator.unit
            if unit == "%":
                parts.append(f"{ln.indicator.name}{fmt(ln.value, '%')}（{ln.pair.num:g}/{ln.pair.den:g}）")
            else:
                parts.append(f"{ln.indicator.name}{fmt(ln.value, unit)}")
        on_time = [
            ln for ln in facts[:4] if ln.status == STATUS_OK and ln.expected is not None and ln.indicator.time_based
        ]
        tail = f"，其中{ln_names(on_time)}达到时间进度要求" if on_time else ""
        overall.append(Claim(f"{dimension}方面，{'，'.join(parts)}{tail}。", [basis(ln, [org]) for ln in facts[:4]]))
    cadres = cadre_claim(card, scope)
    if cadres:
        overall.append(cadres)
    own = cadre_problems_claim(card, scope)
    if own:
        overall.append(own)
    good = best_units(ctx, found, as_of, campaign)
    if good:
        parts = [
            f"{name}较高的有" + "、".join(f"{short_name(o)}（{fmt(ln.value, ln.indicator.unit)}）" for o, ln in rows)
            for name, rows in good
        ]
        overall.append(
            Claim(
                "从单位看，" + "；".join(parts) + "，均超过时间进度要求，走在前列。",
                [basis(ln, [o]) for _, rows in good for o, ln in rows],
            )
        )
    examples = library_claim(org, as_of)
    if examples:
        overall.append(examples)
    return overall


CADRE_CODES = (
    "study.cadre_self_study_coverage",
    "study.chapters_per_cadre",
    "study.member_self_study_coverage",
    "study.chapters_per_other_member",
)


def cadre_claim(card, scope) -> Claim | None:
    """以上率下: the leading cadres' own study reported beside the other members', as offices always do."""
    lines = {
        ln.code: ln
        for _, group in card.by_dimension()
        for ln in group
        if ln.code in CADRE_CODES or ln.code == "research.visits_per_cadre"
    }
    if any(c not in lines or lines[c].value is None for c in CADRE_CODES):
        return None
    own, per, m_own, m_per = (lines[c] for c in CADRE_CODES)
    visits = lines.get("research.visits_per_cadre")
    research = f"，人均调研{fmt(visits.value, '次')}" if visits is not None and visits.value is not None else ""
    text = (
        f"{scope}领导干部{per.pair.den:g}名，个人自学覆盖率{fmt(own.value, '%')}，人均已学{fmt(per.value, '篇')}"
        f"{research}；其他党员{m_per.pair.den:g}名，个人自学覆盖率{fmt(m_own.value, '%')}，"
        f"人均已学{fmt(m_per.value, '篇')}。"
    )
    used = (own, per, m_own, m_per) + ((visits,) if research and visits is not None else ())
    return Claim(text, [basis(ln, [card.org]) for ln in used])


def cadre_problems_claim(card, scope) -> Claim | None:
    """以上率下: how many leading cadres listed 个人检视 problems of their own, and how many of those are
    closed. Nothing is said where the scope has no leading cadres."""
    lines = {ln.code: ln for ln in card.lines if ln.code in ("problems.cadre_own_list", "problems.cadre_own_closed")}
    own = lines.get("problems.cadre_own_list")
    if own is None or not own.pair.den:
        return None
    closed = lines.get("problems.cadre_own_closed")
    n = closed.pair.den if closed is not None and closed.pair.den else 0
    text = f"{scope}领导干部{own.pair.den:g}名，其中{own.pair.num:g}名列出了本人的个人检视问题"
    text += f"，共{n:g}个，已销号{closed.pair.num:g}个。" if closed is not None and n else "。"
    used = [own] + ([closed] if closed is not None and n else [])
    return Claim(text, [basis(ln, [card.org]) for ln in used])


def library_claim(org, as_of) -> Claim | None:
    """出经验、出典型: the typical-case library's adopted 典型案例/经验做法 of org's subtree (highest level,
    most recent first), each named with the unit that wrote it and its title (issue 14)."""
    from tuijin.publicity.queries import good_examples

    pieces = good_examples(org, as_of)
    if not pieces:
        return None

    def by(level):
        return "被采用" if not level else f"被{level}采用" if level == "中央" else f"被{level}级采用"

    parts = [f"{short_name(p.org)}的{p.type}《{p.title}》{by(p.adopted_level)}" for p in pieces]
    return Claim(
        "出经验、出典型方面，" + "，".join(parts) + "，可供各单位学习借鉴。",
        [
            {
                "library": p.pk,
                "type": p.type,
                "title": p.title,
                "level": p.adopted_level,
                "adopted_on": str(p.adopted_on),
                "units": [p.org.code],
            }
            for p in pieces
        ],
    )


def ln_names(lines) -> str:
    return "、".join(ln.indicator.name for ln in lines[:3])


def basis(line, orgs) -> dict:
    return {
        "indicator": line.code,
        "name": line.indicator.name,
        "value": line.value,
        "numerator": line.pair.num,
        "denominator": line.pair.den,
        "expected": line.expected,
        "status": line.status,
        "units": [o.code for o in orgs],
    }


BEST = 2  # units named per figure
MIN_BASE = 3  # a share or average is a reason for praise only over at least this many records/people
PRAISED = (
    "study.reading_coverage",
    "problems.rectified_share",
    "research.visits_per_cadre",
    "projects.completed_share",
    "campaign.task_completion",
)


def best_units(ctx, found, as_of, campaign) -> list[tuple[str, list]]:
    """先进, figure by figure: for each of a few time-progress figures, the units (of the addressee
    line, or units below them that lead branches) that run furthest ahead of time progress on it —
    on track (正常), measured over at least MIN_BASE records, and not named for a board of the same
    dimension. A unit with no data for a figure is never praised for it."""
    from tuijin.core.indicators import get

    pool = {u.pk: u for u in ctx.addressed}
    pool.update({u.pk: u for u in findings_mod.candidates(ctx) if u.kind != "党支部"})
    boards: dict[str, set] = {}  # dimension -> subject paths named for it
    for f in found:
        boards.setdefault(f.dimension, set()).add(f.subject.path)
    orgs = list(Org.objects.filter(pk__in=list(pool)).order_by("path"))
    if not orgs:
        return []
    cards = scorecards(orgs, as_of, campaign)
    out = []
    for code in PRAISED:
        try:
            indicator = get(code)
        except KeyError:
            continue
        rows = []
        for o in orgs:
            ln = next(x for x in cards[o.pk].lines if x.code == code)
            if ln.value is None or not ln.expected or (ln.pair.den or 0) < MIN_BASE or ln.status != STATUS_OK:
                continue
            if ln.value < ln.expected:
                continue  # within the lag tolerance is not praise
            if findings_mod.under(o.path, boards.get(indicator.dimension, set()), o.steplen):
                continue
            rows.append((-ln.value, o.path, o, ln))
        rows.sort(key=lambda r: (r[0], r[1]))
        if rows:
            out.append((indicator.name, [(o, ln) for _, _, o, ln in rows[:BEST]]))
    return out


def problem_claims(scope, card, found, addressed, *, outline=False) -> list[Claim]:
    """二、存在的问题: per judgement, the scope's lagging figures and the units of each pattern."""
    by_judgement: dict[str, list] = {}
    for f in found:
        key = next(k for k, v in JUDGEMENT_TEXT.items() if v == f.judgement)
        by_judgement.setdefault(key, []).append(f)
    lagging: dict[str, list] = {}
    for ln in card.lines:
        if ln.status != STATUS_OK and ln.indicator.sense != NEUTRAL and ln.code not in TOLD_BY_DETECTORS:
            lagging.setdefault(JUDGEMENT_OF[ln.indicator.dimension], []).append(ln)
    claims, judged = [], 0
    for key, judgement in JUDGEMENT_TEXT.items():
        items = by_judgement.get(key, [])
        lines = lagging.get(key, [])
        if not items and not lines:
            continue
        groups: dict[str, list] = {}
        for f in items:
            groups.setdefault(f.detector, []).append(f)
        evidence, basis_rows = [], []
        for ln in lines:
            evidence.append(figure_sentence(scope, ln))
            basis_rows.append(basis(ln, [card.org]))
        pattern_texts = []
        for group in groups.values():
            units = units_with_figures(group, addressed, outline=outline)
            pattern_texts.append(f"{group[0].lead}：{units}" if outline else f"{group[0].lead}，{units}")
            basis_rows.append(finding_basis(group))
        n = judged
        judged += 1
        head = f"{CN_NUM[n] if n < len(CN_NUM) else n + 1}是{judgement}。"
        if outline:
            claims.append(Claim(head + ("；".join(evidence) + "。" if evidence else ""), basis_rows[: len(evidence)]))
            for text, b in zip(pattern_texts, basis_rows[len(evidence) :], strict=True):
                claims.append(Claim(f"——{text}。", [b]))
        else:
            claims.append(Claim(head + "；".join(evidence + pattern_texts) + "。", basis_rows))
    if not claims:
        claims.append(Claim("对照时间进度和各项检测，未发现明显短板。", []))
    elif outline:
        claims.insert(0, Claim("在肯定进展成效的同时，也要清楚看到还不同程度存在一些短板弱项。", []))
    return claims


REQUIREMENT = {
    "学习教育": "要持续抓实理论学习，集体学习与个人自学并重，把学习抓到基层末端",
    "检视整改": "要持续抓严问题整改，措施写明责任人和时限，逾期问题立即启动，未查摆出问题的单位要再看一看",
    "方式方法": "要持续抓细提质增效，领导干部带头调研并推动成果转化，办实事聚焦群众急难愁盼，请党校专家上讲台",
    "宣传信息": "要持续营造浓厚氛围，提高信息质量，及时回应约稿",
    "组织领导": "要持续抓强组织领导，按时完成部署任务",
}


def next_step_claims(org, as_of, campaign, found, *, outline=False) -> list[Claim]:
    next_steps = []
    if outline:
        keys = []
        for f in found:
            key = next(k for k, v in JUDGEMENT_TEXT.items() if v == f.judgement)
            if key not in keys:
                keys.append(key)
        for n, key in enumerate(keys):
            units: list[findings_mod.Unit] = []
            for f in found:
                if f.judgement == JUDGEMENT_TEXT[key] and f.addressed.code not in [u.code for u in units]:
                    units.append(f.addressed)
            who = name_units(units) if units else ""
            next_steps.append(
                Claim(
                    f"{CN_NUM[n] if n < len(CN_NUM) else n + 1}是{REQUIREMENT[key]}"
                    + (f"，{who}要对照问题逐项整改。" if who else "。"),
                    [{"judgement": key, "units": [u.code for u in units]}],
                )
            )
    if campaign:
        for task in campaign.tasks.filter(deadline__gte=as_of).order_by("deadline"):
            stored = counters.undone_orgs(task, org, as_of)  # None: not in the counters, evaluate live
            if stored is not None:
                n_applicable, undone = stored
            else:
                applicable = list(rules.applicable_orgs(task, within=org).order_by("path"))
                result = rules.evaluate(task, applicable, as_of)
                n_applicable, undone = len(applicable), [o for o in applicable if not result[o.pk].done]
            if not n_applicable:
                continue
            text = f"{task.title}（{short_date(task.deadline)}前）："
            text += f"尚有{name_units(undone)}未完成，请抓紧落实。" if undone else "已全部完成，请巩固成果。"
            next_steps.append(
                Claim(text, [{"task": task.code, "applicable": n_applicable, "undone": [o.code for o in undone]}])
            )
        next_steps.append(
            Claim(
                f"主题教育将于{cn_date(campaign.end)}基本结束，剩余{max((campaign.end - as_of).days, 0)}天。"
                + (
                    "各单位要对照本通报指出的问题逐项整改，被点名的单位要在下次推进会前报告整改情况。"
                    if not outline
                    else "各级各部门要对照讲评点出的问题逐项整改，确保主题教育取得扎实成效。"
                ),
                [{"campaign_end": campaign.end.isoformat()}],
            )
        )
    return next_steps


def to_markdown(b: Briefing) -> str:
    lines = [f"# {b.title}", "", b.addressee, "", b.opening, ""]
    notes = []
    for section in b.sections:
        lines += [f"## {section.heading}", ""]
        for claim in section.paragraphs:
            n = len(notes) + 1
            notes.append(claim)
            lines += [f"{claim.text}[^{n}]", ""]
    lines += ["", f"{b.issuer}", "", f"{b.date_text}", "", "---", ""]
    for n, claim in enumerate(notes, start=1):
        lines.append(
            f"[^{n}]: 数据依据：" + "；".join(_basis_text(x) for x in claim.basis)
            if claim.basis
            else f"[^{n}]: 数据依据：无"
        )
    if b.findings:
        lines += ["", "## 附表：短板单位一览", "", "| 序号 | 问题 | 单位 | 所属 | 数据 |", "|---|---|---|---|---|"]
        for n, f in enumerate(b.findings, start=1):
            lines.append(
                f"| {n} | {f.name} | {findings_mod.short_name(f.subject.name)}（{f.subject.code}） | "
                f"{findings_mod.short_name(f.addressed.name)} | {f.clause} |"
            )
    return "\n".join(lines) + "\n"


def _basis_text(x: dict) -> str:
    parts = [f"{k}={v}" for k, v in x.items() if v not in (None, [], "")]
    return "，".join(parts)

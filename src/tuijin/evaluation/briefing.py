"""The data-driven briefing (讲评/通报), written the way an office writes one (SPEC §2.8).

Every paragraph is built from scorecards and task completion at an as_of date, and carries the
facts it rests on (`Claim.basis`: indicator, figures, the units named), so any sentence can be
traced to its rows and the text changes when the data does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from tuijin.campaigns import rules
from tuijin.core.indicators import DIMENSIONS, STATUS_OK
from tuijin.orgs.models import Org
from tuijin.orgs.queries import subtree_counts

from .scorecard import scorecard, scorecards

CN_NUM = "一二三四五六七八九十"
# The speech's judgements, one per dimension (seed section 一).
JUDGEMENT = {
    "学习教育": "学习教育存在不够平衡的现象",
    "检视整改": "问题整改存在不够深入的现象",
    "调查研究": "调查研究存在不够扎实的现象",
    "办实事": "办实事存在不够精准的现象",
    "宣传信息": "宣传氛围存在不够浓厚的现象",
    "组织领导": "规定动作落实存在不够到位的现象",
}
MANY = 5  # name every unit up to this many; beyond it "A、B、C等N个单位"


@dataclass
class Claim:
    text: str
    basis: list[dict] = field(default_factory=list)  # [{indicator, value, expected, units: [codes]}…]


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


def short_name(org: Org) -> str:
    name = org.name
    for prefix in ("中共",):
        name = name.removeprefix(prefix)
    for suffix in ("委员会",):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            name = name[: -len(suffix)] + "委"
    return name


def name_units(orgs: list[Org]) -> str:
    names = [short_name(o) for o in orgs]
    if len(names) <= MANY:
        return "、".join(names)
    return f"{'、'.join(names[:3])}等{len(names)}个单位"


def scope_word(org: Org) -> str:
    return "全市" if org.depth == 1 else short_name(org)


def addressee(org: Org) -> str:
    if org.depth == 1:
        return "各县（区）委，市直各单位党组（党委）："
    return "各下级党组织："


def build(org: Org, as_of: dt.date) -> Briefing:
    card = scorecard(org, as_of)
    campaign, progress = card.campaign, card.progress
    scope = scope_word(org)
    children = list(Org.objects.filter(parent=org, active=True).order_by("path"))
    child_cards = scorecards(children, as_of, campaign) if children else {}
    counts = subtree_counts(org)

    # 一、总体情况
    overall = [Claim(
        f"{scope}共有党组织{counts.orgs}个（其中党支部{counts.branches}个），党员{counts.members}名参加主题教育。"
        + (f"截至{short_date(as_of)}，主题教育已进行{(as_of - campaign.start).days + 1}天，时间进度为{fmt(progress, '%')}。"
           if campaign else ""),
        [{"indicator": "orgs.counts", "orgs": counts.orgs, "branches": counts.branches, "members": counts.members,
          "time_progress": progress}])]
    for dimension, lines in card.by_dimension():
        facts = [ln for ln in lines if ln.value is not None and (ln.pair.den or ln.pair.num)]
        if not facts:
            continue
        parts = []
        for ln in facts[:4]:
            unit = ln.indicator.unit
            if unit == "%":
                part = f"{ln.indicator.name}{fmt(ln.value, '%')}（{ln.pair.num:g}/{ln.pair.den:g}）"
            else:
                part = f"{ln.indicator.name}{fmt(ln.value, unit)}"
            parts.append(part)
        ok = [ln for ln in facts if ln.status == STATUS_OK and ln.expected is not None]
        tail = f"，其中{ln_names(ok)}达到时间进度要求" if ok else ""
        overall.append(Claim(f"{dimension}方面，{'，'.join(parts)}{tail}。",
                             [basis(ln, [org]) for ln in facts[:4]]))
    good = best_units(children, child_cards)
    if good:
        overall.append(Claim(f"{name_units([o for o, _ in good])}等单位各项指标均达到或超过时间进度要求，走在前列。",
                             [{"indicator": "all", "units": [o.code for o, _ in good]}]))

    # 二、存在的问题
    problems = []
    for dimension in DIMENSIONS:
        claim = dimension_claim(dimension, scope, card, children, child_cards)
        if claim:
            problems.append(claim)
    for n, claim in enumerate(problems):
        claim.text = f"{CN_NUM[n] if n < len(CN_NUM) else n + 1}是{claim.text}"
    if not problems:
        problems.append(Claim("对照时间进度，各项指标均未发现明显滞后。", []))

    # 三、下步工作要求
    next_steps = []
    if campaign:
        for task in campaign.tasks.filter(deadline__gte=as_of).order_by("deadline"):
            applicable = list(rules.applicable_orgs(task, within=org).order_by("path"))
            result = rules.evaluate(task, applicable, as_of)
            undone = [o for o in applicable if not result[o.pk].done]
            if not applicable:
                continue
            text = f"{task.title}（{short_date(task.deadline)}前）："
            text += (f"尚有{name_units(undone)}未完成，请抓紧落实。" if undone
                     else "已全部完成，请巩固成果。")
            next_steps.append(Claim(text, [{"task": task.code, "applicable": len(applicable),
                                            "undone": [o.code for o in undone]}]))
        next_steps.append(Claim(
            f"主题教育将于{cn_date(campaign.end)}基本结束，剩余{max((campaign.end - as_of).days, 0)}天。"
            f"各单位要对照本通报指出的问题逐项整改，滞后单位要在下次推进会前报告整改情况。",
            [{"campaign_end": campaign.end.isoformat()}]))

    issuer = f"{short_name(org)}主题教育领导小组办公室"
    return Briefing(
        org=org, as_of=as_of,
        title=f"关于{scope}主题教育推进情况的通报",
        addressee=addressee(org),
        opening=f"按照{short_name(org)}主题教育工作安排，现将截至{short_date(as_of)}{scope}主题教育推进情况通报如下：",
        sections=[Section("一、总体情况", overall), Section("二、存在的问题", problems),
                  Section("三、下步工作要求", next_steps)],
        issuer=issuer, date_text=cn_date(as_of))


def ln_names(lines) -> str:
    return "、".join(ln.indicator.name for ln in lines[:3])


def basis(line, orgs) -> dict:
    return {"indicator": line.code, "name": line.indicator.name, "value": line.value, "numerator": line.pair.num,
            "denominator": line.pair.den, "expected": line.expected, "status": line.status,
            "units": [o.code for o in orgs]}


def best_units(children, cards) -> list:
    scored = []
    for child in children:
        lines = [ln for ln in cards[child.pk].lines if ln.expected is not None and ln.value is not None]
        if lines and all(ln.status == STATUS_OK for ln in lines):
            scored.append((child, len(lines)))
    return scored[:5]


def dimension_claim(dimension, scope, card, children, child_cards) -> Claim | None:
    """The judgement for one dimension, followed by its evidence: figures and the units behind them."""
    own_lines = [ln for ln in card.lines if ln.indicator.dimension == dimension]
    evidence, basis_rows = [], []
    for ln in own_lines:
        lagging_units = [c for c in children
                         if next(x for x in child_cards[c.pk].lines if x.code == ln.code).status != STATUS_OK]
        unit = ln.indicator.unit
        if ln.status != STATUS_OK or lagging_units:
            sentence = f"{scope}{ln.indicator.name}为{fmt(ln.value, unit)}"
            if ln.expected is not None and ln.status != STATUS_OK:
                sentence += f"，{'低于' if ln.indicator.higher_is_better else '高于'}时间进度应达的{fmt(ln.expected, unit)}"
            elif ln.expected is not None:
                sentence += "，总体达到时间进度要求，但"
            if lagging_units:
                sentence += f"{'' if sentence.endswith('但') else '，'}{name_units(lagging_units)}滞后"
            evidence.append(sentence)
            basis_rows.append(basis(ln, lagging_units or [card.org]))
        elif ln.expected is None and not ln.indicator.higher_is_better and ln.pair.num:
            # Counts that should be zero (overdue problems, relapses): name where they are.
            where = [c for c in children
                     if (next(x for x in child_cards[c.pk].lines if x.code == ln.code).pair.num or 0) > 0]
            sentence = f"{ln.indicator.name}{fmt(ln.value, unit)}"
            if where:
                sentence += f"，涉及{name_units(where)}"
            evidence.append(sentence)
            basis_rows.append(basis(ln, where or [card.org]))
    if not evidence:
        return None
    return Claim(f"{JUDGEMENT[dimension]}。" + "；".join(evidence) + "。", basis_rows)


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
        lines.append(f"[^{n}]: 数据依据：" + "；".join(_basis_text(x) for x in claim.basis) if claim.basis
                     else f"[^{n}]: 数据依据：无")
    return "\n".join(lines) + "\n"


def _basis_text(x: dict) -> str:
    parts = [f"{k}={v}" for k, v in x.items() if v not in (None, [], "")]
    return "，".join(parts)

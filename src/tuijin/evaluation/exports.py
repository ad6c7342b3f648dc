"""Every figure on a scorecard or dashboard can be downloaded, so nobody fills the same table twice."""

from tuijin.imports.writer import write_xlsx

SCORECARD_HEADERS = ["维度", "指标", "指标编码", "数值", "分子", "分母", "按时间进度应达", "状态", "单位"]


def _fmt(value, unit):
    if value is None:
        return ""
    return round(value * 100, 1) if unit == "%" else round(value, 2)


def scorecard_rows(card):
    for ln in card.lines:
        i = ln.indicator
        yield [
            i.dimension,
            i.name,
            i.code,
            _fmt(ln.value, i.unit),
            ln.pair.num,
            "" if ln.pair.den is None else ln.pair.den,
            _fmt(ln.expected, i.unit),
            ln.status,
            "%" if i.unit == "%" else i.unit,
        ]


def scorecard_xlsx(card, target) -> None:
    rows = list(scorecard_rows(card))
    for t in card.tasks:
        rows.append(
            ["部署任务", t.task.title, t.task.code, f"{t.done}/{t.applicable}", t.done, t.applicable, "", "", "个组织"]
        )
    write_xlsx(
        target,
        SCORECARD_HEADERS,
        rows,
        sheet_name=card.org.name[:28],
        title=f"{card.org.name} 指标得分卡（截至 {card.as_of}）",
    )


def grid_xlsx(target, headers, rows, sheet_name="数据") -> None:
    write_xlsx(target, headers, rows, sheet_name=sheet_name)

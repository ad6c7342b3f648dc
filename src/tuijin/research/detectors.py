"""调查研究 · 办实事 detectors (issue 9; core/detectors.py): the seed's "有的领导干部调研次数偏少、部分
工作项目清单不够精准，把办实事泛化、简单化" and the 调研多、转化少 of its section 四."""

from tuijin.core.detectors import Detector, Hit, Probe, num, pct, register


def few_research(p: Probe) -> Hit | None:
    pair = p.pair("research.visits_per_cadre")
    cadres, visits = int(pair.den or 0), int(pair.num)
    expected = p.expected("research.visits_per_cadre")
    if cadres < p.params["min_cadres"] or expected is None or p.progress < p.params["after_progress"]:
        return None
    per = visits / cadres
    if per >= expected * p.params["share_of_expected"]:
        return None
    text = (
        f"领导干部{cadres}名，均未开展调研"
        if visits == 0
        else f"领导干部{cadres}名，调研{visits}次，人均{num(round(per, 2))}次"
    )
    return Hit(
        {"cadres": cadres, "visits": visits, "per_cadre": per, "expected": expected},
        text,
        1 - per / expected if expected else 1,
    )


def research_not_converted(p: Probe) -> Hit | None:
    pair = p.pair("research.findings_converted")
    n, done = int(pair.den or 0), int(pair.num)
    if n < p.params["min_findings"] or done / n >= p.params["max_converted_share"]:
        return None
    return Hit(
        {"findings": n, "converted": done, "share": done / n},
        f"调研发现问题{n}个，转化为问题或措施{done}个，转化率{pct(done / n)}",
        (1 - done / n) + n / 10000,
    )


def generic_projects(p: Probe) -> Hit | None:
    pair = p.pair("projects.flagged_share")
    n, flagged = int(pair.den or 0), int(pair.num)
    if flagged < p.params["min_flagged"] or not n or flagged / n < p.params["min_share"]:
        return None
    return Hit(
        {"projects": n, "flagged": flagged, "share": flagged / n},
        f"办实事项目{n}个，其中疑似泛化{flagged}个",
        flagged / n + flagged / 1000,
    )


register(
    Detector(
        code="few_research",
        name="领导干部调研少或无",
        judgement="方式方法",
        dimension="调查研究",
        lead="有的领导干部调研次数偏少",
        uses=("research.visits_per_cadre",),
        test=few_research,
        defaults={"share_of_expected": 0.5, "min_cadres": 1, "after_progress": 0.2},
        help={
            "share_of_expected": "人均调研次数低于时间进度应达值的这一倍数",
            "min_cadres": "领导干部至少为此数才判断",
            "after_progress": "时间进度达到此值后才判断",
        },
        description="领导干部人均调研次数低于时间进度应达值（每人2次×时间进度）的 share_of_expected 倍",
    )
)

register(
    Detector(
        code="research_not_converted",
        name="调研多转化少",
        judgement="方式方法",
        dimension="调查研究",
        lead="有的调研多、转化少",
        uses=("research.findings_converted",),
        test=research_not_converted,
        defaults={"min_findings": 5, "max_converted_share": 0.3},
        help={"min_findings": "调研发现问题至少为此数（调研多）", "max_converted_share": "转化率低于此值（转化少）"},
        description="调研发现问题不少于 min_findings 个，而转化为问题清单或整改措施的不到 max_converted_share",
    )
)

register(
    Detector(
        code="generic_projects",
        name="办实事泛化",
        judgement="方式方法",
        dimension="办实事",
        lead="部分工作项目清单不够精准，把办实事泛化、简单化",
        uses=("projects.flagged_share",),
        test=generic_projects,
        defaults={"min_flagged": 1, "min_share": 0.3},
        help={"min_flagged": "疑似泛化项目至少为此数", "min_share": "疑似泛化项目占比至少为此"},
        description="办实事项目中疑似泛化（像日常工作，或未写明群众需求、受益人数）的不少于 min_flagged 个且占 min_share 以上",
    )
)

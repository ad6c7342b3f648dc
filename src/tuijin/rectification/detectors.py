"""检视整改 detectors (issue 9; core/detectors.py): the seed's "制定的措施不具体，推进整改不力", and a
second look at a unit that found no problems — never a quota (SPEC §2.9)."""

from tuijin.core.detectors import Detector, Hit, Probe, pct, register


def vague_measures(p: Probe) -> Hit | None:
    pair = p.pair("problems.measure_specificity")
    n = int(pair.den or 0)
    vague = n - int(pair.num)
    if n < p.params["min_measures"] or vague / n < p.params["min_vague_share"]:
        return None
    return Hit(
        {"measures": n, "vague": vague, "share": vague / n},
        f"整改措施{n}条，其中{vague}条未写明责任人、完成时限或只写“加强”“提高”，占{pct(vague / n)}",
        vague / n + vague / 10000,
    )


def overdue_not_started(p: Probe) -> Hit | None:
    n = int(p.pair("problems.not_started").num)
    if n < p.params["min_count"]:
        return None
    return Hit({"not_started": n}, f"逾期未启动整改的问题{n}个", float(n))


def no_problems_found(p: Probe) -> Hit | None:
    if getattr(p.org, "kind", "") == "党支部" and not p.params["include_branches"]:
        return None
    members = int(p.pair("study.chapters_per_member").den or 0)
    if p.progress is None or p.progress < p.params["after_progress"] or members < p.params["min_members"]:
        return None
    if p.pair("problems.found").num:
        return None
    return Hit({"problems": 0, "members": members}, f"党员{members}名，尚未查摆出问题", float(members))


def formal_rectification(p: Probe) -> Hit | None:
    pair = p.pair("problems.formal_only")
    n, flagged = int(pair.den or 0), int(pair.num)
    if not n or flagged < p.params["min_flagged"] or flagged / n < p.params["min_share"]:
        return None
    return Hit(
        {"problems": n, "formal": flagged, "share": flagged / n},
        f"有整改措施的问题{n}个，其中{flagged}个的措施只是开会、学习或制定方案",
        flagged / n + flagged / 1000,
    )


def late_problems(p: Probe) -> Hit | None:
    pair = p.pair("problems.found_late_share")
    n, late = int(pair.den or 0), int(pair.num)
    if p.progress is None or p.progress < p.params["after_progress"] or n < p.params["min_problems"]:
        return None
    if late / n < p.params["min_late_share"]:
        return None
    text = (
        f"问题{n}个，都是在主题教育已开展时间的最后四分之一里查摆的，此前没有查摆问题"
        if late == n
        else f"问题{n}个，其中{late}个是在主题教育已开展时间的最后四分之一里查摆的"
    )
    return Hit({"problems": n, "late": late, "share": late / n}, text, late / n + n / 10000)


def found_by_others(p: Probe) -> Hit | None:
    pair = p.pair("problems.self_found_share")
    n, own = int(pair.den or 0), int(pair.num)
    others = n - own
    if n < p.params["min_problems"] or others / n < p.params["min_others_share"]:
        return None
    return Hit(
        {"problems": n, "self_found": own, "found_by_others": others, "share": others / n},
        f"问题{n}个，其中上级查、群众评、上级交办的{others}个，自己查摆的{own}个",
        others / n + n / 10000,
    )


def no_lasting_rule(p: Probe) -> Hit | None:
    pair = p.pair("problems.lasting_rule_missing")
    n, bare = int(pair.den or 0), int(pair.num)
    if not n or bare < p.params["min_count"] or bare / n < p.params["min_share"]:
        return None
    return Hit(
        {"recurring_closed": n, "without_rule": bare, "share": bare / n},
        f"已销号的反复出现问题（反弹过，或同样的问题多个单位都有）{n}个，其中{bare}个既没有建章立制措施、也没有关联制度",
        bare / n + bare / 1000,
    )


def self_check_lagging(p: Probe) -> Hit | None:
    pair = p.pair("problems.self_check_stale")
    n, stale = int(pair.den or 0), int(pair.num)
    if stale < p.params["min_count"]:
        return None
    return Hit(
        {"suggested": n, "stale": stale},
        f"提示举一反三、对照检视{n}次，其中{stale}次超过{int(p.params['max_days'])}天仍未答复",
        stale + n / 10000,
    )


SELF_CHECK_LAGGING = register(
    Detector(
        code="self_check_lagging",
        name="举一反三不够",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的举一反三不够，别的单位查出的问题不对照检视",
        uses=("problems.self_check_stale",),
        test=self_check_lagging,
        defaults={"max_days": 14, "min_count": 1},
        help={
            "max_days": "提示对照检视后超过此天数仍未答复算逾期（指标“举一反三逾期未对照数”按此计）",
            "min_count": "逾期未答复的对照检视至少为此数",
        },
        description="提示的举一反三对照检视超过 max_days 天仍未答复“已对照，存在/不存在”的不少于 min_count 个",
    )
)


def cadre_own_list_missing(p: Probe) -> Hit | None:
    """以上率下: a unit with leading cadres, none of whom has a 个人检视 problem of their own. A unit
    with no leading cadres is never named (nothing to expect), nor one with no problems at all (told
    by no_problems_found: look again, as a whole)."""
    pair = p.pair("problems.cadre_own_list")
    cadres = int(pair.den or 0)
    if cadres < p.params["min_cadres"] or pair.num or not p.pair("problems.found").num:
        return None
    if p.progress is None or p.progress < p.params["after_progress"]:
        return None
    text = f"领导干部{cadres}名，{'都还没有' if cadres > 1 else '尚未'}列出本人的个人检视问题"
    return Hit({"cadres": cadres, "with_own_problems": 0}, text, float(cadres))


register(
    Detector(
        code="vague_measures",
        name="措施不具体",
        judgement="检视整改",
        dimension="检视整改",
        lead="制定的措施不具体",
        uses=("problems.measure_specificity",),
        test=vague_measures,
        defaults={"min_measures": 3, "min_vague_share": 0.5},
        help={"min_measures": "整改措施至少为此数才判断", "min_vague_share": "不具体的措施占比至少为此"},
        description="未写明责任人或完成时限、或只写“加强/提高/进一步…”的措施占 min_vague_share 以上",
    )
)

register(
    Detector(
        code="overdue_not_started",
        name="逾期未启动",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的问题超过整改时限仍未启动整改",
        uses=("problems.not_started",),
        test=overdue_not_started,
        defaults={"min_count": 1},
        help={"min_count": "逾期仍为“待整改”的问题至少为此数"},
        description="超过整改时限仍处于“待整改”的问题不少于 min_count 个",
    )
)

register(
    Detector(
        code="no_problems_found",
        name="未查摆问题（需再看一看）",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的单位尚未查摆出问题，需要再看一看",
        uses=("problems.found", "study.chapters_per_member"),
        test=no_problems_found,
        defaults={"after_progress": 0.3, "min_members": 1, "include_branches": 0},
        help={
            "after_progress": "时间进度达到此值后才判断",
            "min_members": "党员至少为此数才判断",
            "include_branches": "1：党支部也判断；0：只看党委（党组、党总支）",
        },
        description="时间进度达到 after_progress 后，本单位及下级尚未查摆出任何问题；这是请再看一看，不是要求凑数",
    )
)

register(
    Detector(
        code="found_by_others",
        name="立足自身主动改不够",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的单位立足自身主动改不够，问题多靠上级查、群众评发现",
        uses=("problems.self_found_share",),
        test=found_by_others,
        defaults={"min_problems": 3, "min_others_share": 0.6},
        help={"min_problems": "问题至少为此数才判断", "min_others_share": "上级查、群众评、上级交办的问题占比至少为此"},
        description="问题不少于 min_problems 个，其中上级查、群众评、上级交办的占 min_others_share 以上（自己查摆的少）",
    )
)

register(
    Detector(
        code="formal_rectification",
        name="就整改抓整改",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的就整改抓整改，与实际结合不紧密",
        uses=("problems.formal_only",),
        test=formal_rectification,
        # 0.2: one meeting-only problem among many real ones is not yet a unit's way of rectifying
        defaults={"min_flagged": 1, "min_share": 0.2},
        help={
            "min_flagged": "措施全是开会、学习、制定方案的问题至少为此数",
            "min_share": "这类问题占有措施问题的比例至少为此",
        },
        description="有问题的整改措施全是开会、学习、“制定方案”，没有工作中的实际改变（不少于 min_flagged 个且占 min_share 以上）",
    )
)

register(
    Detector(
        code="late_problems",
        name="边学边改不够",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的没有做到边学边改，问题到后期才集中查摆",
        uses=("problems.found_late_share",),
        test=late_problems,
        defaults={"after_progress": 0.5, "min_problems": 2, "min_late_share": 1.0},
        help={
            "after_progress": "时间进度达到此值后才判断",
            "min_problems": "问题至少为此数才判断",
            "min_late_share": "在已开展时间最后四分之一里查摆的问题占比至少为此（1 即全部）",
        },
        description="时间进度达到 after_progress 后，问题不少于 min_problems 个，且其中 min_late_share 以上是在主题教育"
        "已开展时间的最后四分之一里查摆的（此前没有查摆问题）",
    )
)

register(
    Detector(
        code="no_lasting_rule",
        name="当下改与长久立结合不够",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的只改当下、不立长久，反复出现的问题销号时没有建章立制",
        uses=("problems.lasting_rule_missing",),
        test=no_lasting_rule,
        defaults={"min_count": 1, "min_share": 0.0},
        help={
            "min_count": "没有建章立制的反复出现问题至少为此数",
            "min_share": "这类问题占已销号反复出现问题的比例至少为此",
        },
        description="已销号的反复出现问题（反弹过，或同类问题在3个以上单位查摆）中，既没有“建章立制”措施、也没有关联制度的"
        "不少于 min_count 个且占 min_share 以上",
    )
)

register(
    Detector(
        code="cadre_own_list_missing",
        name="领导干部个人检视问题缺失",
        judgement="检视整改",
        dimension="检视整改",
        lead="有的单位领导干部没有带头查摆个人问题，以上率下不够",
        uses=("problems.cadre_own_list", "problems.found"),
        test=cadre_own_list_missing,
        defaults={"min_cadres": 1, "after_progress": 0.3},
        help={"min_cadres": "领导干部至少为此数才判断", "after_progress": "时间进度达到此值后才判断"},
        description="时间进度达到 after_progress 后，本单位及下级有领导干部（不少于 min_cadres 名），却没有一名领导干部"
        "列出本人的个人检视问题；没有领导干部的单位、尚未查摆出任何问题的单位（由“未查摆问题”指出）不判断",
    )
)

"""学习教育 detectors (issue 9; core/detectors.py): the seed's "有的集体学习好于个人自学……特别是基层
末端的学习抓得还不够紧，一些单位没有开展专题研讨" and "部分单位还没有邀请驻地党校的专家教授开展宣讲活动",
each a pattern in one unit's subtree totals with thresholds from the campaign file."""

from tuijin.core.detectors import Detector, Hit, Probe, num, pct, register


def collective_over_self(p: Probe) -> Hit | None:
    collective, own = p.pair("study.collective_coverage"), p.pair("study.self_study_coverage")
    members = p.pair("study.chapters_per_member").den or 0
    if members < p.params["min_members"] or collective.value is None or own.value is None or p.progress is None:
        return None
    c, s = collective.value, own.value
    if c - s < p.params["min_gap"] or s >= p.progress * p.params["self_below_progress"]:
        return None
    return Hit(
        {"collective_coverage": c, "self_study_coverage": s, "members": members},
        f"集体学习覆盖率{pct(c)}，个人自学覆盖率{pct(s)}",
        c - s,
    )


def grassroots_quiet(p: Probe) -> Hit | None:
    pair = p.pair("study.grassroots_coverage")
    branches = int(pair.den or 0)
    if not branches or getattr(p.as_of, "day", 0) < p.params["from_day"]:
        return None
    quiet = branches - int(pair.num)
    if quiet < 1 or quiet / branches < p.params["min_quiet_share"]:
        return None
    text = (
        "本月尚未开展集体学习"
        if branches == 1 and getattr(p.org, "kind", "") == "党支部"
        else f"{branches}个党支部中{quiet}个本月尚未开展集体学习"
    )
    return Hit({"branches": branches, "quiet": quiet}, text, quiet / branches + quiet / 1000)


def _not_held(code: str, what: str):
    def test(p: Probe) -> Hit | None:
        pair = p.pair(code)
        expected = int(pair.den or 0)
        without = int(pair.num)
        if not expected or not without or p.progress is None or p.progress < p.params["after_progress"]:
            return None
        if without / expected < p.params["min_share"]:
            return None
        text = f"尚未{what}" if expected == 1 else f"{expected}个党组织中{without}个尚未{what}"
        return Hit({"expected": expected, "without": without}, text, without / expected + without / 1000)

    return test


def only_invited_in(p: Probe) -> Hit | None:
    if getattr(p.org, "kind", "") == "党支部" and not p.params["include_branches"]:
        return None
    pair = p.pair("study.went_out_share")
    n, out = int(pair.den or 0), int(pair.num)
    if out or n < p.params["min_invited"] or p.progress is None or p.progress < p.params["after_progress"]:
        return None
    return Hit({"invited": n, "went_out": 0}, f"请进来宣讲、授课{n}次，尚未开展现场教学或外出学习", float(n))


def _due_titles(org, as_of) -> list:
    """The 跟进学习 items past their deadline in the org's campaign (for naming them in the sentence)."""
    from tuijin.campaigns.queries import current_campaign
    from tuijin.orgs.models import Org

    from .queries import followup_items

    found = Org.objects.filter(pk=getattr(org, "pk", None)).first()
    return followup_items(current_campaign(found, as_of), as_of, state="due") if found else []


def followup_late(p: Probe) -> Hit | None:
    pair = p.pair("study.followup_late")
    expected, late = int(pair.den or 0), int(pair.num)
    if late < p.params["min_late"] or not expected or late / expected < p.params["min_share"]:
        return None
    items = _due_titles(p.org, p.as_of)
    what = (
        f"《{items[0].title}》（{items[0].due_on.month}月{items[0].due_on.day}日截止）"
        if len(items) == 1
        else "已截止的跟进学习书目"
    )
    text = f"{what}应学{expected}人次，截止日前未学完{late}人次（{pct(late / expected)}）"
    return Hit({"expected": expected, "late": late}, text, late / expected + late / 1000)


def cadres_weaker(p: Probe) -> Hit | None:
    """以上率下不够: the leading cadres' own study is behind the other members'."""
    cadre, member = p.pair("study.cadre_self_study_coverage"), p.pair("study.member_self_study_coverage")
    cadres = p.pair("study.chapters_per_cadre").den or 0
    others = p.pair("study.chapters_per_other_member").den or 0
    if (
        cadres < p.params["min_cadres"]
        or others < p.params["min_members"]
        or cadre.value is None
        or member.value is None
        or p.progress is None
        or p.progress < p.params["after_progress"]
    ):
        return None
    c, m = cadre.value, member.value
    if m - c < p.params["min_gap"]:
        return None
    cadre_ch, member_ch = p.pair("study.chapters_per_cadre").value, p.pair("study.chapters_per_other_member").value
    # Only the self-study share is claimed lower; the chapters (any way) are reported beside it as they are.
    text = (
        f"领导干部{int(cadres)}名个人自学覆盖率{pct(c)}，低于其他党员（{int(others)}名）的{pct(m)}"
        f"（人均已学篇目：领导干部{num(round(cadre_ch or 0, 2))}篇，其他党员{num(round(member_ch or 0, 2))}篇）"
    )
    return Hit(
        {
            "cadres": int(cadres),
            "members": int(others),
            "cadre_self_study_coverage": c,
            "member_self_study_coverage": m,
        },
        text,
        m - c,
    )


register(
    Detector(
        code="collective_over_self",
        name="集体学习多个人自学少",
        judgement="学习教育",
        dimension="学习教育",
        lead="有的集体学习好于个人自学",
        uses=("study.collective_coverage", "study.self_study_coverage", "study.chapters_per_member"),
        test=collective_over_self,
        defaults={"min_gap": 0.3, "self_below_progress": 0.5, "min_members": 3},
        help={
            "min_gap": "集体学习覆盖率比个人自学覆盖率至少高出的比例",
            "self_below_progress": "个人自学覆盖率低于时间进度的这一倍数",
            "min_members": "党员数至少为此数才判断",
        },
        description="集体学习覆盖率比个人自学覆盖率高出 min_gap 以上，且个人自学覆盖率低于时间进度×self_below_progress",
    )
)

register(
    Detector(
        code="grassroots_quiet",
        name="末端覆盖不足",
        judgement="学习教育",
        dimension="学习教育",
        lead="基层末端的学习抓得还不够紧",
        uses=("study.grassroots_coverage",),
        test=grassroots_quiet,
        defaults={"from_day": 20, "min_quiet_share": 0.3},
        help={
            "from_day": "每月从这一天起才判断（月初尚未学习不算）",
            "min_quiet_share": "本月未开展集体学习的党支部占比至少为此",
        },
        description="每月 from_day 日起，本月尚未开展集体学习的党支部占本单位党支部的 min_quiet_share 以上",
    )
)

register(
    Detector(
        code="no_seminar",
        name="未开展专题研讨",
        judgement="学习教育",
        dimension="学习教育",
        lead="一些单位没有开展专题研讨",
        uses=("study.no_seminar",),
        test=_not_held("study.no_seminar", "开展专题研讨"),
        defaults={"after_progress": 0.3, "min_share": 0.5},
        help={"after_progress": "时间进度达到此值后才判断", "min_share": "未开展的党组织占比至少为此"},
        description="时间进度达到 after_progress 后，有本级党员的党组织中未开展专题研讨的占 min_share 以上",
    )
)

register(
    Detector(
        code="no_expert_lecture",
        name="未邀请党校专家宣讲",
        judgement="方式方法",
        dimension="学习教育",
        lead="部分单位还没有邀请驻地党校的专家教授开展宣讲活动",
        uses=("study.no_expert_lecture",),
        test=_not_held("study.no_expert_lecture", "邀请党校专家宣讲"),
        defaults={"after_progress": 0.3, "min_share": 0.5},
        help={"after_progress": "时间进度达到此值后才判断", "min_share": "未邀请的党委（党组）占比至少为此"},
        description="时间进度达到 after_progress 后，党委（党组、党总支）中未邀请党校专家宣讲的占 min_share 以上",
    )
)

register(
    Detector(
        code="only_invited_in",
        name="只请进来未走出去",
        judgement="方式方法",
        dimension="学习教育",
        lead="“请进来、走出去”的方式也不够灵活，有的单位只请进来、没有走出去",
        uses=("study.went_out_share",),
        test=only_invited_in,
        defaults={"min_invited": 1, "after_progress": 0.3, "include_branches": 0},
        help={
            "min_invited": "请进来（宣讲报告、党校专家授课）至少为此次数才判断",
            "after_progress": "时间进度达到此值后才判断",
            "include_branches": "1：党支部也判断；0：只看党委（党组、党总支）",
        },
        description="时间进度达到 after_progress 后，本单位及下级请进来宣讲、授课不少于 min_invited 次，而没有开展过现场教学或外出学习",
    )
)

register(
    Detector(
        code="followup_late",
        name="跟进学习不及时",
        judgement="学习教育",
        dimension="学习教育",
        lead="有的单位跟进学习最新重要讲话不及时，没有在规定时间内学完",
        uses=("study.followup_late",),
        test=followup_late,
        defaults={"min_late": 1, "min_share": 0.2},
        help={"min_late": "截止日前未学完的人次至少为此", "min_share": "未学完人次占应学人次的比例至少为此"},
        description="已过截止日期的跟进学习（第一议题）书目，截止日前未学完的党员人次不少于 min_late，且占应学人次的 min_share 以上",
    )
)

register(
    Detector(
        code="cadres_weaker",
        name="领导干部学习落后于党员",
        judgement="学习教育",
        dimension="学习教育",
        lead="有的领导干部以上率下不够，个人自学落后于普通党员",
        uses=(
            "study.cadre_self_study_coverage",
            "study.member_self_study_coverage",
            "study.chapters_per_cadre",
            "study.chapters_per_other_member",
        ),
        test=cadres_weaker,
        defaults={"min_gap": 0.2, "min_cadres": 2, "min_members": 3, "after_progress": 0.2},
        help={
            "min_gap": "其他党员个人自学覆盖率比领导干部至少高出的比例",
            "min_cadres": "领导干部至少为此数才判断",
            "min_members": "其他党员至少为此数才判断",
            "after_progress": "时间进度达到此值后才判断",
        },
        description="时间进度达到 after_progress 后，本单位及下级领导干部的个人自学覆盖率比其他党员低 min_gap 以上",
    )
)

"""宣传信息 detectors (issue 9; core/detectors.py): the seed's "部分单位对市县信息约稿反应不及时，上报素材迟缓",
a pattern in one unit's subtree totals of the solicitation indicators, thresholds from the campaign file.

Only solicitations that are due count (answered, or past the deadline: publicity/timeliness.py); one
whose deadline has not passed and that is not answered yet is never held against the unit."""

from tuijin.core.detectors import Detector, Hit, Probe, pct, register


def slow_to_solicitations(p: Probe) -> Hit | None:
    on_time, answered = p.pair("publicity.on_time_rate"), p.pair("publicity.response_rate")
    due = int(on_time.den or 0)
    if due < p.params["min_due"]:
        return None
    timely = int(on_time.num)
    share = timely / due
    if share >= p.params["on_time_below"]:
        return None
    late = max(int(answered.num) - timely, 0)
    missing = max(due - int(answered.num), 0)
    parts = [f"应报送约稿{due}篇，按时报送{timely}篇"]
    if late:
        parts.append(f"逾期报送{late}篇")
    if missing:
        parts.append(f"未报送{missing}篇")
    return Hit(
        {"due": due, "on_time": timely, "late": late, "missing": missing, "on_time_share": share},
        "，".join(parts) + f"，按时报送率{pct(share)}",
        (1 - share) + missing / 1000,
    )


register(
    Detector(
        code="slow_to_solicitations",
        name="约稿反应迟缓",
        judgement="宣传信息",
        dimension="宣传信息",
        lead="部分单位对市县信息约稿反应不及时，上报素材迟缓",
        uses=("publicity.on_time_rate", "publicity.response_rate"),
        test=slow_to_solicitations,
        defaults={"min_due": 2, "on_time_below": 0.5},
        help={"min_due": "已到截止日期或已报送的约稿至少为此数才判断", "on_time_below": "按时报送的比例低于此值"},
        description="已到期（或已报送）的约稿至少 min_due 篇，且按时报送的比例低于 on_time_below",
    )
)

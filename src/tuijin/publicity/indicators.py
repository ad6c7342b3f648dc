"""宣传信息 indicators (SPEC §2.8). Each is an additive pair per org over the org's own records, so a
subtree's value is the sum of its orgs' pairs (core.indicators.roll_up):

- 信息报送 per org (every active org counts once in the denominator);
- adoption rate (adopted at any level / submitted) and 市级以上采用 (adopted at 市/省/中央), a count;
- average quality score (sum of scores / scored pieces);
- solicitation response rate and on-time rate, per target org over the targets that are due (answered,
  or past the deadline; a target still before its deadline is not counted either way); expected 100%:
  every solicitation should be answered, in time;
- media channel coverage: channels among 电视/报刊/网络/新媒体 used by the org / 4;
- placements in public places (重点路段, 公共场所), a count;
- typical cases produced: adopted 典型案例 and 经验做法, a count;
- confirmed copied materials (材料雷同, counted at the unit whose text is the later one): must be zero.

The median response time is not additive (a median of medians is not the median), so it is not a
counter: queries.summary() computes it from the answers of the subtree itself, and the publicity page
and the API show it.
"""

from collections import defaultdict

from django.db.models import Count, Q, Sum

from tuijin.core.indicators import HIGHER, ZERO, Indicator, Pair, register

from . import detectors  # noqa: F401  (registers this module's detectors; they read indicators by code)
from . import timeliness
from .models import (
    LIBRARY_TYPES,
    MEDIA,
    PUBLIC_PLACES,
    CopyPair,
    PublicityItem,
    Solicitation,
    Submission,
)

CITY_OR_ABOVE = ["市", "省", "中央"]


def _ids(orgs):
    return [o.pk for o in orgs]


def _grouped(qs, field, **aggregates):
    return {row[field]: row for row in qs.order_by().values(field).annotate(**aggregates)}


def _ratios(orgs, rows, num, den):
    return {o.pk: Pair(rows[o.pk][num] or 0, rows[o.pk][den]) if o.pk in rows else Pair(0, 0) for o in orgs}


def _counts(orgs, rows, key="n"):
    return {o.pk: Pair(rows[o.pk][key] if o.pk in rows else 0) for o in orgs}


def _subs(orgs, as_of):
    return Submission.objects.filter(org__in=_ids(orgs), date__lte=as_of)


def submissions_per_org(orgs, as_of, campaign):
    rows = _grouped(_subs(orgs, as_of), "org_id", n=Count("pk"))
    return {o.pk: Pair(rows.get(o.pk, {"n": 0})["n"], 1) for o in orgs if o.active}


def adoption_rate(orgs, as_of, campaign):
    rows = _grouped(
        _subs(orgs, as_of), "org_id", n=Count("pk"), adopted=Count("pk", filter=Q(adopted=True, adopted_on__lte=as_of))
    )
    return _ratios(orgs, rows, "adopted", "n")


def adopted_city_or_above(orgs, as_of, campaign):
    rows = _grouped(
        _subs(orgs, as_of).filter(adopted=True, adopted_on__lte=as_of, adopted_level__in=CITY_OR_ABOVE),
        "org_id",
        n=Count("pk"),
    )
    return _counts(orgs, rows)


def average_quality(orgs, as_of, campaign):
    rows = _grouped(_subs(orgs, as_of).filter(quality__isnull=False), "org_id", total=Sum("quality"), n=Count("pk"))
    return _ratios(orgs, rows, "total", "n")


def typical_cases(orgs, as_of, campaign):
    rows = _grouped(
        _subs(orgs, as_of).filter(adopted=True, adopted_on__lte=as_of, type__in=LIBRARY_TYPES), "org_id", n=Count("pk")
    )
    return _counts(orgs, rows)


def _standings(orgs, as_of):
    """{org id: [Answer, …]} for the solicitations sent to these orgs, issued by as_of."""
    from .queries import answers

    by_org = defaultdict(list)
    wanted = {o.pk: o for o in orgs}
    sols = Solicitation.objects.filter(solicitationtarget__org__in=list(wanted)).distinct()
    for s in sols:
        if timeliness.local_date(s.issued_at) > as_of:
            continue
        targets = [
            wanted[pk] for pk in s.solicitationtarget_set.filter(org__in=list(wanted)).values_list("org_id", flat=True)
        ]
        for row in answers(s, as_of, targets):
            by_org[row.org.pk].append(row.answer)
    return by_org


def response_rate(orgs, as_of, campaign):
    by_org = _standings(orgs, as_of)
    return {
        o.pk: Pair(
            sum(1 for a in by_org[o.pk] if a.status in (timeliness.ON_TIME, timeliness.LATE)),
            sum(1 for a in by_org[o.pk] if a.due),
        )
        for o in orgs
    }


def on_time_rate(orgs, as_of, campaign):
    by_org = _standings(orgs, as_of)
    return {
        o.pk: Pair(
            sum(1 for a in by_org[o.pk] if a.status == timeliness.ON_TIME), sum(1 for a in by_org[o.pk] if a.due)
        )
        for o in orgs
    }


def media_coverage(orgs, as_of, campaign):
    used = defaultdict(set)
    for org_id, channel in (
        PublicityItem.objects.filter(org__in=_ids(orgs), date__lte=as_of, channel__in=MEDIA)
        .order_by()
        .values_list("org_id", "channel")
        .distinct()
    ):
        used[org_id].add(channel)
    return {o.pk: Pair(len(used[o.pk]), len(MEDIA)) for o in orgs if o.active}


def public_placements(orgs, as_of, campaign):
    rows = _grouped(
        PublicityItem.objects.filter(org__in=_ids(orgs), date__lte=as_of, channel__in=PUBLIC_PLACES),
        "org_id",
        n=Count("pk"),
    )
    return _counts(orgs, rows)


def copies_confirmed(orgs, as_of, campaign):
    rows = _grouped(
        CopyPair.objects.filter(org_b__in=_ids(orgs), status="已确认", decided_on__lte=as_of), "org_b_id", n=Count("pk")
    )
    return _counts(orgs, rows)


# Meaning (core.indicators: HIGHER / LOWER / ZERO / NEUTRAL). None of these follows time progress:
# the two solicitation rates expect 100% at any time, the counts have no expectation, and the copies
# must be zero. MEANING keeps the code -> meaning map for the publicity page and tests.
MEANING = {}
for code, name, unit, fn, expected, meaning, description in [
    (
        "publicity.submissions_per_org",
        "平均每个组织报送信息数",
        "条",
        submissions_per_org,
        None,
        HIGHER,
        "报送的信息条数除以组织数",
    ),
    ("publicity.adoption_rate", "信息采用率", "%", adoption_rate, None, HIGHER, "报送的信息中被县级及以上采用的比例"),
    (
        "publicity.adopted_city_or_above",
        "市级以上采用信息数",
        "条",
        adopted_city_or_above,
        None,
        HIGHER,
        "被市级、省级或中央采用的信息条数",
    ),
    # An average: with nothing scored it has no value ("—"), so it is a ratio (is_ratio) whose expected
    # value is None (no target).
    (
        "publicity.average_quality",
        "信息平均质量评分",
        "分",
        average_quality,
        lambda p: None,
        HIGHER,
        "审核时给出的质量评分（1–5 分）的平均值",
    ),
    (
        "publicity.response_rate",
        "约稿响应率",
        "%",
        response_rate,
        lambda p: 1.0,
        HIGHER,
        "已到截止日期或已报送的约稿中，已报送的比例（应为 100%）",
    ),
    (
        "publicity.on_time_rate",
        "约稿按时报送率",
        "%",
        on_time_rate,
        lambda p: 1.0,
        HIGHER,
        "已到截止日期或已报送的约稿中，在截止日期当天 24 时（北京时间）前报送的比例（应为 100%）",
    ),
    (
        "publicity.media_coverage",
        "媒体渠道覆盖率",
        "%",
        media_coverage,
        None,
        HIGHER,
        "电视、报刊、网络、新媒体四类渠道中已有宣传报道的比例",
    ),
    (
        "publicity.public_placements",
        "公共场所宣传阵地数",
        "处",
        public_placements,
        None,
        HIGHER,
        "在重点路段、公共场所设置的宣传内容数",
    ),
    (
        "publicity.typical_cases",
        "采用的典型案例和经验做法",
        "篇",
        typical_cases,
        None,
        HIGHER,
        "被采用的典型案例和经验做法篇数（出经验、出典型）",
    ),
    # Must be zero: any confirmed copy is 滞后, said "有N对" with the units, never against time progress.
    (
        "publicity.copies_confirmed",
        "经核实的材料雷同",
        "对",
        copies_confirmed,
        None,
        ZERO,
        "经办公室核实确认的跨单位雷同材料（心得、问题、措施、调研报告、信息），计入后报送的一方；应为 0",
    ),
]:
    MEANING[code] = meaning
    register(
        Indicator(
            code=code,
            name=name,
            dimension="宣传信息",
            unit=unit,
            compute=fn,
            expected=expected,
            meaning=meaning,
            follows_time=False,
            description=description,
        )
    )

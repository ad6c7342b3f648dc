"""Reads of publicity data: timeliness of solicitations, review queues, the typical-case library,
copy pairs with their passages, and the summary figures. Every read starts from visible_to()."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from tuijin.core import texts as text_sources
from tuijin.core.scope import subtree_q
from tuijin.orgs.models import Org

from . import copies, timeliness
from .models import (
    CHANNELS,
    LIBRARY_TYPES,
    MEDIA,
    PUBLIC_PLACES,
    CopyPair,
    PublicityItem,
    Solicitation,
    SolicitationTarget,
    Status,
    Submission,
)


def _under(field: str, org: Any) -> Q:
    """Rows under org's subtree; everything when org is the API's whole-scope stand-in (path "")."""
    return subtree_q(field, org.path) if org.path else Q()


def solicitations(user: Any, org: Org | None = None) -> QuerySet[Solicitation]:
    """Solicitations the user sees (issued in its scope, or sent to an org in it), newest first."""
    visible = Solicitation.objects.visible_to(user).values("pk")
    qs = Solicitation.objects.filter(pk__in=visible)
    if org is not None:
        qs = qs.filter(
            subtree_q("org__path", org.path)
            | Q(pk__in=SolicitationTarget.objects.filter(subtree_q("org__path", org.path)).values("solicitation"))
        )
    return qs.select_related("org").order_by("-issued_at", "-id")


def open_solicitations_for(org: Org, as_of: dt.date) -> QuerySet[Solicitation]:
    """What `org` (or an org above it) was asked for and may still answer (late answers are allowed)."""
    ancestors = [org.path[:i] for i in range(org.steplen, len(org.path) + 1, org.steplen)]
    return Solicitation.objects.filter(solicitationtarget__org__path__in=ancestors).distinct().order_by("-issued_at")


@dataclass
class TargetRow:
    org: Org
    answer: timeliness.Answer


def answers(solicitation: Solicitation, as_of: dt.date, targets: Iterable[Org] | None = None) -> list[TargetRow]:
    """Each target's standing: the first answer from the target or any org below it."""
    targets = list(
        targets
        if targets is not None
        else Org.objects.filter(solicitation_targets__solicitation=solicitation).order_by("path")
    )
    subs = list(
        Submission.objects.filter(solicitation=solicitation).values_list("pk", "org__path", "date", "submitted_at")
    )
    rows = []
    for org in targets:
        first = None
        for pk, path, date, submitted_at in subs:
            if not path.startswith(org.path):
                continue
            moment = timeliness.sent_at(date, submitted_at)
            if first is None or moment < first[0]:
                first = (moment, pk)
        answer = timeliness.judge(
            solicitation.deadline,
            solicitation.issued_at,
            first[0] if first else None,
            as_of,
            first[1] if first else None,
        )
        rows.append(TargetRow(org, answer))
    return rows


def all_answers(orgs_under: Org | None, as_of: dt.date, user: Any = None) -> list[tuple[Solicitation, TargetRow]]:
    """Every (solicitation, target) whose target lies in org's subtree, issued by as_of."""
    qs = SolicitationTarget.objects.select_related("solicitation", "org")
    if orgs_under is not None:
        qs = qs.filter(subtree_q("org__path", orgs_under.path))
    if user is not None:
        qs = qs.filter(org__in=Org.objects.visible_to(user))
    by_solicitation = defaultdict(list)
    for t in qs:
        if timeliness.local_date(t.solicitation.issued_at) <= as_of:
            by_solicitation[t.solicitation].append(t.org)
    out = []
    for s, targets in by_solicitation.items():
        out += [(s, row) for row in answers(s, as_of, targets)]
    return out


@dataclass
class Summary:
    submissions: int = 0
    adopted: int = 0
    by_level: dict = field(default_factory=dict)
    quality_sum: int = 0
    quality_n: int = 0
    library: int = 0
    flagged: int = 0
    due: int = 0
    answered: int = 0
    on_time: int = 0
    missing: int = 0
    median_hours: float | None = None
    by_channel: dict = field(default_factory=dict)
    copies_confirmed: int = 0
    copies_open: int = 0

    @property
    def adoption_rate(self) -> float | None:
        return self.adopted / self.submissions if self.submissions else None

    @property
    def quality(self) -> float | None:
        return self.quality_sum / self.quality_n if self.quality_n else None

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.due if self.due else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def media_channels(self) -> list[str]:
        return [c for c in MEDIA if self.by_channel.get(c)]

    @property
    def public_places(self) -> int:
        return sum(self.by_channel.get(c, 0) for c in PUBLIC_PLACES)


def summary(user: Any, org: Org, as_of: dt.date) -> Summary:
    """The figures of org's subtree as the user sees it, counted as the indicators count them; the
    median response time is computed from the answers themselves (a median does not add up)."""
    subs = Submission.objects.visible_to(user).filter(subtree_q("org__path", org.path), date__lte=as_of)
    row = subs.order_by().aggregate(
        n=Count("pk"),
        n_adopted=Count("pk", filter=Q(adopted=True, adopted_on__lte=as_of)),
        n_library=Count("pk", filter=Q(adopted=True, type__in=LIBRARY_TYPES)),
        n_flagged=Count("pk", filter=Q(relevance_flagged=True)),
    )
    s = Summary(submissions=row["n"], adopted=row["n_adopted"], library=row["n_library"], flagged=row["n_flagged"])
    s.by_level = dict(subs.filter(adopted=True).order_by().values_list("adopted_level").annotate(n=Count("pk")))
    scored = subs.filter(quality__isnull=False).values_list("quality", flat=True)
    s.quality_sum, s.quality_n = sum(scored), len(scored)
    rows = [r for _, r in all_answers(org, as_of, user)]
    s.due = sum(1 for r in rows if r.answer.due)
    s.answered = sum(1 for r in rows if r.answer.status in (timeliness.ON_TIME, timeliness.LATE))
    s.on_time = sum(1 for r in rows if r.answer.status == timeliness.ON_TIME)
    s.missing = sum(1 for r in rows if r.answer.status == timeliness.MISSING)
    s.median_hours = timeliness.median_hours([r.answer for r in rows])
    items = PublicityItem.objects.visible_to(user).filter(subtree_q("org__path", org.path), date__lte=as_of)
    s.by_channel = dict(items.order_by().values_list("channel").annotate(n=Count("pk")))
    pairs = CopyPair.objects.visible_to(user).filter(subtree_q("org_b__path", org.path))
    s.copies_confirmed = pairs.filter(status="已确认").count()
    s.copies_open = pairs.filter(status="待核实").count()
    return s


def submission_list(
    user: Any, org: Any, *, type: str = "", status: str = "", flagged: str = "", q: str = "", sub_org: Org | None = None
) -> QuerySet[Submission]:
    qs = Submission.objects.visible_to(user).filter(_under("org__path", sub_org or org))
    if type:
        qs = qs.filter(type=type)
    if status:
        qs = qs.filter(status=status)
    if flagged == "1":
        qs = qs.filter(relevance_flagged=True)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(body__contains=q))
    return qs.select_related("org", "solicitation", "review_org").order_by("-date", "-id")


def review_queue(user: Any, office_org: Org) -> QuerySet[Submission]:
    """Pieces waiting for this level: first reviews of the subtree (no level named yet, the unit
    strictly below), and pieces forwarded to exactly this level."""
    from tuijin.orgs.models import RoleGrant

    qs = Submission.objects.visible_to(user).filter(status=Status.PENDING)
    first = Q(review_org__isnull=True) & subtree_q("org__path", office_org.path) & ~Q(org=office_org)
    # A piece below another office of this subtree is that office's to review first.
    office_ids = RoleGrant.objects.filter(role="office", org__isnull=False).values("org")
    lower = (
        Org.objects.filter(subtree_q("path", office_org.path), pk__in=office_ids)
        .exclude(pk=office_org.pk)
        .values_list("path", flat=True)
    )
    for path in lower:
        first &= ~(subtree_q("org__path", path) & ~Q(org__path=path))
    return qs.filter(first | Q(review_org=office_org)).select_related("org", "solicitation").order_by("date", "id")


def library(
    user: Any, *, q: str = "", type: str = "", sector: str = "", level: str = "", org: Org | None = None
) -> QuerySet[Submission]:
    """出经验、出典型、出创新: adopted 典型案例 and 经验做法 every unit in scope can read."""
    qs = Submission.objects.visible_to(user).filter(adopted=True, type__in=LIBRARY_TYPES)
    if org is not None:
        qs = qs.filter(subtree_q("org__path", org.path))
    if type in LIBRARY_TYPES:
        qs = qs.filter(type=type)
    if sector:
        qs = qs.filter(org__sector=sector)
    if level:
        qs = qs.filter(adopted_level=level)
    if q:
        qs = qs.filter(Q(title__contains=q) | Q(body__contains=q))
    return qs.select_related("org").order_by("-adopted_on", "-id")


LEVEL_RANK = {"中央": 0, "省": 1, "市": 2, "县": 3}


def good_examples(org: Org, as_of: dt.date, limit: int = 3) -> list[Submission]:
    """The typical-case library's pieces from org's subtree adopted by as_of, for a briefing to cite
    (issue 14): highest adoption level first, then the most recently adopted. Each is credited to the
    unit that wrote it (its `org`), never to the unit above it. A system read for the briefing: the
    briefing's own scope is org's subtree."""
    rows = list(
        Submission.objects.filter(
            _under("org__path", org),
            adopted=True,
            adopted_on__lte=as_of,
            date__lte=as_of,
            type__in=LIBRARY_TYPES,
            org__active=True,
        )
        .select_related("org")
        .order_by("-adopted_on", "-pk")[:200]
    )
    rows.sort(key=lambda s: (LEVEL_RANK.get(s.adopted_level, 9), -(s.adopted_on or as_of).toordinal(), -s.pk))
    return rows[:limit]


def items(user: Any, org: Any, *, channel: str = "", sub_org: Org | None = None) -> QuerySet[PublicityItem]:
    qs = PublicityItem.objects.visible_to(user).filter(_under("org__path", sub_org or org))
    if channel in CHANNELS:
        qs = qs.filter(channel=channel)
    return qs.select_related("org").order_by("-date", "-id")


def copy_pairs(user: Any, org: Org, *, status: str = "") -> QuerySet[Any]:
    """Pairs whose later text is in org's subtree and whose earlier text's unit the user also sees."""
    visible_orgs = Org.objects.visible_to(user).values("pk")
    qs = (
        CopyPair.objects.visible_to(user)
        .filter(subtree_q("org_b__path", org.path), org_a__in=visible_orgs)
        .select_related("org_a", "org_b")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "-similarity", "id")


@dataclass
class Side:
    source: str
    label: str
    org: Org
    date: dt.date | None
    runs: list
    url: str | None


def pair_sides(pair: CopyPair) -> tuple[Side | None, Side | None, int]:
    """Both texts with the matched passages marked, read through the registered sources."""

    def fetch(source_name: str, pk: Any, org: Org) -> tuple[Any, text_sources.TextSource | None]:
        source = text_sources.get(source_name)
        if source is None:
            return None, None
        found = source.texts([pk]).get(pk)
        return (found, source) if found else (None, source)

    (fa, sa), (fb, sb) = fetch(pair.source_a, pair.id_a, pair.org_a), fetch(pair.source_b, pair.id_b, pair.org_b)
    ra, rb, matched = copies.passages(fa[2] if fa else "", fb[2] if fb else "")
    side_a = (
        Side(
            pair.source_a,
            sa.label if sa else pair.source_a,
            pair.org_a,
            fa[1] if fa else None,
            ra,
            sa.url(pair.id_a) if sa and fa else None,
        )
        if fa
        else None
    )
    side_b = (
        Side(
            pair.source_b,
            sb.label if sb else pair.source_b,
            pair.org_b,
            fb[1] if fb else None,
            rb,
            sb.url(pair.id_b) if sb and fb else None,
        )
        if fb
        else None
    )
    return side_a, side_b, matched

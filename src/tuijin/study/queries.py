"""Reads of study data that are more than one filter: coverage per org and per chapter, a member's
progress, the collective-versus-individual balance, and which orgs have not done what.

Every figure is over an org's *own* members (正式党员 and 预备党员 of the org itself); a subtree's
figure is the sum of its orgs', which is what the indicators roll up.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from tuijin.core.scope import subtree_q, subtrees_q
from tuijin.campaigns.models import Chapter
from tuijin.core.chunks import chunks
from tuijin.core.indicators import STATUS_OK, status
from tuijin.orgs.models import Org, OrgKind, Person

from .models import (
    EXPERT,
    GOING_OUT_FORMS,
    INVITED_FORMS,
    MEMBER_STATUSES,
    SEMINAR,
    Attendance,
    Coverage,
    SelfStudy,
    StudySession,
)


def chapters_of(campaign: Any) -> list[Chapter]:
    """The campaign's reading list, measured against the campaign's time progress: every chapter
    except those of 跟进学习 items (a deadline of their own; see `followup_by_org`)."""
    return [c for c in all_chapters(campaign) if c.item.due_on is None]


def all_chapters(campaign: Any) -> list[Chapter]:
    """Every chapter a session or a self-study log may name, 跟进学习 items included (forms)."""
    if campaign is None:
        return []
    return list(
        Chapter.objects.filter(item__campaign=campaign)
        .select_related("item")
        .order_by("item__position", "item__id", "position", "id")
    )


def members_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}active": True, f"{prefix}status__in": MEMBER_STATUSES})


def covered_by(as_of: dt.date) -> Q:
    return Q(first_session_on__lte=as_of) | Q(first_self_on__lte=as_of)


# ------------------------------------------------------------------ per org


@dataclass
class OrgStudy:
    """An org's own members against the reading list: member-chapter pairs covered, and by which way."""

    members: int = 0
    chapters: int = 0
    covered: int = 0  # pairs covered by a session or self-study
    collective: int = 0  # pairs covered through a session attended
    own: int = 0  # pairs covered through self-study

    @property
    def pairs(self) -> int:
        return self.members * self.chapters

    def _share(self, n: int) -> Any:  # float | None; callers compare it (is_unbalanced)
        return n / self.pairs if self.pairs else None

    @property
    def share(self) -> Any:
        return self._share(self.covered)

    @property
    def collective_share(self) -> Any:
        return self._share(self.collective)

    @property
    def own_share(self) -> Any:
        return self._share(self.own)

    def __add__(self, other: OrgStudy) -> OrgStudy:
        return OrgStudy(
            self.members + other.members,
            max(self.chapters, other.chapters),
            self.covered + other.covered,
            self.collective + other.collective,
            self.own + other.own,
        )


def member_counts(org_ids: Iterable[int]) -> dict[int, int]:
    out = {}
    for chunk in chunks(org_ids):
        rows = Person.objects.filter(members_q(), org_id__in=chunk).order_by().values("org_id").annotate(n=Count("pk"))
        out.update({r["org_id"]: r["n"] for r in rows})
    return out


def study_by_org(org_ids: Iterable[int], campaign: Any, as_of: dt.date) -> dict[int, OrgStudy]:
    """{org id: OrgStudy} for the orgs that have members of their own."""
    org_ids = list(org_ids)
    chapter_ids = [c.pk for c in chapters_of(campaign)]
    out = {org_id: OrgStudy(members=n, chapters=len(chapter_ids)) for org_id, n in member_counts(org_ids).items()}
    if not chapter_ids or not out:
        return out
    # Driven by the people of the orgs (person.org index, then coverage's (person, chapter) index):
    # each chunk reads only its own people's rows.
    for chunk in chunks([k for k in org_ids if k in out]):
        rows = (
            Coverage.objects.filter(
                members_q("person__"), covered_by(as_of), person__org_id__in=chunk, chapter_id__in=chapter_ids
            )
            .order_by()
            .values("person__org_id")
            .annotate(
                covered=Count("pk"),
                collective=Count("pk", filter=Q(first_session_on__lte=as_of)),
                own=Count("pk", filter=Q(first_self_on__lte=as_of)),
            )
        )
        for r in rows:
            s = out.get(r["person__org_id"])
            if s is not None:
                s.covered, s.collective, s.own = r["covered"], r["collective"], r["own"]
    return out


def cadre_study_by_org(org_ids: Iterable[int], campaign: Any, as_of: dt.date) -> dict[int, tuple[OrgStudy, OrgStudy]]:
    """以上率下: {org id: (its own leading cadres' OrgStudy, its other members' OrgStudy)} over the
    campaign's reading list, for orgs with members. A leading cadre is a member marked 是否领导干部."""
    org_ids = list(org_ids)
    chapter_ids = [c.pk for c in chapters_of(campaign)]
    n = len(chapter_ids)
    out: dict[int, tuple[OrgStudy, OrgStudy]] = {}
    for chunk in chunks(org_ids):
        rows = (
            Person.objects.filter(members_q(), org_id__in=chunk)
            .order_by()
            .values("org_id", "is_leading_cadre")
            .annotate(n=Count("pk"))
        )
        for r in rows:
            pair = out.setdefault(r["org_id"], (OrgStudy(chapters=n), OrgStudy(chapters=n)))
            pair[0 if r["is_leading_cadre"] else 1].members = r["n"]
    if not chapter_ids or not out:
        return out
    for chunk in chunks(list(out)):
        cov = (
            Coverage.objects.filter(
                members_q("person__"), covered_by(as_of), person__org_id__in=chunk, chapter_id__in=chapter_ids
            )
            .order_by()
            .values("person__org_id", "person__is_leading_cadre")
            .annotate(
                covered=Count("pk"),
                collective=Count("pk", filter=Q(first_session_on__lte=as_of)),
                own=Count("pk", filter=Q(first_self_on__lte=as_of)),
            )
        )
        for c in cov:
            s = out[c["person__org_id"]][0 if c["person__is_leading_cadre"] else 1]
            s.covered, s.collective, s.own = c["covered"], c["collective"], c["own"]
    return out


BIG_SUBTREE = 50_000  # members; above this one pass over the whole coverage table is faster


def _subtree_coverage(org: Org, members: int, chapter_ids: list[int], as_of: dt.date) -> QuerySet[Coverage]:
    """Coverage rows of a subtree's members. A county's are read person by person through the
    (person, chapter) index; a city's in one pass over the table."""
    qs = Coverage.objects.filter(covered_by(as_of), chapter_id__in=chapter_ids)
    if members > BIG_SUBTREE:
        return qs.filter(members_q("person__"), subtree_q("person__org__path", org.path))
    return qs.filter(person_id__in=Person.objects.filter(members_q(), subtree_q("org__path", org.path)).values("pk"))


def cached(name: str, org: Org, as_of: dt.date, campaign: Any, compute: Callable[[], Any]) -> Any:
    """A subtree figure, kept until the next recorded change anywhere (every change to study records,
    people or orgs writes a domain event), so an office reopening a page does not recompute it."""
    from django.core.cache import cache

    from tuijin.core.models import DomainEvent

    # The chain hash, not just the id: after a restore, a new event with an old id has another hash.
    last = DomainEvent.objects.order_by("-id").values_list("hash", flat=True).first() or ""
    key = f"study:{name}:{org.pk}:{as_of.isoformat()}:{getattr(campaign, 'pk', 0)}:{last}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, 600)
    return value


def subtree_study(org: Org, campaign: Any, as_of: dt.date) -> OrgStudy:
    """The org's whole subtree in two aggregate queries (no per-org grouping)."""
    chapter_ids = [c.pk for c in chapters_of(campaign)]
    members = Person.objects.filter(members_q(), subtree_q("org__path", org.path)).count()
    result = OrgStudy(members=members, chapters=len(chapter_ids))
    if chapter_ids and members:
        agg = _subtree_coverage(org, members, chapter_ids, as_of).aggregate(
            covered=Count("pk"),
            collective=Count("pk", filter=Q(first_session_on__lte=as_of)),
            own=Count("pk", filter=Q(first_self_on__lte=as_of)),
        )
        result.covered, result.collective, result.own = agg["covered"], agg["collective"], agg["own"]
    return result


def is_unbalanced(s: OrgStudy, progress: float, lag: float) -> bool:
    """集体学习好于个人自学: collective coverage keeps pace with time progress (within the lag threshold)
    while the members' own self-study falls behind it by more than that threshold."""
    if not s.pairs:
        return False
    bar = progress - lag
    return s.collective_share >= bar and s.own_share < bar


@dataclass
class BalanceRow:
    org: Org
    study: OrgStudy


def unbalanced_orgs(root: Org, campaign: Any, as_of: dt.date, *, orgs: Iterable[Org] | None = None) -> list[BalanceRow]:
    """Orgs in root's subtree (or in `orgs`) whose collective study is active while members' own study lags."""
    if campaign is None:
        return []
    orgs = list(orgs if orgs is not None else Org.objects.filter(subtree_q("path", root.path), active=True))
    by_id = {o.pk: o for o in orgs}
    progress = campaign.progress(as_of)
    stats = study_by_org(by_id, campaign, as_of)
    rows = [BalanceRow(by_id[k], s) for k, s in stats.items() if is_unbalanced(s, progress, campaign.lag_threshold)]
    return sorted(rows, key=lambda r: (r.study.own_share - r.study.collective_share, r.org.path))


def chapter_coverage(root: Org, campaign: Any, as_of: dt.date) -> list[tuple[Chapter, int, int]]:
    """For each chapter: members of the subtree who covered it, and members in all."""
    chapters = chapters_of(campaign)
    members = Person.objects.filter(members_q(), subtree_q("org__path", root.path)).count()
    rows = (
        _subtree_coverage(root, members, [c.pk for c in chapters], as_of)
        .order_by()
        .values("chapter_id")
        .annotate(n=Count("pk"))
    )
    counts = {r["chapter_id"]: r["n"] for r in rows}
    return [(c, counts.get(c.pk, 0), members) for c in chapters]


# ------------------------------------------------------------------ who has not done what


def orgs_with_members(org_ids: Iterable[int]) -> set[int]:
    return set(member_counts(org_ids))


def seminar_orgs(org_ids: Iterable[int], campaign: Any, as_of: dt.date, *, expert: bool = False) -> set[int]:
    """Orgs (among org_ids) that held a 专题研讨 (or, expert=True, a lecture by a 党校 expert) in the campaign."""
    from tuijin.core.exclusions import excluded

    found, untrue = set(), excluded("study_session", as_of)  # found 不属实 on a random check
    for chunk in chunks(org_ids):
        qs = StudySession.objects.current().filter(org_id__in=chunk, date__lte=as_of).exclude(pk__in=untrue)
        if campaign is not None:
            qs = qs.filter(date__gte=campaign.start)
        qs = qs.filter(speaker_category=EXPERT) if expert else qs.filter(form=SEMINAR)
        found.update(qs.order_by().values_list("org_id", flat=True).distinct())
    return found


def invited_and_went_out(org_ids: Iterable[int], campaign: Any, as_of: dt.date) -> dict[int, tuple[int, int]]:
    """请进来、走出去: per org, (sessions that went out, sessions that went out or brought a speaker in)
    held in the campaign up to as_of. A session that went out to hear an expert counts as going out."""
    going_out = Q(form__in=GOING_OUT_FORMS)
    from tuijin.core.exclusions import excluded

    either = going_out | Q(form__in=INVITED_FORMS) | Q(speaker_category=EXPERT)
    out, untrue = {}, excluded("study_session", as_of)  # found 不属实 on a random check
    for chunk in chunks(org_ids):
        qs = StudySession.objects.current().filter(either, org_id__in=chunk, date__lte=as_of).exclude(pk__in=untrue)
        if campaign is not None:
            qs = qs.filter(date__gte=campaign.start)
        for row in qs.order_by().values("org_id").annotate(n=Count("pk"), out=Count("pk", filter=going_out)):
            out[row["org_id"]] = (row["out"], row["n"])
    return out


def expected_to_hold(orgs: Iterable[Org], *, expert: bool = False) -> list[Org]:
    """Who should hold a 专题研讨: every active org with party members of its own (a committee's 中心组,
    a branch). Who should invite a 党校 expert: the same, except branches (it is a unit's task)."""
    orgs = [o for o in orgs if o.active and (not expert or o.kind != OrgKind.BRANCH)]
    with_members = orgs_with_members([o.pk for o in orgs])
    return [o for o in orgs if o.pk in with_members]


def orgs_without(root: Org, campaign: Any, as_of: dt.date, *, expert: bool = False) -> list[Org]:
    orgs = expected_to_hold(
        Org.objects.filter(subtree_q("path", root.path), active=True).order_by("path"), expert=expert
    )
    held = seminar_orgs([o.pk for o in orgs], campaign, as_of, expert=expert)
    return [o for o in orgs if o.pk not in held]


def month_start(as_of: dt.date) -> dt.date:
    return as_of.replace(day=1)


def branches_with_session_this_month(branch_ids: Iterable[int], as_of: dt.date) -> set[int]:
    from tuijin.core.exclusions import excluded

    found, untrue = set(), excluded("study_session", as_of)  # found 不属实 on a random check
    for chunk in chunks(branch_ids):
        found.update(
            StudySession.objects.current()
            .filter(org_id__in=chunk, date__gte=month_start(as_of), date__lte=as_of)
            .exclude(pk__in=untrue)
            .order_by()
            .values_list("org_id", flat=True)
            .distinct()
        )
    return found


def quiet_branches(root: Org, as_of: dt.date) -> tuple[list[Org], int]:
    """Branches (基层末端) of the subtree with no session this month up to as_of, and the number of branches."""
    branches = list(Org.objects.filter(subtree_q("path", root.path), active=True, kind=OrgKind.BRANCH).order_by("path"))
    active = branches_with_session_this_month([b.pk for b in branches], as_of)
    return [b for b in branches if b.pk not in active], len(branches)


# ------------------------------------------------------------------ one member


@dataclass
class ChapterProgress:
    chapter: Chapter
    sessions: list = field(default_factory=list)  # StudySession the person attended
    logs: list = field(default_factory=list)  # the person's SelfStudy

    @property
    def covered(self) -> bool:
        return bool(self.sessions or self.logs)


@dataclass
class ItemProgress:
    item: object
    chapters: list[ChapterProgress]

    @property
    def total(self) -> int:
        return len(self.chapters)

    @property
    def covered(self) -> int:
        return sum(1 for c in self.chapters if c.covered)

    @property
    def share(self) -> float | None:
        return self.covered / self.total if self.total else None


@dataclass
class PersonProgress:
    items: list[ItemProgress]
    progress: float | None  # time progress
    status: str = STATUS_OK

    @property
    def total(self) -> int:
        return sum(i.total for i in self.items)

    @property
    def covered(self) -> int:
        return sum(i.covered for i in self.items)

    @property
    def share(self) -> float | None:
        return self.covered / self.total if self.total else None

    def next_chapter(self) -> Chapter | None:
        for item in self.items:
            for c in item.chapters:
                if not c.covered:
                    return c.chapter
        return None


def person_progress(person: Person, campaign: Any, as_of: dt.date) -> PersonProgress:
    """A member's reading progress, chapter by chapter, from the sessions they attended and their own logs."""
    chapters = chapters_of(campaign)
    by_chapter = {c.pk: ChapterProgress(c) for c in chapters}
    attended = (
        Attendance.objects.filter(person=person, session__withdrawn=False, session__date__lte=as_of)
        .select_related("session", "session__org")
        .prefetch_related("session__chapters")
    )
    for a in attended:
        for c in a.session.chapters.all():
            if c.pk in by_chapter:
                by_chapter[c.pk].sessions.append(a.session)
    for log in SelfStudy.objects.filter(
        person=person, withdrawn=False, date__lte=as_of, chapter_id__in=list(by_chapter)
    ).order_by("date"):
        by_chapter[log.chapter_id].logs.append(log)
    grouped = defaultdict(list)
    items = {}
    for c in chapters:
        grouped[c.item_id].append(by_chapter[c.pk])
        items[c.item_id] = c.item
    for cp in by_chapter.values():
        cp.sessions.sort(key=lambda s: s.date)
    result = PersonProgress(
        [ItemProgress(items[k], v) for k, v in grouped.items()], campaign.progress(as_of) if campaign else None
    )
    if campaign is not None:
        result.status = status(
            result.share, result.progress, lag=campaign.lag_threshold, severe=campaign.severe_lag_threshold
        )
    return result


# ------------------------------------------------------------------ lists


def session_list(
    user: Any, org: Any, *, form: str = "", month: str = "", include_withdrawn: bool = False
) -> QuerySet[StudySession]:
    """Sessions in org's subtree; `org` may be a list of roots (全部: one list across them)."""
    roots = org if isinstance(org, (list, tuple)) else [org]
    qs = StudySession.objects.visible_to(user).filter(subtrees_q(StudySession, "org__path", [r.path for r in roots]))
    if not include_withdrawn:
        qs = qs.filter(withdrawn=False)
    if form:
        qs = qs.filter(form=form)
    if month:
        year, _, mon = month.partition("-")
        if year.isdigit() and mon.isdigit():
            qs = qs.filter(date__year=int(year), date__month=int(mon))
    return qs.select_related("org").order_by("-date", "-id")


def form_counts(qs: QuerySet[StudySession]) -> dict[str, int]:
    return {r["form"]: r["n"] for r in qs.order_by().values("form").annotate(n=Count("pk"))}


# ------------------------------------------------------------------ 跟进学习 (第一议题)
# An item with its own window: a member has studied it when they covered all its chapters (a session
# attended or self-study) by the cutoff — as_of while the window is open, the deadline after it. An
# org's figure is over its own members; its expectation is the elapsed share of the item's window.


def followup_items(campaign: Any, as_of: dt.date | None = None, *, state: str = "") -> list:
    """The campaign's 跟进学习 items that have opened by as_of; state "open" (deadline not passed)
    or "due" (deadline passed) narrows them."""
    if campaign is None:
        return []
    qs = campaign.reading.filter(due_on__isnull=False).prefetch_related("chapters").order_by("opens_on", "position")
    if as_of is not None:
        qs = qs.filter(opens_on__lte=as_of)
        if state == "open":
            qs = qs.filter(due_on__gte=as_of)
        elif state == "due":
            qs = qs.filter(due_on__lt=as_of)
    return list(qs)


def _cutoff(item: Any, as_of: dt.date) -> dt.date:
    return min(as_of, item.due_on)


def _studied(person_filter: Q, item: Any, as_of: dt.date, group: str | None) -> Any:
    """Members (of person_filter) who covered every chapter of the item by the cutoff: a count, or
    {group value: count} when grouped (e.g. by "person__org_id")."""
    chapter_ids = [c.pk for c in item.chapters.all()]
    if not chapter_ids:
        return {} if group else 0
    rows = (
        Coverage.objects.filter(
            person_filter, members_q("person__"), covered_by(_cutoff(item, as_of)), chapter_id__in=chapter_ids
        )
        .order_by()
        .values("person_id", *([group] if group else []))
        .annotate(n=Count("pk"))
        .filter(n__gte=len(chapter_ids))
    )
    if not group:
        return rows.count()
    out: dict = defaultdict(int)
    for r in rows:
        out[r[group]] += 1
    return out


def followup_by_org(org_ids: Iterable[int], item: Any, as_of: dt.date) -> dict[int, tuple[int, int]]:
    """{org id: (own members, members who studied the item by the cutoff)} for orgs with members."""
    counts = member_counts(org_ids)
    out = {k: (n, 0) for k, n in counts.items()}
    for chunk in chunks(list(counts)):
        for org_id, n in _studied(Q(person__org_id__in=chunk), item, as_of, "person__org_id").items():
            out[org_id] = (out[org_id][0], n)
    return out


@dataclass
class FollowupRow:
    """One 跟进学习 item in one org (own members) or subtree, against the item's own window."""

    item: Any  # a campaigns ReadingItem with a window
    org: Org
    members: int
    studied: int
    as_of: dt.date

    @property
    def share(self) -> float | None:
        return self.studied / self.members if self.members else None

    @property
    def expected(self) -> float:
        return self.item.window_share(self.as_of)

    @property
    def overdue(self) -> bool:
        return self.as_of > self.item.due_on

    @property
    def missing(self) -> int:
        return self.members - self.studied

    @property
    def late(self) -> bool:
        """The deadline has passed and some member had not studied the item by it."""
        return self.overdue and self.missing > 0

    def status(self, lag: float, severe: float) -> str:
        from tuijin.core.indicators import classifier

        return classifier(self.expected, lag=lag, severe=severe)(self.share)


def subtree_followup(org: Org, item: Any, as_of: dt.date) -> FollowupRow:
    members = Person.objects.filter(members_q(), subtree_q("org__path", org.path)).count()
    studied = _studied(subtree_q("person__org__path", org.path), item, as_of, None) if members else 0
    return FollowupRow(item, org, members, int(studied), as_of)


def followup_orgs(root: Org, item: Any, as_of: dt.date) -> list[FollowupRow]:
    """Each org of root's subtree with members of its own, on the item (by path)."""
    orgs = {o.pk: o for o in Org.objects.filter(subtree_q("path", root.path), active=True)}
    rows = [FollowupRow(item, orgs[k], n, s, as_of) for k, (n, s) in followup_by_org(list(orgs), item, as_of).items()]
    return sorted(rows, key=lambda r: r.org.path)


def person_followup(person: Person, items: Iterable[Any], as_of: dt.date) -> dict[int, bool]:
    """{item id: whether the person has studied it by the cutoff}."""
    return {item.pk: bool(_studied(Q(person=person), item, as_of, None)) for item in items}

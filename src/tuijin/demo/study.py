"""Study records for the demo city: sessions with their attendance, members' self-study, and the
derived chapter coverage — uneven on purpose, so the scorecard and the briefing have something to say:

- some units (with all their branches) study hard together but their members barely read alone
  (集体学习好于个人自学);
- some orgs have held no 专题研讨, some units have invited no 党校 expert;
- some branches have done nothing this month (基层末端);
- a few branches lag on everything.

Written in bulk (sessions with bulk_create for their ids; attendance, chapter links, self-study and
coverage with executemany in batches of 10,000), so the city scale (~2 million study records) is a
matter of a minute, not hours. History rows are not written for demo data, as for demo people.

    from tuijin.demo.study import build_study
    build_study(orgs, Person.objects.all(), campaign, today, rng, scale)
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections import defaultdict
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils import timezone

from tuijin.core import events
from tuijin.demo.generate import _name
from tuijin.orgs.models import OrgKind
from tuijin.study.models import Attendance, Coverage, SelfStudy, SessionChapter, StudySession
from tuijin.study.queries import chapters_of

BATCH = 10_000
SESSION_BATCH = 5_000
MEMBER = ("正式党员", "预备党员")

BRANCH_TOPICS = [
    "学习党的二十大报告",
    "学习党章",
    "学习《习近平著作选读》",
    "学思想、强党性",
    "重实践、建新功",
    "学习习近平总书记最新重要讲话",
    "以学铸魂",
    "以学增智",
    "以学正风",
    "以学促干",
]
CENTRE_TOPICS = [
    "深入学习贯彻习近平新时代中国特色社会主义思想",
    "学习贯彻党的二十大精神",
    "推动高质量发展",
    "全面从严治党",
    "坚持以人民为中心的发展思想",
    "调查研究成果交流",
]
SEMINAR_TOPICS = [
    "对照党章党规找差距",
    "以学促干专题研讨",
    "如何把理论学习成果转化为推动发展的实际成效",
    "检视问题、推动整改",
    "牢记初心使命",
]
GOING_OUT_TOPICS = ["赴红色教育基地现场教学", "到先进村学习乡村振兴经验", "赴兄弟县区学习基层治理做法"]
WARNING_TOPICS = ["观看警示教育片", "典型案例以案促改", "参观廉政教育基地"]
LECTURERS = ["王建平", "李文华", "张志刚", "陈秀英", "刘明远", "赵丽君", "孙国华"]
REFLECTIONS = [
    "通过学习，进一步加深了对党的创新理论的理解，要把学习成果转化为做好本职工作的实际行动。",
    "重温这一篇，深刻体会到坚持以人民为中心的重要性，今后要多到群众中去，解决实际问题。",
    "学习后对照检查自身，在理论联系实际方面还有差距，下一步要学深一层、做实一步。",
    "要把学习同推动工作结合起来，以学促干，在岗位上建新功。",
    "这一部分论述系统深刻，读了两遍仍有新收获，准备在支部学习时交流体会。",
]


_DAYS: dict = {}


def _day(d):
    """A date as the database driver is given it anyway (an ISO string), adapted once per day, not per row."""
    if d is None:
        return None
    if d not in _DAYS:
        _DAYS[d] = connection.ops.adapt_datefield_value(d)
    return _DAYS[d]


def _insert(model, fields, rows) -> int:
    """executemany in batches: several times faster than model instances for millions of plain rows."""
    if not rows:
        return 0
    meta = model._meta
    cols = [meta.get_field(f).column for f in fields]
    sql = (
        f"INSERT INTO {connection.ops.quote_name(meta.db_table)} "
        f"({', '.join(connection.ops.quote_name(c) for c in cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[i : i + BATCH])
    return len(rows)


@contextmanager
def _big_cache():
    """On SQLite, a 256 MB page cache while the indexes of millions of rows are built (default: 2 MB)."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _pick(rng, items, share):
    """A fixed share of items (at least one when there are four or more), chosen at random."""
    n = round(len(items) * share)
    if len(items) >= 4:
        n = max(1, n)
    return set(rng.sample(items, min(n, len(items))))


class _Writer:
    """Collects sessions with their links, flushes them in batches, and tracks coverage per person."""

    def __init__(self):
        self.pending = []  # (StudySession, chapter ids, attendee ids)
        self.first: dict[tuple[int, int], list] = {}  # (person, chapter) -> [first session date, first self date]
        self.counts = defaultdict(int)
        self.keys = set()

    def session(
        self,
        org_id,
        date,
        form,
        topic,
        chapters,
        attendees,
        *,
        speaker="",
        affiliation="",
        category="",
        headcount=None,
        hours=None,
    ):
        while (org_id, date, form, topic) in self.keys:  # the natural key must stay unique
            topic += "（续）"
        self.keys.add((org_id, date, form, topic))
        self.pending.append(
            (
                StudySession(
                    org_id=org_id,
                    date=date,
                    form=form,
                    topic=topic,
                    speaker=speaker,
                    speaker_affiliation=affiliation,
                    speaker_category=category,
                    headcount=headcount,
                    hours=hours,
                ),
                chapters,
                attendees,
            )
        )
        for p in attendees:
            for c in chapters:
                slot = self.first.setdefault((p, c), [None, None])
                if slot[0] is None or date < slot[0]:
                    slot[0] = date
        if len(self.pending) >= SESSION_BATCH:
            self.flush_sessions()

    def flush_sessions(self):
        if not self.pending:
            return
        created = StudySession.objects.bulk_create([s for s, _, _ in self.pending], batch_size=SESSION_BATCH)
        if created and created[0].pk is None:  # very old SQLite: look the ids up by natural key
            ids = {
                (o, d, f, t): pk
                for pk, o, d, f, t in StudySession.objects.filter(org_id__in={s.org_id for s in created}).values_list(
                    "pk", "org_id", "date", "form", "topic"
                )
            }
            for s in created:
                s.pk = ids[(s.org_id, s.date, s.form, s.topic)]
        links = [(s.pk, c) for s, (_, chapters, _) in zip(created, self.pending, strict=True) for c in chapters]
        # Sorted by the unique index's key, so the inserts append to it instead of jumping around.
        links.sort()
        attendance = sorted((s.pk, p) for s, (_, _, people) in zip(created, self.pending, strict=True) for p in people)
        self.counts["sessions"] += len(created)
        self.counts["attendance"] += _insert(Attendance, ["session", "person"], attendance)
        _insert(SessionChapter, ["session", "chapter"], links)
        self.pending = []

    def self_study(self, rows):
        """rows: (person, date, chapter, minutes, reflection)."""
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        for p, d, c, _, _ in rows:
            slot = self.first.setdefault((p, c), [None, None])
            if slot[1] is None or d < slot[1]:
                slot[1] = d
        self.counts["self_study"] += _insert(
            SelfStudy,
            ["person", "date", "chapter", "minutes", "reflection", "withdrawn", "created_at"],
            [(p, _day(d), c, m, r, False, now) for p, d, c, m, r in rows],
        )

    def flush_coverage(self):
        rows = sorted((p, c, _day(a), _day(b)) for (p, c), (a, b) in self.first.items())
        self.counts["coverage"] += _insert(Coverage, ["person", "chapter", "first_session_on", "first_self_on"], rows)
        self.first = {}


def _dates(rng, start, today, every=(14, 28), first=(2, 12)):
    """Meeting dates from the start to today, every two to four weeks."""
    d = start + dt.timedelta(days=rng.randint(*first))
    while d <= today:
        yield d
        d += dt.timedelta(days=rng.randint(*every))


def build_study(orgs, people_qs, campaign, today: dt.date, rng, scale: str) -> dict:
    """Create the demo's study records for `orgs` (the whole tree) and return counts by kind.

    `people_qs` is the people to draw attendees and readers from (usually Person.objects.all());
    `scale` only sets how busy the orgs are ("tiny" and "small" a little busier, so small trees still
    show every kind of unevenness)."""
    chapters = [c.pk for c in chapters_of(campaign)]
    if not chapters or today < campaign.start:
        return {"sessions": 0, "attendance": 0, "self_study": 0, "coverage": 0}
    progress = campaign.progress(today)
    month_start = today.replace(day=1)
    start = campaign.start
    span = max(1, (today - start).days)

    people = defaultdict(list)  # org id -> [(pk, is member)]
    for pk, org_id, status in (
        people_qs.filter(active=True).values_list("pk", "org_id", "status").iterator(chunk_size=20_000)
    ):
        people[org_id].append((pk, status in MEMBER))

    orgs = [o for o in orgs if o.active]
    by_path = {o.path: o for o in orgs}
    branches = [o for o in orgs if o.kind == OrgKind.BRANCH]
    units = [o for o in orgs if o.kind != OrgKind.BRANCH and o.depth >= 3]  # departments, towns, schools, firms
    committees = [o for o in orgs if o.kind != OrgKind.BRANCH]
    # Unevenness, decided up front so each kind is present in any tree of useful size.
    together_units = _pick(rng, units, 0.08)
    together = {b.pk for b in branches if by_path.get(b.path[: -b.steplen]) in together_units}
    together |= {o.pk for o in together_units} | {b.pk for b in _pick(rng, branches, 0.03)}
    weak = {b.pk for b in _pick(rng, [b for b in branches if b.pk not in together], 0.08)}
    no_seminar = {o.pk for o in _pick(rng, committees, 0.15)} | {b.pk for b in _pick(rng, branches, 0.20)}
    no_expert = {o.pk for o in _pick(rng, committees, 0.30)}
    quiet = {b.pk for b in _pick(rng, branches, 0.12)} | weak
    busy = 1.0 if scale in ("city", "province") else 1.3

    w = _Writer()
    with transaction.atomic(), _big_cache():
        for org in orgs:
            here = people.get(org.pk, [])
            members = [pk for pk, m in here if m]
            others = [pk for pk, m in here if not m]
            is_branch = org.kind == OrgKind.BRANCH
            if org.pk in together:
                per_session, rate, own_share = (2, 3), 0.95, rng.uniform(0.0, 0.12)
            elif org.pk in weak:
                per_session, rate, own_share = (0, 0, 1), 0.6, rng.uniform(0.05, 0.25) * progress
            else:
                # Sessions also take up the latest speeches, not only the designated chapters (0 or 1 of them);
                # members read somewhat behind the calendar: "指定书目学习进度缓慢".
                per_session, rate, own_share = (0, 1, 1), 0.85, min(1.0, max(0.0, rng.gauss(progress - 0.1, 0.12)))
            pointer = 0

            def next_chapters(k):
                nonlocal pointer
                got = [chapters[(pointer + i) % len(chapters)] for i in range(min(k, len(chapters)))]
                pointer += k
                return got

            def attendees(extra_rate=0.3, members=members, rate=rate, others=others):
                return [p for p in members if rng.random() < rate] + [p for p in others if rng.random() < extra_rate]

            held_this_month = False
            regular = "支部学习" if is_branch else "中心组学习"
            topics = BRANCH_TOPICS if is_branch else CENTRE_TOPICS
            every = (14, 28) if busy == 1.0 else (10, 21)
            for d in _dates(rng, start, today, every=every):
                if org.pk in quiet and d >= month_start:
                    break
                held_this_month |= d >= month_start
                speaker = "" if is_branch and rng.random() < 0.5 else _name(rng)
                w.session(
                    org.pk,
                    d,
                    regular,
                    rng.choice(topics),
                    next_chapters(rng.choice(per_session)),
                    attendees(),
                    speaker=speaker,
                    category="本单位领导" if speaker else "",
                    hours=rng.choice([1, 1.5, 2, 2, 3]),
                )
            if org.pk not in quiet and not held_this_month and today >= month_start:
                d = month_start + dt.timedelta(days=rng.randint(0, (today - month_start).days))
                w.session(
                    org.pk, d, regular, rng.choice(topics), next_chapters(rng.choice(per_session)), attendees(), hours=2
                )
            if org.pk not in no_seminar and span > 20:
                d = start + dt.timedelta(days=rng.randint(span // 3, span))
                if not (org.pk in quiet and d >= month_start):
                    w.session(
                        org.pk,
                        d,
                        "专题研讨",
                        rng.choice(SEMINAR_TOPICS),
                        next_chapters(1),
                        attendees(0.0),
                        speaker=_name(rng),
                        category="本单位领导",
                        hours=3,
                    )
            if not is_branch and org.pk not in no_expert and span > 10:
                d = start + dt.timedelta(days=rng.randint(span // 5, span))
                lecturer = rng.choice(LECTURERS)
                school = "中共X市委党校" if org.depth <= 2 or rng.random() < 0.4 else "县委党校"
                # Expert lectures are often for the whole unit: the committee's cadres by name, plus a headcount.
                names = attendees(1.0)
                w.session(
                    org.pk,
                    d,
                    "宣讲报告",
                    f"{lecturer}教授专题辅导报告",
                    next_chapters(2),
                    names,
                    speaker=f"{lecturer}",
                    affiliation=school,
                    category="党校专家",
                    headcount=len(names) + rng.randint(20, 120),
                    hours=2,
                )
                # 请进来、走出去: most units also go out to learn; about one in four only invites speakers in.
                # (A hash of the code, not rng, so the rest of the demo stays as it was.)
                if zlib.crc32(org.code.encode()) % 4:
                    d = start + dt.timedelta(days=zlib.crc32(org.path.encode()) % (span + 1))
                    w.session(
                        org.pk,
                        d,
                        "现场教学",
                        GOING_OUT_TOPICS[zlib.crc32(org.code.encode()) % len(GOING_OUT_TOPICS)],
                        [],
                        list(members),
                        hours=4,
                    )
            if rng.random() < 0.3 * busy:
                d = start + dt.timedelta(days=rng.randint(0, span))
                if not (org.pk in quiet and d >= month_start):
                    w.session(
                        org.pk, d, "警示教育", rng.choice(WARNING_TOPICS), [], attendees(), headcount=None, hours=2
                    )

            rows = []
            for p in members:
                share = (
                    own_share
                    if org.pk in together or org.pk in weak
                    else min(1.0, max(0.0, rng.gauss(own_share, 0.15)))
                )
                n = round(share * len(chapters))
                first = rng.randrange(len(chapters)) if rng.random() < 0.2 else 0  # most read in order
                days = sorted(rng.randint(0, span) for _ in range(n))
                for k in range(n):
                    reflection = rng.choice(REFLECTIONS) if rng.random() < 0.35 else ""
                    minutes = rng.choice([30, 45, 60, 90, 120]) if rng.random() < 0.5 else None
                    rows.append(
                        (
                            p,
                            start + dt.timedelta(days=days[k]),
                            chapters[(first + k) % len(chapters)],
                            minutes,
                            reflection,
                        )
                    )
            w.self_study(rows)
            if len(w.first) >= 200_000:
                w.flush_sessions()  # coverage rows point at people only, but keep the order of writes simple
                w.flush_coverage()
        w.flush_sessions()
        w.flush_coverage()
        counts = dict(w.counts)
        root = min(orgs, key=lambda o: o.depth) if orgs else None
        events.record(
            None,
            "demo.study",
            ("demo", "study"),
            org=root,
            summary=f"生成演示学习记录：集体学习 {counts.get('sessions', 0)} 次，参加 {counts.get('attendance', 0)} "
            f"人次，个人自学 {counts.get('self_study', 0)} 条",
            after={k: counts.get(k, 0) for k in ("sessions", "attendance", "self_study", "coverage")},
        )
    return counts


FOLLOWUP = [  # (code, title, opens days ago, due days ago): one past its deadline, one open now
    ("G1", "习近平总书记在中央政治局集体学习时的重要讲话", 21, 8),
    ("G2", "习近平总书记在地方考察时的重要讲话", 3, -10),
]


def build_followup(orgs, campaign, today: dt.date) -> dict:
    """跟进学习（第一议题） added mid-campaign through the office's action: every org with members of its
    own studied the past item at a meeting within its window, except two branches (hash-chosen): one
    studied it only after the deadline, one not at all — the two units the briefing names as late.
    Committees study it at their 中心组 meeting; branch members read it themselves (so a branch that held no
    meeting this month stays one).
    The open item has been studied by about half the orgs so far."""
    from tuijin.campaigns.actions import add_followup_item
    from tuijin.orgs.models import Person

    members = defaultdict(list)
    for pk, org_id in Person.objects.filter(active=True, status__in=MEMBER).values_list("pk", "org_id"):
        members[org_id].append(pk)
    with_members = [o for o in orgs if o.active and members.get(o.pk)]
    branches = sorted((o for o in with_members if o.kind == OrgKind.BRANCH), key=lambda o: zlib.crc32(o.code.encode()))
    late_after, never = (branches[0], branches[1]) if len(branches) >= 2 else (None, None)
    w = _Writer()
    for code, title, opened, due in FOLLOWUP:
        opens_on, due_on = today - dt.timedelta(days=opened), today - dt.timedelta(days=due)
        item = add_followup_item(campaign, actor=None, code=code, title=title, opens_on=opens_on, due_on=due_on)
        chapter = item.chapters.get().pk
        for org in with_members:
            h = zlib.crc32(f"{code}{org.code}".encode())
            if code == "G1":
                if org is never:
                    continue
                day = (
                    due_on + dt.timedelta(days=3)
                    if org is late_after
                    else opens_on + dt.timedelta(days=h % (due_on - opens_on).days)
                )
            else:
                if h % 2:
                    continue
                day = opens_on + dt.timedelta(days=h % max(1, (today - opens_on).days))
            if org.kind == OrgKind.BRANCH:  # members read it themselves (a branch's meetings stay as they were)
                w.self_study([(p, day, chapter, 30, "") for p in members[org.pk]])
            else:  # the 党委（党组） at its 中心组 meeting, as 第一议题
                w.session(org.pk, day, "中心组学习", f"第一议题：学习{title}", [chapter], members[org.pk], hours=1)
    w.flush_sessions()
    w.flush_coverage()
    return dict(w.counts)

"""Every change to study records (SPEC §2.3). Each action checks who may do it, runs in one
transaction, writes the domain event and keeps the derived chapter coverage up to date.
Views, the API, the importers and the demo all come through here (the importers and the demo
write in bulk, but call the same checks and `refresh_coverage`).

Who may do what:
- a session: `records.manage` over its org (the unit's reporter, an office above it);
- a self-study log: the member it belongs to (the account linked to the person), or anyone with
  `records.manage` over the person's org (a clerk typing in a paper register).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from tuijin.campaigns.models import Chapter
from tuijin.core import derived, events, files
from tuijin.core.chunks import chunks
from tuijin.core.errors import ActionError, StaleEdit
from tuijin.core.permissions import can, require
from tuijin.imports.normalize import clean_text
from tuijin.orgs.models import Org, Person

from .models import (
    EXPERT,
    FORMS,
    SPEAKER_CATEGORIES,
    Attendance,
    Coverage,
    SelfStudy,
    SessionChapter,
    SessionEvidence,
    StudySession,
)

SESSION_FIELDS = ("date", "form", "topic", "speaker", "speaker_affiliation", "speaker_category", "headcount", "hours")
MAX_HOURS = Decimal(24)
MAX_MINUTES = 24 * 60


# ------------------------------------------------------------------ rules shared with the importers
# Each returns the clerk's message, or None when the value is fine.


def date_problem(date: dt.date, today: dt.date | None) -> str | None:
    if today is not None and date > today:
        return f"{date:%Y-%m-%d} 晚于今天，只能记录已经开展的学习"
    return None


def speaker_problem(category: str, speaker: str) -> str | None:
    if category == EXPERT and not speaker:
        return "主讲人类别为“党校专家”时，请填写主讲人姓名"
    return None


def headcount_problem(headcount: int | None, listed: int) -> str | None:
    if headcount is not None and headcount < 0:
        return f"参加人数不能为负数，实际为“{headcount}”"
    if headcount is not None and headcount < listed:
        return f"参加人数（{headcount}）少于列出的参加人员（{listed} 人）"
    if headcount is None and listed == 0:
        return "请填写参加人员或参加人数"
    if headcount == 0 and listed == 0:
        return "参加人数不能为 0"
    return None


def hours_problem(hours: Decimal | None) -> str | None:
    if hours is not None and not (0 < hours <= MAX_HOURS):
        return f"时长应在 0 到 {MAX_HOURS} 小时之间，实际为“{hours}”"
    if hours is not None and hours != hours.quantize(Decimal("0.01")):
        return f"时长最多保留两位小数，实际为“{hours}”"
    return None


def minutes_problem(minutes: int | None) -> str | None:
    if minutes is not None and not (0 < minutes <= MAX_MINUTES):
        return f"时长应在 1 到 {MAX_MINUTES} 分钟之间，实际为“{minutes}”"
    return None


def chapter_applies(chapter: Chapter, org: Org) -> bool:
    """A chapter belongs to the reading list of a campaign whose tree contains the org."""
    return org.path.startswith(chapter.item.campaign.root.path)


def attendee_problem(person: Person, org: Org) -> str | None:
    if not person.org.path.startswith(org.path):
        return f"“{person.number}”不是{org.name}（含下级组织）的人员"
    if not person.active:
        return f"“{person.number}”（{person.name}）已停用"
    return None


# ------------------------------------------------------------------ derived coverage


def refresh_coverage(person_ids) -> int:
    """Rebuild the Coverage rows of these people from attendance and self-study, in one set-based
    statement per chunk. Returns rows written. Call inside the transaction that changed the sources.

    A session found 不属实 on a random check and not corrected yet (core.exclusions) covers nothing:
    the derived table follows the checks as they stand now (`recount_sessions` when one changes)."""
    from tuijin.core.exclusions import excluded

    q = connection.ops.quote_name
    t = {m.__name__: q(m._meta.db_table) for m in (Coverage, Attendance, StudySession, SessionChapter, SelfStudy)}
    untrue = sorted(excluded("study_session", dt.date.max))  # every open 不属实, whatever its date
    skip = f" AND s.id NOT IN ({', '.join(['%s'] * len(untrue))})" if untrue else ""
    written = 0
    with connection.cursor() as cursor:
        for chunk in chunks(sorted(set(person_ids))):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {t['Coverage']} WHERE person_id IN ({marks})", chunk)
            cursor.execute(
                f"INSERT INTO {t['Coverage']} (person_id, chapter_id, first_session_on, first_self_on) "
                f"SELECT person_id, chapter_id, MIN(session_on), MIN(self_on) FROM ("
                f" SELECT a.person_id AS person_id, sc.chapter_id AS chapter_id, s.date AS session_on, NULL AS self_on"
                f" FROM {t['Attendance']} a JOIN {t['StudySession']} s ON s.id = a.session_id"
                f" JOIN {t['SessionChapter']} sc ON sc.session_id = s.id"
                f" WHERE s.withdrawn = %s AND a.person_id IN ({marks}){skip}"
                f" UNION ALL"
                f" SELECT person_id, chapter_id, NULL, date FROM {t['SelfStudy']}"
                f" WHERE withdrawn = %s AND person_id IN ({marks})"
                f") facts GROUP BY person_id, chapter_id",
                [False, *chunk, *untrue, False, *chunk],
            )
            written += cursor.rowcount
    return written


def recount_sessions(session_ids) -> list[Org]:
    """Sessions started or stopped counting (a random check found one 不属实, or it was corrected):
    rebuild the coverage of their attendees; returns the orgs whose counters changed (the sessions'
    and the attendees' own), for the caller's `derived.refresh`."""
    session_ids = list(session_ids)
    attended = list(Attendance.objects.filter(session_id__in=session_ids).values_list("person_id", flat=True))
    refresh_coverage(attended)
    return [*Org.objects.filter(study_sessions__in=session_ids).distinct(), *orgs_of(attended)]


def orgs_of(person_ids, *, besides=()) -> list[Org]:
    """The orgs of these people, but for those whose ids are in `besides`."""
    org_ids = set()
    for chunk in chunks(sorted(set(person_ids))):
        org_ids.update(Person.objects.filter(pk__in=chunk).values_list("org_id", flat=True))
    org_ids.difference_update(besides)
    orgs: list[Org] = []
    for chunk in chunks(sorted(org_ids)):
        orgs += Org.objects.filter(pk__in=chunk)
    return orgs


def touch_orgs_of(person_ids, *, besides=None) -> None:
    """Attendance feeds each attendee's own org, which may be a branch below the session's org: tell the
    derived data (scorecard counters) about those orgs too, not only about the event's org."""
    orgs = orgs_of(person_ids, besides=[besides.pk] if getattr(besides, "pk", None) else [])
    if orgs:
        derived.refresh(orgs)


# ------------------------------------------------------------------ sessions


def _check_session(org: Org, data: dict, chapters, attendees, *, session=None, today=None) -> None:
    """Raise ActionError naming the first bad field."""
    if data["form"] not in FORMS:
        raise ActionError(f"学习形式应为以下之一：{'、'.join(FORMS)}", field="form")
    if data["speaker_category"] and data["speaker_category"] not in SPEAKER_CATEGORIES:
        raise ActionError(f"主讲人类别应为以下之一：{'、'.join(SPEAKER_CATEGORIES)}", field="speaker_category")
    if not data["topic"]:
        raise ActionError("主题不能为空", field="topic")
    if len(data["topic"]) > 200:
        raise ActionError(f"主题太长（{len(data['topic'])} 字），最多 200 字", field="topic")
    for field, message in (
        ("date", date_problem(data["date"], today)),
        ("speaker", speaker_problem(data["speaker_category"], data["speaker"])),
        ("headcount", headcount_problem(data["headcount"], len(attendees))),
        ("hours", hours_problem(data["hours"])),
    ):
        if message:
            raise ActionError(message, field=field)
    for chapter in chapters:
        if not chapter_applies(chapter, org):
            raise ActionError(f"篇目“{chapter.code}”不在{org.name}所参加主题教育的指定书目中", field="chapters")
    already = set(session.attendance.values_list("person_id", flat=True)) if session else set()
    for person in attendees:
        if person.pk not in already and (message := attendee_problem(person, org)):
            raise ActionError(message, field="attendees")
    clash = StudySession.objects.filter(
        org=org, date=data["date"], form=data["form"], topic=data["topic"], withdrawn=False
    )
    if session is not None:
        clash = clash.exclude(pk=session.pk)
    if clash.exists():
        raise ActionError(f"{org.name}在 {data['date']:%Y-%m-%d} 已记录过同一形式、同一主题的集体学习", field="topic")


def _session_data(**fields) -> dict:
    data = {k: fields.get(k) for k in SESSION_FIELDS}
    for key in ("topic", "speaker", "speaker_affiliation", "speaker_category"):
        data[key] = clean_text(data[key]) or ""  # as an import would read it, so exports re-import unchanged
    if data["hours"] is not None:
        data["hours"] = Decimal(str(data["hours"]))
    return data


def _summary(session: StudySession, n: int) -> str:
    who = f"{n} 人参加" if n else f"参加 {session.headcount or 0} 人"
    return f"{session.date:%Y-%m-%d} {session.form}《{session.topic}》，{who}"


def record_session(
    *,
    actor,
    org: Org,
    date: dt.date,
    form: str,
    topic: str,
    speaker: str = "",
    speaker_affiliation: str = "",
    speaker_category: str = "",
    chapters=(),
    attendees=(),
    headcount: int | None = None,
    hours=None,
    today: dt.date | None = None,
) -> StudySession:
    """Record a collective session. Each attendee's study record follows from it: nobody enters it twice.
    `today`, when given (views, API), refuses dates in the future."""
    with transaction.atomic():
        require(actor, "records.manage", org)
        if not org.active:
            raise ActionError(f"组织“{org.name}”已撤销或并入其他组织", field="org")
        chapters, attendees = list(dict.fromkeys(chapters)), list(dict.fromkeys(attendees))
        data = _session_data(
            date=date,
            form=form,
            topic=topic,
            speaker=speaker,
            speaker_affiliation=speaker_affiliation,
            speaker_category=speaker_category,
            headcount=headcount,
            hours=hours,
        )
        _check_session(org, data, chapters, attendees, today=today)
        session = StudySession.objects.create(org=org, **data)
        SessionChapter.objects.bulk_create([SessionChapter(session=session, chapter=c) for c in chapters])
        Attendance.objects.bulk_create([Attendance(session=session, person=p) for p in attendees])
        refresh_coverage(p.pk for p in attendees)
        derived.refresh([org, *orgs_of(p.pk for p in attendees)])
        events.record(
            actor,
            "study.session.create",
            session,
            org=org,
            summary=f"{org.name} 记录集体学习：{_summary(session, len(attendees))}",
            after={
                **events.snapshot(session, SESSION_FIELDS),
                "chapters": [c.code for c in chapters],
                "attendees": [p.number for p in attendees],
            },
        )
        return session


def update_session(
    session: StudySession,
    *,
    actor,
    version=None,
    chapters=None,
    attendees=None,
    today: dt.date | None = None,
    **changes,
) -> StudySession:
    """Change a session; `chapters` / `attendees`, when given, replace the stored lists."""
    with transaction.atomic():
        session = StudySession.objects.select_for_update(of=("self",)).select_related("org").get(pk=session.pk)
        require(actor, "records.manage", session.org)
        if version is not None and int(version) != session.version:
            raise StaleEdit()
        if session.withdrawn:
            raise ActionError("已撤回的集体学习不能修改")
        unknown = set(changes) - set(SESSION_FIELDS)
        if unknown:
            raise ActionError(f"不能修改字段 {'、'.join(sorted(unknown))}")
        old_chapters = list(session.chapters.all())
        old_attendees = list(session.attendees.all())
        chapters = old_chapters if chapters is None else list(dict.fromkeys(chapters))
        attendees = old_attendees if attendees is None else list(dict.fromkeys(attendees))
        data = _session_data(**{**{k: getattr(session, k) for k in SESSION_FIELDS}, **changes})
        _check_session(session.org, data, chapters, attendees, session=session, today=today)
        before = {
            **events.snapshot(session, SESSION_FIELDS),
            "chapters": sorted(c.code for c in old_chapters),
            "attendees": sorted(p.number for p in old_attendees),
        }
        for key, value in data.items():
            setattr(session, key, value)
        session.version += 1
        session.save()
        _replace_links(session, chapters, attendees, old_chapters, old_attendees)
        touched = {p.pk for p in old_attendees} | {p.pk for p in attendees}
        refresh_coverage(touched)
        after = {
            **events.snapshot(session, SESSION_FIELDS),
            "chapters": sorted(c.code for c in chapters),
            "attendees": sorted(p.number for p in attendees),
        }
        b, a = events.diff(before, after)
        derived.refresh([session.org, *orgs_of(touched)])
        events.record(
            actor,
            "study.session.update",
            session,
            org=session.org,
            summary=f"{session.org.name} 修改集体学习：{_summary(session, len(attendees))}",
            before=b,
            after=a,
        )
        return session


def _replace_links(session, chapters, attendees, old_chapters, old_attendees):
    new_c, old_c = {c.pk for c in chapters}, {c.pk for c in old_chapters}
    SessionChapter.objects.filter(session=session, chapter_id__in=old_c - new_c).delete()
    SessionChapter.objects.bulk_create([SessionChapter(session=session, chapter_id=pk) for pk in new_c - old_c])
    new_p, old_p = {p.pk for p in attendees}, {p.pk for p in old_attendees}
    for chunk in chunks(old_p - new_p):
        Attendance.objects.filter(session=session, person_id__in=chunk).delete()
    Attendance.objects.bulk_create([Attendance(session=session, person_id=pk) for pk in new_p - old_p], batch_size=5000)


def withdraw_session(session: StudySession, *, actor, reason: str, version=None) -> StudySession:
    """Take a wrongly entered session back: it stays in history, and stops counting for anyone."""
    with transaction.atomic():
        session = StudySession.objects.select_for_update(of=("self",)).select_related("org").get(pk=session.pk)
        require(actor, "records.manage", session.org)
        if version is not None and int(version) != session.version:
            raise StaleEdit()
        if not (reason or "").strip():
            raise ActionError("撤回集体学习必须写明原因", field="reason")
        if session.withdrawn:
            raise ActionError("这次集体学习已经撤回")
        session.withdrawn, session.withdraw_reason = True, reason.strip()[:300]
        session.version += 1
        session.save()
        attended = list(session.attendance.values_list("person_id", flat=True))
        refresh_coverage(attended)
        derived.refresh([session.org, *orgs_of(attended)])
        events.record(
            actor,
            "study.session.withdraw",
            session,
            org=session.org,
            summary=f"{session.org.name} 撤回集体学习 {session.date:%Y-%m-%d}《{session.topic}》（{reason.strip()}）",
            after={"reason": reason.strip()},
        )
        return session


def attach_session_evidence(session: StudySession, *, actor, name: str, data: bytes) -> SessionEvidence:
    """Minutes or photos of a session, checked by content and stored by SHA-256."""
    with transaction.atomic():
        session = StudySession.objects.select_for_update(of=("self",)).select_related("org").get(pk=session.pk)
        require(actor, "records.manage", session.org)
        if session.withdrawn:
            raise ActionError("已撤回的集体学习不能上传材料")
        stored = files.store(name, data)
        evidence = SessionEvidence.objects.create(
            session=session,
            name=stored.name,
            content_type=stored.content_type,
            size=stored.size,
            sha256=stored.sha256,
            storage_name=stored.storage_name,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        events.record(
            actor,
            "study.evidence.add",
            session,
            org=session.org,
            summary=f"{session.org.name} 集体学习《{session.topic}》上传材料“{stored.name}”",
            after={"sha256": stored.sha256, "size": stored.size},
        )
        return evidence


# ------------------------------------------------------------------ self-study


def can_log_for(actor, person: Person) -> bool:
    if actor is None:
        return True
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    return actor.person_id == person.pk or can(actor, "records.manage", person.org)


def log_self_study(
    *,
    actor,
    person: Person,
    date: dt.date,
    chapter: Chapter,
    reflection: str = "",
    minutes: int | None = None,
    today: dt.date | None = None,
) -> SelfStudy:
    with transaction.atomic():
        person = Person.objects.select_related("org").get(pk=person.pk)
        if not can_log_for(actor, person):
            raise PermissionDenied("只能记录本人的自学，或本单位人员的自学")
        if not person.active:
            raise ActionError(f"“{person.number}”（{person.name}）已停用", field="person")
        if not chapter_applies(chapter, person.org):
            raise ActionError(f"篇目“{chapter.code}”不在您所参加主题教育的指定书目中", field="chapter")
        for field, message in (("date", date_problem(date, today)), ("minutes", minutes_problem(minutes))):
            if message:
                raise ActionError(message, field=field)
        reflection = clean_text(reflection) or ""
        if len(reflection) > 2000:
            raise ActionError(f"学习心得太长（{len(reflection)} 字），最多 2000 字", field="reflection")
        if SelfStudy.objects.filter(person=person, date=date, chapter=chapter, withdrawn=False).exists():
            raise ActionError(f"{date:%Y-%m-%d} 已经记录过“{chapter.code} {chapter.title}”的自学", field="chapter")
        log = SelfStudy.objects.create(
            person=person, date=date, chapter=chapter, reflection=reflection, minutes=minutes
        )
        refresh_coverage([person.pk])
        derived.refresh([person.org])
        events.record(
            actor,
            "study.self.create",
            log,
            org=person.org,
            summary=f"{person.name} 自学 {chapter.code} {chapter.title}（{date:%Y-%m-%d}）",
            after={"person": person.number, "chapter": chapter.code, "date": date, "reflection": bool(reflection)},
        )
        return log


def withdraw_self_study(log: SelfStudy, *, actor) -> SelfStudy:
    """A log entered by mistake is withdrawn (kept in history), not deleted."""
    with transaction.atomic():
        log = SelfStudy.objects.select_for_update(of=("self",)).select_related("person__org", "chapter").get(pk=log.pk)
        if not can_log_for(actor, log.person):
            raise PermissionDenied("只能撤回本人的自学记录，或本单位人员的自学记录")
        if log.withdrawn:
            raise ActionError("这条自学记录已经撤回")
        log.withdrawn = True
        log.save()
        refresh_coverage([log.person_id])
        derived.refresh([log.person.org])
        events.record(
            actor,
            "study.self.withdraw",
            log,
            org=log.person.org,
            summary=f"{log.person.name} 撤回自学记录 {log.chapter.code}（{log.date:%Y-%m-%d}）",
        )
        return log

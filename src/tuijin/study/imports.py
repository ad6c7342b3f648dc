"""Importing and exporting study records (templates `study-sessions` and `self-study` of SPEC §4.2).

Natural keys make a re-import match instead of duplicate: a session is (组织编码, 日期, 学习形式, 主题),
a self-study log is (人员编号, 日期, 篇目编码). A matched row updates what its columns say (a column
left out of the sheet changes nothing); a row equal to what is stored is counted as unchanged.

Every row is checked first — cells, the org or person, the chapters against the reading list of
the campaign the org takes part in, every attendee number against the org — and only a wholly
valid sheet is written, in bulk with history rows, in one transaction recorded as one event.
The derived chapter coverage of every person touched is rebuilt in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from simple_history.utils import bulk_update_with_history

from tuijin.core.scope import subtree_q
from tuijin.campaigns.models import Campaign, Chapter
from tuijin.core import events
from tuijin.core.calendar import today
from tuijin.core.chunks import chunks
from tuijin.imports.base import all_or_nothing, keyed_rows
from tuijin.imports.bulk import default_history_user, insert_rows, insert_values
from tuijin.imports.fields import (
    allowed,
    check_row_orgs,
    check_set_aside_orgs,
    choice_cell,
    code_cell,
    fetch,
    text_cell,
)
from tuijin.imports.normalize import RowErrors, clean_text, parse_date, parse_decimal, parse_int, split_list
from tuijin.imports.registry import ImportResult, register_loader
from tuijin.orgs.models import Org, Person

from .actions import (
    date_problem,
    headcount_problem,
    hours_problem,
    minutes_problem,
    orgs_of,
    refresh_coverage,
    speaker_problem,
)
from .models import FORMS, SPEAKER_CATEGORIES, Attendance, SelfStudy, SessionChapter, StudySession

BATCH = 2000
# model field -> template column, for the plain fields a session row may change
SESSION_COLUMNS = {
    "speaker": "主讲人",
    "speaker_affiliation": "主讲人单位",
    "speaker_category": "主讲人类别",
    "headcount": "参加人数",
    "hours": "时长（小时）",
}
CHAPTERS, ATTENDEES = "学习篇目", "参加人员编号"
SESSION_FIELDS = ["org_id", "date", "form", "topic", *SESSION_COLUMNS]


# ------------------------------------------------------------------ cells


def _date(row, column, errors, as_of):
    if clean_text(row.get(column)) is None:
        errors.add(row.number, column, "不能为空")
        return None
    try:
        value = parse_date(row.get(column))
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return None
    if message := date_problem(value, as_of):
        errors.add(row.number, column, message)
        return None
    return value


def _int(row, column, errors, **bounds):
    if clean_text(row.get(column)) is None:
        return None
    try:
        return parse_int(row.get(column), **bounds)
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return None


def _hours(row, errors):
    column = "时长（小时）"
    if clean_text(row.get(column)) is None:
        return None
    try:
        value = parse_decimal(row.get(column))
    except ValueError as exc:
        errors.add(row.number, column, str(exc))
        return None
    if message := hours_problem(value):
        errors.add(row.number, column, message)
        return None
    return value


def _list(row, column) -> list[str]:
    return list(dict.fromkeys(clean_text(v) for v in split_list(row.get(column))))


# ------------------------------------------------------------------ the reading list of each org


class ReadingLists:
    """Chapter codes valid for an org on a date: those of the campaign covering it (the latest started
    by that date, as campaigns.queries.current_campaign chooses), loaded once per import."""

    def __init__(self):
        self.campaigns = list(Campaign.objects.select_related("root").order_by("-start"))
        self.chapters: dict[int, dict[str, Chapter]] = defaultdict(dict)
        for chapter in Chapter.objects.select_related("item__campaign__root"):
            self.chapters[chapter.item.campaign_id][chapter.code] = chapter
        self._chosen: dict[tuple[str, dt.date], Campaign | None] = {}  # a sheet asks for few (org, date)

    def campaign(self, org: Org, date: dt.date):
        key = (org.path, date)
        if key not in self._chosen:
            covering = [c for c in self.campaigns if org.path.startswith(c.root.path)]
            started = [c for c in covering if c.start <= date]
            self._chosen[key] = (started or covering or [None])[0]
        return self._chosen[key]

    def lookup(self, org: Org, date: dt.date, code: str) -> Chapter | None:
        campaign = self.campaign(org, date)
        return self.chapters[campaign.pk].get(code) if campaign else None

    def known(self, code: str, org: Org | None = None) -> bool:
        """For a row whose date (or org) is wrong and already reported: is the code in the reading list
        of any campaign covering the org (of any campaign at all without an org)? An unknown code is then
        reported in the same round, not after the date is fixed."""
        return any(
            code in self.chapters[c.pk] for c in self.campaigns if org is None or org.path.startswith(c.root.path)
        )


def _chapter_error(code, org):
    if org is None:
        return f"篇目编码“{code}”不在任何主题教育的指定书目中"
    return f"篇目编码“{code}”不在{org.name}所参加主题教育的指定书目中"


def _unknown_person(number, actor):
    return f"人员编号“{number}”不存在" + ("，或不在您的管理范围内" if actor is not None else "，请先导入人员")


# ------------------------------------------------------------------ study sessions


def _session_rows(sheet, errors, as_of):
    """({(组织编码, 日期, 学习形式, 主题): row data}, rows set aside: a key cell empty or wrong, or the key
    repeated)."""

    def read(row):
        code = code_cell(row, "组织编码", errors)
        date = _date(row, "日期", errors, as_of)
        form = choice_cell(row, "学习形式", FORMS, errors, required=True)
        topic = text_cell(row, "主题", errors, required=True, max_length=200)
        data = {
            "speaker": text_cell(row, "主讲人", errors, max_length=60),
            "speaker_affiliation": text_cell(row, "主讲人单位", errors, max_length=120),
            "speaker_category": choice_cell(row, "主讲人类别", SPEAKER_CATEGORIES, errors),
            "chapters": _list(row, CHAPTERS),
            "attendees": _list(row, ATTENDEES),
            "headcount": _int(row, "参加人数", errors, min=0),
            "hours": _hours(row, errors),
            "code": code,
            "date": date,
        }
        if message := speaker_problem(data["speaker_category"], data["speaker"]):
            errors.add(row.number, "主讲人", message)
        return ((code, date, form, topic) if code and date and form and topic else None), data

    return keyed_rows(
        sheet,
        read,
        errors,
        repeated=lambda key, row, first: ("主题", f"与第{first}行是同一次学习（组织、日期、学习形式、主题都相同）"),
    )


def _stored_sessions(org_ids):
    """{(org id, date, form, topic): session} of the current sessions of these orgs, with their links."""
    found = {}
    for chunk in chunks(org_ids):
        for s in StudySession.objects.current().filter(org_id__in=chunk):
            found[(s.org_id, s.date, s.form, s.topic)] = s
    chapters, attendees = defaultdict(set), defaultdict(set)
    ids = [s.pk for s in found.values()]
    for chunk in chunks(ids):
        for s, c in SessionChapter.objects.filter(session_id__in=chunk).values_list("session_id", "chapter_id"):
            chapters[s].add(c)
        for s, p in Attendance.objects.filter(session_id__in=chunk).values_list("session_id", "person_id"):
            attendees[s].add(p)
    return found, chapters, attendees


def load_sessions(sheet, *, actor, dry_run=False) -> ImportResult:
    as_of = today()
    errors = RowErrors()
    rows, set_aside = _session_rows(sheet, errors, as_of)
    keyed = dict(rows)
    orgs = check_row_orgs(rows, actor, errors, what="学习记录")
    check_set_aside_orgs(set_aside, actor, errors, what="学习记录")
    set_aside += [{**d, "date": key[1]} for key, d in keyed.items() if key not in rows]  # org wrong: reported

    reading = ReadingLists()
    stored, stored_chapters, stored_attendees = _stored_sessions({o.pk for o in orgs.values()})
    numbers = {n for d in [*rows.values(), *set_aside] for n in d["attendees"]}
    people = fetch(Person.objects.select_related("org"), "number", numbers)
    visible = set(people)
    if actor is not None:  # only the numbers are needed: no Person instance per attendee
        visible = set()
        for chunk in chunks(numbers):
            visible.update(Person.objects.visible_to(actor).filter(number__in=chunk).values_list("number", flat=True))

    def check_links(d, org, date, already):
        """The row's chapter and attendee ids; each unknown one is reported. org or date is None on a
        set-aside row whose 组织编码 or 日期 is already reported: what can be checked without it is."""
        chapter_ids, person_ids = set(), set()
        for c in d["chapters"]:
            chapter = reading.lookup(org, date, c) if org is not None and date is not None else None
            if chapter is not None:
                chapter_ids.add(chapter.pk)
            elif (org is not None and date is not None) or not reading.known(c, org):
                errors.add(d["row"], CHAPTERS, _chapter_error(c, org))
        for number in d["attendees"]:
            person = people.get(number)
            # An attendee already recorded stays acceptable after moving to another org, so an
            # export re-imports unchanged.
            if person is not None and person.pk in already:
                person_ids.add(person.pk)
            elif org is None:
                if number not in visible:
                    errors.add(d["row"], ATTENDEES, _unknown_person(number, actor))
            elif person is None or not person.org.path.startswith(org.path):
                errors.add(d["row"], ATTENDEES, f"人员编号“{number}”在{org.name}（含下级组织）中不存在")
            elif not person.active:
                errors.add(d["row"], ATTENDEES, f"人员编号“{number}”（{person.name}）已停用")
            else:
                person_ids.add(person.pk)
        return chapter_ids, person_ids

    for d in set_aside:
        check_links(d, d.get("org"), d["date"], set())
    for (code, date, form, topic), d in rows.items():
        org = orgs[code]
        session = stored.get((org.pk, date, form, topic))
        already = stored_attendees.get(session.pk, set()) if session else set()
        d["chapter_ids"], d["person_ids"] = check_links(d, org, date, already)
        d["org"], d["session"] = org, session

    fields = [f for f, column in SESSION_COLUMNS.items() if column in sheet.columns]
    has_chapters, has_attendees = CHAPTERS in sheet.columns, ATTENDEES in sheet.columns
    result = ImportResult()
    creates, updates, relinks = [], [], []
    for (_org_code, date, form, topic), d in rows.items():
        session = d["session"]
        if session is None:
            if message := headcount_problem(d["headcount"], len(d["attendees"])):
                errors.add(d["row"], "参加人数", message)
            # a plain tuple of SESSION_FIELDS, not a model instance (issue 15)
            creates.append(((d["org"].pk, date, form, topic, *(d[f] for f in SESSION_COLUMNS)), d))
            continue
        changed = [f for f in fields if getattr(session, f) != d[f]]
        chapters_change = has_chapters and d["chapter_ids"] != stored_chapters.get(session.pk, set())
        attendees_change = has_attendees and d["person_ids"] != stored_attendees.get(session.pk, set())
        if not (changed or chapters_change or attendees_change):
            result.unchanged += 1
            continue
        listed = len(d["attendees"]) if has_attendees else len(stored_attendees.get(session.pk, ()))
        headcount = d["headcount"] if "headcount" in fields else session.headcount
        if message := headcount_problem(headcount, listed):
            errors.add(d["row"], "参加人数", message)
        for f in changed:
            setattr(session, f, d[f])
        session.version += 1
        updates.append(session)
        relinks.append(
            (session, d["chapter_ids"] if chapters_change else None, d["person_ids"] if attendees_change else None)
        )
    result.created, result.updated = len(creates), len(updates)
    user = actor if getattr(actor, "pk", None) else None
    history = dict(default_user=user, default_change_reason="导入")

    def write():
        created = insert_values(
            StudySession,
            SESSION_FIELDS,
            [row for row, _ in creates],
            user=user or default_history_user(StudySession),
            reason="导入",
        )
        # (session id, chapter id) and (session id, person id): link rows, inserted as plain tuples.
        links, attendance, touched = [], [], set()
        for pk, (_, d) in zip(created, creates, strict=True):
            links += [(pk, c) for c in d["chapter_ids"]]
            attendance += [(pk, p) for p in d["person_ids"]]
            touched |= d["person_ids"]
        bulk_update_with_history(updates, StudySession, fields + ["version"], batch_size=BATCH, **history)
        for session, chapter_ids, person_ids in relinks:
            if chapter_ids is not None:
                old = stored_chapters.get(session.pk, set())
                SessionChapter.objects.filter(session=session, chapter_id__in=old - chapter_ids).delete()
                links += [(session.pk, c) for c in chapter_ids - old]
            if person_ids is not None:
                old = stored_attendees.get(session.pk, set())
                for chunk in chunks(old - person_ids):
                    Attendance.objects.filter(session=session, person_id__in=chunk).delete()
                attendance += [(session.pk, p) for p in person_ids - old]
                touched |= old | person_ids
            elif chapter_ids is not None:
                touched |= stored_attendees.get(session.pk, set())
        insert_rows(SessionChapter, ["session_id", "chapter_id"], links)
        insert_rows(Attendance, ["session_id", "person_id"], attendance)
        refresh_coverage(touched)
        events.record(
            actor,
            "import.study_sessions",
            ("imports", "study-sessions"),
            summary=f"导入集体学习：{result.summary()}",
            after={
                "created": [f"{d['org'].code} {row[1]} {row[2]} {row[3]}" for row, d in creates[:200]],
                "updated": [s.pk for s in updates][:200],
                "attendance": len(attendance),
            },
        )
        updated = {s.pk for s in updates}
        session_orgs = {d["org"].pk: d["org"] for _, d in creates}
        session_orgs.update(
            {d["org"].pk: d["org"] for d in rows.values() if d["session"] and d["session"].pk in updated}
        )
        # The sessions' orgs and the attendees' own orgs (a branch below the session's org), refreshed at once.
        events.touched([*session_orgs.values(), *orgs_of(touched, besides=session_orgs)])

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_sessions(org, user):
    """Current sessions held in the subtree, in template columns; re-imports unchanged."""
    qs = StudySession.objects.current().filter(subtree_q("org__path", org.path))
    if user is not None:
        qs = qs.visible_to(user)
    ids = list(qs.order_by("org__path", "date", "id").values_list("pk", flat=True))
    for chunk in chunks(ids):
        sessions = StudySession.objects.filter(pk__in=chunk).select_related("org").in_bulk()
        chapters, attendees = defaultdict(list), defaultdict(list)
        for s, code in (
            SessionChapter.objects.filter(session_id__in=chunk)
            .order_by("chapter__item__position", "chapter__position")
            .values_list("session_id", "chapter__code")
        ):
            chapters[s].append(code)
        for s, number in (
            Attendance.objects.filter(session_id__in=chunk)
            .order_by("person__number")
            .values_list("session_id", "person__number")
        ):
            attendees[s].append(number)
        for pk in chunk:
            s = sessions[pk]
            yield [
                s.org.code,
                s.date,
                s.form,
                s.topic,
                s.speaker,
                s.speaker_affiliation,
                s.speaker_category,
                chapters[pk],
                attendees[pk],
                s.headcount,
                s.hours,
            ]


# ------------------------------------------------------------------ self-study

SELF_COLUMNS = {"minutes": "时长（分钟）", "reflection": "学习心得"}
SELF_FIELDS = ["person_id", "date", "chapter_id", "minutes", "reflection"]


def _self_rows(sheet, errors, as_of):
    """({(人员编号, 日期, 篇目编码): row data}, rows set aside: a key cell empty or wrong, or the key repeated)."""

    def read(row):
        number = code_cell(row, "人员编号", errors)
        date = _date(row, "日期", errors, as_of)
        chapter = code_cell(row, "篇目编码", errors)
        minutes = _int(row, "时长（分钟）", errors)
        if minutes is not None and (message := minutes_problem(minutes)):
            errors.add(row.number, "时长（分钟）", message)
        data = {
            "minutes": minutes,
            "reflection": text_cell(row, "学习心得", errors, max_length=2000),
            "number": number,
            "date": date,
            "chapter": chapter,
        }
        return ((number, date, chapter) if number and date and chapter else None), data

    return keyed_rows(
        sheet, read, errors, repeated=lambda key, row, first: ("篇目编码", f"与第{first}行重复（同一人同一天同一篇目）")
    )


def load_self_study(sheet, *, actor, dry_run=False) -> ImportResult:
    as_of = today()
    errors = RowErrors()
    rows, set_aside = _self_rows(sheet, errors, as_of)
    visible = Person.objects.all() if actor is None else Person.objects.visible_to(actor)
    people = fetch(
        visible.select_related("org"),
        "number",
        {key[0] for key in rows} | {d["number"] for d in set_aside if d["number"]},
    )
    may = allowed(actor, "records.manage")
    reading = ReadingLists()

    def person_problem(number):
        person = people.get(number)
        if person is None:
            return _unknown_person(number, actor)
        if not person.active:
            return f"人员编号“{number}”（{person.name}）已停用"
        if not (actor is None or actor.person_id == person.pk or may(person.org)):
            return f"无权维护“{person.name}”的自学记录"
        return None

    # A row set aside (a key cell wrong, or repeated) still has its person and chapter checked; a row
    # whose person is wrong still has its chapter checked against every reading list.
    for d in set_aside:
        person = None
        if d["number"]:
            if message := person_problem(d["number"]):
                errors.add(d["row"], "人员编号", message)
            else:
                person = people[d["number"]]
        org = person.org if person is not None else None
        if not d["chapter"]:
            continue
        if org is not None and d["date"] is not None:
            if reading.lookup(org, d["date"], d["chapter"]) is None:
                errors.add(d["row"], "篇目编码", _chapter_error(d["chapter"], org))
        elif not reading.known(d["chapter"], org):
            errors.add(d["row"], "篇目编码", _chapter_error(d["chapter"], org))
    for (number, date, code), d in list(rows.items()):
        person = people.get(number)
        if message := person_problem(number):
            errors.add(d["row"], "人员编号", message)
            if (chapter := reading.lookup(person.org, date, code) if person else None) is None and not (
                person is None and reading.known(code)
            ):
                errors.add(d["row"], "篇目编码", _chapter_error(code, person.org if person else None))
        elif (chapter := reading.lookup(person.org, date, code)) is None:
            errors.add(d["row"], "篇目编码", _chapter_error(code, person.org))
        else:
            d["person"], d["chapter"] = person, chapter
            continue
        del rows[(number, date, code)]

    stored = {}
    for chunk in chunks({d["person"].pk for d in rows.values()}):
        for log in SelfStudy.objects.current().filter(person_id__in=chunk):
            stored[(log.person_id, log.date, log.chapter_id)] = log
    fields = [f for f, column in SELF_COLUMNS.items() if column in sheet.columns]
    result = ImportResult()
    creates, updates, new_keys = [], [], []
    for (number, date, _chapter_code), d in rows.items():
        log = stored.get((d["person"].pk, date, d["chapter"].pk))
        if log is None:  # a plain tuple of SELF_FIELDS, not a model instance (issue 15)
            new_keys.append((number, date, d["chapter"].code))
            creates.append((d["person"].pk, date, d["chapter"].pk, d["minutes"], d["reflection"]))
            continue
        changed = [f for f in fields if getattr(log, f) != d[f]]
        if not changed:
            result.unchanged += 1
            continue
        for f in changed:
            setattr(log, f, d[f])
        updates.append(log)
    result.created, result.updated = len(creates), len(updates)
    user = actor if getattr(actor, "pk", None) else None
    history = dict(default_user=user, default_change_reason="导入")

    def write():
        insert_values(SelfStudy, SELF_FIELDS, creates, user=user or default_history_user(SelfStudy), reason="导入")
        bulk_update_with_history(updates, SelfStudy, fields, batch_size=BATCH, **history)
        person_ids = {row[0] for row in creates}
        refresh_coverage(person_ids)
        events.record(
            actor,
            "import.self_study",
            ("imports", "self-study"),
            summary=f"导入个人自学：{result.summary()}",
            after={
                "created": [f"{number} {date} {code}" for (number, date, code) in new_keys[:200]],
                "updated": [log.pk for log in updates][:200],
            },
        )
        # the people's orgs, known from the check: no query per person
        events.touched(
            list({d["person"].org_id: d["person"].org for d in rows.values() if d["person"].pk in person_ids}.values())
        )

    return all_or_nothing(errors, result, dry_run=dry_run, write=write)


def export_self_study(org, user):
    qs = SelfStudy.objects.current().filter(subtree_q("person__org__path", org.path))
    if user is not None:
        qs = qs.visible_to(user)
    rows = qs.order_by("person__org__path", "person__number", "date", "chapter__code").values_list(
        "person__number", "date", "chapter__code", "minutes", "reflection"
    )
    for number, date, code, minutes, reflection in rows.iterator(chunk_size=5000):
        yield [number, date, code, minutes, reflection]


register_loader(
    "study-sessions",
    load=load_sessions,
    export=export_sessions,
    choices={"学习形式": FORMS, "主讲人类别": SPEAKER_CATEGORIES},
)
register_loader("self-study", load=load_self_study, export=export_self_study)

"""The floor of each import scenario (issue 15): what importing the same sheet costs at the least.

python-calamine reads the very sheet the import reads, each row becomes a plain tuple of the main
table's columns (codes turned into ids by one dict lookup, list cells split on "；"), and one
executemany per table writes them: the kind's main table and the link or child table its list cell
fills (attendance and chapters of a session, measures of a problem, findings of a visit). No cleaning,
no checking, no history, no counters: an import within 2× of this has little left to cut. The caller
rolls the rows back.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db import connection
from django.db.models import Max
from django.utils import timezone
from python_calamine import CalamineWorkbook

from tuijin.core.chunks import chunks


def _grid(sheet: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(sheet)).get_sheet_by_index(0).to_python()


def _date(v):
    return v.date() if isinstance(v, dt.datetime) else (v or None)


def _text(v) -> str:
    return "" if v is None else str(v)


def _count(v):
    if v == "" or v is None:
        return None
    return int(v.removesuffix("人")) if isinstance(v, str) else int(v)


def _items(v) -> list[str]:
    return [p for p in str(v).split("；") if p] if v else []


def _ids(model, field: str, values) -> dict:
    found = {}
    for chunk in chunks(set(values)):
        found.update(model.objects.filter(**{f"{field}__in": chunk}).values_list(field, "pk"))
    return found


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _insert(model, given: list[str], rows: list[tuple]) -> None:
    """One executemany of rows (values of the `given` attnames, in order); every other column takes its
    default, computed once."""
    qn = connection.ops.quote_name
    extra, constants = [], []
    now = timezone.now()
    for f in model._meta.concrete_fields:
        if f.attname in given or (f.primary_key and f.attname not in given):
            continue
        value = now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default()
        extra.append(f)
        constants.append(None if value is None else f.get_db_prep_save(value, connection))
    columns = [model._meta.get_field(a).column for a in given] + [f.column for f in extra]
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    tail = tuple(constants)
    with connection.cursor() as cursor:
        cursor.executemany(sql, [row + tail for row in rows])


def orgs(grid):
    from tuijin.orgs.models import Org

    root = Org.objects.get(code=grid[1][2])
    rows = [
        (r[0], r[1], r[3], r[4], r[5], root.pk, f"{root.path}~{i:07d}", root.depth + 1, 0)
        for i, r in enumerate(grid[1:])
    ]
    _insert(Org, ["code", "name", "kind", "sector", "batch", "parent_id", "path", "depth", "numchild"], rows)


def people(grid):
    from tuijin.orgs.models import Org, Person

    org = _ids(Org, "code", (r[2] for r in grid[1:]))
    _insert(
        Person,
        ["number", "name", "org_id", "status", "post", "is_leading_cadre", "cadre_level", "phone"],
        [(r[0], r[1], org[r[2]], r[3], _text(r[4]), r[5] == "是", _text(r[6]), _text(r[7])) for r in grid[1:]],
    )


def _chapters() -> dict:
    from tuijin.campaigns.models import Chapter

    return dict(Chapter.objects.values_list("code", "pk"))


def study_sessions(grid):
    from tuijin.orgs.models import Org, Person
    from tuijin.study.models import Attendance, SessionChapter, StudySession

    body = grid[1:]
    org = _ids(Org, "code", (r[0] for r in body))
    person = _ids(Person, "number", (n for r in body for n in _items(r[8])))
    chapter = _chapters()
    first = _next_id(StudySession)
    sessions, links, attendance = [], [], []
    for i, r in enumerate(body):
        pk = first + i
        hours = r[10]
        sessions.append(
            (
                pk,
                org[r[0]],
                _date(r[1]),
                r[2],
                r[3],
                _text(r[4]),
                _text(r[5]),
                _text(r[6]),
                int(r[9]) if r[9] != "" else None,
                str(hours) if hours != "" else None,
            )
        )
        links += [(pk, chapter[c]) for c in _items(r[7])]
        attendance += [(pk, person[n]) for n in _items(r[8])]
    _insert(
        StudySession,
        [
            "id",
            "org_id",
            "date",
            "form",
            "topic",
            "speaker",
            "speaker_affiliation",
            "speaker_category",
            "headcount",
            "hours",
        ],
        sessions,
    )
    _insert(SessionChapter, ["session_id", "chapter_id"], links)
    _insert(Attendance, ["session_id", "person_id"], attendance)


def self_study(grid):
    from tuijin.orgs.models import Person
    from tuijin.study.models import SelfStudy

    body = grid[1:]
    person = _ids(Person, "number", (r[0] for r in body))
    chapter = _chapters()
    _insert(
        SelfStudy,
        ["person_id", "date", "chapter_id", "minutes", "reflection"],
        [(person[r[0]], _date(r[1]), chapter[r[2]], int(r[3]) if r[3] != "" else None, _text(r[4])) for r in body],
    )


def problems(grid):
    from tuijin.core.calendar import today
    from tuijin.orgs.models import Org
    from tuijin.rectification.models import Measure, Problem

    body = grid[1:]
    org = _ids(Org, "code", (r[0] for r in body))
    first, found_on = _next_id(Problem), today()
    rows, measures = [], []
    for i, r in enumerate(body):
        pk = first + i
        rows.append(
            (
                pk,
                org[r[0]],
                _text(r[1]),
                r[2] or "其他",
                r[3],
                r[4],
                _text(r[6]),
                _date(r[7]),
                r[8] or "待整改",
                r[9] == "是",
                found_on,
            )
        )
        measures += [(pk, text, position) for position, text in enumerate(_items(r[5]))]
    _insert(
        Problem,
        [
            "id",
            "org_id",
            "number",
            "category",
            "source",
            "description",
            "responsible",
            "deadline",
            "state",
            "is_special",
            "found_on",
        ],
        rows,
    )
    _insert(Measure, ["problem_id", "text", "position"], measures)


def research(grid):
    from tuijin.orgs.models import Person
    from tuijin.research.models import Finding, ResearchVisit

    body = grid[1:]
    person = {}
    for chunk in chunks({r[0] for r in body}):
        person.update(
            {n: (pk, o) for n, pk, o in Person.objects.filter(number__in=chunk).values_list("number", "pk", "org_id")}
        )
    first = _next_id(ResearchVisit)
    visits, findings = [], []
    for i, r in enumerate(body):
        pk, (person_id, org_id) = first + i, person[r[0]]
        visits.append((pk, person_id, org_id, _date(r[1]), _text(r[2]), r[3], _text(r[5])))
        findings += [(pk, text, position) for position, text in enumerate(_items(r[4]))]
    _insert(ResearchVisit, ["id", "person_id", "org_id", "date", "place", "topic", "outcome"], visits)
    _insert(Finding, ["visit_id", "text", "position"], findings)


def projects(grid):
    from tuijin.core.calendar import today
    from tuijin.orgs.models import Org
    from tuijin.research.models import Project

    body = grid[1:]
    org = _ids(Org, "code", (r[0] for r in body))
    listed_on = today()
    _insert(
        Project,
        ["org_id", "name", "need", "need_category", "beneficiaries", "deadline", "status", "listed_on"],
        [
            (org[r[0]], r[1], _text(r[2]), _text(r[3]), _count(r[4]), _date(r[5]), r[6] or "未开始", listed_on)
            for r in body
        ],
    )


def submissions(grid):
    from tuijin.orgs.models import Org
    from tuijin.publicity.models import Submission

    body = grid[1:]
    org = _ids(Org, "code", (r[0] for r in body))
    _insert(
        Submission,
        ["org_id", "title", "body", "type", "date"],
        [(org[r[0]], r[1], _text(r[2]), r[3] or "工作动态", _date(r[4])) for r in body],
    )


def publicity(grid):
    from tuijin.orgs.models import Org
    from tuijin.publicity.models import PublicityItem

    body = grid[1:]
    org = _ids(Org, "code", (r[0] for r in body))
    _insert(
        PublicityItem,
        ["org_id", "channel", "outlet", "title", "date", "link"],
        [(org[r[0]], r[1], _text(r[2]), r[3], _date(r[4]), _text(r[5])) for r in body],
    )


FLOORS = {
    "orgs": orgs,
    "people": people,
    "study-sessions": study_sessions,
    "self-study": self_study,
    "problems": problems,
    "research": research,
    "projects": projects,
    "submissions": submissions,
    "publicity": publicity,
}


def floor(kind: str, sheet: bytes) -> bool:
    """Read and write the sheet the floor's way; False for a kind without a floor."""
    write = FLOORS.get(kind)
    if write is None:
        return False
    write(_grid(sheet))
    return True

"""The DuckDB baseline of the city-wide table (issue 15, `scorecard_all_units_duckdb`).

Our scorecards read per-org counters that the actions keep current, instead of scanning fact tables.
That is only worth its complexity if reading them beats what a column store does by scanning the raw
records. This scenario measures that: the city's raw fact rows are loaded (untimed) through Python
into an in-memory DuckDB — people, study sessions with their chapters and attendance, self-study
logs, problems, research visits and findings, 办实事 projects, information submissions — and what is
timed is one SQL scan-aggregate over them: each org's own figures (reading coverage derived from
attendance and self-study, as `study.actions.refresh_coverage` derives it), rolled up to every org of
the city through an org → ancestor table, and fetched into Python.

It computes 29 of the registered indicators (CODES), those that are counts and ratios over these
tables; left out are the ones that need rules or text judgements (task completion, measures'
wording, solicitation deadlines, 回头看, media channels, copied materials, follow-up study items,
the 集体学习好于个人自学 org count, …). Untimed, the first answer is compared cell by cell with the
counters' totals; the JSON reports the cells that differ (none expected), so the figures are the
same ones. DuckDB is a dev dependency (`pip install -e ".[dev]"`); without it the scenario is skipped.
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import connection

from tuijin.core.scope import subtree_q
from tuijin.evaluation import counters

from .measure import Outcome

CITY = "XS"

# indicator code -> (numerator, denominator or None for a count), columns of the rolled-up result
CODES = {
    "study.reading_coverage": ("covered", "pairs"),
    "study.chapters_per_member": ("covered", "members"),
    "study.collective_coverage": ("collective", "pairs"),
    "study.self_study_coverage": ("own", "pairs"),
    "study.cadre_self_study_coverage": ("c_own", "c_pairs"),
    "study.member_self_study_coverage": ("o_own", "o_pairs"),
    "study.chapters_per_cadre": ("c_covered", "c_members"),
    "study.chapters_per_other_member": ("o_covered", "o_members"),
    "study.grassroots_coverage": ("branches_active", "branches"),
    "study.no_seminar": ("no_seminar", "seminar_expected"),
    "study.no_expert_lecture": ("no_expert", "expert_expected"),
    "study.went_out_share": ("went_out", "out_or_in"),
    "problems.found": ("problems", None),
    "problems.rectified_share": ("closed", "problems"),
    "problems.overdue": ("overdue", None),
    "problems.not_started": ("not_started", None),
    "problems.relapses": ("relapses", None),
    "problems.self_found_share": ("self_found", "problems"),
    "problems.found_late_share": ("found_late", "found_in_campaign"),
    "research.visits_per_cadre": ("visits", "cadres"),
    "research.findings_converted": ("converted", "findings"),
    "projects.per_org": ("projects", "active_orgs"),
    "projects.flagged_share": ("flagged", "projects"),
    "projects.completed_share": ("completed", "projects"),
    "publicity.submissions_per_org": ("submissions", "active_orgs"),
    "publicity.adoption_rate": ("adopted", "submissions"),
    "publicity.adopted_city_or_above": ("adopted_city_up", None),
    "publicity.average_quality": ("quality", "scored"),
    "publicity.typical_cases": ("typical_cases", None),
}

FIGURES = """
WITH
cov AS (  -- a member-chapter pair is covered: first date through a session attended, first through self-study
  SELECT person_id, chapter_id, min(session_on) AS session_on, min(self_on) AS self_on FROM (
    SELECT a.person_id, sc.chapter_id, s.day AS session_on, NULL::BIGINT AS self_on
    FROM attendance a JOIN session s ON s.id = a.session_id JOIN session_chapter sc ON sc.session_id = s.id
    WHERE NOT s.withdrawn AND NOT s.untrue_now
    UNION ALL
    SELECT person_id, chapter_id, NULL, day FROM self_study WHERE NOT withdrawn
  ) GROUP BY person_id, chapter_id),
members AS (
  SELECT org_id, count(*) AS members, count(*) FILTER (WHERE leader) AS c_members
  FROM person WHERE member GROUP BY org_id),
study AS (
  SELECT p.org_id, count(*) AS covered,
         count(*) FILTER (WHERE c.session_on <= $as_of) AS collective,
         count(*) FILTER (WHERE c.self_on <= $as_of) AS own,
         count(*) FILTER (WHERE p.leader) AS c_covered,
         count(*) FILTER (WHERE p.leader AND c.self_on <= $as_of) AS c_own
  FROM cov c JOIN person p ON p.id = c.person_id JOIN chapter ch ON ch.id = c.chapter_id
  WHERE p.member AND (c.session_on <= $as_of OR c.self_on <= $as_of)
  GROUP BY p.org_id),
sessions AS (
  SELECT org_id,
         bool_or(day >= $month_start) AS this_month,
         bool_or(day >= $start AND form = $seminar) AS seminar,
         bool_or(day >= $start AND speaker = $expert) AS expert,
         count(*) FILTER (WHERE day >= $start AND list_contains($going_out, form)) AS went_out,
         count(*) FILTER (WHERE day >= $start AND (list_contains($going_out, form) OR list_contains($invited, form) OR speaker = $expert)) AS out_or_in
  FROM session WHERE NOT withdrawn AND NOT untrue AND day <= $as_of GROUP BY org_id),
problems AS (
  SELECT org_id, count(*) AS problems,
         count(*) FILTER (WHERE state = $closed AND closed_on <= $as_of AND NOT untrue_closed) AS closed,
         count(*) FILTER (WHERE list_contains($active_states, state) AND deadline < $as_of) AS overdue,
         count(*) FILTER (WHERE state = $open AND deadline < $as_of) AS not_started,
         sum(relapses) AS relapses,
         count(*) FILTER (WHERE NOT list_contains($found_by_others, source)) AS self_found,
         count(*) FILTER (WHERE found_on >= $start) AS found_in_campaign,
         count(*) FILTER (WHERE found_on >= $late_from) AS found_late
  FROM problem WHERE NOT withdrawn AND NOT hand_down AND found_on <= $as_of GROUP BY org_id),
cadres AS (SELECT org_id, count(*) AS cadres FROM person WHERE leader AND active GROUP BY org_id),
visits AS (
  SELECT p.org_id, count(*) AS visits FROM visit v JOIN person p ON p.id = v.person_id
  WHERE p.leader AND p.active AND v.day <= $as_of GROUP BY p.org_id),
findings AS (
  SELECT v.org_id, count(*) AS findings, count(*) FILTER (WHERE f.converted AND f.converted_on <= $as_of) AS converted
  FROM finding f JOIN visit v ON v.id = f.visit_id WHERE v.day <= $as_of GROUP BY v.org_id),
projects AS (
  SELECT org_id, count(*) AS projects, count(*) FILTER (WHERE flagged) AS flagged,
         count(*) FILTER (WHERE done AND completed_on <= $as_of AND NOT untrue) AS completed
  FROM project WHERE listed_on <= $as_of GROUP BY org_id),
submissions AS (
  SELECT org_id, count(*) AS submissions,
         count(*) FILTER (WHERE adopted AND adopted_on <= $as_of) AS adopted,
         count(*) FILTER (WHERE adopted AND adopted_on <= $as_of AND list_contains($city_or_above, level))
           AS adopted_city_up,
         sum(quality) AS quality, count(quality) AS scored,
         count(*) FILTER (WHERE adopted AND adopted_on <= $as_of AND list_contains($library_types, type)) AS typical_cases
  FROM submission WHERE day <= $as_of GROUP BY org_id),
own AS (
  SELECT o.id AS org_id,
    coalesce(st.covered, 0) AS covered, coalesce(st.collective, 0) AS collective, coalesce(st.own, 0) AS own,
    coalesce(m.members, 0) AS members, coalesce(m.c_members, 0) AS c_members,
    coalesce(st.c_covered, 0) AS c_covered, coalesce(st.c_own, 0) AS c_own,
    (o.branch AND coalesce(se.this_month, false))::INT AS branches_active, o.branch::INT AS branches,
    (o.active AND coalesce(m.members, 0) > 0)::INT AS seminar_expected,
    (o.active AND coalesce(m.members, 0) > 0 AND NOT coalesce(se.seminar, false))::INT AS no_seminar,
    (o.active AND NOT o.is_branch AND coalesce(m.members, 0) > 0)::INT AS expert_expected,
    (o.active AND NOT o.is_branch AND coalesce(m.members, 0) > 0 AND NOT coalesce(se.expert, false))::INT AS no_expert,
    coalesce(se.went_out, 0) AS went_out, coalesce(se.out_or_in, 0) AS out_or_in,
    coalesce(pr.problems, 0) AS problems, coalesce(pr.closed, 0) AS closed, coalesce(pr.overdue, 0) AS overdue,
    coalesce(pr.not_started, 0) AS not_started, coalesce(pr.relapses, 0) AS relapses,
    coalesce(pr.self_found, 0) AS self_found, coalesce(pr.found_in_campaign, 0) AS found_in_campaign,
    coalesce(pr.found_late, 0) AS found_late,
    coalesce(vi.visits, 0) AS visits, coalesce(ca.cadres, 0) AS cadres,
    coalesce(fi.converted, 0) AS converted, coalesce(fi.findings, 0) AS findings,
    coalesce(pj.projects, 0) AS projects, o.active::INT AS active_orgs, coalesce(pj.flagged, 0) AS flagged,
    coalesce(pj.completed, 0) AS completed,
    coalesce(su.submissions, 0) AS submissions, coalesce(su.adopted, 0) AS adopted,
    coalesce(su.adopted_city_up, 0) AS adopted_city_up, coalesce(su.quality, 0) AS quality,
    coalesce(su.scored, 0) AS scored, coalesce(su.typical_cases, 0) AS typical_cases
  FROM org o
  LEFT JOIN study st ON st.org_id = o.id LEFT JOIN members m ON m.org_id = o.id
  LEFT JOIN sessions se ON se.org_id = o.id LEFT JOIN problems pr ON pr.org_id = o.id
  LEFT JOIN cadres ca ON ca.org_id = o.id LEFT JOIN visits vi ON vi.org_id = o.id
  LEFT JOIN findings fi ON fi.org_id = o.id LEFT JOIN projects pj ON pj.org_id = o.id
  LEFT JOIN submissions su ON su.org_id = o.id),
total AS (  -- every org's figures over its subtree: its own and each descendant's, through org -> ancestor
  SELECT a.ancestor_id AS org_id, {sums} FROM own JOIN ancestor a ON a.org_id = own.org_id GROUP BY a.ancestor_id)
SELECT o.id, {columns}
FROM org o JOIN total t ON t.org_id = o.id WHERE o.active ORDER BY o.path
"""

COLUMNS = [
    "covered",
    "collective",
    "own",
    "members",
    "c_members",
    "c_covered",
    "c_own",
    "branches_active",
    "branches",
    "seminar_expected",
    "no_seminar",
    "expert_expected",
    "no_expert",
    "went_out",
    "out_or_in",
    "problems",
    "closed",
    "overdue",
    "not_started",
    "relapses",
    "self_found",
    "found_in_campaign",
    "found_late",
    "visits",
    "cadres",
    "converted",
    "findings",
    "projects",
    "active_orgs",
    "flagged",
    "completed",
    "submissions",
    "adopted",
    "adopted_city_up",
    "quality",
    "scored",
    "typical_cases",
]
# derived in the last SELECT from the rolled-up sums
DERIVED = {
    "pairs": "t.members * $chapters",
    "c_pairs": "t.c_members * $chapters",
    "o_pairs": "(t.members - t.c_members) * $chapters",
    "o_own": "t.own - t.c_own",
    "o_covered": "t.covered - t.c_covered",
    "o_members": "t.members - t.c_members",
}


def _sql() -> tuple[str, list[str]]:
    names = COLUMNS + list(DERIVED)
    sums = ", ".join(f"sum({c}) AS {c}" for c in COLUMNS)
    columns = ", ".join([f"t.{c}" for c in COLUMNS] + [f"{expr} AS {name}" for name, expr in DERIVED.items()])
    return FIGURES.format(sums=sums, columns=columns), names


# ------------------------------------------------------------------ loading (untimed)


def _day(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return value.toordinal()


def _load(con, name: str, qs, fields: list[str], kinds: str, extra=None) -> int:
    """Read qs.values_list(*fields) through the database cursor, in chunks, into numpy columns, and make
    them DuckDB table `name`. kinds: one letter per field — i(nt), b(ool), d(ate), s(tring), f(loat);
    `extra` adds computed columns {name: (kind, fn(row))}."""
    import numpy as np

    sql, params = qs.order_by().values_list(*fields).query.sql_with_params()
    names = [f.replace("__", "_") for f in fields] + list(extra or {})
    kinds += "".join(k for k, _ in (extra or {}).values())
    cols: list[list] = [[] for _ in names]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(200_000):
            for n, k in enumerate(kinds[: len(fields)]):
                if k == "d":
                    cols[n].extend(_day(r[n]) for r in rows)
                else:
                    cols[n].extend(r[n] for r in rows)
            for n, (_kind, fn) in enumerate((extra or {}).values(), start=len(fields)):
                cols[n].extend(fn(r) for r in rows)
    arrays = {}
    for name_, kind, values in zip(names, kinds, cols, strict=True):
        if kind == "s":
            arrays[name_] = np.array(["" if v is None else v for v in values], dtype=object)
        elif kind == "b":
            arrays[name_] = np.array([bool(v) for v in values], dtype=bool)
        else:  # numbers: missing ones masked (NULL in DuckDB)
            mask = np.array([v is None for v in values], dtype=bool)
            data = np.array([0 if v is None else v for v in values], dtype=np.float64 if kind == "f" else np.int64)
            arrays[name_] = np.ma.masked_array(data, mask=mask) if mask.any() else data
    con.register("incoming", arrays)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM incoming")
    con.unregister("incoming")
    return len(cols[0]) if cols else 0


def load(con, city, as_of: dt.date) -> dict[str, int]:
    """The city's fact rows, as they are stored (plus the 不属实 marks `core.exclusions` gives)."""
    from tuijin.core.exclusions import excluded
    from tuijin.orgs.models import Org, OrgKind, Person
    from tuijin.publicity.models import Submission
    from tuijin.rectification.models import Problem
    from tuijin.research.models import Finding, Project, ResearchVisit
    from tuijin.study.models import MEMBER_STATUSES, Attendance, SelfStudy, SessionChapter, StudySession
    from tuijin.study.queries import chapters_of
    from tuijin.campaigns.queries import current_campaign

    campaign = current_campaign(city, as_of)
    orgs = list(Org.objects.filter(subtree_q("path", city.path)).values_list("pk", "path"))
    by_path = {path: pk for pk, path in orgs}
    steplen = Org.steplen
    pairs = [
        (pk, by_path[path[:n]])
        for pk, path in orgs
        for n in range(len(city.path), len(path) + 1, steplen)
        if path[:n] in by_path
    ]
    import numpy as np

    con.register(
        "incoming",
        {
            "org_id": np.array([p[0] for p in pairs], dtype=np.int64),
            "ancestor_id": np.array([p[1] for p in pairs], dtype=np.int64),
        },
    )
    con.execute("CREATE TABLE ancestor AS SELECT * FROM incoming")
    con.unregister("incoming")
    con.register("incoming", {"id": np.array([c.pk for c in chapters_of(campaign)] or [0], dtype=np.int64)})
    con.execute("CREATE TABLE chapter AS SELECT * FROM incoming")
    con.unregister("incoming")

    sessions_untrue_now = excluded("study_session", dt.date.max)
    sessions_untrue = excluded("study_session", as_of)
    problems_untrue = excluded("problem_closed", as_of)
    projects_untrue = excluded("project_done", as_of)
    in_city = subtree_q("path", city.path)
    people = Person.objects.filter(subtree_q("org__path", city.path))
    held = StudySession.objects.filter(subtree_q("org__path", city.path)) | StudySession.objects.filter(
        pk__in=Attendance.objects.filter(person__in=people).values("session_id")
    )
    kinds = dict(Org.objects.filter(in_city).values_list("pk", "kind"))
    n = {}
    n["org"] = _load(
        con,
        "org",
        Org.objects.filter(in_city),
        ["pk", "path", "active"],
        "isb",
        {
            "is_branch": ("b", lambda r: kinds[r[0]] == OrgKind.BRANCH),
            "branch": ("b", lambda r: kinds[r[0]] == OrgKind.BRANCH and bool(r[2])),
        },
    )
    con.execute("ALTER TABLE org RENAME COLUMN pk TO id")
    n["person"] = _load(
        con,
        "person",
        people,
        ["pk", "org_id", "active", "is_leading_cadre", "status"],
        "iibbs",
        {"member": ("b", lambda r: bool(r[2]) and r[4] in MEMBER_STATUSES)},
    )
    con.execute("ALTER TABLE person RENAME COLUMN pk TO id")
    con.execute("ALTER TABLE person RENAME COLUMN is_leading_cadre TO leader")
    n["session"] = _load(
        con,
        "session",
        held,
        ["pk", "org_id", "date", "withdrawn", "form", "speaker_category"],
        "iidbss",
        {
            "untrue_now": ("b", lambda r: r[0] in sessions_untrue_now),
            "untrue": ("b", lambda r: r[0] in sessions_untrue),
        },
    )
    con.execute("ALTER TABLE session RENAME COLUMN pk TO id")
    con.execute("ALTER TABLE session RENAME COLUMN date TO day")
    con.execute("ALTER TABLE session RENAME COLUMN speaker_category TO speaker")
    n["session_chapter"] = _load(
        con, "session_chapter", SessionChapter.objects.filter(session__in=held), ["session_id", "chapter_id"], "ii"
    )
    n["attendance"] = _load(
        con, "attendance", Attendance.objects.filter(person__in=people), ["person_id", "session_id"], "ii"
    )
    n["self_study"] = _load(
        con,
        "self_study",
        SelfStudy.objects.filter(person__in=people),
        ["person_id", "chapter_id", "date", "withdrawn"],
        "iidb",
    )
    con.execute("ALTER TABLE self_study RENAME COLUMN date TO day")
    n["problem"] = _load(
        con,
        "problem",
        Problem.objects.filter(subtree_q("org__path", city.path)),
        [
            "pk",
            "org_id",
            "withdrawn",
            "is_hand_down",
            "found_on",
            "state",
            "closed_on",
            "deadline",
            "relapses",
            "source",
        ],
        "iibbdsddis",
        {"untrue_closed": ("b", lambda r: r[0] in problems_untrue)},
    )
    con.execute("ALTER TABLE problem RENAME COLUMN is_hand_down TO hand_down")
    visits = ResearchVisit.objects.filter(subtree_q("org__path", city.path)) | ResearchVisit.objects.filter(
        person__in=people
    )
    n["visit"] = _load(con, "visit", visits, ["pk", "person_id", "org_id", "date"], "iiid")
    con.execute("ALTER TABLE visit RENAME COLUMN pk TO id")
    con.execute("ALTER TABLE visit RENAME COLUMN date TO day")
    n["finding"] = _load(
        con,
        "finding",
        Finding.objects.filter(visit__in=visits),
        ["visit_id", "converted_on", "converted_problem_id", "converted_measure_id"],
        "idii",
        {"converted": ("b", lambda r: r[2] is not None or r[3] is not None)},
    )
    n["project"] = _load(
        con,
        "project",
        Project.objects.filter(subtree_q("org__path", city.path)),
        ["pk", "org_id", "listed_on", "flagged", "status", "completed_on"],
        "iidbsd",
        {"done": ("b", lambda r: r[4] == "已完成"), "untrue": ("b", lambda r: r[0] in projects_untrue)},
    )
    n["submission"] = _load(
        con,
        "submission",
        Submission.objects.filter(subtree_q("org__path", city.path)),
        ["org_id", "date", "adopted", "adopted_on", "adopted_level", "quality", "type"],
        "idbdsis",
    )
    con.execute("ALTER TABLE submission RENAME COLUMN date TO day")
    con.execute("ALTER TABLE submission RENAME COLUMN adopted_level TO level")
    return n


def parameters(campaign, as_of: dt.date) -> dict:
    from tuijin.publicity.indicators import CITY_OR_ABOVE
    from tuijin.publicity.models import LIBRARY_TYPES
    from tuijin.rectification.indicators import FOUND_BY_OTHERS, late_cutoff
    from tuijin.rectification.models import ACTIVE_STATES, State
    from tuijin.study.models import EXPERT, GOING_OUT_FORMS, INVITED_FORMS, SEMINAR
    from tuijin.study.queries import chapters_of

    late = late_cutoff(campaign, as_of)
    return {
        "as_of": as_of.toordinal(),
        "start": campaign.start.toordinal(),
        "month_start": as_of.replace(day=1).toordinal(),
        "late_from": late.toordinal() if late else dt.date.max.toordinal(),
        "chapters": len(chapters_of(campaign)),
        "seminar": SEMINAR,
        "expert": EXPERT,
        "going_out": list(GOING_OUT_FORMS),
        "invited": list(INVITED_FORMS),
        "closed": State.CLOSED.value,
        "open": State.OPEN.value,
        "active_states": [str(s) for s in ACTIVE_STATES],
        "found_by_others": list(FOUND_BY_OTHERS),
        "city_or_above": list(CITY_OR_ABOVE),
        "library_types": list(LIBRARY_TYPES),
    }


def compare(rows, names: list[str], stored: dict[int, dict]) -> dict[str, int]:
    """Cells where DuckDB's figures differ from the counters' totals, per indicator."""
    index = {name: n + 1 for n, name in enumerate(names)}
    wrong: dict[str, int] = {}
    for row in rows:
        total = stored.get(row[0]) or {}
        for code, (num, den) in CODES.items():
            pair = [row[index[num]], None if den is None else row[index[den]]]
            mine = pair if pair[0] or pair[1] else None  # the counters do not store an empty pair
            theirs = total.get(code)
            if mine != (None if theirs is None else list(theirs)):
                wrong[code] = wrong.get(code, 0) + 1
    return wrong


def units_duckdb(runs: int, options: dict) -> Outcome:
    try:
        import duckdb
    except ImportError:
        return Outcome(skipped='duckdb 未安装（开发依赖：pip install -e ".[dev]"）')
    from tuijin.campaigns.queries import current_campaign
    from tuijin.evaluation.models import OrgScore
    from tuijin.orgs.models import Org

    city = Org.objects.filter(code=CITY).first()
    as_of = counters.counter_date()
    campaign = current_campaign(city, as_of) if city and as_of else None
    if city is None or as_of is None or campaign is None:
        return Outcome(skipped="no city, counters or campaign")
    con = duckdb.connect()
    try:
        started = time.perf_counter()
        loaded = load(con, city, as_of)
        load_s = round(time.perf_counter() - started, 1)
        sql, names = _sql()
        params = parameters(campaign, as_of)
        first = con.execute(sql, params).fetchall()  # warm-up, and the check below
        stored = dict(OrgScore.objects.filter(org__in=[r[0] for r in first]).values_list("org_id", "total"))
        wrong = compare(first, names, stored)
        out = Outcome()
        for _ in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            rows = con.execute(sql, params).fetchall()
            out.add(wall, cpu)
            assert len(rows) == len(first)
        out.extra = {
            "indicators": len(CODES),
            "units": len(first),
            "rows_loaded": loaded,
            "load_s": load_s,
            "cells_checked": len(first) * len(CODES),
            "cells_differing": wrong,
            "threads": (con.execute("SELECT current_setting('threads')").fetchone() or [None])[0],
        }
        return out
    finally:
        con.close()

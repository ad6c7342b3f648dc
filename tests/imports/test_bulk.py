"""The imports' bulk writes (issue 15): plain tuples, through COPY on PostgreSQL and executemany elsewhere,
write the same rows and the same history rows as model instances do, inside the caller's transaction, so
a write that fails half-way leaves nothing behind. Run on both databases."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from tuijin.imports.bulk import insert_rows, insert_values, insert_with_history
from tuijin.rectification.imports import MEASURE_FIELDS, PROBLEM_FIELDS
from tuijin.rectification.models import Measure, Problem
from tuijin.research.models import Project
from tuijin.study.models import Attendance, StudySession

DEADLINE, FOUND = dt.date(2026, 12, 31), dt.date(2026, 11, 27)


def row(org, number):
    return (
        org.pk,
        number,
        "其他",
        "集体查",
        "学习不深入\t（含制表符、换行\n和反斜杠\\）",
        "张三",
        DEADLINE,
        True,
        "整改中",
        FOUND,
    )


def counts():
    return (Problem.objects.count(), Problem.history.count(), Measure.objects.count(), Measure.history.count())


def fields_of(obj, skip=("id", "created_at")):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in skip}


def test_tuples_write_the_rows_and_history_rows_model_instances_write(world):
    with transaction.atomic():
        [pk] = insert_values(
            Problem, PROBLEM_FIELDS, [row(world.branch_a1a, "2026-001")], user=world.county_office, reason="导入"
        )
        [made] = insert_with_history(
            Problem,
            [
                Problem(
                    org=world.branch_a1a,
                    number="2026-002",
                    category="其他",
                    source="集体查",
                    description=row(world.branch_a1a, "")[4],
                    responsible="张三",
                    deadline=DEADLINE,
                    is_special=True,
                    state="整改中",
                    found_on=FOUND,
                )
            ],
            user=world.county_office,
            reason="导入",
        )
    from_tuple, from_instance = Problem.objects.get(pk=pk), Problem.objects.get(pk=made.pk)
    assert from_tuple.description.endswith("和反斜杠\\）") and "\t" in from_tuple.description
    assert fields_of(from_tuple) == fields_of(from_instance) | {"number": "2026-001"}
    assert from_tuple.created_at is not None
    [h1], [h2] = Problem.history.filter(id=pk), Problem.history.filter(id=made.pk)
    for h in (h1, h2):
        assert (h.history_type, h.history_user, h.history_change_reason) == ("+", world.county_office, "导入")
    skip = ("id", "created_at", "history_id", "history_date")
    assert fields_of(h1, skip) == fields_of(h2, skip) | {"number": "2026-001"}


def test_json_decimal_and_link_rows_go_in_as_their_fields_read_them(world):
    with transaction.atomic():
        [project] = insert_values(
            Project,
            ["org_id", "name", "listed_on", "flagged", "flag_reasons", "beneficiaries"],
            [(world.branch_a1a.pk, "修路", FOUND, True, ["未写明群众需求", '引号"与逗号,'], 12)],
        )
        [session] = insert_values(
            StudySession,
            ["org_id", "date", "form", "topic", "hours"],
            [(world.branch_a1a.pk, FOUND, "支部学习", "学习", Decimal("1.5"))],
        )
        insert_rows(Attendance, ["session_id", "person_id"], [(session, p.pk) for p in world.p_a1a])
    p = Project.objects.get(pk=project)
    assert (p.flag_reasons, p.flagged, p.beneficiaries, p.status) == (
        ["未写明群众需求", '引号"与逗号,'],
        True,
        12,
        "未开始",
    )
    assert Project.history.get(id=project).flag_reasons == p.flag_reasons
    assert float(StudySession.objects.get(pk=session).hours) == 1.5
    assert set(Attendance.objects.filter(session_id=session).values_list("person_id", flat=True)) == {
        p.pk for p in world.p_a1a
    }


def test_a_bulk_write_that_fails_half_way_leaves_nothing(world):
    before = counts()
    with pytest.raises(IntegrityError), transaction.atomic():
        ids = insert_values(
            Problem, PROBLEM_FIELDS, [row(world.branch_a1a, "2026-001"), row(world.branch_a1b, "2026-001")]
        )
        insert_values(Measure, MEASURE_FIELDS, [(ids[0], "每月集中学习", "", None, 0, False, None)])
        assert counts() == (before[0] + 2, before[1] + 2, before[2] + 1, before[3] + 1)  # written, not committed
        # The same (org, number) again: the database refuses it, and everything above goes with it.
        insert_values(Problem, PROBLEM_FIELDS, [row(world.branch_a1a, "2026-003"), row(world.branch_a1a, "2026-001")])
    assert counts() == before
    # the connection is usable afterwards, and the keys taken by the failed write are not needed again
    with transaction.atomic():
        insert_values(Problem, PROBLEM_FIELDS, [row(world.branch_a1a, "2026-001")])
    assert counts() == (before[0] + 1, before[1] + 1, before[2], before[3])

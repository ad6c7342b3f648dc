"""Bulk writes with history rows, for the importers (and the demo generator).

simple_history's bulk helpers build a historical model instance per row and send it through
bulk_create, and bulk_create itself compiles every value through the ORM: for 100,000 rows that cost
more than the inserts themselves. These write the same rows and the same history rows (who, when,
why, +/~) with one statement per large batch and one executemany per history table.
"""
from __future__ import annotations

from django.db import connections, router, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tuijin.core.chunks import chunks

BATCH = 1000


_AS_IS = {"CharField", "TextField", "BooleanField", "IntegerField", "PositiveIntegerField", "BigIntegerField",
          "SmallIntegerField", "PositiveSmallIntegerField", "AutoField", "BigAutoField", "ForeignKey"}


def _adapter(field, connection):
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateField":
        return connection.ops.adapt_datefield_value
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def write_history(model, objs, *, history_type: str, user=None, reason: str = "", when=None) -> None:
    """The history rows simple_history's bulk_history_create would write for objs, in one executemany."""
    if not objs:
        return
    history = model.history.model
    connection = connections[router.db_for_write(history)]
    tracked = {f.attname for f in history.tracked_fields}
    fixed = {"history_date": when or timezone.now(), "history_user_id": getattr(user, "pk", None),
             "history_change_reason": reason, "history_type": history_type}
    columns, names, constants = [], [], {}
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        adapt = _adapter(field, connection)
        if field.attname in fixed:
            value = fixed[field.attname]
            constants[len(columns)] = adapt(value) if adapt and value is not None else value
        elif field.attname in tracked:
            names.append((len(columns), field.attname, adapt))
        else:
            raise ValueError(f"{history.__name__}.{field.attname}: no value for a bulk history row")
        columns.append(connection.ops.quote_name(field.column))
    rows = []
    for obj in objs:
        row = [None] * len(columns)
        for i, value in constants.items():
            row[i] = value
        for i, attname, adapt in names:
            value = getattr(obj, attname)
            row[i] = adapt(value) if adapt is not None and value is not None else value
        rows.append(row)
    sql = (f"INSERT INTO {connection.ops.quote_name(history._meta.db_table)} ({', '.join(columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with connection.cursor() as cursor:
        for chunk in chunks(rows):
            cursor.executemany(sql, chunk)


def _insert_returning(model, objs, connection) -> None:
    """INSERT … VALUES (…), (…) … RETURNING pk, in large batches, each column's values adapted by one
    function chosen up front: what bulk_create does (and, like it, relies on RETURNING giving rows in
    VALUES order), without its per-value compiler work or SQLite's 999-parameter batches."""
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objs:
                f.pre_save(obj, add=True)
    columns = [(f.attname, _adapter(f, connection)) for f in fields]
    qn = connection.ops.quote_name
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
    row_sql = f"({', '.join(['%s'] * len(fields))})"
    limit = 30000
    if connection.vendor == "sqlite" and hasattr(connection.connection, "getlimit"):
        import sqlite3

        limit = min(limit, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    per = max(1, min(2000, limit // len(fields)))
    with connection.cursor() as cursor:
        for i in range(0, len(objs), per):
            batch, params = objs[i:i + per], []
            for obj in batch:
                for attname, adapt in columns:
                    value = getattr(obj, attname)
                    params.append(adapt(value) if adapt is not None and value is not None else value)
            cursor.execute(f"{head}{', '.join([row_sql] * len(batch))} RETURNING {qn(pk.column)}", params)
            for obj, (value,) in zip(batch, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
                obj._state.adding, obj._state.db = False, connection.alias


def insert_with_history(model, objs, *, user=None, reason="") -> list:
    """Insert objs with a "+" history row each; returns them with their primary keys."""
    if not objs:
        return []
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:
        return bulk_create_with_history(objs, model, batch_size=BATCH, default_change_reason=reason,
                                        default_user=user if getattr(user, "pk", None) else None)
    with transaction.atomic(using=connection.alias, savepoint=False):
        _insert_returning(model, objs, connection)
        write_history(model, objs, history_type="+", user=user, reason=reason)
    return objs


def update_with_history(model, objs, fields, *, user=None, reason="", batch_size=BATCH) -> None:
    if objs:
        model._default_manager.bulk_update(objs, fields, batch_size=batch_size)
        write_history(model, objs, history_type="~", user=user, reason=reason)


def insert_rows(model, fields: list[str], rows) -> int:
    """INSERT plain tuples (values of `fields`, by attname, in that order) into a table without history,
    such as a link table: what bulk_create does without building a model instance per row. Values go
    to the database as given (ints, strings, None), so only use it for fields that need no adapting."""
    rows = list(rows)
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in fields]
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
           f"VALUES ({', '.join(['%s'] * len(columns))})")
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        for chunk in chunks(rows):
            cursor.executemany(sql, chunk)
    return len(rows)


def default_history_user(model):
    """The user simple_history's bulk helpers record when given none: the web request's user, if any."""
    return model.history.model.get_default_history_user(None)

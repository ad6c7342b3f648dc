"""Bulk writes with history rows, for the importers (and the demo generator).

simple_history's bulk helpers build a historical model instance per row and send it through
bulk_create, and bulk_create itself compiles every value through the ORM: for 100,000 rows that cost
more than the inserts themselves. These write the same rows and the same history rows (who, when,
why, +/~) as plain tuples: on PostgreSQL through COPY (psycopg's `cursor.copy`, primary keys taken
from the table's sequence first), elsewhere one multi-row INSERT … RETURNING per large batch and one
executemany per history table. Everything runs in the caller's transaction, so an import that fails
after a write still writes nothing.

`insert_values` takes the rows as tuples of a few fields (every other column its default), so a loader
needs no model instance per row; `insert_with_history` takes model instances.
"""

from __future__ import annotations

from operator import attrgetter, itemgetter

from django.db import connections, router, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from tuijin.core.chunks import chunks

BATCH = 1000


# Values the drivers send as they are (dates too: Django registers an ISO adapter with sqlite3, and
# psycopg sends them natively), so a column of these types needs no per-value adapting.
_AS_IS = {
    "CharField",
    "TextField",
    "BooleanField",
    "IntegerField",
    "PositiveIntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "PositiveSmallIntegerField",
    "AutoField",
    "BigAutoField",
    "ForeignKey",
    "DateField",
}


def _adapter(field, connection):
    kind = field.get_internal_type()
    if kind in _AS_IS:
        return None
    if kind == "DateTimeField":
        return connection.ops.adapt_datetimefield_value
    return lambda value: field.get_db_prep_save(value, connection)


def _copies(connection) -> bool:
    return connection.vendor == "postgresql"


def _table_write(connection, table: str, columns: list[str], rows) -> None:
    """Many rows (tuples in `columns` order, values ready for the driver) into one table: COPY on
    PostgreSQL, executemany elsewhere."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if _copies(connection):
            # the driver's own cursor (Django's has no copy()); its errors read as Django's (IntegrityError …)
            with connection.wrap_database_errors, cursor.cursor.copy(f"COPY {qn(table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {qn(table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
            for chunk in chunks(rows, 20000):
                cursor.executemany(sql, chunk)


def _defaults(model, given: list[str], connection, now) -> tuple[list, tuple]:
    """The concrete fields other than the primary key and `given` (attnames), and their values for a
    new row, each computed and adapted once: the default, `now` for auto_now(_add)."""
    pk = model._meta.pk
    fields, values = [], []
    for f in model._meta.concrete_fields:
        if f is pk or f.attname in given:
            continue
        value = now if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False) else f.get_default()
        adapt = _adapter(f, connection)
        fields.append(f)
        values.append(adapt(value) if adapt is not None and value is not None else value)
    return fields, tuple(values)


def _history_write(model, attnames: list[str], rows, *, history_type: str, user, reason: str, when, connection) -> None:
    """The history rows simple_history would write for these rows (tuples holding every tracked field,
    named by `attnames`, the primary key included, values ready for the driver)."""
    history = model.history.model
    tracked = {f.attname for f in history.tracked_fields}
    fixed = {
        "history_date": when or timezone.now(),
        "history_user_id": getattr(user, "pk", None),
        "history_change_reason": reason,
        "history_type": history_type,
    }
    picked, picked_columns, constants, constant_columns = [], [], [], []
    position = {a: i for i, a in enumerate(attnames)}
    for field in history._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.attname in fixed:
            value, adapt = fixed[field.attname], _adapter(field, connection)
            constants.append(adapt(value) if adapt and value is not None else value)
            constant_columns.append(field.column)
        elif field.attname in tracked and field.attname in position:
            picked.append(position[field.attname])
            picked_columns.append(field.column)
        else:
            raise ValueError(f"{history.__name__}.{field.attname}: no value for a bulk history row")
    tail = tuple(constants)
    if len(picked) == 1:
        i = picked[0]
        out = [(row[i], *tail) for row in rows]
    else:
        get = itemgetter(*picked)
        out = [get(row) + tail for row in rows]
    _table_write(connection, history._meta.db_table, picked_columns + constant_columns, out)


def _new_ids(model, n: int, connection) -> list[int]:
    """n primary keys from the table's own sequence (PostgreSQL), in increasing order."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [qn(model._meta.db_table), model._meta.pk.column, n],
        )
        return sorted(row[0] for row in cursor.fetchall())


def _insert_returning(model, columns: list[str], rows: list[tuple], connection) -> list[int]:
    """INSERT … VALUES (…), (…) … RETURNING pk in large batches; the new keys in row order (RETURNING
    gives rows in VALUES order, as bulk_create relies on too), without SQLite's 999-parameter batches."""
    qn = connection.ops.quote_name
    pk = model._meta.pk
    head = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) VALUES "
    row_sql = f"({', '.join(['%s'] * len(columns))})"
    limit = 30000
    if connection.vendor == "sqlite" and hasattr(connection.connection, "getlimit"):
        import sqlite3

        limit = min(limit, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    per = max(1, min(2000, limit // len(columns)))
    ids: list[int] = []
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per):
            batch = rows[i : i + per]
            params = [value for row in batch for value in row]
            cursor.execute(f"{head}{', '.join([row_sql] * len(batch))} RETURNING {qn(pk.column)}", params)
            ids += [value for (value,) in cursor.fetchall()]
    return ids


def _insert(model, attnames: list[str], rows: list[tuple], connection) -> list[int]:
    """Insert rows (tuples of every concrete field but the primary key, in `attnames` order); their new
    primary keys, in row order."""
    columns = [model._meta.get_field(a).column for a in attnames]
    if _copies(connection):
        ids = _new_ids(model, len(rows), connection)
        _table_write(
            connection,
            model._meta.db_table,
            [model._meta.pk.column, *columns],
            [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
        )
        return ids
    return _insert_returning(model, columns, rows, connection)


def insert_values(model, fields: list[str], rows, *, user=None, reason: str = "") -> list[int]:
    """Insert plain tuples (values of `fields`, by attname, in that order; every other column takes its
    default, auto_now_add fields the time of the call) with a "+" history row each, and no model
    instance per row. Values are of the field's own Python type (str, int, bool, date, Decimal, a
    list for JSON, None); the few columns that need it are adapted for the driver. Returns the new primary keys in
    row order."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return []
    connection = connections[router.db_for_write(model)]
    now = timezone.now()
    extra, tail = _defaults(model, fields, connection, now)
    attnames = [*fields, *(f.attname for f in extra)]
    adapted = [
        (i, adapt)
        for i, name in enumerate(fields)
        if (adapt := _adapter(model._meta.get_field(name), connection)) is not None
    ]
    if adapted:  # a decimal, a date-time or JSON column: each value adapted, the rest as they are
        rows = [_adapted(row, adapted) for row in rows]
    full = [row + tail for row in rows] if tail else [tuple(row) for row in rows]
    with transaction.atomic(using=connection.alias, savepoint=False):
        ids = _insert(model, attnames, full, connection)
        _history_write(
            model,
            [model._meta.pk.attname, *attnames],
            [(pk, *row) for pk, row in zip(ids, full, strict=True)],
            history_type="+",
            user=user,
            reason=reason,
            when=now,
            connection=connection,
        )
    return ids


def _adapted(row, adapted) -> tuple:
    values = list(row)
    for i, adapt in adapted:
        if values[i] is not None:
            values[i] = adapt(values[i])
    return tuple(values)


def _as_rows(objs, fields, connection) -> list[tuple]:
    """The objects' values of these fields as tuples, each column adapted by one function chosen up front."""
    get = attrgetter(*(f.attname for f in fields))
    adapted = [(i, adapt) for i, f in enumerate(fields) if (adapt := _adapter(f, connection)) is not None]
    rows = [(get(obj),) for obj in objs] if len(fields) == 1 else [get(obj) for obj in objs]
    if adapted:
        rows = [_adapted(row, adapted) for row in rows]
    return rows


def write_history(model, objs, *, history_type: str, user=None, reason: str = "", when=None) -> None:
    """The history rows simple_history's bulk_history_create would write for objs, in one executemany
    (PostgreSQL: one COPY)."""
    if not objs:
        return
    history = model.history.model
    connection = connections[router.db_for_write(history)]
    tracked = list(history.tracked_fields)
    _history_write(
        model,
        [f.attname for f in tracked],
        _as_rows(objs, tracked, connection),
        history_type=history_type,
        user=user,
        reason=reason,
        when=when,
        connection=connection,
    )


def insert_with_history(model, objs, *, user=None, reason="") -> list:
    """Insert objs with a "+" history row each; returns them with their primary keys."""
    if not objs:
        return []
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert and not _copies(connection):
        return bulk_create_with_history(
            objs,
            model,
            batch_size=BATCH,
            default_change_reason=reason,
            default_user=user if getattr(user, "pk", None) else None,
        )
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            for obj in objs:
                f.pre_save(obj, add=True)
    rows = _as_rows(objs, fields, connection)
    attnames = [f.attname for f in fields]
    with transaction.atomic(using=connection.alias, savepoint=False):
        ids = _insert(model, attnames, rows, connection)
        for obj, value in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, value)
            obj._state.adding, obj._state.db = False, connection.alias
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
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return 0
    connection = connections[router.db_for_write(model)]
    columns = [model._meta.get_field(name).column for name in fields]
    with transaction.atomic(using=connection.alias, savepoint=False):
        _table_write(connection, model._meta.db_table, columns, rows)
    return len(rows)


def default_history_user(model):
    """The user simple_history's bulk helpers record when given none: the web request's user, if any."""
    return model.history.model.get_default_history_user(None)

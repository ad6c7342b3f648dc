"""The skeleton every kind's loader fills in (issue 10): one home, public names.

A loader (registered with `registry.register_loader`, called by `registry.run_import` with the sheet
already read and its headers mapped) does three things, in this order:

1. `keyed_rows`: read every row into its cleaned cells, keyed by the record's natural key. Cell errors go
   to a `RowErrors`; a row whose key cell is empty or wrong, or whose key repeats an earlier row, is set
   aside, not dropped, so its other references can still be checked (issue 11: one report).
2. check the whole sheet against what is stored (orgs, people, chapters, states, permissions), adding
   every error, and plan the creates and updates into an `ImportResult`;
3. `all_or_nothing`: any error → `ImportFailed` listing them all, nothing written; a dry run → the counts;
   otherwise the write, in one transaction (bulk inserts with history rows, one recorded event).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction

from .normalize import RowErrors
from .registry import ImportFailed, ImportResult
from .sheet import Row, Sheet


def keyed_rows(
    sheet: Sheet,
    read: Callable[[Row], tuple[Any, dict[str, Any]]],
    errors: RowErrors,
    *,
    repeated: Callable[[Any, Row, int], tuple[str, str]],
) -> tuple[dict[Any, dict[str, Any]], list[dict[str, Any]]]:
    """({key: row data} in sheet order, rows set aside).

    read(row) cleans the row's cells (adding their errors) and returns (key, data): a hashable key, None
    when a key cell is empty or wrong (already reported). repeated(key, row, first row number) gives the (column,
    message) for a row whose key an earlier row has. Every data dict gets "row", the Excel row number."""
    rows: dict[Any, dict[str, Any]] = {}
    first_row: dict[Any, int] = {}
    set_aside: list[dict[str, Any]] = []
    for row in sheet.rows:
        key, data = read(row)
        data.setdefault("row", row.number)
        if key is None:
            set_aside.append(data)
        elif key in first_row:
            column, message = repeated(key, row, first_row[key])
            errors.add(row.number, column, message)
            set_aside.append(data)
        else:
            first_row[key] = row.number
            rows[key] = data
    return rows, set_aside


def all_or_nothing(
    errors: RowErrors, result: ImportResult, *, dry_run: bool, write: Callable[[], None]
) -> ImportResult:
    """The end of every loader: with any error nothing is written and every error is raised at once
    (with the warnings found so far); a dry run returns the counts; otherwise write() runs in one
    transaction."""
    if errors:
        raise ImportFailed(errors, result.warnings)
    if dry_run:
        return result
    with transaction.atomic():
        write()
    return result

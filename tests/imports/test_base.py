"""The loader skeleton of imports/base.py (issue 10): rows keyed by their natural key, rows with a wrong
or repeated key set aside (not dropped), and the all-or-nothing end every loader shares."""

import pytest

from tuijin.imports.base import all_or_nothing, keyed_rows
from tuijin.imports.normalize import RowErrors
from tuijin.imports.registry import ImportFailed, ImportResult
from tuijin.imports.sheet import Row, Sheet


def sheet(*rows):
    return Sheet(
        "名册",
        1,
        {"编码": 0, "名称": 1},
        [Row(n, {"编码": code, "名称": name}) for n, (code, name) in enumerate(rows, start=2)],
    )


def read(errors):
    def read_row(row):
        code = row.get("编码")
        if code is None:
            errors.add(row.number, "编码", "不能为空")
        return code, {"name": row.get("名称"), "code": code}

    return read_row


def test_rows_are_keyed_and_wrong_or_repeated_keys_are_set_aside_with_their_row_number():
    errors = RowErrors()
    rows, aside = keyed_rows(
        sheet(("A", "甲"), (None, "乙"), ("B", "丙"), ("A", "丁")),
        read(errors),
        errors,
        repeated=lambda key, row, first: ("编码", f"“{key}”与第{first}行重复"),
    )
    assert rows == {"A": {"name": "甲", "code": "A", "row": 2}, "B": {"name": "丙", "code": "B", "row": 4}}
    assert aside == [{"name": "乙", "code": None, "row": 3}, {"name": "丁", "code": "A", "row": 5}]
    assert errors.messages == ["第3行 编码: 不能为空", "第5行 编码: “A”与第2行重复"]


def test_all_or_nothing_writes_only_a_valid_sheet_and_only_when_not_a_dry_run(db):  # db: the transaction
    written = []
    result = ImportResult(created=1, warnings=["提示"])

    def write():
        written.append(1)

    errors = RowErrors()
    errors.add(7, "名称", "太长")
    with pytest.raises(ImportFailed) as failed:
        all_or_nothing(errors, result, dry_run=False, write=write)
    assert (failed.value.errors, failed.value.total, failed.value.warnings) == (["第7行 名称: 太长"], 1, ["提示"])
    assert all_or_nothing(RowErrors(), result, dry_run=True, write=write) is result and written == []
    assert all_or_nothing(RowErrors(), result, dry_run=False, write=write) is result and written == [1]

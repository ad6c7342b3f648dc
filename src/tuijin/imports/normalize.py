"""Turn the values clerks type into Excel/WPS into clean Python values.

Every parser raises ValueError with a Chinese message meant to be shown to
the clerk as-is (usually prefixed by RowErrors with the row and column).
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

# Invisible characters that survive str.split() but break lookups
# (they come in with text pasted from web pages and WeChat).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
# Full-width digits, Latin letters and a few joiners used in codes and dates become ASCII;
# Chinese punctuation (，；：（）) in free text is left alone: it is part of what a clerk wrote.
_WIDE = {0xFF10 + i: 0x30 + i for i in range(10)}
_WIDE.update({0xFF21 + i: 0x41 + i for i in range(26)})
_WIDE.update({0xFF41 + i: 0x61 + i for i in range(26)})
_WIDE.update({ord("－"): "-", ord("／"): "/", ord("．"): ".", ord("＿"): "_", ord("＋"): "+"})
_WIDE.update(_INVISIBLE)


def clean_text(v: Any) -> str | None:
    """Cell value -> trimmed text, or None when there is nothing in it.

    Whole floats become "12" because Excel stores codes typed as numbers as
    12.0. Line breaks inside a cell are kept (split_list relies on them);
    other whitespace runs (incl. \\u3000 and nbsp) collapse to one space.
    """
    if v is None:
        return None
    if isinstance(v, str):
        if v[:1] == "'" and v[1:2] in (
            "=",
            "+",
            "-",
            "@",
            "\t",
            "\r",
        ):  # our exports' formula guard (writer.formula_safe)
            v = v[1:]
        s = v if v.isascii() else v.translate(_WIDE)
        if "\n" in s or "\r" in s:
            lines = (" ".join(line.split()) for line in s.splitlines())
            s = "\n".join(line for line in lines if line)
        else:
            s = " ".join(s.split())
        return s.strip() or None
    if isinstance(v, bool):  # before int: bool is an int subclass
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v) or None


def _shown(v: Any) -> str:
    """The value as quoted back to the clerk in an error message."""
    return clean_text(v) or ""


def _require(v: Any) -> str:
    s = clean_text(v)
    if s is None:
        raise ValueError("不能为空")
    return s


# ---------------------------------------------------------------- dates

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 system incl. Lotus' fake 1900-02-29
_SERIAL_MIN, _SERIAL_MAX = 20000, 80000  # 1954-10-03 .. 2119-01-10
_TIME = r"(?:\s*T?\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_DATE_PATTERNS = [
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?" + _TIME),
    re.compile(r"(\d{4})([/.\-])(\d{1,2})\2(\d{1,2})" + _TIME),
    re.compile(r"(\d{4})(\d{2})(\d{2})" + _TIME),
]
_SERIAL_TEXT = re.compile(r"\d{5}(?:\.\d+)?")
# Deadlines as clerks write them: "2026年10月31日前", "…以前", "…之前", "…为止"; "2026年12月底",
# "2026年12月末", "2026年底" mean the last day of that month or year.
_BEFORE = re.compile(r"\s*(?:以前|之前|前|为止|止)$")
_MONTH_END = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*[底末]")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*[底末]")


def _from_serial(n: float) -> dt.date | None:
    if _SERIAL_MIN <= n <= _SERIAL_MAX:
        return _EXCEL_EPOCH + dt.timedelta(days=int(n))
    return None


def parse_date(v: Any) -> dt.date:
    """Date cell, Excel serial number or one of the usual Chinese spellings."""
    bad = ValueError(f"无法识别的日期“{_shown(v)}”，请写成 2026-11-27 或 2026年11月27日")
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, bool):
        raise bad
    if isinstance(v, (int, float)) and (d := _from_serial(v)):
        return d
    # other numbers fall through as text: 20261127 typed into a number cell
    s = _require(v)
    if _SERIAL_TEXT.fullmatch(s) and (d := _from_serial(float(s))):
        return d
    s = _BEFORE.sub("", s) or s
    if m := _YEAR_END.fullmatch(s):
        return dt.date(int(m.group(1)), 12, 31)
    if m := _MONTH_END.fullmatch(s):
        y, mo = int(m.group(1)), int(m.group(2))
        if not 1 <= mo <= 12:
            raise ValueError(f"日期“{_shown(v)}”不存在，请检查月份")
        return dt.date(y + mo // 12, mo % 12 + 1, 1) - dt.timedelta(days=1)
    for pattern in _DATE_PATTERNS:
        if m := pattern.fullmatch(s):
            y, mo, d = (int(g) for g in m.groups() if g.isdigit())
            try:
                return dt.date(y, mo, d)
            except ValueError:
                raise ValueError(f"日期“{s}”不存在，请检查月份和日") from None
    raise bad


# ---------------------------------------------------------------- numbers

# Thousands separators only in the right places, so "1,2" is not read as 12.
_INT = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)")
_DEC = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|[+-]?\.\d+")


def parse_int(v: Any, *, min: int | None = None, max: int | None = None) -> int:
    bad = ValueError(f"应为整数，实际为“{_shown(v)}”")
    if isinstance(v, bool):
        raise bad
    if isinstance(v, int):
        n = v
    elif isinstance(v, float):
        if not v.is_integer():
            raise bad
        n = int(v)
    else:
        s = "".join(unicodedata.normalize("NFKC", _require(v)).split())
        if _INT.fullmatch(s):
            n = int(s.replace(",", ""))
        elif _DEC.fullmatch(s) and (d := Decimal(s.replace(",", ""))) == d.to_integral_value():
            n = int(d)  # "12.0" from text exports
        else:
            raise bad
    if min is not None and n < min:
        raise ValueError(f"不能小于 {min}，实际为“{n}”")
    if max is not None and n > max:
        raise ValueError(f"不能大于 {max}，实际为“{n}”")
    return n


def parse_decimal(v: Any) -> Decimal:
    bad = ValueError(f"应为数字，实际为“{_shown(v)}”")
    if isinstance(v, bool):
        raise bad
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        # repr gives the shortest form, so 0.1 reads as Decimal("0.1")
        try:
            d = Decimal(repr(v))
        except InvalidOperation:
            raise bad from None
        if not d.is_finite():
            raise bad
        return d
    if isinstance(v, Decimal):
        return v
    s = "".join(unicodedata.normalize("NFKC", _require(v)).split())
    if not _DEC.fullmatch(s):
        raise bad
    return Decimal(s.replace(",", ""))


# ---------------------------------------------------------------- choices

_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "有", "对"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "✘", "无", "错"}


def parse_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    s = _require(v).casefold()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"应填“是”或“否”，实际为“{_shown(v)}”")


_LIST_SEPARATORS = re.compile(r"[；;、\r\n]+")


def split_list(v: Any) -> list[str]:
    """Split on ；;、 and line breaks. Commas are deliberately NOT separators:
    they appear inside names ("北京市，海淀区") too often."""
    if v is None:
        return []
    if not isinstance(v, str):
        s = clean_text(v)
        return [s] if s else []
    parts = (clean_text(p) for p in _LIST_SEPARATORS.split(v))
    return [p for p in parts if p]


@functools.lru_cache(maxsize=4096)
def _choice_key(s: str) -> str:
    # Cached: a sheet repeats the same few values (and every call compares against the same choices)
    # hundreds of thousands of times.
    return "".join(unicodedata.normalize("NFKC", s).split()).casefold()


@functools.lru_cache(maxsize=256)
def _choice_table(choices: tuple, mapping: bool) -> dict[str, str]:
    """{comparable form of a value or label: the value}; the first choice that has the form wins."""
    table: dict[str, str] = {}
    for value, label in choices if mapping else ((c, c) for c in choices):
        table.setdefault(_choice_key(label), value)
        table.setdefault(_choice_key(value), value)
    return table


def parse_choice(v: Any, choices: Mapping[str, str] | Sequence[str]) -> str:
    """Match v against choices and return the canonical value.

    A mapping is {stored value: label shown to clerks} (Django choices
    order); either the value or the label is accepted. One dict lookup a cell: the choices' table is
    built once (a sheet asks the same few lists hundreds of thousands of times).
    """
    mapping = isinstance(choices, Mapping)
    s = clean_text(v)
    if s is not None:
        key = tuple(choices.items()) if isinstance(choices, Mapping) else tuple(choices)
        value = _choice_table(key, mapping).get(_choice_key(s))
        if value is not None:
            return value
    labels = "、".join(choices.values() if isinstance(choices, Mapping) else choices)
    raise ValueError(f"应为以下之一：{labels}，实际为“{s or ''}”")


# ---------------------------------------------------------------- errors


MAX_REPORTED = 1000  # errors listed in one report; the rest are counted (a broken 200,000-row sheet)


class RowErrors:
    """Per-cell problems collected while importing, formatted for clerks.

    Every error is counted, but only the `limit` with the lowest row numbers are kept (a heap), so a
    sheet broken on every row costs bounded memory; `messages` then ends with how many were left out."""

    def __init__(self, limit: int = MAX_REPORTED) -> None:
        self.limit = limit
        self.total = 0
        # (-row, -seq, column, reason): heap[0] is the kept error with the highest (row, seq)
        self._heap: list[tuple[int, int, str, str]] = []

    def add(self, row: int, column: str, reason: str) -> None:
        self.total += 1
        item = (-row, -self.total, column, str(reason))
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:
            heapq.heapreplace(self._heap, item)

    def items(self) -> list[tuple[int, str, str]]:
        """The kept errors as (row, column, reason), by row; errors on one row in the order added."""
        return [(-row, column, reason) for row, _, column, reason in sorted(self._heap, reverse=True)]

    def extend(self, other: RowErrors | Iterable[tuple[int, str, str]]) -> None:
        items = other.items() if isinstance(other, RowErrors) else other
        for row, column, reason in items:
            self.add(row, column, reason)

    @property
    def messages(self) -> list[str]:
        lines = [f"第{row}行 {column}: {reason}" for row, column, reason in self.items()]
        if self.total > len(lines):
            lines.append(
                f"另有 {self.total - len(lines)} 处错误未列出（共 {self.total} 处，只列出行号最前的 "
                f"{len(lines)} 处）：请先改正以上错误，再重新检查"
            )
        return lines

    def __bool__(self) -> bool:
        return self.total > 0

    def __len__(self) -> int:
        return self.total

    def __iter__(self):
        return iter(self.messages)

    def __repr__(self) -> str:
        return f"RowErrors({self.messages!r})"

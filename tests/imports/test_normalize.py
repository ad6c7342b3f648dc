import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tuijin.imports.normalize import (
    RowErrors,
    clean_text,
    parse_bool,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    split_list,
)

D = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (None, None),
        ("", None),
        ("  \u3000\xa0 ", None),
        ("\u3000 ＡＢＣ１２３\xa0 ", "ABC123"),
        ("（北京）", "（北京）"),  # Chinese punctuation in free text is kept
        ("张  三", "张 三"),
        ("张\u3000三", "张 三"),
        ("\ufeff单位\u200b", "单位"),
        (" 甲 \r\n\r\n 乙 ", "甲\n乙"),
        (12.0, "12"),
        (12, "12"),
        (12.5, "12.5"),
        (1.2345678901234e17, "123456789012340000"),
        (D, "2026-11-27"),
        (True, "TRUE"),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw) == expected


@given(st.text())
def test_clean_text_is_idempotent_and_trimmed(s):
    once = clean_text(s)
    assert clean_text(once) == once
    if once is not None:
        assert once == once.strip() and once


@pytest.mark.parametrize(
    "raw",
    [
        D,
        dt.datetime(2026, 11, 27, 15, 30),
        46353,
        46353.0,
        46353.75,  # serial with a time of day
        "46353",
        "2026年11月27日",
        "2026年11月27号",
        "2026 年 11 月 27 日",
        "２０２６年１１月２７日",
        "2026/11/27",
        "2026-11-27",
        "2026.11.27",
        "20261127",
        20261127.0,  # yyyymmdd typed into a number cell
        "２０２６－１１－２７",
        "２０２６／１１／２７",
        " 2026-11-27 00:00:00 ",
        "2026-11-27T08:30",
        "2026/11/27 0:00",
        "2026年11月27日 9:00",
        "\u30002026-11-27\u3000",
    ],
)
def test_parse_date_accepts(raw):
    assert parse_date(raw) == D


def test_parse_date_single_digit_month_day():
    assert parse_date("2026-1-5") == dt.date(2026, 1, 5)
    assert parse_date("2026年1月5日") == dt.date(2026, 1, 5)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2026年10月31日前", dt.date(2026, 10, 31)),
        ("2026年10月31日以前", dt.date(2026, 10, 31)),
        ("2026年10月31日之前", dt.date(2026, 10, 31)),
        ("2026-10-31前", dt.date(2026, 10, 31)),
        ("２０２６年１０月３１日 前", dt.date(2026, 10, 31)),
        ("2026年10月31日为止", dt.date(2026, 10, 31)),
        ("2026年12月底", dt.date(2026, 12, 31)),
        ("2026年12月底前", dt.date(2026, 12, 31)),
        ("2027年2月底", dt.date(2027, 2, 28)),
        ("2028年2月末", dt.date(2028, 2, 29)),
        ("2026年11月底以前", dt.date(2026, 11, 30)),
        ("2026年底", dt.date(2026, 12, 31)),
        ("2026年底前", dt.date(2026, 12, 31)),
    ],
)
def test_parse_date_reads_deadlines_with_trailing_words_as_the_day_they_mean(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["前", "2026年13月底", "2026年12月", "12月底", "2026年10月31日后", "底"])
def test_parse_date_still_refuses_what_has_no_clear_day(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_parse_date_serial_boundaries():
    # 1900 system: serial 1 would be 1900-01-01; 45658 is 2025-01-01
    assert parse_date(45658) == dt.date(2025, 1, 1)
    assert parse_date(20000) == dt.date(1954, 10, 3)
    with pytest.raises(ValueError):
        parse_date(19999)
    with pytest.raises(ValueError):
        parse_date(80001)


@pytest.mark.parametrize(
    "raw",
    ["abc", "2026-13-01", "2026-02-30", "2026年2月30日", "20260230", "2026/11-27", "27/11/2026", 12, True, "11月27日"],
)
def test_parse_date_rejects(raw):
    with pytest.raises(ValueError):
        parse_date(raw)


def test_parse_date_messages():
    with pytest.raises(ValueError) as e:
        parse_date(" 明天 ")
    assert str(e.value) == "无法识别的日期“明天”，请写成 2026-11-27 或 2026年11月27日"
    with pytest.raises(ValueError) as e:
        parse_date("2026-02-30")
    assert "2026-02-30" in str(e.value) and "不存在" in str(e.value)
    with pytest.raises(ValueError, match="不能为空"):
        parse_date("  ")


@given(st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_parse_date_all_spellings_roundtrip(d):
    serial = (d - dt.date(1899, 12, 30)).days
    for raw in [
        d.isoformat(),
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.year}/{d.month:02d}/{d.day:02d}",
        f"{d.year}.{d.month}.{d.day}",
        d.strftime("%Y%m%d"),
        serial,
        str(serial),
    ]:
        assert parse_date(raw) == d, raw


@pytest.mark.parametrize(
    "raw, expected",
    [
        (12, 12),
        (12.0, 12),
        ("12", 12),
        ("１２", 12),
        (" 12 ", 12),
        ("1,200", 1200),
        ("１，２００", 1200),
        ("1 200", 1200),
        ("-3", -3),
        ("12.0", 12),
    ],
)
def test_parse_int(raw, expected):
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", ["12人", "1,2", "12.5", 12.5, "", None, True, "abc", "1,2000"])
def test_parse_int_rejects(raw):
    with pytest.raises(ValueError):
        parse_int(raw)


def test_parse_int_messages_and_bounds():
    with pytest.raises(ValueError) as e:
        parse_int("12人")
    assert str(e.value) == "应为整数，实际为“12人”"
    assert parse_int("5", min=0, max=5) == 5
    with pytest.raises(ValueError, match="不能小于 0"):
        parse_int("-1", min=0)
    with pytest.raises(ValueError, match="不能大于 10"):
        parse_int(11, max=10)


@pytest.mark.parametrize(
    "raw, expected",
    [
        (12, Decimal(12)),
        (0.1, Decimal("0.1")),
        ("１２．５", Decimal("12.5")),
        ("1,234.50", Decimal("1234.50")),
        (".5", Decimal("0.5")),
        ("-2", Decimal(-2)),
    ],
)
def test_parse_decimal(raw, expected):
    assert parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["12元", "1.2.3", "nan", float("nan"), float("inf"), True, ""])
def test_parse_decimal_rejects(raw):
    with pytest.raises(ValueError, match=r"应为数字|不能为空"):
        parse_decimal(raw)


@pytest.mark.parametrize(
    "raw", ["是", "Y", "y", "yes", "YES", "true", "TRUE", "1", 1, 1.0, "√", "有", True, "　是 ", "Ｙ"]
)
def test_parse_bool_true(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "false", "0", 0, "×", "无", False])
def test_parse_bool_false(raw):
    assert parse_bool(raw) is False


def test_parse_bool_rejects():
    with pytest.raises(ValueError) as e:
        parse_bool("也许")
    assert str(e.value).startswith("应填“是”或“否”")
    with pytest.raises(ValueError):
        parse_bool(2)


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("甲；乙", ["甲", "乙"]),
        ("甲;乙", ["甲", "乙"]),
        ("甲、乙", ["甲", "乙"]),
        ("甲\n乙", ["甲", "乙"]),
        ("甲\r\n乙", ["甲", "乙"]),
        (" 甲 ；；\u3000乙 ;\n 丙、", ["甲", "乙", "丙"]),
        ("北京市，海淀区", ["北京市，海淀区"]),  # comma is not a separator
        ("甲,乙", ["甲,乙"]),
        (None, []),
        ("  ", []),
        (12.0, ["12"]),
    ],
)
def test_split_list(raw, expected):
    assert split_list(raw) == expected


def test_split_list_works_on_already_cleaned_text():
    assert split_list(clean_text(" 甲 \r\n 乙；丙 ")) == ["甲", "乙", "丙"]


def test_parse_choice():
    statuses = {"done": "已完成", "doing": "推进中"}
    assert parse_choice(" 已完成\u3000", statuses) == "done"
    assert parse_choice("doing", statuses) == "doing"
    assert parse_choice("Ａ类", ["A类", "B类"]) == "A类"
    assert parse_choice("a 类", ["A类", "B类"]) == "A类"
    with pytest.raises(ValueError) as e:
        parse_choice("没开始", statuses)
    assert str(e.value).startswith("应为以下之一：已完成、推进中")
    with pytest.raises(ValueError, match="应为以下之一：A类、B类"):
        parse_choice(None, ["A类", "B类"])


def test_row_errors_format_and_order():
    errors = RowErrors()
    assert not errors
    errors.add(5, "开始日期", "应为日期")
    errors.add(3, "单位代码", "不能为空")
    errors.add(5, "人数", "应为整数")
    assert errors
    assert len(errors) == 3
    assert errors.messages == [
        "第3行 单位代码: 不能为空",
        "第5行 开始日期: 应为日期",
        "第5行 人数: 应为整数",
    ]

    more = RowErrors()
    more.add(4, "人数", "x")
    errors.extend(more)
    errors.extend([(1, "a", "y")])
    assert errors.messages[:3] == ["第1行 a: y", "第3行 单位代码: 不能为空", "第4行 人数: x"]
    assert list(errors) == errors.messages


def test_row_errors_collects_parser_messages():
    errors = RowErrors()
    try:
        parse_int("十二")
    except ValueError as e:
        errors.add(7, "人数", e)
    assert errors.messages == ["第7行 人数: 应为整数，实际为“十二”"]

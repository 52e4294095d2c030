"""Spreadsheet cells typed the Vietnamese way: dates day first, amounts grouped with dots or blanks."""

import datetime

import pytest

from catalog.importing.text import parse_date, parse_int


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("15/07/2025", "2025-07-15"),
        ("01/07/2025", "2025-07-01"),  # 1 July, never 7 January
        ("1/7/2025", "2025-07-01"),
        ("15-07-2025", "2025-07-15"),
        ("15.07.2025", "2025-07-15"),
        ("2025-07-15", "2025-07-15"),
        (datetime.date(2025, 7, 15), "2025-07-15"),
        (datetime.datetime(2025, 7, 1, 0, 0), "2025-07-01"),
    ],
)
def test_dates_are_read_day_first(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["07/15/2025", "32/01/2025", "hôm qua"])
def test_impossible_dates_are_refused_in_vietnamese(cell):
    with pytest.raises(ValueError, match="không đúng dạng dd/mm/yyyy"):
        parse_date(cell)


@pytest.mark.parametrize(
    "cell", ["3.500.000", "3500000", "3 500 000", "3\u00a0500\u00a0000", 3500000]
)
def test_amounts_are_read_grouped_or_not(cell):
    assert parse_int(cell) == 3_500_000

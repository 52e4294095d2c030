"""The cell-cleaning rules: fast paths give exactly what the full rewrite gives."""

import random
import re
import unicodedata

import pytest

from catalog.importing.text import clean, one_line


def rewritten(text: str) -> str:
    """The rule in full, with no shortcut: NFC, CRLF as LF, per line spaces collapsed and trimmed."""
    text = unicodedata.normalize("NFC", text)
    lines = [
        re.sub(r"[ \t\u00a0]+", " ", line).strip()
        for line in text.replace("\r\n", "\n").split("\n")
    ]
    return "\n".join(lines).strip()


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Tờ khai đăng ký khai sinh", "Tờ khai đăng ký khai sinh"),
        ("  Tờ khai  ", "Tờ khai"),
        ("Tờ\u00a0khai", "Tờ khai"),
        ("Tờ\tkhai", "Tờ khai"),
        ("Bước 1 \nBước 2", "Bước 1\nBước 2"),
        ("Bước 1\r\n Bước 2", "Bước 1\nBước 2"),
        ("Đăng ky\u0301", "Đăng ký"),  # combining acute accent composed
        (None, ""),
        (12, "12"),
    ],
)
def test_a_cell_reads_as_a_person_would_type_it(cell, expected):
    assert clean(cell) == expected


def test_one_line_joins_the_lines_of_a_cell():
    assert one_line(" Giấy\n chứng\u00a0nhận\t quyền ") == "Giấy chứng nhận quyền"


def test_fast_paths_agree_with_the_full_rewrite_on_random_cells():
    pieces = [
        "a",
        "đ",
        "Ế",
        "e\u0301",
        " ",
        "  ",
        "\t",
        "\r",
        "\r\n",
        "\n",
        "\u00a0",
        "\u2003",
        "\x85",
        "x y",
    ]
    generator = random.Random(20261126)
    for _ in range(5000):
        text = "".join(
            generator.choice(pieces) for _ in range(generator.randint(0, 12))
        )
        long_text = text * generator.choice(
            [1, 40]
        )  # above and below the memoised length
        assert clean(long_text) == rewritten(long_text), repr(long_text)
        assert clean(long_text) == clean(long_text)
        assert one_line(long_text) == " ".join(rewritten(long_text).split()), repr(
            long_text
        )

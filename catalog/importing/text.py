"""Small text rules every reader shares: NFC, trimming, clipping to a column's length."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

# clip is imported from here by the readers
from catalog.text import clip, fold, vietnamese_slug  # noqa: F401

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_SPACES = re.compile(r"[ \t\u00a0]+")
# Cells a spreadsheet would run as a formula; exports prefix them with an apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _is_clean(text: str) -> bool:
    """Nothing clean() would change besides NFC: no tab, CR, no-break space or two spaces, no
    blank at either end of the text or of a line. Most cells pass, and the tests are cheaper
    than the rewrite."""
    if "\t" in text or "\r" in text or "\u00a0" in text or "  " in text:
        return False
    if text != text.strip():
        return False
    return "\n" not in text or all(line == line.strip() for line in text.split("\n"))


def clean(value: Any) -> str:
    """NFC, no surrounding blanks, runs of spaces collapsed; line breaks are kept."""
    if value is None:
        return ""
    text = str(value)
    # A catalog repeats its short cells (units, fee kinds, document names) thousands of times.
    return _clean_short(text) if len(text) <= 300 else _clean(text)


def _clean(text: str) -> str:
    if (text.isascii() or unicodedata.is_normalized("NFC", text)) and _is_clean(text):
        return text
    text = unicodedata.normalize("NFC", text)
    lines = [
        _SPACES.sub(" ", line).strip()
        for line in text.replace("\r\n", "\n").split("\n")
    ]
    return "\n".join(lines).strip()


_clean_short = functools.lru_cache(maxsize=65536)(_clean)


def one_line(value: Any) -> str:
    """NFC, every run of blanks and line breaks made one space."""
    if value is None:
        return ""
    text = str(value)
    if not text.isascii():  # ASCII is NFC already
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=65536)
def key(text: str) -> str:
    """Matching key for names: folded, punctuation-insensitive."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split())


def slug_code(prefix: str, name: str, *, limit: int = 64) -> str:
    slug = vietnamese_slug(name, max_length=limit - len(prefix) - 1)
    return f"{prefix}-{slug}" if prefix else slug


def escape_formula(value: Any) -> Any:
    """Neutralise CSV/formula injection: text starting with = + - @ tab or CR gets a leading '.

    Text that already looks escaped ('= ...) gets one more, so that reading it back keeps it whole.
    """
    if isinstance(value, str) and (
        value.startswith(FORMULA_PREFIXES) or _looks_escaped(value)
    ):
        return "'" + value
    return value


def _looks_escaped(text: str) -> bool:
    """' followed by a formula prefix, or by text that itself looks escaped."""
    while text[:1] == "'":
        text = text[1:]
        if text.startswith(FORMULA_PREFIXES):
            return True
    return False


def unescape_formula(value: Any) -> Any:
    if isinstance(value, str) and _looks_escaped(value):
        return value[1:]
    return value


def date_from_millis(value: Any) -> str | None:
    if not isinstance(value, (int, float)) or value <= 0:
        return None
    return datetime.datetime.fromtimestamp(value / 1000, tz=VIETNAM).date().isoformat()


def parse_date(value: Any) -> str | None:
    """ISO or dd/mm/yyyy text, or a spreadsheet date; None when empty. Raises ValueError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = clean(value)
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    raise ValueError(f"ngày “{text}” không đúng dạng dd/mm/yyyy")


def parse_int(value: Any) -> int | None:
    """Whole numbers; '8.000' and '8,000' read as 8000 (Vietnamese thousands). Raises ValueError."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("không phải số")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != int(value):
            raise ValueError(f"“{value}” không phải số nguyên")
        return int(value)
    text = clean(value).replace(" ", "")
    if not text:
        return None
    if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):
        text = text.replace(".", "").replace(",", "")
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"“{text}” không phải số nguyên")
    return int(text)


def parse_decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("không phải số")
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation as error:
        raise ValueError(f"“{value}” không phải số") from error
    if not number.is_finite():
        raise ValueError(f"“{value}” không phải số")
    return number


def parse_bool(value: Any, *, default: bool = True) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    folded = key(str(value))
    if folded in ("co", "x", "true", "1", "yes", "bat buoc"):
        return True
    if folded in ("khong", "false", "0", "no", "khong bat buoc"):
        return False
    raise ValueError(f"“{value}” phải là Có hoặc Không")

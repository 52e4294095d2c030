"""Vietnamese text helpers the domain needs (slugs); search/analysis.py builds on the same fold."""

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lowercase ASCII form: NFC first (some sources are not), drop tone marks, map đ to d."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def vietnamese_slug(text: str, max_length: int = 80) -> str:
    """Clean URLs that survive every client: "Đăng ký khai sinh" -> "dang-ky-khai-sinh"."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "trang"

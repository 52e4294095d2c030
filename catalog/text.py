"""Vietnamese text helpers the domain needs (slugs); search/analysis.py builds on the same fold."""

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# Wagtail's title holds 255 characters; official names run longer (the national portal has
# one of 1,192), so a procedure keeps its whole name beside the title (ProcedurePage.full_name).
TITLE_MAX = 255
NAME_MAX = 2000


def fold(text: str) -> str:
    """Lowercase ASCII form: NFC first (some sources are not), drop tone marks, map đ to d."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def clip(text: str, limit: int) -> str:
    """Cut to `limit` characters at a word boundary, ending with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;.-") + "…"


def vietnamese_slug(text: str, max_length: int = 80) -> str:
    """Clean URLs that survive every client: "Đăng ký khai sinh" -> "dang-ky-khai-sinh"."""
    slug = _NON_SLUG.sub("-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "trang"


def split_name(name: str) -> tuple[str, str]:
    """(title, full_name) of an official name: the title is the name clipped at a word when it
    is longer than TITLE_MAX, and full_name holds it whole then (empty otherwise)."""
    name = name or ""
    if len(name) <= TITLE_MAX:
        return name, ""
    return clip(name, TITLE_MAX), name


def official_name(title: str, full_name: str) -> str:
    """The whole name of a procedure stored as (title, full_name).

    full_name counts only while the title is its clipped form: a title given apart from it
    (Wagtail's "copy page" asks for a new title and copies the rest) is the name then.
    """
    if full_name and split_name(full_name)[0] == title:
        return full_name
    return title

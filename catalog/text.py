"""Vietnamese text helpers the domain needs (slugs); search/analysis.py builds on the same fold."""

import re
import unicodedata

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# A processing time written as a number alone, with no unit ("5", "12,5").
BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

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


# A fee description that says the charge is waived for everyone: "Miễn phí", "Miễn lệ phí.",
# "Không thu phí", "0 đồng". One that waives it only for some ("Miễn lệ phí cho người thuộc hộ
# nghèo", "... đối với ...") says that the others pay.
_FREE_OF_CHARGE = re.compile(
    r"^(?:dong )?"
    r"(?:mien(?: thu)?(?: le)? phi|khong (?:thu|mat|phai nop|co)(?: le)? phi|khong thu|0 dong)"
    r"(?! (?:cho|doi voi|voi|trong|khi|neu|tai|o)\b)"
)


def says_free_of_charge(description: str) -> bool:
    """Whether a fee's description states that it costs nothing (an empty one states nothing)."""
    words = " ".join(_NON_SLUG.sub(" ", fold(description)).split())
    return bool(_FREE_OF_CHARGE.match(words))


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

"""Vietnamese text helpers the domain needs (slugs, names); search/analysis.py builds on the same fold."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_NON_SLUG = re.compile(r"[^a-z0-9]+")
# A processing time written as a number alone, with no unit ("5", "12,5").
BARE_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")

# Wagtail's title holds 255 characters; official names run longer (the national portal has
# one of 1,192), so a procedure keeps its whole name beside the title (ProcedurePage.full_name).
TITLE_MAX = 255
NAME_MAX = 2000


# Bidirectional embeddings, overrides and isolates: in a name they make it display in another
# order than it is stored (and searched), so a title may look like one it is not.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _blank(ch: str) -> bool:
    """A space, or a character with no width of its own (zero-width space, joiners, BOM...)."""
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def strip_invisible(text: str) -> str:
    """`text` without spaces or invisible characters at either end ("\u200b" -> "")."""
    start, end = 0, len(text)
    while start < end and _blank(text[start]):
        start += 1
    while end > start and _blank(text[end - 1]):
        end -= 1
    return text[start:end]


def visible_name(typed: str | None) -> str:
    """A title or name as typed, without the spaces and invisible characters around it.

    Refused when nothing visible is left (a zero-width space pasted from a web page looked like
    a name to the required check, and the procedure had no name anywhere), or when it holds
    characters that make it display in another order than it is written.
    """
    text = typed or ""
    if BIDI_CONTROLS.search(text):
        raise ValidationError(
            _(
                "Tên có ký tự điều khiển hướng chữ (U+202A–U+202E, U+2066–U+2069) làm tên "
                "hiển thị khác với nội dung thật: hãy gõ lại tên, không dán kèm các ký tự này."
            ),
            code="bidi_control",
        )
    text = strip_invisible(text)
    if not text:
        raise ValidationError(
            _(
                "Trường này là bắt buộc. Tên chỉ có khoảng trắng hoặc ký tự không nhìn thấy "
                "(như khoảng trắng độ rộng 0): hãy nhập tên."
            ),
            code="invisible",
        )
    return text


def fold(text: str) -> str:
    """Lowercase ASCII form: NFC first (some sources are not), drop tone marks, map đ to d."""
    text = unicodedata.normalize("NFC", text).replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


# Vietnam's provinces and centrally-run cities since the 2025 merge, each with the provinces
# merged into it (their names still appear in older records), as decision authorities write them.
PROVINCES: dict[str, tuple[str, ...]] = {
    "Hà Nội": (),
    "Huế": ("Thừa Thiên Huế",),
    "Lai Châu": (),
    "Điện Biên": (),
    "Sơn La": (),
    "Lạng Sơn": (),
    "Quảng Ninh": (),
    "Thanh Hóa": (),
    "Nghệ An": (),
    "Hà Tĩnh": (),
    "Cao Bằng": (),
    "Tuyên Quang": ("Hà Giang",),
    "Lào Cai": ("Yên Bái",),
    "Thái Nguyên": ("Bắc Kạn",),
    "Phú Thọ": ("Vĩnh Phúc", "Hòa Bình"),
    "Bắc Ninh": ("Bắc Giang",),
    "Hưng Yên": ("Thái Bình",),
    "Hải Phòng": ("Hải Dương",),
    "Ninh Bình": ("Hà Nam", "Nam Định"),
    "Quảng Trị": ("Quảng Bình",),
    "Đà Nẵng": ("Quảng Nam",),
    "Quảng Ngãi": ("Kon Tum",),
    "Gia Lai": ("Bình Định",),
    "Khánh Hòa": ("Ninh Thuận",),
    "Lâm Đồng": ("Đắk Nông", "Bình Thuận"),
    "Đắk Lắk": ("Phú Yên",),
    "Hồ Chí Minh": (
        "Bình Dương",
        "Bà Rịa - Vũng Tàu",
        "Bà Rịa Vũng Tàu",
        "HCM",
        "TPHCM",
    ),
    "Đồng Nai": ("Bình Phước",),
    "Tây Ninh": ("Long An",),
    "Cần Thơ": ("Sóc Trăng", "Hậu Giang"),
    "Vĩnh Long": ("Bến Tre", "Trà Vinh"),
    "Đồng Tháp": ("Tiền Giang",),
    "Cà Mau": ("Bạc Liêu",),
    "An Giang": ("Kiên Giang",),
}


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9]+", " ", fold(text)).split()) + " "


# folded " name " -> the province it is part of today
_PROVINCE_OF = {
    _words(name): province
    for province, older in PROVINCES.items()
    for name in (province, *older)
}
_LONGEST_FIRST = sorted(
    _PROVINCE_OF, key=len, reverse=True
)  # "Thừa Thiên Huế" before "Huế"


def provinces_named(text: str) -> set[str]:
    """The provinces (as they are since 2025) a text names: "UBND tỉnh Bình Dương" -> Hồ Chí Minh."""
    words, found = _words(text), set()
    for name in _LONGEST_FIRST:
        if name in words:
            found.add(_PROVINCE_OF[name])
            words = words.replace(name, " ")
    return found


def another_provinces(decision_authority: str, province: str) -> bool:
    """Whether a decision authority belongs to a province other than `province` (today's).

    A SPECIFIC procedure applies where the authority that announced it governs: Lạng Sơn's
    *Chuyển mục đích sử dụng đất* is not this city's. Only a named province counts: a ministry,
    a ward or district ("UBND quận 1") or "UBND cấp tỉnh" names none, and a province merged into
    this one in 2025 (Bình Dương into Hồ Chí Minh) is this one.
    """
    own = provinces_named(province)
    named = provinces_named(decision_authority)
    return bool(named) and not (named & own)


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


# Dossier "cases" that are a section of one dossier, not situations to choose between: the
# national portal splits some dossiers into *Giấy tờ phải nộp:*, *Giấy tờ phải xuất trình:* and
# *Lưu ý:* (about 130 of its cases). A case picker over those hid the birth certificate when
# one chose "Lưu ý" (an independent check); such a procedure lists them all, with no picker.
_SECTION = re.compile(r"^\W*(giay to phai (nop|xuat trinh)|luu y)\W*$")


def cases_are_sections(names) -> bool:
    return any(_SECTION.match(fold(name or "").strip()) for name in names)


# The name an import gives a case the source left unnamed ("Trường hợp 4"): among sections it
# read as a fourth situation, though it held Đăng ký khai sinh's own declaration form.
_NUMBERED_CASE = re.compile(r"^truong hop \d+$")


def is_numbered_case(name: str) -> bool:
    return bool(_NUMBERED_CASE.match(fold(name or "").strip()))


# A summary that only says "none" ("Không", "Không quy định.", "Không có"): 93 national records
# carry one, and the page showed «Không quy định» as its lead paragraph (an independent check).
_NOTHING = re.compile(r"^(khong|khong co|khong quy dinh|khong co thong tin)\W*$")


def says_nothing(text: str) -> bool:
    return bool(_NOTHING.match(fold(text or "").strip()))

"""Page slugs made on the server with the project's Vietnamese folding.

The admin's client-side slug drops the letters its own table lacks ("Sở Văn hóa và Thể thao" ->
"s-van-hoa-va-th-thao"), and Django's server-side fallback drops "đ". When the slug a form sends is
such a lossy, automatic rendering of the title, the server puts the folded slug in its place
before the form validates, so uniqueness is still checked on the slug that is saved.
"""

import re
import unicodedata

from catalog.text import fold, vietnamese_slug

_ASCII_ALNUM = re.compile(r"[a-z0-9]")


def _lossy_pattern(title: str) -> re.Pattern:
    """What a slugifier that keeps ASCII and drops or folds other letters may make of the title."""
    parts = []
    for char in unicodedata.normalize("NFC", title).lower():
        if _ASCII_ALNUM.fullmatch(char):
            parts.append(char)
        elif char.isalnum():
            parts.append(f"(?:{re.escape(fold(char))})?")
        # separators and punctuation vanish; hyphens are compared removed
    return re.compile("".join(parts))


def is_automatic_slug(slug: str, title: str) -> bool:
    """True when the slug is empty or an automatic rendering of the title that lost letters."""
    if not slug:
        return True
    if not title.strip():
        return False
    bare = slug.lower().replace("-", "").replace("_", "")
    return bool(_lossy_pattern(title).fullmatch(bare))


def corrected_slug(slug: str, title: str) -> str | None:
    """The folded slug to use instead of the one sent, or None to keep what was sent."""
    if not title.strip() or not is_automatic_slug(slug, title):
        return None
    folded = vietnamese_slug(title)
    return None if folded == slug else folded


def correct_posted_slug(request, *, current_slug: str | None = None) -> None:
    """Rewrite the posted slug in place when it is the lossy automatic one."""
    if request.method != "POST" or not {"title", "slug"} <= request.POST.keys():
        return  # a post without the slug field is left to Wagtail's own validation
    slug = request.POST["slug"]
    if not slug:
        return  # the page model makes it from the title (VietnameseSlugMixin), suffixed if taken
    if current_slug is not None and slug == current_slug:
        return  # the slug was not touched in this edit: keep it, even if it was made badly before
    replacement = corrected_slug(slug, request.POST["title"])
    if replacement:
        post = request.POST.copy()
        post["slug"] = replacement
        request.POST = post

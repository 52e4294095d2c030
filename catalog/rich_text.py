"""The admin's rich-text editor, made to leave untouched text exactly as it was stored.

Kept out of catalog.forms: the editor's module needs the app registry, and the models import
catalog.forms while it is being filled.
"""

import re

from django.core import signing
from django.utils.html import format_html

from wagtail.admin.rich_text import DraftailRichTextArea

RICH_TEXT_SOURCE_SUFFIX = "-source"
RICH_TEXT_SOURCE_SALT = "catalog.forms.rich-text-source"
BLOCK_KEY_ATTRIBUTE = re.compile(r'\sdata-block-key="[^"]*"')
EMPTY_BLOCKS = re.compile(r"(?:<p>\s*</p>)*")


class SourceKeepingRichTextArea(DraftailRichTextArea):
    """Draftail that stores the text exactly as it was when the editor left it untouched.

    The editor works on its own block format; turning stored HTML into it and back is lossy
    (block keys appear, headings become paragraphs, an empty field becomes an empty paragraph),
    so every "Save" of untouched text rewrote it. The stored HTML travels with the form, signed
    so a client cannot slip raw HTML past the editor's features, and comes back unchanged when
    the submitted editor content still says the same thing. An editor emptied to blank
    paragraphs stores "" (so a required text stays required).
    Used for every rich-text field (settings.WAGTAILADMIN_RICH_TEXT_EDITORS).
    """

    def render(self, name, value, attrs=None, renderer=None):
        source = "" if value is None else str(value)
        return format_html(
            '{}<input type="hidden" name="{}" value="{}">',
            super().render(name, value, attrs, renderer),
            name + RICH_TEXT_SOURCE_SUFFIX,
            signing.dumps(source, salt=RICH_TEXT_SOURCE_SALT, compress=True),
        )

    def value_from_datadict(self, data, files, name):
        submitted = super().value_from_datadict(data, files, name)
        if submitted is None:
            return None
        source = self._signed_source(data.get(name + RICH_TEXT_SOURCE_SUFFIX))
        if source is not None and _same_text(submitted, self._round_trip(source)):
            return source
        if EMPTY_BLOCKS.fullmatch(BLOCK_KEY_ATTRIBUTE.sub("", submitted)):
            return ""
        return submitted

    def _round_trip(self, html: str) -> str:
        return self.converter.to_database_format(
            self.converter.from_database_format(html)
        )

    @staticmethod
    def _signed_source(value) -> str | None:
        if not value:
            return None
        try:
            return signing.loads(value, salt=RICH_TEXT_SOURCE_SALT)
        except signing.BadSignature:
            return None


def _same_text(first: str, second: str) -> bool:
    """Equal once the editor's random block keys are left out."""
    return BLOCK_KEY_ATTRIBUTE.sub("", first) == BLOCK_KEY_ATTRIBUTE.sub("", second)

"""Numbers typed into URLs and forms: ASCII digits only, bounded.

`str.isdigit()` is true for "²" and "٣", and `int()` reads "８", " 1", "1_0" and "١";
a check that lets them through either crashes later or misreads the value.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(value, *, minimum: int = 0, maximum: int = 999_999_999) -> int | None:
    """`value` as an int when it is 1-9 ASCII digits within the bounds, else None."""
    if not isinstance(value, str) or not _WHOLE_NUMBER.fullmatch(value):
        return None
    number = int(value)
    return number if minimum <= number <= maximum else None


def is_id(value) -> bool:
    """A primary key as it appears in a URL or form value (1 and up)."""
    return (
        whole_number(str(value) if isinstance(value, int) else value, minimum=1)
        is not None
    )


def has_unreadable_characters(text: str) -> bool:
    """Control characters (NUL, ...) other than blanks, or U+FFFD where bytes were not UTF-8."""
    return any(
        (unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\t\n\r")
        or ch == "\ufffd"
        for ch in text
    )


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that refuses anything but an id in ASCII digits before the database
    sees it (SQLite raises OverflowError for 20 digits, PostgreSQL a DataError)."""

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, models.Model):
            return super().to_python(value)
        if not is_id(value if isinstance(value, (str, int)) else ""):
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)

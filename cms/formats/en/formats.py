"""English admin, Vietnamese dates: the date pickers write dd/mm/yyyy in every language.

Django's ``en`` input formats read "01/07/2025" month first (7 January) and refuse "15/07/2025",
so the day-first formats replace the month-first ones here; everything else stays Django's.
"""

# The same day-first input formats as Vietnamese: one definition.
from cms.formats.vi.formats import DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS  # noqa: F401

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y P"

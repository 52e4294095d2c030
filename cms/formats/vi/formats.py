"""Vietnamese formats: dates written and read as dd/mm/yyyy, amounts grouped with dots.

Django's own ``vi`` locale defines no input formats, so a form fell back to month first and read
"01/07/2025" as 7 January. The first input format is the one Wagtail's date pickers write
(settings.WAGTAIL_DATE_FORMAT, WAGTAIL_DATETIME_FORMAT); ISO dates are read too (Django adds them).
"""

DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "d/m/Y H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # '15/07/2025', what the admin's date picker writes
    "%d-%m-%Y",  # '15-07-2025'
    "%d.%m.%Y",  # '15.07.2025'
]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",  # '15/07/2025 14:30', what the admin's date-time picker writes
    "%d/%m/%Y %H:%M:%S",  # '15/07/2025 14:30:59'
    "%d/%m/%Y",  # '15/07/2025'
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S"]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

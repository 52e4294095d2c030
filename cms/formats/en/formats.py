"""English admin, Vietnamese dates: the date pickers write dd/mm/yyyy in every language.

Django's ``en`` input formats read "01/07/2025" month first (7 January) and refuse "15/07/2025",
so the day-first formats replace the month-first ones here; everything else stays Django's.
"""

SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y P"

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

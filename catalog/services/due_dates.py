"""Expected result dates: processing times counted in working days, skipping weekends and holidays.

Rules (Decree 63/2010 and the Civil Code's counting of time):
- the day of submission is not counted; counting starts on the next day;
- ``working_day``: the N-th working day after submission (Saturdays, Sundays and every
  ``PublicHoliday`` row are skipped); a fraction of a day counts as a whole day;
- ``hour``: working hours, 8 to a working day, rounded up to whole working days;
- ``day`` and ``month``: calendar time; when the last day is not a working day the result
  moves to the next working day.
The page's JavaScript (templates/static/js/site.js, ``dueDate``) follows the same rules.
"""

import calendar
import datetime
import math
from collections.abc import Callable
from decimal import Decimal

from catalog.models import TimeUnit

WORKING_HOURS_PER_DAY = 8
# Submissions are accepted for dates in this range; anything else is a typing mistake or an attack.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2100, 12, 31)
MAX_DAYS = 3660  # no processing time in the catalog is anywhere near ten years


def is_working_day(day: datetime.date, holidays: set[datetime.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def next_working_day(day: datetime.date, holidays: set[datetime.date]) -> datetime.date:
    """`day` itself when it is a working day, otherwise the first working day after it."""
    while not is_working_day(day, holidays):
        day += datetime.timedelta(days=1)
    return day


def add_working_days(
    start: datetime.date, count: int, holidays: set[datetime.date]
) -> datetime.date:
    day = start
    remaining = count
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def add_months(start: datetime.date, months: int) -> datetime.date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return datetime.date(
        year, month, min(start.day, calendar.monthrange(year, month)[1])
    )


def counting_window(
    *, submitted_on: datetime.date, value: Decimal, unit: str
) -> datetime.date:
    """The last date whose holidays can matter, so the caller loads only those."""
    whole = math.ceil(value)
    days = {
        TimeUnit.WORKING_DAY: whole * 3 + 60,
        TimeUnit.HOUR: math.ceil(value / WORKING_HOURS_PER_DAY) * 3 + 60,
        TimeUnit.DAY: whole + 60,
        TimeUnit.MONTH: whole * 31 + 60,
    }.get(unit, 60)
    return submitted_on + datetime.timedelta(days=min(days, MAX_DAYS * 3))


def expected_result_date(
    *,
    submitted_on: datetime.date,
    value: Decimal | int | float | None,
    unit: str,
    holidays: set[datetime.date] | Callable[[datetime.date, datetime.date], set],
) -> datetime.date | None:
    """The date the result is due, or None when the time has no number or unit to count.

    ``holidays`` is a set of dates, or a function (start, end) -> set that loads them.
    """
    if value is None or unit not in TimeUnit.values:
        return None
    value = Decimal(str(value))
    if value < 0 or not (EARLIEST <= submitted_on <= LATEST):
        return None
    if callable(holidays):
        end = counting_window(submitted_on=submitted_on, value=value, unit=unit)
        holidays = holidays(submitted_on, end)
    if unit == TimeUnit.WORKING_DAY:
        days = math.ceil(value)
        if days > MAX_DAYS:
            return None
        return add_working_days(submitted_on, days, holidays)
    if unit == TimeUnit.HOUR:
        days = math.ceil(value / WORKING_HOURS_PER_DAY)
        if days > MAX_DAYS:
            return None
        return add_working_days(submitted_on, days, holidays)
    if unit == TimeUnit.DAY:
        days = math.ceil(value)
        if days > MAX_DAYS:
            return None
        return next_working_day(submitted_on + datetime.timedelta(days=days), holidays)
    months = math.ceil(value)
    if months > MAX_DAYS // 30:
        return None
    return next_working_day(add_months(submitted_on, months), holidays)

"""Working-day counting for the due-date helper, against a calendar checked by hand."""

import datetime

import pytest

from catalog.models import PublicHoliday
from catalog.selectors import public_holidays_between
from catalog.services.due_dates import expected_result_date

D = datetime.date
HOLIDAYS = {D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 1), D(2026, 9, 2)}


@pytest.mark.parametrize(
    ("submitted", "value", "unit", "expected"),
    [
        # Monday + 3 working days = Thursday
        (D(2026, 11, 23), 3, "working_day", D(2026, 11, 26)),
        # Thursday + 3 working days skips the weekend: Tuesday
        (D(2026, 11, 26), 3, "working_day", D(2026, 12, 1)),
        # Wed 29/4 + 2 working days skips 30/4, 1/5 (holidays) and the weekend: Tue 5/5
        (D(2026, 4, 29), 2, "working_day", D(2026, 5, 5)),
        # submitted on a Saturday: counting starts Monday
        (D(2026, 11, 28), 1, "working_day", D(2026, 11, 30)),
        # half a day still takes one working day
        (D(2026, 11, 23), "0.5", "working_day", D(2026, 11, 24)),
        # 12 working hours = 2 working days
        (D(2026, 11, 23), 12, "hour", D(2026, 11, 25)),
        # 10 calendar days ending on Sunday 6/12 move to Monday 7/12
        (D(2026, 11, 26), 10, "day", D(2026, 12, 7)),
        # 31/8 + 2 calendar days = 2/9 (holiday) -> Thursday 3/9
        (D(2026, 8, 31), 2, "day", D(2026, 9, 3)),
        # a month from 31 January ends on the last day of February (Saturday) -> Monday 2/3
        (D(2026, 1, 31), 1, "month", D(2026, 3, 2)),
    ],
)
def test_expected_result_date(submitted, value, unit, expected):
    assert (
        expected_result_date(
            submitted_on=submitted, value=value, unit=unit, holidays=HOLIDAYS
        )
        == expected
    )


def test_nothing_to_count_gives_no_date():
    for value, unit in [(None, "working_day"), (3, ""), (3, "bogus"), (-1, "day")]:
        assert (
            expected_result_date(
                submitted_on=D(2026, 1, 5), value=value, unit=unit, holidays=set()
            )
            is None
        )


def test_absurd_dates_and_lengths_are_refused():
    assert (
        expected_result_date(
            submitted_on=D(1900, 1, 1), value=1, unit="day", holidays=set()
        )
        is None
    )
    assert (
        expected_result_date(
            submitted_on=D(2026, 1, 5), value=10**9, unit="working_day", holidays=set()
        )
        is None
    )


def _with_listed_holidays(submitted: datetime.date, working_days: int):
    """The due date counted over the holidays the database lists, as the page counts it."""
    return expected_result_date(
        submitted_on=submitted,
        value=working_days,
        unit="working_day",
        holidays=lambda start, end: public_holidays_between(start=start, end=end),
    )


@pytest.mark.django_db
def test_holidays_come_from_the_admin_list():
    PublicHoliday.objects.create(date=D(2026, 11, 24), name="Ngày nghỉ bù")
    result = _with_listed_holidays(D(2026, 11, 23), 1)
    assert result == D(2026, 11, 25)


@pytest.mark.django_db
def test_a_catalog_without_the_demo_data_knows_the_official_holidays():
    """Found by an independent check on a catalog imported from the national files: holidays
    came only with the demo data, so 5 working days from 24/4/2026 ended on 1/5 (Labour Day).
    The migrations add the official holidays of 2025-2027."""
    result = _with_listed_holidays(D(2026, 4, 24), 5)
    # Fri 24/4: Mon 27/4 is off (Giỗ Tổ moved from Sunday), Tue 28 and Wed 29 count, 30/4 and
    # 1/5 are off, then the weekend, then Mon 4, Tue 5 and Wed 6/5
    assert result == D(2026, 5, 6)
    tet = public_holidays_between(start=D(2027, 2, 1), end=D(2027, 2, 28))
    assert len(tet) >= 5


@pytest.mark.django_db
def test_the_page_says_how_far_its_holidays_go(client):
    """Found by an independent check: a date in 2028 counted no holiday while the note said
    holidays are never counted; the note now says up to which day the list goes."""
    from tests.factories import make_department, make_procedure
    from tests.site.helpers import soup, text

    department = make_department(code="STP", title="Sở Tư pháp")
    procedure = make_procedure(
        department=department, national_code="9.990035", title="Thủ tục thử nghiệm"
    )
    note = text(soup(client.get(procedure.url)).find(id="han-tra-ket-qua"))
    assert "Lịch nghỉ lễ hiện có đến ngày 03/09/2027" in note
    # added as the administrator does: the page follows without a deploy
    PublicHoliday.objects.create(date=D(2028, 1, 1), name="Tết Dương lịch")
    note = text(soup(client.get(procedure.url)).find(id="han-tra-ket-qua"))
    assert "Lịch nghỉ lễ hiện có đến ngày 01/01/2028" in note

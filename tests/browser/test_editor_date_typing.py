"""A date typed in the editor is kept as typed, or read as meant; never replaced by another.

An editor types the effective date in «Ngày hiệu lực» and presses Tab. Wagtail's date picker
used to replace what it could not read without a word: «31/02/2026» became 03/03/2026 (rolled
over into March), «32/01/2026», «2026-04-03» (ISO, as copied from the API) or «04/13/2026» (month
first) became today's date, and «Lưu nháp» stored it. Now the text stays, the save is refused
with a message naming the field, and the ISO form is written and stored as the date meant.
"""

import datetime
import re

from django.contrib.auth import get_user_model

import pytest

from catalog.models import ProcedurePage
from catalog.services.roles import grant_role
from tests.browser.conftest import screenshot
from tests.factories import make_department, make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu"  # noqa: S105
SAVE_DRAFT = re.compile(r"^(Lưu nháp|Lưu bản nháp|Save draft)")
ORIGINAL = datetime.date(2025, 7, 15)


@pytest.fixture
def world(live_server):
    department = make_department(code="STP", title="Sở Tư pháp")
    procedure = make_procedure(
        department=department,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        effective_date=ORIGINAL,
    )
    root = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", PASSWORD
    )
    editor = get_user_model().objects.create_user(
        "editor", "editor@example.invalid", PASSWORD
    )
    grant_role(actor=root, user=editor, department=department, role="editor")
    return {"url": live_server.url, "procedure": procedure}


@pytest.fixture
def page(page):
    yield page
    # leave the editor (autosave, editing session) before the database is flushed
    page.goto("about:blank")
    page.wait_for_timeout(500)


@pytest.mark.parametrize(
    ("typed", "meant", "shown_after_tab"),
    [
        ("31/02/2026", None, "31/02/2026"),
        ("32/01/2026", None, "32/01/2026"),
        ("04/13/2026", None, "04/13/2026"),
        ("2026-04-03", datetime.date(2026, 4, 3), "03/04/2026"),
    ],
    ids=["31-february", "day-32", "month-first", "iso"],
)
def test_a_typed_effective_date_is_kept_or_refused_never_replaced(
    world, page, typed, meant, shown_after_tab
):
    page.goto(world["url"] + "/admin/login/")
    page.locator("#id_username").fill("editor")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"{world['url']}/admin/pages/{world['procedure'].pk}/edit/")
    field = page.get_by_label("Ngày hiệu lực")
    field.click()
    field.press("Control+a")
    field.press("Delete")
    page.keyboard.type(typed)
    field.press("Tab")
    shown = field.input_value()
    assert shown == shown_after_tab

    page.wait_for_timeout(800)
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.get_by_role("button", name=SAVE_DRAFT).first.click()
    page.wait_for_load_state("networkidle")
    screenshot(page, f"editor-date-typed-{typed.replace('/', '-')}")

    stored = (
        ProcedurePage.objects.get(pk=world["procedure"].pk)
        .get_latest_revision()
        .content["effective_date"]
    )
    allowed = {ORIGINAL.isoformat()} | ({meant.isoformat()} if meant else set())
    assert stored in allowed, (
        f"typed «{typed}» in «Ngày hiệu lực», the field then showed «{shown}» and "
        f"«Lưu nháp» stored {stored} (kept: {ORIGINAL}, meant: {meant})"
    )
    if meant is None:
        # refused: the field still holds what was typed, and says why in the field's name
        assert page.get_by_label("Ngày hiệu lực").input_value() == typed
        error = f"Ngày hiệu lực: “{typed}” không phải là một ngày có thật"
        assert page.get_by_text(error).first.is_visible()
    else:
        assert stored == meant.isoformat()

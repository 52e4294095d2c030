"""Dates and fees survive the admin in a real browser (Chromium via Playwright).

An editor opens a procedure in effect from 15/07/2025 with a fee of 3.500.000 đồng and presses
"Lưu nháp" without touching anything: nothing stored changes (before the fix, 01/07/2025 was
stored as 7 January and 15/07/2025 could not be saved at all). The editor then types a fee
"3.500.000" and a date "15/07/2025" into other fields and saves; a moderator publishes; the
public page and the API show 2025-07-15 and 3500000.
"""

import datetime
import json
import re
import urllib.request

from django.contrib.auth import get_user_model

import pytest

from catalog.models import ProcedurePage
from catalog.services.roles import grant_role
from tests.browser.conftest import DESKTOP, _context, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "mat-khau-thu-nghiem"
SAVE_DRAFT = re.compile(r"^(Lưu nháp|Lưu bản nháp|Save draft)")
PUBLISH = re.compile(r"^(Xuất bản|Publish)$")
MORE_ACTIONS = re.compile(r"^(Thao tác khác|Thêm thao tác|More actions)")
CHANGE_NOTE = "Giá dịch vụ trực tuyến 3.500.000 đồng; quyết định ngày 15/07/2025"


def stored(page: ProcedurePage) -> dict:
    """Dates and fee amounts of the procedure's latest revision (what a save wrote)."""
    content = ProcedurePage.objects.get(pk=page.pk).get_latest_revision().content
    return {
        "decision_date": content["decision_date"],
        "effective_date": content["effective_date"],
        "fees": [
            [fee["amount"] for fee in method["fees"]]
            for method in content["execution_methods"]
        ],
        "currencies": [
            [fee["currency"] for fee in method["fees"]]
            for method in content["execution_methods"]
        ],
        # multi-line texts: a browser posts their line breaks as \r\n
        "summary": content["summary"],
        "descriptions": [m["description"] for m in content["execution_methods"]],
    }


@pytest.fixture
def procedure(site):
    """Đăng ký kết hôn, in effect from 15/07/2025, decided 01/07/2025, a fee of 3.500.000."""
    page = ProcedurePage.objects.get(pk=site["marriage"].pk)
    page.decision_number = "1872/QĐ-BTP"
    page.decision_date = datetime.date(2025, 7, 1)
    page.effective_date = datetime.date(2025, 7, 15)
    methods = list(page.execution_methods.all())
    fees = list(methods[0].fees.all())
    fees[0].amount = 3_500_000
    methods[0].fees = fees
    methods[0].description = "Nộp tại Sở Tư pháp.\nNhận kết quả tại nơi nộp."
    page.summary = "Đăng ký kết hôn giữa công dân Việt Nam.\nHai bên cùng có mặt."
    page.execution_methods = methods
    page.change_note = "Công bố lần đầu"
    page.save_revision().publish()
    return ProcedurePage.objects.get(pk=page.pk)


@pytest.fixture
def people(site):
    users = get_user_model()
    root = users.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    names = {}
    for role in ("editor", "moderator"):
        user = users.objects.create_user(
            f"stp-{role}", f"stp-{role}@example.invalid", PASSWORD
        )
        grant_role(actor=root, user=user, department=site["justice"], role=role)
        names[role] = user.username
    return names


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_url(re.compile(r"/admin/$"))


def settle(page) -> None:
    """Let Wagtail's autosave (500 ms after the last keystroke) finish before a button saves."""
    page.wait_for_timeout(800)
    page.wait_for_load_state("networkidle")


def press_footer(page, name: re.Pattern) -> None:
    """A button of the edit page's action menu, opening the menu when it is folded away."""
    button = page.get_by_role("button", name=name)
    if not button.first.is_visible():
        page.get_by_role("button", name=MORE_ACTIONS).first.click()
    with page.expect_navigation():
        button.first.click()


def saved_message(page) -> str:
    return page.locator(".messages").inner_text().strip()


def test_dates_and_fees_survive_save_and_reach_the_public_page_and_api(
    site, browser, console, procedure, people
):
    base = site["url"]
    edit = f"{base}/admin/pages/{procedure.pk}/edit/"
    before = stored(procedure)
    assert before == {
        "decision_date": "2025-07-01",
        "effective_date": "2025-07-15",
        "fees": [[3_500_000, 0], [4000]],
        "currencies": [["VND", "VND"], ["VND"]],
        "summary": "Đăng ký kết hôn giữa công dân Việt Nam.\nHai bên cùng có mặt.",
        "descriptions": ["Nộp tại Sở Tư pháp.\nNhận kết quả tại nơi nộp.", ""],
    }

    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    log_in(page, base, people["editor"])
    page.goto(edit)
    effective = page.locator("#id_effective_date")
    decision = page.locator("#id_decision_date")
    first_fee = page.locator('[name="execution_methods-0-fees-0-amount"]')
    online_fee = page.locator('[name="execution_methods-1-fees-0-amount"]')
    assert effective.input_value() == "15/07/2025"
    assert decision.input_value() == "01/07/2025"
    assert first_fee.input_value() == "3.500.000"
    assert online_fee.input_value() == "4.000"

    # Save draft without touching anything: every stored value stays.
    revisions = procedure.revisions.count()
    settle(page)
    press_footer(page, SAVE_DRAFT)
    assert "/edit/" in page.url, saved_message(page)
    assert procedure.revisions.count() == revisions + 1, saved_message(page)
    assert stored(procedure) == before
    assert page.locator("#id_effective_date").input_value() == "15/07/2025"
    assert page.locator("#id_decision_date").input_value() == "01/07/2025"
    # ... and the department's page list does not call it a procedure with a draft
    page.goto(f"{base}/admin/pages/{procedure.get_parent().pk}/")
    row = page.locator("tr", has_text=procedure.title).first.inner_text()
    assert "nháp" not in row.lower(), row
    page.goto(edit)

    # Type the Vietnamese way into other fields, then save.
    page.get_by_role("tab", name="Thông tin chung").click()
    decision = page.locator("#id_decision_date")
    decision.click()
    decision.press("Control+a")
    decision.press_sequentially("15/07/2025", delay=20)
    decision.press("Escape")
    page.get_by_role("tab", name="Phí và thời hạn").click()
    online_fee = page.locator('[name="execution_methods-1-fees-0-amount"]')
    online_fee.click()
    online_fee.press("Control+a")
    online_fee.press_sequentially("3.500.000", delay=20)
    assert online_fee.input_value() == "3.500.000"
    settle(page)
    press_footer(page, SAVE_DRAFT)
    assert stored(procedure) == {
        **before,
        "decision_date": "2025-07-15",
        "fees": [[3_500_000, 0], [3_500_000]],
    }, saved_message(page)
    assert page.locator('[name="execution_methods-1-fees-0-amount"]').input_value() == (
        "3.500.000"
    )
    context.close()

    # A moderator of the department publishes it with a change note.
    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    log_in(page, base, people["moderator"])
    page.goto(edit)
    page.get_by_role("tab", name="Xuất bản").click()
    note = page.locator("#id_change_note")
    assert note.input_value() == ""
    note.fill(CHANGE_NOTE)
    settle(page)
    press_footer(page, PUBLISH)
    live = ProcedurePage.objects.get(pk=procedure.pk)
    if live.decision_date != datetime.date(2025, 7, 15):
        screenshot(page, "editor-dates-fees-publish-failed")
    assert live.live and live.decision_date == datetime.date(2025, 7, 15), (
        saved_message(page)
    )

    page.goto(base + live.url)
    text = page.locator("main").inner_text()
    assert "(15/07/2025)" in text and "hiệu lực từ 15/07/2025" in text
    fees = page.locator('td[data-label="Phí, lệ phí"]').all_inner_texts()
    assert ["3.500.000 đồng" in cell for cell in fees] == [True, True], fees
    assert CHANGE_NOTE in text
    context.close()

    with urllib.request.urlopen(f"{base}/api/v1/procedures/1.000894/") as response:
        body = json.load(response)
    assert body["decision_date"] == "2025-07-15"
    assert body["effective_date"] == "2025-07-15"
    assert [fee["amount"] for fee in body["execution_methods"][1]["fees"]] == [3500000]
    assert [fee["amount"] for fee in body["execution_methods"][0]["fees"]] == [
        3500000,
        0,
    ]
    assert body["change_history"][0]["change_note"] == CHANGE_NOTE


def test_dong_typed_beside_another_currency_is_asked_about_not_saved(
    site, browser, console, procedure, people
):
    """An editor picks USD and types "50 đồng": the form says the two disagree and saves
    nothing (it used to save 50 USD without a word)."""
    before = stored(procedure)
    revisions = procedure.revisions.count()
    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    log_in(page, site["url"], people["editor"])
    page.goto(f"{site['url']}/admin/pages/{procedure.pk}/edit/")
    page.get_by_role("tab", name="Phí và thời hạn").click()
    page.locator('[name="execution_methods-1-fees-0-currency"]').select_option("USD")
    amount = page.locator('[name="execution_methods-1-fees-0-amount"]')
    amount.click()
    amount.press("Control+a")
    amount.press_sequentially("50 đồng", delay=20)
    settle(page)
    press_footer(page, SAVE_DRAFT)
    assert procedure.revisions.count() == revisions, saved_message(page)
    assert stored(procedure) == before
    page.get_by_role("tab", name="Phí và thời hạn").click()
    assert "nhưng đơn vị tiền tệ bên cạnh là USD" in page.locator("main").inner_text()
    # what the editor typed and chose is still there to correct
    assert page.locator('[name="execution_methods-1-fees-0-amount"]').input_value() == (
        "50 đồng"
    )
    currency = page.locator('[name="execution_methods-1-fees-0-currency"]')
    assert currency.input_value() == "USD"
    context.close()

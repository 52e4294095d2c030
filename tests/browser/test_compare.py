"""A moderator compares a draft with the live procedure in Chromium and sees exactly what changed.

The editor works in the real edit form (typing, clicking "Thêm Giấy tờ", saving a draft); the
moderator then opens Wagtail's compare view. The fee inside an execution method and the
document added twice to a dossier case must both show, and nothing the editor left alone.
"""

import re

from django.contrib.auth import get_user_model
from django.urls import reverse

import pytest

from catalog.services.roles import grant_role
from tests.browser.conftest import _context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "mat-khau-thu-nghiem"
VIEWPORT = {"width": 1280, "height": 900}


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
    page.get_by_label(re.compile("Tên đăng nhập|Username")).fill(username)
    page.get_by_label(re.compile("Mật khẩu|Password")).fill(PASSWORD)
    page.get_by_role("button", name=re.compile("Đăng nhập|Sign in")).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def named_region(page, name: str):
    region = page.get_by_role("region", name=name, exact=True)
    assert region.count() >= 1, f"no section «{name}» on the edit page"
    return region.first


def edit_fee_and_duplicate_document(page, base: str, procedure) -> None:
    revisions = procedure.revisions.count()
    page.goto(base + reverse("wagtailadmin_pages:edit", args=(procedure.pk,)))

    page.get_by_role("tab", name="Phí và thời hạn").click()
    postal = named_region(page, "Cách thức thực hiện 3")
    assert "Dịch vụ bưu chính" in postal.get_by_label("Hình thức nộp").evaluate(
        "select => select.selectedOptions[0].text"
    )
    fee = postal.get_by_label("Mức thu", exact=True)
    fee.click()
    fee.press("Control+a")
    fee.press_sequentially("30.000", delay=20)
    fee.press("Tab")

    page.get_by_role("tab", name="Hồ sơ và biểu mẫu").click()
    case = named_region(page, "Trường hợp hồ sơ 1")
    documents = case.get_by_role("region", name=re.compile(r"^Giấy tờ \d+$"))
    assert documents.count() == 2
    case.get_by_role("button", name="Thêm Giấy tờ").click()
    added = documents.nth(2)
    added.wait_for()
    # the same document again, as an editor slip would make it
    name = added.get_by_label("Tên giấy tờ")
    name.fill("Giấy chứng sinh")
    name.press("Tab")

    page.get_by_role("button", name=re.compile("^(Lưu nháp|Save draft)")).click()
    page.locator(".messages").wait_for()
    assert procedure.revisions.count() == revisions + 1, page.locator(
        ".messages"
    ).inner_text()


def test_moderator_sees_exactly_the_changed_fee_and_the_duplicated_document(
    site, people, browser, console, settings
):
    # No autosave here: the live server's in-memory SQLite takes one writer at a time, and
    # the draft this test compares is the one its "Save draft" click writes.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    base, procedure = site["url"], site["birth"]

    editor = _context(browser, VIEWPORT, console)
    page = editor.new_page()
    log_in(page, base, people["editor"])
    edit_fee_and_duplicate_document(page, base, procedure)
    editor.close()

    moderator = _context(browser, VIEWPORT, console)
    page = moderator.new_page()
    log_in(page, base, people["moderator"])
    page.goto(
        base
        + reverse(
            "wagtailadmin_pages:revisions_compare",
            args=(procedure.pk, "live", "latest"),
        )
    )
    table = page.locator("main table.listing")
    table.wait_for()
    screenshot(page, "so-sanh-phi-va-giay-to")

    rows = table.locator("tbody tr")
    labels = [
        text.strip().rstrip(":") for text in rows.locator("td.title").all_inner_texts()
    ]
    assert labels == ["Thành phần hồ sơ", "Cách thức, thời hạn, phí"]

    documents = " ".join(rows.nth(0).locator("td.comparison").inner_text().split())
    # (positions are the draft's: the test catalog's parts have no sort order of their own)
    assert re.match(
        r"Đã sửa: Trường hợp hồ sơ \d – Trẻ em sinh ra tại cơ sở y tế Giấy tờ "
        r"Thêm mới: Giấy tờ phải nộp \d – Giấy chứng sinh "
        r"Tên giấy tờ Giấy chứng sinh Số bản chính 1 Số bản sao 0 Bắt buộc Có$",
        documents,
    ), documents
    # the two documents already there, and the other case, are not listed
    assert "Tờ khai đăng ký khai sinh" not in documents
    assert "Trẻ em bị bỏ rơi" not in documents
    added = rows.nth(0).locator(".comparison__child-object.addition")
    assert added.count() == 1
    assert added.is_visible()
    assert "Giấy chứng sinh" in added.inner_text()

    fees = " ".join(rows.nth(1).locator("td.comparison").inner_text().split())
    assert re.match(
        r"Đã sửa: Cách thức thực hiện \d – Dịch vụ bưu chính – 10 ngày Phí, lệ phí "
        r"Đã sửa: Phí, lệ phí 1 – Giá dịch vụ · 30.000 đồng Mức thu 25.000 đồng → 30.000 đồng$",
        fees,
    ), fees
    assert rows.nth(1).locator("del").inner_text() == "25.000 đồng"
    assert rows.nth(1).locator("ins").inner_text() == "30.000 đồng"

    # the steps the editor did not touch are nowhere on the screen
    main = page.locator("main").inner_text()
    for step in ("Các bước", "Nộp hồ sơ tại bộ phận một cửa", "Nhận kết quả"):
        assert step not in main
    moderator.close()
    assert console.errors == []

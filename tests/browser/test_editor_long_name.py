"""An editor types an official name of 300+ characters into the admin's name box (a textarea, in
Chromium) and publishes: the public page shows it whole, the admin keeps a clipped title, and
the edit page opens with the whole name again."""

import re

from django.contrib.auth import get_user_model

import pytest

from catalog.models import ProcedurePage
from tests.browser.conftest import DESKTOP, _context, screenshot
from tests.browser.test_editor_dates_fees import (
    PASSWORD,
    PUBLISH,
    log_in,
    press_footer,
    saved_message,
    settle,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

LONG = (
    "Đăng ký kết hôn có yếu tố nước ngoài giữa công dân Việt Nam với người nước ngoài, "
    "giữa công dân Việt Nam với nhau mà ít nhất một bên định cư ở nước ngoài, giữa những "
    "người nước ngoài với nhau thường trú tại Việt Nam, kèm ghi chú ly hôn đã được giải "
    "quyết ở nước ngoài, tại Ủy ban nhân dân xã đảo Thạnh An"
)


def test_a_long_name_typed_in_the_admin_is_published_whole(site, browser, console):
    assert len(LONG) > 300
    get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)
    procedure = site["marriage"]
    base = site["url"]
    edit = f"{base}/admin/pages/{procedure.pk}/edit/"
    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    log_in(page, base, "root")
    page.goto(edit)
    name = page.locator("#id_title")
    assert name.evaluate("el => el.tagName") == "TEXTAREA"
    assert name.get_attribute("maxlength") is None
    name.click()
    name.press("Control+a")
    name.press_sequentially(LONG, delay=0)
    page.get_by_role("tab", name="Xuất bản").click()
    page.locator("#id_change_note").fill("Tên đầy đủ theo quyết định công bố")
    settle(page)
    press_footer(page, PUBLISH)
    live = ProcedurePage.objects.get(pk=procedure.pk)
    if live.full_name != LONG:
        screenshot(page, "editor-long-name-failed")
    assert live.full_name == LONG, saved_message(page)
    assert len(live.title) <= 255 and live.title.endswith("…")

    page.goto(base + live.url)
    assert page.locator("h1").inner_text().strip() == LONG
    assert page.title().startswith(LONG[:159] + "…")  # the tab shows the name's start

    page.goto(edit)
    assert page.locator("#id_title").input_value() == LONG
    assert re.search(r"…", page.locator("h1").first.inner_text())  # the clipped title
    context.close()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda box: box.press("Control+End") or box.type(" (bản sao)"),
            LONG + " (bản sao)",
        ),
        # an edit at the start keeps the rest of the name (it was cut at 255 characters)
        (
            lambda box: box.press("Control+Home") or box.type("Bản sao: "),
            "Bản sao: " + LONG,
        ),
    ],
)
def test_a_copy_of_a_long_named_procedure_keeps_its_whole_new_name(
    site, browser, console, change, expected
):
    get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)
    procedure = site["marriage"]
    procedure.set_name(LONG)  # as the edit form saves it
    procedure.save_revision().publish()
    base = site["url"]
    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    log_in(page, base, "root")
    page.goto(f"{base}/admin/pages/{procedure.pk}/copy/")
    box = page.locator("#id_new_title")
    assert box.input_value() == LONG  # the whole name, not the clipped title
    change(box)
    page.locator("#id_new_slug").fill("ban-sao-ket-hon")
    page.locator("#id_new_national_code").fill("9.000777")
    page.get_by_role("button", name=re.compile("Sao chép")).last.click()
    page.wait_for_load_state()
    assert "Server Error" not in page.content()
    copy = ProcedurePage.objects.get(slug="ban-sao-ket-hon")
    assert copy.official_name == expected
    assert len(copy.title) <= 255
    page.goto(f"{base}/admin/pages/{copy.pk}/edit/")
    assert page.locator("#id_title").input_value() == expected
    context.close()


def _whole_name_shows(box) -> bool:
    """The box is as tall as its text: nothing hidden below a scroll."""
    return box.evaluate("el => el.scrollHeight <= el.clientHeight + 1")


def test_the_name_box_grows_to_show_a_name_of_1000_characters(site, browser, console):
    name = " ".join([LONG] * 4)[:1000].rsplit(" ", 1)[0]
    assert 950 < len(name) <= 1000
    get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)
    procedure = site["marriage"]
    procedure.set_name(name)
    procedure.save_revision().publish()
    base = site["url"]
    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    log_in(page, base, "root")

    page.goto(f"{base}/admin/pages/{procedure.pk}/edit/")
    box = page.locator("#id_title")
    assert box.input_value() == name
    assert box.evaluate("el => getComputedStyle(el).overflowY") != "scroll"
    page.wait_for_function(
        "() => { const el = document.getElementById('id_title');"
        " return el.scrollHeight <= el.clientHeight + 1; }"
    )
    tall = box.bounding_box()["height"]
    assert tall > 150  # many lines, not the two rows it starts with
    # more words typed at the end: the box grows with them
    box.press("Control+End")
    box.press_sequentially(" " + "thêm chữ cho dài " * 12, delay=0)
    assert _whole_name_shows(box)
    assert box.bounding_box()["height"] > tall
    # the slug box still follows the name box (Wagtail's w-sync is kept beside w-autosize)
    assert "w-sync" in box.get_attribute("data-controller")

    page.goto(f"{base}/admin/pages/{procedure.pk}/copy/")
    copy_box = page.locator("#id_new_title")
    assert copy_box.input_value() == name
    page.wait_for_function(
        "() => { const el = document.getElementById('id_new_title');"
        " return el.scrollHeight <= el.clientHeight + 1; }"
    )
    assert copy_box.bounding_box()["height"] > 150
    context.close()


def _copy_screen(page, base, procedure, *, slug, national="", local=""):
    page.goto(f"{base}/admin/pages/{procedure.pk}/copy/")
    page.locator("#id_new_slug").fill(slug)
    page.locator("#id_new_national_code").fill(national)
    page.locator("#id_new_local_code").fill(local)
    page.get_by_role("button", name=re.compile("Sao chép")).last.click()
    page.wait_for_load_state()


def _error_under(page, box_id) -> str:
    field = page.locator(f"#{box_id}").locator(
        "xpath=ancestor::*[contains(@class, 'w-field__wrapper')][1]"
    )
    return field.locator(".error-message").inner_text().strip()


def test_a_copy_gets_its_own_code_on_the_copy_screen(site, browser, console):
    """Export then import keys procedures by code: a copy keeping the original's code made
    the next import refuse the file. The copy screen asks for the copy's own code."""
    get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)
    original = site["marriage"]
    base = site["url"]
    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    log_in(page, base, "root")
    before = ProcedurePage.objects.count()

    page.goto(f"{base}/admin/pages/{original.pk}/copy/")
    assert (
        page.locator("#id_new_national_code").input_value() == ""
    )  # not the original's
    assert original.national_code in page.get_by_text("cần mã riêng").inner_text()
    # a free address beside the original's, so «Sao chép» does not first fail on it
    assert page.locator("#id_new_slug").input_value() == f"{original.slug}-ban-sao"
    # no way to publish the copy from here: it is published through its edit form
    assert page.locator("#id_publish_copies").count() == 0
    assert page.locator("#id_alias").count() == 0

    # the original's code, typed back: refused, in Vietnamese, nothing copied
    _copy_screen(
        page, base, original, slug="ban-sao-1", national=original.national_code
    )
    assert _error_under(page, "id_new_national_code").startswith(
        f"Mã {original.national_code} đã là mã của thủ tục “Đăng ký kết hôn”: "
        "bản sao cần mã riêng."
    )
    # the same national code with a city code of its own: copied, since it goes by that city
    # code (the API's `code`, the key the import matches on), as the import keeps two national
    # rows whose codes differ only by a blank
    page.locator("#id_new_local_code").fill("HCM.STP.99")
    page.get_by_role("button", name=re.compile("Sao chép")).last.click()
    page.wait_for_load_state()
    by_city_code = ProcedurePage.objects.get(local_code="HCM.STP.99")
    assert (by_city_code.national_code, by_city_code.live) == (
        original.national_code,
        False,
    )
    before += 1
    # another procedure's city code: refused too
    ProcedurePage.objects.filter(pk=site["birth"].pk).update(local_code="HCM.PBT.01")
    _copy_screen(
        page, base, original, slug="ban-sao-2", national="9.000002", local="HCM.PBT.01"
    )
    assert "HCM.PBT.01" in _error_under(page, "id_new_local_code")
    assert ProcedurePage.objects.count() == before

    # a code of its own: copied, as a draft holding that code and no other
    _copy_screen(page, base, original, slug="ban-sao-3", national="9.000003")
    assert "Server Error" not in page.content()
    copy = ProcedurePage.objects.get(slug="ban-sao-3")
    assert (copy.national_code, copy.local_code, copy.live) == ("9.000003", "", False)
    latest = copy.get_latest_revision().content
    assert (latest["national_code"], latest["local_code"]) == ("9.000003", "")
    page.goto(f"{base}/admin/pages/{copy.pk}/edit/")
    assert page.locator("#id_national_code").input_value() == "9.000003"

    # the catalog's export imports back: no two rows with one code
    export = page.request.get(f"{base}/admin/catalog/export/?format=xlsx")
    assert export.ok
    page.goto(f"{base}/admin/catalog/import/")
    page.locator("input[name=file]").set_input_files(
        {
            "name": "xuat.xlsx",
            "mimeType": "application/octet-stream",
            "buffer": export.body(),
        }
    )
    page.get_by_role("button", name="Tải lên và chạy thử").click()
    page.wait_for_load_state()
    assert page.locator(".import-errors").count() == 0, page.locator(
        ".import-errors"
    ).inner_text()
    assert page.locator("[data-count=rejected]").inner_text() == "0"
    assert page.locator("tr", has_text="9.000003").count() == 1
    context.close()

"""Admin login lockout in Chromium: typed wrong passwords lock the account, a reset unlocks it.

Through Wagtail's real login form: five wrong passwords, the Vietnamese lockout message, the right
password refused while locked, a catalog administrator's `axes_reset_username`, then a login.
"""

from django.contrib.auth import get_user_model
from django.core.management import call_command

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, ConsoleLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-dung"  # noqa: S105
LOCKED = "Tài khoản tạm thời bị khóa vì đăng nhập sai quá nhiều lần"


def _type_login(page, password):
    page.locator("#id_username").fill("bientap")
    page.locator("#id_password").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()


def test_wrong_passwords_lock_the_login_until_an_administrator_resets_it(
    live_server, browser
):
    get_user_model().objects.create_superuser(
        "bientap", "bientap@example.invalid", PASSWORD
    )
    console = ConsoleLog()
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    context.on("page", console.attach)
    page = context.new_page()
    login = f"{live_server.url}/admin/login/"
    try:
        page.goto(login)
        messages = page.locator(".messages")
        for n in range(1, 5):
            _type_login(page, f"sai-{n}")
            expect(messages).to_contain_text("không")  # wrong username or password
            expect(messages).not_to_contain_text(LOCKED)
        _type_login(page, "sai-5")
        expect(messages).to_contain_text(LOCKED)
        expect(messages).to_contain_text("15 phút")
        expect(
            page.locator("h1")
        ).to_be_visible()  # still the login page, not a bare 403/429 text

        _type_login(page, PASSWORD)  # the right password, while locked
        expect(messages).to_contain_text(LOCKED)
        assert page.url.startswith(login)

        call_command(
            "axes_reset_username", "bientap"
        )  # a catalog administrator unlocks
        _type_login(page, PASSWORD)
        page.wait_for_url(f"{live_server.url}/admin/")
        expect(page.get_by_role("main")).to_be_visible()
    finally:
        page.goto("about:blank")
        context.close()
    # the two locked answers are 429s (and Chromium's console line about each); nothing else failed
    unexpected = [
        error
        for error in console.errors
        if not (
            error == f"HTTP 429: {login}"
            or ("status of 429" in error and error.endswith(f"@ {login}"))
        )
    ]
    assert unexpected == []
    assert sum(error == f"HTTP 429: {login}" for error in console.errors) == 2

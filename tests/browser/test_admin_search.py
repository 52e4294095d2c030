"""An editor finds a procedure by typing it without marks into the admin's search box."""

import re

from django.contrib.auth import get_user_model

import pytest

from catalog.services.roles import grant_role
from tests.browser.conftest import screenshot
from tests.factories import make_department, make_procedure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "mat-khau-thu-nghiem"


@pytest.fixture
def world(live_server):
    users = get_user_model()
    root = users.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    justice = make_department(code="STP", title="Sở Tư pháp")
    ward = make_department(code="PBT", title="UBND phường Bến Thành", kind="ward")
    birth = make_procedure(
        department=justice, national_code="1.001193", title="Đăng ký khai sinh"
    )
    make_procedure(
        department=justice, national_code="1.000894", title="Đăng ký kết hôn"
    )
    hidden = make_procedure(
        department=ward,
        national_code="2.000001",
        title="Đăng ký khai sinh lưu động nội bộ",
        publish=False,
    )
    editor = users.objects.create_user("stp-editor", "e@example.invalid", PASSWORD)
    grant_role(actor=root, user=editor, department=justice, role="editor")
    return {"url": live_server.url, "birth": birth, "hidden": hidden}


def test_editor_types_without_marks_in_the_admin_search_box(world, page):
    page.goto(world["url"] + "/admin/login/")
    page.locator("#id_username").fill("stp-editor")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))

    box = page.locator("#menu-search-q")
    box.click()
    box.type("dang ky khai sinh", delay=20)
    with page.expect_navigation():
        box.press("Enter")

    assert "/admin/pages/search/" in page.url
    results = page.locator("main table tbody")
    birth_link = results.get_by_role("link", name="Đăng ký khai sinh", exact=True)
    birth_link.wait_for()
    assert birth_link.get_attribute("href").endswith(
        f"/admin/pages/{world['birth'].pk}/edit/"
    )
    body = page.locator("main").inner_text()
    assert "Đăng ký kết hôn" not in body
    # another department's never-published procedure with the same words stays out
    assert world["hidden"].title not in page.content()
    screenshot(page, "admin-search-dang-ky-khai-sinh")

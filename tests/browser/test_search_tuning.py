"""The tuning loop in Chromium: a citizen's search finds nothing, the catalog administrator sees
it in the admin, proposes a synonym in one click, previews the new top 5, saves, and the public
search finds the procedure; opening a result is counted; a department editor gets 403.

SAVE_DOC_SCREENSHOTS=1 also writes docs/screenshots/search-tuning-*.png for docs/search.md."""

import os
import re
import shutil
from pathlib import Path

from django.conf import settings as django_settings
from django.contrib.auth.models import Group, Permission

import pytest

from catalog.services.roles import grant_role
from search import query_log
from tests.browser.conftest import screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "mat-khau-thu-nghiem"
MISSED = "giấy chào đời"  # a citizen's words for a birth registration; the catalog never says them
SCREENSHOTS = Path(django_settings.BASE_DIR) / "docs" / "screenshots"


@pytest.fixture
def tuner(site, django_user_model):
    """A catalog administrator: a non-superuser holding the search tuning permissions."""
    user = django_user_model.objects.create_user("tuner", "t@example.invalid", PASSWORD)
    group = Group.objects.create(name="Quản trị danh mục (tìm kiếm)")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="search",
            codename__in=["add_synonym", "view_synonym", "add_bestbet", "view_bestbet"],
        ),
    )
    user.groups.add(group)
    return user


@pytest.fixture
def log_at_once(settings):
    # every search writes the buffer: no minute's wait
    settings.SEARCH_LOG_FLUSH_INTERVAL = 0
    query_log._MEMORY.take(10**6)
    yield
    query_log._MEMORY.take(10**6)


def keep_screenshot(page, name):
    """Always into the test artifacts; with SAVE_DOC_SCREENSHOTS=1 also into docs/screenshots/,
    where docs/search.md shows it (as tests/browser/test_editor_journey.py does)."""
    path = screenshot(page, name)
    if os.environ.get("SAVE_DOC_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SCREENSHOTS / f"{name}.png")


def log_in(page, url, username):
    page.goto(url + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))


def public_search(page, url, text):
    page.goto(url + "/tim-kiem/")
    page.locator("#search-q").fill(text)
    with page.expect_navigation():
        page.locator("#search-form button[type=submit]").click()
    return page.locator("#result-count").inner_text()


def test_tuning_loop_from_a_failed_search_to_a_found_procedure(
    site, tuner, log_at_once, page, browser
):
    url = site["url"]
    assert "Không tìm thấy" in public_search(page, url, MISSED)

    log_in(page, url, "tuner")
    page.locator("button[aria-haspopup=menu]", has_text="Tìm kiếm").click()
    page.get_by_role("link", name="Phân tích tìm kiếm").click()
    page.wait_for_url(re.compile(r"/admin/search-tuning/"))
    row = page.locator("#query-report tbody tr", has_text=MISSED)
    assert row.locator("td").nth(2).inner_text() == "1"  # one search without results
    keep_screenshot(page, "search-tuning-report")

    row.get_by_role("link", name="Thêm từ đồng nghĩa").click()
    terms = page.get_by_label("Các từ đồng nghĩa")
    assert terms.input_value() == f"{MISSED}, "
    terms.press("End")
    terms.type("đăng ký khai sinh", delay=10)
    page.get_by_role("button", name="Xem trước 5 kết quả đầu").click()
    after = page.locator("#preview-after ol li")
    after.first.wait_for()
    assert after.first.inner_text().startswith("Đăng ký khai sinh")
    assert after.count() <= 5
    assert "Đăng ký khai sinh" not in page.locator("#preview-before").inner_text()
    keep_screenshot(page, "search-tuning-preview")

    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"/admin/search-tuning/$"))
    assert "Đã lưu từ đồng nghĩa" in page.locator("body").inner_text()

    # a citizen (another browser, not signed in: the tuner's own searches are not logged)
    context = browser.new_context(locale="vi-VN")
    citizen = context.new_page()
    public_search(citizen, url, MISSED)
    first = citizen.locator(".result h3 a").first
    assert first.inner_text() == "Đăng ký khai sinh"
    with citizen.expect_request(re.compile(r"/tim-kiem/da-mo/$")) as beacon:
        first.click()
    assert beacon.value.method == "POST"
    citizen.wait_for_url(url + site["birth"].url)
    context.close()
    public_search(page, url, MISSED)  # the tuner's own search: not counted
    query_log.flush()  # as `manage.py search_log flush` from cron: the click is written

    page.goto(url + "/admin/search-tuning/?report=frequent&days=7")
    row = page.locator("#query-report tbody tr", has_text=MISSED)
    cells = [row.locator("td").nth(n).inner_text() for n in range(1, 4)]
    # searches (the first, then the citizen's), of them without results, results opened
    assert cells == ["2", "1", "1"]


def test_a_department_editor_gets_403(site, browser, django_user_model):
    root = django_user_model.objects.create_superuser(
        "root", "root@example.invalid", PASSWORD
    )
    editor = django_user_model.objects.create_user(
        "stp-editor", "e@example.invalid", PASSWORD
    )
    grant_role(actor=root, user=editor, department=site["justice"], role="editor")
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    log_in(page, site["url"], "stp-editor")
    assert "Phân tích tìm kiếm" not in page.locator("body").inner_text()
    response = page.goto(site["url"] + "/admin/search-tuning/")
    assert response.status == 403
    assert "Không có quyền truy cập" in page.content()
    context.close()

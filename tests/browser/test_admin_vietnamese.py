"""The admin as the catalog's staff meet it, in Chromium: Vietnamese labels and folded slugs.

Typing and clicking like a person: logging in, adding a department, opening an edit page,
approving from the dashboard.
"""

from django.contrib.auth import get_user_model

import pytest
from playwright.sync_api import expect

from catalog.models import DepartmentIndexPage, DepartmentPage, ProcedurePage
from catalog.services.roles import grant_catalog_admin, grant_role
from tests.factories import make_department, make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu"  # noqa: S105


def _user(username):
    return get_user_model().objects.create_user(
        username, f"{username}@example.invalid", PASSWORD
    )


@pytest.fixture
def staff(live_server):
    department = make_department(code="STP", title="Sở Tư pháp")
    procedure = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    root = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", PASSWORD
    )
    users = {"catalog_admin": _user("quantri.danhmuc")}
    grant_catalog_admin(actor=root, user=users["catalog_admin"])
    for role in ("editor", "moderator"):
        users[role] = _user(role)
        grant_role(actor=root, user=users[role], department=department, role=role)
    return {
        "url": live_server.url,
        "department": department,
        "procedure": procedure,
        "users": users,
    }


@pytest.fixture(autouse=True)
def leave_the_admin(page):
    """Stop the edit page's background requests (autosave) before the database is flushed."""
    yield
    page.goto("about:blank")
    page.wait_for_timeout(500)


def _log_in(page, base, username):
    page.goto(f"{base}/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(f"{base}/admin/")


def test_a_department_typed_in_the_admin_gets_the_folded_slug(staff, page):
    base = staff["url"]
    _log_in(page, base, "quantri.danhmuc")
    index = DepartmentIndexPage.objects.get()
    page.goto(f"{base}/admin/pages/{index.pk}/")
    page.get_by_role("link", name="Thêm trang con").first.click()
    page.wait_for_url("**/add/catalog/departmentpage/**")
    page.locator("#id_title").click()
    page.keyboard.type("Sở Văn hóa và Thể thao")
    page.locator(
        "#id_code"
    ).click()  # leaving the title is when the admin fills the slug
    page.get_by_role("tab", name="Quảng bá").click()
    expect(page.locator("#id_slug")).to_have_value("so-van-hoa-va-the-thao")
    page.get_by_role("tab", name="Nội dung").click()
    page.locator("#id_code").fill("SVHTT")
    page.locator("#id_kind").select_option(index=1)
    page.get_by_role("button", name="Lưu nháp").click()
    page.wait_for_url("**/edit/**")
    assert "Đã tạo trang" in page.locator(".messages").inner_text()
    department = DepartmentPage.objects.get(code="SVHTT")
    assert department.slug == "so-van-hoa-va-the-thao"
    assert page.locator("#id_slug").input_value() == "so-van-hoa-va-the-thao"


def test_an_editor_submits_with_gui_duyet_and_sees_no_english_actions(staff, page):
    base = staff["url"]
    _log_in(page, base, "editor")
    page.goto(f"{base}/admin/pages/{staff['procedure'].pk}/edit/")
    footer = page.locator("footer")
    assert footer.get_by_role("button", name="Lưu nháp").is_visible()
    footer.get_by_role("button", name="Thao tác khác").click()
    submit = footer.get_by_role("button", name="Gửi duyệt")
    assert submit.is_visible()
    html = page.content()
    for english in ("Save draft", "More actions", "Submit to", "Thực hiện Duyệt"):
        assert english not in html, english


def test_a_moderator_approves_from_the_dashboard_and_is_told_so(staff, page):
    base = staff["url"]
    procedure = ProcedurePage.objects.get(pk=staff["procedure"].pk)
    editor = staff["users"]["editor"]
    procedure.title = "Đăng ký khai sinh (sửa)"
    procedure.save_revision(user=editor)
    procedure.get_workflow().start(procedure, editor)

    _log_in(page, base, "moderator")
    panel = page.locator("section", has_text="Chờ bạn duyệt").first
    assert panel.is_visible()
    assert panel.get_by_text("Phê chuẩn").count() == 0
    panel.get_by_role("button", name="Thao tác", exact=True).first.click()
    panel.get_by_role("button", name="Duyệt và xuất bản", exact=True).click()
    message = page.locator(".messages")
    message.wait_for()
    assert "Đã duyệt và xuất bản" in message.inner_text()
    procedure.refresh_from_db()
    assert procedure.live and procedure.title == "Đăng ký khai sinh (sửa)"
    assert not procedure.workflow_in_progress


_VISIBLE_TEXT = """() => {
    const texts = document.body.innerText.split("\\n");
    for (const el of document.querySelectorAll("[aria-label], [placeholder], [title]")) {
        for (const name of ["aria-label", "placeholder", "title"]) {
            if (el.getAttribute(name)) texts.push(el.getAttribute(name));
        }
    }
    return texts;
}"""


def test_the_edit_page_after_a_refused_save_speaks_vietnamese_scripts_included(
    staff, page, console
):
    """What the browser shows, scripts' strings (djangojs) included, after a save is refused."""
    from tests.catalog.test_admin_vietnamese import _english_catalog, _english_on

    base = staff["url"]
    _log_in(page, base, "editor")
    page.goto(f"{base}/admin/pages/{staff['procedure'].pk}/edit/")
    page.locator("#id_title").fill("")
    page.get_by_role("button", name="Lưu nháp").click()
    page.wait_for_load_state("networkidle")
    assert "Không lưu được trang vì có lỗi nhập liệu." in page.content()
    page.get_by_role("button", name="Thao tác khác").click()
    exact, patterns = _english_catalog(("django", "djangojs"))
    english = _english_on(page.evaluate(_VISIBLE_TEXT), exact, patterns, page.url)
    assert english == set()
    # Wagtail answers a refused save with 400 on purpose: that response is the subject here
    console.errors[:] = [e for e in console.errors if "400" not in e]


def test_the_account_page_runs_its_scripts_without_error(staff, page):
    """Found by an independent check: the time-zone list offered "localtime", which the
    browser cannot read, and the account page's script threw a RangeError for every user."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    base = staff["url"]
    _log_in(page, base, "editor")
    page.goto(f"{base}/admin/account/")
    page.wait_for_load_state("networkidle")
    zones = page.locator("select[name$='current_time_zone'] option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    assert "Asia/Ho_Chi_Minh" in zones and "localtime" not in zones
    assert errors == []

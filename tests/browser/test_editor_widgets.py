"""The procedure editor's widgets in Chromium: shared-list checkboxes, a form uploaded from the
document's chooser, a draft discarded, and a shared-list entry in use that cannot be deleted."""

import re

from django.contrib.auth import get_user_model

import pytest

from catalog.models import Field, FormTemplate, ProcedurePage
from catalog.services.roles import grant_catalog_admin, grant_role
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import FieldFactory, LevelFactory, make_department, make_procedure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "mat-khau-thu-nghiem"
PDF = b"%PDF-1.4\n% mau uy quyen\n" + b"0" * 800
SAVE_DRAFT = re.compile(r"^(Lưu nháp|Lưu bản nháp|Save draft)")


@pytest.fixture
def world(live_server):
    users = get_user_model()
    root = users.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    justice = make_department(code="STP", title="Sở Tư pháp")
    levels = [
        LevelFactory(code="central", name="Cấp Trung ương", sort_order=0),
        LevelFactory(code="province", name="Cấp Tỉnh", sort_order=1),
        LevelFactory(code="commune", name="Cấp Xã", sort_order=2),
    ]
    fields = [
        FieldFactory(code="G15-TP07", name="Hộ tịch"),
        FieldFactory(code="G15-TP08", name="Chứng thực"),
        FieldFactory(code="G15-TP09", name="Nuôi con nuôi"),
    ]
    procedure = make_procedure(
        department=justice, national_code="1.001193", title="Đăng ký khai sinh"
    )
    editor = users.objects.create_user(
        "stp-editor", "e@example.invalid", PASSWORD, first_name="Lan"
    )
    grant_role(actor=root, user=editor, department=justice, role="editor")
    # a catalog administrator who is not a superuser (no outside update check in the admin)
    admin = users.objects.create_user("catalog-admin", "a@example.invalid", PASSWORD)
    grant_catalog_admin(actor=root, user=admin)
    return {
        "url": live_server.url,
        "procedure": procedure,
        "levels": levels,
        "fields": fields,
        "department": justice,
        "editor": editor,
    }


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))


def open_editor(page, world) -> None:
    page.goto(f"{world['url']}/admin/pages/{world['procedure'].pk}/edit/")
    page.get_by_role("tab", name="Thông tin chung").wait_for()


def save_draft(page) -> None:
    # Wagtail 8 autosaves each change after a short pause; saving while an autosave is in
    # flight is refused as a conflict, as for a person clicking that fast
    page.wait_for_timeout(800)
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.get_by_role("button", name=SAVE_DRAFT).first.click()
    page.locator(".messages .success").first.wait_for()


@pytest.fixture
def page(page):
    yield page
    # Leave the editor before the database is flushed: leaving sends the release of its
    # editing session, which must be answered before the flush starts.
    match = re.match(r"^(https?://[^/]+)/admin/", page.url)
    if match:
        page.goto(match.group(1) + "/admin/")
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(500)
    page.goto("about:blank")


def latest(world) -> dict:
    procedure = ProcedurePage.objects.get(pk=world["procedure"].pk)
    return procedure.latest_revision.content


def test_three_levels_clicked_stay_selected_after_save(world, page):
    log_in(page, world["url"], "stp-editor")
    open_editor(page, world)
    for level in world["levels"]:
        page.get_by_role("checkbox", name=level.name, exact=True).click()
    for level in world["levels"]:
        assert page.get_by_role("checkbox", name=level.name, exact=True).is_checked()
    # the long list filters without diacritics and keeps what is ticked
    fields_box = page.locator("[data-catalog-checkbox-filter]").first
    fields_box.get_by_role("checkbox", name="Chứng thực").click()
    fields_box.get_by_role("searchbox").fill("ho tich")
    assert fields_box.get_by_role("checkbox", name="Hộ tịch").is_visible()
    assert fields_box.get_by_role("checkbox", name="Nuôi con nuôi").is_hidden()
    assert fields_box.get_by_role("checkbox", name="Chứng thực").is_visible()
    fields_box.get_by_role("checkbox", name="Hộ tịch").click()
    save_draft(page)

    content = latest(world)
    assert sorted(content["levels"]) == sorted(level.pk for level in world["levels"])
    chosen = {f.pk for f in world["fields"] if f.name in ("Hộ tịch", "Chứng thực")}
    assert set(content["fields"]) == chosen
    open_editor(page, world)
    for level in world["levels"]:
        assert page.get_by_role("checkbox", name=level.name, exact=True).is_checked()
    screenshot(page, "editor-widgets-levels")


def test_editor_uploads_a_new_form_from_the_document_chooser(world, page):
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "mau-uy-quyen.pdf"
    pdf_path.write_bytes(PDF)
    log_in(page, world["url"], "stp-editor")
    open_editor(page, world)
    page.get_by_role("tab", name="Hồ sơ và biểu mẫu").click()
    panel = page.locator("section[role=tabpanel]:visible")
    panel.get_by_role("button", name=re.compile("^Chọn mẫu đơn")).first.click()
    dialog = page.get_by_role("dialog").first
    dialog.wait_for()
    dialog.get_by_role("tab", name="Tải mẫu mới").click()
    dialog.get_by_label("Mã mẫu").fill("UQ-KS")
    dialog.get_by_label("Tên mẫu").fill("Mẫu văn bản ủy quyền")
    dialog.get_by_label("Phiên bản").fill("1")
    dialog.get_by_label(re.compile("^Tệp")).set_input_files(str(pdf_path))
    dialog.get_by_role("button", name="Tải lên và chọn").click()
    dialog.wait_for(state="hidden")
    panel.get_by_text(re.compile("UQ-KS")).first.wait_for()
    save_draft(page)

    template = FormTemplate.objects.get(code="UQ-KS")
    assert template.department == world["department"]
    assert template.size == len(PDF)
    assert template.document.collection_id == world["department"].collection_id
    documents = [
        document
        for case in latest(world)["dossier_cases"]
        for document in case["documents"]
    ]
    assert documents[0]["form_template"] == template.pk


def test_editor_discards_a_draft(world, page):
    draft = ProcedurePage.objects.get(pk=world["procedure"].pk)
    draft.title = "Đăng ký khai sinh (nháp bỏ dở)"
    draft.save_revision(user=world["editor"])
    log_in(page, world["url"], "stp-editor")
    open_editor(page, world)
    warning = page.locator(".messages").inner_text()
    assert "Bản nháp đang khác bản đã công bố" in warning
    assert "Lan" in warning
    assert page.locator("#id_title").input_value() == "Đăng ký khai sinh (nháp bỏ dở)"
    page.get_by_role("link", name="Bỏ bản nháp").click()
    page.get_by_role("button", name="Bỏ bản nháp").click()
    page.wait_for_url(re.compile(rf"/admin/pages/{world['procedure'].pk}/edit/$"))
    assert "Đã bỏ bản nháp" in page.locator(".messages").inner_text()
    assert page.locator("#id_title").input_value() == "Đăng ký khai sinh"
    assert not ProcedurePage.objects.get(
        pk=world["procedure"].pk
    ).has_unpublished_changes


def test_a_field_in_use_cannot_be_deleted_but_can_be_merged(world, page):
    field = world["fields"][0]
    procedure = ProcedurePage.objects.get(pk=world["procedure"].pk)
    procedure.fields.add(field)
    procedure.save_revision().publish()
    log_in(page, world["url"], "catalog-admin")
    page.goto(f"{world['url']}/admin/snippets/catalog/field/delete/{field.pk}/")
    usage = page.locator(".catalog-usage")
    assert "1 thủ tục đang dùng mục này" in usage.inner_text()
    assert usage.get_by_role("link", name="Đăng ký khai sinh").is_visible()
    # no plain delete: only "merge into another entry, then delete"
    buttons = page.locator("main").get_by_role("button").all_inner_texts()
    assert [text.strip() for text in buttons] == ["Gộp và xóa"], buttons
    assert Field.objects.filter(pk=field.pk).exists()

    page.get_by_label("Gộp vào").select_option(label="Chứng thực")
    page.get_by_role("button", name="Gộp và xóa").click()
    page.wait_for_url(re.compile(r"/admin/snippets/catalog/field/$"))
    assert "Đã gộp “Hộ tịch” vào “Chứng thực”" in page.locator(".messages").inner_text()
    assert not Field.objects.filter(pk=field.pk).exists()
    merged = ProcedurePage.objects.get(pk=world["procedure"].pk)
    assert [f.name for f in merged.fields.all()] == ["Chứng thực"]


def test_date_picker_writes_day_first(world, page):
    log_in(page, world["url"], "stp-editor")
    open_editor(page, world)
    date = page.get_by_label("Ngày hiệu lực")
    date.click()
    picker = page.locator(".xdsoft_datetimepicker:visible")
    picker.wait_for()
    picker.locator(
        "td.xdsoft_date:not(.xdsoft_other_month)[data-date='15']"
    ).first.click()
    picked = date.input_value()
    assert re.fullmatch(r"15/\d\d/\d{4}", picked), picked
    # typed the Vietnamese way, stored as 15 July
    date.fill("15/07/2025")
    date.press("Tab")
    save_draft(page)
    assert latest(world)["effective_date"] == "2025-07-15"
    open_editor(page, world)
    assert page.get_by_label("Ngày hiệu lực").input_value() == "15/07/2025"

"""The moderator's "Compare" screen lists every changed field and nothing else, nested parts included.

Each test makes two versions of a procedure (the live page and a draft, or two drafts), opens
Wagtail's revision compare view as the department's moderator and reads the table the way a
person does: which rows are there and what text each row shows.
"""

import re

from django.contrib.auth.models import Group
from django.urls import reverse

import pytest
from bs4 import BeautifulSoup

from catalog.models import Level, ProcedureStep, RequiredDocument
from tests.factories import make_form_template, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(client, django_user_model, department):
    user = django_user_model.objects.create_user("kiem-duyet", password="pw")
    user.groups.add(Group.objects.get(name="STP · Kiểm duyệt viên"))
    client.force_login(user)
    return user


def compare_url(page, a, b) -> str:
    return reverse("wagtailadmin_pages:revisions_compare", args=(page.pk, a, b))


def changes(client, page, a="live", b="latest") -> dict[str, str]:
    """{row label: the row's visible text} of the compare table."""
    response = client.get(compare_url(page, a, b))
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    rows = {}
    for row in soup.select("table.listing tbody tr"):
        label = row.select_one("td.title")
        if label is None:  # the "no differences" row
            continue
        cell = row.select_one("td.comparison")
        rows[label.get_text(" ", strip=True).rstrip(":")] = " ".join(
            cell.get_text(" ").split()
        )
    return rows


def draft_of(page):
    """The page as its latest revision holds it, to edit like the admin's form would."""
    return page.latest_revision.as_object()


def save_draft(draft):
    return draft.save_revision()


def test_changed_fee_inside_a_method_shows_old_and_new(client, moderator, procedure):
    draft = draft_of(procedure)
    fee = draft.execution_methods.all()[0].fees.all()[0]
    assert fee.amount == 8000
    fee.amount = 3500000
    save_draft(draft)

    rows = changes(client, procedure)

    assert list(rows) == ["Cách thức, thời hạn, phí"]
    text = rows["Cách thức, thời hạn, phí"]
    assert "Đã sửa: Cách thức thực hiện 1 – Trực tiếp – 5 ngày làm việc" in text
    assert "Đã sửa: Phí, lệ phí 1" in text
    assert "Mức thu 8.000 đồng → 3.500.000 đồng" in text
    # nothing else of the method, nor the untouched second method or fee
    assert "Cách thức thực hiện 2" not in text
    assert "Phí, lệ phí 2" not in text
    assert "Hình thức nộp" not in text


def test_a_fee_made_not_fixed_says_so_not_empty(client, moderator, procedure):
    draft = draft_of(procedure)
    draft.execution_methods.all()[0].fees.all()[0].amount = None
    save_draft(draft)
    text = changes(client, procedure)["Cách thức, thời hạn, phí"]
    assert "Mức thu 8.000 đồng → Theo quy định" in text and "(trống)" not in text


def test_changed_fee_currency_shows_old_and_new(client, moderator, procedure):
    draft = draft_of(procedure)
    fee = draft.execution_methods.all()[0].fees.all()[0]
    fee.amount, fee.currency = 50, "USD"
    save_draft(draft)

    text = changes(client, procedure)["Cách thức, thời hạn, phí"]

    # each amount with its own currency: "8.000 → 50" read as 50 đồng
    assert "Mức thu 8.000 đồng → 50 USD" in text
    assert "Đơn vị tiền tệ Đồng Việt Nam (VND) → Đô la Mỹ (USD)" in text


def test_a_currency_alone_changed_names_the_fee_with_its_currency(
    client, moderator, procedure
):
    draft = draft_of(procedure)
    fee = draft.execution_methods.all()[0].fees.all()[0]
    fee.kind, fee.amount = "service_fee", 30000
    save_draft(draft)
    procedure = draft.get_latest_revision().as_object()
    procedure.save_revision().publish()
    draft = draft_of(procedure)
    draft.execution_methods.all()[0].fees.all()[0].currency = "USD"
    save_draft(draft)

    text = changes(client, procedure)["Cách thức, thời hạn, phí"]

    # the fee is named with its amount in its currency ("Giá dịch vụ · 30.000" said neither)
    assert "Đã sửa: Phí, lệ phí 1 – Giá dịch vụ · 30.000 USD" in text
    assert "Đơn vị tiền tệ Đồng Việt Nam (VND) → Đô la Mỹ (USD)" in text


def test_duplicated_document_in_a_case_is_shown_as_added(client, moderator, procedure):
    draft = draft_of(procedure)
    case = draft.dossier_cases.all()[0]
    original = case.documents.all()[1]
    case.documents.add(
        RequiredDocument(
            name=original.name, originals=1, copies=0, sort_order=2, case=case
        )
    )
    save_draft(draft)

    rows = changes(client, procedure)

    assert list(rows) == ["Thành phần hồ sơ"]
    text = rows["Thành phần hồ sơ"]
    assert "Đã sửa: Trường hợp hồ sơ 1 – Trường hợp thông thường" in text
    assert "Thêm mới: Giấy tờ phải nộp 3 – Giấy chứng sinh" in text
    assert "Tên giấy tờ Giấy chứng sinh Số bản chính 1 Số bản sao 0 Bắt buộc Có" in text
    # the two documents that were there already, and the other case, are not listed
    assert text.count("Giấy tờ phải nộp") == 1
    assert "Trường hợp hồ sơ 2" not in text
    soup = BeautifulSoup(
        client.get(compare_url(procedure, "live", "latest")).content, "html.parser"
    )
    added = soup.select('[data-part-status="added"]')
    assert len(added) == 1
    assert "addition" in added[0]["class"]


def test_removed_step_is_shown_removed_and_the_next_step_is_not_moved(
    client, moderator, procedure
):
    draft = draft_of(procedure)
    first = draft.steps.all()[0]
    draft.steps.remove(first)
    save_draft(draft)

    rows = changes(client, procedure)

    assert list(rows) == ["Các bước"]
    text = rows["Các bước"]
    assert text.startswith("Đã xóa: Bước thực hiện 1 – Nộp hồ sơ")
    assert "Nội dung Nộp hồ sơ tại bộ phận một cửa." in text
    # "Nhận kết quả" is now first, but nothing about it changed
    assert "Nhận kết quả" not in text
    assert "vị trí" not in text


def test_a_real_move_is_reported_once(client, moderator, procedure):
    draft = draft_of(procedure)
    steps = list(draft.steps.all())
    steps[0].sort_order, steps[1].sort_order = 1, 0
    draft.steps = [steps[1], steps[0]]
    save_draft(draft)

    text = changes(client, procedure)["Các bước"]

    assert text.count("Đổi thứ tự") == 1
    assert re.search(r"Chuyển từ vị trí \d sang vị trí \d\.", text)


def test_changed_form_template_on_a_document_is_shown(
    client, moderator, department, procedure
):
    form = make_form_template(department=department, code="TK-KS", name="Tờ khai")
    draft = draft_of(procedure)
    document = draft.dossier_cases.all()[1].documents.all()[0]
    document.form_template = form
    save_draft(draft)

    rows = changes(client, procedure)

    assert list(rows) == ["Thành phần hồ sơ"]
    text = rows["Thành phần hồ sơ"]
    assert "Đã sửa: Trường hợp hồ sơ 2 – Trường hợp ủy quyền" in text
    assert "Đã sửa: Giấy tờ phải nộp 1 – Văn bản ủy quyền" in text
    assert "Mẫu đơn, tờ khai (trống) → TK-KS – Tờ khai" in text


def test_replacing_a_document_is_a_removal_and_an_addition_not_an_edit(
    client, moderator, procedure
):
    draft = draft_of(procedure)
    case = draft.dossier_cases.all()[1]
    case.documents = [RequiredDocument(name="Giấy ủy quyền có công chứng", copies=1)]
    save_draft(draft)

    text = changes(client, procedure)["Thành phần hồ sơ"]

    assert "Đã xóa: Giấy tờ phải nộp 1 – Văn bản ủy quyền" in text
    assert "Thêm mới: Giấy tờ phải nộp 1 – Giấy ủy quyền có công chứng" in text
    assert "→" not in text


def test_shared_lists_compare_as_sets(client, moderator, procedure):
    commune = Level.objects.create(code="commune", name="Cấp Xã", sort_order=2)
    province = Level.objects.create(code="province", name="Cấp Tỉnh", sort_order=1)
    procedure.levels = [commune, province]
    procedure.save_revision().publish()
    draft = draft_of(procedure)
    draft.levels = [province, commune]  # the same entries, another order
    first = save_draft(draft)
    assert changes(client, procedure) == {}

    draft = first.as_object()
    draft.levels = [province]
    save_draft(draft)
    rows = changes(client, procedure)
    assert rows == {"Cấp thực hiện": "Bỏ: Cấp Xã Giữ nguyên: Cấp Tỉnh"}


def test_two_drafts_with_the_same_unsaved_step_show_no_change(
    client, moderator, procedure
):
    draft = draft_of(procedure)
    draft.steps.add(
        ProcedureStep(
            title="Trả kết quả qua bưu điện",
            description="<p>Nếu chọn.</p>",
            sort_order=2,
        )
    )
    first = save_draft(draft)
    second = save_draft(first.as_object())
    assert changes(client, procedure, first.pk, second.pk) == {}
    # against the live page, the new step is an addition
    assert changes(client, procedure)["Các bước"].startswith(
        "Thêm mới: Bước thực hiện 3 – Trả kết quả qua bưu điện"
    )


def test_rich_text_markup_alone_is_not_a_change_but_bold_is(
    client, moderator, procedure
):
    draft = draft_of(procedure)
    step = draft.steps.all()[0]
    step.description = (
        '<p data-block-key="a1b2c">Nộp hồ sơ tại   bộ phận một cửa.</p>\n'
    )
    save_draft(draft)
    assert changes(client, procedure) == {}

    draft = draft_of(procedure)
    draft.steps.all()[0].description = "<p>Nộp hồ sơ tại <b>bộ phận một cửa</b>.</p>"
    save_draft(draft)
    text = changes(client, procedure)["Các bước"]
    assert "Nội dung Nộp hồ sơ tại bộ phận một cửa. (chỉ đổi định dạng)" in text


# --- a plain re-save through the real edit form --------------------------------------


def browser_form_data(html: str) -> list[tuple[str, str]]:
    """What a browser sends for the page edit form when "Save draft" is pressed."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.find("form", id="page-edit-form")
    for template in form.find_all("template"):
        template.decompose()
    pairs = []
    for control in form.find_all(["input", "select", "textarea"]):
        name = control.get("name")
        if not name or control.has_attr("disabled"):
            continue
        if control.name == "textarea":
            pairs.append((name, control.text.removeprefix("\n")))
        elif control.name == "select":
            chosen = control.find_all("option", selected=True)
            if not chosen and not control.has_attr("multiple"):
                chosen = control.find_all("option")[:1]
            pairs.extend((name, option.get("value", option.text)) for option in chosen)
        else:
            kind = control.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                continue
            if kind in ("checkbox", "radio") and not control.has_attr("checked"):
                continue
            default = "on" if kind in ("checkbox", "radio") else ""
            pairs.append((name, control.get("value", default)))
    return pairs


def resave_through_edit_form(client, page):
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    response = client.get(url)
    assert response.status_code == 200
    body = "&".join(
        f"{name}={value}"
        for name, value in (
            (quote(name), quote(value))
            for name, value in browser_form_data(response.content.decode())
        )
    )
    before = page.revisions.count()
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302, response.content.decode()[:2000]
    assert page.revisions.count() == before + 1


def quote(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)


def test_untouched_procedure_resaved_in_the_edit_form_shows_no_change(
    client, department, superuser
):
    procedure = make_procedure(
        department=department,
        national_code="1.000002",
        title="Đăng ký kết hôn",
        conditions="<p>Nam từ đủ 20 tuổi, <strong>nữ từ đủ 18 tuổi</strong>.</p>",
    )
    steps = [
        ProcedureStep(
            title="Nộp hồ sơ",
            description="<p>Nộp tại <em>bộ phận một cửa</em>.</p><ul><li>Trực tiếp</li>"
            "<li>Qua bưu điện</li></ul>",
            sort_order=0,
        ),
        ProcedureStep(
            title="Nhận kết quả",
            description="<p>Nhận giấy chứng nhận kết hôn.</p>",
            sort_order=1,
        ),
    ]
    procedure.steps = steps
    procedure.save_revision().publish()
    procedure.refresh_from_db()
    client.force_login(superuser)

    resave_through_edit_form(client, procedure)
    resave_through_edit_form(client, procedure)

    assert changes(client, procedure, "live", "latest") == {}
    latest, previous = list(procedure.revisions.order_by("-pk")[:2])
    assert changes(client, procedure, previous.pk, latest.pk) == {}


def test_a_long_name_changed_past_its_255th_character_is_shown(
    client, moderator, procedure
):
    long_name = "Đăng ký khai sinh " + "có yếu tố nước ngoài " * 14
    first = draft_of(procedure)
    first.set_name(long_name + "tại xã Thạnh An")
    first.save_revision().publish()
    draft = draft_of(procedure)
    draft.set_name(long_name + "tại xã Long Hòa")
    assert draft.title == first.title  # the clipped titles are the same
    save_draft(draft)

    rows = changes(client, procedure)

    assert list(rows) == ["Tiêu đề"]
    assert "Thạnh An" in rows["Tiêu đề"] and "Long Hòa" in rows["Tiêu đề"]

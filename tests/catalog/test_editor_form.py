"""The procedure edit form as an editor uses it: Vietnamese dates and amounts, a fresh change
note on every edit, and a complete procedure before review. Each test starts from the real edit
page's HTML (read the way a browser submits it) and changes only what the editor would type."""

import datetime
import json

from django.urls import reverse

from wagtail.models import WorkflowState
from wagtail.users.models import UserProfile

import pytest

from catalog.models import CatalogEvent, ProcedurePage, PublicHoliday
from tests.catalog.test_save_unchanged import edit_form_data
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

AMOUNT_ERROR = "Mức thu phải là số tiền nguyên theo đơn vị tiền tệ đã chọn"


def set_language(user, language: str) -> None:
    """The admin language the user picked in their account settings."""
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def open_form(client, page) -> dict[str, list[str]]:
    response = client.get(edit_url(page))
    assert response.status_code == 200
    return edit_form_data(response.content.decode())


def latest(page) -> dict:
    return ProcedurePage.objects.get(pk=page.pk).get_latest_revision().content


def fee_amounts(content: dict) -> list:
    return [
        fee["amount"]
        for method in content["execution_methods"]
        for fee in method["fees"]
    ]


# dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "en"])
def test_dates_are_shown_and_read_day_first(client, editor, department, language):
    set_language(editor, language)
    page = make_procedure(
        department=department,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        effective_date=datetime.date(2025, 7, 1),
        decision_date=datetime.date(2025, 6, 2),
    )
    client.force_login(editor)
    data = open_form(client, page)
    assert data["effective_date"] == ["01/07/2025"]
    assert data["decision_date"] == ["02/06/2025"]

    data["effective_date"] = ["15/07/2025"]
    response = client.post(edit_url(page), data)
    assert response.status_code == 302
    content = latest(page)
    assert content["effective_date"] == "2025-07-15"
    assert content["decision_date"] == "2025-06-02"
    assert open_form(client, page)["effective_date"] == ["15/07/2025"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_holiday_typed_day_first_is_that_day(client, superuser, language, department):
    set_language(superuser, language)
    client.force_login(superuser)
    add_url = reverse("wagtailsnippets_catalog_publicholiday:add")
    response = client.post(add_url, {"date": "07/12/2026", "name": "Nghỉ bù"})
    assert response.status_code == 302
    holiday = PublicHoliday.objects.get(name="Nghỉ bù")
    assert holiday.date == datetime.date(2026, 12, 7)

    edit_url = reverse("wagtailsnippets_catalog_publicholiday:edit", args=(holiday.pk,))
    page = client.get(edit_url).content.decode()
    assert 'value="07/12/2026"' in page
    client.post(edit_url, {"date": "25/12/2026", "name": "Nghỉ bù"})
    holiday.refresh_from_db()
    assert holiday.date == datetime.date(2026, 12, 25)


# amounts -------------------------------------------------------------------------------------


def test_stored_amounts_are_shown_grouped(client, editor, department):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    html = client.get(edit_url(page)).content.decode()
    data = edit_form_data(html)
    assert data["execution_methods-0-fees-0-amount"] == ["8.000"]
    assert data["execution_methods-0-fees-1-amount"] == ["0"]
    assert data["execution_methods-1-fees-0-amount"] == ["4.000"]
    # a text box: a number box would refuse "3.500.000"
    assert 'type="number" name="execution_methods-0-fees-0-amount"' not in html
    assert 'inputmode="numeric"' in html


def type_amount(client, editor, department, typed: str, currency: str | None = None):
    """The editor types `typed` as the first fee's amount (in `currency`, if given) and saves:
    the response, the procedure and its latest revision before the save."""
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    data = open_form(client, page)
    before = page.get_latest_revision().pk
    data["execution_methods-0-fees-0-amount"] = [typed]
    if currency is not None:
        data["execution_methods-0-fees-0-currency"] = [currency]
    return client.post(edit_url(page), data), page, before


@pytest.mark.parametrize(
    "typed",
    ["3.500.000", "3500000", "3 500 000", "3\u00a0500\u00a0000", " 3.500.000 đồng "],
)
def test_amounts_typed_the_vietnamese_way_are_read(client, editor, department, typed):
    response, page, _before = type_amount(client, editor, department, typed)
    assert response.status_code == 302
    assert fee_amounts(latest(page)) == [3500000, 0, 4000]
    assert open_form(client, page)["execution_methods-0-fees-0-amount"] == ["3.500.000"]


@pytest.mark.parametrize(
    "typed", ["3,5 triệu", "3.50.000", "3.500,5", "ba triệu", "3.500 000", "1e6"]
)
def test_garbage_amounts_are_refused_in_vietnamese(client, editor, department, typed):
    response, page, before = type_amount(client, editor, department, typed)
    assert response.status_code == 200
    assert AMOUNT_ERROR in response.content.decode()
    assert page.get_latest_revision().pk == before


@pytest.mark.parametrize("typed", ["1.000.000.000.001", "9.300.000.000.000.000.000"])
def test_an_amount_past_a_thousand_billion_is_refused_in_vietnamese(
    client, editor, department, typed
):
    """Past the column's 9,2 × 10^18 Django's message spelled the limit in 19 digits."""
    response, page, before = type_amount(client, editor, department, typed)
    assert response.status_code == 200
    assert (
        "Mức thu tối đa 1.000.000.000.000 (một nghìn tỷ)" in response.content.decode()
    )
    assert page.get_latest_revision().pk == before


def test_a_fee_is_entered_in_its_currency(client, superuser, department):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(superuser)
    html = client.get(edit_url(page)).content.decode()
    assert "Đơn vị tiền tệ" in html and "Đô la Mỹ (USD)" in html
    assert "ví dụ 3.500.000 (đồng) hoặc 50 (USD)" in html
    data = edit_form_data(html)
    assert data["execution_methods-0-fees-0-currency"] == ["VND"]
    data["execution_methods-0-fees-0-amount"] = ["50"]
    data["execution_methods-0-fees-0-currency"] = ["USD"]
    data["change_note"] = ["Lệ phí nộp tại cơ quan đại diện"]
    data["action-publish"] = ["Xuất bản"]
    assert client.post(edit_url(page), data).status_code == 302
    public = client.get(ProcedurePage.objects.get(pk=page.pk).url).content.decode()
    assert "50 USD" in public and "50 đồng" not in public
    assert "4.000 đồng" in public  # the other fees stay in đồng
    assert open_form(client, page)["execution_methods-0-fees-0-currency"] == ["USD"]


@pytest.mark.parametrize(
    ("typed", "chosen"),
    [
        ("$50", "USD"),
        ("50$", "USD"),
        ("50 USD", "USD"),
        ("US$ 50", "USD"),
        ("50 đô la Mỹ", "USD"),
        ("€50", "EUR"),
        ("EUR 50", "EUR"),
        ("đ 50", "VND"),
    ],
)
def test_a_currency_sign_beside_the_amount_that_matches_the_chosen_one_is_read(
    client, editor, department, typed, chosen
):
    response, page, _before = type_amount(client, editor, department, typed, chosen)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fee_amounts(latest(page)) == [50, 0, 4000]
    form = open_form(client, page)
    assert form["execution_methods-0-fees-0-amount"] == ["50"]
    assert form["execution_methods-0-fees-0-currency"] == [chosen]


@pytest.mark.parametrize("typed", ["$50 USD", "$50 đồng", "50 USD abc"])
def test_an_amount_with_currency_words_on_both_sides_is_refused(
    client, editor, department, typed
):
    response, page, before = type_amount(client, editor, department, typed, "USD")
    assert response.status_code == 200
    assert AMOUNT_ERROR in response.content.decode()
    assert page.get_latest_revision().pk == before


# the change note -----------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["action-submit", "action-publish"])
def test_a_missing_change_note_is_reported_once_in_the_banner_and_once_at_the_field(
    client, superuser, department, action
):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(superuser)
    data = open_form(client, page)
    response = client.post(edit_url(page), {**data, action: ["1"]})
    assert response.status_code == 200
    (banner,) = [str(m) for m in response.context["messages"]]
    # the banner names the field (it is on another tab) and says what to do, once
    assert banner.lower().count("ghi chú thay đổi công khai") == 2  # label, message
    assert banner.count("<li>") == 1
    assert "Ghi chú thay đổi công khai: Hãy ghi chú thay đổi công khai" in banner
    html = response.content.decode()
    field = html.split('id="id_change_note-label"')[1]
    assert "Hãy ghi chú thay đổi công khai (tab Xuất bản)" in field
    assert html.count("Hãy ghi chú thay đổi công khai") == 2  # the banner and the field


def test_the_banner_lists_a_missing_note_beside_other_form_wide_errors_once(
    client, editor, bare_procedure
):
    """With the completeness check failing too, the note is still listed once."""
    client.force_login(editor)
    data = open_form(client, bare_procedure)
    response = client.post(edit_url(bare_procedure), {**data, "action-submit": ["1"]})
    (banner,) = [str(m) for m in response.context["messages"]]
    assert banner.count("Hãy ghi chú thay đổi công khai") == 1
    assert "Chưa thể gửi duyệt hoặc xuất bản, thủ tục còn thiếu" in banner


def test_change_note_is_fresh_on_every_edit_and_reaches_history_once(
    client, editor, moderator, department
):
    page = make_procedure(
        department=department,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        change_note="Công bố lần đầu",
    )
    client.force_login(editor)
    data = open_form(client, page)
    assert data["change_note"] == [""]

    # saving a draft without a note is fine and copies nothing forward
    data["execution_methods-0-fees-0-amount"] = ["9.000"]
    assert client.post(edit_url(page), data).status_code == 302
    assert latest(page)["change_note"] == ""

    # submitting needs a note; the form still opens empty after the draft
    data = open_form(client, page)
    assert data["change_note"] == [""]
    submit = {**data, "action-submit": ["Gửi duyệt"]}
    response = client.post(edit_url(page), submit)
    assert response.status_code == 200
    assert "Hãy ghi chú thay đổi công khai" in response.content.decode()
    (banner,) = [str(m) for m in response.context["messages"]]
    assert "Ghi chú thay đổi công khai: Hãy ghi chú thay đổi công khai" in banner
    submit["change_note"] = ["Tăng lệ phí đăng ký lên 9.000 đồng"]
    assert client.post(edit_url(page), submit).status_code == 302

    client.force_login(moderator)
    state = WorkflowState.objects.get(
        base_content_type__model="page", object_id=str(page.pk), status="in_progress"
    )
    approve = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "approve", state.current_task_state.pk),
    )
    assert client.post(approve, {"comment": ""}).status_code in (200, 302)
    notes = list(
        CatalogEvent.objects.filter(page_id=page.pk)
        .order_by("id")
        .values_list("change_note", flat=True)
    )
    assert notes == ["Công bố lần đầu", "Tăng lệ phí đăng ký lên 9.000 đồng"]

    # the next edit starts empty again; the public history and the API name each note once
    client.force_login(editor)
    assert open_form(client, page)["change_note"] == [""]
    public = client.get(ProcedurePage.objects.get(pk=page.pk).url).content.decode()
    assert public.count("Tăng lệ phí đăng ký lên 9.000 đồng") == 1
    assert public.count("Công bố lần đầu") == 1
    body = json.loads(client.get("/api/v1/procedures/1.000001/").content)
    assert [entry["change_note"] for entry in body["change_history"]] == [
        "Tăng lệ phí đăng ký lên 9.000 đồng",
        "Công bố lần đầu",
    ]
    assert body["execution_methods"][0]["fees"][0]["amount"] == 9000


def test_approving_from_the_edit_page_keeps_the_submitted_note(
    client, editor, moderator, department
):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    data = open_form(client, page)
    data["title"] = ["Đăng ký khai sinh (sửa)"]
    data["change_note"] = ["Sửa tên thủ tục"]
    assert (
        client.post(edit_url(page), {**data, "action-submit": ["1"]}).status_code == 302
    )

    client.force_login(moderator)
    data = open_form(client, page)
    assert data["change_note"] == [""]
    data.update({"action-workflow-action": ["1"], "workflow-action-name": ["approve"]})
    response = client.post(edit_url(page), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page.refresh_from_db()
    assert page.title == "Đăng ký khai sinh (sửa)"
    assert CatalogEvent.objects.filter(page_id=page.pk).latest("id").change_note == (
        "Sửa tên thủ tục"
    )


# completeness --------------------------------------------------------------------------------


@pytest.fixture
def bare_procedure(department):
    """A procedure holding only a title and a code, as a draft."""
    page = ProcedurePage(title="Thủ tục mới", national_code="2.000001", live=False)
    department.add_child(instance=page)
    page.save_revision()
    return page


def test_an_incomplete_procedure_is_saved_as_draft_but_not_submitted(
    client, editor, bare_procedure
):
    client.force_login(editor)
    data = open_form(client, bare_procedure)
    assert client.post(edit_url(bare_procedure), data).status_code == 302

    data["change_note"] = ["Công bố thủ tục mới"]
    response = client.post(edit_url(bare_procedure), {**data, "action-submit": ["1"]})
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Chưa thể gửi duyệt hoặc xuất bản, thủ tục còn thiếu",
        "Tab “Cách thực hiện”: Chưa có bước thực hiện nào.",
        "Tab “Phí và thời hạn”: Chưa có cách thức thực hiện nào ghi thời hạn giải quyết.",
        "Chưa ghi mức phí, lệ phí: nhập số tiền, hoặc 0 nếu miễn phí",
        "Tab “Hồ sơ và biểu mẫu”: Chưa có trường hợp hồ sơ nào có giấy tờ phải nộp.",
    ):
        assert expected in html, expected
    assert not WorkflowState.objects.filter(object_id=str(bare_procedure.pk)).exists()


def test_each_gap_is_named_in_its_own_tab(client, editor, bare_procedure):
    client.force_login(editor)
    data = open_form(client, bare_procedure)
    data["change_note"] = ["Mới"]
    html = client.post(
        edit_url(bare_procedure), {**data, "action-submit": ["1"]}
    ).content.decode()
    tabs = {
        "Cách thực hiện": "Chưa có bước thực hiện nào.",
        "Hồ sơ và biểu mẫu": "Chưa có trường hợp hồ sơ nào có giấy tờ phải nộp.",
        "Phí và thời hạn": "Chưa có cách thức thực hiện nào ghi thời hạn giải quyết.",
    }
    sections = html.split('role="tabpanel"')
    for tab, message in tabs.items():
        holder = [s for s in sections[1:] if message in s]
        assert holder, tab
        label_id = holder[0].split('aria-labelledby="', 1)[1].split('"', 1)[0]
        assert tab in html.split(f'id="{label_id}"', 1)[1][:400], tab


def complete_parts() -> dict[str, list[str]]:
    """What the edit form posts for a procedure with every part the check asks for."""
    return {
        "change_note": ["Công bố thủ tục mới"],
        "steps-TOTAL_FORMS": ["1"],
        "steps-0-title": ["Nộp hồ sơ"],
        "steps-0-description": [
            json.dumps(
                {
                    "blocks": [
                        {
                            "key": "a1b2c",
                            "type": "unstyled",
                            "depth": 0,
                            "text": "Nộp hồ sơ tại bộ phận một cửa.",
                            "inlineStyleRanges": [],
                            "entityRanges": [],
                        }
                    ],
                    "entityMap": {},
                }
            )
        ],
        "steps-0-ORDER": ["1"],
        "steps-0-DELETE": [""],
        "steps-0-id": [""],
        "execution_methods-TOTAL_FORMS": ["1"],
        "execution_methods-0-channel": ["in_person"],
        "execution_methods-0-processing_time_value": ["5"],
        "execution_methods-0-processing_time_unit": ["working_day"],
        "execution_methods-0-processing_time_text": [""],
        "execution_methods-0-description": [""],
        "execution_methods-0-ORDER": ["1"],
        "execution_methods-0-DELETE": [""],
        "execution_methods-0-id": [""],
        "execution_methods-0-fees-TOTAL_FORMS": ["1"],
        "execution_methods-0-fees-INITIAL_FORMS": ["0"],
        "execution_methods-0-fees-MIN_NUM_FORMS": ["0"],
        "execution_methods-0-fees-MAX_NUM_FORMS": ["1000"],
        "execution_methods-0-fees-0-kind": ["charge"],
        "execution_methods-0-fees-0-amount": ["0"],
        "execution_methods-0-fees-0-currency": ["VND"],
        "execution_methods-0-fees-0-description": ["Miễn phí"],
        "execution_methods-0-fees-0-ORDER": ["1"],
        "execution_methods-0-fees-0-DELETE": [""],
        "execution_methods-0-fees-0-id": [""],
        "dossier_cases-TOTAL_FORMS": ["1"],
        "dossier_cases-0-name": ["Trường hợp thông thường"],
        "dossier_cases-0-description": [""],
        "dossier_cases-0-ORDER": ["1"],
        "dossier_cases-0-DELETE": [""],
        "dossier_cases-0-id": [""],
        "dossier_cases-0-documents-TOTAL_FORMS": ["1"],
        "dossier_cases-0-documents-INITIAL_FORMS": ["0"],
        "dossier_cases-0-documents-MIN_NUM_FORMS": ["0"],
        "dossier_cases-0-documents-MAX_NUM_FORMS": ["1000"],
        "dossier_cases-0-documents-0-name": ["Tờ khai"],
        "dossier_cases-0-documents-0-originals": ["1"],
        "dossier_cases-0-documents-0-copies": ["0"],
        "dossier_cases-0-documents-0-is_required": ["on"],
        "dossier_cases-0-documents-0-note": [""],
        "dossier_cases-0-documents-0-form_template": [""],
        "dossier_cases-0-documents-0-ORDER": ["1"],
        "dossier_cases-0-documents-0-DELETE": [""],
        "dossier_cases-0-documents-0-id": [""],
    }


def test_completing_the_parts_lets_the_editor_submit(client, editor, bare_procedure):
    client.force_login(editor)
    data = open_form(client, bare_procedure)
    data.update(complete_parts())
    response = client.post(edit_url(bare_procedure), {**data, "action-submit": ["1"]})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert WorkflowState.objects.get(object_id=str(bare_procedure.pk)).status == (
        "in_progress"
    )
    content = latest(bare_procedure)
    assert fee_amounts(content) == [0]
    assert content["steps"][0]["description"].endswith(
        ">Nộp hồ sơ tại bộ phận một cửa.</p>"
    )


def test_an_emptied_rich_text_is_empty_not_an_empty_paragraph(
    client, editor, department
):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    data = open_form(client, page)
    empty = {
        "blocks": [
            {
                "key": "x1y2z",
                "type": "unstyled",
                "depth": 0,
                "text": "",
                "inlineStyleRanges": [],
                "entityRanges": [],
            }
        ],
        "entityMap": {},
    }
    data["steps-0-description"] = [json.dumps(empty)]
    assert client.post(edit_url(page), data).status_code == 302
    assert latest(page)["steps"][0]["description"] == ""

    # a step's text is required: submitting the emptied step is refused
    data = open_form(client, page)
    data["change_note"] = ["Sửa bước 1"]
    response = client.post(edit_url(page), {**data, "action-submit": ["1"]})
    assert response.status_code == 200
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()
    # the parts after the faulty step are still read: nothing else is reported missing
    assert "thủ tục còn thiếu" not in response.content.decode()


def test_a_forged_rich_text_source_is_ignored(client, editor, department):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    data = open_form(client, page)
    data["steps-0-description-source"] = ["<script>alert(1)</script>"]
    assert client.post(edit_url(page), data).status_code == 302
    stored = latest(page)["steps"][0]["description"]
    assert "script" not in stored
    assert ">Nộp hồ sơ tại bộ phận một cửa.</p>" in stored


def _submit(client, page, **changes):
    data = open_form(client, page)
    data.update(complete_parts())
    data.update({name: [value] for name, value in changes.items()})
    response = client.post(edit_url(page), {**data, "action-submit": ["1"]})
    return response


def test_a_fee_without_a_fixed_amount_is_a_fee_statement(
    client, editor, bare_procedure
):
    """An amount left blank with the text that sets it ("theo quy định của HĐND cấp tỉnh")
    states the fee: stored as no fixed amount, not as 0 (free)."""
    client.force_login(editor)
    fee = "execution_methods-0-fees-0-"
    response = _submit(
        client,
        bare_procedure,
        **{
            f"{fee}amount": "",
            f"{fee}description": "Mức thu do Hội đồng nhân dân cấp tỉnh quyết định",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert fee_amounts(latest(bare_procedure)) == [None]


def test_a_fee_with_neither_amount_nor_text_states_nothing(
    client, editor, bare_procedure
):
    client.force_login(editor)
    fee = "execution_methods-0-fees-0-"
    response = _submit(
        client, bare_procedure, **{f"{fee}amount": "", f"{fee}description": ""}
    )
    assert response.status_code == 200
    assert "Chưa ghi mức phí, lệ phí" in response.content.decode()


def test_a_bare_figure_as_processing_time_is_named_as_missing_its_unit(
    client, editor, bare_procedure
):
    """ "7" is shown as "7 (không ghi rõ đơn vị thời gian)": not a complete processing time."""
    client.force_login(editor)
    method = "execution_methods-0-"
    response = _submit(
        client,
        bare_procedure,
        **{
            f"{method}processing_time_value": "",
            f"{method}processing_time_unit": "",
            f"{method}processing_time_text": "7",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thời hạn giải quyết “7” ở cách thức 1 (Trực tiếp) chưa ghi đơn vị" in html
    assert not WorkflowState.objects.filter(object_id=str(bare_procedure.pk)).exists()


def test_bare_figures_in_several_methods_are_named_in_one_sentence(
    client, editor, bare_procedure
):
    """Three methods giving "7", "7" and "10": one sentence naming each method once, not
    the same sentence three times over."""
    client.force_login(editor)
    data = open_form(client, bare_procedure)
    data.update(complete_parts())
    first = {
        name: value
        for name, value in data.items()
        if name.startswith("execution_methods-0-")
    }
    for number, channel in ((1, "online"), (2, "postal")):
        for name, value in first.items():
            data[name.replace("-0-", f"-{number}-", 1)] = value
        data[f"execution_methods-{number}-channel"] = [channel]
        data[f"execution_methods-{number}-ORDER"] = [str(number + 1)]
    data["execution_methods-TOTAL_FORMS"] = ["3"]
    for number, figure in enumerate(["7", "7", "10"]):
        data[f"execution_methods-{number}-processing_time_value"] = [""]
        data[f"execution_methods-{number}-processing_time_unit"] = [""]
        data[f"execution_methods-{number}-processing_time_text"] = [figure]
    response = client.post(edit_url(bare_procedure), {**data, "action-submit": ["1"]})
    assert response.status_code == 200
    html = response.content.decode()
    sentence = (
        "Thời hạn giải quyết “7” ở cách thức 1 (Trực tiếp), 2 (Trực tuyến); “10” ở cách "
        "thức 3 (Dịch vụ bưu chính) chưa ghi đơn vị: nhập số vào ô thời hạn và chọn đơn "
        "vị (ngày làm việc, ngày, giờ, tháng)."
    )
    # once above the methods and once in the summary at the top of the page
    assert html.count(sentence) == 2, html[:3000]
    assert html.count("chưa ghi đơn vị") == 2
    assert not WorkflowState.objects.filter(object_id=str(bare_procedure.pk)).exists()


def test_a_processing_time_in_words_is_complete(client, editor, bare_procedure):
    client.force_login(editor)
    method = "execution_methods-0-"
    response = _submit(
        client,
        bare_procedure,
        **{
            f"{method}processing_time_value": "",
            f"{method}processing_time_unit": "",
            f"{method}processing_time_text": "Trong ngày làm việc",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.mark.parametrize(
    ("typed", "chosen", "message"),
    [
        ("50 USD", "VND", "“50 USD” (USD) nhưng đơn vị tiền tệ bên cạnh là VND"),
        ("$50", "VND", "“$50” (USD) nhưng đơn vị tiền tệ bên cạnh là VND"),
        ("50 EUR", "USD", "“50 EUR” (EUR) nhưng đơn vị tiền tệ bên cạnh là USD"),
        ("50 đồng", "USD", "“50 đồng” (đồng) nhưng đơn vị tiền tệ bên cạnh là USD"),
    ],
)
def test_a_currency_typed_that_differs_from_the_one_chosen_is_named(
    client, editor, department, typed, chosen, message
):
    response, page, before = type_amount(client, editor, department, typed, chosen)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html, html[:2000]
    assert AMOUNT_ERROR not in html  # the specific message, not the generic one
    assert page.get_latest_revision().pk == before

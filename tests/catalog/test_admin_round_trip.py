"""An editor writes a procedure in the admin and submits it; the department's moderator publishes it."""

from django.urls import reverse

from wagtail.models import WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

import pytest

from catalog.models import CatalogEvent, Field, Level, ProcedurePage, SubjectType
from tests.factories import make_form_template

pytestmark = pytest.mark.django_db


@pytest.fixture
def templates(department):
    return [
        make_form_template(
            department=department, code="HT-KS1", name="Tờ khai khai sinh"
        ),
        make_form_template(
            department=department, code="HT-BR1", name="Biên bản bỏ rơi"
        ),
    ]


@pytest.fixture
def add_url(department):
    return reverse(
        "wagtailadmin_pages:add", args=("catalog", "procedurepage", department.pk)
    )


def procedure_form(*, title: str, change_note: str, templates, **overrides) -> dict:
    field = Field.objects.create(code="G15-TP07", name="Hộ tịch")
    level = Level.objects.create(code="commune", name="Cấp Xã")
    subject = SubjectType.objects.create(code="citizen", name="Công dân Việt Nam")
    data = {
        "title": title,
        "slug": "",
        "national_code": "1.000080",
        "local_code": "",
        "procedure_type": "standard",
        "status": "active",
        "summary": "Đăng ký khai sinh cho trẻ em sinh ra tại Việt Nam.",
        "implementing_agencies": "UBND cấp xã",
        "levels": [level.pk],
        "fields": [field.pk],
        "subject_types": [subject.pk],
        "online_level": "partial",
        "online_url": "",
        "conditions": rich_text(""),
        "change_note": change_note,
        "steps": inline_formset(
            [
                {
                    "title": "Nộp hồ sơ",
                    "description": rich_text("<p>Nộp tại một cửa.</p>"),
                }
            ]
        ),
        "execution_methods": inline_formset(
            [
                {
                    "channel": "in_person",
                    "processing_time_value": "3",
                    "processing_time_unit": "working_day",
                    "description": "",
                    "processing_time_text": "",
                    "fees": inline_formset(
                        [
                            {
                                "kind": "charge",
                                "amount": "8000",
                                "currency": "VND",
                                "description": "Miễn cho trẻ em hộ nghèo",
                            },
                            {
                                "kind": "service_fee",
                                "amount": "20000",
                                "currency": "VND",
                                "description": "Trả kết quả tại nhà",
                            },
                        ]
                    ),
                },
                {
                    "channel": "online",
                    "processing_time_value": "2",
                    "processing_time_unit": "working_day",
                    "description": "",
                    "processing_time_text": "",
                    "fees": inline_formset(
                        [
                            {
                                "kind": "charge",
                                "amount": "4000",
                                "currency": "VND",
                                "description": "",
                            }
                        ]
                    ),
                },
            ]
        ),
        "dossier_cases": inline_formset(
            [
                {
                    "name": "Trẻ em sinh ra tại cơ sở y tế",
                    "description": "",
                    "documents": inline_formset(
                        [
                            {
                                "name": "Tờ khai đăng ký khai sinh",
                                "originals": "1",
                                "copies": "0",
                                "is_required": "on",
                                "note": "",
                                "form_template": str(templates[0].pk),
                            },
                            {
                                "name": "Giấy chứng sinh",
                                "originals": "1",
                                "copies": "0",
                                "is_required": "on",
                                "note": "",
                                "form_template": "",
                            },
                        ]
                    ),
                },
                {
                    "name": "Trẻ bị bỏ rơi",
                    "description": "",
                    "documents": inline_formset(
                        [
                            {
                                "name": "Biên bản xác nhận trẻ bị bỏ rơi",
                                "originals": "1",
                                "copies": "0",
                                "is_required": "on",
                                "note": "",
                                "form_template": str(templates[1].pk),
                            }
                        ]
                    ),
                },
            ]
        ),
        "legal_basis": [],
        "results": [],
    }
    data.update(overrides)
    return nested_form_data(data)


def test_editor_creates_and_submits_moderator_publishes(
    client, editor, moderator, templates, add_url
):
    client.force_login(editor)
    assert client.get(add_url).status_code == 200

    form = procedure_form(
        title="Đăng ký khai sinh",
        change_note="Công bố thủ tục mới",
        templates=templates,
    )
    form["action-submit"] = "Submit"
    response = client.post(add_url, form)
    assert response.status_code == 302, (
        response.context["form"].errors if response.context else response
    )

    procedure = ProcedurePage.objects.get(national_code="1.000080")
    assert procedure.live is False
    assert procedure.slug == "dang-ky-khai-sinh"
    state = WorkflowState.objects.get(
        base_content_type__model="page", object_id=str(procedure.pk)
    )
    assert state.status == "in_progress"
    assert not CatalogEvent.objects.filter(page_id=procedure.pk).exists()

    client.force_login(moderator)
    task_state = state.current_task_state
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(procedure.pk, "approve", task_state.pk),
    )
    response = client.post(approve_url, {"comment": ""})
    assert response.status_code in (200, 302)

    procedure.refresh_from_db()
    assert procedure.live is True
    events = list(
        CatalogEvent.objects.filter(page_id=procedure.pk).values_list(
            "action", "change_note"
        )
    )
    assert events == [("published", "Công bố thủ tục mới")]

    public = client.get(procedure.url)
    html = public.content.decode()
    assert public.status_code == 200
    for expected in (
        "Đăng ký khai sinh",
        "8.000 đồng",
        "20.000 đồng",
        "4.000 đồng",
        "3 ngày làm việc",
        "Trẻ bị bỏ rơi",
        "Giấy chứng sinh",
        "HT-KS1",
        "HT-BR1",
        "Công bố thủ tục mới",
    ):
        assert expected in html, expected


def test_editor_cannot_publish_directly(client, editor, templates, add_url):
    client.force_login(editor)
    form = procedure_form(
        title="Đăng ký khai sinh", change_note="Mới", templates=templates
    )
    form["action-publish"] = "Publish"
    client.post(add_url, form)
    procedure = ProcedurePage.objects.get(national_code="1.000080")
    assert procedure.live is False
    assert not CatalogEvent.objects.exists()


def test_submit_without_change_note_is_refused(client, editor, templates, add_url):
    client.force_login(editor)
    form = procedure_form(
        title="Đăng ký khai sinh", change_note="", templates=templates
    )
    form["action-submit"] = "Submit"
    response = client.post(add_url, form)
    assert response.status_code == 200
    assert "ghi chú thay đổi công khai" in response.content.decode()
    assert not ProcedurePage.objects.exists()


def test_negative_fee_in_the_admin_form_names_the_problem(
    client, editor, templates, add_url
):
    client.force_login(editor)
    form = procedure_form(
        title="Đăng ký khai sinh", change_note="x", templates=templates
    )
    form["execution_methods-0-fees-0-amount"] = "-5000"
    response = client.post(add_url, form)
    assert response.status_code == 200
    assert "Mức phí, lệ phí không được âm." in response.content.decode()
    assert not ProcedurePage.objects.exists()


def test_forged_form_template_of_another_department_is_refused(
    client, editor, department, other_department, add_url
):
    own = make_form_template(department=department, code="D1", name="A")
    foreign = make_form_template(
        department=other_department, code="PBT-01", name="Mẫu riêng của đơn vị khác"
    )
    client.force_login(editor)
    form = procedure_form(
        title="Đăng ký khai sinh", change_note="x", templates=[own, foreign]
    )
    response = client.post(add_url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bạn không được dùng mẫu đã chọn" in page
    # neither the refused form's code nor its name is shown to someone who may not see it
    assert "PBT-01" not in page and foreign.name not in page
    assert not ProcedurePage.objects.exists()

    form["dossier_cases-1-documents-0-form_template"] = str(own.pk)
    assert client.post(add_url, form).status_code == 302
    assert ProcedurePage.objects.filter(national_code="1.000080").exists()

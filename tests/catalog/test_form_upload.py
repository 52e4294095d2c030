"""Editors upload a form file and create its template for their own department, from the chooser."""

import hashlib
import json

from django.core.files.uploadedfile import SimpleUploadedFile

from wagtail.models import ModelLogEntry

import pytest

from catalog.models import FormTemplate
from catalog.services.roles import grant_role
from tests.factories import make_form_template

pytestmark = pytest.mark.django_db

CHOOSE_URL = "/admin/snippets/choose/catalog/formtemplate/"
CREATE_URL = CHOOSE_URL + "create/"
PDF = b"%PDF-1.4\n% mau van ban uy quyen\n" + b"1" * 500


@pytest.fixture
def editor(django_user_model, superuser, department):
    user = django_user_model.objects.create_user("editor", password="pw")
    grant_role(actor=superuser, user=user, department=department, role="editor")
    return user


def _upload(client, *, name="uy-quyen.pdf", content=PDF, **fields):
    data = {
        "code": "UQ-KS",
        "name": "Mẫu văn bản ủy quyền",
        "version": "2",
        "effective_on": "15/07/2025",
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        **fields,
    }
    response = client.post(CREATE_URL, data)
    return response, json.loads(response.content)


def test_chooser_offers_the_upload_tab_to_an_editor(client, editor):
    client.force_login(editor)
    response = client.get(CHOOSE_URL)
    assert response.status_code == 200
    html = json.loads(response.content)["html"]
    assert "Tải mẫu mới" in html
    for label in ("Tệp mẫu", "Mã mẫu", "Tên mẫu", "Phiên bản", "Ngày áp dụng"):
        assert label in html
    assert 'type="file"' in html and "Tải lên và chọn" in html


def test_editor_uploads_a_form_into_their_department(client, editor, department):
    client.force_login(editor)
    response, data = _upload(client)
    assert response.status_code == 200
    assert data["step"] == "chosen", data
    template = FormTemplate.objects.get(code="UQ-KS")
    assert data["result"]["id"] == str(template.pk)
    assert "UQ-KS" in str(data["result"])
    assert template.department == department
    assert template.document.collection_id == department.collection_id
    assert template.sha256 == hashlib.sha256(PDF).hexdigest()
    assert template.size == len(PDF)
    assert template.version == "2"
    assert template.effective_on.isoformat() == "2025-07-15"
    assert template.document.uploaded_by_user == editor
    assert ModelLogEntry.objects.filter(
        object_id=str(template.pk), action="wagtail.create", user=editor
    ).exists()
    # the editor can pick it again later, like any template of the department
    listing = json.loads(client.get(CHOOSE_URL).content)["html"]
    assert "Mẫu văn bản ủy quyền" in listing


@pytest.mark.parametrize(
    ("name", "content", "fields", "message"),
    [
        ("virus.exe", PDF, {}, "Không nhận tệp .exe"),
        ("a" * 120 + ".pdf", PDF, {}, "Tên tệp dài quá"),
        ("rong.pdf", b"", {}, "rỗng"),
        ("ok.pdf", PDF, {"code": "mã có dấu"}, "Mã"),
        ("ok.pdf", PDF, {"effective_on": "07/31/2025"}, "ngày"),
    ],
)
def test_bad_uploads_are_refused_in_vietnamese(
    client, editor, name, content, fields, message
):
    client.force_login(editor)
    response, data = _upload(client, name=name, content=content, **fields)
    assert data["step"] == "reshow_creation_form"
    assert message.lower() in data["htmlFragment"].lower()
    assert not FormTemplate.objects.exists()


def test_file_size_limit(client, editor, settings):
    settings.FORM_TEMPLATE_MAX_UPLOAD_BYTES = 100
    client.force_login(editor)
    _response, data = _upload(client)
    assert data["step"] == "reshow_creation_form"
    assert "vượt giới hạn" in data["htmlFragment"]
    assert not FormTemplate.objects.exists()


def test_duplicate_code_is_refused(client, editor, department):
    make_form_template(department=department, code="UQ-KS")
    client.force_login(editor)
    _response, data = _upload(client)
    assert data["step"] == "reshow_creation_form"
    assert "đã được dùng" in data["htmlFragment"]
    assert FormTemplate.objects.count() == 1


def test_another_departments_id_is_refused(client, editor, other_department):
    client.force_login(editor)
    response = client.post(
        CREATE_URL,
        {
            "code": "UQ-KS",
            "name": "Mẫu",
            "department": str(other_department.pk),
            "file": SimpleUploadedFile("uy-quyen.pdf", PDF),
        },
    )
    # refused by the admin's department guard (403) or by the form (the id is not offered)
    if response.status_code != 403:
        assert json.loads(response.content)["step"] == "reshow_creation_form"
    assert not FormTemplate.objects.exists()


def test_a_user_without_a_department_may_not_upload(
    client, django_user_model, superuser, department, other_department
):
    outsider = django_user_model.objects.create_user("outsider", password="pw")
    client.force_login(outsider)
    response = client.post(
        CREATE_URL,
        {
            "code": "X1",
            "name": "X",
            "department": str(department.pk),
            "file": SimpleUploadedFile("x.pdf", PDF),
        },
    )
    assert response.status_code in (302, 403)
    assert not FormTemplate.objects.exists()

    # positive control: a catalog admin chooses the department among all of them
    client.force_login(superuser)
    _response, data = _upload(client, department=str(other_department.pk))
    assert data["step"] == "chosen"
    assert FormTemplate.objects.get().department == other_department


def test_the_form_itself_offers_only_the_users_departments(
    editor, department, other_department
):
    from catalog.form_upload import FormTemplateUploadForm

    form = FormTemplateUploadForm(
        {"code": "UQ-KS", "name": "Mẫu", "department": str(other_department.pk)},
        {"file": SimpleUploadedFile("uy-quyen.pdf", PDF)},
        user=editor,
    )
    assert not form.is_valid()
    assert "department" in form.errors
    form = FormTemplateUploadForm(
        {"code": "UQ-KS", "name": "Mẫu"},
        {"file": SimpleUploadedFile("uy-quyen.pdf", PDF)},
        user=editor,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["department"] == department

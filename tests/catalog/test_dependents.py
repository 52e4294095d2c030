"""Shared data a procedure shows changes what it publishes: the procedures showing it get an
`updated` event (for the change feed and the search index), and nothing else does."""

import pytest

from catalog.models import CatalogEvent, DepartmentPage, Field
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def refreshes():
    return list(
        CatalogEvent.objects.filter(from_shared_data=True).values_list(
            "national_code", "action"
        )
    )


def test_a_published_department_rename_refreshes_its_procedures_only(
    department, other_department
):
    make_procedure(department=department, national_code="7.1", title="Một")
    make_procedure(department=department, national_code="7.2", title="Hai")
    make_procedure(department=other_department, national_code="7.3", title="Ba")
    page = DepartmentPage.objects.get(pk=department.pk)

    page.title = "Sở Tư pháp (tên mới)"
    page.save_revision()  # a draft: nothing public changed yet
    assert refreshes() == []

    page.save_revision().publish()
    assert sorted(refreshes()) == [("7.1", "updated"), ("7.2", "updated")]

    DepartmentPage.objects.get(pk=department.pk).save()  # same name, code and slug
    assert len(refreshes()) == 2


def test_shared_list_entries_refresh_the_procedures_linked_to_them(department):
    used = Field.objects.create(code="F-USED", name="Hộ tịch")
    unused = Field.objects.create(code="F-UNUSED", name="Đất đai")  # new: no event
    procedure = make_procedure(department=department, national_code="7.4", title="Bốn")
    procedure.fields.add(used)
    procedure.save_revision().publish()
    assert refreshes() == []

    unused.name = "Đất đai - nhà ở"
    unused.save()
    assert refreshes() == []

    used.name = "Hộ tịch - chứng thực"
    used.save()
    used.delete()
    assert refreshes() == [("7.4", "updated"), ("7.4", "updated")]


def test_the_public_history_keeps_only_what_editors_wrote(client, department):
    procedure = make_procedure(department=department, national_code="7.5", title="Năm")
    field = Field.objects.create(code="F-HIST", name="Chứng thực")
    procedure.fields.add(field)
    procedure.save_revision().publish()
    before = client.get(f"/api/v1/procedures/{procedure.national_code}/").json()
    field.name = "Chứng thực bản sao"
    field.save()
    after = client.get(f"/api/v1/procedures/{procedure.national_code}/").json()
    assert after["change_history"] == before["change_history"]
    assert [entry["name"] for entry in after["fields"]] == ["Chứng thực bản sao"]


def test_a_replaced_form_file_gives_the_form_its_new_checksum(client, department):
    import hashlib

    from django.core.files.base import ContentFile

    from catalog.models import FormTemplate
    from tests.factories import make_form_template

    form = make_form_template(department=department, code="TK-FILE")
    document = form.document
    content = b"%PDF-1.4 the 2026 version of the form"
    document.file.save("TK-FILE-2026.pdf", ContentFile(content), save=False)
    document.save()
    form = FormTemplate.objects.get(pk=form.pk)
    assert form.sha256 == hashlib.sha256(content).hexdigest()
    assert form.size == len(content)
    served = client.get("/api/v1/forms/TK-FILE/").json()
    assert served["sha256"] == form.sha256 and served["size"] == len(content)

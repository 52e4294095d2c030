"""The bulk import writes Wagtail's reference index as a page save does ("usage" in the admin)."""

from wagtail.models import ReferenceIndex

import pytest

from catalog.importing.service import ImportOptions, import_paths
from catalog.models import ProcedurePage
from tests.factories import make_form_template
from tests.importing.helpers import procedure_row, template_xlsx


def _rows(page) -> set[tuple]:
    return set(
        ReferenceIndex.objects.filter(object_id=str(page.pk)).values_list(
            "content_type_id",
            "base_content_type_id",
            "to_content_type_id",
            "to_object_id",
            "model_path",
            "content_path",
            "content_path_hash",
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("publish", [True, False])
def test_bulk_created_page_has_the_references_a_save_would_index(
    department, tmp_path, publish
):
    form = make_form_template(department=department, code="TK-09")
    path = template_xlsx(
        tmp_path / "moi.xlsx",
        {
            "procedures": [procedure_row("9.000009", "Cấp phép mới", "STP")],
            "documents": [
                {"code": "9.000009", "case_number": 1, "name": "Tờ khai"},
                {
                    "code": "9.000009",
                    "case_number": 1,
                    "name": "Đơn đề nghị",
                    "form_template": "TK-09",
                },
            ],
            "legal": [{"code": "9.000009", "number": "23/2025/NĐ-CP"}],
        },
    )
    report = import_paths([path], options=ImportOptions(publish=publish))
    assert report.rejections == [] and report.written
    page = ProcedurePage.objects.get(national_code="9.000009")

    # The form template's "usage" lists the imported procedure's document.
    usage = ReferenceIndex.get_references_to(form)
    assert [ref.object_id for ref in usage] == [str(page.pk)]
    assert usage.first().model_path == "dossier_cases.item.documents.item.form_template"

    imported = _rows(page)
    ReferenceIndex.create_or_update_for_object(ProcedurePage.objects.get(pk=page.pk))
    assert (
        _rows(page) == imported
    )  # what an admin save indexes: nothing added or removed

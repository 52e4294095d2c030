"""The archive's procedure records read with values() (catalog.backup.dump.procedure_records)
are byte for byte the records built from model instances (procedure_record), which they replaced
for speed: same keys, order, values and JSON."""

from wagtail.models import Page

import pytest

from catalog.backup.archive import dumps
from catalog.backup.dump import procedure_record, procedure_records, public_forms
from catalog.models import DepartmentPage, ProcedurePage
from catalog.selectors import procedures_with_parts, public_procedures


def instance_records(pages, *, forms=None) -> list[bytes]:
    departments = dict(DepartmentPage.objects.values_list("path", "code"))
    return [
        dumps(
            procedure_record(
                page,
                department_code=departments.get(page.path[: -Page.steplen], ""),
                forms=forms,
            )
        )
        for page in procedures_with_parts(pages).order_by("path")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("public", [False, True])
def test_value_rows_give_the_same_records_as_instances(public):
    from catalog.demo.loader import load_demo

    load_demo(log=lambda message: None)
    # A draft over a live page, and a page with no parts at all, are records too.
    page = ProcedurePage.objects.live().order_by("path").first()
    page.has_unpublished_changes = True
    page.save(update_fields=["has_unpublished_changes"])
    forms = set(public_forms().values_list("pk", flat=True)) if public else None
    pages = public_procedures() if public else ProcedurePage.objects.all()

    fast = [
        dumps(record)
        for record in procedure_records(
            lambda message: None, public=public, forms=forms
        )
    ]

    assert len(fast) == pages.count() >= 40
    assert fast == instance_records(pages, forms=forms)

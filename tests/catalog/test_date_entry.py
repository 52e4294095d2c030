"""Dates posted to the admin: day first or ISO are read as meant; anything else is refused.

The date picker no longer "corrects" what it cannot read (catalog.widgets.TypedDateInput), so
the server is where 31/02/2026 or 04/13/2026 is stopped, with the field's name in the message.
"""

import datetime

from django.urls import reverse

import pytest

from catalog.models import LegalDocument, ProcedurePage
from tests.catalog.test_save_unchanged import edit_form_data

pytestmark = pytest.mark.django_db

REFUSED = ["31/02/2026", "32/01/2026", "04/13/2026", "00/00/0000", "abc"]
READ = {
    "03/04/2026": datetime.date(2026, 4, 3),
    "3/4/2026": datetime.date(2026, 4, 3),
    "03.04.2026": datetime.date(2026, 4, 3),
    "2026-04-03": datetime.date(2026, 4, 3),
}


@pytest.fixture
def admin_client(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.invalid", "pw")
    )
    return client


def post_effective_date(client, procedure, typed):
    url = reverse("wagtailadmin_pages:edit", args=(procedure.pk,))
    data = edit_form_data(client.get(url).content.decode())
    data["effective_date"] = [typed]
    return client.post(url, data)


@pytest.mark.parametrize("typed", REFUSED)
def test_a_date_that_does_not_exist_is_refused_naming_the_field(
    admin_client, procedure, typed
):
    before = procedure.get_latest_revision().pk
    response = post_effective_date(admin_client, procedure, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Ngày hiệu lực: “{typed}” không phải là một ngày có thật" in page
    assert f'value="{typed}"' in page  # what was typed is shown again, to be corrected
    assert ProcedurePage.objects.get(pk=procedure.pk).get_latest_revision().pk == before


@pytest.mark.parametrize("typed", list(READ))
def test_a_date_day_first_or_iso_is_stored_as_meant(admin_client, procedure, typed):
    assert post_effective_date(admin_client, procedure, typed).status_code == 302
    content = ProcedurePage.objects.get(pk=procedure.pk).get_latest_revision().content
    assert content["effective_date"] == READ[typed].isoformat()


def test_a_legal_document_with_a_month_first_date_is_refused(admin_client):
    url = reverse("wagtailsnippets_catalog_legaldocument:add")
    data = {
        "number": "12/2026/QĐ-UBND",
        "title": "Quyết định công bố thủ tục",
        "issuer": "UBND Thành phố",
        "issued_on": "04/13/2026",
        "effective_on": "2026-04-20",
        "url": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "Ngày ban hành: “04/13/2026” không phải là một ngày có thật" in (
        response.content.decode()
    )
    assert not LegalDocument.objects.exists()

    data["issued_on"] = "13/04/2026"
    assert admin_client.post(url, data).status_code == 302
    document = LegalDocument.objects.get()
    assert (document.issued_on, document.effective_on) == (
        datetime.date(2026, 4, 13),
        datetime.date(2026, 4, 20),
    )

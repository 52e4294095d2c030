"""The shared-data version that public caches key on changes exactly when shared data changes."""

from django.db import transaction

import pytest

from catalog.freshness import bump_shared_version, shared_state, shared_version
from catalog.models import Field, LegalDocument
from tests.factories import make_form_template

pytestmark = pytest.mark.django_db


def test_renaming_a_shared_list_entry_changes_the_version():
    field = Field.objects.create(code="F-FRESH", name="Hộ tịch")
    before = shared_version()
    field.name = "Hộ tịch - chứng thực"
    field.save()
    after, changed_at = shared_state()
    assert after != before
    assert changed_at is not None


def test_deleting_a_legal_document_changes_the_version():
    document = LegalDocument.objects.create(
        number="99/2026/NĐ-CP", title="Nghị định thử"
    )
    before = shared_version()
    document.delete()
    assert shared_version() != before


def test_replacing_a_form_template_changes_the_version(department):
    form = make_form_template(department=department)
    before = shared_version()
    form.version = "2"
    form.save()
    assert shared_version() != before


def test_a_rolled_back_change_leaves_the_version_alone():
    before = shared_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        Field.objects.create(code="F-ROLLBACK", name="Không lưu")
        raise RuntimeError
    assert shared_version() == before


def test_reading_the_version_never_changes_it():
    bump_shared_version()
    assert shared_version() == shared_version()


def test_moving_the_site_to_another_host_changes_the_version():
    from wagtail.models import Site

    site = Site.objects.get(is_default_site=True)
    before = shared_version()
    site.hostname = "dichvucong.example"
    site.save()
    assert shared_version() != before

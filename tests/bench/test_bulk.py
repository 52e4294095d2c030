"""Bulk-loaded procedures are valid Wagtail pages that the site, its APIs and its tree checks accept."""

from django.test import Client

from wagtail.models import Page

import pytest

from bench.bulk import load
from bench.generate import plan
from bench.profile import load_profile
from catalog.models import CatalogEvent, ProcedurePage


@pytest.mark.django_db(transaction=False)
def test_loaded_catalog_is_a_valid_page_tree_served_by_the_site():
    generated = plan(60, 4, seed=11, profile=load_profile(None))
    counts = load(generated, verbose=False)
    assert counts["procedures"] == 60
    assert Page.find_problems() == ([], [], [], [], [])
    procedures = ProcedurePage.objects.live()
    assert procedures.count() == 60
    page = procedures.order_by("pk").first()
    item = next(
        p for p in generated.procedures if p["national_code"] == page.national_code
    )
    assert page.live_revision_id and page.latest_revision_id == page.live_revision_id
    restored = page.live_revision.as_object()
    assert [m.channel for m in restored.execution_methods.all()] == [
        m["channel"] for m in item["execution_methods"]
    ]
    assert page.get_parent().specific.code == item["department"]
    assert CatalogEvent.objects.filter(page_id=page.pk, action="published").count() == 1
    response = Client().get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()

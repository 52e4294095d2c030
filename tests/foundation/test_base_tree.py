"""A flushed database (tests that commit, `manage.py flush`) gets its home page and site back."""

from django.core.management import call_command

from wagtail.models import Collection, Page, Site

import pytest

from cms.models import HomePage


@pytest.mark.django_db(transaction=True)
def test_flush_restores_home_page_site_and_root_collection(client):
    call_command("flush", "--no-input", verbosity=0)
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page.specific_class is HomePage
    assert Page.get_first_root_node().depth == 1
    assert Collection.get_first_root_node() is not None
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_ensure_is_idempotent():
    from cms.setup import ensure_base_tree

    before = list(Page.objects.values_list("pk", "path"))
    ensure_base_tree()
    assert list(Page.objects.values_list("pk", "path")) == before

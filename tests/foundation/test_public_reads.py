"""Public GETs read and never write: no INSERT, UPDATE or DELETE per request once warm.

The API throttle and the page-view counter count in the cache (api/throttling.py,
catalog/services/page_views.py); the views' stored JSON and rendered bodies are built on the first
read (warm-up). The one write a read may cause is the view counts' batch, once per interval for
all pages: the positive control shows it, so the capture would catch a write.
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from catalog.services import page_views
from tests.site.data import build_catalog, index_catalog

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


@pytest.fixture
def catalog(settings, tmp_path, monkeypatch):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.API_ANON_RATE = "10000/min"
    settings.API_SUGGEST_RATE = "10000/min"
    catalog = build_catalog()
    now = [
        1_800_000_000.0
    ]  # the start of a minute: no view batch is due while it lasts
    monkeypatch.setattr(page_views, "clock", lambda: now[0])
    monkeypatch.setattr(page_views, "_checked_interval", 29_999_999)
    catalog["now"] = now
    return catalog


@pytest.fixture
def indexed(catalog):
    """The catalog in the embedded search index too, for the search page and API."""
    index_catalog()
    return catalog


def public_urls(catalog) -> list[str]:
    code = catalog["birth"].national_code
    return [
        f"/api/v1/procedures/{code}/",
        f"/api/v1/procedures/{code}/?format=ttl",
        "/api/v1/procedures/",
        "/api/v1/changes/",
        "/api/v1/search/?q=khai+sinh",
        "/tim-kiem/?q=khai+sinh",
        catalog["birth"].url,
        "/",
    ]


def writes_of(client, urls, capture_on_commit, **headers) -> list[str]:
    with CaptureQueriesContext(connection) as queries, capture_on_commit(execute=True):
        for url in urls:
            response = client.get(url, **headers)
            assert response.status_code in (200, 304), (url, response.status_code)
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].lstrip().split(None, 1)[0].upper() in WRITES
    ]


def test_public_gets_write_nothing_once_warm(
    client, indexed, django_capture_on_commit_callbacks
):
    urls = public_urls(indexed)
    writes_of(client, urls, django_capture_on_commit_callbacks)  # warm-up
    for _ in range(3):
        assert writes_of(client, urls, django_capture_on_commit_callbacks) == []


def test_revalidations_write_nothing_either(
    client, indexed, django_capture_on_commit_callbacks
):
    urls = public_urls(indexed)
    etags = {url: client.get(url)["ETag"] for url in urls}
    with CaptureQueriesContext(connection) as queries:
        for url, etag in etags.items():
            response = client.get(url, HTTP_IF_NONE_MATCH=etag)
            assert response.status_code == 304, url
    assert not [
        query
        for query in queries.captured_queries
        if query["sql"].lstrip().split(None, 1)[0].upper() in WRITES
    ]


def test_views_reach_the_database_in_one_batch_per_interval(
    client, catalog, django_capture_on_commit_callbacks
):
    """The positive control: the capture sees the batch write when an interval is over."""
    page = catalog["birth"]
    writes_of(client, [page.url] * 3, django_capture_on_commit_callbacks)
    catalog["now"][0] += 60 + page_views.GRACE_SECONDS
    writes = writes_of(
        client, [catalog["marriage"].url], django_capture_on_commit_callbacks
    )
    assert len(writes) == 1 and writes[0].lstrip().upper().startswith("UPDATE")
    page.refresh_from_db()
    assert page.view_count == 3


def test_a_quiet_site_writes_its_views_with_the_command(
    client, catalog, django_capture_on_commit_callbacks
):
    """No view after the interval: `manage.py flush_page_views` (from cron) writes them."""
    from io import StringIO

    from django.core.management import call_command

    page = catalog["birth"]
    writes_of(client, [page.url] * 2, django_capture_on_commit_callbacks)
    catalog["now"][0] += 60 + page_views.GRACE_SECONDS
    output = StringIO()
    call_command("flush_page_views", stdout=output)
    page.refresh_from_db()
    assert (page.view_count, output.getvalue().strip()) == (2, "2 views written")

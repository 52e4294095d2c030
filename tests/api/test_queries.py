"""Each endpoint runs the same number of SQL queries whatever the page size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from catalog.models import LegalDocument
from tests.api.conftest import republish
from tests.factories import make_department, make_form_template, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(lists):
    departments = [
        make_department(code=f"D{n}", title=f"Đơn vị {n}", kind="ward")
        for n in range(3)
    ]
    for n in range(9):
        department = departments[n % 3]
        form = make_form_template(department=department, code=f"F{n}", name=f"Mẫu {n}")
        page = make_procedure(
            department=department,
            national_code=f"2.{n:06d}",
            title=f"Thủ tục {n}",
            form_template=form,
        )
        page.fields.set([lists["civil"], lists["land"]])
        page.levels.set([lists["commune"]])
        page.legal_basis.set([lists["law"]])
        republish(page)
        LegalDocument.objects.create(number=f"{n}/2025/QĐ-UBND", title="Quyết định")
    return departments


def count_queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return len(context.captured_queries), len(response.json().get("items", [None]))


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/procedures/?page_size={n}",
        "/api/v1/procedures/?page_size={n}&fields=title,fields,department",
        "/api/v1/procedures/?page_size={n}&department=D0,D1,D2&field=G15-TP07",
        "/api/v1/changes/?page_size={n}",
        "/api/v1/forms/?page_size={n}",
        "/api/v1/legal-documents/?page_size={n}",
    ],
)
def test_query_count_does_not_grow_with_page_size(client, many, url):
    client.get(
        "/api/v1/procedures/?page_size=1"
    )  # fills the per-process site root cache
    small, small_items = count_queries(client, url.format(n=2))
    large, large_items = count_queries(client, url.format(n=9))
    assert (small_items, large_items) == (2, 9)
    assert small == large


def test_detail_and_small_lists_are_constant(client, many):
    client.get(
        "/api/v1/procedures/?page_size=1"
    )  # fills the per-process site root cache
    queries = {
        url: count_queries(client, url)[0]
        for url in [
            "/api/v1/procedures/2.000001/",
            "/api/v1/departments/",
            "/api/v1/departments/D1/",
            "/api/v1/fields/",
            "/api/v1/forms/F1/",
        ]
    }
    make_department(code="D9", title="Đơn vị 9", kind="ward")
    for url, before in queries.items():
        assert count_queries(client, url)[0] <= before, url


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/procedures/?page_size={n}",
        "/api/v1/procedures/?page_size={n}&ordering=-updated",
        "/api/v1/changes/?page_size={n}",
    ],
)
def test_reads_from_stored_json_are_constant_too(client, many, url):
    for n in (2, 9):  # every item's JSON is stored after these
        client.get(url.format(n=n))
    small, small_items = count_queries(client, url.format(n=2))
    large, large_items = count_queries(client, url.format(n=9))
    assert (small_items, large_items) == (2, 9)
    assert small == large


def test_a_stored_detail_is_one_read_and_a_repeat_none(client, many, monkeypatch):
    """The throttle counts in the cache; the stored JSON is the one statement, and the next
    anonymous read of the same code is answered from the cache (api/fast.py)."""
    from api import fast

    # The generation stays cached for the whole test: counts independent of timing.
    monkeypatch.setattr(fast, "GENERATION_SECONDS", 3600)
    client.get("/api/v1/procedures/2.000001/")
    for code in ("2.000001", "2.000005"):
        client.get(f"/api/v1/procedures/{code}/")  # its JSON stored
        fast.cache().delete(fast.entry_key(code))
        assert count_queries(client, f"/api/v1/procedures/{code}/")[0] == 1
        assert count_queries(client, f"/api/v1/procedures/{code}/")[0] == 0

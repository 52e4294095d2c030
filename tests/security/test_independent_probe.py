"""Defects an independent probe found against gunicorn on production settings (issue 17).

Each test reproduces one finding in-process and fails on it: a request that answered 5xx, a
health report that said "ok" while search was answering from its fallback, and a fallback
that answered less than it could.
"""

import io
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

import pytest

from search import engines
from tests.search.conftest import build_catalog

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/schema/"])
def test_options_on_the_api_docs_is_not_a_server_error(client, path):
    """OPTIONS /api/v1/docs/ was a 500: the Swagger view renders its metadata with an HTML
    template renderer that has no template for it (TemplateDoesNotExist)."""
    response = client.options(path)
    assert response.status_code < 500
    if response.status_code >= 400:
        assert "message" in response.json()


@pytest.mark.parametrize("offset", ["99999999999999999999", "9" * 40])
def test_a_huge_offset_on_the_wagtail_pages_api_is_a_400(client, offset):
    """/api/v2/pages/?offset=99999999999999999999 was a 500 (SQLite: "datatype mismatch";
    PostgreSQL refuses an OFFSET beyond bigint): Wagtail's pagination bounds only below."""
    response = client.get("/api/v2/pages/", {"offset": offset})
    assert response.status_code == 400
    assert "offset" in response.json()["message"]


# ---------------------------------------------------------------- search index faults


@pytest.fixture
def index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    yield settings.SEARCH_INDEX_DIR
    engines._engines.clear()


@pytest.fixture
def indexed(db, index_dir, client):
    build_catalog()
    call_command(
        "search_index",
        "rebuild",
        "--no-progress",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    engines._engines.clear()
    body = client.get("/api/v1/search/", {"q": "khai sinh"}).json()
    assert body["meta"]["fallback"] is False  # positive control
    return index_dir


def _generation(index_dir: Path) -> Path:
    return Path(os.path.realpath(index_dir / settings.SEARCH_INDEX_NAME))


def test_healthz_is_not_ok_while_search_falls_back_on_a_corrupt_doc_store(
    client, indexed
):
    """Garbage of the same size in the segment's doc store (meta.json intact) under a process
    that has the index open: the search API answered fallback=true ("Corrupted data. Invalid
    VInt") while /healthz, asked first, said "ok" with all documents present. Health counted
    documents but never read one."""
    for path in _generation(indexed).glob("*.store"):
        path.write_bytes(os.urandom(path.stat().st_size))

    health = client.get("/healthz").json()["search"]
    search = client.get("/api/v1/search/", {"q": "khai sinh"}).json()["meta"]

    assert search["fallback"] is True  # the fault is real
    assert health["status"] != "ok", health


def test_suggest_fallback_finds_a_word_inside_the_name(client, indexed):
    """With the index gone, suggest matched only the start of a name: "khai sinh" suggested
    nothing while the index suggests "Đăng ký khai sinh" and the fallback search finds it."""
    indexed_names = [
        item["name"]
        for item in client.get("/api/v1/search/suggest/", {"q": "khai sinh"}).json()[
            "items"
        ]
    ]
    assert "Đăng ký khai sinh" in indexed_names  # what the index answers

    shutil.rmtree(indexed)
    engines._engines.clear()
    search = client.get("/api/v1/search/", {"q": "khai sinh"}).json()
    assert search["meta"]["fallback"] is True
    suggest = client.get("/api/v1/search/suggest/", {"q": "khai sinh"})
    assert suggest.status_code == 200
    assert "Đăng ký khai sinh" in [item["name"] for item in suggest.json()["items"]]
    # the fallback's items have the index's shape, department included
    assert all(item["department"] for item in suggest.json()["items"])

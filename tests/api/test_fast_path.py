"""GET procedures/{code}/ answered from the server's stored answer (api/fast.py): same bytes,
same headers, no database, and never older than the catalog."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from tests.api.conftest import set_first_fee

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/procedures/1.000001/"


def answer(client, url=DETAIL, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return response, len(queries.captured_queries)


def test_the_second_read_is_the_same_answer_without_the_database(client, catalog):
    first, _ = answer(client)
    again, queries = answer(client)
    assert queries == 0
    assert again.content == first.content
    assert dict(again.items()) == dict(first.items())
    assert "public" in again["Cache-Control"]


@pytest.mark.parametrize("query", ["", "?format=jsonld", "?format=ttl"])
def test_a_revalidation_is_a_304_without_the_database(client, catalog, query):
    first, _ = answer(client, DETAIL + query)
    client.get(DETAIL + query)
    revalidated, queries = answer(
        client, DETAIL + query, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert (revalidated.status_code, queries) == (304, 0)
    assert revalidated["ETag"] == first["ETag"]
    assert revalidated["Vary"] == first["Vary"]


def test_a_change_is_served_at_once(client, catalog):
    first, _ = answer(client)
    answer(client)
    set_first_fee(catalog["birth"], 99000)
    changed, queries = answer(client, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and queries > 0
    assert changed["ETag"] != first["ETag"]


def test_editors_and_key_holders_take_the_ordinary_path(client, catalog):
    answer(client)
    client.cookies["sessionid"] = "an-editor"
    editor, queries = answer(client)
    assert editor.status_code == 200 and queries > 0
    assert "private" in editor["Cache-Control"]


def another_worker(settings, redis_url):
    """Fresh cache connections to the same Redis, as another worker process or host has."""
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
    settings.CACHES = {
        "default": {**redis, "LOCATION": redis_url},
        "pages": {**redis, "LOCATION": redis_url, "KEY_PREFIX": "pages"},
    }


def test_with_redis_another_worker_answers_and_sees_a_change_at_once(
    client, catalog, settings, redis_url
):
    another_worker(settings, redis_url)
    first, _ = answer(client)
    another_worker(settings, redis_url)
    again, queries = answer(client)
    assert (again.status_code, queries) == (200, 0)
    set_first_fee(catalog["birth"], 99000)
    another_worker(settings, redis_url)
    changed, _ = answer(client, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]

"""The anonymous search query log: what is kept of a query, that a search never writes to the
database itself, that the batch write counts searches, empty results and opened results, and
that the click beacon refuses other sites and floods."""

import unicodedata
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from search import query_log
from search.models import SearchQueryDay
from search.query_log import clean_query

CLICK = "/tim-kiem/da-mo/"
ORIGIN = {"HTTP_ORIGIN": "http://testserver"}


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("  Đăng   Ký KHAI sinh ", "đăng ký khai sinh"),
        (unicodedata.normalize("NFD", "Đăng ký khai sinh"), "đăng ký khai sinh"),
        ("gọi 0912 345 678 để hỏi", "gọi [số] để hỏi"),
        ("cccd 079201000123 bị mất", "cccd [số] bị mất"),
        ("mst 0312345678-001", "mst [số]"),
        ("bhxh 79.123.456.78", "bhxh [số]"),
        ("gửi nguyen.van.a@example.com giúp", "gửi [email] giúp"),
        ("ngày 12/05/2024", "ngày [số]"),
        # a procedure code is the catalog's own word; short numbers are not personal data
        ("1.000080", "1.000080"),
        ("kt3 năm 2024 cho 2 con", "kt3 năm 2024 cho 2 con"),
        ("12345", "12345"),
        ("   ", ""),
    ],
)
def test_what_is_kept_of_a_query(typed, stored):
    assert clean_query(typed) == stored


def test_a_long_query_is_cut_to_the_column():
    assert len(clean_query("đăng ký " * 100)) <= 200


@pytest.fixture
def indexed(module_index, db, settings):
    settings.SEARCH_INDEX_DIR = module_index[0]
    settings.SEARCH_LOG_FLUSH_INTERVAL = 60
    query_log._MEMORY.take(10**6)  # another test's leftovers
    yield module_index[1]
    query_log._MEMORY.take(10**6)


def rows():
    return {
        row.query: (row.searches, row.zero_result_searches, row.clicks)
        for row in SearchQueryDay.objects.all()
    }


def test_searches_are_buffered_then_written_in_one_batch(client, indexed):
    client.get("/tim-kiem/")  # the site's settings row is created on the first visit
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/tim-kiem/", {"q": "Đăng ký khai sinh"}).status_code == 200
        assert client.get("/tim-kiem/", {"q": "dang ky  KHAI sinh"}).status_code == 200
        assert client.get("/tim-kiem/", {"q": "xyzzy quux"}).status_code == 200
        assert client.get("/api/v1/search/", {"q": "xyzzy quux"}).status_code == 200
        # page 2 and filtered searches are the same citizen refining, not a new search
        client.get("/tim-kiem/", {"q": "đăng ký", "trang": "2"})  # 404: one page only
        client.get("/tim-kiem/", {"q": "đăng ký", "linh-vuc": "G15-TP07"})
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert not SearchQueryDay.objects.exists()
    assert query_log.buffered() == 4

    assert query_log.flush() == 4
    # accents and case kept apart: an unaccented query may fail where the accented one works
    assert rows() == {
        "đăng ký khai sinh": (1, 0, 0),
        "dang ky khai sinh": (1, 0, 0),
        "xyzzy quux": (2, 2, 0),
    }


def test_the_first_search_after_the_interval_writes_the_batch(
    client, indexed, settings
):
    client.get("/tim-kiem/", {"q": "khai tử"})
    assert not SearchQueryDay.objects.exists()  # the first entry only starts the clock
    settings.SEARCH_LOG_FLUSH_INTERVAL = 0
    client.get("/tim-kiem/", {"q": "khai tử"})
    assert rows() == {"khai tử": (2, 0, 0)}
    row = SearchQueryDay.objects.get()
    assert row.day == timezone.localdate()
    assert row.result_count >= 1
    client.get("/tim-kiem/", {"q": "khai tử"})
    assert rows() == {"khai tử": (3, 0, 0)}  # added to the same day's row


def test_opening_a_result_counts_a_click_for_that_query(client, indexed):
    client.get("/tim-kiem/", {"q": "kết hôn"})
    assert client.post(CLICK, {"q": "Kết hôn"}, **ORIGIN).status_code == 204
    assert client.post(CLICK, {"q": "kết hôn"}, **ORIGIN).status_code == 204
    # a click for a query nobody searched creates nothing
    assert client.post(CLICK, {"q": "never searched"}, **ORIGIN).status_code == 204
    query_log.flush()
    assert rows() == {"kết hôn": (1, 0, 2)}


def test_the_click_beacon_refuses_other_sites_and_bad_input(client, indexed):
    assert (
        client.post(
            CLICK, {"q": "kết hôn"}, HTTP_ORIGIN="https://evil.example"
        ).status_code
        == 403
    )
    assert client.post(CLICK, {"q": "kết hôn"}).status_code == 403  # no Origin at all
    assert (
        client.post(
            CLICK, {"q": "kết hôn"}, HTTP_SEC_FETCH_SITE="same-origin"
        ).status_code
        == 204
    )
    assert client.get(CLICK, {"q": "kết hôn"}).status_code == 405
    assert client.post(CLICK, {"q": ""}, **ORIGIN).status_code == 400
    assert client.post(CLICK, {"q": "x" * 201}, **ORIGIN).status_code == 400
    assert client.post(CLICK, {"q": "a\x00b"}, **ORIGIN).status_code == 400
    assert query_log.buffered() == 1


def test_clicks_are_rate_limited_per_client(client, indexed):
    statuses = [
        client.post(CLICK, {"q": "kết hôn"}, **ORIGIN).status_code for _ in range(32)
    ]
    assert statuses.count(204) == query_log.CLICKS_PER_MINUTE
    assert statuses[-1] == 429
    other = client.post(CLICK, {"q": "kết hôn"}, REMOTE_ADDR="10.0.0.9", **ORIGIN)
    assert other.status_code == 204


def test_the_buffer_is_bounded(indexed, settings):
    settings.SEARCH_LOG_BUFFER_LIMIT = 3
    for _ in range(5):
        query_log.record_search("khai sinh", total=1)
    assert query_log.buffered() == 3


def test_rows_past_the_retention_are_purged(indexed, settings):
    settings.SEARCH_LOG_RETENTION_DAYS = 365
    today = timezone.localdate()
    for age in (0, 365, 366, 800):
        SearchQueryDay.objects.create(
            day=today - timedelta(days=age), query=f"q{age}", searches=1
        )
    assert query_log.purge(today=today) == 2
    assert sorted(SearchQueryDay.objects.values_list("query", flat=True)) == [
        "q0",
        "q365",
    ]


def test_the_flush_command_writes_the_buffer(indexed):
    from django.core.management import call_command

    query_log.record_search("đăng ký tạm trú", total=1)
    call_command("search_log", "flush", stdout=open("/dev/null", "w"))
    assert rows() == {"đăng ký tạm trú": (1, 0, 0)}


def test_with_redis_every_worker_shares_one_buffer(indexed, settings, redis_url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "catalog",
        }
    }
    query_log.record_search("đăng ký kết hôn", total=2)
    query_log.record_search("đăng ký kết hôn", total=0)
    assert query_log.record_click("đăng ký kết hôn", client="10.0.0.1")
    assert query_log._MEMORY.size() == 0  # in Redis, not in this process
    assert query_log.buffered() == 3
    assert query_log.flush() == 3
    assert query_log.buffered() == 0
    assert rows() == {"đăng ký kết hôn": (2, 1, 1)}


def test_a_signed_in_editors_searches_and_opens_are_not_logged(
    client, indexed, django_user_model
):
    """The report is about citizens: an editor trying the site's search while signed in to the
    admin does not appear in it; the same search signed out does. (The API knows no sessions:
    its searches come from client systems, such as a portal front end relaying citizens.)"""
    editor = django_user_model.objects.create_user("bien-tap", password="x")
    client.force_login(editor)
    assert client.get("/tim-kiem/", {"q": "đăng ký khai sinh"}).status_code == 200
    assert client.post(CLICK, {"q": "đăng ký khai sinh"}, **ORIGIN).status_code == 204
    assert query_log.flush() == 0
    client.logout()
    assert client.get("/tim-kiem/", {"q": "đăng ký khai sinh"}).status_code == 200
    assert client.post(CLICK, {"q": "đăng ký khai sinh"}, **ORIGIN).status_code == 204
    query_log.flush()
    assert rows() == {"đăng ký khai sinh": (1, 0, 1)}

"""API keys and throttling as a client system meets them: header keys, refusals, 429 with Retry-After."""

import pytest

from api.models import ApiKey
from api.services import issue_api_key, revoke_api_key
from tests.api.conftest import get_json

pytestmark = pytest.mark.django_db

URL = "/api/v1/levels/"


@pytest.fixture
def key(db):
    return issue_api_key(name="Một cửa phường Bến Thành", per_minute=5)


def test_key_is_stored_hashed_with_a_visible_prefix(key):
    stored, raw = key
    assert raw not in {stored.key_hash, stored.prefix, stored.name}
    assert raw.startswith(stored.prefix) and len(stored.prefix) == 8
    assert not ApiKey.objects.filter(key_hash__contains=raw[10:]).exists()


@pytest.mark.parametrize(
    "header",
    ["HTTP_AUTHORIZATION", "HTTP_X_API_KEY"],
    ids=["authorization", "x-api-key"],
)
def test_a_valid_key_in_a_header_is_accepted(client, key, header):
    _, raw = key
    value = f"Api-Key {raw}" if header == "HTTP_AUTHORIZATION" else raw
    response = client.get(URL, **{header: value})
    assert response.status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


@pytest.mark.parametrize("name", ["api_key", "key", "apikey", "access_token"])
def test_a_key_in_the_query_string_is_refused(client, key, name):
    _, raw = key
    response, body = get_json(client, f"{URL}?{name}={raw}")
    assert response.status_code == 400
    assert "URL" in body["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_API_KEY": "not-a-key"},
        {"HTTP_X_API_KEY": ""},
        {"HTTP_X_API_KEY": "x" * 500},
        {"HTTP_AUTHORIZATION": "Bearer something"},
        {"HTTP_AUTHORIZATION": "Api-Key "},
    ],
)
def test_bad_keys_are_401(client, key, headers):
    response, body = get_json(client, URL, **headers)
    assert response.status_code == 401
    assert set(body) == {"message"}
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_is_401(client, key):
    stored, raw = key
    assert client.get(URL, HTTP_X_API_KEY=raw).status_code == 200
    revoke_api_key(key=stored)
    response, body = get_json(client, URL, HTTP_X_API_KEY=raw)
    assert response.status_code == 401 and "thu hồi" in body["message"]


def test_a_key_over_its_quota_gets_429_with_retry_after(client, key):
    _, raw = key
    statuses = [client.get(URL, HTTP_X_API_KEY=raw).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    response, body = get_json(client, URL, HTTP_X_API_KEY=raw)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert set(body) == {"message"}
    # Another key and anonymous clients keep their own quotas.
    _, other = issue_api_key(name="Cổng dịch vụ công", per_minute=100)
    assert client.get(URL, HTTP_X_API_KEY=other).status_code == 200
    assert client.get(URL).status_code == 200


def test_a_daily_quota_applies_too(client):
    _, raw = issue_api_key(name="Hệ thống thử", per_minute=100, per_day=2)
    statuses = [client.get(URL, HTTP_X_API_KEY=raw).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_anonymous_clients_are_throttled_per_ip(client, settings):
    settings.API_ANON_RATE = "3/min"
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(URL, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_a_forged_x_forwarded_for_does_not_reset_the_count(client, settings):
    settings.API_ANON_RATE = "2/min"
    for n in range(2):
        assert client.get(URL, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 200
    response = client.get(URL, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429 and "Retry-After" in response


def test_behind_trusted_proxies_the_proxy_supplied_address_counts(client, settings):
    settings.API_ANON_RATE = "1/min"
    settings.API_TRUSTED_PROXIES = 1
    # The client forges a first entry; the trusted proxy appends the real address last.
    first = client.get(URL, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5")
    forged = client.get(URL, HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.5")
    other = client.get(URL, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert [first.status_code, forged.status_code, other.status_code] == [200, 429, 200]


def test_ipv6_clients_share_a_quota_per_64_network(client, settings):
    settings.API_ANON_RATE = "1/min"
    assert client.get(URL, REMOTE_ADDR="2001:db8:1:2::1").status_code == 200
    assert client.get(URL, REMOTE_ADDR="2001:db8:1:2::ffff").status_code == 429
    assert client.get(URL, REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_a_request_writes_nothing_to_the_database(client, settings):
    """Counters live in the cache: a throttled read is a read, and a 429 is no write either."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.API_ANON_RATE = "1/min"
    with CaptureQueriesContext(connection) as queries:
        statuses = [client.get(URL).status_code for _ in range(2)]
    assert statuses == [200, 429]
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []


def test_the_window_slides_over_the_previous_minute(client, settings, monkeypatch):
    """The previous minute's count weighs on the next one, fading as it slides out."""
    settings.API_ANON_RATE = "3/min"
    now = [1_800_000_000.0]  # the start of a minute
    monkeypatch.setattr("api.throttling.clock", lambda: now[0])
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]
    now[0] += 60  # the next minute starts: the previous 3 still count in full
    refused = client.get(URL)
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    now[0] += 30  # half of them have slid out
    assert [client.get(URL).status_code for _ in range(2)] == [200, 429]
    now[0] += 120  # two idle minutes: a fresh quota
    assert [client.get(URL).status_code for _ in range(4)] == [200, 200, 200, 429]


def _worker_cache(settings, **cache):
    """Point the caches at a new backend, as another worker process would hold its own."""
    settings.CACHES = {"default": cache, "pages": cache}


def test_with_redis_every_worker_shares_the_quota(client, settings, redis_url):
    settings.API_ANON_RATE = "2/min"
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache"}
    _worker_cache(settings, **redis, LOCATION=redis_url)
    assert client.get(URL).status_code == 200
    _worker_cache(settings, **redis, LOCATION=redis_url, KEY_PREFIX="")
    assert [client.get(URL).status_code for _ in range(2)] == [200, 429]


def test_without_redis_the_quota_is_per_process(client, settings):
    """The positive control: a worker with its own memory starts from a fresh quota."""
    settings.API_ANON_RATE = "2/min"
    locmem = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    _worker_cache(settings, **locmem, LOCATION="worker-1")
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    _worker_cache(settings, **locmem, LOCATION="worker-2")
    assert client.get(URL).status_code == 200

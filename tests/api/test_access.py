"""API keys and throttling as a client system meets them: header keys, refusals, 429 with Retry-After."""

from django.core.cache import caches

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


def test_counters_live_in_the_shared_database(client, settings):
    """Workers share the count because it is kept in the database, not in process memory."""
    settings.API_ANON_RATE = "1/min"
    assert client.get(URL).status_code == 200
    caches["default"].clear()  # a per-process cache being empty changes nothing
    assert client.get(URL).status_code == 429
    from api.models import ThrottleWindow

    window = ThrottleWindow.objects.get(key__startswith="ip:127.0.0.1:")
    assert window.count == 1


def test_the_window_slides_over_one_row_per_client(client, settings, monkeypatch):
    """The previous minute's count weighs on the next one, fading as it slides out."""
    from api.models import ThrottleWindow

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
    assert ThrottleWindow.objects.filter(key__startswith="ip:127.0.0.1:").count() == 1


def test_windows_of_clients_gone_quiet_are_cleaned_up(client, settings, monkeypatch):
    from api.models import ThrottleWindow

    now = [1_800_000_000.0]
    monkeypatch.setattr("api.throttling.clock", lambda: now[0])
    assert client.get(URL, REMOTE_ADDR="10.0.0.1").status_code == 200
    now[0] += 180  # that client's window expired two minutes ago
    settings.API_THROTTLE_CLEANUP_ONE_IN = 1  # this request cleans up
    assert client.get(URL, REMOTE_ADDR="10.0.0.2").status_code == 200
    assert list(ThrottleWindow.objects.values_list("key", flat=True)) == [
        "ip:10.0.0.2:60"
    ]

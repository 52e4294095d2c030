"""Two app hosts on one PostgreSQL and one Redis, as real processes (tests/reliability/hosts.py):
each a gunicorn and a `search_index follow` with its own VAR_DIR, port and SEARCH_HOST_ID; host
b reads anonymous public requests from a PostgreSQL hot standby (pg_basebackup, streaming
replication) through DATABASE_REPLICA_URL, where any write would fail.

A publication made in host a's admin is seen on host b within 2 s: the API detail, the
procedure page b had already rendered and cached, and b's own embedded index (not the
database fallback). The API's anonymous quota is one quota across both hosts (counted in
Redis): requests split between a and b meet 429 at API_ANON_RATE, not at twice it. When the
standby then stops, b keeps answering its public reads from the primary.

Runs once, on PostgreSQL (the reliability marker; the SQLite pass leaves it out).
"""

from __future__ import annotations

import itertools
import secrets
import time
import urllib.parse

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import override_settings

import psycopg
import pytest
import redis

from catalog.models import ProcedurePage
from tests.factories import make_department, make_procedure
from tests.reliability.hosts import start_hosts, start_redis, start_standby

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

VISIBLE_WITHIN = 2.0  # seconds from the publish on a to every view on b
QUOTA = 12  # API_ANON_RATE per minute on both hosts
addresses = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def catalog(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("several hosts share one PostgreSQL (TEST_DATABASE=postgresql)")
    department = make_department(code="STP", title="Sở Tư pháp")
    for code, title in [
        ("3.000301", "Đăng ký khai sinh"),
        ("3.000302", "Đăng ký kết hôn"),
        ("3.000304", "Chứng thực bản sao từ bản chính"),
    ]:
        make_procedure(department=department, national_code=code, title=title)
    renamed = ProcedurePage.objects.get(national_code="3.000301")
    renamed.title = "Đăng ký khai sinh cho trẻ bị bỏ rơi"
    renamed.save_revision()  # a draft, published from host a's admin below
    new = make_procedure(
        department=department,
        national_code="3.000303",
        title="Cấp giấy phép kinh doanh karaoke",
        publish=False,
    )
    root = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", "pw-root"
    )
    secret_key = secrets.token_urlsafe(60)  # the hosts' own: it signs the session
    with override_settings(SECRET_KEY=secret_key):
        session = SessionStore()
        session["_auth_user_id"] = str(root.pk)
        session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = root.get_session_auth_hash()
        session.create()
    return {
        "renamed": renamed,
        "new": new,
        "session": session.session_key,
        "secret_key": secret_key,
    }


@pytest.fixture
def hosts(catalog, tmp_path):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    redis_dir = tmp_path / "redis"
    redis_dir.mkdir()
    with start_redis(redis_dir) as redis_url, start_standby(db) as standby:
        with start_hosts(
            ["a", "b"],
            tmp_path,
            database_url=url,
            redis_url=redis_url,
            SECRET_KEY=catalog["secret_key"],
            API_ANON_RATE=f"{QUOTA}/min",
            API_TRUSTED_PROXIES="1",  # X-Forwarded-For names the client
            # b reads anonymous public requests from a streaming hot standby
            per_host={"b": {"DATABASE_REPLICA_URL": standby.url}},
        ) as (a, b):
            standby.wait()  # made while the hosts started
            yield a, b, redis_url, standby


def api(host, path):
    """An API GET from a client address never used before (its own quota)."""
    return host.get(path, headers={"X-Forwarded-For": next(addresses)})


def indexed_codes(host, text, *, fallbacks: list | None = None):
    """Codes host's own embedded index finds; [] (reason kept) while it falls back to the
    database copy, as it may for a moment while the follower writes the index."""
    body = api(host, f"/api/v1/search/?q={urllib.parse.quote(text)}").json()
    if body["meta"]["fallback"]:
        assert fallbacks is not None, body["meta"]
        fallbacks.append(body["meta"]["fallback_reason"])
        return []
    return [item["code"] for item in body["items"]]


def until(check, deadline):
    while True:
        if check():
            return
        assert time.monotonic() < deadline, "not visible on host b within 2 s"
        time.sleep(0.05)


def test_host_b_serves_what_host_a_published_within_two_seconds_and_shares_its_quota(
    catalog, hosts
):
    a, b, redis_url, standby_server = hosts
    replica_url = standby_server.url
    renamed, new = catalog["renamed"], catalog["new"]
    page = renamed.url
    # b has rendered and cached the page (in the shared Redis), and knows nothing of the draft
    for _ in range(2):
        assert "Đăng ký khai sinh cho trẻ" not in b.get(page).text
    assert redis.Redis.from_url(redis_url).keys("pages:*")
    assert api(b, "/api/v1/procedures/3.000303/").status == 404
    assert "3.000303" not in indexed_codes(b, "karaoke")

    query = urllib.parse.urlencode([("id", renamed.pk), ("id", new.pk)])
    a.server.session_key = catalog["session"]
    published = a.server.request(
        "POST", f"/admin/bulk/wagtailcore/page/publish/?{query}", admin=True
    )
    assert published.status == 302, published.text[:2000]
    deadline = time.monotonic() + VISIBLE_WITHIN

    until(lambda: api(b, "/api/v1/procedures/3.000303/").status == 200, deadline)
    until(
        lambda: (
            api(b, "/api/v1/procedures/3.000301/").json()["title"]
            == "Đăng ký khai sinh cho trẻ bị bỏ rơi"
        ),
        deadline,
    )
    until(lambda: "Đăng ký khai sinh cho trẻ bị bỏ rơi" in b.get(page).text, deadline)
    fallbacks = []
    until(
        lambda: "3.000303" in indexed_codes(b, "karaoke", fallbacks=fallbacks), deadline
    )
    until(
        lambda: "3.000301" in indexed_codes(b, "tre bi bo roi", fallbacks=fallbacks),
        deadline,
    )
    assert time.monotonic() < deadline
    if fallbacks:
        print("host b answered from the database copy meanwhile:", set(fallbacks))
    # b's workers read from the standby (read-only: a write routed there would have failed)
    with psycopg.connect(
        replica_url.replace("postgres://", "postgresql://")
    ) as standby:
        [(in_recovery, b_connections)] = standby.execute(
            "SELECT pg_is_in_recovery(), count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    assert in_recovery and b_connections >= 1

    # The API's anonymous quota is one quota across both hosts (in the same test: the
    # hosts take most of its time to start)
    client = {"X-Forwarded-For": "203.0.113.9"}
    statuses = [
        host.get("/api/v1/procedures/", headers=client).status
        for host in [a, b] * (QUOTA // 2)
    ]
    assert statuses == [200] * QUOTA  # six on each host: under either host's own quota
    assert b.get("/api/v1/procedures/", headers=client).status == 429
    assert a.get("/api/v1/procedures/", headers=client).status == 429
    # another client still has its whole quota
    assert (
        a.get("/api/v1/procedures/", headers={"X-Forwarded-For": "203.0.113.10"}).status
        == 200
    )

    # The standby crashes: b's anonymous reads fall back to the primary instead of failing
    standby_server.stop()
    assert api(b, "/api/v1/procedures/3.000303/").status == 200
    assert api(b, "/api/v1/procedures/?page_size=3").status == 200
    assert b.get(page).status == 200
    assert "3.000303" in indexed_codes(b, "karaoke")
    health = b.get("/healthz").json()
    # the balancer keeps b, and the operator sees what is wrong
    assert health["status"] == "degraded", health
    assert health["database"]["replica"]["status"] == "down"

import os
import shutil
import socket
import subprocess
import time

import pytest

from tests.factories import make_department, make_procedure


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({os.environ.get('TEST_DATABASE', 'from DATABASE_URL')})"


@pytest.fixture
def department(db):
    return make_department(code="STP", title="Sở Tư pháp")


@pytest.fixture
def other_department(db):
    return make_department(code="PBT", title="UBND phường Bến Thành", kind="ward")


@pytest.fixture
def procedure(department):
    return make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        "root", "root@example.invalid", "pw"
    )


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Throttle counters, view counts and stored answers live in the caches: none leak between
    tests (ids restart after a rollback, so a stale entry could look current)."""
    from django.core.cache import caches

    caches["default"].clear()
    caches["pages"].clear()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A throwaway Debian redis-server on a free port, nothing on disk; yields its URL."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: tests/system-deps.sh installs it"
    directory = tmp_path_factory.mktemp("redis")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.02)
    yield url
    process.terminate()
    process.wait(5)


@pytest.fixture
def redis_url(redis_server):
    """The session's Redis, emptied for this test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    client.close()
    return redis_server

"""Real database faults under a real server: /healthz tells the truth, clients get 503, not 500.

Each fault is injected for real, never mocked: gunicorn on production settings serves its own
database while the test locks the SQLite file from another connection (`BEGIN EXCLUSIVE`),
makes it read-only, stops the PostgreSQL server, or turns PostgreSQL read-only (as a standby
is). During the fault /healthz answers 503 "down" naming the failing check, the API answers
503 JSON with Retry-After, the site and the admin a Vietnamese 503 page; nothing answers 500,
and the outage is one log line per worker, not a traceback per request. Once the fault is
lifted the very next request succeeds, and the catalog is exactly what it was.

Read-only as root: the tests run as root in CI, and root writes a chmod 444 file anyway
(CAP_DAC_OVERRIDE). The SQLite server is therefore started through `setpriv` without the
capabilities that bypass file permissions (dac_override, dac_read_search, fowner): it is
still uid 0 and owns the files, so chmod binds it exactly as it binds a service account.

Runs once, on PostgreSQL (marker `reliability`); the PostgreSQL faults use a throwaway cluster
of their own (tests/pg.sh), so the suite's cluster is never disturbed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.servers import (
    ROOT,
    WORKERS,
    Response,
    Server,
    manage,
    server_env,
)

pytestmark = pytest.mark.reliability

# Short, so that each request refused during a lock takes 2 s rather than the default 5 s.
BUSY_TIMEOUT = 2
RETRY_AFTER = "15"
DROP_FILE_PERMISSION_BYPASS = [
    "setpriv",
    "--inh-caps=-all",
    "--bounding-set=-dac_override,-dac_read_search,-fowner",
    "--",
]
PROCEDURE_PAGE = "/co-quan/so-tu-phap/dang-ky-khai-sinh/"
SITE_PAGES = ("/", PROCEDURE_PAGE)
API_PAGES = ("/api/v1/procedures/", "/api/v1/procedures/1.000001/")
FIGURES: dict[str, float] = {}


@dataclass
class Site:
    server: Server
    snapshot: callable  # () -> the procedures as stored, for "nothing lost"


def _prepare(env: dict, tmp: Path) -> str:
    manage(env, "manage.py", "migrate", "--no-input", "-v0")
    return manage(env, "-m", "tests.reliability.seed").strip().splitlines()[-1]


def _start(env: dict, tmp: Path, session_key: str, prefix=()) -> Server:
    server = Server(env=env, log=tmp / "server.log", prefix=list(prefix))
    server.session_key = session_key
    return server.start()


# ---------------------------------------------------------------- what a client must see


def _assert_health_down(response: Response, *, failing: str, code: str) -> dict:
    assert response.status == 503, response.text
    assert "no-store" in response.headers["cache-control"]
    body = response.json()
    assert body["status"] == "down"
    assert body["database"]["status"] == "down"
    assert body["database"][failing]["status"] == "down"
    assert code in body["database"][failing]["error"], body["database"]
    return body


def _assert_api_503(response: Response) -> None:
    assert response.status == 503, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["retry-after"] == RETRY_AFTER
    assert "thử lại sau 15 giây" in response.json()["message"]


def _assert_api_reads(response: Response) -> None:
    """A read-only database still answers API reads: nothing on a GET writes to it."""
    assert response.status == 200, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()


def _assert_page_503(response: Response) -> None:
    assert response.status == 503, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["retry-after"] == RETRY_AFTER
    assert '<html lang="vi">' in response.text
    assert "Hệ thống đang tạm gián đoạn" in response.text


def _assert_everything_served(server: Server) -> None:
    """Every page once per worker, so no worker kept a failed connection."""
    for _round in range(WORKERS):
        health = server.get("/healthz")
        assert health.status == 200 and health.json()["status"] == "ok", health.text
        for path in SITE_PAGES + API_PAGES:
            response = server.get(path)
            assert response.status == 200, (path, response.status, response.text[:300])
        assert server.get("/admin/", admin=True).status == 200


def _first_request_after(lifted: float, server: Server, label: str) -> None:
    """The very next request succeeds; the figure is the time from lifting to its answer."""
    response = server.get(API_PAGES[0])
    assert response.status == 200, response.text[:500]
    FIGURES[f"{label}: first request after the fault, seconds after lifting"] = round(
        time.monotonic() - lifted, 3
    )


class LogWindow:
    """The server log written during one fault."""

    def __init__(self, server: Server):
        self.server = server
        self.start = len(server.log_text())

    def text(self) -> str:
        return self.server.log_text()[self.start :]

    def assert_one_outage_line_per_worker(self) -> None:
        text = self.text()
        first_lines = re.findall(r"database unavailable \(", text)
        assert 1 <= len(first_lines) <= WORKERS, text[-3000:]
        assert "Traceback" not in text, text[-3000:]
        assert "Internal Server Error" not in text


# ---------------------------------------------------------------- SQLite


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory):
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        pytest.skip(
            "setpriv (util-linux) is needed to serve as root without DAC override"
        )
    tmp = tmp_path_factory.mktemp("sqlite-site")
    (tmp / "db").mkdir()
    database = tmp / "db" / "catalog.sqlite3"
    env = server_env(
        var_dir=tmp / "var",
        database_url=f"sqlite:///{database}",
        SQLITE_BUSY_TIMEOUT=str(BUSY_TIMEOUT),
    )
    session_key = _prepare(env, tmp)
    prefix = DROP_FILE_PERMISSION_BYPASS if os.geteuid() == 0 else []
    server = _start(env, tmp, session_key, prefix)

    def snapshot():
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            return db.execute(PROCEDURE_ROWS_SQL).fetchall()

    try:
        yield Site(server, snapshot)
    finally:
        os.chmod(database.parent, 0o755)
        os.chmod(database, 0o644)
        server.stop()


PROCEDURE_ROWS_SQL = """
    SELECT p.id, p.title, p.live, p.latest_revision_id, c.national_code, c.summary,
           (SELECT COUNT(*) FROM catalog_feeitem f
              JOIN catalog_executionmethod m ON f.method_id = m.id
             WHERE m.page_id = p.id)
      FROM wagtailcore_page p JOIN catalog_procedurepage c ON c.page_ptr_id = p.id
     ORDER BY p.id
"""


def _database_path(site: Site) -> Path:
    return Path(site.server.env["DATABASE_URL"].removeprefix("sqlite:///"))


def test_sqlite_locked_file_is_an_outage_and_recovery_is_immediate(sqlite_site):
    server = sqlite_site.server
    before = sqlite_site.snapshot()
    api_before = server.get(API_PAGES[0]).json()["items"]
    assert len(before) == 3 and len(api_before) == 3
    log = LogWindow(server)

    lock = sqlite3.connect(_database_path(sqlite_site), isolation_level=None)
    lock.execute(
        "BEGIN EXCLUSIVE"
    )  # another process holds the file: readers wait, then fail
    try:
        health = server.get("/healthz")
        body = _assert_health_down(health, failing="read", code="SQLITE_BUSY")
        assert body["database"]["write"]["status"] == "unknown"
        FIGURES["sqlite locked: /healthz answer, seconds"] = round(health.seconds, 2)
        for path in API_PAGES:
            _assert_api_503(server.get(path))
        for path in SITE_PAGES:
            _assert_page_503(server.get(path))
        _assert_page_503(server.get("/admin/", admin=True))
        _assert_page_503(server.request("POST", "/admin/logout/", admin=True))
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    lifted = time.monotonic()
    _first_request_after(lifted, server, "sqlite locked")
    _assert_everything_served(
        server
    )  # the refused logout did not end the session either

    assert sqlite_site.snapshot() == before
    assert server.get(API_PAGES[0]).json()["items"] == api_before
    log.assert_one_outage_line_per_worker()


def test_sqlite_short_lock_is_waited_out(sqlite_site):
    """A lock shorter than the busy timeout (another writer committing) costs time, not a 503."""
    lock = sqlite3.connect(
        _database_path(sqlite_site), isolation_level=None, check_same_thread=False
    )
    lock.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.5, lambda: lock.execute("ROLLBACK"))
    release.start()
    try:
        response = sqlite_site.server.get(API_PAGES[0])
    finally:
        release.join()
        lock.close()
    assert response.status == 200, response.text[:300]
    assert response.seconds >= 0.4


def test_sqlite_read_only_file_is_down_for_writes_and_serves_reads(sqlite_site):
    server = sqlite_site.server
    database = _database_path(sqlite_site)
    before = sqlite_site.snapshot()
    log = LogWindow(server)

    # Read-only file in a read-only folder (no journal can be created): a volume remounted ro.
    os.chmod(database, 0o444)
    os.chmod(database.parent, 0o555)
    try:
        health = server.get("/healthz")
        body = _assert_health_down(health, failing="write", code="SQLITE_READONLY")
        assert body["database"]["read"]["status"] == "ok"
        # The API counts requests in the cache, not the database: client systems keep reading.
        for path in API_PAGES:
            _assert_api_reads(server.get(path))
        # Pages only read: citizens keep reading the catalog.
        page = server.get(PROCEDURE_PAGE)
        assert page.status == 200 and "Đăng ký khai sinh" in page.text
        assert server.get("/admin/", admin=True).status == 200
        # Any write (here: logging out deletes the session) is refused with the 503 page.
        _assert_page_503(server.request("POST", "/admin/logout/", admin=True))
    finally:
        os.chmod(database.parent, 0o755)
        os.chmod(database, 0o644)
    lifted = time.monotonic()
    _first_request_after(lifted, server, "sqlite read-only")
    _assert_everything_served(server)

    assert sqlite_site.snapshot() == before
    log.assert_one_outage_line_per_worker()


# ---------------------------------------------------------------- PostgreSQL


@dataclass
class Cluster:
    bin: Path
    root: Path
    port: int

    def _pg_ctl(self, *args: str) -> None:
        run = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run(
            [*run, str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def stop(self) -> None:
        self._pg_ctl("-m", "immediate", "-w", "stop")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        self._pg_ctl(
            "-l", str(self.root / "log"), "-w", "-t", "60", "-o", options, "start"
        )

    def sql(self, *statements: str):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as connection:
            rows = None
            for statement in statements:
                cursor = connection.execute(statement)
                rows = cursor.fetchall() if cursor.description else rows
            return rows

    @property
    def url(self) -> str:
        return f"postgresql://app:app@127.0.0.1:{self.port}/app"


@pytest.fixture(scope="module")
def pg_site(tmp_path_factory):
    if os.environ.get("TEST_DATABASE") != "postgresql":
        pytest.skip(
            "PostgreSQL faults run in the PostgreSQL pass (TEST_DATABASE=postgresql)"
        )
    tmp = tmp_path_factory.mktemp("pg-site")
    started = subprocess.run(
        [
            "bash",
            "-c",
            'source tests/pg.sh && pg_start >&2 && echo "$PGBIN $PGROOT $PG_PORT"',
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 0, started.stderr
    pg_bin, pg_root, pg_port = started.stdout.split()
    cluster = Cluster(Path(pg_bin), Path(pg_root), int(pg_port))
    server = None
    try:
        env = server_env(var_dir=tmp / "var", database_url=cluster.url)
        session_key = _prepare(env, tmp)
        server = _start(env, tmp, session_key)

        def snapshot():
            return cluster.sql(PROCEDURE_ROWS_SQL)

        yield cluster, Site(server, snapshot)
    finally:
        if server:
            server.stop()
        try:
            cluster.stop()
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(cluster.root, ignore_errors=True)


def test_postgresql_stopped_is_an_outage_and_recovery_is_immediate(pg_site):
    cluster, site = pg_site
    server = site.server
    before = site.snapshot()
    api_before = server.get(API_PAGES[0]).json()["items"]
    assert len(before) == 3 and len(api_before) == 3
    log = LogWindow(server)

    cluster.stop()  # immediate: every worker's persistent connection dies with it
    try:
        health = server.get("/healthz")
        _assert_health_down(health, failing="read", code="OperationalError")
        FIGURES["postgresql stopped: /healthz answer, seconds"] = round(
            health.seconds, 2
        )
        for path in API_PAGES:
            _assert_api_503(server.get(path))
        for path in SITE_PAGES:
            _assert_page_503(server.get(path))
        _assert_page_503(server.get("/admin/", admin=True))
    finally:
        cluster.start()
    lifted = time.monotonic()
    _first_request_after(lifted, server, "postgresql restarted")
    _assert_everything_served(server)

    assert site.snapshot() == before
    assert server.get(API_PAGES[0]).json()["items"] == api_before
    log.assert_one_outage_line_per_worker()


def test_postgresql_read_only_is_down_for_writes_and_serves_reads(pg_site):
    """A standby (or a primary set read-only for maintenance) takes reads and refuses writes."""
    cluster, site = pg_site
    server = site.server
    before = site.snapshot()
    log = LogWindow(server)

    cluster.sql(
        "ALTER SYSTEM SET default_transaction_read_only = on", "SELECT pg_reload_conf()"
    )
    try:
        deadline = (
            time.monotonic() + 10
        )  # backends take the new setting between queries
        while (health := server.get("/healthz")).status == 200:
            assert time.monotonic() < deadline, health.text
            time.sleep(0.1)
        body = _assert_health_down(health, failing="write", code="25006")
        assert body["database"]["read"]["status"] == "ok"
        for path in API_PAGES:
            _assert_api_reads(server.get(path))
        page = server.get(PROCEDURE_PAGE)
        assert page.status == 200 and "Đăng ký khai sinh" in page.text
        _assert_page_503(server.request("POST", "/admin/logout/", admin=True))
    finally:
        cluster.sql(
            "ALTER SYSTEM RESET default_transaction_read_only",
            "SELECT pg_reload_conf()",
        )
    lifted = time.monotonic()
    deadline = lifted + 10
    while (
        server.get("/healthz").status != 200
    ):  # the reload reaches backends between queries
        assert time.monotonic() < deadline
        time.sleep(0.05)
    FIGURES["postgresql writable again: /healthz ok, seconds after reload"] = round(
        time.monotonic() - lifted, 3
    )
    _assert_everything_served(server)

    assert site.snapshot() == before
    log.assert_one_outage_line_per_worker()


def teardown_module(module):
    for name, value in FIGURES.items():
        print(f"reliability figure: {name} = {value}")

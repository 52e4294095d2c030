import sqlite3
from datetime import timedelta
from unittest import mock

from django.db.utils import OperationalError
from django.utils import timezone

from catalog.models import CatalogEvent
from cms.models import HealthProbe
from cms.outage import describe, is_database_outage


def test_healthz_reports_database_and_search(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["status"] in ("ok", "degraded")  # degraded: the test index may be empty
    database = body["database"]
    assert database["status"] == "ok"
    assert database["vendor"] in ("postgresql", "sqlite")
    assert database["read"]["status"] == "ok"
    assert database["write"]["status"] == "ok"
    assert "engine" in body["search"]
    assert not HealthProbe.objects.exists()  # the write check rolled its row back
    # a load balancer's HEAD probe gets the same status, without the body
    head = client.head("/healthz")
    assert head.status_code == 200 and head.content == b""
    assert client.post("/healthz").status_code == 405


def test_healthz_reports_search_index_lag(client, procedure):
    # the test transaction never commits, so the indexer has not read the publish event
    CatalogEvent.objects.update(occurred_at=timezone.now() - timedelta(minutes=20))
    body = client.get("/healthz").json()
    lag = body["search"]["lag"]
    assert lag["unread_events"] >= 1
    assert lag["oldest_seconds"] >= 20 * 60
    assert "index lagging" in body["search"]["problems"]
    assert body["search"]["status"] != "ok"
    assert (
        body["status"] == "degraded"
    )  # search trouble alone never takes the site down


def test_healthz_is_503_when_database_is_unreachable(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"]["read"] == {
        "status": "down",
        "error": "OperationalError",
        "ms": body["database"]["read"]["ms"],
    }


def _sqlite_error(tmp_path, statement: str, *, locked: bool) -> OperationalError:
    """A real driver error, wrapped the way Django wraps it."""
    path = tmp_path / "probe.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE IF NOT EXISTS t (x)")
    if locked:
        holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    try:
        other.execute(statement)
    except sqlite3.Error as exc:
        error = OperationalError(str(exc))
        error.__cause__ = exc
        return error
    finally:
        other.close()
        if locked:
            holder.execute("ROLLBACK")
        holder.close()
    raise AssertionError(f"{statement} did not fail")


def test_locked_sqlite_is_an_outage_and_a_missing_table_is_a_bug(tmp_path):
    locked = _sqlite_error(tmp_path, "SELECT * FROM t", locked=True)
    assert is_database_outage(locked)
    assert describe(locked) == "OperationalError (SQLITE_BUSY)"
    missing = _sqlite_error(tmp_path, "SELECT * FROM no_such_table", locked=False)
    assert not is_database_outage(missing)


def test_home_and_admin_login_are_served(client, db):
    assert client.get("/").status_code == 200
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert 'lang="vi"' in response.content.decode()


def test_tests_really_run_on_the_configured_database(db):
    import os

    from django.db import connection

    expected = os.environ.get("TEST_DATABASE")
    if expected:
        assert connection.vendor == expected


def test_public_pages_are_vietnamese_even_for_english_browsers(client, db):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get("/").content.decode()

from unittest import mock

from django.db.utils import OperationalError


def test_healthz_reports_database_and_search(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in ("postgresql", "sqlite")
    assert "engine" in body["search"]


def test_healthz_is_503_when_database_is_unreachable(client, db):
    with mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError("down"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"]["status"] == "down"


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

"""Publishing or unpublishing a procedure purges its page, its department's page and its API
detail from a front cache.

A tiny HTTP server stands in for nginx or Varnish and records the PURGE requests it gets
(FRONTEND_CACHE_PURGE_URL points Wagtail's HTTP purge backend at it).
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.factories import make_department, make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def front_cache(settings):
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_PURGE(self):  # noqa: N802 - the HTTP method's name
            received.append((self.headers["Host"], self.path))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    yield received
    server.shutdown()
    server.server_close()


def test_publish_and_unpublish_purge_the_page_and_its_api_detail(
    front_cache, django_capture_on_commit_callbacks
):
    department = make_department(code="STP", title="Sở Tư pháp")
    with django_capture_on_commit_callbacks(execute=True):
        procedure = make_procedure(
            department=department,
            national_code="1.000001",
            local_code="HCM.STP.01",
            title="Đăng ký khai sinh",
        )
    page_path = procedure.url
    api = "/api/v1/procedures/{}/"
    expected = {
        ("localhost", page_path),
        ("localhost", department.url),  # its department's page lists it
        *{
            ("localhost", api.format(code) + query)
            for code in ("1.000001", "HCM.STP.01")
            for query in ("", "?format=jsonld", "?format=ttl")
        },
    }
    assert set(front_cache) >= expected

    front_cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        procedure.unpublish()
    assert set(front_cache) >= expected


def test_nothing_is_purged_before_the_change_commits(
    front_cache, django_capture_on_commit_callbacks
):
    """A purge before the commit would let the front cache fetch the old answer again."""
    department = make_department(code="STP", title="Sở Tư pháp")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_procedure(
            department=department, national_code="1.000001", title="Đăng ký khai sinh"
        )
    assert front_cache == []
    for callback in callbacks:
        callback()
    assert ("localhost", "/api/v1/procedures/1.000001/") in front_cache


def test_moving_a_procedure_purges_its_old_address_and_both_departments(
    front_cache, django_capture_on_commit_callbacks
):
    """After a reorganisation a cached copy at the old address would outlive the move."""
    before = make_department(code="UBNDP1", title="UBND Phường 1")
    after = make_department(code="UBNDPBT", title="UBND Phường Bến Thành")
    procedure = make_procedure(
        department=before, national_code="1.000002", title="Chứng thực bản sao"
    )
    old_address = procedure.url
    front_cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        procedure.move(after, pos="last-child")
    procedure.refresh_from_db()
    assert procedure.url != old_address
    purged = {path for _host, path in front_cache}
    assert {old_address, procedure.url, before.url, after.url} <= purged
    assert "/api/v1/procedures/1.000002/" in purged


def test_renaming_a_procedures_slug_purges_the_old_address(
    front_cache, django_capture_on_commit_callbacks
):
    department = make_department(code="STP", title="Sở Tư pháp")
    procedure = make_procedure(
        department=department, national_code="1.000003", title="Đăng ký kết hôn"
    )
    old_address = procedure.url
    front_cache.clear()
    procedure.slug = "dang-ky-ket-hon-moi"
    with django_capture_on_commit_callbacks(execute=True):
        procedure.save_revision().publish()
    procedure.refresh_from_db()
    assert procedure.url.endswith("/dang-ky-ket-hon-moi/")
    purged = {path for _host, path in front_cache}
    assert {old_address, procedure.url} <= purged


def test_moving_a_department_purges_the_old_address_of_every_procedure_in_it(
    front_cache, django_capture_on_commit_callbacks
):
    department = make_department(code="UBNDQ1", title="UBND Quận 1")
    procedures = [
        make_procedure(department=department, national_code=code, title=title)
        for code, title in (("1.000004", "Cấp phép"), ("1.000005", "Khai tử"))
    ]
    old_addresses = {p.url for p in procedures} | {department.url}
    new_parent = make_department(code="UBNDTP", title="UBND Thành phố")
    front_cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        department.move(new_parent, pos="last-child")
    purged = {path for _host, path in front_cache}
    assert old_addresses <= purged
    for procedure in procedures:
        procedure.refresh_from_db()
        assert procedure.url in purged and procedure.url not in old_addresses

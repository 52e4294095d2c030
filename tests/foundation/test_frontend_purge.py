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

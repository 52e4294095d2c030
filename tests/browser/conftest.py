"""Playwright driving Debian's Chromium against pytest-django's live server.

Never `playwright install`: the browser is /usr/bin/chromium (tests/system-deps.sh installs it).
axe-core comes from the npm registry into var/node (tests/system-deps.sh `node_deps`).
"""

import os
import threading
import time
from pathlib import Path

from django.conf import settings

import pytest

from tests.site.data import build_catalog, index_catalog

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
AXE = (
    Path(settings.BASE_DIR)
    / "var"
    / "node"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
ARTIFACTS = Path(__file__).parent / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    # pytest-django's live server and Playwright's sync API share this thread's event loop check.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), (
        "Debian's Chromium is missing: apt-get install -y chromium (tests/system-deps.sh)"
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class ConsoleLog:
    """Every console error, failed request and uncaught exception a page produced."""

    def __init__(self):
        self.errors: list[str] = []

    def attach(self, page):
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and self.errors.append(f"console: {message.text} @ {page.url}")
            ),
        )
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400
                and self.errors.append(f"HTTP {response.status}: {response.url}")
            ),
        )
        # a fetch still running when the citizen moves to the next page is aborted: not an error
        page.on(
            "requestfailed",
            lambda request: (
                request.failure != "net::ERR_ABORTED"
                and self.errors.append(
                    f"request failed: {request.url} {request.failure}"
                )
            ),
        )


class InFlight:
    """Requests the live server is still answering. A test ends when its assertions pass, and
    the browser may have a request in flight (a click's navigation, a beacon); the database
    flush after the test (TRUNCATE) then met that request's reads: a deadlock on PostgreSQL,
    seen once in five runs. The fixtures wait for the server to go quiet first."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()

    def wrap(self, app):
        def counted(environ, start_response):
            with self.lock:
                self.count += 1
            try:
                body = app(environ, start_response)
                try:
                    return list(body)
                finally:
                    if hasattr(body, "close"):
                        body.close()
            finally:
                with self.lock:
                    self.count -= 1

        counted.in_flight = self
        return counted

    def watch(self, live_server) -> None:
        server = live_server.thread.httpd
        if getattr(server.get_app(), "in_flight", None) is not self:
            server.set_app(self.wrap(server.get_app()))

    def wait_quiet(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while self.count and time.monotonic() < deadline:
            time.sleep(0.05)


IN_FLIGHT = InFlight()


@pytest.fixture
def site(live_server, settings, tmp_path):
    """The test catalog, published and indexed, served by the live server.

    Tests mark themselves django_db(transaction=True): the live server reads committed data.
    The flush after each one emits post_migrate, which restores content types, permissions
    and the site's base tree (cms.setup.ensure_base_tree).
    """
    IN_FLIGHT.watch(live_server)
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    catalog = build_catalog()
    index_catalog()
    catalog["url"] = live_server.url
    yield catalog
    IN_FLIGHT.wait_quiet()


def _context(browser, viewport, console):
    context = browser.new_context(
        viewport=viewport, locale="vi-VN", accept_downloads=True
    )
    context.on("page", console.attach)
    return context


@pytest.fixture
def console():
    return ConsoleLog()


@pytest.fixture
def page(browser, console, live_server):
    IN_FLIGHT.watch(live_server)
    context = _context(browser, DESKTOP, console)
    page = context.new_page()
    yield page
    context.close()
    IN_FLIGHT.wait_quiet()
    assert console.errors == []


@pytest.fixture
def phone(browser, console, live_server):
    IN_FLIGHT.watch(live_server)
    context = _context(browser, PHONE, console)
    page = context.new_page()
    yield page
    context.close()
    IN_FLIGHT.wait_quiet()
    assert console.errors == []


def axe_violations(page) -> list[dict]:
    """Run axe-core (every rule but the experimental ones) and return its violations."""
    assert AXE.exists(), (
        f"axe-core is missing at {AXE}: run `source tests/system-deps.sh; node_deps`"
    )
    # evaluated, not added as an inline <script>: the public pages' CSP blocks inline scripts
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def superuser_and_catalog_admin(username: str, password: str, *, root: str = "root"):
    """A superuser `root`, and `username` made catalog administrator by it, as the admin's
    own screen does it (not a superuser itself). Returns both users."""
    from django.contrib.auth import get_user_model

    from catalog.services.roles import grant_catalog_admin

    users = get_user_model()
    boss = users.objects.create_superuser(root, f"{root}@example.invalid", password)
    admin = users.objects.create_user(username, f"{username}@example.invalid", password)
    grant_catalog_admin(actor=boss, user=admin)
    return boss, admin

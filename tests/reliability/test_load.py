"""60 seconds of mixed load against gunicorn on PostgreSQL, with the demo catalog: zero errors.

gunicorn (2 workers, bench/bench_throughput.serve, DEBUG off, bench.settings) serves the test
database; 16 loopback connections send a weighted mix of what the portal gets: procedure pages,
search pages with different queries and filters, the API's list (first pages and cursors),
detail, search and change feed (with its cursor), conditional GETs answered 304, form downloads,
/healthz, and a few admin pages as a logged-in department editor. Every answer must carry the
status its kind expects (no 5xx, no connection error, no throttling); the run prints requests,
req/s and p50/p95/p99 per kind.

The API's per-client throttle (API_ANON_RATE, 120/min by default) would answer most of a
loopback run with 429: the server gets API_ANON_RATE=1000000/min here. The throttle's counting
(one upsert per API request, shared by the workers) still runs.

Runs once, on PostgreSQL (the reliability marker; the SQLite pass leaves it out).
`LOAD_SECONDS` shortens or lengthens the run; `LOAD_REPORT=<file>` appends the figures there.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import threading
import time
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection

from wagtail.documents import get_document_model

import pytest

from bench.bench_throughput import serve
from bench.harness import percentile
from catalog.models import DepartmentPage, ProcedurePage
from catalog.services.roles import grant_role

pytestmark = [pytest.mark.reliability, pytest.mark.django_db(transaction=True)]

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
CONNECTIONS = 16
QUERIES = [
    "dang ky khai sinh",
    "khai sinh",
    "kết hôn",
    "ho tich",
    "giay phep xay dung",
    "đất đai",
    "chứng thực",
    "ho khau",
    "doanh nghiep",
    "xyzkhongco",
]
FILTERS = ["", "&cap=province", "&truc-tuyen=full", "&linh-vuc=G15-TP07"]


@dataclass
class Request:
    kind: str
    path: str
    expect: int
    headers: dict


@pytest.fixture
def postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "the load run is for PostgreSQL (TEST_DATABASE=postgresql): on SQLite "
            "every write waits for the one writer and the run would measure the file lock"
        )


@pytest.fixture
def demo(postgresql, settings, tmp_path, monkeypatch):
    """The demo catalog, committed and indexed where the server will look for it."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.SEARCH_INDEX_NAME = "bench_procedures"  # bench.settings' index name
    started = time.monotonic()
    call_command("load_demo", verbosity=0)
    call_command("search_index", "rebuild", verbosity=0)
    root = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", "pw-root"
    )
    editor = get_user_model().objects.create_user(
        "bientap.load", "bientap.load@example.invalid", "pw-editor"
    )
    department = DepartmentPage.objects.live().order_by("path").first()
    grant_role(actor=root, user=editor, department=department, role="editor")
    session = SessionStore()
    session["_auth_user_id"] = str(editor.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = editor.get_session_auth_hash()
    session.create()

    db = connection.settings_dict
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "bench.settings")
    monkeypatch.setenv(
        "DATABASE_URL",
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    )
    monkeypatch.setenv("SEARCH_INDEX_DIR", str(settings.SEARCH_INDEX_DIR))
    monkeypatch.setenv("TEST_VAR_DIR", str(settings.MEDIA_ROOT.parent))  # form files
    monkeypatch.setenv("API_ANON_RATE", "1000000/min")
    monkeypatch.setenv("API_SUGGEST_RATE", "1000000/min")
    monkeypatch.setenv("API_DEFAULT_KEY_RATE", "1000000/min")
    return {
        "seconds": time.monotonic() - started,
        "session": session.session_key,
        "department": department,
        "procedures": [
            (page.url, page.national_code) for page in ProcedurePage.objects.live()
        ],
        "documents": [d.url for d in get_document_model().objects.all()[:10]],
    }


def fetch(base: str, path: str, headers: dict | None = None):
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def plan(base: str, demo: dict) -> list[tuple[int, list[Request]]]:
    """(weight, requests of one kind): what the mix draws from, cursors and ETags read first."""
    pages = [url for url, _code in demo["procedures"]]
    codes = [code for _url, code in demo["procedures"]]
    cursors = []
    for path in ("/api/v1/procedures/?page_size=10", "/api/v1/changes/?page_size=10"):
        status, _headers, body = fetch(base, path)
        assert status == 200, (path, status, body[:300])
        following = json.loads(body)["meta"]["next"]
        assert following, f"{path}: no next cursor in the demo catalog"
        cursors.append(urllib.parse.urlsplit(following)._replace(scheme="", netloc=""))
    conditional = []
    for code in codes[:20]:
        status, headers, _body = fetch(base, f"/api/v1/procedures/{code}/")
        assert status == 200 and headers.get("ETag"), (code, status, headers)
        conditional.append(
            Request(
                "api 304",
                f"/api/v1/procedures/{code}/",
                304,
                {"If-None-Match": headers["ETag"]},
            )
        )
    admin = {"Cookie": f"sessionid={demo['session']}"}
    department = demo["department"]

    def get(kind, paths, expect=200, headers=None):
        return [Request(kind, path, expect, headers or {}) for path in paths]

    return [
        (28, get("procedure page", pages)),
        (
            14,
            get(
                "search page",
                [
                    f"/tim-kiem/?q={urllib.parse.quote_plus(q)}{f}"
                    for q in QUERIES
                    for f in FILTERS
                ]
                + ["/tim-kiem/", "/tim-kiem/?trang=2", "/tim-kiem/?trang=3"],
            ),
        ),
        (
            9,
            get(
                "api list",
                ["/api/v1/procedures/?page_size=20", "/api/v1/departments/"]
                + [urllib.parse.urlunsplit(cursors[0])],
            ),
        ),
        (9, get("api detail", [f"/api/v1/procedures/{code}/" for code in codes])),
        (
            9,
            get(
                "api search",
                [f"/api/v1/search/?q={urllib.parse.quote_plus(q)}" for q in QUERIES],
            ),
        ),
        (
            5,
            get(
                "api changes",
                ["/api/v1/changes/?page_size=50", urllib.parse.urlunsplit(cursors[1])],
            ),
        ),
        (10, conditional),
        (4, get("healthz", ["/healthz"])),
        (3, get("form download", demo["documents"])),
        (
            2,
            get(
                "admin (editor)",
                ["/admin/", f"/admin/pages/{department.pk}/"],
                headers=admin,
            ),
        ),
    ]


class Load:
    def __init__(self, base: str, mix: list[tuple[int, list[Request]]]):
        self.base = urllib.parse.urlsplit(base)
        self.weights = [weight for weight, _requests in mix]
        self.kinds = [requests for _weight, requests in mix]
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def worker(self, seed: int, until: float) -> None:
        rng = random.Random(seed)
        conn = http.client.HTTPConnection(
            self.base.hostname, self.base.port, timeout=30
        )
        samples, errors = defaultdict(list), []
        while time.monotonic() < until:
            request = rng.choice(rng.choices(self.kinds, self.weights)[0])
            started = time.perf_counter()
            try:
                conn.request("GET", request.path, headers=request.headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException) as error:
                conn.close()
                errors.append(f"{request.kind} {request.path}: {error!r}")
                continue
            samples[request.kind].append((time.perf_counter() - started) * 1000)
            if status != request.expect:
                errors.append(
                    f"{request.kind} {request.path}: {status}, expected {request.expect}"
                )
        conn.close()
        with self.lock:
            for kind, values in samples.items():
                self.samples[kind].extend(values)
            self.errors.extend(errors)

    def run(self, seconds: float) -> float:
        until = time.monotonic() + seconds
        started = time.monotonic()
        threads = [
            threading.Thread(target=self.worker, args=(n, until))
            for n in range(CONNECTIONS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.monotonic() - started


def report(load: Load, elapsed: float) -> str:
    total = sum(len(values) for values in load.samples.values())
    lines = [
        f"mixed load: {total} requests in {elapsed:.1f} s = {total / elapsed:.1f} req/s, "
        f"{CONNECTIONS} connections, gunicorn 2 workers, PostgreSQL; "
        f"errors {len(load.errors)}",
        f"{'kind':<16} {'requests':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}",
    ]
    for kind, values in sorted(load.samples.items(), key=lambda item: -len(item[1])):
        lines.append(
            f"{kind:<16} {len(values):>8} {percentile(values, 0.5):>8.1f} "
            f"{percentile(values, 0.95):>8.1f} {percentile(values, 0.99):>8.1f}"
        )
    every = [v for values in load.samples.values() for v in values]
    lines.append(
        f"{'all':<16} {len(every):>8} {percentile(every, 0.5):>8.1f} "
        f"{percentile(every, 0.95):>8.1f} {percentile(every, 0.99):>8.1f}"
    )
    return "\n".join(lines)


def test_sixty_seconds_of_mixed_load_answer_without_a_single_error(demo, capsys):
    started = time.monotonic()
    with serve(workers=2) as base:
        serving = time.monotonic() - started
        status, _headers, body = fetch(base, "/healthz")
        assert status == 200, body[:300]
        mix = plan(base, demo)
        load = Load(base, mix)
        elapsed = load.run(SECONDS)
    text = report(load, elapsed) + (
        f"\nset-up: demo catalog loaded and indexed in {demo['seconds']:.1f} s, "
        f"gunicorn answering in {serving:.1f} s"
    )
    with capsys.disabled():
        print("\n" + text)
    if os.environ.get("LOAD_REPORT"):
        with open(os.environ["LOAD_REPORT"], "a", encoding="utf-8") as handle:
            handle.write(text + "\n")
    assert load.errors == [], f"{len(load.errors)} errors, first: {load.errors[:20]}"
    assert set(load.samples) == {requests[0].kind for _w, requests in mix}
    assert sum(len(v) for v in load.samples.values()) >= 10 * SECONDS

"""Bytes per page and procedure-page render time, measured in process against a loaded catalog.

    VAR_DIR=/tmp/me-var DJANGO_SETTINGS_MODULE=cms.settings.dev \\
        .venv/bin/python -m tests.site.page_weight        # after migrate + load_demo + search_index rebuild

Prints a Markdown table (docs/public-site.md shows one run). Not a test: machines are noisy.
"""

import gzip
import re
import statistics
import time

import django
from django.conf import settings

django.setup()
settings.DEBUG = False  # DEBUG records every query; measure what production does

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from catalog.models import (  # noqa: E402
    DepartmentIndexPage,
    DepartmentPage,
    ProcedurePage,
)
from cms.templatetags.portal import public_cache  # noqa: E402

STATIC = settings.BASE_DIR / "templates" / "static"
ASSET = re.compile(rb'(?:href|src)="(/static/[^"]+)"')


def weigh(client, url):
    response = client.get(url, HTTP_HOST="localhost")
    assert response.status_code == 200, (url, response.status_code)
    html = response.content
    assets = sorted(set(ASSET.findall(html)))
    asset_bytes = [
        (STATIC / a.decode().removeprefix("/static/")).read_bytes() for a in assets
    ]
    raw = len(html) + sum(len(b) for b in asset_bytes)
    zipped = len(gzip.compress(html)) + sum(len(gzip.compress(b)) for b in asset_bytes)
    return len(html), raw, zipped, len(assets)


def render_times(client, url, runs=200, cold=False):
    """p50 milliseconds and queries of one render; `cold` empties the pages cache before each."""
    client.get(url, HTTP_HOST="localhost")
    times = []
    for _ in range(runs):
        if cold:
            public_cache().clear()
        started = time.perf_counter()
        client.get(url, HTTP_HOST="localhost")
        times.append((time.perf_counter() - started) * 1000)
    if cold:
        public_cache().clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url, HTTP_HOST="localhost")
    return statistics.median(times), len(queries)


def main():
    client = Client()
    procedures = list(ProcedurePage.objects.live().order_by("path"))
    largest = max(procedures, key=lambda p: len(client.get(p.url).content))
    department = DepartmentPage.objects.live().order_by("-numchild").first()
    pages = {
        "home": "/",
        "search (q=dang ky khai sinh)": "/tim-kiem/?q=dang+ky+khai+sinh",
        "search (all, 20 per page)": "/tim-kiem/",
        f"procedure (largest: {largest.code})": largest.url,
        f"department ({department.code})": department.url,
    }
    print("| page | HTML bytes | HTML+CSS+JS bytes | same, gzip | static files |")
    print("|---|---:|---:|---:|---:|")
    for name, url in pages.items():
        html, raw, zipped, count = weigh(client, url)
        print(f"| {name} | {html:,} | {raw:,} | {zipped:,} | {count} |")
    print()
    print("| page (200 renders each, same run) | p50 ms | queries |")
    print("|---|---:|---:|")
    index = DepartmentIndexPage.objects.live().first()
    p50, queries = render_times(client, index.url)
    print(f"| baseline: departments list (a light page) | {p50:.1f} | {queries} |")
    smallest = min(procedures, key=lambda p: len(client.get(p.url).content))
    for procedure in (smallest, largest):
        for cold in (True, False):
            p50, queries = render_times(client, procedure.url, cold=cold)
            state = (
                "first view (body rendered)" if cold else "repeat view (cached body)"
            )
            print(f"| procedure {procedure.code}, {state} | {p50:.1f} | {queries} |")


if __name__ == "__main__":
    main()

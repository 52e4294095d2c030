"""Public pages: procedure page and search page render time, query count and weight."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client

from bench.harness import Context, Row, count_queries, timed

ASSET = re.compile(r'(?:href|src)="(/static/[^"?#]+)')


def page_weight(html: bytes) -> tuple[int, int]:
    """(HTML bytes, HTML + same-site CSS/JS/images it links) — no CDN assets are expected."""
    assets = 0
    for path in set(ASSET.findall(html.decode("utf-8", "replace"))):
        if not path.endswith((".css", ".js", ".svg", ".png", ".woff2", ".ico")):
            continue
        found = finders.find(path.removeprefix("/static/"))
        if found:
            with open(found, "rb") as handle:
                assets += len(handle.read())
    return len(html), len(html) + assets


def run(ctx: Context) -> None:
    from catalog.models import ProcedurePage

    client = Client()
    pages = list(ProcedurePage.objects.live().order_by("?")[:100])
    urls = [page.url for page in pages if page.url]
    repeat = 200 if not ctx.quick else 30
    first = client.get(urls[0])
    if first.status_code != 200:
        ctx.add(
            Row(
                "pages",
                "procedure page",
                note=f"error: HTTP {first.status_code} on {urls[0]}",
            )
        )
    else:
        stats = timed(lambda url: client.get(url), repeat=repeat, inputs=urls)
        queries = [count_queries(lambda url=url: client.get(url)) for url in urls[:10]]
        html, total = page_weight(first.content)
        ctx.add(
            Row(
                "pages",
                "procedure page render (in-process)",
                p50_ms=stats["p50_ms"],
                p95_ms=stats["p95_ms"],
                queries=max(queries),
                note=f"queries over 10 pages: {min(queries)}–{max(queries)}; HTML {html / 1024:.0f} KB, "
                f"with CSS/JS {total / 1024:.0f} KB",
            )
        )
        ctx.state["page_render"] = stats
    from urllib.parse import quote

    queries_text = [
        "dang ky khai sinh",
        "so do",
        "cccd",
        "giay phep xay dung",
        "ho kinh doanh",
    ]
    search_urls = [f"/tim-kiem/?q={quote(q)}" for q in queries_text]
    response = client.get(search_urls[0])
    if response.status_code == 404:
        ctx.missing("pages", "search page /tim-kiem/", "/tim-kiem/")
        return
    stats = timed(lambda url: client.get(url), repeat=repeat // 2, inputs=search_urls)
    html, total = page_weight(response.content)
    ctx.add(
        Row(
            "pages",
            "search page /tim-kiem/?q= (in-process)",
            p50_ms=stats["p50_ms"],
            p95_ms=stats["p95_ms"],
            queries=count_queries(lambda: client.get(search_urls[0])),
            note=f"HTTP {response.status_code}; HTML {html / 1024:.0f} KB, with CSS/JS {total / 1024:.0f} KB",
        )
    )

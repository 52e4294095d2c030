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


def _clear_pages_cache() -> None:
    from cms.templatetags.portal import public_cache

    public_cache().clear()


def run(ctx: Context) -> None:
    from catalog.models import ProcedurePage

    client = Client()
    pages = list(ProcedurePage.objects.live().order_by("?")[:100])
    urls = [page.url for page in pages if page.url]
    repeat = 200 if not ctx.quick else 30
    _clear_pages_cache()
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
        # The headline row keeps last session's method: 200 requests cycling over 100 random
        # pages, so about half are a page's first view (body rendered) and half repeats (cached).
        stats = timed(lambda url: client.get(url), repeat=repeat, inputs=urls)
        cached_queries = [
            count_queries(lambda url=url: client.get(url)) for url in urls[:10]
        ]
        cold_queries = []
        for url in urls[:10]:
            _clear_pages_cache()
            cold_queries.append(count_queries(lambda url=url: client.get(url)))
        html, total = page_weight(first.content)
        ctx.add(
            Row(
                "pages",
                "procedure page render (in-process)",
                p50_ms=stats["p50_ms"],
                p95_ms=stats["p95_ms"],
                queries=max(cold_queries + cached_queries),
                note=f"200 requests over 100 pages (each page's first view renders its body, "
                f"the second is served from the cache); queries over 10 pages: first view "
                f"{min(cold_queries)}–{max(cold_queries)}, cached {min(cached_queries)}–"
                f"{max(cached_queries)}; HTML {html / 1024:.0f} KB, "
                f"with CSS/JS {total / 1024:.0f} KB",
            )
        )
        ctx.state["page_render"] = stats

        def cold(url):
            _clear_pages_cache()
            return client.get(url)

        cold_stats = timed(cold, repeat=len(urls) if not ctx.quick else 20, inputs=urls)
        ctx.add(
            Row(
                "pages",
                "procedure page, first view after a change (body rendered)",
                p50_ms=cold_stats["p50_ms"],
                p95_ms=cold_stats["p95_ms"],
                queries=max(cold_queries),
                note="the pages cache emptied before each request",
            )
        )
        for url in urls:
            client.get(url)
        warm_stats = timed(lambda url: client.get(url), repeat=repeat, inputs=urls)
        floor = timed(lambda: client.get("/co-quan/"), repeat=repeat // 2)
        ctx.add(
            Row(
                "pages",
                "procedure page, repeat view (body from the cache)",
                p50_ms=warm_stats["p50_ms"],
                p95_ms=warm_stats["p95_ms"],
                queries=max(cached_queries),
                ratio=f"{warm_stats['p50_ms'] / floor['p50_ms']:.2f}x the departments list",
                note="every page viewed once before timing",
            )
        )
        ctx.add(
            Row(
                "pages",
                "peer: departments list /co-quan/ (every department listed)",
                p50_ms=floor["p50_ms"],
                p95_ms=floor["p95_ms"],
                queries=count_queries(lambda: client.get("/co-quan/")),
            )
        )
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

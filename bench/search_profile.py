"""A quick profile of the search engine on an existing index: p50/p95 and the slowest queries.

The bench's search module (`bench.runner --only search`) generates its corpus first; this reads
whatever catalog and index the settings point at (a 100,000 catalog made once with
bench/generate.py, the imported national catalog), so a change to the query can be measured
before and after in a minute:

    DJANGO_SETTINGS_MODULE=bench.settings VAR_DIR=... DATABASE_URL=... \\
        .venv/bin/python -m bench.search_profile [--passes 3]

The 90 judged bench queries, `engine.search` with the five facets and 20 hits, `passes` times
each after a warm-up, as `bench.bench_search` times them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--slowest", type=int, default=12)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from bench.bench_search import load_judged
    from bench.harness import percentile, timed
    from search.engines import get_engine
    from search.queries import SearchQuery

    engine = get_engine()
    queries = [item["query"] for item in load_judged()]

    def search(text):
        return engine.search(SearchQuery(text=text, page_size=20))

    overall = timed(search, repeat=len(queries) * args.passes, inputs=queries)
    print(
        f"{len(queries)} queries x {args.passes}: p50 {overall['p50_ms']:.1f} ms, "
        f"p95 {overall['p95_ms']:.1f} ms ({engine.name}, load {os.getloadavg()[0]:.1f})"
    )
    # CPU time of this thread: what the query costs, whatever else shares the machine
    cpu = []
    for _ in range(args.passes):
        for text in queries:
            started = time.thread_time()
            search(text)
            cpu.append((time.thread_time() - started) * 1000)
    print(
        f"CPU (time.thread_time): p50 {statistics.median(cpu):.1f} ms, "
        f"p95 {percentile(cpu, 0.95):.1f} ms"
    )
    slowest = []
    for text in queries:
        started = time.perf_counter()
        total = search(text).total
        slowest.append(((time.perf_counter() - started) * 1000, total, text))
    for ms, total, text in sorted(slowest, reverse=True)[: args.slowest]:
        print(f"{ms:7.1f} ms  {total:7,} matches  {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

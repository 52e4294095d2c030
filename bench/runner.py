"""Run the benchmark modules against the configured database; rows go to a JSON-lines file.

    DJANGO_SETTINGS_MODULE=bench.settings python -m bench.runner --database postgresql \
        --results var/results.jsonl --procedures 10000 --only api,search
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

MODULES = [
    "api",
    "mirror",
    "search",
    "pages",
    "throughput",
    "hosts",
    "permissions",
    "import",
    "opendata",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--results", required=True, type=Path)
    parser.add_argument("--procedures", type=int, default=10_000)
    parser.add_argument("--only", default=",".join(MODULES))
    parser.add_argument(
        "--quick", action="store_true", help="fewer repetitions (tests, smoke runs)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    import importlib

    from bench.harness import Context, Row

    ctx = Context(
        database=args.database,
        procedures=args.procedures,
        results_path=args.results,
        quick=args.quick,
    )
    for name in [n.strip() for n in args.only.split(",") if n.strip()]:
        before = _usage()
        print(f"== {name} ({args.database})", flush=True)
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            module.run(ctx)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            ctx.add(Row(name, "run", note=f"error: {type(exc).__name__}: {exc}"[:300]))
        _phase(f"{args.database}: {name}", before, _usage())
    return 0


def _usage() -> dict:
    """Wall clock, this process's CPU, its reaped children's CPU, the PostgreSQL cluster's CPU."""
    import resource

    from bench.measure import postgres_cpu

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "wall": time.perf_counter(),
        "cpu": time.process_time(),
        "children": children.ru_utime + children.ru_stime,
        "postgres": postgres_cpu(),
    }


def _phase(name: str, before: dict, after: dict) -> None:
    """Print what a module cost and append it to BENCH_PHASES (bench/run.sh's phase log)."""
    import json

    from bench.measure import describe

    pg = (
        round(after["postgres"] - before["postgres"], 2)
        if before["postgres"] is not None and after["postgres"] is not None
        else None
    )
    result = {
        "name": name,
        "seconds": round(after["wall"] - before["wall"], 2),
        "cpu_seconds": round(
            after["cpu"] - before["cpu"] + after["children"] - before["children"], 2
        ),
        "postgres_cpu_seconds": pg,
        "peak_rss_mb": _peak_rss_mb(),
        "returncode": 0,
    }
    print(describe(name, result), flush=True)
    if os.environ.get("BENCH_PHASES"):
        with open(os.environ["BENCH_PHASES"], "a", encoding="utf-8") as handle:
            handle.write(json.dumps(result) + "\n")


def _peak_rss_mb() -> float:
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


if __name__ == "__main__":
    sys.exit(main())

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

MODULES = ["api", "mirror", "search", "pages", "throughput", "permissions", "import"]


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
        started = time.perf_counter()
        print(f"== {name} ({args.database})", flush=True)
        try:
            module = importlib.import_module(f"bench.bench_{name}")
            module.run(ctx)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            traceback.print_exc()
            ctx.add(Row(name, "run", note=f"error: {type(exc).__name__}: {exc}"[:300]))
        print(f"   ({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

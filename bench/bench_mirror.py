"""Mirror: copy every published procedure through the API with the change feed (docs/examples/sync_client.py)."""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.bench_throughput import serve
from bench.harness import REPO, Context, Row, remaining_seconds, run_measured

CLIENT = REPO / "docs" / "examples" / "sync_client.py"


def run(ctx: Context) -> None:
    from catalog.models import ProcedurePage

    if not CLIENT.exists():
        ctx.missing(
            "mirror",
            "full mirror through the change feed",
            "docs/examples/sync_client.py",
        )
        return
    total = ProcedurePage.objects.live().count()
    folder = Path(tempfile.mkdtemp(prefix="bench-mirror-"))
    database = folder / "mirror.sqlite3"
    with serve() as base:
        result = run_measured(
            [sys.executable, str(CLIENT), "--base-url", base, "--db", str(database)],
            timeout=max(60, min(300, remaining_seconds() - 400)),
        )
    mirrored = 0
    if database.exists():
        with sqlite3.connect(database) as mirror:
            mirrored = mirror.execute("SELECT count(*) FROM procedures").fetchone()[0]
    if result["returncode"] != 0 or mirrored < total:
        ctx.add(
            Row(
                "mirror",
                f"full mirror of {total:,} procedures via changes/ feed",
                note=f"error: exit {result['returncode']} after {result['seconds']} s, "
                f"{mirrored:,} of {total:,} mirrored: {result['output'][-300:]}",
            )
        )
        return
    ctx.add(
        Row(
            "mirror",
            f"full mirror of {total:,} procedures via changes/ feed",
            value=result["seconds"],
            unit="s",
            note=f"{mirrored:,} of {total:,} procedures in the mirror; gunicorn 2 workers on loopback; "
            f"client peak RSS {result['peak_rss_mb']} MB"
            + (" (stopped: time budget)" if result["timed_out"] else "")
            + (
                ""
                if result["returncode"] == 0
                else f"; exit {result['returncode']}: {result['output'][-300:]}"
            ),
        )
    )

"""Mirror: copy every published procedure through the API with the change feed (docs/examples/sync_client.py)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench.bench_throughput import serve
from bench.harness import REPO, Context, Row, run_measured

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
    help_text = run_measured([sys.executable, str(CLIENT), "--help"], timeout=30)[
        "output"
    ]
    folder = Path(tempfile.mkdtemp(prefix="bench-mirror-"))
    with serve() as base:
        api = f"{base}/api/v1/"
        if "--state" in help_text or "--out" in help_text or "--mirror" in help_text:
            flag = next(f for f in ("--state", "--out", "--mirror") if f in help_text)
            cmd = [sys.executable, str(CLIENT), api, flag, str(folder / "mirror.json")]
        else:
            cmd = [sys.executable, str(CLIENT), api, str(folder / "mirror.json")]
        result = run_measured(cmd, timeout=300)
    ctx.add(
        Row(
            "mirror",
            f"full mirror of {total:,} procedures via changes/ feed",
            value=result["seconds"],
            unit="s",
            note=f"gunicorn 2 workers on loopback; client peak RSS {result['peak_rss_mb']} MB"
            + (
                ""
                if result["returncode"] == 0
                else f"; exit {result['returncode']}: {result['output'][-300:]}"
            ),
        )
    )

"""Import: the national data into an empty catalog, and a 10,000-row spreadsheet dry run.

Peer: django-import-export with its default settings (row by row, one save per row) on the same
spreadsheet's procedure sheet (bench/ie_peer.py), dry run as well.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse, urlunparse

from django.conf import settings
from django.db import connection

from bench.harness import Context, Row, ratio, remaining_seconds, run_measured

IMPORT_ENV = {
    "IMPORT_MAX_ROWS": "1000000",
    "IMPORT_MAX_UPLOAD_BYTES": str(512 * 1024 * 1024),
}


def _fresh_database(label: str) -> str:
    """A DATABASE_URL for an empty database beside the benchmark one."""
    url = os.environ.get("DATABASE_URL", "")
    if connection.vendor == "postgresql":
        name = f"bench_{label}"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        parsed = urlparse(url)
        return urlunparse(parsed._replace(path=f"/{name}"))
    path = Path(tempfile.mkdtemp(prefix="bench-import-")) / "db.sqlite3"
    return f"sqlite:///{path}"


def _counts(output: str) -> str:
    match = re.search(r"Tạo mới:.*", output)
    return (
        match.group(0).strip()[:160]
        if match
        else output.strip().splitlines()[-1][:160]
        if output.strip()
        else ""
    )


def write_spreadsheet(path: Path, limit: int = 10_000) -> int:
    """Export `limit` live procedures through the admin's own xlsx export (every sheet, same cells)."""
    from catalog.importing.exporting import write_xlsx
    from catalog.models import ProcedurePage

    ids = list(
        ProcedurePage.objects.live().order_by("pk").values_list("pk", flat=True)[:limit]
    )
    write_xlsx(ProcedurePage.objects.filter(pk__in=ids), path)
    return len(ids)


def run(ctx: Context) -> None:
    manage = [sys.executable, "manage.py"]
    raw = Path(settings.SHARED_DATA_DIR) / "raw" / "dvcqg-opengov"
    # ---- national data into an empty catalog
    if not (
        Path(settings.BASE_DIR)
        / "catalog"
        / "management"
        / "commands"
        / "import_catalog.py"
    ).exists():
        ctx.missing(
            "import",
            "national data (catalog.jsonl + details)",
            "manage.py import_catalog",
        )
        return
    if raw.exists():
        url = _fresh_database("import")
        env = {"DATABASE_URL": url, **IMPORT_ENV}
        migrate = run_measured(manage + ["migrate", "--no-input", "-v0"], env=env)
        if migrate["returncode"]:
            ctx.add(
                Row(
                    "import",
                    "national data",
                    note=f"error: migrate failed: {migrate['output'][-200:]}",
                )
            )
        else:
            paths = [str(raw / "catalog.jsonl"), str(raw / "details")]
            limit = max(60, min(300, remaining_seconds() - 240))
            first = run_measured(
                manage + ["import_catalog", *paths], env=env, timeout=limit
            )
            if first["timed_out"]:
                second = None
                first["output"] = f"did not finish within {limit:.0f} s (stopped)"
            else:
                second = run_measured(
                    manage + ["import_catalog", *paths], env=env, timeout=limit
                )
            ctx.add(
                Row(
                    "import",
                    "national data: catalog.jsonl + 502 details, empty catalog",
                    value=first["seconds"],
                    unit="s",
                    note=f"peak RSS {first['peak_rss_mb']} MB; {_counts(first['output'])}"
                    + (
                        ""
                        if first["returncode"] == 0
                        else f"; exit {first['returncode']}: {first['output'][-300:]}"
                    ),
                    extra={
                        "peak_rss_mb": first["peak_rss_mb"],
                        "timed_out": first["timed_out"],
                    },
                )
            )
            if second is not None:
                ctx.add(
                    Row(
                        "import",
                        "national data again (idempotent re-run)",
                        value=second["seconds"],
                        unit="s",
                        note=f"peak RSS {second['peak_rss_mb']} MB; {_counts(second['output'])}"
                        + (" (stopped: time budget)" if second["timed_out"] else ""),
                    )
                )
            ctx.state["import_national"] = first
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute('DROP DATABASE IF EXISTS "bench_import"')
    else:
        ctx.missing("import", "national data", f"{raw} (shared data)")

    # ---- a 10,000-row spreadsheet in the project's template, dry run on the generated catalog
    if remaining_seconds() < 150:
        ctx.missing(
            "import", "10,000-row spreadsheet dry run", "time in the 15-minute budget"
        )
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-sheet-"))
    sheet = folder / "catalog-10000.xlsx"
    try:
        written = write_spreadsheet(sheet)
    except ImportError as exc:
        ctx.missing(
            "import",
            "10,000-row spreadsheet dry run",
            f"the spreadsheet template ({exc})",
        )
        return
    size_mb = sheet.stat().st_size / 1024 / 1024
    ours = run_measured(
        manage + ["import_catalog", str(sheet), "--dry-run"], env=IMPORT_ENV
    )
    # The peer runs one round of queries per row: its time is linear in the rows, so it imports a
    # sample of the same file and its whole-file time is scaled from it (several minutes saved).
    sample = min(written, int(os.environ.get("BENCH_IE_PEER_ROWS", "1000")))
    peer = run_measured(
        [sys.executable, "-m", "bench.ie_peer", str(sheet), str(sample)],
        env=IMPORT_ENV,
    )
    peer_seconds = peer_scaled = None
    read = re.search(r"read=([\d.]+)s seconds=([\d.]+)", peer["output"])
    if read and sample:
        peer_seconds = float(read.group(2))
        # Opening the workbook (shared strings, start-up) is paid once; import_data is per row.
        peer_scaled = peer["seconds"] - peer_seconds + peer_seconds / sample * written
    ctx.add(
        Row(
            "import",
            f"{written:,}-row spreadsheet dry run (xlsx, every sheet)",
            value=ours["seconds"],
            unit="s",
            peer="django-import-export defaults, row by row, procedure sheet only",
            ratio=ratio(ours["seconds"], peer_scaled, "django-import-export (scaled)")
            if peer["returncode"] == 0
            else "",
            note=f"{size_mb:.1f} MB file; peak RSS {ours['peak_rss_mb']} MB; {_counts(ours['output'])}"
            + (
                ""
                if ours["returncode"] == 0
                else f"; exit {ours['returncode']}: {ours['output'][-300:]}"
            ),
            extra={"peak_rss_mb": ours["peak_rss_mb"], "timed_out": ours["timed_out"]},
        )
    )
    ctx.add(
        Row(
            "import",
            f"peer: django-import-export row-by-row dry run, {sample:,} rows of the same file",
            value=peer["seconds"],
            unit="s",
            note=(
                f"import_data {peer_seconds:.1f} s for {sample:,} rows; scaled to {written:,} rows: "
                f"{peer_scaled:.0f} s; "
                if peer_scaled
                else ""
            )
            + f"peak RSS {peer['peak_rss_mb']} MB; "
            + (
                peer["output"].strip().splitlines()[-1][:200]
                if peer["output"].strip()
                else ""
            ),
        )
    )
    ctx.state["import_sheet"] = ours

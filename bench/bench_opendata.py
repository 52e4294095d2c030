"""Open data: `manage.py export_open_data` of the whole catalog (JSON Lines, CSV tables, JSON-LD,
the restorable archive, manifest), in its own process for an honest peak memory.

Measured twice: cold (no procedure's stored JSON built yet, as after a deploy that changed the
representation: the dump builds them all) and warm (the usual rebuild after a publish)."""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

from bench.harness import REPO, Context, Row, feature, remaining_seconds, run_measured


def run(ctx: Context) -> None:
    from api.models import ProcedureRepresentation
    from api.selectors import published_procedures

    case = "export_open_data, whole catalog"
    if feature("api.opendata", "write_dump") is None:
        ctx.missing("opendata", case, "api.opendata")
        return
    total = published_procedures().count()
    folder = Path(tempfile.mkdtemp(prefix="bench-opendata-"))
    try:
        ProcedureRepresentation.objects.all().delete()
        for label in ("cold stored JSON", "warm stored JSON"):
            target = folder / "dump"
            result = run_measured(
                [
                    sys.executable,
                    str(REPO / "manage.py"),
                    "export_open_data",
                    str(target),
                ],
                timeout=max(60, min(600, remaining_seconds() - 120)),
            )
            title = f"{case} ({total:,} procedures, {label})"
            if result["returncode"] != 0:
                ctx.add(
                    Row(
                        "opendata",
                        title,
                        note=f"error: exit {result['returncode']} after "
                        f"{result['seconds']} s: {result['output'][-300:]}",
                    )
                )
                return
            manifest = json.loads((target / "manifest.json").read_text())
            sizes = {file["name"]: file["size"] for file in manifest["files"]}
            ctx.add(
                Row(
                    "opendata",
                    title,
                    value=result["seconds"],
                    unit="s",
                    note=f"peak RSS {result['peak_rss_mb']} MB; "
                    + ", ".join(
                        f"{name} {seconds} s"
                        for name, seconds in manifest.get("stages", {}).items()
                    )
                    + f"; {len(sizes)} files, "
                    f"{sum(sizes.values()) / 1048576:.0f} MB: "
                    + ", ".join(
                        f"{name} {size / 1048576:.1f} MB"
                        for name, size in sizes.items()
                        if size > 1048576
                    ),
                    extra={
                        "peak_rss_mb": result["peak_rss_mb"],
                        "procedures": manifest["procedures"],
                        "sizes": sizes,
                        "stages": manifest.get("stages", {}),
                    },
                )
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)

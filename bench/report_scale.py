"""The "N procedures" section of docs/performance.md, from a `make bench-scale` run.

    python -m bench.report_scale --results /tmp/catalog-bench-scale-results.jsonl \
        --procedures 100000 --output /tmp/perf.md     # re-render from raw rows

The section sits between two markers; `make bench` (bench/report.py) rewrites the rest of the
file and carries the section over, so the two runs do not erase each other.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import sys
from pathlib import Path

from bench.report import REPO, _find, _machine, phases_section, table

START = "<!-- bench-scale: written by make bench-scale (bench/report_scale.py) -->"
END = "<!-- /bench-scale -->"


def scale_targets(rows: list[dict], procedures: int) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for the targets issue 18 sets at national size."""
    out = []

    def add(target, row, measured_fn, ok_fn):
        if row is None or (row.get("note") or "").startswith(("not measured", "error")):
            reason = (row or {}).get("note") or "row missing from this run"
            out.append((target, "—", f"not measured ({reason[:120]})"))
            return
        try:
            out.append((target, measured_fn(row), "met" if ok_fn(row) else "gap"))
        except (TypeError, KeyError, ZeroDivisionError) as exc:
            out.append((target, "—", f"not measured ({exc!r})"))

    add(
        "Search engine query with facets p95 ≤ 10 ms",
        _find(rows, "search", "engine query + 5 facets"),
        lambda r: f"{r['p95_ms']:.2f} ms",
        lambda r: r["p95_ms"] <= 10,
    )
    add(
        "API detail p50 ≤ 5 ms (in-process)",
        _find(rows, "api", "procedures/{code}/ detail"),
        lambda r: f"{r['p50_ms']:.2f} ms",
        lambda r: r["p50_ms"] <= 5,
    )
    add(
        "API list of 100 (full detail) p50 ≤ 60 ms",
        _find(rows, "api", "procedures/?page_size=100"),
        lambda r: f"{r['p50_ms']:.1f} ms",
        lambda r: r["p50_ms"] <= 60,
    )
    add(
        f"Full mirror of {procedures:,} procedures < 150 s",
        _find(rows, "mirror", "full mirror"),
        lambda r: f"{r['value']:.1f} s",
        lambda r: r["value"] < 150,
    )
    add(
        "Procedure page p50 ≤ 30 ms",
        _find(rows, "pages", "procedure page"),
        lambda r: f"{r['p50_ms']:.1f} ms, {r['queries']} queries",
        lambda r: r["p50_ms"] <= 30,
    )
    add(
        "Embedded full rebuild ≥ 2,000 procedures/s (the 10,000 target, kept)",
        _find(rows, "indexing", "embedded"),
        lambda r: f"{r['value']:,.0f}/s",
        lambda r: r["value"] >= 2000,
    )
    return out


def section(
    rows: list[dict],
    *,
    work: Path | None,
    procedures: int,
    departments: int,
    seconds: int,
    notes: list[str] = (),
) -> str:
    machine = _machine()
    generated = "?"
    if work and (work / "generate-postgresql.seconds").exists():
        generated = (work / "generate-postgresql.seconds").read_text().strip()
    load_start = "?"
    if work and (work / "loadavg-start").exists():
        load_start = (work / "loadavg-start").read_text().split()[0]
    load_end = f"{os.getloadavg()[0]:.1f}"
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = ["| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in scale_targets(rows, procedures)]
    return f"""{START}
## {procedures:,} procedures

Written by `make bench-scale` (`bash bench/run_scale.sh`), outside the 15-minute `make bench`:
the same benchmarks and peers on a catalog of national size, PostgreSQL only.

- date: {now}; total run time {seconds} s
- command: `BENCH_SCALE={procedures} make bench-scale` (BENCH_DEPARTMENTS={departments})
- commit: {machine["commit"]}
- machine: {machine["nproc"]} CPUs ({machine["cpu"]}), {machine["memory"]} RAM; load average
  {load_start} at the start and {load_end} at the end (above {machine["nproc"]}: other work, such as
  other test runs, shared the CPUs and absolute times are inflated)
- catalog: the demo catalog plus {procedures:,} generated procedures across {departments}
  departments, generated in {generated} s (bench/generate.py and bench/bulk.py, bulk inserts in
  chunks of 2,000 with a progress line each)
- the spreadsheet import rows use a 10,000-row file whatever the catalog size (the import rate);
  the national import runs into an empty database
{"".join(f"- {note}{chr(10)}" for note in notes)}
{chr(10).join(lines)}

{table(rows)}

{phases_section(work)}
{END}
"""


def replace_section(document: str, new: str) -> str:
    """`document` with its bench-scale section replaced by `new` (appended when absent)."""
    pattern = re.compile(re.escape(START) + r".*?" + re.escape(END) + r"\n?", re.S)
    if pattern.search(document):
        return pattern.sub(lambda _: new, document, count=1)
    return document.rstrip("\n") + "\n\n" + new


def kept_section(path: Path) -> str:
    """The bench-scale section of the file at `path`, for bench/report.py to carry over."""
    if not path.exists():
        return ""
    match = re.search(
        re.escape(START) + r".*?" + re.escape(END) + r"\n?",
        path.read_text(encoding="utf-8"),
        re.S,
    )
    return match.group(0) if match else ""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--results", type=Path, required=True)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--procedures", type=int, default=100_000)
    parser.add_argument("--departments", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=0)
    parser.add_argument("--output", type=Path, default=REPO / "docs" / "performance.md")
    parser.add_argument(
        "--note", action="append", default=[], help="a line about this run (repeatable)"
    )
    args = parser.parse_args(argv)
    rows = [
        json.loads(line)
        for line in args.results.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    new = section(
        rows,
        work=args.work,
        procedures=args.procedures,
        departments=args.departments,
        seconds=args.seconds,
        notes=args.note,
    )
    document = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    args.output.write_text(replace_section(document, new), encoding="utf-8")
    print(new)
    print(f"wrote the {args.procedures:,}-procedure section of {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Timing, query counting, peak memory and result rows shared by every benchmark module."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the results table. `value` is the headline number, in `unit`."""

    benchmark: str
    case: str
    database: str = ""
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    value: float | None = None
    unit: str = ""
    peer: str = ""
    ratio: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)


class Context:
    """What a benchmark module gets: the database label, N, the rows it appends, the shared state."""

    def __init__(
        self, *, database: str, procedures: int, results_path: Path, quick: bool = False
    ):
        self.database = database
        self.procedures = procedures
        self.results_path = results_path
        self.quick = quick
        self.rows: list[Row] = []
        self.state: dict = {}

    def add(self, row: Row) -> Row:
        row.database = row.database or self.database
        self.rows.append(row)
        with self.results_path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")
        shown = [f"{row.benchmark} | {row.case} | {row.database}"]
        if row.p50_ms is not None:
            shown.append(f"p50 {row.p50_ms:.2f} ms")
        if row.p95_ms is not None:
            shown.append(f"p95 {row.p95_ms:.2f} ms")
        if row.queries is not None:
            shown.append(f"{row.queries} queries")
        if row.value is not None:
            shown.append(f"{row.value:,.2f} {row.unit}")
        if row.ratio:
            shown.append(row.ratio)
        if row.note:
            shown.append(row.note)
        print("   " + " | ".join(shown), flush=True)
        return row

    def missing(self, benchmark: str, case: str, feature: str) -> Row:
        return self.add(
            Row(benchmark=benchmark, case=case, note=f"not measured: {feature} missing")
        )


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(
    fn: Callable[[], object],
    *,
    repeat: int,
    warmup: int = 3,
    inputs: list | None = None,
) -> dict:
    """Run fn (or fn(x) for x cycling over inputs) and return p50/p95/mean in ms."""
    for i in range(warmup):
        fn(inputs[i % len(inputs)]) if inputs else fn()
    samples = []
    for i in range(repeat):
        started = time.perf_counter()
        fn(inputs[i % len(inputs)]) if inputs else fn()
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(samples), 3),
        "p95_ms": round(percentile(samples, 0.95), 3),
        "mean_ms": round(statistics.fmean(samples), 3),
        "n": repeat,
    }


def count_queries(fn: Callable[[], object]) -> int:
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured.captured_queries)


def ratio(ours: float | None, peer: float | None, label: str) -> str:
    """'3.2x faster than X' style, from two medians of the same run."""
    if not ours or not peer:
        return ""
    if peer >= ours:
        return f"{peer / ours:.1f}x faster than {label}"
    return f"{ours / peer:.1f}x slower than {label}"


def run_measured(
    cmd: list[str], *, env: dict | None = None, cwd: Path = REPO, timeout: float = 600
) -> dict:
    """Run a command; return wall seconds, its own peak RSS (MB), CPU, exit code, output tail.

    The command runs under bench/measure.py (a small process; see there why the peak RSS of
    a command forked straight from this one would be wrong). A command still running after
    `timeout` seconds is killed (timed_out True).
    """
    import sys
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    wrapper = [
        sys.executable,
        "-S",
        str(REPO / "bench" / "measure.py"),
        "--quiet",
        "--json",
        str(result_path),
        "--timeout",
        str(max(timeout, 1)),
        "--",
        *cmd,
    ]
    started = time.perf_counter()
    process = subprocess.Popen(
        wrapper,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    output = []
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.decode("utf-8", "replace"))
        del output[:-200]
    process.wait()
    try:
        result = json.loads(result_path.read_text())
    except (OSError, ValueError):  # the wrapper itself failed
        result = {
            "seconds": round(time.perf_counter() - started, 2),
            "peak_rss_mb": 0.0,
            "returncode": process.returncode,
            "timed_out": False,
        }
    result_path.unlink(missing_ok=True)
    result["output"] = "".join(output[-40:])
    return result


def cpu_split() -> tuple[str, str] | None:
    """CPU lists for taskset: (server, load generator), halves of the CPUs this process may use;
    None when taskset (util-linux) is missing or there is only one CPU."""
    import shutil

    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2 or not shutil.which("taskset"):
        return None
    half = len(cpus) // 2
    return ",".join(map(str, cpus[:half])), ",".join(map(str, cpus[half:]))


def pinned(cmd: list[str], cpus: str | None) -> list[str]:
    """`cmd` run on the given CPUs only (taskset -c), or as is when cpus is None."""
    return ["taskset", "-c", cpus, *cmd] if cpus else list(cmd)


def remaining_seconds() -> float:
    """Seconds left before BENCH_DEADLINE (epoch seconds set by bench/run.sh); large when unset."""
    deadline = os.environ.get("BENCH_DEADLINE")
    return float(deadline) - time.time() if deadline else 1e9


def feature(module: str, attribute: str | None = None):
    """The module (or one of its attributes) when a colleague's feature exists, else None."""
    import importlib

    try:
        loaded = importlib.import_module(module)
    except ImportError:
        return None
    if attribute is None:
        return loaded
    return getattr(loaded, attribute, None)


def url_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return False
    # the Wagtail catch-all serves any path; a feature URL must resolve to something else
    return "wagtail" not in (match.func.__module__ or "") or path.startswith("/api/v2/")

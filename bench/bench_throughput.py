"""Throughput under a real WSGI server: gunicorn (2 workers) on loopback, wrk as the load generator."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.harness import REPO, Context, Row, cpu_split, pinned, ratio

DURATION = "8s"
CONNECTIONS = "16"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def redis_server():
    """A throwaway Debian redis-server on a free port, nothing on disk; yields its URL or None."""
    binary = shutil.which("redis-server")
    if not binary:
        yield None
        return
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", directory],
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
            yield f"redis://127.0.0.1:{port}/0"
        finally:
            process.terminate()
            process.wait(timeout=10)


@contextlib.contextmanager
def serve(
    workers: int = 2,
    cpus: str | None = None,
    env: dict | None = None,
    extra: tuple[str, ...] = (),
):
    """gunicorn on 127.0.0.1:<free port> with the bench settings and database; yields the base URL.

    With `cpus` ("0" or "0,1") the server runs on those CPUs only (taskset)."""
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        pinned(
            [
                str(gunicorn),
                "bench.wsgi:application",
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                *extra,
            ],
            cpus,
        ),
        cwd=REPO,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ.get(
                "DJANGO_SETTINGS_MODULE", "bench.settings"
            ),
            **(env or {}),
        },
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def wrk(
    url: str,
    *headers: str,
    cpus: str | None = None,
    duration: str = DURATION,
    connections: str = CONNECTIONS,
) -> dict:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}", "--latency"]
    for header in headers:
        cmd += ["-H", header]
    output = subprocess.run(
        pinned(cmd + [url], cpus), capture_output=True, text=True, timeout=60
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)

    def ms(match):
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {
        "rps": float(rps.group(1)) if rps else None,
        "p50_ms": ms(p50),
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "output": output[-600:],
    }


ROUNDS = 3
ROUND = "3s"


def median_run(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda run: run["rps"] or 0)
    return ordered[len(ordered) // 2]


def run(ctx: Context) -> None:
    if not shutil.which("wrk"):
        ctx.missing(
            "throughput",
            "gunicorn 2 workers + wrk",
            "the wrk load generator (apt-get install wrk)",
        )
        return
    from bench.bench_api import sample_procedures

    pk, code = sample_procedures(1, seed=3)[0]
    split = cpu_split()  # the server on half of the CPUs, wrk on the other half
    server_cpus, client_cpus = split or (None, None)
    with serve(cpus=server_cpus) as base:
        url = f"{base}/api/v1/procedures/{code}/"
        response = urllib.request.urlopen(url, timeout=10)
        etag = response.headers.get("ETag")
        # 200 and 304 alternate in short rounds, so a burst of load from elsewhere on the
        # machine weighs on both alike; each keeps its median round.
        plain_runs, cached_runs = [], []
        for _round in range(ROUNDS):
            plain_runs.append(wrk(url, cpus=client_cpus, duration=ROUND))
            if etag:
                cached_runs.append(
                    wrk(url, f"If-None-Match: {etag}", cpus=client_cpus, duration=ROUND)
                )
        plain = median_run(plain_runs)
        cached = median_run(cached_runs) if cached_runs else None
        peer = wrk(f"{base}/api/v2/pages/{pk}/", cpus=client_cpus)
    note = (
        f"wrk -t2 -c{CONNECTIONS}; 200 and 304: median of {ROUNDS} alternating {ROUND} rounds, peer -d{DURATION}; "
        + (
            f"gunicorn pinned to CPU {server_cpus}, wrk to CPU {client_cpus} (taskset), "
            "PostgreSQL on any"
            if split
            else "server and load generator share the CPUs (no taskset or one CPU): "
            "not comparable with a pinned run"
        )
    )
    ctx.add(
        Row(
            "throughput",
            "procedures/{code}/ (200, full body)",
            value=plain["rps"],
            unit="req/s",
            p50_ms=plain["p50_ms"],
            p95_ms=None,
            peer="Wagtail v2 pages/{id}/ under the same server",
            ratio=ratio(1 / plain["rps"], 1 / peer["rps"], "Wagtail v2")
            if plain["rps"] and peer["rps"]
            else "",
            note=note
            + (f"; {plain['non_2xx_3xx']} non-2xx" if plain["non_2xx_3xx"] else ""),
        )
    )
    if cached:
        ctx.add(
            Row(
                "throughput",
                "procedures/{code}/ with matching ETag (304)",
                value=cached["rps"],
                unit="req/s",
                p50_ms=cached["p50_ms"],
                ratio=f"{cached['rps'] / plain['rps']:.1f}x the 200 rate"
                if cached["rps"] and plain["rps"]
                else "",
                note=note,
            )
        )
    else:
        ctx.missing(
            "throughput",
            "procedures/{code}/ with matching ETag (304)",
            "an ETag header",
        )
    ctx.add(
        Row(
            "throughput",
            "peer: Wagtail v2 pages/{id}/ (same fields)",
            value=peer["rps"],
            unit="req/s",
            p50_ms=peer["p50_ms"],
        )
    )

    with serve(cpus=server_cpus, extra=KEEP_ALIVE) as base:
        pair_rows(
            ctx,
            f"{base}/api/v1/procedures/{code}/",
            client_cpus,
            "gunicorn gthread (4 threads), keep-alive",
            note.replace(
                "200 and 304:",
                "gunicorn -k gthread --threads 4 --keep-alive 5; 200 and 304:",
            ),
            CONNECTIONS,
        )
    with redis_server() as redis_url:
        if redis_url is None:
            for connections in REDIS_CONNECTIONS:
                ctx.missing(
                    "throughput",
                    f"with Redis, {connections} connections",
                    "redis-server (apt-get install redis-server)",
                )
            return
        with serve(cpus=server_cpus, env={"REDIS_URL": redis_url}) as base:
            redis_rows(ctx, f"{base}/api/v1/procedures/{code}/", client_cpus, note)


REDIS_CONNECTIONS = ("16", "64")


# Sync workers close every connection after one answer and wait for the client's FIN
# (gunicorn's graceful close), which under load costs more than the answer itself; gthread
# workers keep the connection open, as nginx does with an upstream `keepalive`.
KEEP_ALIVE = ("-k", "gthread", "--threads", "4", "--keep-alive", "5")


def redis_rows(ctx: Context, url: str, client_cpus: str | None, note: str) -> None:
    """200 and 304 with REDIS_URL set (shared caches and throttle), at 16 and 64 connections."""
    for connections in REDIS_CONNECTIONS:
        pair_rows(
            ctx,
            url,
            client_cpus,
            f"with Redis, {connections} connections",
            note.replace(f"-c{CONNECTIONS}", f"-c{connections}")
            + "; REDIS_URL set: caches and throttle counters in a local redis-server",
            connections,
        )


def pair_rows(
    ctx: Context,
    url: str,
    client_cpus: str | None,
    where: str,
    note: str,
    connections: str,
) -> None:
    """A 200 row and a 304 row measured in alternating rounds."""
    urllib.request.urlopen(url, timeout=10)  # stores the answer the fast path serves
    etag = urllib.request.urlopen(url, timeout=10).headers.get("ETag")
    plain_runs, cached_runs = [], []
    for _round in range(ROUNDS):
        plain_runs.append(
            wrk(url, cpus=client_cpus, duration=ROUND, connections=connections)
        )
        cached_runs.append(
            wrk(
                url,
                f"If-None-Match: {etag}",
                cpus=client_cpus,
                duration=ROUND,
                connections=connections,
            )
        )
    plain, cached = median_run(plain_runs), median_run(cached_runs)
    ctx.add(
        Row(
            "throughput",
            f"procedures/{{code}}/ (200), {where}",
            value=plain["rps"],
            unit="req/s",
            p50_ms=plain["p50_ms"],
            note=note
            + (f"; {plain['non_2xx_3xx']} non-2xx" if plain["non_2xx_3xx"] else ""),
        )
    )
    ctx.add(
        Row(
            "throughput",
            f"procedures/{{code}}/ with matching ETag (304), {where}",
            value=cached["rps"],
            unit="req/s",
            p50_ms=cached["p50_ms"],
            ratio=f"{cached['rps'] / plain['rps']:.1f}x the 200 rate"
            if cached["rps"] and plain["rps"]
            else "",
            note=note,
        )
    )

"""Two app hosts behind one load generator: two gunicorns on one PostgreSQL and one Redis.

Each host has its own VAR_DIR (embedded index, media) and SEARCH_HOST_ID, as on two machines;
they share the database and a Redis (REDIS_URL: caches and API throttle counters). wrk's two
threads go one to each host (bench/two_hosts.lua), so the load splits as a round-robin balancer
would. The reference is one host with the same number of workers on the same CPUs in the same
run, with the same Redis: on one machine the row measures what the topology costs, not what a
second machine adds.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
import urllib.request
from pathlib import Path

from bench.bench_throughput import redis_server, serve
from bench.harness import REPO, Context, Row, cpu_split, pinned

CONNECTIONS = 16
ROUNDS = 3
ROUND = "3s"
SCRIPT = REPO / "bench" / "two_hosts.lua"


@contextlib.contextmanager
def app_host(name: str, *, workers: int, cpus: str | None, environ: dict):
    """One host: gunicorn with its own VAR_DIR and SEARCH_HOST_ID; yields its port."""
    var_dir = Path(tempfile.mkdtemp(prefix=f"bench-host-{name}-"))
    env = {
        **environ,
        "VAR_DIR": str(var_dir),
        "SEARCH_INDEX_DIR": str(var_dir / "search"),
        "SEARCH_HOST_ID": f"bench-{name}",
    }
    try:
        with serve(workers=workers, cpus=cpus, env=env) as base:
            yield int(base.rsplit(":", 1)[1])
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def _wrk(url: str, *, ports: list[int] | None, cpus: str | None) -> dict:
    cmd = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{ROUND}", "--latency"]
    env = dict(os.environ)
    if ports:
        cmd += ["-s", str(SCRIPT)]
        env["WRK_PORTS"] = ",".join(map(str, ports))
    output = subprocess.run(
        pinned(cmd + [url], cpus), capture_output=True, text=True, timeout=60, env=env
    ).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)\b", output)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    p50_ms = None
    if p50:
        value, unit = float(p50.group(1)), p50.group(2)
        p50_ms = (
            value / 1000 if unit == "us" else value * 1000 if unit == "s" else value
        )
    return {
        "rps": float(rps.group(1)) if rps else None,
        "p50_ms": p50_ms,
        "errors": int(errors.group(1)) if errors else 0,
        "per_host": {
            int(port): int(count)
            for port, count in re.findall(r"host (\d+): (\d+) responses", output)
        },
        "output": output[-400:],
    }


def _median(runs: list[dict]) -> dict:
    ordered = sorted(runs, key=lambda run: run["rps"] or 0)
    return ordered[len(ordered) // 2]


def run(ctx: Context) -> None:
    case = "two hosts behind one wrk: procedures/{code}/ (200)"
    for tool in ("wrk", "redis-server"):
        if not shutil.which(tool):
            ctx.missing("hosts", case, f"{tool} (apt-get install {tool.split('-')[0]})")
            return
    from bench.bench_api import sample_procedures

    _pk, code = sample_procedures(1, seed=3)[0]
    path = f"/api/v1/procedures/{code}/"
    split = cpu_split()
    server_cpus, client_cpus = split or (None, None)
    with contextlib.ExitStack() as stack:
        redis_url = stack.enter_context(redis_server())
        shared = {"REDIS_URL": redis_url}
        one = stack.enter_context(
            app_host("one", workers=2, cpus=server_cpus, environ=shared)
        )
        host_a = stack.enter_context(
            app_host("a", workers=1, cpus=server_cpus, environ=shared)
        )
        host_b = stack.enter_context(
            app_host("b", workers=1, cpus=server_cpus, environ=shared)
        )
        etags = set()
        for port in (one, host_a, host_b):
            # one Host header for all, as behind a balancer: the body's absolute links use it
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}",
                headers={"Host": f"127.0.0.1:{host_a}"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                etags.add(response.headers.get("ETag"))
        single_runs, pair_runs = [], []
        for _round in range(ROUNDS):  # alternate, so load from elsewhere weighs on both
            single_runs.append(
                _wrk(f"http://127.0.0.1:{one}{path}", ports=None, cpus=client_cpus)
            )
            pair_runs.append(
                _wrk(
                    f"http://127.0.0.1:{host_a}{path}",
                    ports=[host_a, host_b],
                    cpus=client_cpus,
                )
            )
        import redis

        keys = redis.Redis.from_url(
            redis_url
        ).dbsize()  # the hosts did use the shared Redis
    single, pair = _median(single_runs), _median(pair_runs)
    counts = pair["per_host"]
    split_note = (
        f"host A {counts.get(host_a, 0):,} / host B {counts.get(host_b, 0):,} responses"
        if counts
        else "per-host counts missing"
    )
    where = (
        f"all gunicorns pinned to CPU {server_cpus}, wrk to CPU {client_cpus}"
        if split
        else "servers and wrk share the CPUs"
    )
    ctx.add(
        Row(
            "hosts",
            case,
            value=pair["rps"],
            unit="req/s",
            p50_ms=pair["p50_ms"],
            peer="one host, 2 workers, same CPUs, same Redis",
            ratio=f"{pair['rps'] / single['rps']:.2f}x the one-host rate"
            if pair["rps"] and single["rps"]
            else "",
            note=f"2 hosts × 1 gunicorn worker, each its own VAR_DIR and SEARCH_HOST_ID, one "
            f"{ctx.database} database, one Redis (REDIS_URL, {keys} keys after the run); wrk -t2 -c{CONNECTIONS}, one thread per host, "
            f"median of {ROUNDS} {ROUND} rounds alternating with the one-host run; {split_note}; "
            f"{pair['errors']} non-2xx; {where}; "
            + (
                "same ETag on every host"
                if len(etags) == 1
                else f"ETags differ: {etags}"
            ),
            extra={"one_host": single, "two_hosts": pair},
        )
    )
    ctx.add(
        Row(
            "hosts",
            "reference: one host (2 workers) behind the same wrk, same Redis",
            value=single["rps"],
            unit="req/s",
            p50_ms=single["p50_ms"],
            note=f"{single['errors']} non-2xx",
        )
    )

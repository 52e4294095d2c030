"""Run a command and report what it cost: wall time, CPU time (its own and PostgreSQL's), peak RSS.

    python -S bench/measure.py --name "load_demo" --log phases.jsonl -- python manage.py load_demo

bench/run.sh runs every phase of `make bench` through it, and harness.run_measured every command
a benchmark times. Standard library only (it runs with -S, so it stays a ~10 MB process).

- Peak RSS is ru_maxrss from wait4() of the command, forked from this small process. Linux
  counts in a child's ru_maxrss the memory of the process it was forked from, so a command
  started straight from a 400 MB benchmark process would report at least 400 MB.
- CPU is the command's user + system time with its descendants, from the same wait4().
- PostgreSQL CPU is read from /proc for the throwaway cluster of bench/run.sh (PGROOT, or
  BENCH_POSTMASTER_PID): the postmaster, its live backends and those it has reaped. On a
  shared machine, CPU seconds are a fairer estimate of a quiet run than wall seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def _postmaster() -> int | None:
    pid = os.environ.get("BENCH_POSTMASTER_PID")
    if pid and pid.isdigit():
        return int(pid)
    root = os.environ.get("PGROOT")
    if not root:
        return None
    try:
        with open(os.path.join(root, "data", "postmaster.pid"), encoding="ascii") as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the 3rd (state) on


def postgres_cpu() -> float | None:
    """CPU seconds the PostgreSQL cluster has used so far, or None when it cannot be seen."""
    master = _postmaster()
    if master is None:
        return None
    fields = _stat(master)
    if fields is None:
        return None
    # utime, stime, cutime, cstime are fields 14-17 of /proc/pid/stat (index 11-14 here)
    ticks = sum(int(v) for v in fields[11:15])
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        child = _stat(int(name))
        if child is not None and child[1] == str(master):  # field 4: parent pid
            ticks += sum(int(v) for v in child[11:15])
    return ticks / TICK


def run(cmd: list[str], *, timeout: float | None = None, output=None) -> dict:
    """Run `cmd` (its output passes through, or goes to the open file `output`); wall, CPU,
    PostgreSQL CPU, peak RSS, exit code."""
    pg_before = postgres_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(
        cmd, stdout=output, stderr=subprocess.STDOUT if output else None
    )
    deadline = None if timeout is None else started + timeout
    timed_out = False
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG if deadline else 0)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            timed_out = True
            _, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    pg_after = postgres_cpu()
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "postgres_cpu_seconds": round(pg_after - pg_before, 2)
        if pg_before is not None and pg_after is not None
        else None,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "returncode": os.waitstatus_to_exitcode(status),
        "timed_out": timed_out,
    }


def describe(name: str, result: dict) -> str:
    pg = result.get("postgres_cpu_seconds")
    return (
        f"   [{name}] {result['seconds']:.1f} s wall; CPU {result['cpu_seconds']:.1f} s"
        + (f" + PostgreSQL {pg:.1f} s" if pg is not None else "")
        + f"; peak RSS {result['peak_rss_mb']:.0f} MB"
        + (f"; exit {result['returncode']}" if result["returncode"] else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", default="")
    parser.add_argument("--log", help="append the result as one JSON line")
    parser.add_argument("--json", help="write the result to this file")
    parser.add_argument("--timeout", type=float)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--output", help="send the command's output to this file")
    parser.add_argument("cmd", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        parser.error("no command")
    if args.output:
        with open(args.output, "ab") as output:
            result = run(cmd, timeout=args.timeout, output=output)
    else:
        result = run(cmd, timeout=args.timeout)
    result["name"] = args.name or " ".join(cmd)[:80]
    line = json.dumps(result)
    if args.log:
        with open(args.log, "a", encoding="utf-8") as f:
            f.write(line + "\n")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            f.write(line)
    if not args.quiet:
        print(describe(result["name"], result), flush=True)
    code = result["returncode"]
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())

"""Several app hosts on one machine, as a deployment has them on several: each with its own
VAR_DIR (embedded index, media), port and SEARCH_HOST_ID, a gunicorn and a `search_index
follow`, all on one PostgreSQL and one Redis. Used by tests/reliability/test_several_hosts.py
and reusable by the benchmarks (start_redis, start_hosts)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from tests.reliability.servers import PYTHON, ROOT, Server, free_port, server_env

FOLLOW_INTERVAL = 0.3  # seconds between a follower's looks at the event log


@contextmanager
def start_redis(directory: Path):
    """Debian's redis-server on a free loopback port, nothing on disk; yields its URL."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: tests/system-deps.sh installs it"
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no", "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


class Standby:
    """A PostgreSQL hot standby being made in the background: `url` is known at once (hosts can
    be started with it meanwhile), `wait()` returns when it accepts connections."""

    def __init__(self, url: str, thread: threading.Thread):
        self.url, self._thread, self.error = url, thread, None
        self.stop = lambda: None  # set once the server is known

    def wait(self) -> None:
        self._thread.join()
        if self.error:
            raise self.error


@contextmanager
def start_standby(primary: dict):
    """A hot standby streaming from the primary (`connection.settings_dict`): pg_basebackup -R,
    then a server on a free port; yields a Standby whose `url` names the primary's database on
    it. As root it runs as `postgres` (PostgreSQL refuses root), as tests/pg.sh does; the
    primary must allow replication connections from 127.0.0.1 (initdb's default)."""
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"))
    assert binaries, "PostgreSQL's pg_basebackup is missing"
    bin_dir = binaries[-1].parent
    as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    root = Path(tempfile.mkdtemp(prefix="catalog-standby-"))
    if as_postgres:
        shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()

    def run(*args):
        result = subprocess.run(
            [*as_postgres, *map(str, args)], capture_output=True, text=True
        )
        assert result.returncode == 0, result.stdout + result.stderr

    host, primary_port = primary["HOST"] or "127.0.0.1", primary["PORT"] or 5432
    pg_ctl = [bin_dir / "pg_ctl", "-D", data, "-w"]
    # a hot standby needs at least the primary's max_connections (tests/pg.sh sets 200)
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c hot_standby=on "
        "-c max_connections=500"
    )

    def make():
        try:
            run(
                bin_dir / "pg_basebackup",
                *("-h", host, "-p", primary_port, "-U", primary["USER"]),
                *("-D", data, "-R", "-X", "stream", "-c", "fast"),
            )
            run(*pg_ctl, "-l", root / "log", "-t", "60", "-o", options, "start")
        except AssertionError as exc:
            log = root / "log"
            text = log.read_text()[-3000:] if log.exists() else ""
            standby.error = AssertionError(f"{exc}\n{text}")

    user, password = primary["USER"], primary["PASSWORD"]
    url = f"postgres://{user}:{password}@127.0.0.1:{port}/{primary['NAME']}"
    standby = Standby(url, threading.Thread(target=make))

    def stop():
        """Stops the standby at once, as a crash would."""
        subprocess.run(
            [*as_postgres, *map(str, pg_ctl), "-m", "immediate", "stop"],
            capture_output=True,
        )

    standby.stop = stop
    standby._thread.start()
    try:
        yield standby
    finally:
        standby._thread.join()
        stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Host:
    """One app host: its gunicorn (`server`) and its indexer (`follower`)."""

    name: str
    var_dir: Path
    server: Server
    follower: subprocess.Popen

    def get(self, path: str, **kwargs):
        return self.server.get(path, **kwargs)

    def follower_log(self) -> str:
        return (self.var_dir / "follow.log").read_text(errors="replace")


def host_env(name: str, var_dir: Path, *, database_url: str, redis_url: str, **extra):
    return server_env(
        var_dir=var_dir,
        database_url=database_url,
        REDIS_URL=redis_url,
        SEARCH_HOST_ID=name,
        **extra,
    )


def _follow(env: dict, var_dir: Path) -> subprocess.Popen:
    log = (var_dir / "follow.log").open("ab")
    return subprocess.Popen(
        [PYTHON, "manage.py", "search_index", "follow"]
        + ["--interval", str(FOLLOW_INTERVAL), "--reconcile-every", "600"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _indexed(host: Host) -> bool:
    """The follower has read the log once: its index exists and /healthz shows no lag."""
    body = host.get("/healthz").json()
    lag = body["search"].get("lag") or {}
    return lag.get("indexer") == host.name and lag.get("unread_events") == 0


@contextmanager
def start_hosts(
    names: list[str],
    base: Path,
    *,
    database_url: str,
    redis_url: str,
    per_host: dict[str, dict] | None = None,
    workers: int = 1,
    **extra: str,
):
    """Start every host's gunicorn and follower side by side; yields the hosts once each
    answers /healthz with its own index caught up. Stops them all on the way out.

    `extra` is every host's environment beyond the defaults, `per_host[name]` one host's;
    `workers` gunicorn workers per host (one boots fastest; the bench may want more)."""
    with ExitStack() as stack:
        hosts = []
        for name in names:
            var_dir = base / name
            var_dir.mkdir(parents=True, exist_ok=True)
            env = host_env(
                name,
                var_dir,
                database_url=database_url,
                redis_url=redis_url,
                **{**extra, **(per_host or {}).get(name, {})},
            )
            follower = _follow(env, var_dir)
            stack.callback(_stop, follower)  # after the servers (last in, first out)
            server = Server(env=env, log=var_dir / "gunicorn.log", workers=workers)
            hosts.append(Host(name, var_dir, server, follower))
        stack.callback(
            _in_parallel, [partial(_quick_stop, host.server) for host in hosts]
        )
        _in_parallel(
            [host.server.start for host in hosts]
        )  # each takes seconds to boot
        deadline = time.monotonic() + 60
        for host in hosts:
            while not _indexed(host):
                assert host.follower.poll() is None, host.follower_log()[-3000:]
                assert time.monotonic() < deadline, (
                    f"{host.name}'s index did not catch up:\n{host.follower_log()[-3000:]}"
                )
                time.sleep(0.2)
        yield hosts


def _quick_stop(server: Server) -> None:
    """gunicorn's quick shutdown (SIGINT): a test has no request in flight worth waiting for."""
    if server.process and server.process.poll() is None:
        server.process.send_signal(signal.SIGINT)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass  # stop() terminates it
    server.stop()


def _in_parallel(calls) -> None:
    with ThreadPoolExecutor(len(calls)) as pool:
        for future in [pool.submit(call) for call in calls]:
            future.result()


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

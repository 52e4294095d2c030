"""Throwaway gunicorn servers on production settings, and a plain HTTP client for them."""

from __future__ import annotations

import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
WORKERS = 2
CSRF_SECRET = "reliability0test0csrf0secret0032"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(*, var_dir: Path, database_url: str, **extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "TEST_", "SQLITE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.reliability.server_settings",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        BEHIND_TLS_PROXY="0",
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        SEARCH_INDEX_NAME="test_procedures",
        LOG_LEVEL="INFO",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str, timeout: int = 300) -> str:
    result = subprocess.run(
        [PYTHON, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode:
        raise AssertionError(
            f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    seconds: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        import json

        return json.loads(self.body)


@dataclass
class Server:
    env: dict
    log: Path
    prefix: list[str] = field(default_factory=list)
    port: int = 0
    process: subprocess.Popen | None = None
    session_key: str = ""
    workers: int = WORKERS

    def start(self) -> Server:
        self.port = free_port()
        self._log = self.log.open("ab")
        self.process = subprocess.Popen(
            [
                *self.prefix,
                PYTHON,
                "-m",
                "gunicorn",
                "cms.wsgi:application",
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited:\n{self.log_text()[-3000:]}")
            try:
                if self.get("/healthz").status in (200, 503):
                    return self
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not answer:\n{self.log_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def request(
        self,
        method: str,
        path: str,
        *,
        admin: bool = False,
        timeout: float = 30,
        headers: dict | None = None,
    ) -> Response:
        headers = {"Host": "127.0.0.1", "Accept-Language": "vi", **(headers or {})}
        cookies = []
        if admin:
            cookies.append(f"sessionid={self.session_key}")
        if (
            method != "GET"
        ):  # a form post: Django takes a 32-character cookie secret as token
            cookies.append(f"csrftoken={CSRF_SECRET}")
            headers["X-CSRFToken"] = CSRF_SECRET
        if cookies:
            headers["Cookie"] = "; ".join(cookies)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, headers=headers)
            raw = connection.getresponse()
            body = raw.read()
        finally:
            connection.close()
        return Response(
            raw.status,
            {k.lower(): v for k, v in raw.getheaders()},
            body,
            time.perf_counter() - started,
        )

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

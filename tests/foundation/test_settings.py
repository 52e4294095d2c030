"""Bad configuration stops start-up with one clear line."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(settings_module: str, **environ) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SEARCH_ENGINE", "ELASTICSEARCH_URL")
    }
    env.update(environ, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"SEARCH_ENGINE": "elasticsearch"},
            "SEARCH_ENGINE=elasticsearch needs ELASTICSEARCH_URL",
        ),
        ({"SEARCH_ENGINE": "solr"}, "SEARCH_ENGINE='solr'"),
        ({"DATABASE_URL": "mysql//nope"}, "DATABASE_URL='mysql//nope' is malformed"),
        ({"DATABASE_URL": "postgres://"}, "names no database"),
    ],
)
def test_bad_configuration_fails_with_one_line(environ, expected, tmp_path):
    result = run_check("cms.settings.dev", VAR_DIR=str(tmp_path), **environ)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [lines[0]] and expected in lines[0], result.stderr


def test_production_without_secret_key_fails_with_one_line(tmp_path):
    result = run_check(
        "cms.settings.production",
        VAR_DIR=str(tmp_path),
        ALLOWED_HOSTS="dichvucong.example",
    )
    assert result.returncode != 0
    assert (
        result.stderr.strip()
        == "Configuration error: production needs SECRET_KEY set to a random string of at least 50 characters."
    )


def test_production_passes_deploy_check_without_warnings(tmp_path):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests for their own process only.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="cms.settings.production",
        VAR_DIR=str(tmp_path),
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="dichvucong.example",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_vietnamese_first_settings(settings):
    assert settings.LANGUAGE_CODE == "vi"
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
    assert ("en", "English") in settings.LANGUAGES


def test_search_host_id_and_replica_url_are_checked(monkeypatch):
    from cms.config import ConfigError, database_from_url, search_host_id

    monkeypatch.delenv("SEARCH_HOST_ID", raising=False)
    assert search_host_id() == "default"
    monkeypatch.setenv("SEARCH_HOST_ID", "web-2")
    assert search_host_id() == "web-2"
    for bad in ("web 1", "x" * 41, "web/1", "shared"):
        monkeypatch.setenv("SEARCH_HOST_ID", bad)
        with pytest.raises(ConfigError, match="SEARCH_HOST_ID="):
            search_host_id()
    with pytest.raises(ConfigError, match="DATABASE_REPLICA_URL='mysql://r/c' is"):
        database_from_url("mysql://r/c", name="DATABASE_REPLICA_URL")

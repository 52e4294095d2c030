"""Reading settings from the environment: every bad value stops start-up with one line."""

import os
from urllib.parse import urlparse

import dj_database_url


class ConfigError(SystemExit):
    """A misconfiguration; SystemExit so the process prints one line, not a traceback."""

    def __init__(self, message: str):
        super().__init__(f"Configuration error: {message}")


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}={value!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def redis_url(url: str | None) -> str | None:
    """REDIS_URL as given, or None; a URL Redis would not understand stops start-up."""
    if url is None:
        return None
    if urlparse(url).scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(
            f"REDIS_URL={url!r} is malformed: expected redis://host:port/db, "
            "rediss://host:port/db or unix:///path/redis.sock"
        )
    return url


SUPPORTED_DATABASES = ("postgres", "postgresql", "pgsql", "sqlite")


def database_from_url(url: str, name: str = "DATABASE_URL") -> dict:
    scheme = urlparse(url).scheme
    if scheme not in SUPPORTED_DATABASES:
        raise ConfigError(
            f"{name}={url!r} is malformed: expected postgres://user:pass@host:port/name "
            "or sqlite:////absolute/path.db"
        )
    sqlite = scheme == "sqlite"
    # SQLite opens a file in well under a millisecond, and a connection kept open remembers
    # the file's state: one opened while it was read-only stayed read-only after the fault.
    try:
        config = dj_database_url.parse(
            url, conn_max_age=0 if sqlite else 60, conn_health_checks=True
        )
    except Exception as exc:  # dj_database_url raises several types
        raise ConfigError(f"{name} is malformed: {exc}") from None
    if not config.get("NAME"):
        raise ConfigError(f"{name}={url!r} names no database.")
    options = config.setdefault("OPTIONS", {})
    if sqlite:
        # a short lock (another writer committing) is waited out; a long one answers 503
        options.setdefault("timeout", env_int("SQLITE_BUSY_TIMEOUT", 5))
    else:
        # a server that does not answer is an outage in seconds, not a hung worker
        options.setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
    return config


SEARCH_ENGINES = ("embedded", "elasticsearch")


def search_engine() -> tuple[str, str | None]:
    engine = env("SEARCH_ENGINE", "embedded")
    if engine not in SEARCH_ENGINES:
        raise ConfigError(
            f"SEARCH_ENGINE={engine!r}: choose one of {', '.join(SEARCH_ENGINES)}."
        )
    url = env("ELASTICSEARCH_URL")
    if engine == "elasticsearch":
        if not url:
            raise ConfigError(
                "SEARCH_ENGINE=elasticsearch needs ELASTICSEARCH_URL (e.g. http://localhost:9200)."
            )
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ConfigError(f"ELASTICSEARCH_URL={url!r} is not an http(s) URL.")
    return engine, url


def search_host_id() -> str:
    """SEARCH_HOST_ID names this host's embedded index cursor; "default" on one host."""
    value = env("SEARCH_HOST_ID", "default")
    if len(value) > 40 or not value.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(
            f"SEARCH_HOST_ID={value!r}: use up to 40 letters, digits, - or _ (e.g. web-1)."
        )
    if value == "shared":
        raise ConfigError("SEARCH_HOST_ID='shared' is the Elasticsearch cursor's name.")
    return value

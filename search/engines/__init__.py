"""`get_engine()`: the configured search engine, one instance per process and configuration."""

from __future__ import annotations

import threading

from django.conf import settings

from search.engines.base import EngineUnavailable, SearchEngine

__all__ = ["EngineUnavailable", "SearchEngine", "get_engine", "make_engine"]

_engines: dict[tuple, SearchEngine] = {}
_lock = threading.Lock()


def make_engine(name: str | None = None) -> SearchEngine:
    """A new engine; `name` overrides settings.SEARCH_ENGINE (the behaviour suite runs both)."""
    name = name or settings.SEARCH_ENGINE
    if name == "embedded":
        from search.engines.embedded import EmbeddedEngine

        return EmbeddedEngine(
            directory=settings.SEARCH_INDEX_DIR, index_name=settings.SEARCH_INDEX_NAME
        )
    if name == "elasticsearch":
        from search.engines.elasticsearch import ElasticsearchEngine

        return ElasticsearchEngine(
            url=settings.ELASTICSEARCH_URL,
            index_name=settings.SEARCH_INDEX_NAME,
            timeout=settings.ELASTICSEARCH_TIMEOUT,
        )
    if name == "database":
        from search.engines.database import DatabaseEngine

        return DatabaseEngine()
    raise ValueError(f"unknown search engine {name!r}")


def get_engine() -> SearchEngine:
    key = (
        settings.SEARCH_ENGINE,
        str(settings.SEARCH_INDEX_DIR),
        settings.SEARCH_INDEX_NAME,
        settings.ELASTICSEARCH_URL,
    )
    engine = _engines.get(key)
    if engine is None:
        with _lock:
            engine = _engines.get(key)
            if engine is None:
                engine = _engines[key] = make_engine()
    return engine

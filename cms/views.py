"""Operational endpoints."""

import time

from django.conf import settings
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_status() -> dict:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return {
            "status": "down",
            "vendor": connection.vendor,
            "error": exc.__class__.__name__,
        }
    return {
        "status": "ok",
        "vendor": connection.vendor,
        "ms": round((time.perf_counter() - started) * 1000, 2),
    }


def _search_status() -> dict:
    try:
        from search.engines import get_engine
    except ImportError:
        return {"status": "unknown", "engine": settings.SEARCH_ENGINE}
    try:
        return {"engine": settings.SEARCH_ENGINE, **get_engine().health()}
    except (
        Exception
    ) as exc:  # the search engine being down must not hide the database status
        return {
            "status": "down",
            "engine": settings.SEARCH_ENGINE,
            "error": exc.__class__.__name__,
        }


@transaction.non_atomic_requests  # a down database must give 503 from the view, not 500 from BEGIN
@never_cache
@require_GET
def healthz(request):
    database = _database_status()
    search = _search_status()
    healthy = database["status"] == "ok"
    body = {
        "status": "ok" if healthy else "down",
        "database": database,
        "search": search,
    }
    if healthy and search.get("status") != "ok":
        body["status"] = "degraded"
    return JsonResponse(body, status=200 if healthy else 503)

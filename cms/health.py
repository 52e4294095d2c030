"""What /healthz checks: a real database read, a real database write, the search index.

Each check is cheap (an indexed read, one rolled-back insert, counts over the index bookkeeping)
and reports how long it took, so a load balancer can call it every few seconds.
"""

from __future__ import annotations

import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Min
from django.utils import timezone

from cms.outage import describe

# The search index counts as lagging (degraded) when a catalog change has waited this long: the
# indexer runs on every event and `search_index update` from cron every minute.
SEARCH_LAG_DEGRADED_SECONDS = 300
# Unread events are counted up to this many; more reads as "at least".
LAG_COUNT_LIMIT = 10000
# PostgreSQL: a check never waits longer than this for a lock or a statement (SQLite waits its
# busy timeout, the same as a request would).
PG_CHECK_TIMEOUT_MS = 2000


class Check:
    """A timed check: `status` ok/down, `ms`, the error's class and code when it failed."""

    def __init__(self):
        self.result: dict = {}
        self.error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.result.get("status") == "ok"


@contextmanager
def _timed(check: Check, errors=(Exception,)):
    started = time.perf_counter()
    try:
        yield check.result
    except errors as exc:
        check.error = exc
        check.result.clear()
        check.result.update(status="down", error=describe(exc))
    else:
        check.result.setdefault("status", "ok")
    check.result["ms"] = round((time.perf_counter() - started) * 1000, 1)


@contextmanager
def _bounded_transaction():
    """One transaction whose statements cannot hang the probe on PostgreSQL."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL statement_timeout = {PG_CHECK_TIMEOUT_MS}")
                cursor.execute(f"SET LOCAL lock_timeout = {PG_CHECK_TIMEOUT_MS}")
        yield


def check_database_read() -> Check:
    """Read the newest catalog event: a real table, so a locked SQLite file fails here."""
    from catalog.models import CatalogEvent

    check = Check()
    with _timed(check) as result:
        with _bounded_transaction():
            latest = CatalogEvent.objects.order_by("-id").values_list("id", flat=True)
            result["latest_event"] = latest.first()
    return check


def check_database_write() -> Check:
    """Insert a row and roll it back: fails on a read-only or locked file and on a standby."""
    from cms.models import HealthProbe

    check = Check()
    with _timed(check):
        with _bounded_transaction():
            HealthProbe.objects.create()
            transaction.set_rollback(True)
    return check


def check_replica_read() -> Check | None:
    """DATABASE_REPLICA_URL's database, when there is one: a read of the newest catalog event,
    so how many events it is behind the primary shows next to it (cms/replica.py)."""
    from catalog.models import CatalogEvent
    from cms.replica import configured_replica

    alias = configured_replica()
    if alias is None:
        return None
    check = Check()
    with _timed(check) as result:
        with transaction.atomic(using=alias):
            if connections[alias].vendor == "postgresql":
                with connections[alias].cursor() as cursor:
                    cursor.execute(
                        f"SET LOCAL statement_timeout = {PG_CHECK_TIMEOUT_MS}"
                    )
            latest = CatalogEvent.objects.using(alias).order_by("-id")
            result["latest_event"] = latest.values_list("id", flat=True).first()
    return check


def _index_lag() -> dict:
    """Catalog events the indexer has not read yet, and read changes not applied yet."""
    from catalog.models import CatalogEvent
    from search.indexing import held_elsewhere, indexer_name, pending_changes
    from search.models import IndexCursor

    indexer = indexer_name()  # this host's embedded index, or the shared one
    row = IndexCursor.objects.filter(name=indexer).first()
    cursor = row.last_event_id if row else 0
    unread = CatalogEvent.objects.filter(id__gt=cursor).order_by("id")
    unread_count = unread[:LAG_COUNT_LIMIT].count()
    oldest_unread = unread.values_list("occurred_at", flat=True).first()
    pending = pending_changes().aggregate(count=Count("id"), oldest=Min("created_at"))
    failing = pending_changes().filter(attempts__gt=0).count()
    oldest = min(
        (t for t in (oldest_unread, pending["oldest"]) if t is not None), default=None
    )
    return {
        "indexer": indexer,
        "cursor": cursor,
        # another host's index reads with this SEARCH_HOST_ID (where it runs: the operator's)
        "held_elsewhere": held_elsewhere(row) is not None,
        "unread_events": unread_count,
        "unread_events_capped": unread_count >= LAG_COUNT_LIMIT,
        "pending_changes": pending["count"],
        "failing_changes": failing,
        "oldest_seconds": (
            round((timezone.now() - oldest).total_seconds(), 1) if oldest else None
        ),
    }


def check_search(*, database_ok: bool) -> dict:
    """The engine's own health() (the embedded engine finds a missing, corrupt, emptied or
    lagging index), plus how far indexing is behind the catalog event log."""
    from search.engines import get_engine

    result: dict = {"engine": settings.SEARCH_ENGINE}
    if not database_ok:
        # the embedded engine's health counts procedures in the database: it would wait
        # out the same lock again, and the answer is "down" either way
        result.update(status="unknown", reason="not checked: database unreadable")
        return result
    problems: list[str] = []
    started = time.perf_counter()
    try:
        health = get_engine().health()
    except Exception as exc:  # the engine being down must not hide the database status
        health = {"status": "down", "error": describe(exc)}
    health.pop("path", None)  # a server path is nobody's business
    result.update(health)
    if health.get("status") != "ok":
        problems.append(health.get("problem") or f"engine {health.get('status')}")
    try:
        result["lag"] = lag = _index_lag()
        if (
            "problem" not in health  # engines that do not judge their own contents
            and health.get("documents") == 0
            and _catalog_has_live_procedures()
        ):
            problems.append("index empty")
        if (lag["oldest_seconds"] or 0) > SEARCH_LAG_DEGRADED_SECONDS:
            problems.append("index lagging")
        if lag["held_elsewhere"]:
            problems.append("SEARCH_HOST_ID in use by another host")
    except Exception as exc:  # the database failed between checks
        problems.append("lag unknown")
        result["lag_error"] = describe(exc)
    if health.get("status") == "down":
        result["status"] = "down"
    else:
        result["status"] = "degraded" if problems else "ok"
    result["problems"] = problems
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def _catalog_has_live_procedures() -> bool:
    from catalog.models import ProcedurePage

    return ProcedurePage.objects.live().exists()


def report() -> tuple[dict, BaseException | None]:
    """The /healthz body, and the database error that made it "down" (None otherwise)."""
    started = time.perf_counter()
    read = check_database_read()
    if read.ok:
        write = check_database_write()
    else:
        write = Check()
        write.result = {"status": "unknown", "reason": "not tried: read failed"}
    database_ok = read.ok and write.ok
    replica = check_replica_read()
    search = check_search(database_ok=read.ok)
    if not database_ok:
        status = "down"
    elif search["status"] != "ok" or (replica and not replica.ok):
        # a replica that is down sends every host's public reads to the primary
        # (cms/replica.py): degraded, so the balancer keeps the hosts
        status = "degraded"
    else:
        status = "ok"
    body = {
        "status": status,
        "database": {
            "status": "ok" if database_ok else "down",
            "vendor": connection.vendor,
            "read": read.result,
            "write": write.result,
        },
        "search": search,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if replica:
        body["database"]["replica"] = replica.result
        newest, copied = (
            read.result.get("latest_event"),
            replica.result.get("latest_event"),
        )
        if replica.ok and newest is not None:
            replica.result["events_behind"] = newest - (copied or 0)
    return body, read.error or write.error

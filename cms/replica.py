"""DATABASE_REPLICA_URL: anonymous public reads from a PostgreSQL replica, everything else primary.

A request may read from the replica only when the middleware says so: a GET or HEAD with no
session cookie and no Authorization header (a citizen, a harvester, a CDN), outside the admin.
Within such a request, the first write (a throttle counter, a view count) sends every later
read back to the primary, and so does any transaction opened inside the view. Anything else —
the admin, editors, POSTs, management commands, tasks — never sees the replica.

A replica that cannot be reached or refuses a read does not fail the reads it was serving:
the request that meets it is answered again from the primary, and for FAILOVER_SECONDS the process sends every
read to the primary before it tries the replica again (/healthz says "degraded" meanwhile).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import Error

logger = logging.getLogger("cms.replica")

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")
# /healthz checks the primary and the replica each by name
PRIVATE_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/healthz")
# How long a process reads from the primary alone after the replica failed a request.
FAILOVER_SECONDS = 30.0

_replica_readable: ContextVar[bool] = ContextVar("replica_readable", default=False)
# transaction blocks a request's view runs in before its own (ReplicaReadMiddleware.process_view)
_request_blocks: ContextVar[int] = ContextVar("replica_request_blocks", default=1)


def configured_replica() -> str | None:
    """The replica's alias when DATABASE_REPLICA_URL is set."""
    return REPLICA if REPLICA in settings.DATABASES else None


def public_read(request) -> bool:
    """A request that can be answered from data a few hundred milliseconds old."""
    return (
        request.method in SAFE_METHODS
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and not request.path.startswith(PRIVATE_PREFIXES)
    )


class Failover:
    """This process's view of the replica: usable, or down until a given time."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_until = 0.0
        self.failures = 0

    def usable(self) -> bool:
        return time.monotonic() >= self.down_until

    def failed(self, path: str) -> None:
        with self._lock:
            self.failures += 1
            self.down_until = time.monotonic() + FAILOVER_SECONDS
            logger.error(
                "a read from the replica failed (at %s) and the primary answered it: "
                "reading from the primary for %.0f s (failure %d in this process)",
                path,
                FAILOVER_SECONDS,
                self.failures,
            )
        try:
            connections[REPLICA].close()
        except Error:
            pass


failover = Failover()


class ReplicaReadMiddleware:
    """Marks anonymous public reads as replica-readable for the length of the request.

    Installed with the router only when DATABASE_REPLICA_URL is set (cms/settings/base.py),
    inside the outage handler. A replica that fails mid-request comes back here as a 5xx:
    the outage handler's 503 when it cannot be reached, a 500 when it refuses the read (a
    role without a grant, a schema behind the primary's migrations). The request, a GET or
    HEAD and so safe to repeat, runs again on the primary; only if the primary answers is the
    replica to blame, and left alone for FAILOVER_SECONDS.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not public_read(request) or not failover.usable():
            return self.get_response(request)
        token = _replica_readable.set(True)
        blocks = _request_blocks.set(1)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(_notice_writes):
                response = self.get_response(request)
        finally:
            _replica_readable.reset(token)
            _request_blocks.reset(blocks)
        if response.status_code < 500:
            return response
        retried = self.get_response(request)
        if retried.status_code < 500:
            failover.failed(request.path)
        return retried

    def process_view(self, request, view_func, view_args, view_kwargs):
        """How many transaction blocks the view runs in before it opens its own: one under
        ATOMIC_REQUESTS, none for a view exempt from it (the API's); a block beyond is the
        view's own transaction, which reads the primary (ReplicaRouter)."""
        atomic = connections[DEFAULT_DB_ALIAS].settings_dict.get(
            "ATOMIC_REQUESTS"
        ) and DEFAULT_DB_ALIAS not in getattr(view_func, "_non_atomic_requests", ())
        _request_blocks.set(1 if atomic else 0)


# Statements that read or only delimit a transaction (SQLite's BEGIN under ATOMIC_REQUESTS)
_NOT_WRITES = frozenset(
    {"SELECT", "BEGIN", "SAVEPOINT", "RELEASE", "COMMIT", "SET", "SHOW"}
)


_LOCKING_READ = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b")


def _notice_writes(execute, sql, params, many, context):
    """Read your own writes: after the request's first statement on the primary that may
    write (INSERT, UPDATE, DELETE, SELECT ... FOR UPDATE), the rest of it reads the primary."""
    words = sql.lstrip().split(None, 1)
    if (
        not words
        or words[0].upper() not in _NOT_WRITES
        or _LOCKING_READ.search(sql.upper())
    ):
        _replica_readable.set(False)
    return execute(sql, params, many, context)


def retried_if_it_fails() -> bool:
    """Inside a request's replica attempt: a database error there is run again on the primary
    by ReplicaReadMiddleware, which logs the replica's failure; only the retry's own failure is
    an outage for cms.outage to log."""
    return _replica_readable.get()


def _counted(request) -> set[str]:
    http_request = getattr(request, "_request", request)  # DRF's request wraps Django's
    return http_request.__dict__.setdefault("_counted_once", set())


def counted(request, what: str) -> bool:
    """Whether `what` (a throttle hit, a page view, a logged search) was already counted for
    this request: the failover runs the same request again on the primary, and the retry
    must not count it a second time."""
    return what in _counted(request)


def mark_counted(request, what: str) -> None:
    _counted(request).add(what)


def first_attempt(request, what: str) -> bool:
    """True the first time `what` is asked for this request (and marks it counted)."""
    if counted(request, what):
        return False
    mark_counted(request, what)
    return True


class ReplicaRouter:
    """Reads go to the replica only inside a replica-readable request that has not written."""

    def db_for_read(self, model, **hints):
        # The primary is named, not left to Django (None): Django would then read from where a
        # hinted instance came from, so an object loaded from the replica (the site of a request
        # the failover runs again, one kept in a cache) would drag its related reads there.
        if not _replica_readable.get():
            return DEFAULT_DB_ALIAS
        # ATOMIC_REQUESTS wraps most views in one block; one more is the view's own
        # transaction, which may write what it read.
        if len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > _request_blocks.get():
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        # Not the moment to stop reading the replica: Django asks this for reads meant to
        # write next (get_or_create's get, which Wagtail's site settings run on every page)
        # and they often find their row. _notice_writes sees the statements themselves.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both aliases

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # the replica follows the primary's schema by replication

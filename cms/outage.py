"""The database being unavailable is an outage, not a bug: 503 with Retry-After, logged once.

Locked or read-only SQLite files, a stopped or read-only PostgreSQL server and connection or
lock timeouts all surface as driver errors in whatever code touched the database first: the
view, ATOMIC_REQUESTS' BEGIN, the session, the admin guard before the view. Errors raised in
the view reach `DatabaseOutageMiddleware.process_exception`; errors raised in other middleware
reach Django's 500 handler, which `server_error` replaces. Both answer the same 503.
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time

from django.conf import settings
from django.db import connections
from django.db.utils import Error, InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger("cms.outage")

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")

# Long enough for a restart or a failover, short enough that a client retries soon.
RETRY_AFTER_SECONDS = 15
# JSON bodies written as the API's renderer writes them: Vietnamese as is, no spaces.
COMPACT_UNICODE = {"ensure_ascii": False, "separators": (",", ":")}
# While an outage lasts each process repeats one summary line this often, not one per request.
REMINDER_SECONDS = 60

# SQLite: the file is locked, read-only, missing, full or unreadable. SQLITE_ERROR ("no such
# table", a syntax error) is a bug and stays a 500.
SQLITE_OUTAGE_CODES = (
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_READONLY",
    "SQLITE_CANTOPEN",
    "SQLITE_IOERR",
    "SQLITE_FULL",
    "SQLITE_PERM",
    "SQLITE_PROTOCOL",
    "SQLITE_NOTADB",
)
# PostgreSQL SQLSTATE classes: connection exception, insufficient resources, operator
# intervention (shutdown, statement timeout), system error; and single states worth a retry:
# read-only transaction (a standby), serialization failure, deadlock, lock not available.
PG_OUTAGE_CLASSES = ("08", "53", "57", "58")
PG_OUTAGE_STATES = ("25006", "40001", "40P01", "55P03")


def error_code(exc: BaseException) -> str | None:
    """The driver's own name for the error: SQLITE_BUSY, a PostgreSQL SQLSTATE, or None."""
    cause = exc.__cause__ or exc
    if isinstance(cause, sqlite3.Error):
        return getattr(cause, "sqlite_errorname", None)
    return getattr(cause, "sqlstate", None)


def is_database_outage(exc: BaseException) -> bool:
    if not isinstance(exc, Error):
        return False
    if isinstance(exc, InterfaceError):
        return True
    code = error_code(exc)
    if isinstance(exc.__cause__ or exc, sqlite3.Error):
        return bool(code) and code.startswith(SQLITE_OUTAGE_CODES)
    if code is None:
        # psycopg gives no SQLSTATE when it cannot connect at all
        return isinstance(exc, OperationalError)
    return code[:2] in PG_OUTAGE_CLASSES or code in PG_OUTAGE_STATES


def is_read_only(exc: BaseException) -> bool:
    code = error_code(exc) or ""
    return code.startswith("SQLITE_READONLY") or code == "25006"


def describe(exc: BaseException) -> str:
    """What /healthz may show the public: the error's class and code, no host names."""
    code = error_code(exc)
    return f"{exc.__class__.__name__} ({code})" if code else exc.__class__.__name__


class OutageLog:
    """One log line when a process first meets the outage, a reminder a minute, one at the end."""

    def __init__(self):
        self._lock = threading.Lock()
        self.since: float | None = None
        self.refused = 0
        self._reminded = 0.0
        self.read_only = False

    def failed(self, exc: BaseException, path: str) -> None:
        now = time.monotonic()
        with self._lock:
            self.refused += 1
            if self.since is None:
                self.since = self._reminded = now
                self.read_only = is_read_only(exc)
                logger.error(
                    "database unavailable (%s: %s) at %s; answering 503 until it is back",
                    describe(exc),
                    str(exc).strip(),
                    path,
                )
            elif now - self._reminded >= REMINDER_SECONDS:
                self._reminded = now
                logger.error(
                    "database still unavailable after %.0f s (%s); %d requests answered 503",
                    now - self.since,
                    describe(exc),
                    self.refused,
                )

    def recovered(self, *, wrote: bool) -> None:
        """A request used the database successfully; `wrote`: it was a write (or /healthz ok).

        While the database is read-only reads keep succeeding: only a write ends that outage.
        """
        if self.since is None:  # the common case, without the lock
            return
        with self._lock:
            if self.since is None or (self.read_only and not wrote):
                return
            logger.warning(
                "database available again after %.1f s; %d requests were answered 503",
                time.monotonic() - self.since,
                self.refused,
            )
            self.since = None
            self.refused = 0
            self.read_only = False


outage_log = OutageLog()


def outage_response(request, exc: BaseException) -> HttpResponse:
    """503 + Retry-After: JSON in the API's error shape under /api/, a plain page elsewhere."""
    from cms.replica import retried_if_it_fails

    if not retried_if_it_fails():  # the failover runs it again, on the primary
        outage_log.failed(exc, request.path)
    if request.path.startswith("/api/"):
        message = _(
            "Hệ thống tạm thời không truy cập được cơ sở dữ liệu; "
            "thử lại sau %(seconds)s giây."
        ) % {"seconds": RETRY_AFTER_SECONDS}
        response = JsonResponse(
            {"message": message}, status=503, json_dumps_params=COMPACT_UNICODE
        )
    else:
        try:
            body = render_to_string(
                "503.html",
                {
                    "retry_after": RETRY_AFTER_SECONDS,
                    "portal_name": settings.WAGTAIL_SITE_NAME,  # PortalSettings is in the database
                },
            )
        except Exception:  # the page must not fail for a missing static manifest entry
            body = "Hệ thống đang tạm gián đoạn. Vui lòng thử lại sau ít phút."
        response = HttpResponse(
            body, status=503, content_type="text/html; charset=utf-8"
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # outage_log has; Django would log every request
    response.database_outage = True
    return response


def close_failed_connections() -> None:
    """A connection that raised is closed, so the next request opens a fresh one.

    Django keeps a persistent connection after an error when `is_usable()` says so, and for
    SQLite it always does: a connection opened while the file was read-only stayed read-only
    until CONN_MAX_AGE ran out. Inside an atomic block (a test's) the block's owner decides.
    """
    for connection in connections.all(initialized_only=True):
        if (
            connection.errors_occurred
            and connection.connection is not None
            and not connection.in_atomic_block
        ):
            connection.close()


def _used_database_successfully() -> bool:
    return any(
        connection.connection is not None and not connection.errors_occurred
        for connection in connections.all(initialized_only=True)
    )


class DatabaseOutageMiddleware:
    """Outermost: turns outage errors from views into 503s and cleans up failed connections."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except BaseException:
            close_failed_connections()
            raise
        if not getattr(response, "database_outage", False) and (
            response.status_code < 500 and _used_database_successfully()
        ):
            outage_log.recovered(wrote=request.method not in SAFE_METHODS)
        close_failed_connections()
        return response

    def process_exception(self, request, exception):
        if is_database_outage(exception):
            return outage_response(request, exception)
        return None


def server_error(request, *args, **kwargs):
    """handler500: an outage raised outside the view (session, admin guard) is a 503 too."""
    exc = sys.exc_info()[1]
    if exc is not None and is_database_outage(exc):
        return outage_response(request, exc)
    return django_server_error(request, *args, **kwargs)

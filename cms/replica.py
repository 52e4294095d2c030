"""DATABASE_REPLICA_URL: anonymous public reads from a PostgreSQL replica, everything else primary.

A request may read from the replica only when the middleware says so: a GET or HEAD with no
session cookie and no Authorization header (a citizen, a harvester, a CDN), outside the admin.
Within such a request, the first write (a throttle counter, a view count) sends every later
read back to the primary, and so does any transaction opened inside the view. Anything else —
the admin, editors, POSTs, management commands, tasks — never sees the replica.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")
# /healthz checks the primary and the replica each by name
PRIVATE_PREFIXES = ("/admin/", "/django-admin/", "/documents/", "/healthz")

_replica_readable: ContextVar[bool] = ContextVar("replica_readable", default=False)


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


class ReplicaReadMiddleware:
    """Marks anonymous public reads as replica-readable for the length of the request.

    Installed with the router only when DATABASE_REPLICA_URL is set (cms/settings/base.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not public_read(request):
            return self.get_response(request)
        token = _replica_readable.set(True)
        try:
            return self.get_response(request)
        finally:
            _replica_readable.reset(token)


class ReplicaRouter:
    """Reads go to the replica only inside a replica-readable request that has not written."""

    def db_for_read(self, model, **hints):
        if not _replica_readable.get():
            return None
        # ATOMIC_REQUESTS wraps the view in one block; a second is the view's own transaction,
        # which may write what it read.
        if len(connections[DEFAULT_DB_ALIAS].atomic_blocks) > 1:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        _replica_readable.set(False)  # read your own writes for the rest of the request
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data on both aliases

    def allow_migrate(self, db, app_label, **hints):
        return db != REPLICA  # the replica follows the primary's schema by replication

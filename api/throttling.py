"""Rate limits per API key and per client IP, counted in the database.

Counters are rows of api.ThrottleWindow, counted and read with one upsert statement per request,
so every worker process sees the same counts and concurrent requests never lose one. The client IP comes from REMOTE_ADDR,
or from X-Forwarded-For only as far as settings.API_TRUSTED_PROXIES allows, so a forged header
cannot reset the count.
"""

import datetime
import ipaddress
import math
import random
import time

from django.conf import settings
from django.db import connection
from rest_framework.throttling import BaseThrottle

from api.models import ThrottleWindow

PERIODS = {
    "s": 1,
    "sec": 1,
    "m": 60,
    "min": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "120/min" -> (120, 60)."""
    number, _sep, period = rate.partition("/")
    return int(number), PERIODS[period.strip().lower()]


def client_ip(request) -> str:
    """The address the outermost trusted proxy saw; IPv6 clients are grouped by /64."""
    address = request.META.get("REMOTE_ADDR", "") or ""
    trusted = int(getattr(settings, "API_TRUSTED_PROXIES", 0) or 0)
    if trusted > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            address = forwarded[-trusted] if len(forwarded) >= trusted else forwarded[0]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6 and not ip.ipv4_mapped:
        return (
            str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address) + "/64"
        )
    return str(ip.ipv4_mapped or ip) if ip.version == 6 else str(ip)


class Window:
    """A sliding-window estimate from two fixed windows: cheap, shared, and without edge bursts."""

    def __init__(self, *, ident: str, limit: int, period: int, now: float):
        self.limit, self.period, self.now = limit, period, now
        self.index = int(now // period)
        self.key = f"{ident}:{period}"
        self.expires_at = datetime.datetime.fromtimestamp(
            (self.index + 2) * period, tz=datetime.UTC
        )

    def check(self, *, previous: int, current: int) -> tuple[bool, float]:
        """Whether one more request fits, given the counts before it, and else how long to wait."""
        elapsed = self.now - self.index * self.period
        estimate = previous * (1 - elapsed / self.period) + current
        if estimate + 1 <= self.limit:
            return True, 0.0
        if current + 1 > self.limit or previous == 0:
            return False, self.period - elapsed
        # Wait until enough of the previous window has slid out.
        needed = (estimate + 1 - self.limit) / previous * self.period
        return False, min(self.period - elapsed, needed)


def clock() -> float:
    return time.time()


# One request in this many also deletes expired rows (settings.API_THROTTLE_CLEANUP_ONE_IN;
# 0 never, as in the tests that count queries).
CLEANUP_ONE_IN = 1000


def _table() -> str:
    return connection.ops.quote_name(ThrottleWindow._meta.db_table)


def count_requests(windows: list[Window]) -> dict[str, tuple[int, int]]:
    """Count one request in every window with one statement; returns key -> (previous, current)
    counts including this request.

    The row of a client and period rolls over by itself: when its stored window is not the
    current one, the current count becomes the previous (if adjacent) and restarts at 1.
    SET expressions read the row as it was before the update, on PostgreSQL and SQLite alike.
    """
    table = _table()
    values = ", ".join(["(%s, %s, 1, 0, %s)"] * len(windows))
    params: list = []
    for window in windows:
        params += [
            window.key,
            window.index,
            connection.ops.adapt_datetimefield_value(window.expires_at),
        ]
    sql = (
        f"INSERT INTO {table} AS t (key, window_index, count, previous_count, expires_at) "  # noqa: S608 - table name from the model
        f"VALUES {values} ON CONFLICT (key) DO UPDATE SET "
        "previous_count = CASE WHEN t.window_index = excluded.window_index "
        "THEN t.previous_count WHEN t.window_index = excluded.window_index - 1 "
        "THEN t.count ELSE 0 END, "
        "count = CASE WHEN t.window_index = excluded.window_index "
        "THEN t.count + 1 ELSE 1 END, "
        "window_index = excluded.window_index, expires_at = excluded.expires_at "
        "RETURNING key, previous_count, count"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            key: (previous, current) for key, previous, current in cursor.fetchall()
        }


def uncount_requests(windows: list[Window]) -> None:
    """A refused request is not counted (only on the 429 path)."""
    with connection.cursor() as cursor:
        for window in windows:
            cursor.execute(
                f"UPDATE {_table()} SET count = count - 1 "  # noqa: S608 - table name from the model
                "WHERE key = %s AND window_index = %s AND count > 0",
                [window.key, window.index],
            )


def delete_expired(now: float) -> int:
    """Drop the rows of clients not seen for more than a period (occasionally, not per request)."""
    return ThrottleWindow.objects.filter(
        expires_at__lt=datetime.datetime.fromtimestamp(now, tz=datetime.UTC)
    ).delete()[0]


class ClientRateThrottle(BaseThrottle):
    """Quota of the API key when one is given, else settings.API_ANON_RATE per client IP."""

    def allow_request(self, request, view):
        key = getattr(request, "auth", None)
        now = clock()
        if getattr(key, "pk", None) is not None:
            ident = f"key:{key.pk}"
            limits = [(key.per_minute, 60)]
            if key.per_day:
                limits.append((key.per_day, 86400))
        else:
            ident = f"ip:{client_ip(request)}"
            limits = [parse_rate(settings.API_ANON_RATE)]
        windows = [
            Window(ident=ident, limit=limit, period=period, now=now)
            for limit, period in limits
        ]
        counts = count_requests(windows)
        self.wait_seconds = 0.0
        for window in windows:
            previous, current = counts[window.key]
            allowed, wait = window.check(previous=previous, current=current - 1)
            if not allowed:
                self.wait_seconds = max(self.wait_seconds, wait)
        one_in = getattr(settings, "API_THROTTLE_CLEANUP_ONE_IN", CLEANUP_ONE_IN)
        if one_in and random.randrange(one_in) == 0:  # noqa: S311 - not security relevant
            delete_expired(now)
        if self.wait_seconds:
            uncount_requests(windows)
            return False
        return True

    def wait(self):
        return max(1, math.ceil(self.wait_seconds))

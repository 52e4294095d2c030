"""Rate limits per API key and per client IP, counted in the cache.

Each client and period has one counter per fixed window, incremented atomically (`cache.add` then
`cache.incr`: Redis SET NX and INCR) and expiring two periods later; the previous window's count
slides out of a sliding-window estimate. With REDIS_URL every worker and host shares the quota;
without it (local-memory cache) the quota is per worker process. A request never writes to the
database. The client IP comes from REMOTE_ADDR, or from X-Forwarded-For only as far as
settings.API_TRUSTED_PROXIES allows, so a forged header cannot reset the count.
"""

import ipaddress
import logging
import math
import time

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import BaseThrottle

from cms.replica import counted, mark_counted

logger = logging.getLogger(__name__)
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
        self.current_key = f"throttle:{self.key}:{self.index}"
        self.previous_key = f"throttle:{self.key}:{self.index - 1}"

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


def _counters():
    return caches["default"]


def _increment(cache, key: str, timeout: int) -> int:
    """Atomically count one in `key`, creating it (with its expiry) when this is the first."""
    for _attempt in range(3):
        try:
            return cache.incr(key)
        except ValueError:  # no counter yet: the first request of the window creates it
            if cache.add(key, 1, timeout=timeout):
                return 1
    return 1  # created and expired twice in a row: count this one as the first


def count_requests(windows: list[Window]) -> dict[str, tuple[int, int]]:
    """Count one request in every window; returns key -> (previous, current) counts including it.

    Only the window's first request creates its counter (`add`, Redis SET NX with the expiry),
    so concurrent requests never lose a count; a counter lives two periods: its own window, then
    as the previous one.
    """
    cache = _counters()
    previous = cache.get_many([window.previous_key for window in windows])
    return {
        window.key: (
            int(previous.get(window.previous_key, 0)),
            _increment(cache, window.current_key, 2 * window.period),
        )
        for window in windows
    }


def uncount_requests(windows: list[Window]) -> None:
    """A refused request is not counted (only on the 429 path)."""
    cache = _counters()
    for window in windows:
        try:
            cache.decr(window.current_key)
        except ValueError:
            pass


class ClientRateThrottle(BaseThrottle):
    """Quota of the API key when one is given, else settings.API_ANON_RATE per client IP."""

    # Anonymous clients of a scope have counters of their own; "" is the shared quota.
    anonymous_scope = ""
    anonymous_rate_setting = "API_ANON_RATE"

    def allow_request(self, request, view):
        key = getattr(request, "auth", None)
        now = clock()
        if getattr(key, "pk", None) is not None:
            ident = f"key:{key.pk}"
            limits = [(key.per_minute, 60)]
            if key.per_day:
                limits.append((key.per_day, 86400))
        else:
            scope = f"{self.anonymous_scope}:" if self.anonymous_scope else ""
            ident = f"{scope}ip:{client_ip(request)}"
            limits = [parse_rate(getattr(settings, self.anonymous_rate_setting))]
        windows = [
            Window(ident=ident, limit=limit, period=period, now=now)
            for limit, period in limits
        ]
        self.wait_seconds = 0.0
        if counted(request, "throttle"):
            return True  # the failover's retry: the first attempt was counted and let through
        try:
            counts = count_requests(windows)
        except Exception:  # the shared cache is down: serve rather than refuse everyone
            logger.exception("API throttle counters unavailable; request let through")
            return True
        for window in windows:
            previous, current = counts[window.key]
            allowed, wait = window.check(previous=previous, current=current - 1)
            if not allowed:
                self.wait_seconds = max(self.wait_seconds, wait)
        if self.wait_seconds:
            uncount_requests(windows)
            return False
        mark_counted(request, "throttle")
        return True

    def wait(self):
        return max(1, math.ceil(self.wait_seconds))


class SuggestRateThrottle(ClientRateThrottle):
    """Autocomplete asks once per pause in typing: anonymous clients get settings.API_SUGGEST_RATE
    of their own, so a citizen typing fast (or a one-stop centre's counters behind one address)
    neither runs out of the shared quota nor uses it up. An API key keeps its one quota."""

    anonymous_scope = "suggest"
    anonymous_rate_setting = "API_SUGGEST_RATE"

"""Rate limits per API key and per client IP, counted in the database.

Counters are rows of api.ThrottleWindow incremented atomically, so every worker process sees
the same counts and concurrent requests never lose one. The client IP comes from REMOTE_ADDR,
or from X-Forwarded-For only as far as settings.API_TRUSTED_PROXIES allows, so a forged header
cannot reset the count.
"""

import datetime
import ipaddress
import math
import time

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
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
        self.current_key = f"{ident}:{period}:{self.index}"
        self.previous_key = f"{ident}:{period}:{self.index - 1}"
        self.expires_at = datetime.datetime.fromtimestamp(
            (self.index + 2) * period, tz=datetime.UTC
        )

    def check(self, counts: dict) -> tuple[bool, float]:
        elapsed = self.now - self.index * self.period
        previous = counts.get(self.previous_key, 0)
        current = counts.get(self.current_key, 0)
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


def count_request(window: Window) -> None:
    """One atomic increment; the first request of a window creates its row."""
    updated = ThrottleWindow.objects.filter(key=window.current_key).update(
        count=F("count") + 1
    )
    if updated:
        return
    # A new window starts: a good moment to drop the rows of windows long over.
    ThrottleWindow.objects.filter(
        expires_at__lt=datetime.datetime.fromtimestamp(window.now, tz=datetime.UTC)
    ).delete()
    try:
        with transaction.atomic():
            ThrottleWindow.objects.create(
                key=window.current_key, count=1, expires_at=window.expires_at
            )
    except IntegrityError:  # another worker created it first
        ThrottleWindow.objects.filter(key=window.current_key).update(
            count=F("count") + 1
        )


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
        names = [name for w in windows for name in (w.current_key, w.previous_key)]
        counts = dict(
            ThrottleWindow.objects.filter(key__in=names).values_list("key", "count")
        )
        self.wait_seconds = 0.0
        for window in windows:
            allowed, wait = window.check(counts)
            if not allowed:
                self.wait_seconds = max(self.wait_seconds, wait)
        if self.wait_seconds:
            return False
        for window in windows:
            count_request(window)
        return True

    def wait(self):
        return max(1, math.ceil(self.wait_seconds))

"""The search query log behind the tuning screens: anonymous, buffered, written in batches.

A public search or a click on one of its results never writes to the database. Each adds one
entry to a buffer (a Redis list when the default cache is Redis, so every worker shares it;
otherwise a bounded list in this process, like the local-memory cache it stands in for).
The first search after SEARCH_LOG_FLUSH_INTERVAL seconds (60) writes the buffer into
`SearchQueryDay` in one transaction, and `manage.py search_log flush` does the same from cron.
What is kept: the day, the normalised query with digit runs and e-mail addresses removed, and
counts. No IP, user, session or cookie; the click rate limit keys on a hash of the client
address in the cache for two minutes, never in the database.

Loss window: entries still in a process's buffer when it stops (at most one interval's worth
without Redis), entries over SEARCH_LOG_BUFFER_LIMIT, and a batch whose write failed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
import time
from collections import deque
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from search.analysis import normalize
from search.queries import MAX_TEXT_LENGTH

logger = logging.getLogger(__name__)

MAX_QUERY_LENGTH = MAX_TEXT_LENGTH  # the log keeps what the search reads
FLUSH_BATCH = 5_000  # entries written per flush; the rest wait for the next one
CLICKS_PER_MINUTE = 30  # per client address: a person opens a few results, not hundreds
NUMBER = "[số]"
EMAIL = "[email]"

_EMAIL = re.compile(r"[^\s@]+@[^\s@]+")
# Digits with the separators people type inside phone, ID and tax numbers: 0912 345 678,
# 079.201.000.123, 0312345678-001.
_DIGIT_RUN = re.compile(r"\d(?:[ .\-/]?\d)*")
# A national procedure code (1.000080) is what the catalog calls things, not personal data.
_PROCEDURE_CODE = re.compile(r"\d{1,2}\.\d{6}")
MIN_SCRUBBED_DIGITS = 6

BUFFER_KEY = "search:log:buffer"
WINDOW_KEY = "search:log:window"
FLUSH_LOCK_KEY = "search:log:flushing"
PURGE_KEY = "search:log:purged"
# Settings an operator may override in cms/settings (environment not needed): seconds between
# writes, days a row is kept, entries a buffer holds before new ones are dropped.
DEFAULTS = {
    "SEARCH_LOG_FLUSH_INTERVAL": 60,
    "SEARCH_LOG_RETENTION_DAYS": 365,
    "SEARCH_LOG_BUFFER_LIMIT": 50_000,
}


def _setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def clean_query(text: str) -> str:
    """What is stored for a query: NFC, lowercase, single spaces, personal-looking data removed.

    Runs of 6 or more digits (phone, citizen ID, tax and social insurance numbers) become
    "[số]" and e-mail addresses "[email]"; a procedure code such as 1.000080 is kept.
    """
    text = normalize(text or "")[: MAX_QUERY_LENGTH * 2].lower()
    text = _EMAIL.sub(f" {EMAIL} ", text)
    text = _DIGIT_RUN.sub(_scrub_digits, text)
    return " ".join(text.split())[:MAX_QUERY_LENGTH].strip()


def _scrub_digits(match: re.Match) -> str:
    run = match.group(0)
    if _PROCEDURE_CODE.fullmatch(run):
        return run
    if sum(character.isdigit() for character in run) >= MIN_SCRUBBED_DIGITS:
        return NUMBER
    return run


# ---- recording (request path: cache only)


def from_citizen(request) -> bool:
    """Not an editor signed in to the admin trying the search: the reports are about citizens.
    Django's own user (DRF's request wraps it); read from the session only when there is one."""
    user = getattr(getattr(request, "_request", request), "user", None)
    return not getattr(user, "is_authenticated", False)


def record_search(text: str, *, total: int) -> None:
    """Count one search (page 1 only, the caller decides); may flush once per interval."""
    query = clean_query(text)
    if not query:
        return
    _buffer().push(["s", timezone.localdate().isoformat(), query, int(total)])
    maybe_flush()


def record_click(text: str, *, client: str) -> bool:
    """Count a citizen opening a result of `text`; False when over the client's rate."""
    query = clean_query(text)
    if not query or not _within_click_rate(client):
        return False
    _buffer().push(["c", timezone.localdate().isoformat(), query, 0])
    return True


def _within_click_rate(client: str) -> bool:
    digest = hashlib.sha256(
        f"{settings.SECRET_KEY}:{client}".encode(), usedforsecurity=False
    ).hexdigest()[:24]
    key = f"search:log:clicks:{digest}:{int(time.time() // 60)}"
    try:
        if cache.add(key, 1, 120):
            return True
        return cache.incr(key) <= CLICKS_PER_MINUTE
    except ValueError:  # expired between add and incr
        return True


def maybe_flush() -> int:
    """Write the buffer if the interval has passed since the last write; one process at a time.

    The first entry after a flush only starts the clock, so a single request never writes.
    """
    interval = _setting("SEARCH_LOG_FLUSH_INTERVAL")
    now = time.time()
    if cache.add(WINDOW_KEY, now, None) and interval > 0:
        return 0
    started = cache.get(WINDOW_KEY)
    if started is not None and now - started < interval:
        return 0
    if not cache.add(FLUSH_LOCK_KEY, 1, 300):
        return 0
    try:
        cache.set(WINDOW_KEY, now, None)
        return flush()
    finally:
        cache.delete(FLUSH_LOCK_KEY)


# ---- the buffer


class _MemoryBuffer:
    """This process's entries; the stand-in for a local-memory cache, which would evict them
    (LocMemCache keeps 300 keys and culls a third, throttle counters included)."""

    def __init__(self):
        self._entries: deque = deque()
        self._lock = threading.Lock()

    def push(self, entry: list) -> None:
        with self._lock:
            if len(self._entries) < _setting("SEARCH_LOG_BUFFER_LIMIT"):
                self._entries.append(entry)

    def take(self, limit: int) -> list[list]:
        with self._lock:
            count = min(limit, len(self._entries))
            return [self._entries.popleft() for _ in range(count)]

    def size(self) -> int:
        return len(self._entries)


class _RedisBuffer:
    """A Redis list shared by every worker: RPUSH per entry, LRANGE + LTRIM per batch."""

    def __init__(self, redis_cache: RedisCache):
        self._cache = redis_cache

    def _client_and_key(self):
        key = self._cache.make_and_validate_key(BUFFER_KEY)
        return self._cache._cache.get_client(key, write=True), key

    def push(self, entry: list) -> None:
        try:
            client, key = self._client_and_key()
            pipe = client.pipeline()
            pipe.rpush(key, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(key, 0, _setting("SEARCH_LOG_BUFFER_LIMIT") - 1)
            pipe.execute()
        except Exception:  # a log entry is never worth a failed search
            logger.warning(
                "search log: Redis unavailable, entry dropped", exc_info=True
            )

    def take(self, limit: int) -> list[list]:
        client, key = self._client_and_key()
        pipe = client.pipeline(transaction=True)
        pipe.lrange(key, 0, limit - 1)
        pipe.ltrim(key, limit, -1)
        raw, _ = pipe.execute()
        return [json.loads(item) for item in raw]

    def size(self) -> int:
        client, key = self._client_and_key()
        return int(client.llen(key))


_MEMORY = _MemoryBuffer()


def _buffer():
    default = caches["default"]  # the backend itself: `cache` is a proxy to it
    return _RedisBuffer(default) if isinstance(default, RedisCache) else _MEMORY


def buffered() -> int:
    """Entries waiting to be written (for the command and the tests)."""
    return _buffer().size()


# ---- writing (one transaction per batch)


def flush(limit: int = FLUSH_BATCH) -> int:
    """Write up to `limit` buffered entries; returns how many were taken. Purges once a day."""
    entries = _buffer().take(limit)
    if entries:
        try:
            _write(_aggregate(entries))
        except DatabaseError:
            logger.warning(
                "search log: %d entries lost, write failed", len(entries), exc_info=True
            )
    if cache.add(PURGE_KEY, 1, 24 * 3600):
        purge()
    return len(entries)


def _aggregate(entries: list[list]) -> dict[tuple[str, str], list[int]]:
    """(day, query) -> [searches, zero-result searches, clicks, last result count]."""
    counts: dict[tuple[str, str], list[int]] = {}
    for kind, day, query, total in entries:
        row = counts.setdefault((day, query), [0, 0, 0, 0])
        if kind == "s":
            row[0] += 1
            row[1] += total == 0
            row[3] = total
        else:
            row[2] += 1
    return counts


def _write(counts: dict[tuple[str, str], list[int]]) -> None:
    for attempt in range(2):  # a second pass updates rows another process just created
        try:
            with transaction.atomic():
                _merge(counts)
            return
        except IntegrityError:
            if attempt:
                raise


def _merge(counts: dict[tuple[str, str], list[int]]) -> None:
    from search.models import SearchQueryDay

    keys = list(counts)
    existing: dict[tuple[str, str], SearchQueryDay] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = SearchQueryDay.objects.filter(
            day__in={day for day, _ in chunk}, query__in={query for _, query in chunk}
        )
        existing.update({(row.day.isoformat(), row.query): row for row in rows})
    updates, creates = [], []
    for (day, query), (searches, zero, clicks, last_total) in counts.items():
        row = existing.get((day, query))
        if row is not None:
            # F(): concurrent writers (one per process without Redis) add up, never overwrite
            row.searches = F("searches") + searches
            row.zero_result_searches = F("zero_result_searches") + zero
            row.clicks = F("clicks") + clicks
            if searches:
                row.result_count = last_total
            updates.append(row)
        elif searches:  # a click never creates a row: the query must have been searched
            creates.append(
                SearchQueryDay(
                    day=date.fromisoformat(day),
                    query=query,
                    searches=searches,
                    zero_result_searches=zero,
                    clicks=clicks,
                    result_count=last_total,
                )
            )
    if updates:
        SearchQueryDay.objects.bulk_update(
            updates,
            ["searches", "zero_result_searches", "clicks", "result_count"],
            batch_size=500,
        )
    if creates:
        SearchQueryDay.objects.bulk_create(creates, batch_size=500)


def purge(*, today: date | None = None) -> int:
    """Delete rows older than SEARCH_LOG_RETENTION_DAYS; returns how many."""
    from search.models import SearchQueryDay

    today = today or timezone.localdate()
    cutoff = today - timedelta(days=_setting("SEARCH_LOG_RETENTION_DAYS"))
    deleted, _ = SearchQueryDay.objects.filter(day__lt=cutoff).delete()
    return deleted

"""Procedure page views: counted in the cache per view, written to the database in batches.

A view is one atomic increment of its page's counter in the current interval
(`PAGE_VIEW_FLUSH_SECONDS`, 60 by default); the first view of a page in an interval also records
the page id in that interval's list, so a flush finds every page without scanning keys. Once an
interval is over, the first request after it (in any process, with a shared cache) takes the
interval's flush lock (`cache.add`) and adds every page's count to `ProcedurePage.view_count` in
one UPDATE, after the request's transaction commits. So the database sees at most one write per
interval for all pages together, never one per view; counts not yet written are at most one
interval (plus the time to the next page view) behind. With a per-process cache each process
counts and flushes its own views; a process that exits loses at most its current interval.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.db.models import Case, F, Value, When

from catalog.freshness import GENERATION_CACHE_KEY

# Intervals a count waits for its flush at most (older ones have expired from the cache).
KEEP_INTERVALS = 60
# How long after an interval ends its flush waits, so views counted at its very end are in.
GRACE_SECONDS = 2

_checked_interval = -1  # per process: the last interval this process tried to flush


def _cache():
    return caches["default"]


def interval_seconds() -> int:
    return int(getattr(settings, "PAGE_VIEW_FLUSH_SECONDS", 60))


def clock() -> float:
    return time.time()


def _increment(cache, key: str, timeout: int) -> tuple[int, bool]:
    """(count after this one, whether this created the counter)."""
    for _attempt in range(3):
        try:
            return cache.incr(key), False
        except ValueError:
            if cache.add(key, 1, timeout=timeout):
                return 1, True
    return 1, True


def record_view(*, page_id: int) -> None:
    """Count one view of a procedure page; now and then, schedule the flush of ended intervals."""
    cache = _cache()
    period = interval_seconds()
    now = clock()
    interval = int(now // period)
    timeout = period * KEEP_INTERVALS
    _count, first = _increment(cache, f"page-views:{interval}:{page_id}", timeout)
    if first:
        slot, _ = _increment(cache, f"page-views:{interval}:slots", timeout)
        cache.set(f"page-views:{interval}:slot:{slot}", page_id, timeout)
    global _checked_interval
    due = int((now - GRACE_SECONDS) // period) - 1  # the newest interval that is over
    if due > _checked_interval:
        _checked_interval = due
        transaction.on_commit(lambda: flush_views(up_to=due))


def _counts_of(cache, interval: int) -> dict[int, int]:
    slots = cache.get(f"page-views:{interval}:slots") or 0
    if not slots:
        return {}
    slot_keys = [f"page-views:{interval}:slot:{n}" for n in range(1, slots + 1)]
    page_ids = [pk for pk in cache.get_many(slot_keys).values() if pk is not None]
    count_keys = {f"page-views:{interval}:{pk}": pk for pk in page_ids}
    return {
        count_keys[key]: int(count)
        for key, count in cache.get_many(list(count_keys)).items()
        if count
    }


def flush_views(*, up_to: int | None = None) -> int:
    """Add the counts of ended intervals to view_count, each interval once; returns views written.

    Every interval still in the cache is claimed with its own lock, so two processes (or hosts)
    never write the same interval twice.
    """
    from catalog.models import ProcedurePage

    cache = _cache()
    period = interval_seconds()
    if up_to is None:
        up_to = int((clock() - GRACE_SECONDS) // period) - 1
    totals: dict[int, int] = {}
    for interval in range(up_to - KEEP_INTERVALS + 1, up_to + 1):
        if not cache.add(f"page-views:{interval}:flushed", 1, period * KEEP_INTERVALS):
            continue
        for page_id, count in _counts_of(cache, interval).items():
            totals[page_id] = totals.get(page_id, 0) + count
    if not totals:
        return 0
    with transaction.atomic():
        ProcedurePage.objects.filter(pk__in=totals).update(
            view_count=F("view_count")
            + Case(
                *(When(pk=pk, then=Value(count)) for pk, count in totals.items()),
                default=Value(0),
            )
        )
    # The most-used list changed: pages stop answering 304 from their old ETag (cms.http_cache).
    caches["pages"].delete(GENERATION_CACHE_KEY)
    return sum(totals.values())

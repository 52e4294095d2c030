"""Catalog events -> search index. Publishing never waits for, or fails because of, the engine.

The catalog event log is the queue. After every committed event a task reads the events past
the indexer's cursor into PendingIndexChange rows (the database is the one thing that must
work) and applies them in batches. When the engine is down the rows stay, and
`manage.py search_index update` (or the next event) applies them later.

The log alone cannot repair everything: a process killed between the import's commit and
its indexing leaves work that no new event will trigger, and an index folder can be lost or
replaced. `reconcile()` (run by `search_index update` and `follow`) compares what the index
holds, page by page and live revision by live revision, with what is published, and syncs
the difference; an index that cannot be read at all is rebuilt.

Several hosts: an embedded index lives on one host's disk, so each host reads the log with its
own cursor and keeps its own pending changes (named by SEARCH_HOST_ID; every host runs
`search_index follow`). Elasticsearch is one index for all hosts: one cursor, "shared".
An embedded cursor is held by one index folder (`index_identity()`): a second host started
with the same SEARCH_HOST_ID would read events the first then never indexes, so it is refused
(CursorHeld) until the holder has been silent for HOLD_SECONDS.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from django_tasks import task

from catalog.models import CatalogEvent, EventAction, ProcedurePage
from catalog.signals import catalog_event_committed
from search.documents import ProcedureDocument, iter_documents
from search.engines import EngineUnavailable, get_engine
from search.models import IndexAction, IndexCursor, PendingIndexChange, SearchRecord

logger = logging.getLogger(__name__)

REMOVING = {EventAction.UNPUBLISHED, EventAction.DELETED}
UNREADABLE = ("missing", "corrupt", "outdated")  # index states only a rebuild mends
SHARED_INDEXER = "shared"  # the cursor of an index every host shares
RECORD_FIELDS = [
    "code",
    "name",
    "name_folded",
    "department_code",
    "online_level",
    "payload",
    "fingerprint",
    "updated_at",
]


def indexer_name() -> str:
    """Whose reading of the event log this process does: its host's embedded index, or the
    one shared index (Elasticsearch) that any host may update for all."""
    if settings.SEARCH_ENGINE == "embedded":
        return settings.SEARCH_HOST_ID
    return SHARED_INDEXER


HOLD_SECONDS = (
    30  # a holder silent this long has stopped: another index may take its cursor
)


class CursorHeld(EngineUnavailable):
    """Another index reads with this host's cursor: two hosts share one SEARCH_HOST_ID."""


def index_identity() -> str:
    """'<id> <host>:<folder>' for this host's embedded index; '' for the shared index.

    The id is kept beside the index folder (VAR_DIR/.search-holder by default), so the
    processes of one host (web, tasks, follow, a one-off command on the same volume) are one
    holder, a restart keeps it, and so does deleting a damaged index folder to rebuild it.
    Only the id tells holders apart: cloned machines may share a host name and paths.
    """
    if indexer_name() == SHARED_INDEXER:
        return ""
    folder = Path(settings.SEARCH_INDEX_DIR)
    token = _read_or_make_id(folder.parent / f".{folder.name}-holder")
    return f"{token} {socket.gethostname()}:{folder.resolve()}"[:300]


def _read_or_make_id(path: Path) -> str:
    try:
        token = path.read_text().strip()
    except FileNotFoundError:
        token = ""
    if token:
        return token
    path.parent.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    scratch = path.with_name(f"{path.name}.{token}")
    scratch.write_text(token)
    try:
        os.link(scratch, path)  # all or nothing: no process reads half an id
    except FileExistsError:  # another process of this host made it first
        token = path.read_text().strip()
    finally:
        scratch.unlink(missing_ok=True)
    return token


def _same_holder(a: str, b: str) -> bool:
    return a.partition(" ")[0] == b.partition(" ")[0]


def held_elsewhere(cursor: IndexCursor | None) -> str | None:
    """Where the other index that holds `cursor` runs, while it holds it; None otherwise."""
    me = index_identity()
    if not (me and cursor and cursor.holder and cursor.held_at):
        return None
    if _same_holder(cursor.holder, me):
        return None
    if timezone.now() - cursor.held_at >= timedelta(seconds=HOLD_SECONDS):
        return None
    return cursor.holder.split(" ", 1)[-1]


def claim(cursor: IndexCursor) -> None:
    """Hold `cursor` (locked by the caller) for this index, or raise CursorHeld."""
    me = index_identity()
    if not me:
        return
    now = timezone.now()
    where = held_elsewhere(cursor)
    if where:
        seen = (now - cursor.held_at).total_seconds()
        raise CursorHeld(
            f"SEARCH_HOST_ID={cursor.name!r} is in use by another host's index ({where}, "
            f"{seen:.0f} s ago): give each host its own SEARCH_HOST_ID (this index may "
            f"take the cursor over once the other has been silent for {HOLD_SECONDS} s)"
        )
    cursor.holder, cursor.held_at = me, now


def pending_changes():
    """This index's pending changes (other hosts' stay untouched)."""
    return PendingIndexChange.objects.filter(indexer=indexer_name())


def _record(document: ProcedureDocument) -> SearchRecord:
    payload = document.payload()
    payload["facets"] = {
        "department_code": document.department_code,
        "fields": document.fields,
        "levels": document.levels,
        "subjects": document.subjects,
        "online_level": document.online_level,
    }
    return SearchRecord(
        page_id=document.page_id,
        code=document.code,
        name=document.name[:2000],
        name_folded=SearchRecord.fold_name(document.name)[:2000],
        department_code=document.department_code,
        online_level=document.online_level,
        payload=payload,
        fingerprint=document.fingerprint,
    )


def save_records(documents: list[ProcedureDocument]) -> None:
    """Keep the database copy (the fallback's data) in step with what the engine gets.

    An upsert: every host writes the same rows, and two hosts syncing one page at once must
    not both insert it.
    """
    _save([_record(d) for d in documents])


def _save(records: list[SearchRecord]) -> None:
    SearchRecord.objects.bulk_create(
        records,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["page_id"],
        update_fields=RECORD_FIELDS,
    )


def sync_pages(page_ids: Iterable[int]) -> dict[str, int]:
    """Make the index match the database for these pages: index the public ones, remove the rest."""
    page_ids = {int(p) for p in page_ids}
    documents = list(iter_documents(page_ids))
    present = {d.page_id for d in documents}
    gone = page_ids - present
    with transaction.atomic():
        save_records(documents)
        SearchRecord.objects.filter(page_id__in=gone).delete()
    engine = get_engine()
    if documents:
        engine.index(documents)
    if gone:
        engine.delete(gone)
    return {"indexed": len(documents), "removed": len(gone)}


def remember(*, page_id: int, action: str, event_id: int | None = None) -> None:
    PendingIndexChange.objects.update_or_create(
        indexer=indexer_name(),
        page_id=page_id,
        defaults={"action": action, "event_id": event_id},
    )


def collect_events() -> int:
    """Turn catalog events the indexer has not read yet into pending changes, in one pass.

    The event log is the queue: a bulk import commits thousands of events at once, and the
    first task after it picks them all up and indexes them in batches; the tasks queued for
    the other events then find nothing new.
    """
    indexer = indexer_name()
    with transaction.atomic():
        cursor, _ = IndexCursor.objects.select_for_update().get_or_create(name=indexer)
        claim(cursor)
        events = list(
            CatalogEvent.objects.filter(id__gt=cursor.last_event_id)
            .order_by("id")
            .values_list("id", "page_id", "action")
        )
        if not events:
            if cursor.holder:
                cursor.save(update_fields=["holder", "held_at"])
            return 0
        latest: dict[int, tuple[int, str]] = {}
        for event_id, page_id, action in events:
            latest[page_id] = (event_id, action)
        pending = PendingIndexChange.objects.filter(indexer=indexer)
        existing = set(
            pending.filter(page_id__in=latest).values_list("page_id", flat=True)
        )
        for page_id, (event_id, action) in latest.items():
            kind = IndexAction.REMOVE if action in REMOVING else IndexAction.INDEX
            if page_id in existing:
                pending.filter(page_id=page_id).update(
                    action=kind, event_id=event_id, updated_at=timezone.now()
                )
            else:
                PendingIndexChange.objects.create(
                    indexer=indexer, page_id=page_id, action=kind, event_id=event_id
                )
        cursor.last_event_id = events[-1][0]
        cursor.save(update_fields=["last_event_id", "updated_at", "holder", "held_at"])
        return len(events)


def apply_pending(
    page_ids: Iterable[int] | None = None, *, batch_size: int = 500
) -> dict[str, int]:
    """Apply pending changes (all, or those for `page_ids`) in batches; failures stay pending."""
    pending = pending_changes().order_by("id")
    if page_ids is not None:
        pending = pending.filter(page_id__in=list(page_ids))
    changes = list(pending.values_list("pk", "page_id", "attempts", "updated_at"))
    done = failed = 0
    for start in range(0, len(changes), batch_size):
        batch = changes[start : start + batch_size]
        try:
            sync_pages([page_id for _pk, page_id, _a, _u in batch])
        except Exception as exc:  # the engine being down must never lose the change
            failed += len(batch)
            error = f"{exc.__class__.__name__}: {exc}"[:500]
            for pk, _page_id, attempts, _updated in batch:
                PendingIndexChange.objects.filter(pk=pk).update(
                    attempts=attempts + 1, last_error=error, updated_at=timezone.now()
                )
            logger.warning(
                "search index update failed for %d pages: %s", len(batch), exc
            )
        else:
            done += len(batch)
            for pk, _page_id, _attempts, updated in batch:
                # a change remembered again meanwhile stays for the next run
                PendingIndexChange.objects.filter(pk=pk, updated_at=updated).delete()
    return {"applied": done, "failed": failed}


def update_index() -> dict[str, int]:
    """Read new catalog events, then apply every pending change."""
    collected = collect_events()
    result = apply_pending()
    result["events"] = collected
    return result


def rebuild_index(progress=None) -> int:
    """Everything into a fresh index, then the database copy; events that arrive meanwhile are
    replayed on top. Raises EngineUnavailable (the old index stays) when it cannot be built."""
    from search.documents import iter_documents

    with transaction.atomic():  # a host whose SEARCH_HOST_ID is taken builds nothing
        cursor, _ = IndexCursor.objects.select_for_update().get_or_create(
            name=indexer_name()
        )
        claim(cursor)
        cursor.save()
    engine = get_engine()
    started_at_event = (
        CatalogEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
    )
    started = timezone.now()
    # The database copy's rows, kept until the index is built (a failed build leaves the old
    # copy): the rows only, not the documents with their body text (1.9 GB at 100,000).
    records: list[SearchRecord] = []

    def collect():
        for document in iter_documents():
            records.append(_record(document))
            yield document

    count = engine.rebuild(collect(), progress=progress)
    with transaction.atomic():
        SearchRecord.objects.all().delete()
        _save(records)
    # Everything up to the first event is in the new index; changes published while we
    # were building are applied on top of it.
    pending_changes().filter(updated_at__lt=started).delete()
    with (
        transaction.atomic()
    ):  # claimed again: a long build may have outlasted HOLD_SECONDS
        cursor, _ = IndexCursor.objects.select_for_update().get_or_create(
            name=indexer_name()
        )
        claim(cursor)
        cursor.last_event_id = started_at_event
        cursor.save()
    update_index()
    return count


def differences() -> dict[str, set[int]]:
    """Pages where the index or its database copy differs from what is published.

    Cheap: ids and live revision ids from one query, the index's ids and revisions from its
    fast fields (no document is built). An engine that keeps no revisions is compared by id.
    """
    engine = get_engine()
    live = dict(
        ProcedurePage.objects.live()
        .public()
        .values_list("pk", "live_revision_id")
        .order_by()
    )
    revisions = getattr(engine, "revisions", None)
    indexed = revisions() if revisions else {pid: 0 for pid in engine.fingerprints()}
    records = set(SearchRecord.objects.values_list("page_id", flat=True))
    return {
        "missing": set(live) - set(indexed),
        "extra": set(indexed) - set(live),
        "stale": {
            pid
            for pid, revision in live.items()
            if indexed.get(pid) and revision and indexed[pid] != revision
        },
        "copy_missing": set(live) - records,
        "copy_extra": records - set(live),
    }


def reconcile(*, batch_size: int = 500) -> dict[str, int]:
    """Catch the index up with the database without anyone re-running an import.

    First the event log (new events, then pending changes), then the comparison above; an
    index that cannot be opened (missing, corrupt, outdated schema) is rebuilt instead.
    """
    started = time.perf_counter()
    engine = get_engine()
    state = getattr(engine, "state", None)
    if state is not None and state(fresh=True).problem in UNREADABLE:
        count = rebuild_index()
        result = {"events": 0, "applied": 0, "failed": 0}
        result.update(rebuilt=count, missing=0, extra=0, stale=0, synced=count)
    else:
        result = update_index()
        found = differences()
        pending = set(pending_changes().values_list("page_id", flat=True))
        # Pages still pending failed just now and keep their own retry count.
        todo = sorted(set().union(*found.values()) - pending)
        for start in range(0, len(todo), batch_size):
            batch = todo[start : start + batch_size]
            try:
                sync_pages(batch)
            except Exception as exc:  # kept as pending changes, never lost
                result["failed"] += len(batch)
                for page_id in batch:
                    remember(page_id=page_id, action=IndexAction.INDEX)
                pending_changes().filter(page_id__in=batch).update(
                    attempts=1, last_error=f"{exc.__class__.__name__}: {exc}"[:500]
                )
        result.update(
            rebuilt=0,
            missing=len(found["missing"] | found["copy_missing"]),
            extra=len(found["extra"] | found["copy_extra"]),
            stale=len(found["stale"]),
            synced=len(todo),
        )
        if state is not None and todo:
            state(fresh=True)
    result["seconds"] = round(time.perf_counter() - started, 3)
    if result["synced"]:
        logger.warning(
            "search reconciliation synced %d procedures (%d missing, %d extra, %d stale, "
            "%d rebuilt)",
            result["synced"],
            result["missing"],
            result["extra"],
            result["stale"],
            result["rebuilt"],
        )
    return result


def follow(*, interval: float, reconcile_every: float, stop=None, log=None) -> None:
    """The indexer as a long-running process: events every `interval` seconds, a full
    reconciliation at start and every `reconcile_every` seconds (a timer, no cron needed)."""
    next_reconcile = 0.0
    said, said_at = "", 0.0  # the same problem is logged once a minute, not every look
    while stop is None or not stop():
        try:
            if time.monotonic() >= next_reconcile:
                result = reconcile()
                next_reconcile = time.monotonic() + reconcile_every
            else:
                result = update_index()
            if log and (result.get("events") or result.get("synced")):
                log(result)
            said = ""
        except EngineUnavailable as exc:
            # the same trouble once a minute; CursorHeld's text changes every second
            kind = "held" if isinstance(exc, CursorHeld) else str(exc)
            if kind != said or time.monotonic() - said_at >= 60:
                level = (
                    logging.ERROR if isinstance(exc, CursorHeld) else logging.WARNING
                )
                logger.log(level, "search indexer: %s; retrying", exc)
                said, said_at = kind, time.monotonic()
        time.sleep(interval)


@task()
def reconcile_index() -> dict:
    """Queued by a web process that found the index missing, damaged or behind."""
    return reconcile()


@task()
def apply_index_changes() -> dict:
    """The background task: immediate in dev and tests, a worker in production."""
    try:
        return update_index()
    except (
        CursorHeld
    ) as exc:  # the holder indexes it; one line, not a failed task's traceback
        logger.warning("search index not updated here: %s", exc)
        return {"held": True}


@receiver(catalog_event_committed)
def on_catalog_event(sender, event, **kwargs):
    try:
        apply_index_changes.enqueue()
    except Exception:  # publishing has committed; search catches up on the next update
        logger.exception("could not queue search indexing after event %s", event.pk)

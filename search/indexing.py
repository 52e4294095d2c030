"""Catalog events -> search index. Publishing never waits for, or fails because of, the engine.

On every committed catalog event we first write a PendingIndexChange row (the database is
the one thing that must work), then enqueue a task that applies it. When the engine is down
the row stays, and `manage.py search_index update` (or the next event) applies it later.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from django_tasks import task

from catalog.models import EventAction
from catalog.signals import catalog_event_committed
from search.documents import ProcedureDocument, iter_documents
from search.engines import get_engine
from search.models import IndexAction, PendingIndexChange, SearchRecord

logger = logging.getLogger(__name__)

REMOVING = {EventAction.UNPUBLISHED, EventAction.DELETED}


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
        name=document.name[:500],
        name_folded=SearchRecord.fold_name(document.name)[:500],
        department_code=document.department_code,
        online_level=document.online_level,
        payload=payload,
        fingerprint=document.fingerprint,
    )


def save_records(documents: list[ProcedureDocument]) -> None:
    """Keep the database copy (the fallback's data) in step with what the engine gets."""
    records = [_record(d) for d in documents]
    SearchRecord.objects.filter(page_id__in=[r.page_id for r in records]).delete()
    SearchRecord.objects.bulk_create(records, batch_size=500)


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
        page_id=page_id, defaults={"action": action, "event_id": event_id}
    )


def apply_pending(page_ids: Iterable[int] | None = None) -> dict[str, int]:
    """Apply pending changes (all, or those for `page_ids`); failures stay pending with the error."""
    pending = PendingIndexChange.objects.order_by("id")
    if page_ids is not None:
        pending = pending.filter(page_id__in=list(page_ids))
    done = failed = 0
    for change in list(pending):
        try:
            sync_pages([change.page_id])
        except Exception as exc:  # the engine being down must never lose the change
            failed += 1
            PendingIndexChange.objects.filter(pk=change.pk).update(
                attempts=change.attempts + 1,
                last_error=f"{exc.__class__.__name__}: {exc}"[:500],
                updated_at=timezone.now(),
            )
            logger.warning(
                "search index update for page %s failed: %s", change.page_id, exc
            )
        else:
            done += 1
            PendingIndexChange.objects.filter(
                pk=change.pk, updated_at=change.updated_at
            ).delete()
    return {"applied": done, "failed": failed}


@task()
def apply_index_change(page_id: int) -> dict:
    """The background task: immediate in dev and tests, a worker in production."""
    return apply_pending([page_id])


@receiver(catalog_event_committed)
def on_catalog_event(sender, event, **kwargs):
    action = IndexAction.REMOVE if event.action in REMOVING else IndexAction.INDEX
    try:
        remember(page_id=event.page_id, action=action, event_id=event.pk)
        apply_index_change.enqueue(event.page_id)
    except Exception:  # publishing has committed; search catches up on the next update
        logger.exception("could not queue search indexing for page %s", event.page_id)

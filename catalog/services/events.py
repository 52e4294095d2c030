"""Recording catalog events. Called from page lifecycle signals and from bulk imports."""

from django.db import transaction

from catalog.models import CatalogEvent, EventAction, ProcedurePage


def _department_code(procedure: ProcedurePage) -> str:
    parent = procedure.get_parent()
    return getattr(parent.specific, "code", "") if parent else ""


def _last_event(procedure: ProcedurePage) -> CatalogEvent | None:
    return CatalogEvent.objects.filter(page_id=procedure.pk).order_by("-id").first()


def record_event(
    *, procedure: ProcedurePage, action: str, revision=None
) -> CatalogEvent | None:
    """Append the event for `action` (publish / unpublish / move / delete) and announce it after commit.

    A publish is `published` when the procedure was not public before and `updated` otherwise;
    unpublishing or deleting something that was never public records nothing.
    """
    last = _last_event(procedure)
    was_public = last is not None and last.action in (
        EventAction.PUBLISHED,
        EventAction.UPDATED,
        EventAction.MOVED,
    )
    if action == "publish":
        kind = EventAction.UPDATED if was_public else EventAction.PUBLISHED
    elif action == "unpublish":
        if not was_public:
            return None
        kind = EventAction.UNPUBLISHED
    elif action == "delete":
        if last is None or last.action == EventAction.DELETED:
            return None
        kind = EventAction.DELETED
    elif action == "move":
        kind = EventAction.MOVED
    else:
        raise ValueError(f"unknown catalog action {action!r}")

    note = (
        procedure.change_note
        if kind in (EventAction.PUBLISHED, EventAction.UPDATED)
        else ""
    )
    event = CatalogEvent.objects.create(
        page_id=procedure.pk,
        procedure=procedure if kind != EventAction.DELETED else None,
        national_code=procedure.national_code,
        local_code=procedure.local_code,
        department_code=_department_code(procedure),
        action=kind,
        revision=revision,
        title=procedure.title[:500],
        change_note=note[:500],
    )
    announce_after_commit(event)
    return event


def announce_after_commit(event: CatalogEvent) -> None:
    from catalog.signals import catalog_event_committed

    transaction.on_commit(
        lambda: catalog_event_committed.send(sender=CatalogEvent, event=event)
    )

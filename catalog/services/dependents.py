"""When shared data a procedure shows changes, the procedures that show it are `updated`.

A field renamed, a department renamed, a form's file replaced, a legal document corrected, a
form's collection restricted, a section made private or public again: every live procedure showing it now publishes something else,
though none was republished. Each gets an `updated` catalog event marked `from_shared_data`
(left out of the public change history), which the change feed serves and the search indexer
reads, so mirrors and the index follow without anyone republishing. A new entry has no
dependents and costs nothing; a department saved with the same name, code and slug neither.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.db.models.signals import post_save, pre_delete, pre_save

from catalog.freshness import shared_models
from catalog.models import (
    CatalogEvent,
    DepartmentIndexPage,
    DepartmentPage,
    EventAction,
    FormTemplate,
    ProcedurePage,
    RequiredDocument,
)
from catalog.services.events import announce_after_commit
from catalog.services.procedures import LIST_FIELDS

# Shared lists a procedure links to -> the procedure's field for them.
LINKED = {model: name for name, (model, _key) in LIST_FIELDS.items()}
# What of a department (or the departments' index) procedures show: its name, code, and the
# slug in their URLs.
SHOWN = ("title", "code", "slug")


def _live() -> QuerySet:
    return ProcedurePage.objects.live()


def _using_forms(forms: QuerySet) -> QuerySet:
    cases = RequiredDocument.objects.filter(form_template__in=forms).values(
        "case__page_id"
    )
    return _live().filter(pk__in=cases)


def dependents(instance) -> QuerySet | None:
    """The live procedures whose published representation shows `instance`, or None."""
    from wagtail.documents import get_document_model
    from wagtail.models import (
        Collection,
        CollectionViewRestriction,
        Page,
        PageViewRestriction,
        Site,
    )

    kind = type(instance)
    if kind in LINKED:
        return _live().filter(**{LINKED[kind]: instance})
    if kind is FormTemplate:
        return _using_forms(FormTemplate.objects.filter(pk=instance.pk))
    if kind is get_document_model():
        return _using_forms(FormTemplate.objects.filter(document=instance))
    if kind is CollectionViewRestriction:
        # read afresh: the caller's instance may hold a path from before a move
        collections = Collection.objects.get(pk=instance.collection_id).get_descendants(
            inclusive=True
        )
        return _using_forms(
            FormTemplate.objects.filter(document__collection__in=collections)
        )
    if kind is PageViewRestriction:
        # made private or public again: the feed serves each as a tombstone or as updated,
        # and the indexer drops or adds it (both read who may see it when they read the event)
        page = Page.objects.get(pk=instance.page_id)
        return _live().filter(
            Q(path__startswith=page.path) | Q(alias_of__path__startswith=page.path)
        )
    if kind in (DepartmentPage, DepartmentIndexPage):
        return _live().descendant_of(instance)
    if kind is Site:
        return _live()
    return None


def record_updates(procedures: QuerySet) -> int:
    """One `updated` event (from shared data) per procedure; the indexer is told once."""
    rows = list(
        procedures.order_by("pk").values_list(
            "pk", "national_code", "local_code", "title", "live_revision_id", "path"
        )
    )
    if not rows:
        return 0
    step = ProcedurePage.steplen
    codes = dict(
        DepartmentPage.objects.filter(
            path__in={path[:-step] for *_, path in rows}
        ).values_list("path", "code")
    )
    events = CatalogEvent.objects.bulk_create(
        CatalogEvent(
            page_id=pk,
            procedure_id=pk,
            national_code=national_code,
            local_code=local_code,
            department_code=codes.get(path[:-step], ""),
            action=EventAction.UPDATED,
            revision_id=revision_id,
            title=title[:500],
            from_shared_data=True,
        )
        for pk, national_code, local_code, title, revision_id, path in rows
    )
    announce_after_commit(events[-1])  # the indexer reads every event since its cursor
    return len(events)


def _shown_fields(model) -> list[str]:
    names = {field.name for field in model._meta.concrete_fields}
    return [name for name in SHOWN if name in names]


def _touches_shown(model, update_fields) -> bool:
    # Saving a draft revision writes only bookkeeping columns (update_fields); the live
    # title and slug change when the revision is published, with a full save.
    return update_fields is None or bool(set(update_fields) & set(_shown_fields(model)))


def _remember_shown(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or not _touches_shown(sender, update_fields):
        return
    fields = _shown_fields(sender)
    instance._shown_before = (
        sender.objects.filter(pk=instance.pk).values_list(*fields).first()
    )


def _saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    from wagtail.models import CollectionViewRestriction, PageViewRestriction

    # a new entry has no dependents, except a restriction: it hides what it covers at once
    restriction = sender in (CollectionViewRestriction, PageViewRestriction)
    if raw or (created and not restriction):
        return
    if sender in (DepartmentPage, DepartmentIndexPage):
        if not _touches_shown(sender, update_fields):
            return
        before = getattr(instance, "_shown_before", None)
        now = tuple(getattr(instance, name) for name in _shown_fields(sender))
        if before is None or before == now:
            return
        instance._shown_before = now
    procedures = dependents(instance)
    if procedures is not None:
        record_updates(procedures)


def _deleting(sender, instance, **kwargs):
    # Before the delete: the links to it still exist. A department's own procedures go with
    # it and record their own `deleted` events.
    if sender in (DepartmentPage, DepartmentIndexPage):
        return
    procedures = dependents(instance)
    if procedures is not None:
        record_updates(procedures)


def connect() -> None:
    """Called from CatalogConfig.ready(). The shared models are those of the shared-data version;
    dependents() names the procedures each one reaches. A saved document reaches them through
    its forms, whose saves record its new checksum (catalog.signals)."""
    from wagtail.documents import get_document_model

    for model in shared_models():
        uid = f"catalog.dependents:{model._meta.label}"
        if model is not get_document_model():
            post_save.connect(_saved, sender=model, dispatch_uid=uid + ":save")
        pre_delete.connect(_deleting, sender=model, dispatch_uid=uid + ":delete")
    for model in (DepartmentPage, DepartmentIndexPage):
        pre_save.connect(
            _remember_shown,
            sender=model,
            dispatch_uid=f"catalog.dependents:{model._meta.label}:before",
        )

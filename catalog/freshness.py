"""A version token for the data every procedure embeds from outside its own revision.

A published procedure is fully described by its live revision plus what it points at: shared-list
entries (fields, levels, subject types, life events, results, legal documents), its department,
form templates and their files, collection view restrictions, public holidays. Caches of a
procedure's public representation key on `(live_revision_id, shared_version())`: publishing the
procedure changes the first part, any save or delete of those shared rows changes the second.

The counter is one database row bumped in the writer's transaction, so every worker process
sees the new version exactly when the change commits. Bulk writers that skip model signals
(`bulk_create`, `bulk_update`, `QuerySet.update`) call `bump_shared_version()` themselves.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from catalog.models.versions import SharedVersion

ROW = 1
# The cache key of the catalog generation (api.fast): dropped when what public answers show
# changes outside a catalog event (view counts reaching the home page's most-used list).
GENERATION_CACHE_KEY = "catalog-generation"


def shared_state() -> tuple[str, datetime | None]:
    """(version token, when it last changed); one primary-key read."""
    row = (
        SharedVersion.objects.filter(pk=ROW)
        .values_list("counter", "changed_at")
        .first()
    )
    if row is None:
        return "0", None
    return str(row[0]), row[1]


def shared_version() -> str:
    """The token to put in cache keys; changes whenever shared data changes."""
    return shared_state()[0]


def bump_shared_version() -> None:
    """Mark every cached procedure representation stale (commits with the caller's transaction)."""
    now = timezone.now()
    if SharedVersion.objects.filter(pk=ROW).update(
        counter=F("counter") + 1, changed_at=now
    ):
        return
    try:
        with transaction.atomic():
            SharedVersion.objects.create(pk=ROW, counter=1, changed_at=now)
    except IntegrityError:  # another writer created it first
        SharedVersion.objects.filter(pk=ROW).update(
            counter=F("counter") + 1, changed_at=now
        )


def _bump(sender, raw=False, **kwargs):
    if not raw:  # fixtures loading rows are not edits
        bump_shared_version()


def shared_models() -> list[type]:
    """The models whose rows procedures embed or depend on for their public representation."""
    from wagtail.documents import get_document_model
    from wagtail.models import (
        Collection,
        CollectionViewRestriction,
        GroupCollectionPermission,
        PageViewRestriction,
        Site,
    )

    from catalog import models as catalog

    return [
        catalog.Field,
        catalog.Level,
        catalog.SubjectType,
        catalog.LifeEvent,
        catalog.Result,
        catalog.LegalDocument,
        catalog.PublicHoliday,
        catalog.FormTemplate,
        catalog.DepartmentPage,
        catalog.DepartmentIndexPage,
        get_document_model(),
        Collection,
        CollectionViewRestriction,
        PageViewRestriction,  # a private section leaves every public answer
        GroupCollectionPermission,
        Site,  # its host and port are in every absolute URL the API and the pages give
    ]


def connect() -> None:
    """Called from CatalogConfig.ready()."""
    for model in shared_models():
        uid = f"catalog.freshness:{model._meta.label}"
        post_save.connect(_bump, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(_bump, sender=model, dispatch_uid=uid + ":delete")

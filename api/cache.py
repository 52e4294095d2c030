"""Procedure JSON serialized once per version of its data, shared by detail, list and feed.

A row of api.ProcedureRepresentation holds one procedure's full representation as JSON bytes
with the digest of what it was built from (`version_of`). A request computes the current digest
from the page row it read through the published-only query plus the shared-data token
(catalog.freshness), serves the stored bytes when the digests match and rebuilds the misses in
one batch otherwise. Nothing is invalidated by hand: a publish changes the live revision and
`last_published_at`, a move the tree path, a change to a shared list, department, form or
holiday the shared token, a change to this module's output REPRESENTATION_VERSION.

Form download URLs depend on the host the client called, so the stored JSON carries ORIGIN_MARK
in their place and `with_origin` puts the request's scheme and host there when serving.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone, translation

import orjson

from api.models import ProcedureRepresentation
from api.representations import ProcedureRenderer
from api.selectors import (
    departments_for,
    histories_for,
    load_parts,
    restricted_collection_ids,
)
from catalog.models import ProcedurePage

logger = logging.getLogger(__name__)

# Bump when api/representations.py changes what a procedure's JSON looks like.
REPRESENTATION_VERSION = "7"
# Django form fields refuse NUL characters and PostgreSQL text cannot hold them, so no stored
# string starts with this; orjson writes it as the escaped text in ORIGIN_MARK_JSON.
ORIGIN_MARK = "\x00origin\x00"
ORIGIN_MARK_JSON = b'"\\u0000origin\\u0000'


class VersionRow(NamedTuple):
    """A published procedure as far as serving its stored JSON goes (no model instance: those
    cost more than the rest of a warm list)."""

    pk: int
    live_revision_id: int | None
    last_published_at: datetime | None
    path: str
    url_path: str
    local_code: str
    national_code: str
    extra: tuple = ()


def version_rows(queryset, *, extra: tuple = (), limit: int | None = None) -> list:
    """VersionRows for an (ordered) procedure queryset; `extra` names annotations to carry."""
    columns = (
        "pk",
        "live_revision_id",
        "last_published_at",
        "path",
        "url_path",
        "local_code",
        "national_code",
    )
    values = queryset.values_list(*columns, *extra)
    if limit is not None:
        values = values[:limit]
    return [VersionRow(*row[:7], tuple(row[7:])) for row in values]


def version_of(page, shared: str) -> str:
    """Digest of everything a procedure's representation is built from."""
    raw = "|".join(
        (
            REPRESENTATION_VERSION,
            str(page.pk),
            str(page.live_revision_id),
            page.last_published_at.isoformat() if page.last_published_at else "",
            page.path,
            page.url_path,
            shared,
        )
    )
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def marked_absolute(url: str) -> str:
    """A site-relative URL made absolute at serving time (see with_origin)."""
    return ORIGIN_MARK + url if url.startswith("/") else url


def origin_of(request) -> str:
    return request.build_absolute_uri("/")[:-1]


def with_origin(body: bytes, origin: str) -> bytes:
    return body.replace(ORIGIN_MARK_JSON, b'"' + orjson.dumps(origin)[1:-1])


def build(pages: list, *, shared: str, request=None) -> dict[int, bytes]:
    """Serialize full `pages` (prefetching their parts) and store them; returns page id -> bytes."""
    if not pages:
        return {}
    renderer = ProcedureRenderer(
        request=request,
        departments=departments_for(pages),
        histories=histories_for(pages),
        absolute=marked_absolute,
        restricted_collections=restricted_collection_ids(),
    )
    load_parts(pages, parts=renderer.parts_needed())
    now = timezone.now()
    bodies, rows = {}, []
    for page in pages:
        # Stored once for every client: labels (processing_time.display) in the site language,
        # whatever language the request that happened to build it was in.
        with translation.override(settings.LANGUAGE_CODE):
            body = orjson.dumps(renderer.render(page))
        bodies[page.pk] = body
        rows.append(
            ProcedureRepresentation(
                page_id=page.pk,
                version=version_of(page, shared),
                body=body,
                built_at=now,
            )
        )
    rows.sort(key=lambda row: row.page_id)  # one lock order for concurrent writers
    try:
        with transaction.atomic():
            ProcedureRepresentation.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["page_id"],
                update_fields=["version", "body", "built_at"],
            )
    except DatabaseError:  # a busy SQLite file, a lock timeout: serve, store next time
        logger.warning("could not store %d procedure representations", len(rows))
    return bodies


def bodies_for(pages: list, *, shared: str, request=None) -> dict[int, bytes]:
    """Stored bytes for `pages` (rows read through the published-only query), building misses.

    `pages` need only the version columns (VersionRow); misses are read again in full, in one
    batch.
    """
    if not pages:
        return {}
    wanted = {page.pk: version_of(page, shared) for page in pages}
    bodies = {
        page_id: bytes(body)
        for page_id, version, body in ProcedureRepresentation.objects.filter(
            page_id__in=list(wanted)
        ).values_list("page_id", "version", "body")
        if wanted.get(page_id) == version
    }
    missing = [page_id for page_id in wanted if page_id not in bodies]
    if missing:
        full = list(ProcedurePage.objects.filter(pk__in=missing))
        bodies.update(build(full, shared=shared, request=request))
    return bodies


def warm(*, batch: int = 200, request=None, progress=None) -> dict[str, int]:
    """Build every published procedure whose stored JSON is missing or stale; drop inert rows."""
    from api.selectors import catalog_state, published_procedures

    shared = catalog_state().shared
    ids = list(published_procedures().order_by("pk").values_list("pk", flat=True))
    built = 0
    for start in range(0, len(ids), batch):
        chunk = version_rows(
            ProcedurePage.objects.filter(pk__in=ids[start : start + batch])
        )
        wanted = {page.pk: version_of(page, shared) for page in chunk}
        fresh = set(
            ProcedureRepresentation.objects.filter(
                page_id__in=list(wanted)
            ).values_list("page_id", "version")
        )
        missing = [pk for pk, version in wanted.items() if (pk, version) not in fresh]
        if missing:
            built += len(
                build(
                    list(ProcedurePage.objects.filter(pk__in=missing)),
                    shared=shared,
                    request=request,
                )
            )
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    dropped = ProcedureRepresentation.objects.exclude(
        page_id__in=published_procedures().values("pk")
    ).delete()[0]
    return {"published": len(ids), "built": built, "dropped": dropped}

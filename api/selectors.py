"""Reads behind the API: what is published, fetched in a fixed number of queries per request."""

import functools
from collections import defaultdict
from datetime import UTC, datetime
from typing import NamedTuple

from django.db import connection, connections, router
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Length, Substr
from django.utils.dateparse import parse_datetime

from wagtail.models import Page

from catalog.freshness import ROW as SHARED_ROW
from catalog.models import (
    CatalogEvent,
    DepartmentPage,
    EventAction,
    FormTemplate,
    ProcedurePage,
)
from catalog.models.procedures import sort_code
from catalog.models.versions import SharedVersion
from catalog.selectors import procedures_with_parts

HISTORY_LIMIT = 20
STEP = Page.steplen


def published_procedures() -> QuerySet:
    """Live and outside any private section: the one definition the list, detail and feed share."""
    return ProcedurePage.objects.live().public()


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class CatalogState(NamedTuple):
    """What every procedure representation depends on from outside itself, and when it changed."""

    shared: str  # catalog.freshness.shared_version()
    shared_at: datetime | None
    last_event_id: int
    last_event_at: datetime | None

    @property
    def changed_at(self) -> datetime:
        """The last change anywhere in the published catalog: an event or shared data."""
        return max(
            value for value in (self.shared_at, self.last_event_at, EPOCH) if value
        )


def shared_token(counter) -> str:
    return str(counter) if counter is not None else "0"


def catalog_state() -> CatalogState:
    """The shared-data token and the newest catalog event, in one query."""
    last = CatalogEvent.objects.order_by("-id")
    row = (
        SharedVersion.objects.filter(pk=SHARED_ROW)
        .annotate(
            event_id=Subquery(last.values("id")[:1]),
            event_at=Subquery(last.values("occurred_at")[:1]),
        )
        .values_list("counter", "changed_at", "event_id", "event_at")
        .first()
    )
    if row is None:  # nothing shared was ever saved
        event = last.values_list("id", "occurred_at").first() or (0, None)
        return CatalogState("0", None, event[0], event[1])
    return CatalogState(shared_token(row[0]), row[1], row[2] or 0, row[3])


def published_departments() -> QuerySet:
    return DepartmentPage.objects.live().public()


def with_sort_code(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(sort_code=sort_code())


def procedure_by_code(code: str, *, prepare=None) -> ProcedurePage | None:
    """The published procedure whose code (local, else national) is this, else one with this
    national code.

    `prepare` may narrow or annotate the queryset (columns read, cached JSON alongside).
    """
    queryset = published_procedures().filter(Q(local_code=code) | Q(national_code=code))
    if prepare is not None:
        queryset = prepare(queryset)
    matches = list(queryset.order_by("pk")[:5])
    return min(
        matches, key=lambda page: _by_own_code(page.local_code, code), default=None
    )


def _by_own_code(local_code: str, code: str) -> int:
    """A procedure whose own code is `code` before one that only shares the national code:
    two procedures may carry one national code (the importer gives the second a local code),
    and each must be reachable by the code the API gives it."""
    if local_code == code:
        return 0
    return 1 if not local_code else 2


class DetailRow(NamedTuple):
    """What the detail view needs of a published procedure: version columns, the shared-data
    token, its last event and its stored JSON."""

    pk: int
    path: str
    url_path: str
    live_revision_id: int | None
    last_published_at: datetime | None
    national_code: str
    local_code: str
    shared_counter: int | None
    shared_changed_at: datetime | None
    cached_version: str | None
    cached_body: bytes | None
    last_event_at: datetime | None


@functools.cache
def _detail_sql() -> str:
    """Built once per process: the ORM would spend milliseconds compiling it on every call."""
    from wagtail.models import PageViewRestriction

    from api.models import ProcedureRepresentation

    def table(model) -> str:
        return connection.ops.quote_name(model._meta.db_table)

    # Table names come from the models; values travel as parameters.
    return (
        "SELECT p.id, p.path, p.url_path, p.live_revision_id, p.last_published_at, "  # noqa: S608
        "pp.national_code, pp.local_code, sv.counter, sv.changed_at, r.version, r.body, "
        f"(SELECT e.occurred_at FROM {table(CatalogEvent)} e WHERE e.page_id = p.id "
        "ORDER BY e.id DESC LIMIT 1) "
        f"FROM {table(ProcedurePage)} pp JOIN {table(Page)} p ON p.id = pp.page_ptr_id "
        f"LEFT JOIN {table(SharedVersion)} sv ON sv.id = %s "
        f"LEFT JOIN {table(ProcedureRepresentation)} r ON r.page_id = p.id "
        "WHERE p.live = %s AND (pp.local_code = %s OR pp.national_code = %s) "
        # published_procedures()'s .public(): not at or below a page with a view restriction
        f"AND NOT EXISTS (SELECT 1 FROM {table(PageViewRestriction)} vr "
        f"JOIN {table(Page)} rp ON rp.id = vr.page_id "
        "WHERE substr(p.path, 1, length(rp.path)) = rp.path) "
        "ORDER BY p.id LIMIT 5"
    )


def as_datetime(value) -> datetime | None:
    """Raw queries on SQLite hand timestamps back naive (stored in UTC) or as text."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = parse_datetime(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def procedure_for_detail(code: str) -> DetailRow | None:
    """procedure_by_code() for the detail view, with its cached JSON, in one precompiled query."""
    # raw SQL skips the routers: ask them, so a public read can use DATABASE_REPLICA_URL
    alias = router.db_for_read(ProcedurePage)
    with connections[alias].cursor() as cursor:
        cursor.execute(_detail_sql(), [SHARED_ROW, True, code, code])
        rows = cursor.fetchall()
    if not rows:
        return None
    row = min(rows, key=lambda row: _by_own_code(row[6], code))
    return DetailRow(
        *row[:4],
        as_datetime(row[4]),
        *row[5:8],
        as_datetime(row[8]),
        row[9],
        bytes(row[10]) if row[10] is not None else None,
        as_datetime(row[11]),
    )


def filter_by_list(queryset: QuerySet, *, relation: str, codes: list[str]) -> QuerySet:
    """Procedures linked to any of `codes` through a ParentalManyToMany, without duplicate rows."""
    field = ProcedurePage._meta.get_field(relation)
    through = field.remote_field.through
    target = field.m2m_reverse_field_name()
    source = field.m2m_field_name()
    linked = through.objects.filter(
        **{f"{source}_id": OuterRef("pk"), f"{target}__code__in": codes}
    )
    return queryset.filter(Exists(linked))


def filter_by_departments(queryset: QuerySet, *, codes: list[str]) -> QuerySet:
    paths = list(
        DepartmentPage.objects.filter(code__in=codes).values_list("path", flat=True)
    )
    if not paths:
        return queryset.none()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path, depth=len(path) // STEP + 1)
    return queryset.filter(condition)


def departments_for(pages) -> dict[int, DepartmentPage]:
    """The owning department of each page (its parent), in one query."""
    parent_paths = {page.path[:-STEP] for page in pages}
    by_path = {
        department.path: department
        for department in DepartmentPage.objects.filter(path__in=parent_paths).only(
            "pk", "path", "code", "title", "depth"
        )
    }
    return {page.pk: by_path.get(page.path[:-STEP]) for page in pages}


def histories_for(pages) -> dict[int, list[CatalogEvent]]:
    """Public change notes (published / updated), newest first, at most HISTORY_LIMIT per page."""
    ids = [page.pk for page in pages]
    histories: dict[int, list[CatalogEvent]] = defaultdict(list)
    if not ids:
        return histories
    events = (
        CatalogEvent.objects.filter(
            page_id__in=ids,
            action__in=[EventAction.PUBLISHED, EventAction.UPDATED],
            from_shared_data=False,
        )
        .only("id", "page_id", "action", "change_note", "occurred_at")
        .order_by("-id")
    )
    for event in events:
        bucket = histories[event.page_id]
        if len(bucket) < HISTORY_LIMIT:
            bucket.append(event)
    return histories


def load_parts(pages: list, *, parts: set[str] | None = None) -> None:
    """Prefetch the inline parts and shared lists `parts` names (all of them when None)."""
    from django.db.models import prefetch_related_objects

    lookups = procedures_with_parts(
        ProcedurePage.objects.none()
    )._prefetch_related_lookups
    if parts is not None:
        lookups = [
            lookup
            for lookup in lookups
            if (lookup if isinstance(lookup, str) else lookup.prefetch_through) in parts
        ]
    if pages and lookups:
        prefetch_related_objects(pages, *lookups)


def department_procedure_counts() -> dict[str, int]:
    """Published procedures per department path, in one grouped query."""
    rows = (
        published_procedures()
        .annotate(parent_path=Substr("path", 1, Length("path") - STEP))
        .values("parent_path")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["parent_path"]: row["n"] for row in rows}


def restricted_collection_ids() -> set[int]:
    """Collections a citizen may not download from: with a view restriction, or below one."""
    from wagtail.models import Collection, CollectionViewRestriction

    paths = list(
        CollectionViewRestriction.objects.values_list("collection__path", flat=True)
    )
    if not paths:
        return set()
    condition = Q()
    for path in paths:
        condition |= Q(path__startswith=path)
    return set(Collection.objects.filter(condition).values_list("pk", flat=True))


def published_forms() -> QuerySet:
    """Form templates of published departments whose file a citizen may download."""
    departments = published_departments().values("pk")
    return (
        FormTemplate.objects.filter(department__in=departments)
        .exclude(document__collection_id__in=restricted_collection_ids())
        .select_related("department", "document")
    )


# --- the change feed ------------------------------------------------------------------


def latest_events(*, after: int, also: list[int], limit: int) -> list[CatalogEvent]:
    """The newest event of each page among ids > `after` or in `also`, in sequence order."""
    newer = CatalogEvent.objects.filter(
        page_id=OuterRef("page_id"), id__gt=OuterRef("id")
    )
    condition = Q(id__gt=after)
    if also:
        condition |= Q(id__in=also)
    return list(
        CatalogEvent.objects.filter(condition)
        .exclude(Exists(newer))
        .order_by("id")[: limit + 1]
    )


def existing_event_ids(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(CatalogEvent.objects.filter(id__in=ids).values_list("id", flat=True))


def missing_event_ids(*, after: int, upto: int, recent_since) -> list[int]:
    """Sequence numbers in (after, upto] with no committed event that may still commit.

    A gap followed by an event older than `recent_since` was rolled back long ago (sequence
    numbers are drawn in time order), so only the range after the last such event is checked.
    """
    if upto <= after:
        return []
    old = CatalogEvent.objects.filter(
        id__gt=after, id__lte=upto, occurred_at__lt=recent_since
    ).aggregate(last=Max("id"))["last"]
    low = max(after, old or 0)
    in_range = CatalogEvent.objects.filter(id__gt=low, id__lte=upto)
    if in_range.count() == upto - low:
        return []
    present = set(in_range.values_list("id", flat=True))
    return [number for number in range(low + 1, upto + 1) if number not in present]

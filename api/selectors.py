"""Reads behind the API: what is published, fetched in a fixed number of queries per request."""

from collections import defaultdict

from django.db.models import Case, Count, Exists, F, Max, OuterRef, Q, QuerySet, When
from django.db.models.functions import Length, Substr

from wagtail.models import Page

from catalog.models import (
    CatalogEvent,
    DepartmentPage,
    EventAction,
    FormTemplate,
    ProcedurePage,
)
from catalog.selectors import procedures_with_parts

HISTORY_LIMIT = 20
STEP = Page.steplen


def published_procedures() -> QuerySet:
    """Live and outside any private section: the one definition the list, detail and feed share."""
    return ProcedurePage.objects.live().public()


def published_departments() -> QuerySet:
    return DepartmentPage.objects.live().public()


def with_sort_code(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        sort_code=Case(
            When(local_code="", then=F("national_code")), default=F("local_code")
        )
    )


def procedure_by_code(code: str) -> ProcedurePage | None:
    """The published procedure with this local code, else with this national code."""
    matches = list(
        published_procedures()
        .filter(Q(local_code=code) | Q(national_code=code))
        .order_by("pk")[:5]
    )
    for page in matches:
        if page.local_code == code:
            return page
    return matches[0] if matches else None


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
            page_id__in=ids, action__in=[EventAction.PUBLISHED, EventAction.UPDATED]
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


def published_forms() -> QuerySet:
    """Form templates of published departments, with the file to download."""
    departments = published_departments().values("pk")
    return FormTemplate.objects.filter(department__in=departments).select_related(
        "department", "document"
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

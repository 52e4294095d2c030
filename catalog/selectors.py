"""Reads of the catalog, shaped for the people and systems that use them; no query per related row."""

import datetime
from collections import OrderedDict

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.lookups import StartsWith

from wagtail.models import Page, PageViewRestriction

from catalog.freshness import ROW as SHARED_ROW
from catalog.freshness import shared_state
from catalog.models import (
    CatalogEvent,
    DepartmentPage,
    DossierCase,
    EventAction,
    ExecutionMethod,
    FeeItem,
    Field,
    LifeEvent,
    ProcedurePage,
    ProcedureStep,
    PublicHoliday,
    RequiredDocument,
    fee_range,
)
from catalog.models.versions import SharedVersion


def procedures_with_parts(queryset: QuerySet | None = None) -> QuerySet:
    """Procedures with every inline part and shared list fetched in a fixed number of queries."""
    queryset = queryset if queryset is not None else ProcedurePage.objects.all()
    return queryset.prefetch_related(*PROCEDURE_PAGE_PREFETCH)


def public_procedures() -> QuerySet:
    return ProcedurePage.objects.live().public()


def change_history(*, procedure: ProcedurePage, limit: int = 20) -> list[CatalogEvent]:
    """The public change notes of a procedure, newest first."""
    return list(
        CatalogEvent.objects.filter(
            page_id=procedure.pk,
            action__in=[EventAction.PUBLISHED, EventAction.UPDATED],
            from_shared_data=False,
        ).order_by("-id")[:limit]
    )


# Every part of a procedure, in editor order (pk breaks ties: imported parts may share a
# sort_order), prefetched together so a page or an API item costs a fixed number of queries.
PROCEDURE_PAGE_PREFETCH = (
    Prefetch("steps", queryset=ProcedureStep.objects.order_by("sort_order", "pk")),
    "levels",
    "subject_types",
    "fields",
    "life_events",
    "results",
    "legal_basis",
    Prefetch(
        "execution_methods",
        queryset=ExecutionMethod.objects.order_by("sort_order", "pk").prefetch_related(
            Prefetch("fees", queryset=FeeItem.objects.order_by("sort_order", "pk"))
        ),
    ),
    Prefetch(
        "dossier_cases",
        queryset=DossierCase.objects.order_by("sort_order", "pk").prefetch_related(
            Prefetch(
                "documents",
                queryset=RequiredDocument.objects.order_by(
                    "sort_order", "pk"
                ).select_related("form_template__document"),
            )
        ),
    ),
)
_IN_MEMORY_RELATIONS = (
    "steps",
    "execution_methods",
    "dossier_cases",
    "levels",
    "subject_types",
    "fields",
    "life_events",
    "results",
    "legal_basis",
)


def _read_from_database(procedure: ProcedurePage) -> bool:
    """False for a preview or a revision being viewed: its parts live in memory, unsaved."""
    in_memory = getattr(procedure, "_cluster_related_objects", {})
    return bool(procedure.pk) and not any(
        name in in_memory for name in _IN_MEMORY_RELATIONS
    )


def _prefetch_procedure_parts(procedure: ProcedurePage) -> None:
    """Fetch the parts of a page read from the database; a preview keeps its in-memory parts."""
    if not _read_from_database(procedure):
        return
    if getattr(procedure, "_prefetched_objects_cache", {}).get("steps") is not None:
        return
    prefetch_related_objects([procedure], *PROCEDURE_PAGE_PREFETCH)


def published_state(procedure: ProcedurePage) -> str | None:
    """What identifies a live page's published content, read from the database; None for a preview.

    The live revision, the publish time (a re-publish of the same revision adds a history line)
    and the URL path (a move or a parent's new slug changes links and the breadcrumb).
    """
    if not (
        procedure.live and procedure.live_revision_id and _read_from_database(procedure)
    ):
        return None
    published = procedure.last_published_at
    stamp = published.timestamp() if published else 0
    return f"{procedure.pk}:{procedure.live_revision_id}:{stamp}:{procedure.url_path}"


def _shared(column: str) -> Subquery:
    return Subquery(SharedVersion.objects.filter(pk=SHARED_ROW).values(column)[:1])


def _shared_token(counter, changed_at) -> str:
    """shared_version() plus when it changed: unique even where a test rolled the counter back."""
    stamp = changed_at.timestamp() if changed_at else 0
    return f"{counter if counter is not None else 0}@{stamp}"


def procedure_at(
    *, index: Page, department_slug: str, procedure_slug: str
) -> ProcedurePage | None:
    """The procedure at <index>/<department>/<procedure>/ in one query (routing), or None.

    It carries `public_shared_version`, read in the same query, for the page's cache key.
    """
    procedure = (
        ProcedurePage.objects.filter(
            depth=index.depth + 2,
            path__startswith=index.path,
            slug=procedure_slug,
            url_path=f"{index.url_path}{department_slug}/{procedure_slug}/",
        )
        .annotate(
            public_shared_counter=_shared("counter"),
            public_shared_changed_at=_shared("changed_at"),
            public_restricted=_restricted_chain(),
        )
        .first()
    )
    if procedure is not None:
        procedure.public_shared_version = _shared_token(
            procedure.__dict__.pop("public_shared_counter"),
            procedure.__dict__.pop("public_shared_changed_at"),
        )
    return procedure


def _restricted_chain() -> Exists:
    """Whether a view restriction applies to the outer page or an ancestor (aliases by source).

    Read with the routing query so an unrestricted page (the usual case) needs no other query.
    """
    in_chain = StartsWith(OuterRef(OuterRef("path")), F("path"))
    return Exists(
        PageViewRestriction.objects.filter(
            Exists(
                Page.objects.filter(
                    in_chain, alias_of__isnull=True, pk=OuterRef("page_id")
                )
            )
            | Exists(Page.objects.filter(in_chain, alias_of_id=OuterRef("page_id")))
        )
    )


def public_shared_version(procedure: ProcedurePage) -> str:
    """The shared-data token read while routing to the page, else read now (one query)."""
    version = getattr(procedure, "public_shared_version", None)
    return version if version is not None else _shared_token(*shared_state())


def owning_department(procedure: ProcedurePage) -> DepartmentPage | None:
    """The parent department: the one routing already holds, else one query by tree path."""
    parent = getattr(procedure, "_cached_parent_obj", None)
    if parent is not None:
        return parent.specific
    if not procedure.path or procedure.depth <= 1:
        return None
    department = DepartmentPage.objects.filter(
        path=procedure.path[: -ProcedurePage.steplen]
    ).first()
    return department if department is not None else procedure.get_parent().specific


def procedure_public_context(*, procedure: ProcedurePage) -> dict:
    """What a procedure page shows, read from the (possibly unsaved preview) instance in memory.

    A fixed number of queries whatever the number of parts; the rendered page is cached by the
    caller (cms/templatetags/portal.py), keyed by `published_state` and the shared-data version.
    """
    return _build_public_context(procedure)


def _build_public_context(procedure: ProcedurePage) -> dict:
    _prefetch_procedure_parts(procedure)
    methods = list(procedure.execution_methods.all())
    cases = list(procedure.dossier_cases.all())
    fee_min, fee_max = fee_range(fee for method in methods for fee in method.fees.all())
    for case in cases:
        case.document_list = list(case.documents.all())
        case.forms = [
            document.form_template
            for document in case.document_list
            if document.form_template_id and document.form_template.document_id
        ]
    return {
        "methods": methods,
        "cases": cases,
        "steps": list(procedure.steps.all()),
        "levels": list(procedure.levels.all()),
        "subject_types": list(procedure.subject_types.all()),
        "procedure_fields": list(procedure.fields.all()),
        "life_events": list(procedure.life_events.all()),
        "results": list(procedure.results.all()),
        "legal_basis": list(procedure.legal_basis.all()),
        "fee_min": fee_min,
        "fee_max": fee_max,
        "history": change_history(procedure=procedure) if procedure.pk else [],
        "owner": owning_department(procedure)
        if procedure.pk or procedure.depth
        else None,
    }


def public_holidays_between(
    *, start: datetime.date, end: datetime.date
) -> set[datetime.date]:
    """Non-working days the administrator keeps as data, within [start, end]."""
    return set(
        PublicHoliday.objects.filter(date__gte=start, date__lte=end).values_list(
            "date", flat=True
        )
    )


def departments_for_procedures(procedures) -> dict[int, DepartmentPage]:
    """The owning department of each procedure (by procedure id), in one query, from tree paths."""
    procedures = list(procedures)
    if not procedures:
        return {}
    parent_paths = {
        procedure.path[: -ProcedurePage.steplen] for procedure in procedures
    }
    by_path = {
        department.path: department
        for department in DepartmentPage.objects.filter(path__in=parent_paths)
    }
    return {
        procedure.pk: by_path.get(procedure.path[: -ProcedurePage.steplen])
        for procedure in procedures
    }


def _live_count(relation: str) -> Count:
    return Count(
        relation,
        filter=Q(**{f"{relation}__live": True}),
        distinct=True,
    )


def life_events_with_counts() -> list[LifeEvent]:
    """Life events that have live procedures, each with `procedure_count`."""
    return list(
        LifeEvent.objects.annotate(procedure_count=_live_count("procedurepage"))
        .filter(procedure_count__gt=0)
        .order_by("name")
    )


def fields_with_counts(*, limit: int | None = None) -> list[Field]:
    """Fields that have live procedures, busiest first, each with `procedure_count`."""
    queryset = (
        Field.objects.annotate(procedure_count=_live_count("procedurepage"))
        .filter(procedure_count__gt=0)
        .order_by("-procedure_count", "name")
    )
    return list(queryset[:limit] if limit else queryset)


def departments_by_kind() -> "OrderedDict[str, list[DepartmentPage]]":
    """Live departments grouped by their kind's label, city departments first."""
    groups: OrderedDict[str, list[DepartmentPage]] = OrderedDict()
    for department in DepartmentPage.objects.live().public().order_by("kind", "title"):
        groups.setdefault(department.get_kind_display(), []).append(department)
    return groups


def most_used_procedures(
    *, limit: int = 8, featured_ids: list[int] | None = None
) -> list[ProcedurePage]:
    """The featured procedures in their order, then the most viewed, each with `owning_department`."""
    featured_ids = list(dict.fromkeys(featured_ids or []))[:limit]
    live = public_procedures().filter(status="active")
    featured = {
        procedure.pk: procedure for procedure in live.filter(pk__in=featured_ids)
    }
    procedures = [featured[pk] for pk in featured_ids if pk in featured]
    if len(procedures) < limit:
        procedures += list(
            live.exclude(pk__in=featured_ids).order_by("-view_count", "title")[
                : limit - len(procedures)
            ]
        )
    owners = departments_for_procedures(procedures)
    for procedure in procedures:
        procedure.owning_department = owners.get(procedure.pk)
    return procedures


def life_event_procedures(*, life_event: LifeEvent) -> list[ProcedurePage]:
    """The live procedures of a life event, by name, each with `owning_department` set."""
    procedures = list(
        public_procedures().filter(life_events=life_event).order_by("title").distinct()
    )
    owners = departments_for_procedures(procedures)
    for procedure in procedures:
        procedure.owning_department = owners.get(procedure.pk)
    return procedures


def department_procedures_by_field(
    *, department: DepartmentPage
) -> "OrderedDict[str, list]":
    """A department's live procedures grouped by their first field, fields in name order."""
    procedures = (
        ProcedurePage.objects.child_of(department)
        .live()
        .public()
        .prefetch_related("fields")
        .order_by("title")
    )
    groups: dict[str, list] = {}
    for procedure in procedures:
        fields = sorted(procedure.fields.all(), key=lambda field: field.name)
        key = fields[0].name if fields else "Khác"
        groups.setdefault(key, []).append(procedure)
    return OrderedDict(
        sorted(groups.items(), key=lambda item: (item[0] == "Khác", item[0]))
    )

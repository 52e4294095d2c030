"""Reads of the catalog, shaped for the people and systems that use them; no query per related row."""

from collections import OrderedDict

from django.db.models import Prefetch, QuerySet

from catalog.models import (
    CatalogEvent,
    DepartmentPage,
    DossierCase,
    EventAction,
    ExecutionMethod,
    FeeItem,
    ProcedurePage,
    RequiredDocument,
)


def procedures_with_parts(queryset: QuerySet | None = None) -> QuerySet:
    """Procedures with every inline part and shared list fetched in a fixed number of queries."""
    queryset = queryset if queryset is not None else ProcedurePage.objects.all()
    return queryset.prefetch_related(
        "steps",
        "levels",
        "subject_types",
        "fields",
        "life_events",
        "results",
        "legal_basis",
        Prefetch(
            "execution_methods",
            queryset=ExecutionMethod.objects.order_by("sort_order").prefetch_related(
                Prefetch("fees", queryset=FeeItem.objects.order_by("sort_order"))
            ),
        ),
        Prefetch(
            "dossier_cases",
            queryset=DossierCase.objects.order_by("sort_order").prefetch_related(
                Prefetch(
                    "documents",
                    queryset=RequiredDocument.objects.order_by(
                        "sort_order"
                    ).select_related("form_template__document"),
                )
            ),
        ),
    )


def public_procedures() -> QuerySet:
    return ProcedurePage.objects.live().public()


def change_history(*, procedure: ProcedurePage, limit: int = 20) -> list[CatalogEvent]:
    """The public change notes of a procedure, newest first."""
    return list(
        CatalogEvent.objects.filter(
            page_id=procedure.pk,
            action__in=[EventAction.PUBLISHED, EventAction.UPDATED],
        ).order_by("-id")[:limit]
    )


def procedure_public_context(*, procedure: ProcedurePage) -> dict:
    """What a procedure page shows, read from the (possibly unsaved preview) instance in memory."""
    methods = list(procedure.execution_methods.all())
    cases = list(procedure.dossier_cases.all())
    fees = [fee for method in methods for fee in method.fees.all()]
    amounts = [fee.amount for fee in fees if fee.amount is not None]
    return {
        "methods": methods,
        "cases": cases,
        "steps": list(procedure.steps.all()),
        "fee_min": min(amounts) if amounts else None,
        "fee_max": max(amounts) if amounts else None,
        "history": change_history(procedure=procedure) if procedure.pk else [],
        "owner": procedure.get_parent().specific
        if procedure.pk or procedure.depth
        else None,
    }


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

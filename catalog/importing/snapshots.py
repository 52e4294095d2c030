"""Procedure snapshots for the import's comparison, from plain rows instead of model instances.

`procedure_snapshot(page)` over prefetched pages costs ~5 ms a procedure in model instances;
these build the same dicts from values() rows (11 queries a batch) and from the import's data dict,
so an unchanged row is decided without building or validating a page. Tests check both against
`procedure_snapshot` (tests/importing/test_round_trip.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from catalog.models import (
    DossierCase,
    ExecutionMethod,
    FeeItem,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
)
from catalog.services.procedures import (
    LIST_FIELDS,
    PAGE_DATE_FIELDS,
    PAGE_TEXT_FIELDS,
    _keywords,
    default_search_description,
    rich_text,
)
from catalog.text import official_name

PAGE_COLUMNS = (
    "pk",
    "national_code",
    "local_code",
    "title",
    "full_name",
    "slug",
    "keywords",
    "conditions",
    "seo_title",
    "search_description",
    *PAGE_TEXT_FIELDS,
    *PAGE_DATE_FIELDS,
)
PART_ORDER = ("sort_order", "pk")


def _number(value: Any) -> int | float | None:
    """As catalog.services.procedures._number, after the Decimal the model field would hold."""
    if value is None or value == "":
        return None
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(value: Any) -> str | None:
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return datetime.date.fromisoformat(value).isoformat()


def stored_snapshots(ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """`procedure_snapshot` of each page row (its live content), keyed by page id."""
    ids = list(ids)
    snapshots: dict[int, dict[str, Any]] = {}
    for row in ProcedurePage.objects.filter(pk__in=ids).values(*PAGE_COLUMNS):
        pk = row.pop("pk")
        row["title"] = official_name(row["title"], row.pop("full_name"))
        for name in PAGE_DATE_FIELDS:
            row[name] = _iso(row[name])
        for key in LIST_FIELDS:
            row[key] = []
        row["steps"] = []
        row["execution_methods"] = []
        row["dossier_cases"] = []
        snapshots[pk] = row
    for key, (_model, attr) in LIST_FIELDS.items():
        field = ProcedurePage._meta.get_field(key)
        through = field.remote_field.through
        page_column = field.m2m_field_name()
        entry = field.m2m_reverse_field_name()
        pairs = through.objects.filter(**{f"{page_column}_id__in": ids}).values_list(
            f"{page_column}_id", f"{entry}__{attr}"
        )
        for page_id, value in pairs:
            snapshots[page_id][key].append(value)
    for snapshot in snapshots.values():
        for key in LIST_FIELDS:
            snapshot[key].sort()
    for page_id, title, description in (
        ProcedureStep.objects.filter(page_id__in=ids)
        .order_by(*PART_ORDER)
        .values_list("page_id", "title", "description")
    ):
        snapshots[page_id]["steps"].append({"title": title, "description": description})
    methods: dict[int, dict[str, Any]] = {}
    for pk, page_id, *values in (
        ExecutionMethod.objects.filter(page_id__in=ids)
        .order_by(*PART_ORDER)
        .values_list(
            "pk",
            "page_id",
            "channel",
            "processing_time_value",
            "processing_time_unit",
            "processing_time_text",
            "description",
        )
    ):
        channel, value, unit, text, description = values
        methods[pk] = {
            "channel": channel,
            "processing_time_value": _number(value),
            "processing_time_unit": unit,
            "processing_time_text": text,
            "description": description,
            "fees": [],
        }
        snapshots[page_id]["execution_methods"].append(methods[pk])
    for method_id, kind, amount, currency, description in (
        FeeItem.objects.filter(method__page_id__in=ids)
        .order_by(*PART_ORDER)
        .values_list("method_id", "kind", "amount", "currency", "description")
    ):
        methods[method_id]["fees"].append(
            {
                "kind": kind,
                "amount": amount,
                "currency": currency,
                "description": description,
            }
        )
    cases: dict[int, dict[str, Any]] = {}
    for pk, page_id, name, description in (
        DossierCase.objects.filter(page_id__in=ids)
        .order_by(*PART_ORDER)
        .values_list("pk", "page_id", "name", "description")
    ):
        cases[pk] = {"name": name, "description": description, "documents": []}
        snapshots[page_id]["dossier_cases"].append(cases[pk])
    for case_id, *values in (
        RequiredDocument.objects.filter(case__page_id__in=ids)
        .order_by(*PART_ORDER)
        .values_list(
            "case_id",
            "name",
            "originals",
            "copies",
            "is_required",
            "note",
            "form_template__code",
        )
    ):
        name, originals, copies, is_required, note, form_template = values
        cases[case_id]["documents"].append(
            {
                "name": name,
                "originals": originals,
                "copies": copies,
                "is_required": is_required,
                "note": note,
                "form_template": form_template,
            }
        )
    return snapshots


def data_snapshot(data: dict[str, Any], *, slug: str) -> dict[str, Any]:
    """What `procedure_snapshot(build_procedure(data=data))` gives, without building the page.

    Mirrors catalog.services.procedures.apply_procedure_data for an existing page (its slug kept);
    list entries are the codes the import has already resolved. Only used to find rows equal to
    the stored content: any row it finds different goes through the real build and validation.
    """
    snapshot: dict[str, Any] = {
        "national_code": data["national_code"],
        "local_code": data.get("local_code", ""),
        "title": data["title"],
        "slug": slug,
        "keywords": _keywords(data.get("keywords")),
        "conditions": rich_text(data.get("conditions")),
        "seo_title": data.get("seo_title") or "",
    }
    defaults = {
        "procedure_type": "standard",
        "status": "active",
        "online_level": "none",
    }
    for name in PAGE_TEXT_FIELDS:
        snapshot[name] = data.get(name, defaults.get(name, ""))
    summary = snapshot["summary"]
    snapshot["search_description"] = data.get(
        "search_description", default_search_description(summary)
    )
    for name in PAGE_DATE_FIELDS:
        snapshot[name] = _iso(data.get(name))
    for key in LIST_FIELDS:
        snapshot[key] = sorted(dict.fromkeys(data.get(key) or []))
    snapshot["steps"] = [
        {
            "title": item.get("title", ""),
            "description": rich_text(item.get("description", "")),
        }
        for item in data.get("steps") or []
    ]
    snapshot["execution_methods"] = [
        {
            "channel": item["channel"],
            "processing_time_value": _number(item.get("processing_time_value")),
            "processing_time_unit": item.get("processing_time_unit", ""),
            "processing_time_text": item.get("processing_time_text", ""),
            "description": item.get("description", ""),
            "fees": [
                {
                    "kind": fee.get("kind", "charge"),
                    "amount": fee.get("amount"),
                    "currency": fee.get("currency") or "VND",
                    "description": fee.get("description", ""),
                }
                for fee in item.get("fees") or []
            ],
        }
        for item in data.get("execution_methods") or []
    ]
    snapshot["dossier_cases"] = [
        {
            "name": item["name"],
            "description": item.get("description", ""),
            "documents": [
                {
                    "name": document["name"],
                    "originals": document.get("originals", 1),
                    "copies": document.get("copies", 0),
                    "is_required": document.get("is_required", True),
                    "note": document.get("note", ""),
                    "form_template": document.get("form_template") or None,
                }
                for document in item.get("documents") or []
            ],
        }
        for item in data.get("dossier_cases") or []
    ]
    return snapshot

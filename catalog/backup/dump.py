"""Writing the catalog to a backup archive (see catalog/backup/__init__.py for what goes in)."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import serializers
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.models import Page

from catalog.backup.archive import FILES_PREFIX, ArchiveWriter
from catalog.models import (
    CatalogEvent,
    DepartmentIndexPage,
    DepartmentPage,
    DossierCase,
    ExecutionMethod,
    FeeItem,
    FormTemplate,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
)
from catalog.selectors import public_procedures

# Shared lists, in restore order: member name -> model label.
LIST_MEMBERS = {
    "lists/levels.jsonl": "catalog.Level",
    "lists/fields.jsonl": "catalog.Field",
    "lists/subject_types.jsonl": "catalog.SubjectType",
    "lists/life_events.jsonl": "catalog.LifeEvent",
    "lists/results.jsonl": "catalog.Result",
    "lists/legal_documents.jsonl": "catalog.LegalDocument",
    "lists/holidays.jsonl": "catalog.PublicHoliday",
}
# Page fields kept for departments and procedures (the tree position is rebuilt on restore).
PAGE_FIELDS = (
    "title",
    "draft_title",
    "slug",
    "seo_title",
    "search_description",
    "show_in_menus",
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "go_live_at",
    "expire_at",
    "expired",
)
M2M_LISTS = ("levels", "subject_types", "fields", "life_events", "results")
CHUNK = 500

Progress = Callable[[str], None]


def encode(field: models.Field, obj: models.Model) -> Any:
    """A field's stored value as JSON: str, int, bool and None as they are, the rest as text."""
    value = field.value_from_object(obj)
    if value is None or isinstance(value, (str, bool, int)):
        return value
    return field.value_to_string(obj)


def own_fields(
    model: type[models.Model], obj: models.Model, *, skip=()
) -> dict[str, Any]:
    """The model's own columns (not its parent Page's), minus keys and `skip`."""
    return {
        field.name: encode(field, obj)
        for field in model._meta.local_concrete_fields
        if not field.primary_key
        and not isinstance(field, models.ForeignKey)
        and field.name not in skip
    }


def page_fields(page: Page) -> dict[str, Any]:
    return {name: encode(Page._meta.get_field(name), page) for name in PAGE_FIELDS}


def serialized(queryset) -> Iterator[dict[str, Any]]:
    """Django's own serialization ({model, pk, fields}), a chunk at a time."""
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    model = queryset.model
    for start in range(0, len(ids), CHUNK):
        chunk = model.objects.filter(pk__in=ids[start : start + CHUNK]).order_by("pk")
        yield from serializers.serialize("python", chunk)


def department_records() -> Iterator[dict[str, Any]]:
    codes = dict(DepartmentPage.objects.values_list("pk", "code"))
    for department in DepartmentPage.objects.select_related("collection").order_by(
        "path"
    ):
        yield {
            "id": department.pk,
            "code": department.code,
            "page": page_fields(department),
            "values": own_fields(
                DepartmentPage, department, skip=("page_ptr", "collection", "code")
            ),
            "parent_department": codes.get(department.parent_department_id),
            "collection": department.collection.name if department.collection else None,
        }


def department_index_records() -> Iterator[dict[str, Any]]:
    for index in DepartmentIndexPage.objects.order_by("path"):
        yield {
            "id": index.pk,
            "page": page_fields(index),
            "values": own_fields(DepartmentIndexPage, index, skip=("page_ptr",)),
        }


def _parts(model, items, *, skip=()) -> list[dict[str, Any]]:
    return [own_fields(model, item, skip=skip) for item in items]


def procedure_record(
    page: ProcedurePage, *, department_code: str, forms: set[int] | None = None
) -> dict[str, Any]:
    """Everything a procedure's page row holds (its live content), parts and lists included.

    The reference for one model instance; the archive reads whole chunks with
    `procedure_rows_records`, which gives the same records (tests/catalog/test_backup_records.py).
    `forms`, when given, are the form template ids the archive carries; links to others are
    left out (the public archive omits forms whose file a citizen may not download)."""
    record = {
        "id": page.pk,
        "department": department_code,
        "page": page_fields(page),
        "values": own_fields(ProcedurePage, page, skip=("page_ptr",)),
        "draft_pending": bool(page.live and page.has_unpublished_changes),
    }
    for name in M2M_LISTS:
        record[name] = [
            {"code": entry.code, "name": entry.name}
            for entry in getattr(page, name).all()
        ]
    record["legal_basis"] = [
        {"number": document.number, "title": document.title}
        for document in page.legal_basis.all()
    ]
    record["steps"] = _parts(ProcedureStep, page.steps.all())
    record["execution_methods"] = [
        {
            **own_fields(ExecutionMethod, method),
            "fees": _parts(FeeItem, method.fees.all()),
        }
        for method in page.execution_methods.all()
    ]
    record["dossier_cases"] = [
        {
            **own_fields(DossierCase, case),
            "documents": [
                {
                    **own_fields(RequiredDocument, document),
                    "form_template": document.form_template.code
                    if document.form_template_id
                    and (forms is None or document.form_template_id in forms)
                    else None,
                }
                for document in case.documents.all()
            ],
        }
        for case in page.dossier_cases.all()
    ]
    return record


def procedure_records(
    progress: Progress, *, public: bool = False, forms: set[int] | None = None
) -> Iterator[dict[str, Any]]:
    departments = dict(DepartmentPage.objects.values_list("path", "code"))
    pages = public_procedures() if public else ProcedurePage.objects.all()
    ids = list(pages.order_by("path").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        yield from procedure_rows_records(
            ids[start : start + CHUNK], departments=departments, forms=forms
        )
        progress(f"  thủ tục: {min(start + CHUNK, len(ids))}/{len(ids)}")


class _Row:
    """Just enough of a model instance for Field.value_to_string (it reads the attname)."""

    def __init__(self, attname: str, value: Any):
        setattr(self, attname, value)


def _encode_value(field: models.Field, value: Any) -> Any:
    """`encode` for a value read with values(): the same JSON for the same column."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    return field.value_to_string(_Row(field.attname, value))


def _own_columns(model: type[models.Model], *, skip=()) -> list[models.Field]:
    return [
        field
        for field in model._meta.local_concrete_fields
        if not field.primary_key
        and not isinstance(field, models.ForeignKey)
        and field.name not in skip
    ]


def _values(row: dict[str, Any], columns: list[models.Field]) -> dict[str, Any]:
    return {field.name: _encode_value(field, row[field.attname]) for field in columns}


def _grouped(queryset, key: str, columns: list[models.Field], *extra: str):
    """Rows of a part table as `own_fields` dicts, grouped by their parent's id, in query order."""
    groups: dict[int, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for row in queryset.values(key, *extra, *(field.attname for field in columns)):
        groups.setdefault(row[key], []).append((row, _values(row, columns)))
    return groups


def procedure_rows_records(
    ids: list[int], *, departments: dict[str, str], forms: set[int] | None = None
) -> Iterator[dict[str, Any]]:
    """`procedure_record` for a chunk of procedures, read with values() in one query per
    table instead of model instances: the same records, a third of the CPU (docs/open-data.md)."""
    page_columns = [Page._meta.get_field(name) for name in PAGE_FIELDS]
    own = _own_columns(ProcedurePage, skip=("page_ptr",))
    lists: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for name in M2M_LISTS:
        target = ProcedurePage._meta.get_field(name).related_model
        grouped = lists[name] = {}
        for page_id, code, entry_name in target.objects.filter(
            procedurepage__in=ids
        ).values_list("procedurepage", "code", "name"):
            grouped.setdefault(page_id, []).append({"code": code, "name": entry_name})
    legal: dict[int, list[dict[str, Any]]] = {}
    for page_id, number, title in (
        ProcedurePage._meta.get_field("legal_basis")
        .related_model.objects.filter(procedurepage__in=ids)
        .values_list("procedurepage", "number", "title")
    ):
        legal.setdefault(page_id, []).append({"number": number, "title": title})
    by_order = ("sort_order", "pk")
    steps = _grouped(
        ProcedureStep.objects.filter(page_id__in=ids).order_by(*by_order),
        "page_id",
        _own_columns(ProcedureStep),
    )
    methods = _grouped(
        ExecutionMethod.objects.filter(page_id__in=ids).order_by(*by_order),
        "page_id",
        _own_columns(ExecutionMethod),
        "pk",
    )
    fees = _grouped(
        FeeItem.objects.filter(method__page_id__in=ids).order_by(*by_order),
        "method_id",
        _own_columns(FeeItem),
    )
    cases = _grouped(
        DossierCase.objects.filter(page_id__in=ids).order_by(*by_order),
        "page_id",
        _own_columns(DossierCase),
        "pk",
    )
    documents = _grouped(
        RequiredDocument.objects.filter(case__page_id__in=ids).order_by(*by_order),
        "case_id",
        _own_columns(RequiredDocument),
        "form_template_id",
        "form_template__code",
    )
    rows = (
        ProcedurePage.objects.filter(pk__in=ids)
        .order_by("path")
        .values(
            "pk",
            "path",
            *PAGE_FIELDS,
            *(field.attname for field in own),
        )
    )
    for row in rows:
        pk = row["pk"]
        record = {
            "id": pk,
            "department": departments.get(row["path"][: -Page.steplen], ""),
            "page": _values(row, page_columns),
            "values": _values(row, own),
            "draft_pending": bool(row["live"] and row["has_unpublished_changes"]),
        }
        for name in M2M_LISTS:
            record[name] = lists[name].get(pk, [])
        record["legal_basis"] = legal.get(pk, [])
        record["steps"] = [values for _row, values in steps.get(pk, [])]
        record["execution_methods"] = [
            {
                **values,
                "fees": [fee for _fee_row, fee in fees.get(method["pk"], [])],
            }
            for method, values in methods.get(pk, [])
        ]
        record["dossier_cases"] = [
            {
                **values,
                "documents": [
                    {
                        **document,
                        "form_template": document_row["form_template__code"]
                        if document_row["form_template_id"]
                        and (forms is None or document_row["form_template_id"] in forms)
                        else None,
                    }
                    for document_row, document in documents.get(case["pk"], [])
                ],
            }
            for case, values in cases.get(pk, [])
        ]
        yield record


def public_forms():
    """Form templates whose file (if any) sits outside a collection with a view restriction."""
    from wagtail.models import Collection, CollectionViewRestriction

    restricted = Q(pk__in=[])
    for path in CollectionViewRestriction.objects.values_list(
        "collection__path", flat=True
    ):
        restricted |= Q(path__startswith=path)
    return FormTemplate.objects.exclude(
        document__collection__in=Collection.objects.filter(restricted)
    )


def backed_up_documents(*, public: bool = False):
    """Form files, and every document filed in a department's collection; in the public
    archive only the files of its forms."""
    Document = get_document_model()
    if public:
        return Document.objects.filter(
            pk__in=public_forms().exclude(document=None).values("document_id")
        ).select_related("collection")
    collections = DepartmentPage.objects.exclude(collection=None).values(
        "collection_id"
    )
    return Document.objects.filter(
        Q(pk__in=FormTemplate.objects.exclude(document=None).values("document_id"))
        | Q(collection_id__in=collections)
    ).select_related("collection")


def document_member(document) -> str:
    return f"{FILES_PREFIX}{document.pk}/{os.path.basename(document.file.name)}"


def write_documents(
    writer: ArchiveWriter, progress: Progress, *, public: bool = False
) -> int:
    by_collection = dict(
        DepartmentPage.objects.exclude(collection=None).values_list(
            "collection_id", "code"
        )
    )
    records = []
    documents = list(backed_up_documents(public=public).order_by("pk"))
    for number, document in enumerate(documents, start=1):
        member = document_member(document)
        with document.file.open("rb") as handle:
            sha256 = writer.add_file(member, handle)
        records.append(
            {
                "id": document.pk,
                "title": document.title,
                "file_name": document.file.name,
                "member": member,
                "sha256": sha256,
                "department": by_collection.get(document.collection_id),
                "collection": document.collection.name,
                "created_at": document.created_at,
            }
        )
        if number % 100 == 0 or number == len(documents):
            progress(f"  tệp: {number}/{len(documents)}")
    writer.add_jsonl("documents.jsonl", records)
    return len(records)


def write_backup(
    path: Path,
    *,
    progress: Progress = lambda message: None,
    public: bool = False,
    compresslevel: int | None = None,
) -> dict:
    """Write the whole catalog to `path` (a zip); returns the manifest.

    `public` writes the open-data copy: only what the public API serves (published procedures,
    forms a citizen may download and their files), so that restoring it gives the same API.
    """
    from django.apps import apps

    started = time.monotonic()
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    writer = ArchiveWriter(tmp, compresslevel=compresslevel)
    counts: dict[str, int] = {}
    try:
        # One consistent view of the catalog, also on PostgreSQL under concurrent edits.
        outermost = not transaction.get_connection().in_atomic_block
        with transaction.atomic():
            if outermost:
                _repeatable_read()
            for member, label in LIST_MEMBERS.items():
                model = apps.get_model(label)
                counts[member] = writer.add_jsonl(
                    member, serialized(model.objects.all())
                )
                progress(f"  {model._meta.verbose_name_plural}: {counts[member]}")
            counts["department_index.jsonl"] = writer.add_jsonl(
                "department_index.jsonl", department_index_records()
            )
            counts["departments.jsonl"] = writer.add_jsonl(
                "departments.jsonl", department_records()
            )
            progress(f"  cơ quan, đơn vị: {counts['departments.jsonl']}")
            counts["documents.jsonl"] = write_documents(writer, progress, public=public)
            forms = public_forms() if public else FormTemplate.objects.all()
            counts["form_templates.jsonl"] = writer.add_jsonl(
                "form_templates.jsonl", serialized(forms)
            )
            progress(f"  mẫu đơn, tờ khai: {counts['form_templates.jsonl']}")
            counts["procedures.jsonl"] = writer.add_jsonl(
                "procedures.jsonl",
                procedure_records(
                    progress,
                    public=public,
                    forms=set(forms.values_list("pk", flat=True)) if public else None,
                ),
            )
            counts["events.jsonl"] = writer.add_jsonl(
                "events.jsonl", serialized(CatalogEvent.objects.all())
            )
            progress(f"  sự kiện danh mục: {counts['events.jsonl']}")
            live = (
                public_procedures() if public else ProcedurePage.objects.live()
            ).count()
            drafts = ProcedurePage.objects.filter(
                live=True, has_unpublished_changes=True
            ).count()
        manifest = writer.close(
            manifest={
                "created_at": timezone.now().isoformat(),
                "source": {
                    "host": socket.gethostname(),
                    "base_url": getattr(settings, "WAGTAILADMIN_BASE_URL", ""),
                    "database": transaction.get_connection().vendor,
                },
                "scope": "public" if public else "full",
                "counts": counts,
                "procedures": {
                    "total": counts["procedures.jsonl"],
                    "live": live,
                    "live_with_unpublished_draft": drafts,
                },
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    except BaseException:
        writer.abort()
        raise
    tmp.replace(path)
    return manifest


def _repeatable_read() -> None:
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")

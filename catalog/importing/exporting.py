"""Export procedures to xlsx, csv and json in the import template's shape, escaping formula cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import translation

from wagtail.models import Page

import orjson
from import_export import fields, resources, widgets
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from catalog.importing import template
from catalog.importing.text import escape_formula
from catalog.models import DepartmentPage, LegalDocument, ProcedurePage
from catalog.selectors import procedures_with_parts
from catalog.services.procedures import procedure_snapshot

CHUNK = 500
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


class SafeCellWidget(widgets.Widget):
    """Keeps numbers as numbers and neutralises text a spreadsheet would run as a formula."""

    def render(self, value: Any, obj=None, **kwargs) -> Any:
        if value is None:
            return ""
        if isinstance(value, str):
            return escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
        return value


def resource_for(sheet: template.Sheet) -> type[resources.Resource]:
    """A django-import-export resource whose columns are one sheet of the template."""
    attrs = {
        column.key: fields.Field(
            attribute=column.key, column_name=column.label, widget=SafeCellWidget()
        )
        for column in sheet.columns
    }

    class Meta:
        fields = tuple(column.key for column in sheet.columns)
        export_order = fields

    attrs["Meta"] = Meta
    return type(f"{sheet.name.title()}Resource", (resources.Resource,), attrs)


SHEET_RESOURCES = {sheet.name: resource_for(sheet) for sheet in template.SHEETS}


def iter_snapshots(queryset: QuerySet) -> Iterable[tuple[dict[str, Any], str]]:
    """(snapshot, department code) per procedure, in chunks so memory stays flat."""
    departments = {
        page.path: page.code for page in DepartmentPage.objects.only("path", "code")
    }
    legal = {}
    ids = list(queryset.order_by("path").values_list("pk", flat=True))
    for start in range(0, len(ids), CHUNK):
        chunk = procedures_with_parts(
            ProcedurePage.objects.filter(pk__in=ids[start : start + CHUNK])
        ).order_by("path")
        for page in chunk:
            snapshot = procedure_snapshot(page)
            documents = []
            for document in page.legal_basis.all():
                if document.pk not in legal:
                    legal[document.pk] = _legal_row(document)
                documents.append(legal[document.pk])
            snapshot["legal_documents"] = sorted(documents, key=lambda d: d["number"])
            yield snapshot, departments.get(page.path[: -Page.steplen], "")


def _legal_row(document: LegalDocument) -> dict[str, Any]:
    return {
        "number": document.number,
        "title": document.title,
        "issuer": document.issuer,
        "issued_on": document.issued_on.strftime("%d/%m/%Y")
        if document.issued_on
        else "",
        "effective_on": document.effective_on.strftime("%d/%m/%Y")
        if document.effective_on
        else "",
        "url": document.url,
    }


def _sheet_rows(snapshots: Iterable[tuple[dict[str, Any], str]]):
    rows: dict[str, list[dict[str, Any]]] = {
        sheet.name: [] for sheet in template.SHEETS
    }
    for snapshot, department_code in snapshots:
        for name, sheet_rows in template.rows_for(
            snapshot, department_code=department_code
        ).items():
            rows[name].extend(sheet_rows)
    return {name: SHEET_RESOURCES[name]().export(rows[name]) for name in rows}


def sheet_datasets(queryset: QuerySet | None) -> dict[str, Any]:
    """tablib Datasets per sheet, from the resources; an empty template when queryset is None."""
    return _sheet_rows(iter_snapshots(queryset) if queryset is not None else [])


def iter_sheet_chunks(queryset: QuerySet | None) -> Iterable[dict[str, Any]]:
    """The same Datasets, CHUNK procedures at a time, so a big export keeps memory flat."""
    if queryset is None:
        yield _sheet_rows([])
        return
    chunk: list[tuple[dict[str, Any], str]] = []
    for item in iter_snapshots(queryset):
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield _sheet_rows(chunk)
            chunk = []
    if chunk:
        yield _sheet_rows(chunk)


def write_xlsx(queryset: QuerySet | None, target: Any) -> None:
    """Write the template workbook to `target` (a path or a binary file), streaming the rows."""
    workbook = Workbook(write_only=True)
    worksheets = {}
    for sheet in template.SHEETS:
        worksheets[sheet.name] = workbook.create_sheet(sheet.title)
        worksheets[sheet.name].append(sheet.labels)
    for datasets in iter_sheet_chunks(queryset):
        for name, dataset in datasets.items():
            worksheet = worksheets[name]
            for row in dataset:
                worksheet.append(list(row))
    notes = workbook.create_sheet(template.INSTRUCTIONS_TITLE)
    notes.append(["Trang tính", "Cột", "Hướng dẫn"])
    for sheet in template.SHEETS:
        for column in sheet.columns:
            notes.append([sheet.title, column.label, escape_formula(column.help)])
    workbook.save(target)


def export_xlsx(queryset: QuerySet | None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(queryset, buffer)
    return buffer.getvalue()


def export_csv(queryset: QuerySet | None) -> bytes:
    datasets = sheet_datasets(queryset)
    labels = template.csv_labels()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(labels)
    for sheet in template.SHEETS:
        dataset = datasets[sheet.name]
        positions = [labels.index(header) for header in dataset.headers]
        for row in dataset:
            line = [""] * len(labels)
            line[0] = sheet.title
            for position, value in zip(positions, row, strict=True):
                line[position] = value
            writer.writerow(line)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def export_json(queryset: QuerySet) -> bytes:
    """Machine-readable: every part as structured data (no spreadsheet cells, so no formula escaping)."""
    items = []
    for snapshot, department_code in iter_snapshots(queryset):
        snapshot["department"] = department_code
        items.append(snapshot)
    return orjson.dumps(
        {"meta": {"count": len(items)}, "items": items},
        option=orjson.OPT_INDENT_2,
        default=str,
    )


def export(queryset: QuerySet | None, file_format: str) -> bytes:
    """The file in Vietnamese whatever the reader's language: its headers and the import are
    Vietnamese, and two staff exporting the same listing got different values (an independent
    check: «Specific procedure», «working days» with an English browser)."""
    with translation.override("vi"):
        return _export(queryset, file_format)


def _export(queryset: QuerySet | None, file_format: str) -> bytes:
    if file_format == "xlsx":
        return export_xlsx(queryset)
    if file_format == "csv":
        return export_csv(queryset)
    if file_format == "json":
        return export_json(
            queryset if queryset is not None else ProcedurePage.objects.none()
        )
    raise ValueError(f"unknown export format {file_format!r}")

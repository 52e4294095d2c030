"""The catalog as CSV tables, one row per procedure, step, method, fee, case, document, legal
basis link, and per entry of the shared lists; built from the API's procedure JSON, so the CSV
says exactly what the JSON Lines file says.

Procedures link to their parts by `procedure_code`; a part's position (1-based) orders it and
names it together with the code (`method_no`, `case_no`). List cells hold codes separated by
"; ". Text is escaped for spreadsheets as the import template's exporter does.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from catalog.importing.text import escape_formula

LIST_SEPARATOR = "; "

# table name -> columns, in file order. Shared lists come from the API's list shapes.
PROCEDURE_TABLES: dict[str, tuple[str, ...]] = {
    "procedures": (
        "code",
        "national_code",
        "local_code",
        "title",
        "url",
        "procedure_type",
        "status",
        "decision_number",
        "decision_date",
        "decision_authority",
        "effective_date",
        "summary",
        "department_code",
        "department_title",
        "implementing_agencies",
        "competent_authority",
        "coordinating_agencies",
        "receiving_address",
        "levels",
        "subject_types",
        "fields",
        "life_events",
        "online_level",
        "online_url",
        "conditions",
        "results",
        "result_note",
        "keywords",
        "first_published_at",
        "last_published_at",
    ),
    "steps": ("procedure_code", "step_no", "title", "description"),
    "methods": (
        "procedure_code",
        "method_no",
        "channel",
        "processing_time_value",
        "processing_time_unit",
        "processing_time_text",
        "processing_time_display",
        "description",
    ),
    "fees": (
        "procedure_code",
        "method_no",
        "fee_no",
        "kind",
        "amount",
        "currency",
        "description",
    ),
    "cases": ("procedure_code", "case_no", "name", "description"),
    "documents": (
        "procedure_code",
        "case_no",
        "document_no",
        "name",
        "originals",
        "copies",
        "is_required",
        "note",
        "form_code",
        "form_download_url",
        "form_sha256",
    ),
    "legal_basis": ("procedure_code", "number", "title"),
}
LIST_TABLES: dict[str, tuple[str, ...]] = {
    "departments": (
        "code",
        "title",
        "kind",
        "parent_code",
        "description",
        "address",
        "phone",
        "email",
        "website",
        "opening_hours",
        "url",
        "procedure_count",
    ),
    "fields": ("code", "name"),
    "levels": ("code", "name", "sort_order"),
    "subject_types": ("code", "name"),
    "life_events": ("code", "name", "description"),
    "results": ("code", "name"),
    "legal_documents": (
        "number",
        "title",
        "issuer",
        "issued_on",
        "effective_on",
        "url",
    ),
    "forms": (
        "code",
        "name",
        "version",
        "effective_on",
        "department_code",
        "download_url",
        "file_extension",
        "size",
        "sha256",
    ),
}


def cell(value: Any) -> Any:
    """Numbers stay numbers, None is empty, booleans are 1/0, text is formula-escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return escape_formula(value)
    return value


def codes(entries: list[dict]) -> str:
    return LIST_SEPARATOR.join(entry["code"] for entry in entries)


def procedure_rows(procedure: dict) -> dict[str, list[dict[str, Any]]]:
    """One procedure's API JSON as rows of each procedure table."""
    code = procedure["code"]
    department = procedure.get("department") or {}
    row = {
        name: procedure.get(name)
        for name in PROCEDURE_TABLES["procedures"]
        if name in procedure
    }
    row.update(
        department_code=department.get("code"),
        department_title=department.get("title"),
        levels=codes(procedure["levels"]),
        subject_types=codes(procedure["subject_types"]),
        fields=codes(procedure["fields"]),
        life_events=codes(procedure["life_events"]),
        results=codes(procedure["results"]),
        keywords=LIST_SEPARATOR.join(procedure["keywords"]),
    )
    rows: dict[str, list[dict[str, Any]]] = {"procedures": [row]}
    rows["steps"] = [
        {"procedure_code": code, "step_no": number, **step}
        for number, step in enumerate(procedure["steps"], start=1)
    ]
    rows["methods"], rows["fees"] = [], []
    for method_no, method in enumerate(procedure["execution_methods"], start=1):
        time = method["processing_time"]
        rows["methods"].append(
            {
                "procedure_code": code,
                "method_no": method_no,
                "channel": method["channel"],
                "processing_time_value": time["value"],
                "processing_time_unit": time["unit"],
                "processing_time_text": time["text"],
                "processing_time_display": time["display"],
                "description": method["description"],
            }
        )
        rows["fees"] += [
            {"procedure_code": code, "method_no": method_no, "fee_no": fee_no, **fee}
            for fee_no, fee in enumerate(method["fees"], start=1)
        ]
    rows["cases"], rows["documents"] = [], []
    for case_no, case in enumerate(procedure["dossier_cases"], start=1):
        rows["cases"].append(
            {
                "procedure_code": code,
                "case_no": case_no,
                "name": case["name"],
                "description": case["description"],
            }
        )
        for document_no, document in enumerate(case["documents"], start=1):
            form = document["form"] or {}
            rows["documents"].append(
                {
                    "procedure_code": code,
                    "case_no": case_no,
                    "document_no": document_no,
                    "name": document["name"],
                    "originals": document["originals"],
                    "copies": document["copies"],
                    "is_required": document["is_required"],
                    "note": document["note"],
                    "form_code": form.get("code"),
                    "form_download_url": form.get("download_url"),
                    "form_sha256": form.get("sha256"),
                }
            )
    rows["legal_basis"] = [
        {"procedure_code": code, "number": entry["number"], "title": entry["title"]}
        for entry in procedure["legal_basis"]
    ]
    return rows


class CsvTable:
    """One CSV file: UTF-8 with a BOM (Excel reads Vietnamese right), a header, counted rows."""

    def __init__(self, handle, columns: tuple[str, ...]):
        self.handle = handle
        self.columns = columns
        self.rows = 0
        handle.write("\ufeff")
        self.writer = csv.writer(handle, lineterminator="\r\n")
        self.writer.writerow(columns)

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        for row in rows:
            self.writer.writerow([cell(row.get(name)) for name in self.columns])
            self.rows += 1

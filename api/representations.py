"""Plain-dict representations of catalog objects: built by hand, since DRF serializers cost
several times more per row; api/schema.py describes exactly these shapes for OpenAPI."""

import datetime
import re
from decimal import Decimal

from wagtail.rich_text import expand_db_html

from catalog.models import ProcedurePage

_BLOCK_KEY = re.compile(r'\s+data-block-key="[^"]*"')
_SITE_HREF = re.compile(r'href="(/(?!/)[^"]*)"')


def client_html(value: str, absolute) -> str:
    """Rich text as a client can use it: the editor's links to pages and documents as the
    URLs they have (absolute), without Draftail's block keys. Stored rich text says
    `<a linktype="page" id="12">`, which means nothing outside this database."""
    if not value:
        return value
    html = _BLOCK_KEY.sub("", expand_db_html(value))
    return _SITE_HREF.sub(lambda match: f'href="{absolute(match.group(1))}"', html)


# Top-level keys of a procedure, in output order; `id` and `code` always come back.
PROCEDURE_FIELDS = (
    "id",
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
    "department",
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
    "steps",
    "execution_methods",
    "dossier_cases",
    "results",
    "result_note",
    "legal_basis",
    "keywords",
    "first_published_at",
    "last_published_at",
    "change_history",
)
ALWAYS = ("id", "code")
# Which prefetched relation each top-level key needs.
FIELD_PARTS = {
    "levels": "levels",
    "subject_types": "subject_types",
    "fields": "fields",
    "life_events": "life_events",
    "steps": "steps",
    "execution_methods": "execution_methods",
    "dossier_cases": "dossier_cases",
    "results": "results",
    "legal_basis": "legal_basis",
}


def iso(value) -> str | None:
    """A date as YYYY-MM-DD; a time in UTC with six fractional digits, always.

    `isoformat()` drops the fraction when it is zero (a time stored to the second), so one
    client saw two shapes for the same field."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")
    return value.isoformat()


def number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def in_order(related) -> list:
    """Orderable children by sort_order, then id: equal or missing sort orders stay deterministic."""
    return sorted(
        related.all(),
        key=lambda child: (
            child.sort_order is None,
            child.sort_order or 0,
            child.pk or 0,
        ),
    )


def coded(entry) -> dict:
    return {"code": entry.code, "name": entry.name}


def department_ref(department) -> dict | None:
    if department is None:
        return None
    return {"code": department.code, "title": department.title}


def legal_document(document) -> dict:
    return {
        "number": document.number,
        "title": document.title,
        "issuer": document.issuer,
        "issued_on": iso(document.issued_on),
        "effective_on": iso(document.effective_on),
        "url": document.url,
    }


def form_file(form, absolute) -> dict:
    """What a client needs to fetch and verify a form's file; `absolute` makes a URL absolute."""
    document = form.document
    return {
        "code": form.code,
        "name": form.name,
        "version": form.version,
        "effective_on": iso(form.effective_on),
        "download_url": absolute(document.url) if document else None,
        "file_extension": document.file_extension.lower() if document else None,
        "size": form.size if document else None,
        "sha256": form.sha256 if document and form.sha256 else None,
    }


def form_template(form, request) -> dict:
    data = form_file(form, request.build_absolute_uri)
    data["department"] = department_ref(form.department)
    data["updated_at"] = iso(form.updated_at)
    return data


class ProcedureRenderer:
    """Turns prefetched pages into dicts; holds the per-request lookups (departments, history)."""

    def __init__(
        self,
        *,
        request,
        departments: dict,
        histories: dict,
        fields=None,
        absolute=None,
        restricted_collections=frozenset(),
    ):
        self.request = request
        self.restricted_collections = restricted_collections
        self.absolute = absolute or request.build_absolute_uri
        self.departments = departments
        self.histories = histories
        self.fields = tuple(
            name
            for name in PROCEDURE_FIELDS
            if fields is None or name in fields or name in ALWAYS
        )

    def render(self, page: ProcedurePage) -> dict:
        return {name: getattr(self, f"_{name}")(page) for name in self.fields}

    # one method per key ------------------------------------------------------------
    def _id(self, page):
        return page.pk

    def _code(self, page):
        return page.local_code or page.national_code

    def _national_code(self, page):
        return page.national_code

    def _local_code(self, page):
        return page.local_code or None

    def _title(self, page):
        # the official name whole: a name beyond Wagtail's 255 characters is not clipped
        return page.official_name

    def _url(self, page):
        return page.get_full_url(request=self.request)

    def _procedure_type(self, page):
        return page.procedure_type

    def _status(self, page):
        return page.status

    def _decision_number(self, page):
        return page.decision_number

    def _decision_date(self, page):
        return iso(page.decision_date)

    def _decision_authority(self, page):
        return page.decision_authority

    def _effective_date(self, page):
        return iso(page.effective_date)

    def _summary(self, page):
        return page.summary

    def _department(self, page):
        return department_ref(self.departments.get(page.pk))

    def _implementing_agencies(self, page):
        return page.implementing_agencies

    def _competent_authority(self, page):
        return page.competent_authority

    def _coordinating_agencies(self, page):
        return page.coordinating_agencies

    def _receiving_address(self, page):
        return page.receiving_address

    def _levels(self, page):
        return [coded(entry) for entry in page.levels.all()]

    def _subject_types(self, page):
        return [coded(entry) for entry in page.subject_types.all()]

    def _fields(self, page):
        return [coded(entry) for entry in page.fields.all()]

    def _life_events(self, page):
        return [coded(entry) for entry in page.life_events.all()]

    def _online_level(self, page):
        return page.online_level

    def _online_url(self, page):
        return page.online_url or None

    def _conditions(self, page):
        return client_html(page.conditions, self.absolute)

    def _steps(self, page):
        return [
            {
                "title": step.title,
                "description": client_html(step.description, self.absolute),
            }
            for step in in_order(page.steps)
        ]

    def _execution_methods(self, page):
        return [
            {
                "channel": method.channel,
                "processing_time": {
                    "value": number(method.processing_time_value),
                    "unit": method.processing_time_unit or None,
                    "text": method.processing_time_text,
                    "display": method.processing_time_display,
                },
                "description": method.description,
                "fees": [
                    {
                        "kind": fee.kind,
                        "amount": fee.amount,
                        "currency": fee.currency,
                        "description": fee.description,
                    }
                    for fee in in_order(method.fees)
                ],
            }
            for method in in_order(page.execution_methods)
        ]

    def _dossier_cases(self, page):
        return [
            {
                "name": case.name,
                "description": case.description,
                "documents": [
                    {
                        "name": document.name,
                        "originals": document.originals,
                        "copies": document.copies,
                        "is_required": document.is_required,
                        "note": document.note,
                        "form": form_file(document.form_template, self.absolute)
                        if self.downloadable(document.form_template)
                        else None,
                    }
                    for document in in_order(case.documents)
                ],
            }
            for case in in_order(page.dossier_cases)
        ]

    def _results(self, page):
        return [coded(entry) for entry in page.results.all()]

    def _result_note(self, page):
        return page.result_note

    def _legal_basis(self, page):
        return [legal_document(document) for document in page.legal_basis.all()]

    def _keywords(self, page):
        return [word.strip() for word in page.keywords.split(",") if word.strip()]

    def _first_published_at(self, page):
        return iso(page.first_published_at)

    def _last_published_at(self, page):
        return iso(page.last_published_at)

    def _change_history(self, page):
        return [
            {
                "sequence": event.pk,
                "action": event.action,
                "change_note": event.change_note,
                "occurred_at": iso(event.occurred_at),
            }
            for event in self.histories.get(page.pk, [])
        ]

    def downloadable(self, form) -> bool:
        """A form whose file sits in a restricted collection is not offered to the public."""
        if form is None:
            return False
        return (
            form.document is None
            or form.document.collection_id not in self.restricted_collections
        )

    def parts_needed(self) -> set[str]:
        return {FIELD_PARTS[name] for name in self.fields if name in FIELD_PARTS}


def department_dict(department, *, counts: dict, request) -> dict:
    parent = department.parent_department
    return {
        "code": department.code,
        "title": department.title,
        "kind": department.kind,
        "parent": department_ref(parent)
        if parent is not None and parent.live
        else None,
        "description": department.description,
        "address": department.address,
        "phone": department.phone,
        "email": department.email,
        "website": department.website,
        "opening_hours": department.opening_hours,
        "url": department.get_full_url(request=request),
        "procedure_count": counts.get(department.path, 0),
    }

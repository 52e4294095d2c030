"""OpenAPI description of exactly what api/representations.py returns (drf-spectacular).

The serializers here are never used to serialize: they only name the shapes, parameters and
responses, so the schema stays exact while the views build plain dicts quickly.
"""

from rest_framework import serializers

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema_field,
    inline_serializer,
)

from api.params import MAX_CURSOR_LENGTH, MAX_PAGE_SIZE, MAX_VALUES
from api.representations import PROCEDURE_FIELDS
from catalog.models import (
    Channel,
    Currency,
    DepartmentKind,
    EventAction,
    FeeKind,
    OnlineLevel,
    ProcedureStatus,
    ProcedureType,
    TimeUnit,
)

CODE = r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}"


def list_pattern(item: str) -> str:
    return rf"^{item}(,{item}){{0,{MAX_VALUES - 1}}}$"


def enum_list_pattern(values) -> str:
    return list_pattern("(" + "|".join(values) + ")")


# --- shapes -------------------------------------------------------------------------------------


# Every time the API writes (api.representations.iso): UTC, six fractional digits always.
TIMESTAMP_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$"


@extend_schema_field(
    {
        "type": "string",
        "format": "date-time",
        "pattern": TIMESTAMP_PATTERN,
        "example": "2026-11-25T09:12:03.418000+00:00",
    }
)
class Timestamp(serializers.DateTimeField):
    """A time as the API writes it: in UTC, with microseconds even when they are zero."""


class ErrorSerializer(serializers.Serializer):
    message = serializers.CharField()


class CodedEntrySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class LevelSerializer(CodedEntrySerializer):
    sort_order = serializers.IntegerField(min_value=0)


class LifeEventSerializer(CodedEntrySerializer):
    description = serializers.CharField(allow_blank=True)


class DepartmentRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class DepartmentSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=DepartmentKind.choices)
    parent = DepartmentRefSerializer(allow_null=True)
    description = serializers.CharField(allow_blank=True)
    address = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)
    email = serializers.CharField(allow_blank=True)
    website = serializers.CharField(allow_blank=True)
    opening_hours = serializers.CharField(allow_blank=True)
    url = serializers.URLField(
        allow_null=True, help_text="Public page of the department."
    )
    procedure_count = serializers.IntegerField(min_value=0)


class LegalDocumentSerializer(serializers.Serializer):
    number = serializers.CharField()
    title = serializers.CharField()
    issuer = serializers.CharField(allow_blank=True)
    issued_on = serializers.DateField(allow_null=True)
    effective_on = serializers.DateField(allow_null=True)
    url = serializers.CharField(allow_blank=True)


class FormFileSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    version = serializers.CharField(allow_blank=True)
    effective_on = serializers.DateField(allow_null=True)
    download_url = serializers.URLField(allow_null=True)
    file_extension = serializers.CharField(allow_null=True, allow_blank=True)
    size = serializers.IntegerField(allow_null=True, min_value=0, help_text="Bytes.")
    sha256 = serializers.RegexField(r"^[0-9a-f]{64}$", allow_null=True)


class FormTemplateSerializer(FormFileSerializer):
    department = DepartmentRefSerializer()
    updated_at = Timestamp()


class ProcessingTimeSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    unit = serializers.ChoiceField(choices=TimeUnit.choices, allow_null=True)
    text = serializers.CharField(allow_blank=True)
    display = serializers.CharField(
        allow_blank=True, help_text="Vietnamese, for display."
    )


class FeeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=FeeKind.choices)
    amount = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Whole units of `currency` (VND: đồng); 0: free; null: not fixed, set "
            "elsewhere as `description` says (a council's resolution, a schedule of "
            "rates, a percentage): not free, never read it as 0."
        ),
    )
    currency = serializers.ChoiceField(
        choices=Currency.choices, help_text="ISO 4217 code of `amount`."
    )
    description = serializers.CharField(allow_blank=True)


class ExecutionMethodSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    processing_time = ProcessingTimeSerializer()
    description = serializers.CharField(allow_blank=True)
    fees = FeeSerializer(many=True)


class RequiredDocumentSerializer(serializers.Serializer):
    name = serializers.CharField()
    originals = serializers.IntegerField(min_value=0)
    copies = serializers.IntegerField(min_value=0)
    is_required = serializers.BooleanField()
    note = serializers.CharField(allow_blank=True)
    form = FormFileSerializer(allow_null=True)


class DossierCaseSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    documents = RequiredDocumentSerializer(many=True)


class StepSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    description = serializers.CharField(
        allow_blank=True, help_text="HTML; links are absolute URLs."
    )


class HistoryEntrySerializer(serializers.Serializer):
    sequence = serializers.IntegerField()
    action = serializers.ChoiceField(
        choices=[EventAction.PUBLISHED.value, EventAction.UPDATED.value]
    )
    change_note = serializers.CharField(allow_blank=True)
    occurred_at = Timestamp()


def _procedure_fields() -> dict:
    return {
        "id": serializers.IntegerField(help_text="Stable identifier; never reused."),
        "code": serializers.CharField(
            help_text="local_code when set, else national_code."
        ),
        "national_code": serializers.CharField(),
        "local_code": serializers.CharField(allow_null=True),
        "title": serializers.CharField(
            max_length=2000,
            help_text="The official name, whole: up to 2,000 characters (not clipped to 255).",
        ),
        "url": serializers.URLField(allow_null=True, help_text="Public page."),
        "procedure_type": serializers.ChoiceField(choices=ProcedureType.choices),
        "status": serializers.ChoiceField(choices=ProcedureStatus.choices),
        "decision_number": serializers.CharField(allow_blank=True),
        "decision_date": serializers.DateField(allow_null=True),
        "decision_authority": serializers.CharField(
            allow_blank=True,
            help_text="Who published the decision announcing the procedure: a ministry, or a "
            "province's people's committee for a SPECIFIC procedure.",
        ),
        "effective_date": serializers.DateField(allow_null=True),
        "summary": serializers.CharField(allow_blank=True),
        "department": DepartmentRefSerializer(),
        "implementing_agencies": serializers.CharField(allow_blank=True),
        "competent_authority": serializers.CharField(allow_blank=True),
        "coordinating_agencies": serializers.CharField(allow_blank=True),
        "receiving_address": serializers.CharField(allow_blank=True),
        "levels": CodedEntrySerializer(many=True),
        "subject_types": CodedEntrySerializer(many=True),
        "fields": CodedEntrySerializer(many=True),
        "life_events": CodedEntrySerializer(many=True),
        "online_level": serializers.ChoiceField(choices=OnlineLevel.choices),
        "online_url": serializers.URLField(allow_null=True),
        "conditions": serializers.CharField(
            allow_blank=True, help_text="HTML; links are absolute URLs."
        ),
        "steps": StepSerializer(many=True),
        "execution_methods": ExecutionMethodSerializer(many=True),
        "dossier_cases": DossierCaseSerializer(many=True),
        "results": CodedEntrySerializer(many=True),
        "result_note": serializers.CharField(allow_blank=True),
        "legal_basis": LegalDocumentSerializer(many=True),
        "keywords": serializers.ListField(child=serializers.CharField()),
        "first_published_at": Timestamp(allow_null=True),
        "last_published_at": Timestamp(allow_null=True),
        "change_history": HistoryEntrySerializer(
            many=True, help_text="Public change notes, newest first, at most 20."
        ),
    }


ProcedureSerializer = type(
    "ProcedureSerializer", (serializers.Serializer,), _procedure_fields()
)


def _optional_fields() -> dict:
    """The same fields, optional but for id and code.

    Set in the stored arguments too: serializers deep-copy declared fields from those, so
    `field.required = False` alone is lost and the schema would still list them as required.
    """
    fields = _procedure_fields()
    for name, field in fields.items():
        if name not in ("id", "code"):
            field.required = False
            field._kwargs["required"] = False
    return fields


ProcedureListItemSerializer = type(
    "ProcedureListItemSerializer",
    (serializers.Serializer,),
    {
        **_optional_fields(),
        "__doc__": "A procedure; with `fields=` only the keys asked for (and id, code).",
    },
)
assert tuple(_procedure_fields()) == PROCEDURE_FIELDS


class ChangeEntrySerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="Position in the feed.")
    id = serializers.IntegerField(help_text="The procedure's id; key your copy on it.")
    code = serializers.CharField()
    action = serializers.ChoiceField(choices=EventAction.choices)
    occurred_at = Timestamp()
    change_note = serializers.CharField(allow_blank=True)
    department = serializers.CharField(allow_null=True)
    procedure = ProcedureSerializer(
        allow_null=True,
        help_text="Current published content; null for a tombstone (unpublished, deleted).",
    )


class CursorMetaSerializer(serializers.Serializer):
    page_size = serializers.IntegerField()
    next_cursor = serializers.CharField(allow_null=True)
    next = serializers.URLField(allow_null=True)


class ProcedureMetaSerializer(CursorMetaSerializer):
    ordering = serializers.CharField()


class ChangeMetaSerializer(serializers.Serializer):
    page_size = serializers.IntegerField()
    has_more = serializers.BooleanField()
    next_cursor = serializers.CharField(
        help_text="Store it; pass it on your next call."
    )
    next = serializers.URLField()


class CountMetaSerializer(serializers.Serializer):
    count = serializers.IntegerField()


def envelope(name: str, meta, item) -> serializers.Serializer:
    return inline_serializer(
        name=name, fields={"meta": meta(), "items": item(many=True)}
    )


# --- parameters and responses ---------------------------------------------------------------

CONDITIONAL_HEADERS = [
    OpenApiParameter(
        "If-None-Match",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An ETag from an earlier response: 304 when unchanged.",
    ),
    OpenApiParameter(
        "If-Modified-Since",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="An HTTP date; ignored when If-None-Match is given.",
    ),
]
RESPONSE_HEADERS = [
    OpenApiParameter(
        "ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304]
    ),
    OpenApiParameter(
        "Last-Modified", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200, 304]
    ),
    OpenApiParameter(
        "Retry-After",
        OpenApiTypes.INT,
        OpenApiParameter.HEADER,
        response=[429],
        description="Seconds to wait.",
    ),
]


def page_size_param(default: int) -> OpenApiParameter:
    return OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": default},
        OpenApiParameter.QUERY,
        description=f"Items per page, 1 to {MAX_PAGE_SIZE}.",
    )


CURSOR = OpenApiParameter(
    "cursor",
    {
        "type": "string",
        "pattern": r"^[A-Za-z0-9_\-]{2,4060}\.[A-Za-z0-9_\-]{27}$",
        "maxLength": MAX_CURSOR_LENGTH,
    },
    OpenApiParameter.QUERY,
    description="`next_cursor` of the previous page, as returned; opaque.",
)


def code_list_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        {"type": "string", "pattern": list_pattern(CODE)},
        OpenApiParameter.QUERY,
        description=f"{description} Comma-separated codes, any of which matches.",
    )


def responses(ok, *, not_found: bool = False) -> dict:
    result = {
        200: ok,
        304: OpenApiResponse(
            description="Not modified (If-None-Match / If-Modified-Since)."
        ),
        400: OpenApiResponse(
            ErrorSerializer, description="Bad or unknown query parameter."
        ),
        401: OpenApiResponse(
            ErrorSerializer, description="Invalid or revoked API key."
        ),
        429: OpenApiResponse(
            ErrorSerializer, description="Over quota; see Retry-After."
        ),
    }
    if not_found:
        result[404] = OpenApiResponse(
            ErrorSerializer, description="No such published item."
        )
    return result


def operation(
    operation_id: str,
    tag: str,
    summary: str,
    ok,
    *,
    parameters=(),
    not_found=False,
    description="",
):
    return {
        "operation_id": operation_id,
        "tags": [tag],
        "summary": summary,
        "description": description,
        "parameters": [*parameters, *CONDITIONAL_HEADERS, *RESPONSE_HEADERS],
        "responses": responses(ok, not_found=not_found),
    }


def code_path(description: str) -> OpenApiParameter:
    return OpenApiParameter(
        "code", OpenApiTypes.STR, OpenApiParameter.PATH, description=description
    )


procedure_list = operation(
    "procedures_list",
    "procedures",
    "Published procedures",
    envelope("ProcedureList", ProcedureMetaSerializer, ProcedureListItemSerializer),
    parameters=[
        code_list_param("department", "Owning department code."),
        code_list_param("field", "Field (lĩnh vực) code."),
        code_list_param("level", "Level code."),
        code_list_param("subject", "Subject type code."),
        code_list_param("life_event", "Life event code."),
        OpenApiParameter(
            "online",
            {"type": "string", "pattern": enum_list_pattern(OnlineLevel.values)},
            OpenApiParameter.QUERY,
            description="Online service level(s), comma-separated.",
        ),
        OpenApiParameter(
            "status",
            {"type": "string", "pattern": enum_list_pattern(ProcedureStatus.values)},
            OpenApiParameter.QUERY,
            description="Status(es), comma-separated.",
        ),
        OpenApiParameter(
            "updated_since",
            {
                "anyOf": [
                    {"type": "string", "format": "date-time"},
                    {"type": "string", "format": "date"},
                ]
            },
            OpenApiParameter.QUERY,
            description="Only procedures last published at or after this moment (ISO 8601).",
        ),
        OpenApiParameter(
            "ordering",
            {
                "type": "string",
                "enum": ["code", "-code", "title", "-title", "updated", "-updated"],
                "default": "code",
            },
            OpenApiParameter.QUERY,
        ),
        CURSOR,
        page_size_param(50),
        OpenApiParameter(
            "fields",
            {
                "type": "string",
                "pattern": "^("
                + "|".join(PROCEDURE_FIELDS)
                + r")(,("
                + "|".join(PROCEDURE_FIELDS)
                + "))*$",
            },
            OpenApiParameter.QUERY,
            description="Only these top-level keys (id and code always come back).",
        ),
    ],
    description="Keyset (cursor) pagination: pages stay consistent while the catalog changes.",
)
# CPSV-AP 3.2 JSON-LD (catalog.opendata.cpsv): the official context, then one graph.
CPSV_JSONLD = {
    "type": "object",
    "required": ["@context", "@graph"],
    "properties": {
        "@context": {"type": "array", "items": {}},
        "@graph": {"type": "array", "items": {"type": "object"}},
    },
}
REPRESENTATION_FORMAT = OpenApiParameter(
    "format",
    {"type": "string", "enum": ["json", "jsonld", "ttl"]},
    OpenApiParameter.QUERY,
    description="Representation, instead of the Accept header: `json` (default), `jsonld` "
    "(CPSV-AP 3.2 JSON-LD, application/ld+json) or `ttl` (Turtle, text/turtle).",
)
procedure_detail = operation(
    "procedures_retrieve",
    "procedures",
    "One published procedure, with every part",
    ProcedureSerializer,
    parameters=[
        code_path("Local (city) code or national code."),
        REPRESENTATION_FORMAT,
    ],
    not_found=True,
    description="JSON by default. `Accept: application/ld+json` (or `?format=jsonld`) answers "
    "the procedure as a CPSV-AP 3.2 public service in JSON-LD, `Accept: text/turtle` (or "
    "`?format=ttl`) in Turtle; each representation has its own ETag (`Vary: Accept`). "
    "Errors are JSON whatever was asked. See docs/open-data.md.",
)
procedure_detail["responses"] = {
    (200, "application/json"): procedure_detail["responses"].pop(200),
    (200, "application/ld+json"): OpenApiResponse(
        CPSV_JSONLD, description="CPSV-AP 3.2 JSON-LD."
    ),
    (200, "text/turtle"): OpenApiResponse(
        OpenApiTypes.STR, description="CPSV-AP 3.2 in Turtle."
    ),
    **procedure_detail["responses"],
    406: OpenApiResponse(
        ErrorSerializer, description="No representation matches `format` or Accept."
    ),
}
department_list = operation(
    "departments_list",
    "departments",
    "Published departments",
    envelope("DepartmentList", CountMetaSerializer, DepartmentSerializer),
)
department_detail = operation(
    "departments_retrieve",
    "departments",
    "One department",
    DepartmentSerializer,
    parameters=[code_path("Department code.")],
    not_found=True,
)
field_list = operation(
    "fields_list",
    "lists",
    "Fields (lĩnh vực)",
    envelope("FieldList", CountMetaSerializer, CodedEntrySerializer),
)
level_list = operation(
    "levels_list",
    "lists",
    "Levels",
    envelope("LevelList", CountMetaSerializer, LevelSerializer),
)
subject_type_list = operation(
    "subject_types_list",
    "lists",
    "Subject types",
    envelope("SubjectTypeList", CountMetaSerializer, CodedEntrySerializer),
)
life_event_list = operation(
    "life_events_list",
    "lists",
    "Life events",
    envelope("LifeEventList", CountMetaSerializer, LifeEventSerializer),
)
legal_document_list = operation(
    "legal_documents_list",
    "lists",
    "Legal documents",
    envelope("LegalDocumentList", CursorMetaSerializer, LegalDocumentSerializer),
    parameters=[CURSOR, page_size_param(100)],
)
form_list = operation(
    "forms_list",
    "forms",
    "Form templates",
    envelope("FormList", CursorMetaSerializer, FormTemplateSerializer),
    parameters=[
        code_list_param("department", "Owning department code."),
        CURSOR,
        page_size_param(100),
    ],
)
form_detail = operation(
    "forms_retrieve",
    "forms",
    "One form template",
    FormTemplateSerializer,
    parameters=[code_path("Form code, e.g. CT01.")],
    not_found=True,
)
change_feed = operation(
    "changes_list",
    "changes",
    "Change feed",
    envelope("ChangeFeed", ChangeMetaSerializer, ChangeEntrySerializer),
    parameters=[CURSOR, page_size_param(100)],
    description=(
        "Each procedure appears once, at its latest sequence number: with its current "
        "published content, or as a tombstone (procedure null). Start without a cursor, "
        "follow next_cursor while has_more is true, store the last next_cursor and poll with it."
    ),
)


# --- open data: the DCAT-AP record and the bulk files ------------------------------------------


def _language_texts(name: str) -> serializers.ListField:
    return serializers.ListField(
        child=inline_serializer(
            name,
            fields={
                "@value": serializers.CharField(),
                "@language": serializers.CharField(),
            },
        )
    )


DistributionSerializer = inline_serializer(
    "DcatDistribution",
    fields={
        "@id": serializers.URLField(help_text="The file's download address."),
        "@type": serializers.CharField(default="dcat:Distribution"),
        "dct:title": _language_texts("DistributionTitle"),
        "dcat:downloadURL": serializers.JSONField(help_text='{"@id": URL}'),
        "dcat:accessURL": serializers.JSONField(help_text='{"@id": URL}'),
        "dcat:mediaType": serializers.JSONField(
            required=False,
            help_text="IANA media type, as {'@id'}; absent for JSON Lines (not registered)",
        ),
        "dct:format": serializers.CharField(
            help_text="JSON Lines, CSV, JSON-LD or ZIP"
        ),
        "dcat:byteSize": serializers.JSONField(
            help_text="bytes, xsd:nonNegativeInteger"
        ),
        "spdx:checksum": serializers.JSONField(
            help_text="spdx:Checksum: algorithm spdx:checksumAlgorithm_sha256, value hex"
        ),
        "dct:modified": serializers.JSONField(help_text="when the file was built"),
        "dct:license": serializers.JSONField(help_text='{"@id": licence URL}'),
    },
)
DatasetCatalogSerializer = inline_serializer(
    "DcatCatalog",
    fields={
        "@context": serializers.JSONField(),
        "@id": serializers.URLField(),
        "@type": serializers.CharField(default="dcat:Catalog"),
        "dct:title": _language_texts("CatalogTitle"),
        "dct:description": _language_texts("CatalogDescription"),
        "dct:publisher": serializers.JSONField(help_text="foaf:Agent: the city"),
        "dct:license": serializers.JSONField(),
        "dct:modified": serializers.JSONField(),
        "foaf:homepage": serializers.JSONField(help_text="the /du-lieu-mo/ page"),
        "dcat:dataset": serializers.ListField(
            child=inline_serializer(
                "DcatDataset",
                fields={
                    "@id": serializers.CharField(),
                    "@type": serializers.CharField(default="dcat:Dataset"),
                    "dct:title": _language_texts("DatasetTitle"),
                    "dct:description": _language_texts("DatasetDescription"),
                    "dcat:distribution": serializers.ListField(
                        child=DistributionSerializer
                    ),
                },
            )
        ),
    },
)
dataset_catalog = operation(
    "datasets_retrieve",
    "open data",
    "DCAT-AP record of the bulk downloads (JSON-LD)",
    DatasetCatalogSerializer,
    description=(
        "Served as application/ld+json. One dcat:Dataset with a dcat:Distribution per file "
        "(download URL, media type, size, sha256, build time, licence). The files are rebuilt "
        "after the catalog changed; Last-Modified is when they were built."
    ),
)
dataset_catalog["responses"] = {
    (status, "application/ld+json") if status == 200 else status: answer
    for status, answer in dataset_catalog["responses"].items()
}
dataset_file = operation(
    "datasets_file_retrieve",
    "open data",
    "One bulk file",
    OpenApiTypes.BINARY,
    parameters=[
        OpenApiParameter(
            "name",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            description="A file name from the DCAT record (e.g. procedures.jsonl, "
            "procedures.csv, catalog-backup.zip) or manifest.json.",
        )
    ],
    not_found=True,
    description=(
        "The file as an attachment. ETag is its sha256 (quoted), so If-None-Match with the "
        "checksum from the DCAT record answers 304 while the file is unchanged."
    ),
)
DATASET_FILE_TYPES = (
    "application/jsonl",
    "application/ld+json",
    "text/csv",
    "application/zip",
    "application/json",
)
dataset_file["responses"] = {
    **{(200, media_type): OpenApiTypes.BINARY for media_type in DATASET_FILE_TYPES},
    **{
        status: answer
        for status, answer in dataset_file["responses"].items()
        if status != 200
    },
}

"""Wagtail's API v2 as the peer: declare api_fields so `fields=*` serves the same parts as our API.

ProcedurePage declares no api_fields, so out of the box `/api/v2/pages/?fields=*` would return
titles only and the comparison would flatter the peer. In the benchmark process only, we give
the page and its inline parts the api_fields a site using Wagtail's API would declare.
"""

from wagtail.api import APIField


def declare_api_fields() -> bool:
    """Returns True when the fields were added here (False when the project already declares them)."""
    from catalog.models import (
        DossierCase,
        ExecutionMethod,
        FeeItem,
        ProcedurePage,
        ProcedureStep,
        RequiredDocument,
    )

    if getattr(ProcedurePage, "api_fields", None):
        return False
    # A field named `fields` collides with the API's own `?fields=` parameter (Wagtail then
    # filters on it and fails), so the shared list is served under another name.
    ProcedurePage.field_codes = property(
        lambda page: [field.code for field in page.fields.all()]
    )
    ProcedurePage.api_fields = [
        APIField(name)
        for name in (
            "national_code",
            "local_code",
            "full_name",
            "procedure_type",
            "status",
            "decision_number",
            "decision_date",
            "effective_date",
            "summary",
            "implementing_agencies",
            "competent_authority",
            "coordinating_agencies",
            "receiving_address",
            "levels",
            "subject_types",
            "field_codes",
            "life_events",
            "online_level",
            "online_url",
            "conditions",
            "results",
            "result_note",
            "legal_basis",
            "keywords",
            "steps",
            "execution_methods",
            "dossier_cases",
        )
    ]
    ProcedureStep.api_fields = [APIField("title"), APIField("description")]
    ExecutionMethod.api_fields = [
        APIField(name)
        for name in (
            "channel",
            "processing_time_value",
            "processing_time_unit",
            "processing_time_text",
            "description",
            "fees",
        )
    ]
    FeeItem.api_fields = [
        APIField(name) for name in ("kind", "amount", "currency", "description")
    ]
    DossierCase.api_fields = [
        APIField("name"),
        APIField("description"),
        APIField("documents"),
    ]
    RequiredDocument.api_fields = [
        APIField(name)
        for name in (
            "name",
            "originals",
            "copies",
            "is_required",
            "note",
            "form_template",
        )
    ]
    return True

"""Writing a generated plan fast: bulk inserts that still make valid Wagtail pages.

Departments go through the real service (collection, role groups, workflow). Procedures are
inserted in batches: wagtailcore_page rows with treebeard paths and url_path, the ProcedurePage
rows, every inline part and shared-list link, one live revision each (Wagtail's own serialized
content), and the catalog events a real publish would have recorded. No signals fire, so search
indexes are built afterwards by whoever needs them.
"""

# ruff: noqa: S608 - SQL built only from table names and %s placeholders, never from input
from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils.text import slugify

from modelcluster.models import get_serializable_data_for_fields
from wagtail.models import Locale, Page, Revision

from anyascii import anyascii

from catalog.models import (
    CatalogEvent,
    DepartmentPage,
    DossierCase,
    EventAction,
    ExecutionMethod,
    FeeItem,
    Field,
    FormTemplate,
    LegalDocument,
    Level,
    LifeEvent,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
    Result,
    SubjectType,
)
from catalog.services.departments import create_department

BATCH = 500
LIST_MODELS = {
    "levels": (Level, "code"),
    "fields": (Field, "code"),
    "subject_types": (SubjectType, "code"),
    "life_events": (LifeEvent, "code"),
    "results": (Result, "code"),
    "legal_documents": (LegalDocument, "number"),
}
M2M = {
    "levels": "levels",
    "subject_types": "subject_types",
    "fields": "fields",
    "life_events": "life_events",
    "results": "results",
    "legal_basis": "legal_documents",
}
PAGE_FIELDS = [f for f in Page._meta.concrete_fields if f.attname != "id"]
PROCEDURE_FIELDS = list(ProcedurePage._meta.local_concrete_fields)
EPOCH = datetime.datetime(2025, 7, 1, 8, 0, tzinfo=datetime.UTC)


def _paragraphs(text: str) -> str:
    from html import escape

    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return "".join(f"<p>{escape(line)}</p>" for line in lines)


def _lists(plan) -> dict[str, dict[str, int]]:
    ids: dict[str, dict[str, int]] = {}
    for key, (model, lookup) in LIST_MODELS.items():
        entries = []
        known = set(model.objects.values_list(lookup, flat=True))
        for entry in plan.lists.get(key, []):
            if entry[lookup] in known:
                continue
            known.add(entry[lookup])
            values = {
                k: v
                for k, v in entry.items()
                if k in {f.name for f in model._meta.concrete_fields}
            }
            for name in ("issued_on", "effective_on"):
                if isinstance(values.get(name), str):
                    values[name] = (
                        datetime.date.fromisoformat(values[name])
                        if values[name]
                        else None
                    )
            entries.append(model(**values))
        model.objects.bulk_create(entries, batch_size=BATCH)
        ids[key] = dict(model.objects.values_list(lookup, "id"))
    return ids


def _departments(plan, verbose: bool) -> dict[str, DepartmentPage]:
    existing = {d.code: d for d in DepartmentPage.objects.all()}
    taken = {slugify(anyascii(d.title)) for d in existing.values()}
    taken |= {d.slug for d in existing.values()}
    for i, entry in enumerate(plan.departments):
        if entry["code"] not in existing:
            # a demo department may already carry this name
            if slugify(anyascii(entry["title"])) in taken:
                entry = {**entry, "title": f"{entry['title']} ({entry['code']})"}
            taken.add(slugify(anyascii(entry["title"])))
            existing[entry["code"]] = create_department(**entry)
        if verbose and (i + 1) % 50 == 0:
            print(f"  departments {i + 1}/{len(plan.departments)}", flush=True)
    return existing


def _slug(title: str, taken: set[str]) -> str:
    base = slugify(anyascii(title))[:70].strip("-") or "thu-tuc"
    slug, k = base, 2
    while slug in taken:
        slug, k = f"{base}-{k}", k + 1
    taken.add(slug)
    return slug


def load(plan, *, verbose: bool = True) -> dict:
    """Write the plan; returns counts. Runs in one transaction per batch."""
    with transaction.atomic():
        list_ids = _lists(plan)
        departments = _departments(plan, verbose)
        templates = []
        template_ids = dict(FormTemplate.objects.values_list("code", "id"))
        for entry in plan.form_templates:
            if entry["code"] not in template_ids:
                templates.append(
                    FormTemplate(
                        code=entry["code"],
                        name=entry["name"],
                        department=departments[entry["department"]],
                        version="1",
                    )
                )
        FormTemplate.objects.bulk_create(templates, batch_size=BATCH)
        template_ids = dict(FormTemplate.objects.values_list("code", "id"))

    locale = Locale.get_default()
    page_type = ContentType.objects.get_for_model(Page)
    procedure_type = ContentType.objects.get_for_model(ProcedurePage)
    children = {code: department.numchild for code, department in departments.items()}
    slugs: dict[str, set[str]] = defaultdict(set)
    for code, department in departments.items():
        if department.numchild:
            slugs[code] = set(
                Page.objects.child_of(department).values_list("slug", flat=True)
            )

    counts = defaultdict(int)
    total = len(plan.procedures)
    for start in range(0, total, BATCH):
        batch = plan.procedures[start : start + BATCH]
        with transaction.atomic():
            _load_batch(
                batch,
                start=start,
                departments=departments,
                children=children,
                slugs=slugs,
                list_ids=list_ids,
                template_ids=template_ids,
                locale=locale,
                page_type=page_type,
                procedure_type=procedure_type,
                counts=counts,
            )
        if verbose and ((start // BATCH) % 4 == 3 or start + BATCH >= total):
            print(f"  procedures {min(start + BATCH, total)}/{total}", flush=True)
    with transaction.atomic():
        for code, department in departments.items():
            if children[code] != department.numchild:
                Page.objects.filter(pk=department.pk).update(numchild=children[code])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["departments"] = len(departments)
    counts["form_templates"] = len(template_ids)
    return dict(counts)


def _load_batch(
    batch,
    *,
    start,
    departments,
    children,
    slugs,
    list_ids,
    template_ids,
    locale,
    page_type,
    procedure_type,
    counts,
) -> None:
    pages: list[ProcedurePage] = []
    for offset, item in enumerate(batch):
        department = departments[item["department"]]
        children[item["department"]] += 1
        slug = _slug(item["title"], slugs[item["department"]])
        published = EPOCH + datetime.timedelta(minutes=start + offset)
        page = ProcedurePage(
            title=item["title"],
            draft_title=item["title"],
            slug=slug,
            path=Page._get_path(
                department.path, department.depth + 1, children[item["department"]]
            ),
            depth=department.depth + 1,
            numchild=0,
            url_path=f"{department.url_path}{slug}/",
            content_type=procedure_type,
            locale=locale,
            translation_key=uuid.uuid5(
                uuid.NAMESPACE_URL, f"procedure/{item['national_code']}"
            ),
            live=True,
            has_unpublished_changes=False,
            first_published_at=published,
            last_published_at=published,
            latest_revision_created_at=published,
            national_code=item["national_code"],
            local_code=item["local_code"],
            procedure_type=item["procedure_type"],
            status=item["status"],
            decision_number=item["decision_number"],
            summary=item["summary"],
            implementing_agencies=item["implementing_agencies"],
            competent_authority=item["competent_authority"],
            receiving_address=item["receiving_address"],
            online_level=item["online_level"],
            online_url=item["online_url"],
            conditions=_paragraphs(item["conditions"]),
            keywords=item["keywords"],
            change_note="Công bố lần đầu",
        )
        pages.append(page)

    # the base rows, then the ProcedurePage rows pointing at them
    base_rows = [
        Page(**{f.attname: getattr(page, f.attname) for f in PAGE_FIELDS})
        for page in pages
    ]
    Page.objects.bulk_create(base_rows, batch_size=BATCH)
    for page, row in zip(pages, base_rows, strict=True):
        page.id = page.page_ptr_id = row.id
    ProcedurePage._base_manager._insert(pages, fields=PROCEDURE_FIELDS, using="default")

    steps, methods, cases = [], [], []
    for page, item in zip(pages, batch, strict=True):
        page_steps = [
            ProcedureStep(
                page=page,
                sort_order=i,
                title=step.get("title", "")[:300],
                description=_paragraphs(step.get("description", "")),
            )
            for i, step in enumerate(item["steps"])
        ]
        page_methods = []
        for i, method in enumerate(item["execution_methods"]):
            value = method.get("processing_time_value")
            em = ExecutionMethod(
                page=page,
                sort_order=i,
                channel=method["channel"],
                processing_time_value=Decimal(str(value))
                if value is not None
                else None,
                processing_time_unit=method.get("processing_time_unit", ""),
                processing_time_text=method.get("processing_time_text", "")[:500],
                description=method.get("description", ""),
            )
            em._fees = method.get("fees", [])
            page_methods.append(em)
        page_cases = []
        for i, case in enumerate(item["dossier_cases"]):
            dc = DossierCase(
                page=page,
                sort_order=i,
                name=case["name"][:500],
                description=case.get("description", ""),
            )
            dc._documents = case.get("documents", [])
            page_cases.append(dc)
        steps += page_steps
        methods += page_methods
        cases += page_cases
        page._parts = (page_steps, page_methods, page_cases)
    ProcedureStep.objects.bulk_create(steps, batch_size=BATCH)
    ExecutionMethod.objects.bulk_create(methods, batch_size=BATCH)
    DossierCase.objects.bulk_create(cases, batch_size=BATCH)
    fees, documents = [], []
    for method in methods:
        method._fee_objects = [
            FeeItem(
                method=method,
                sort_order=i,
                kind=fee.get("kind", "charge"),
                amount=fee.get("amount"),
                description=fee.get("description", ""),
            )
            for i, fee in enumerate(method._fees)
        ]
        fees += method._fee_objects
    for case in cases:
        case._document_objects = [
            RequiredDocument(
                case=case,
                sort_order=i,
                name=doc["name"],
                originals=doc.get("originals", 1),
                copies=doc.get("copies", 0),
                is_required=doc.get("is_required", True),
                note=doc.get("note", ""),
                form_template_id=template_ids.get(doc.get("form_template")),
            )
            for i, doc in enumerate(case._documents)
        ]
        documents += case._document_objects
    FeeItem.objects.bulk_create(fees, batch_size=BATCH)
    RequiredDocument.objects.bulk_create(documents, batch_size=BATCH)

    for relation, list_key in M2M.items():
        through = getattr(ProcedurePage, relation).through
        target = getattr(ProcedurePage, relation).field.m2m_reverse_field_name()
        rows = []
        for page, item in zip(pages, batch, strict=True):
            for code in item.get(relation, []):
                target_id = list_ids[list_key].get(code)
                if target_id is not None:
                    rows.append(
                        through(procedurepage_id=page.id, **{f"{target}_id": target_id})
                    )
        through.objects.bulk_create(rows, batch_size=BATCH)
        counts[f"link_{relation}"] += len(rows)

    # one live revision per page, in the shape Wagtail's own serializable_data() gives, built
    # from the objects in memory (calling it on saved pages would cost a query per relation)
    revisions = []
    for page, item in zip(pages, batch, strict=True):
        page_steps, page_methods, page_cases = page._parts
        content = get_serializable_data_for_fields(page)
        content["steps"] = [
            get_serializable_data_for_fields(step) for step in page_steps
        ]
        content["execution_methods"] = [
            {
                **get_serializable_data_for_fields(method),
                "fees": [
                    get_serializable_data_for_fields(fee) for fee in method._fee_objects
                ],
            }
            for method in page_methods
        ]
        content["dossier_cases"] = [
            {
                **get_serializable_data_for_fields(case),
                "documents": [
                    get_serializable_data_for_fields(doc)
                    for doc in case._document_objects
                ],
            }
            for case in page_cases
        ]
        content["wagtail_admin_comments"] = []
        for relation, list_key in M2M.items():
            content[relation] = [
                list_ids[list_key][code]
                for code in item.get(relation, [])
                if code in list_ids[list_key]
            ]
        revisions.append(
            Revision(
                content_type=procedure_type,
                base_content_type=page_type,
                object_id=str(page.id),
                created_at=page.first_published_at,
                object_str=page.title,
                content=content,
            )
        )
    Revision.objects.bulk_create(revisions, batch_size=BATCH)
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision_id = page.live_revision_id = revision.id
    _set_revisions(pages)

    events = []
    for page, item, revision in zip(pages, batch, revisions, strict=True):
        common = dict(
            page_id=page.id,
            procedure_id=page.id,
            national_code=page.national_code,
            local_code=page.local_code,
            department_code=item["department"],
            revision_id=revision.id,
            title=page.title[:500],
        )
        events.append(
            CatalogEvent(
                action=EventAction.PUBLISHED, change_note="Công bố lần đầu", **common
            )
        )
        if item.get("updated"):
            events.append(
                CatalogEvent(
                    action=EventAction.UPDATED,
                    change_note="Cập nhật mức lệ phí",
                    **common,
                )
            )
    CatalogEvent.objects.bulk_create(events, batch_size=BATCH)

    counts["procedures"] += len(pages)
    counts["steps"] += len(steps)
    counts["execution_methods"] += len(methods)
    counts["fees"] += len(fees)
    counts["dossier_cases"] += len(cases)
    counts["documents"] += len(documents)
    counts["revisions"] += len(revisions)
    counts["events"] += len(events)


def _set_revisions(pages: list[ProcedurePage]) -> None:
    """latest_revision and live_revision in one statement per batch."""
    if not pages:
        return
    table = Page._meta.db_table
    if connection.vendor == "postgresql":
        values = ",".join(["(%s, %s)"] * len(pages))
        params = [v for page in pages for v in (page.id, page.live_revision_id)]
        sql = (
            f"UPDATE {table} AS p SET latest_revision_id = v.rev, live_revision_id = v.rev "
            f"FROM (VALUES {values}) AS v(id, rev) WHERE p.id = v.id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    else:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET latest_revision_id = %s, live_revision_id = %s WHERE id = %s",
                [
                    (page.live_revision_id, page.live_revision_id, page.id)
                    for page in pages
                ],
            )

"""Creating thousands of procedure pages at once, as valid Wagtail pages.

Per page, Wagtail's add_child + save_revision + publish costs 50-100 ms. Here every table gets one
INSERT per batch instead: treebeard paths are computed from each department's last child, pages
and their ProcedurePage rows, inline parts, list links, revisions, audit log entries and catalog
events are bulk-created, and the departments' numchild is raised once. The rows written are the
ones the page lifecycle writes (see docs/import-export.md, "The bulk path").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from wagtail.models import Locale, Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.signal_handlers import reference_index_auto_update_disabled

from catalog.models import (
    CatalogEvent,
    DepartmentPage,
    DossierCase,
    EventAction,
    ExecutionMethod,
    FeeItem,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
)
from catalog.services.events import announce_after_commit
from catalog.services.procedures import ascii_slug

BATCH = 500
M2M_FIELDS = (
    "levels",
    "subject_types",
    "fields",
    "life_events",
    "results",
    "legal_basis",
)


@dataclass
class NewProcedure:
    department: DepartmentPage
    page: ProcedurePage  # built in memory with its parts (catalog.services.procedures.build_procedure)
    publish: bool


def _unique_slug(slug: str, *, taken: set[str], code: str) -> str:
    if slug not in taken:
        return slug
    candidate = f"{slug}-{ascii_slug(code)}"
    number = 2
    while candidate in taken:
        candidate = f"{slug}-{ascii_slug(code)}-{number}"
        number += 1
    return candidate


def _place_in_tree(items: list[NewProcedure], *, now, user, change_note: str) -> None:
    """Treebeard path/depth, sibling-unique slug and url_path for each new page, per department."""
    content_type = ContentType.objects.get_for_model(ProcedurePage)
    locale = Locale.get_default()
    by_department: dict[int, list[NewProcedure]] = defaultdict(list)
    for item in items:
        by_department[item.department.pk].append(item)
    for group in by_department.values():
        department = DepartmentPage.objects.get(
            pk=group[0].department.pk
        )  # current path/numchild
        depth = department.depth + 1
        children = Page.objects.filter(path__startswith=department.path, depth=depth)
        last = children.order_by("-path").values_list("path", flat=True).first()
        position = int(last[-Page.steplen :], len(Page.alphabet)) if last else 0
        taken = set(children.values_list("slug", flat=True))
        for item in group:
            page = item.page
            position += 1
            page.path = Page._get_path(department.path, depth, position)
            page.depth = depth
            page.numchild = 0
            page.slug = _unique_slug(page.slug, taken=taken, code=page.code)
            taken.add(page.slug)
            page.url_path = f"{department.url_path}{page.slug}/"
            page.content_type = content_type
            page.locale = locale
            page.draft_title = page.title
            page.live = item.publish
            page.has_unpublished_changes = not item.publish
            page.first_published_at = now if item.publish else None
            page.last_published_at = now if item.publish else None
            page.latest_revision_created_at = now
            page.owner = user
            page.change_note = change_note


def _insert_pages(pages: list[ProcedurePage]) -> None:
    """Page rows first (ids come back), then the ProcedurePage rows that point at them."""
    Page.objects.bulk_create(pages, batch_size=BATCH)
    for page in pages:
        page.page_ptr_id = page.id
        page._state.adding = False
    # QuerySet.bulk_create refuses multi-table models; its inner batch insert writes the child rows.
    queryset = ProcedurePage.objects.all()
    queryset._for_write = True
    queryset._batched_insert(
        pages, ProcedurePage._meta.local_concrete_fields, batch_size=BATCH
    )


def _insert_parts(pages: list[ProcedurePage]) -> None:
    steps, methods, cases = [], [], []
    for page in pages:
        for order, step in enumerate(page.steps.all()):
            step.page_id, step.sort_order = page.pk, order
            steps.append(step)
        for order, method in enumerate(page.execution_methods.all()):
            method.page_id, method.sort_order = page.pk, order
            methods.append(method)
        for order, case in enumerate(page.dossier_cases.all()):
            case.page_id, case.sort_order = page.pk, order
            cases.append(case)
    ProcedureStep.objects.bulk_create(steps, batch_size=BATCH)
    ExecutionMethod.objects.bulk_create(methods, batch_size=BATCH)
    DossierCase.objects.bulk_create(cases, batch_size=BATCH)
    fees, documents = [], []
    for method in methods:
        for order, fee in enumerate(method.fees.all()):
            fee.method_id, fee.sort_order = method.pk, order
            fees.append(fee)
    for case in cases:
        for order, document in enumerate(case.documents.all()):
            document.case_id, document.sort_order = case.pk, order
            documents.append(document)
    FeeItem.objects.bulk_create(fees, batch_size=BATCH)
    RequiredDocument.objects.bulk_create(documents, batch_size=BATCH)
    for name in M2M_FIELDS:
        field = ProcedurePage._meta.get_field(name)
        through = field.remote_field.through
        source = field.m2m_field_name()
        target = field.m2m_reverse_field_name()
        links = [
            through(**{f"{source}_id": page.pk, f"{target}_id": entry.pk})
            for page in pages
            for entry in getattr(page, name).all()
        ]
        through.objects.bulk_create(links, batch_size=BATCH)


def bulk_create_procedures(
    items: list[NewProcedure], *, user=None, change_note: str, progress=None
) -> list[ProcedurePage]:
    """Create every page in `items` with its first revision; publish those marked to be published."""
    if not items:
        return []
    now = timezone.now()
    with transaction.atomic():
        _place_in_tree(items, now=now, user=user, change_note=change_note)
        pages = [item.page for item in items]
        done = 0
        for start in range(0, len(items), BATCH):
            batch_items = items[start : start + BATCH]
            _create_batch(batch_items, now=now, user=user)
            done += len(batch_items)
            if progress:
                progress(done, len(items))
        counts: dict[int, int] = defaultdict(int)
        for item in items:
            counts[item.department.pk] += 1
        for department_id, count in counts.items():
            Page.objects.filter(pk=department_id).update(numchild=F("numchild") + count)
        _add_to_admin_search(pages)
    return pages


def _link_revisions(items: list[NewProcedure], *, page_type) -> None:
    """latest_revision (and live_revision when published) in one UPDATE per batch, not a CASE per row."""
    newest = Revision.objects.filter(
        base_content_type=page_type, object_id=Cast(OuterRef("pk"), CharField())
    ).order_by("-pk")
    ids = [item.page.pk for item in items]
    Page.objects.filter(pk__in=ids).update(
        latest_revision=Subquery(newest.values("pk")[:1])
    )
    published = [item.page.pk for item in items if item.publish]
    if published:
        Page.objects.filter(pk__in=published).update(live_revision=F("latest_revision"))


def _add_to_admin_search(pages: list[ProcedurePage]) -> None:
    """Wagtail's own index (the admin's search box), which post_save would have fed page by page."""
    from wagtail.search.backends import get_search_backends

    for backend in get_search_backends(with_auto_update=True):
        for start in range(0, len(pages), BATCH):
            backend.add_bulk(ProcedurePage, pages[start : start + BATCH])


def _index_references(pages: list[ProcedurePage], *, content_type, page_type) -> None:
    """Wagtail's reference index ("usage" of form templates, lists), as a page save would write it.

    The rows come from Wagtail's own extraction over the in-memory page and its parts (all with
    ids by now); a new page has no rows yet, so they are only inserted.
    """
    if not ReferenceIndex.is_indexed(ProcedurePage) or getattr(
        reference_index_auto_update_disabled, "value", False
    ):
        return
    rows = [
        ReferenceIndex(
            content_type=content_type,
            base_content_type=page_type,
            object_id=str(page.pk),
            to_content_type_id=to_content_type_id,
            to_object_id=to_object_id,
            model_path=model_path,
            content_path=content_path,
            content_path_hash=ReferenceIndex._get_content_path_hash(content_path),
        )
        for page in pages
        for to_content_type_id, to_object_id, model_path, content_path in set(
            ReferenceIndex._extract_references_from_object(page)
        )
    ]
    ReferenceIndex.objects.bulk_create(rows, batch_size=BATCH)


def _create_batch(items: list[NewProcedure], *, now, user) -> None:
    content_type = ContentType.objects.get_for_model(ProcedurePage)
    page_type = ContentType.objects.get_for_model(Page)
    pages = [item.page for item in items]
    _insert_pages(pages)
    _insert_parts(pages)
    for page in pages:
        page.wagtail_admin_comments = []  # a new page has none; saves one query per page
    revisions = [
        Revision(
            content_type=content_type,
            base_content_type=page_type,
            object_id=str(page.pk),
            created_at=now,
            user=user,
            object_str=str(page),
            content=page.serializable_data(),
        )
        for page in pages
    ]
    Revision.objects.bulk_create(revisions, batch_size=BATCH)
    logs, events = [], []
    for item, revision in zip(items, revisions, strict=True):
        page = item.page
        page.latest_revision = revision
        if item.publish:
            page.live_revision = revision
        logs.append(
            PageLogEntry(
                content_type=content_type,
                label=page.get_admin_display_title(),
                action="wagtail.create",
                timestamp=now,
                user=user,
                page_id=page.pk,
                data={},
                content_changed=True,
            )
        )
        if item.publish:
            logs.append(
                PageLogEntry(
                    content_type=content_type,
                    label=page.get_admin_display_title(),
                    action="wagtail.publish",
                    timestamp=now,
                    user=user,
                    page_id=page.pk,
                    revision=revision,
                    data={},
                    content_changed=True,
                )
            )
            events.append(
                CatalogEvent(
                    page_id=page.pk,
                    procedure_id=page.pk,
                    national_code=page.national_code,
                    local_code=page.local_code,
                    department_code=item.department.code,
                    action=EventAction.PUBLISHED,
                    revision=revision,
                    title=page.title[:500],
                    change_note=(page.change_note or "")[:500],
                )
            )
    _link_revisions(items, page_type=page_type)
    _index_references(pages, content_type=content_type, page_type=page_type)
    PageLogEntry.objects.bulk_create(logs, batch_size=BATCH)
    CatalogEvent.objects.bulk_create(events, batch_size=BATCH)
    for event in events:
        announce_after_commit(event)

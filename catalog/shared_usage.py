"""Which procedures use a shared-list entry: their page rows and their pending revisions.

Wagtail's ReferenceIndex records foreign keys, not the ParentalManyToMany relations procedures
hold to shared lists, and never looks at drafts; so its delete screen said "referenced 0 times"
for a field used by live procedures. An entry counts as used when a procedure's row links to it
(the live version, or a never-published page) or when the latest draft or a scheduled revision
does: deleting it would silently change what publishing that revision puts online.

Public holidays are referenced by nothing: due dates (catalog.services.due_dates) are computed
when asked, from the holidays of that moment, and never stored. Deleting a holiday changes later
answers only; so holidays are never "in use" and the delete screen says what deleting changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.models import Q

from wagtail.models import Revision

from catalog.models import ProcedurePage
from catalog.permissions import can, may_see_unpublished
from catalog.services.procedures import LIST_FIELDS

# shared-list model -> the ProcedurePage relation holding it
RELATION_OF = {model: name for name, (model, _key) in LIST_FIELDS.items()}


def relation_for(model) -> str | None:
    return RELATION_OF.get(model)


def procedure_ids_using(entry) -> set[int]:
    """Ids of procedures whose row, latest draft or scheduled revision links to `entry`."""
    relation = relation_for(type(entry))
    if relation is None:
        return set()
    ids = set(
        ProcedurePage.objects.filter(**{relation: entry}).values_list("pk", flat=True)
    )
    drafts = ProcedurePage.objects.filter(
        has_unpublished_changes=True, latest_revision__isnull=False
    )
    scheduled = Revision.objects.filter(
        approved_go_live_at__isnull=False,
        content_type=ContentType.objects.get_for_model(ProcedurePage),
    )
    if connection.vendor == "postgresql":
        # jsonb containment in the database: no revision content leaves it
        ids.update(
            drafts.filter(
                **{f"latest_revision__content__{relation}__contains": [entry.pk]}
            ).values_list("pk", flat=True)
        )
        ids.update(
            int(object_id)
            for object_id in scheduled.filter(
                **{f"content__{relation}__contains": [entry.pk]}
            ).values_list("object_id", flat=True)
        )
        return ids
    for page_id, content in drafts.values_list(
        "pk", "latest_revision__content"
    ).iterator():
        if entry.pk in ((content or {}).get(relation) or []):
            ids.add(page_id)
    for object_id, content in scheduled.values_list("object_id", "content"):
        if entry.pk in ((content or {}).get(relation) or []):
            ids.add(int(object_id))
    return ids


@dataclass(frozen=True)
class UsageRow:
    title: str
    department: str
    url: str | None
    live: bool


# Rows listed by name; a popular entry's other users are counted, not listed.
MAX_LISTED = 50


def describe_usage(user, ids: set[int]) -> tuple[list[UsageRow], int]:
    """The procedures `user` may know of (title, link if allowed) and how many others there are.

    A procedure the user may not see unpublished shows its published title only; one that has
    never been published (or is unpublished) in another department is only counted, and so are
    those beyond the first MAX_LISTED.
    """
    from wagtail.admin.admin_url_finder import AdminURLFinder

    finder = AdminURLFinder(user)
    rows, hidden = [], 0
    pages = ProcedurePage.objects.filter(pk__in=ids).order_by("title")
    for page in pages:
        sees_drafts = may_see_unpublished(user, page)
        if (not sees_drafts and not page.live) or len(rows) >= MAX_LISTED:
            hidden += 1
            continue
        title = page.draft_title if sees_drafts and page.draft_title else page.title
        url = finder.get_edit_url(page) if can(user, "edit", page) else None
        if url is None and page.live:
            url = page.get_url()
        department = page.get_parent()
        rows.append(
            UsageRow(title=title, department=department.title, url=url, live=page.live)
        )
    return rows, hidden


def _replace(values, source_pk: int, target_pk: int) -> list:
    replaced = [target_pk if value == source_pk else value for value in values or []]
    return list(dict.fromkeys(replaced))


@transaction.atomic
def merge_into(*, source, target, user) -> int:
    """Point every procedure using `source` at `target` instead, then delete `source`.

    The page rows (live or never-published), the live revisions, the latest drafts and the
    scheduled revisions all change, so publishing a draft later cannot bring `source` back.
    Deleting `source` records an `updated` event for each live procedure that showed it
    (catalog.services.dependents). Returns how many procedures changed.
    """
    from wagtail.log_actions import log

    model = type(source)
    relation = relation_for(model)
    if relation is None or type(target) is not model or target.pk == source.pk:
        raise ValueError("merge needs two entries of the same shared list")
    ids = procedure_ids_using(source)
    through = getattr(ProcedurePage, relation).through
    page_column = next(
        f.name
        for f in through._meta.fields
        if f.is_relation and f.related_model is ProcedurePage
    )
    entry_column = next(
        f.name
        for f in through._meta.fields
        if f.is_relation and f.related_model is model
    )
    with_source = set(
        through.objects.filter(**{entry_column: source}).values_list(
            f"{page_column}_id", flat=True
        )
    )
    with_target = set(
        through.objects.filter(**{entry_column: target}).values_list(
            f"{page_column}_id", flat=True
        )
    )
    through.objects.bulk_create(
        through(**{f"{page_column}_id": page_id, f"{entry_column}_id": target.pk})
        for page_id in sorted(with_source - with_target)
    )
    pages = ProcedurePage.objects.filter(pk__in=ids)
    revision_ids = set(pages.values_list("latest_revision_id", flat=True)) | set(
        pages.values_list("live_revision_id", flat=True)
    )
    revisions = Revision.objects.filter(
        Q(pk__in=revision_ids - {None})
        | Q(
            approved_go_live_at__isnull=False,
            content_type=ContentType.objects.get_for_model(ProcedurePage),
            object_id__in=[str(pk) for pk in ids],
        )
    )
    for revision in revisions:
        content = revision.content or {}
        if source.pk in (content.get(relation) or []):
            content[relation] = _replace(content[relation], source.pk, target.pk)
            revision.content = content
            revision.save(update_fields=["content"])
    log(
        instance=source,
        action="wagtail.delete",
        user=user,
        data={"merged_into": {"id": target.pk, "title": str(target)}},
    )
    source.delete()
    return len(ids)

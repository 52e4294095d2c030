"""Writing a generated plan fast: bulk inserts that make exactly what the catalog's services make.

- Departments: `create_departments` writes what `catalog.services.departments.create_department`
  writes for each (page with treebeard path, live revision and log entries, document collection,
  three role groups with their Wagtail page/collection and guardian permissions, the two-step
  moderation workflow with its task, Wagtail's search entry) in a constant number of queries
  instead of ~370 per department. tests/bench/test_bulk.py compares the rows of both paths.
- Form templates: the rows and object permissions `FormTemplate.save()` gives.
- Procedures: built in memory by the service (`catalog.services.procedures.build_procedure`, so
  the same slugs, rich text, defaults and validation as `create_procedure`), then inserted in
  batches: page rows with treebeard paths, every inline part and shared-list link, the revision
  `save_revision()` would store, the log entries of create/edit/publish and the catalog events.
  Left out, as in the import's bulk path: Wagtail's reference index and its admin search entries
  for procedures (bench_search builds the latter as its peer), and no signal is sent, so the
  project's own search index is built by whoever needs it.
"""

# ruff: noqa: S608 - SQL built only from table names and %s placeholders, never from input
from __future__ import annotations

import datetime
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PageLogEntry,
    ReferenceIndex,
    Revision,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)
from wagtail.search.backends import get_search_backends

from guardian.models import GroupObjectPermission

from catalog.freshness import bump_shared_version
from catalog.models import (
    CatalogEvent,
    DepartmentIndexPage,
    DepartmentPage,
    DossierCase,
    EventAction,
    ExecutionMethod,
    FeeItem,
    FormTemplate,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
)
from catalog.permissions import (
    ROLE_DEPARTMENT_PERMISSIONS,
    ROLE_FORM_TEMPLATE_PERMISSIONS,
)
from catalog.services.departments import (
    ROLE_DOCUMENT_PERMISSIONS,
    ROLE_LABELS,
    ROLE_PAGE_PERMISSIONS,
    ensure_department_index,
    role_group_name,
)
from catalog.services.procedures import (
    CHILD_RELATIONS,
    DEFAULT_CREATE_NOTE,
    LIST_FIELDS,
    SharedLists,
    ascii_slug,
    build_procedure,
)
from catalog.services.roles import ensure_catalog_admin_group
from catalog.text import vietnamese_slug

BATCH = 500
EPOCH = datetime.datetime(2025, 7, 1, 8, 0, tzinfo=datetime.UTC)
# What a page looked like when `save_revision()` serialized it, before publishing filled these in.
DEPARTMENT_UNPUBLISHED = {
    "first_published_at": None,
    "last_published_at": None,
    "latest_revision_created_at": None,
    "latest_revision": None,
    "live_revision": None,
    "collection": None,  # create_department gives the collection after the first revision
}
PROCEDURE_UNPUBLISHED = {
    "live": False,
    "has_unpublished_changes": True,
    "first_published_at": None,
    "last_published_at": None,
    "latest_revision_created_at": None,
    "latest_revision": None,
    "live_revision": None,
}


@contextmanager
def counting_queries():
    """Count the SQL statements run inside the block: `with counting_queries() as count: ...; count[0]`."""
    count = [0]

    def wrapper(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    copied = _copied[0]
    with connection.execute_wrapper(wrapper):
        yield count
    count[0] += _copied[0] - copied


# ---------------------------------------------------------------------------------------------
# tree placement


def _position(path: str | None) -> int:
    """The sibling number a treebeard path ends with (0 when there is no such child)."""
    if not path:
        return 0
    return int(path[-Page.steplen :], len(Page.alphabet))


def _last_children(parents: list[Page]) -> tuple[dict[str, str], dict[str, set[str]]]:
    """{parent path: last child path} and {parent path: child slugs}, in one query."""
    if not parents:
        return {}, {}
    depths = {parent.depth for parent in parents}
    paths = {parent.path for parent in parents}
    last: dict[str, str] = {}
    slugs: dict[str, set[str]] = defaultdict(set)
    rows = Page.objects.filter(depth__in=[d + 1 for d in depths]).values_list(
        "path", "slug"
    )
    if len(paths) == 1:
        rows = rows.filter(path__startswith=next(iter(paths)))
    for path, slug in rows:
        parent = path[: -Page.steplen]
        if parent in paths:
            slugs[parent].add(slug)
            if path > last.get(parent, ""):
                last[parent] = path
    return last, slugs


def _ranks(texts: list[str]) -> dict[str, int]:
    """Each text's rank in the database's own ordering (its collation), in one query."""
    distinct = list(dict.fromkeys(texts))
    values = ", ".join(["(%s)"] * len(distinct))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT column1, DENSE_RANK() OVER (ORDER BY column1) "
            f"FROM (VALUES {values}) AS v",
            distinct,
        )
        return dict(cursor.fetchall())


def _sorted_children(root: Collection, names: list[str]) -> list[str]:
    """Paths for new children of `root` added one by one in this order, as treebeard's
    add_child places them for a model ordered by name (Collection.node_order_by): before the
    first sibling with a greater name, shifting the siblings from there one step right (until
    a gap). Existing siblings that shift are moved here, with their descendants."""
    depth = root.depth + 1
    existing = list(
        Collection.objects.filter(depth=depth, path__startswith=root.path)
        .order_by("path")
        .values_list("path", "name")
    )
    ranks = _ranks([name for _, name in existing] + names)
    nodes = [
        {"old": path, "pos": _position(path), "rank": ranks[name]}
        for path, name in existing
    ]
    added = []
    for name in names:
        rank = ranks[name]
        greater = sorted((n for n in nodes if n["rank"] > rank), key=lambda n: n["pos"])
        if not greater:
            position = max((n["pos"] for n in nodes), default=0) + 1
        else:
            position = prior = greater[0]["pos"]
            for node in greater:
                if node["pos"] > prior:
                    break
                node["pos"] += 1
                prior = node["pos"]
        node = {"old": None, "pos": position, "rank": rank}
        nodes.append(node)
        added.append(node)
    moved = [n for n in nodes if n["old"] and _position(n["old"]) != n["pos"]]
    for node in sorted(moved, key=lambda n: n["old"], reverse=True):  # rightmost first
        new = Collection._get_path(root.path, depth, node["pos"])
        Collection.objects.filter(path__startswith=node["old"]).update(
            path=Concat(Value(new), Substr("path", len(new) + 1))
        )
    return [Collection._get_path(root.path, depth, n["pos"]) for n in added]


def _free_slug(base: str, taken: set[str]) -> str:
    """Wagtail's `_get_autogenerated_slug`: base, base-2, base-3 ... among the siblings."""
    slug, suffix = base, 1
    while slug in taken:
        suffix += 1
        slug = f"{base}-{suffix}"
    taken.add(slug)
    return slug


def _procedure_slug(slug: str, taken: set[str], code: str) -> str:
    """The rule of catalog.services.procedures._unique_slug, against the siblings in memory."""
    candidate = slug
    if candidate in taken:
        candidate, number = f"{slug}-{ascii_slug(code)}", 2
        while candidate in taken:
            candidate = f"{slug}-{ascii_slug(code)}-{number}"
            number += 1
    taken.add(candidate)
    return candidate


_copied = [0]  # COPY statements, which execute wrappers do not see


def _insert(model, objects: list) -> None:
    """The rows of `model`'s own table for `objects` (their ids set), as bulk_create would.

    On PostgreSQL through COPY, ids drawn from the table's sequence first: Django's bulk_create
    sends each column as one array through UNNEST, which PostgreSQL parses slowly for large
    text (2,000 revisions of ~11 KB JSON: 10 s through UNNEST, 1.5 s through COPY).
    """
    if not objects:
        return
    fields = model._meta.local_concrete_fields
    pk = model._meta.pk
    if connection.vendor != "postgresql":
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            if pk.is_relation:  # the child table of a multi-table model: ids are given
                model._base_manager._insert(
                    batch, fields=fields, using=connection.alias
                )
            else:
                model._base_manager.bulk_create(batch)
        return
    table = model._meta.db_table
    real = connections[connection.alias]  # not the proxy: no lookup per value below
    with connection.cursor() as cursor:
        if pk in fields and not pk.is_relation:  # an own sequence
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) "
                "FROM generate_series(1, %s)",
                [table, pk.column, len(objects)],
            )
            for obj, (value,) in zip(objects, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        _copied[0] += 1
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objects:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, True), real) for f in fields]
                )
    for obj in objects:
        obj._state.adding = False


def _insert_pages(model, pages: list[Page]) -> None:
    """The wagtailcore_page rows (ids come back), then the specific rows pointing at them."""
    _insert(Page, pages)
    for page in pages:
        page.page_ptr_id = page.id
    _insert(model, pages)


def _update_pages(columns: list[str], rows: list[tuple]) -> None:
    """UPDATE wagtailcore_page SET column = value ... for (id, value, ...) rows, one statement
    per batch on PostgreSQL (executemany on SQLite)."""
    table = Page._meta.db_table
    for start in range(0, len(rows), BATCH):
        batch = rows[start : start + BATCH]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                values = ",".join(
                    ["(" + ", ".join(["%s"] * (len(columns) + 1)) + ")"] * len(batch)
                )
                assignments = ", ".join(f"{c} = v.{c}" for c in columns)
                cursor.execute(
                    f"UPDATE {table} AS p SET {assignments} FROM (VALUES {values}) "
                    f"AS v(id, {', '.join(columns)}) WHERE p.id = v.id",
                    [v for row in batch for v in row],
                )
            else:
                assignments = ", ".join(f"{c} = %s" for c in columns)
                cursor.executemany(
                    f"UPDATE {table} SET {assignments} WHERE id = %s",
                    [(*row[1:], row[0]) for row in batch],
                )


def _set_revisions(pages: list[Page]) -> None:
    """latest_revision and live_revision of freshly inserted pages."""
    _update_pages(
        ["latest_revision_id", "live_revision_id"],
        [(p.id, p.live_revision_id, p.live_revision_id) for p in pages],
    )


def _revision(page: Page, content_type, page_type, content: dict, at) -> Revision:
    return Revision(
        content_type=content_type,
        base_content_type=page_type,
        object_id=str(page.pk),
        created_at=at,
        object_str=str(page),
        content=content,
    )


def _log(page: Page, content_type, action: str, at, revision=None) -> PageLogEntry:
    return PageLogEntry(
        content_type=content_type,
        label=page.get_admin_display_title(),
        action=action,
        timestamp=at,
        page_id=page.pk,
        revision=revision,
        data={},
        content_changed=True,
    )


def _permissions(app_label: str, codenames) -> dict[str, int]:
    return dict(
        Permission.objects.filter(
            content_type__app_label=app_label, codename__in=set(codenames)
        ).values_list("codename", "id")
    )


def _object_permissions(model, objects, groups_by_object, role_codenames) -> None:
    """django-guardian's assign_perm(f"{app}.{codename}", group, obj) for every role, in bulk."""
    content_type = ContentType.objects.get_for_model(model)
    wanted = {c for codenames in role_codenames.values() for c in codenames}
    permission_ids = _permissions(model._meta.app_label, wanted)
    rows = [
        GroupObjectPermission(
            permission_id=permission_ids[codename],
            content_type=content_type,
            object_pk=str(obj.pk),
            group=group,
        )
        for obj in objects
        for role, group in groups_by_object[obj.pk].items()
        for codename in role_codenames[role]
    ]
    GroupObjectPermission.objects.bulk_create(rows, batch_size=BATCH)


def _add_to_wagtail_search(model, objects) -> None:
    """Wagtail's own search entries, which post_save would have written one by one."""
    for backend in get_search_backends(with_auto_update=True):
        for start in range(0, len(objects), BATCH):
            backend.add_bulk(model, objects[start : start + BATCH])


# ---------------------------------------------------------------------------------------------
# departments


@transaction.atomic
def create_departments(entries: list[dict]) -> list[DepartmentPage]:
    """`create_department(**entry)` for every entry ({code, title, kind}), in bulk.

    Same rows as the service, in the same order within each table; timestamps are one `now`.
    """
    if not entries:
        return []
    index = ensure_department_index()
    index = DepartmentIndexPage.objects.get(pk=index.pk)  # current numchild and path
    root = Collection.get_first_root_node()
    now = timezone.now()
    department_type = ContentType.objects.get_for_model(DepartmentPage)
    page_type = ContentType.objects.get_for_model(Page)

    # the document collections, placed among the root's children by name, as add_child does
    names = [f"{entry['code']} – {entry['title']}"[:255] for entry in entries]
    paths = _sorted_children(root, names)
    collections = [
        Collection(name=name, path=path, depth=root.depth + 1, numchild=0)
        for name, path in zip(names, paths, strict=True)
    ]
    Collection.objects.bulk_create(collections, batch_size=BATCH)
    Collection.objects.filter(pk=root.pk).update(numchild=root.numchild + len(entries))

    # the pages, appended under the index as add_child would, slugs de-duplicated like Wagtail's
    last, slugs = _last_children([index])
    start = _position(last.get(index.path))
    taken = slugs[index.path]
    departments = []
    for i, entry in enumerate(entries):
        slug = _free_slug(vietnamese_slug(entry["title"]), taken)
        department = DepartmentPage(
            code=entry["code"],
            title=entry["title"],
            draft_title=entry["title"],
            kind=entry["kind"],
            slug=slug,
            path=Page._get_path(index.path, index.depth + 1, start + i + 1),
            depth=index.depth + 1,
            numchild=0,
            url_path=f"{index.url_path}{slug}/",
            content_type=department_type,
            locale_id=index.locale_id,
            translation_key=uuid.uuid4(),
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            latest_revision_created_at=now,
        )
        department.collection = collections[i]
        departments.append(department)
    _insert_pages(DepartmentPage, departments)
    Page.objects.filter(pk=index.pk).update(numchild=index.numchild + len(entries))

    revisions, logs = [], []
    for department in departments:
        department.wagtail_admin_comments = []  # a new page has none; spares a query
        content = {**department.serializable_data(), **DEPARTMENT_UNPUBLISHED}
        revisions.append(
            _revision(department, department_type, page_type, content, now)
        )
    Revision.objects.bulk_create(revisions, batch_size=BATCH)
    for department, revision in zip(departments, revisions, strict=True):
        department.latest_revision = department.live_revision = revision
        logs.append(_log(department, department_type, "wagtail.create", now))
        logs.append(_log(department, department_type, "wagtail.publish", now, revision))
    _set_revisions(departments)
    PageLogEntry.objects.bulk_create(logs, batch_size=BATCH)

    groups = _role_groups(departments)
    _role_permissions(departments, groups)
    _workflows(departments, groups)
    _object_permissions(
        DepartmentPage, departments, groups, ROLE_DEPARTMENT_PERMISSIONS
    )
    _add_to_wagtail_search(DepartmentPage, departments)
    bump_shared_version()
    return departments


def _role_groups(departments: list[DepartmentPage]) -> dict[int, dict[str, Group]]:
    """The three role groups of each department (existing ones reused, like get_or_create)."""
    names = [role_group_name(d, role) for d in departments for role in ROLE_LABELS]
    existing = {g.name: g for g in Group.objects.filter(name__in=names)}
    Group.objects.bulk_create(
        [Group(name=name) for name in names if name not in existing],
        batch_size=BATCH,
    )
    by_name = {g.name: g for g in Group.objects.filter(name__in=names)}
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    through = Group.permissions.through
    holding = set(
        through.objects.filter(
            group__name__in=names, permission=access_admin
        ).values_list("group_id", flat=True)
    )
    through.objects.bulk_create(
        [
            through(group_id=by_name[name].pk, permission_id=access_admin.pk)
            for name in names
            if by_name[name].pk not in holding
        ],
        batch_size=BATCH,
    )
    return {
        d.pk: {role: by_name[role_group_name(d, role)] for role in ROLE_LABELS}
        for d in departments
    }


def _role_permissions(departments, groups) -> None:
    """Wagtail page permissions on the department and document permissions on its collection."""
    page_ids = _permissions(
        "wagtailcore", {c for cs in ROLE_PAGE_PERMISSIONS.values() for c in cs}
    )
    document_ids = _permissions(
        "wagtaildocs", {c for cs in ROLE_DOCUMENT_PERMISSIONS.values() for c in cs}
    )
    page_rows, collection_rows = [], []
    for department in departments:
        for role, group in groups[department.pk].items():
            page_rows += [
                GroupPagePermission(
                    group=group, page=department, permission_id=page_ids[codename]
                )
                for codename in ROLE_PAGE_PERMISSIONS[role]
            ]
            collection_rows += [
                GroupCollectionPermission(
                    group=group,
                    collection=department.collection,
                    permission_id=document_ids[codename],
                )
                for codename in ROLE_DOCUMENT_PERMISSIONS[role]
            ]
    GroupPagePermission.objects.bulk_create(page_rows, batch_size=BATCH)
    GroupCollectionPermission.objects.bulk_create(collection_rows, batch_size=BATCH)


def _workflows(departments, groups) -> None:
    """Each department's review task (its moderators, its admins, the catalog admins) and workflow."""
    catalog_admins = ensure_catalog_admin_group()
    task_type = ContentType.objects.get_for_model(GroupApprovalTask)
    tasks = [
        GroupApprovalTask(
            name=f"Kiểm duyệt – {d.code}", content_type=task_type, active=True
        )
        for d in departments
    ]
    Task.objects.bulk_create(tasks, batch_size=BATCH)
    for task in tasks:
        task.task_ptr_id = task.id
        task._state.adding = False
    GroupApprovalTask._base_manager._insert(
        tasks,
        fields=GroupApprovalTask._meta.local_concrete_fields,
        using=connection.alias,
    )
    through = GroupApprovalTask.groups.through
    members = []
    for department, task in zip(departments, tasks, strict=True):
        for group in (
            groups[department.pk]["moderator"],
            groups[department.pk]["department_admin"],
            catalog_admins,
        ):
            members.append(through(groupapprovaltask_id=task.pk, group_id=group.pk))
    through.objects.bulk_create(members, batch_size=BATCH)
    workflows = [Workflow(name=f"Duyệt thủ tục – {d.code}") for d in departments]
    Workflow.objects.bulk_create(workflows, batch_size=BATCH)
    WorkflowTask.objects.bulk_create(
        [
            WorkflowTask(workflow=workflow, task=task, sort_order=0)
            for workflow, task in zip(workflows, tasks, strict=True)
        ],
        batch_size=BATCH,
    )
    WorkflowPage.objects.bulk_create(
        [
            WorkflowPage(workflow=workflow, page=department)
            for workflow, department in zip(workflows, departments, strict=True)
        ],
        batch_size=BATCH,
    )


# ---------------------------------------------------------------------------------------------
# form templates


@transaction.atomic
def create_form_templates(entries: list[dict], departments) -> list[FormTemplate]:
    """FormTemplate rows ({code, name, department code}) with what their save() adds: the role
    groups' object permissions, Wagtail's search and reference index entries. No file, so no
    checksum."""
    templates = [
        FormTemplate(
            code=entry["code"],
            name=entry["name"],
            department=departments[entry["department"]],
            version=entry.get("version", "1"),
        )
        for entry in entries
    ]
    FormTemplate.objects.bulk_create(templates, batch_size=BATCH)
    owners = {t.department_id for t in templates}
    names = {
        role_group_name(d, role): (d.pk, role)
        for d in departments.values()
        if d.pk in owners
        for role in ROLE_LABELS
    }
    groups: dict[int, dict[str, Group]] = defaultdict(dict)
    for group in Group.objects.filter(name__in=names):
        department_id, role = names[group.name]
        groups[department_id][role] = group
    _object_permissions(
        FormTemplate,
        templates,
        {t.pk: groups[t.department_id] for t in templates},
        ROLE_FORM_TEMPLATE_PERMISSIONS,
    )
    _add_to_wagtail_search(FormTemplate, templates)
    for (
        template
    ) in templates:  # a few rows each (its department); a handful of templates
        ReferenceIndex.create_or_update_for_object(template)
    bump_shared_version()
    return templates


# ---------------------------------------------------------------------------------------------
# shared lists


def _lists(plan) -> None:
    """The shared-list entries the plan names that the catalog does not have yet."""
    for key, (model, lookup) in LIST_FIELDS.items():
        key = "legal_documents" if key == "legal_basis" else key
        known = set(model.objects.values_list(lookup, flat=True))
        columns = {f.name for f in model._meta.concrete_fields}
        entries = []
        for entry in plan.lists.get(key, []):
            if entry[lookup] in known:
                continue
            known.add(entry[lookup])
            values = {k: v for k, v in entry.items() if k in columns}
            for name in ("issued_on", "effective_on"):
                if isinstance(values.get(name), str):
                    values[name] = (
                        datetime.date.fromisoformat(values[name])
                        if values[name]
                        else None
                    )
            entries.append(model(**values))
        model.objects.bulk_create(entries, batch_size=BATCH)
    bump_shared_version()


def shared_lists() -> SharedLists:
    """The service's resolver with every entry and form template already looked up (one query each)."""
    lists = SharedLists()
    for model, attribute in LIST_FIELDS.values():
        for entry in model.objects.all():
            lists._cache[(model, getattr(entry, attribute))] = entry
    for template in FormTemplate.objects.all():
        lists._cache[(FormTemplate, template.code)] = template
    return lists


# ---------------------------------------------------------------------------------------------
# procedures


def procedure_data(item: dict) -> dict:
    """The plan's procedure dict as catalog.services.procedures takes it."""
    return {k: v for k, v in item.items() if k not in ("department", "updated")}


def create_procedures(
    items: list[dict],
    *,
    departments: dict[str, DepartmentPage],
    lists: SharedLists,
    first_minute: int = 0,
    counts: dict | None = None,
) -> list[ProcedurePage]:
    """`create_procedure(department=..., data=item, publish=True)` for every item, in bulk.

    The n-th item is published at EPOCH + n minutes (+ first_minute); one in ten plan items
    marked `updated` also gets an `updated` event, as a later republish would have recorded.
    """
    counts = counts if counts is not None else defaultdict(int)
    procedure_type = ContentType.objects.get_for_model(ProcedurePage)
    page_type = ContentType.objects.get_for_model(Page)
    parents = {departments[item["department"]].pk: None for item in items}
    fresh = {
        d.pk: d for d in DepartmentPage.objects.filter(pk__in=parents)
    }  # current path/numchild
    last, slugs = _last_children(list(fresh.values()))
    positions = {d.path: _position(last.get(d.path)) for d in fresh.values()}
    added: dict[int, int] = defaultdict(int)

    pages: list[ProcedurePage] = []
    for offset, item in enumerate(items):
        department = fresh[departments[item["department"]].pk]
        page = build_procedure(data=procedure_data(item), lists=lists)
        positions[department.path] += 1
        added[department.pk] += 1
        published = EPOCH + datetime.timedelta(minutes=first_minute + offset)
        page.slug = _procedure_slug(page.slug, slugs[department.path], page.code)
        page.path = Page._get_path(
            department.path, department.depth + 1, positions[department.path]
        )
        page.depth = department.depth + 1
        page.numchild = 0
        page.url_path = f"{department.url_path}{page.slug}/"
        page.content_type = procedure_type
        page.locale_id = department.locale_id
        page.translation_key = uuid.uuid5(
            uuid.NAMESPACE_URL, f"procedure/{item['national_code']}"
        )
        page.change_note = DEFAULT_CREATE_NOTE
        page.live = True
        page.has_unpublished_changes = False
        page.first_published_at = page.last_published_at = published
        page.latest_revision_created_at = published
        page._item = item
        page._department = department
        pages.append(page)

    for start in range(0, len(pages), BATCH):
        with transaction.atomic():
            _insert_procedures(
                pages[start : start + BATCH],
                procedure_type=procedure_type,
                page_type=page_type,
                counts=counts,
            )
    with transaction.atomic():
        _update_pages(
            ["numchild"],
            [(pk, fresh[pk].numchild + number) for pk, number in added.items()],
        )
    return pages


def _insert_procedures(pages, *, procedure_type, page_type, counts) -> None:
    parts = {}
    for page in pages:
        # add_child writes the page without its parts; the parts come with the publish
        parts[id(page)] = {
            name: list(getattr(page, name).all()) for name in CHILD_RELATIONS
        }
    _insert_pages(ProcedurePage, pages)

    # the revision `save_revision()` stores: the page before publishing, parts not yet saved
    revisions = []
    for page in pages:
        for step in parts[id(page)]["steps"]:
            step.page_id = page.pk
        for method in parts[id(page)]["execution_methods"]:
            method.page_id = page.pk
        for case in parts[id(page)]["dossier_cases"]:
            case.page_id = page.pk
        page.wagtail_admin_comments = []
        content = {**page.serializable_data(), **PROCEDURE_UNPUBLISHED}
        revisions.append(
            _revision(page, procedure_type, page_type, content, page.first_published_at)
        )
    _insert(Revision, revisions)

    steps, methods, cases = [], [], []
    for page in pages:
        steps += parts[id(page)]["steps"]
        methods += parts[id(page)]["execution_methods"]
        cases += parts[id(page)]["dossier_cases"]
    _insert(ProcedureStep, steps)
    _insert(ExecutionMethod, methods)
    _insert(DossierCase, cases)
    fees, documents = [], []
    for method in methods:
        for fee in method.fees.all():
            fee.method_id = method.pk
            fees.append(fee)
    for case in cases:
        for document in case.documents.all():
            document.case_id = case.pk
            documents.append(document)
    _insert(FeeItem, fees)
    _insert(RequiredDocument, documents)
    for name in LIST_FIELDS:
        field = ProcedurePage._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        links = [
            through(**{f"{source}_id": page.pk, f"{target}_id": entry.pk})
            for page in pages
            for entry in getattr(page, name).all()
        ]
        _insert(through, links)
        counts[f"link_{name}"] += len(links)

    logs, events = [], []
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = page.live_revision = revision
        at = page.first_published_at
        logs.append(_log(page, procedure_type, "wagtail.create", at))
        logs.append(_log(page, procedure_type, "wagtail.edit", at, revision))
        logs.append(_log(page, procedure_type, "wagtail.publish", at, revision))
        common = dict(
            page_id=page.pk,
            procedure_id=page.pk,
            national_code=page.national_code,
            local_code=page.local_code,
            department_code=page._department.code,
            revision=revision,
            title=page.title[:500],
        )
        events.append(
            CatalogEvent(
                action=EventAction.PUBLISHED, change_note=page.change_note, **common
            )
        )
        if page._item.get("updated"):
            events.append(
                CatalogEvent(
                    action=EventAction.UPDATED,
                    change_note="Cập nhật mức lệ phí",
                    **common,
                )
            )
    _set_revisions(pages)
    _insert(PageLogEntry, logs)
    _insert(CatalogEvent, events)

    counts["procedures"] += len(pages)
    counts["steps"] += len(steps)
    counts["execution_methods"] += len(methods)
    counts["fees"] += len(fees)
    counts["dossier_cases"] += len(cases)
    counts["documents"] += len(documents)
    counts["revisions"] += len(revisions)
    counts["events"] += len(events)


# ---------------------------------------------------------------------------------------------
# roles


@transaction.atomic
def grant_roles(*, actor, grants: list[tuple]) -> None:
    """`grant_role(actor=actor, user=u, department=d, role=r)` for every (u, d, r), in bulk:
    the membership, the role group and the audit entry. For users holding no role in those
    departments yet (the permission benchmark's new editors); the caller checked the actor."""
    from catalog.models import AuditKind, DepartmentMembership, PermissionAuditEntry
    from catalog.services.roles import _name

    if not grants:
        return
    names = {role_group_name(d, role) for _, d, role in grants}
    groups = {g.name: g for g in Group.objects.filter(name__in=names)}
    missing = names - set(groups)
    if missing:
        raise ValueError(f"departments without role groups: {sorted(missing)[:5]}")
    DepartmentMembership.objects.bulk_create(
        [
            DepartmentMembership(user=u, department=d, role=role, granted_by=actor)
            for u, d, role in grants
        ],
        batch_size=BATCH,
    )
    through = Group.user_set.through
    through.objects.bulk_create(
        [
            through(user_id=u.pk, group_id=groups[role_group_name(d, role)].pk)
            for u, d, role in grants
        ],
        batch_size=BATCH,
    )
    PermissionAuditEntry.objects.bulk_create(
        [
            PermissionAuditEntry(
                kind=AuditKind.GRANTED,
                actor=actor if getattr(actor, "is_authenticated", False) else None,
                actor_name=_name(actor),
                subject_name=_name(u),
                department_code=d.code[:64],
                role=role[:32],
                action=f"grant {role}"[:300],
            )
            for u, d, role in grants
        ],
        batch_size=BATCH,
    )


# ---------------------------------------------------------------------------------------------
# the whole plan


def _unique_titles(plan, existing: dict[str, DepartmentPage]) -> list[dict]:
    """The plan's new departments; one whose name a demo department already carries gets its code
    appended, so that every department has its own name and slug."""
    taken = {vietnamese_slug(d.title) for d in existing.values()}
    entries = []
    for entry in plan.departments:
        if entry["code"] in existing:
            continue
        if vietnamese_slug(entry["title"]) in taken:
            entry = {**entry, "title": f"{entry['title']} ({entry['code']})"}
        taken.add(vietnamese_slug(entry["title"]))
        entries.append(entry)
    return entries


def load(plan, *, verbose: bool = True) -> dict:
    """Write the plan; returns counts and, under "phases", seconds and queries per phase."""
    counts: dict = defaultdict(int)
    phases: dict[str, dict] = {}

    @contextmanager
    def phase(name: str):
        started = time.perf_counter()
        with counting_queries() as queries:
            yield
        phases[name] = {
            "seconds": round(time.perf_counter() - started, 2),
            "queries": queries[0],
        }
        if verbose:
            print(
                f"  {name}: {phases[name]['seconds']:.1f} s, {queries[0]:,} queries",
                flush=True,
            )

    with phase("shared lists"), transaction.atomic():
        _lists(plan)
    with phase(f"departments ({len(plan.departments)})"):
        existing = {d.code: d for d in DepartmentPage.objects.all()}
        for department in create_departments(_unique_titles(plan, existing)):
            existing[department.code] = department
    with phase(f"form templates ({len(plan.form_templates)})"):
        known = set(FormTemplate.objects.values_list("code", flat=True))
        create_form_templates(
            [e for e in plan.form_templates if e["code"] not in known], existing
        )
    with phase(f"procedures ({len(plan.procedures):,})"):
        lists = shared_lists()
        total = len(plan.procedures)
        chunk = 2000  # progress lines, and memory bounded by one chunk of built pages
        for start in range(0, total, chunk):
            create_procedures(
                plan.procedures[start : start + chunk],
                departments=existing,
                lists=lists,
                first_minute=start,
                counts=counts,
            )
            if verbose:
                print(
                    f"    procedures {min(start + chunk, total):,}/{total:,}",
                    flush=True,
                )
    if connection.vendor == "postgresql":
        with phase("ANALYZE"), connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    counts["departments"] = len(existing)
    counts["form_templates"] = FormTemplate.objects.count()
    counts["phases"] = phases
    return dict(counts)

"""The benchmark's bulk writers make what the catalog's services make, table by table.

Each comparison runs the service and the bulk path from the same starting state (each inside a
savepoint that is rolled back) and compares every row either path added or changed, in every
table, with ids replaced by their order of creation and times and random UUIDs blanked. A new
table written by a service, a permission or a group left out would show up here.
"""

import dataclasses
import datetime
import uuid

from django.apps import apps
from django.db import models, transaction
from django.test import Client

from wagtail.models import Page

import pytest

from bench.bulk import (
    create_departments,
    create_form_templates,
    create_procedures,
    grant_roles,
    load,
    procedure_data,
    shared_lists,
)
from bench.generate import plan
from bench.profile import load_profile
from catalog.models import CatalogEvent, DepartmentPage, FormTemplate, ProcedurePage
from catalog.services.departments import create_department, ensure_department_index
from catalog.services.procedures import create_procedure
from catalog.services.roles import grant_role

# Rows only the services write, on purpose (see bench/bulk.py): Wagtail's reference index and
# its admin search entries for procedures. The shared-data version only has to move.
NOT_COMPARED = {"catalog.SharedVersion"}
SERVICE_ONLY_FOR_PROCEDURES = {
    "wagtailcore.ReferenceIndex",
    "wagtailsearch.IndexEntry",
    "wagtailsearch.SQLiteFTSIndexEntry",  # the same entries' full-text side on SQLite
}
# Wagtail's database search backend sets title_norm from the average title length of the rows
# there at insert time, so it depends on the insert order; `update_index` recomputes it.
ORDER_DEPENDENT = {("wagtailsearch.IndexEntry", "title_norm")}
# Integer columns that hold another row's id without being a foreign key.
ID_COLUMNS = {("catalog.CatalogEvent", "page_id"): "wagtailcore.Page"}
GENERIC_IDS = {"object_id", "object_pk"}


def _root(model) -> str:
    """The label ids are shared under: a multi-table child uses its root parent's ids."""
    while model._meta.parents:
        model = next(iter(model._meta.parents))
    return model._meta.label


def _tables():
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if not m._meta.proxy and m._meta.managed
    ]


def _snapshot() -> dict[str, dict]:
    state = {}
    for model in _tables():
        names = [f.attname for f in model._meta.concrete_fields]
        state[model._meta.label] = {
            row[model._meta.pk.attname]: row
            for row in model._base_manager.values(*names)
        }
    return state


def _changes(before, after) -> dict[str, dict]:
    """{label: {"added": [rows by id], "changed": {id: row}, "removed": [ids]}}."""
    diff = {}
    for label, rows in after.items():
        old = before.get(label, {})
        added = [rows[pk] for pk in sorted(set(rows) - set(old))]
        changed = {pk: row for pk, row in rows.items() if pk in old and old[pk] != row}
        removed = sorted(set(old) - set(rows))
        if added or changed or removed:
            diff[label] = {"added": added, "changed": changed, "removed": removed}
    return diff


def _normalize(diff: dict) -> dict:
    """Ids of rows created here become "<root label>#n" (n-th created); times and UUIDs blanked."""
    tokens: dict[str, dict] = {}
    for label, change in diff.items():
        model = apps.get_model(label)
        pk = model._meta.pk.attname
        root = _root(model)
        if root == label or root not in diff:
            for n, row in enumerate(change["added"]):
                tokens.setdefault(root, {})[row[pk]] = f"{root}#{n}"
    content_types = {}

    def ref(root: str, value):
        found = tokens.get(root, {})
        if value in found:
            return found[value]
        if isinstance(value, str) and value.isdigit() and int(value) in found:
            return found[int(value)]
        return value

    def generic(row, name):
        from django.contrib.contenttypes.models import ContentType

        type_id = row.get("base_content_type_id") or row.get("content_type_id")
        if type_id not in content_types:
            content_types[type_id] = ContentType.objects.get_for_id(
                type_id
            ).model_class()
        return _root(content_types[type_id])

    def value_of(model, field, row):
        value = row[field.attname]
        if field.primary_key and not field.is_relation:
            return ref(_root(model), value)
        if (model._meta.label, field.attname) in ORDER_DEPENDENT:
            return "<order-dependent>"
        if field.is_relation and (field.many_to_one or field.one_to_one):
            return ref(_root(field.related_model), value)
        if (model._meta.label, field.attname) in ID_COLUMNS:
            return ref(ID_COLUMNS[(model._meta.label, field.attname)], value)
        if field.attname in GENERIC_IDS:
            return ref(generic(row, field.attname), value)
        if isinstance(field, models.IntegerField) and field.attname.endswith("_id"):
            raise AssertionError(
                f"{model._meta.label}.{field.attname} holds an id: map it"
            )
        if isinstance(value, datetime.datetime):
            return "<time>"
        if isinstance(value, uuid.UUID):
            return "<uuid>"
        if isinstance(field, models.JSONField):
            return content(value)
        return value

    def content(value, key=None):
        if isinstance(value, dict):
            return {k: content(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [content(v) for v in value]
        if key in ("pk", "page") and isinstance(value, int):
            return ref("wagtailcore.Page", value)
        if key == "translation_key" and value:
            return "<uuid>"
        return value

    normalized = {}
    for label, change in diff.items():
        if label in NOT_COMPARED:
            continue
        model = apps.get_model(label)
        fields = model._meta.concrete_fields

        def row_of(row, model=model, fields=fields):
            return {f.attname: value_of(model, f, row) for f in fields}

        added = [row_of(row) for row in change["added"]]
        # many-to-many links are a set, whatever the order they were inserted in
        if model._meta.auto_created:
            pk = model._meta.pk.attname
            added = sorted(({**row, pk: None} for row in added), key=repr)
        normalized[label] = {
            "added": added,
            "changed": sorted(
                (repr(ref(_root(model), pk)), repr(sorted(row_of(row).items())))
                for pk, row in change["changed"].items()
            ),
            "removed": change["removed"],
        }
    return normalized


def _effect(write) -> tuple[dict, dict]:
    """The normalized rows `write()` adds and changes, rolled back afterwards; and the raw diff."""
    with transaction.atomic():
        before = _snapshot()
        write()
        diff = _changes(before, _snapshot())
        transaction.set_rollback(True)
    return _normalize(diff), diff


def _assert_same(service: dict, bulk: dict, *, service_only=()):
    for label in service_only:
        service.pop(label, None)
    assert sorted(bulk) == sorted(service)
    for label in service:
        assert bulk[label]["removed"] == service[label]["removed"], label
        assert bulk[label]["changed"] == service[label]["changed"], label
        assert len(bulk[label]["added"]) == len(service[label]["added"]), label
        for ours, theirs in zip(
            bulk[label]["added"], service[label]["added"], strict=True
        ):
            assert ours == theirs, label


ENTRIES = [
    {"code": "S901", "title": "Sở Thử nghiệm Đô thị", "kind": "city_department"},
    {"code": "P901", "title": "UBND Phường Đa Kao", "kind": "ward"},
    {
        "code": "P902",
        "title": "UBND Phường Đa Kao",
        "kind": "ward",
    },  # same name: slug -2
]


@pytest.mark.django_db
def test_bulk_departments_are_what_create_department_makes():
    ensure_department_index()
    create_department(code="S900", title="Sở Có sẵn", kind="city_department")

    def service():
        for entry in ENTRIES:
            create_department(**entry)

    service_rows, raw = _effect(service)
    bulk_rows, _ = _effect(lambda: create_departments(ENTRIES))
    _assert_same(service_rows, bulk_rows)
    # what the comparison covers, so that an empty diff cannot pass
    for label, count in {
        "catalog.DepartmentPage": 3,
        "wagtailcore.Revision": 3,
        "wagtailcore.PageLogEntry": 6,
        "wagtailcore.Collection": 3,
        "auth.Group": 9,
        "wagtailcore.GroupPagePermission": 36,
        "wagtailcore.GroupCollectionPermission": 27,
        "guardian.GroupObjectPermission": 45,
        "wagtailcore.Workflow": 3,
        "wagtailcore.WorkflowPage": 3,
        "wagtailcore.GroupApprovalTask_groups": 9,
        "wagtailsearch.IndexEntry": 3,
    }.items():
        assert len(raw[label]["added"]) == count, label
    slugs = [row["slug"] for row in raw["catalog.DepartmentPage"]["added"]]
    assert slugs == [
        "so-thu-nghiem-do-thi",
        "ubnd-phuong-da-kao",
        "ubnd-phuong-da-kao-2",
    ]
    assert "catalog.SharedVersion" in raw  # the version token moved


@pytest.mark.django_db
def test_bulk_form_templates_are_what_saving_one_makes():
    owner = create_department(code="S910", title="Sở Mẫu biểu", kind="city_department")
    entries = [
        {"code": f"S910-M{k}", "name": f"Tờ khai {k}", "department": "S910"}
        for k in (1, 2)
    ]

    def service():
        for entry in entries:
            FormTemplate.objects.create(
                code=entry["code"], name=entry["name"], department=owner, version="1"
            )

    service_rows, raw = _effect(service)
    bulk_rows, _ = _effect(lambda: create_form_templates(entries, {"S910": owner}))
    _assert_same(service_rows, bulk_rows)
    assert len(raw["guardian.GroupObjectPermission"]["added"]) == 2 * 5


@pytest.mark.django_db
def test_bulk_procedures_are_what_create_procedure_makes():
    generated = plan(12, 2, seed=5, profile=load_profile(None))
    load(dataclasses.replace(generated, procedures=[]), verbose=False)
    departments = {d.code: d for d in DepartmentPage.objects.all()}
    items = [{**item, "updated": False} for item in generated.procedures]
    # two procedures of the same name in one department: the second slug carries its code
    items[1] = {
        **items[1],
        "title": items[0]["title"],
        "department": items[0]["department"],
    }

    def service():
        lists = shared_lists()
        for item in items:
            create_procedure(
                department=DepartmentPage.objects.get(code=item["department"]),
                data=procedure_data(item),
                publish=True,
                lists=lists,
            )

    service_rows, raw = _effect(service)
    bulk_rows, _ = _effect(
        lambda: create_procedures(items, departments=departments, lists=shared_lists())
    )
    _assert_same(service_rows, bulk_rows, service_only=SERVICE_ONLY_FOR_PROCEDURES)
    for label in (
        "catalog.ProcedurePage",
        "wagtailcore.Revision",
        "catalog.CatalogEvent",
        "catalog.ExecutionMethod",
        "catalog.RequiredDocument",
    ):
        assert len(raw[label]["added"]) >= 12, label
    slugs = [row["slug"] for row in raw["catalog.ProcedurePage"]["added"][:2]]
    assert slugs[1].startswith(slugs[0] + "-")


@pytest.mark.django_db
def test_bulk_grants_are_what_grant_role_makes(django_user_model):
    departments = create_departments(ENTRIES)
    actor = django_user_model.objects.create_superuser(
        "root", "r@example.invalid", "pw"
    )
    users = [django_user_model.objects.create(username=f"editor-{i}") for i in range(3)]
    grants = [
        (users[0], departments[0], "editor"),
        (users[1], departments[1], "moderator"),
        (users[2], departments[0], "department_admin"),
        (users[2], departments[2], "department_admin"),
    ]

    def service():
        for user, department, role in grants:
            grant_role(actor=actor, user=user, department=department, role=role)

    service_rows, raw = _effect(service)
    bulk_rows, _ = _effect(lambda: grant_roles(actor=actor, grants=grants))
    _assert_same(service_rows, bulk_rows)
    assert len(raw["catalog.DepartmentMembership"]["added"]) == 4
    assert len(raw["auth.User_groups"]["added"]) == 4
    assert len(raw["catalog.PermissionAuditEntry"]["added"]) == 4


@pytest.mark.django_db(transaction=False)
def test_loaded_catalog_is_a_valid_page_tree_served_by_the_site():
    generated = plan(60, 4, seed=11, profile=load_profile(None))
    counts = load(generated, verbose=False)
    assert counts["procedures"] == 60
    assert Page.find_problems() == ([], [], [], [], [])
    procedures = ProcedurePage.objects.live()
    assert procedures.count() == 60
    page = procedures.order_by("pk").first()
    item = next(
        p for p in generated.procedures if p["national_code"] == page.national_code
    )
    assert page.live_revision_id and page.latest_revision_id == page.live_revision_id
    restored = page.live_revision.as_object()
    assert [m.channel for m in restored.execution_methods.all()] == [
        m["channel"] for m in item["execution_methods"]
    ]
    assert page.get_parent().specific.code == item["department"]
    assert CatalogEvent.objects.filter(page_id=page.pk, action="published").count() == 1
    updated = [p for p in generated.procedures if p["updated"]]
    assert CatalogEvent.objects.filter(action="updated").count() == len(updated)
    response = Client().get(page.url)
    assert response.status_code == 200
    assert page.title in response.content.decode()

"""Granting and revoking roles: effect on the next request, nothing left behind, audit trail."""

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import pytest
from guardian.models import GroupObjectPermission, UserObjectPermission

from catalog.models import (
    AuditKind,
    DepartmentMembership,
    FormTemplate,
    PermissionAuditEntry,
)
from catalog.permissions import (
    CATALOG_ADMIN_GROUP,
    can,
    departments_user_can,
    editable_procedures,
    is_catalog_admin,
)
from catalog.services.roles import grant_catalog_admin, grant_role, revoke_role
from tests.factories import make_department, make_procedure
from tests.permissions.world import build_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def edit_status(user, page):
    client = Client()
    client.force_login(user)
    return client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).status_code


def test_a_grant_works_on_the_next_request_and_a_revoke_removes_every_grant(world):
    user = make_user("new-editor")
    # Another department's page: the admin guard refuses before Wagtail's view (403, audited).
    assert edit_status(user, world.draft_a) == 403

    grant_role(actor=world.root, user=user, department=world.a, role="editor")
    assert edit_status(user, world.draft_a) == 200
    assert edit_status(user, world.draft_b) == 403

    revoke_role(actor=world.root, user=user, department=world.a)
    assert edit_status(user, world.draft_a) == 403
    assert not user.groups.exists()
    assert not DepartmentMembership.objects.filter(user=user).exists()
    assert not UserObjectPermission.objects.filter(user=user).exists()
    fresh = type(user).objects.get(pk=user.pk)
    assert not departments_user_can(fresh, "view").exists()
    assert not can(fresh, "edit", world.draft_a)
    assert list(
        PermissionAuditEntry.objects.filter(subject_name="new-editor")
        .order_by("id")
        .values_list("kind", "department_code", "actor_name")
    ) == [(AuditKind.GRANTED, "STP", "root"), (AuditKind.REVOKED, "STP", "root")]


def test_a_new_role_replaces_the_old_one_in_that_department(world):
    user = world.users["editor"]
    assert not can(user, "publish", world.live_a)
    grant_role(actor=world.root, user=user, department=world.a, role="moderator")
    fresh = type(user).objects.get(pk=user.pk)
    assert can(fresh, "publish", world.live_a)
    assert list(fresh.groups.values_list("name", flat=True)) == [
        "STP · Kiểm duyệt viên"
    ]
    assert DepartmentMembership.objects.get(user=user).role == "moderator"


def test_department_admin_grants_only_in_their_department_and_never_catalog_admin(
    world,
):
    admin = world.users["department_admin"]
    target = make_user("target")
    with pytest.raises(PermissionDenied):
        grant_role(actor=admin, user=target, department=world.b, role="editor")
    with pytest.raises(PermissionDenied):
        grant_catalog_admin(actor=admin, user=target)
    with pytest.raises(PermissionDenied):
        grant_role(actor=admin, user=target, department=world.a, role="superuser")
    assert not target.groups.exists()
    assert (
        PermissionAuditEntry.objects.filter(
            kind=AuditKind.DENIED, actor_name="department_admin"
        ).count()
        == 3
    )

    grant_role(actor=admin, user=target, department=world.a, role="department_admin")
    assert can(type(target).objects.get(pk=target.pk), "manage_members", world.a)


def test_the_roles_screen_refuses_a_catalog_admin_grant_from_a_department_admin(world):
    target = make_user("target")
    client = Client()
    client.force_login(world.users["department_admin"])
    page = client.get(reverse("catalog_memberships"))
    assert page.status_code == 200
    assert "catalog_admin" not in page.content.decode()
    response = client.post(
        reverse("catalog_memberships"),
        {"username": "target", "role": "catalog_admin", "department": ""},
    )
    # Wagtail's admin turns PermissionDenied into "no permission" and a redirect to the dashboard.
    assert (response.status_code, response["Location"]) == (
        302,
        reverse("wagtailadmin_home"),
    )
    assert not target.groups.filter(name=CATALOG_ADMIN_GROUP).exists()
    assert PermissionAuditEntry.objects.filter(
        kind=AuditKind.DENIED, actor_name="department_admin"
    ).exists()


def test_catalog_admins_read_the_audit_log_and_department_admins_cannot(world):
    denied = Client()
    denied.force_login(world.users["editor"])
    denied.post(reverse("wagtailadmin_pages:delete", args=[world.live_b.pk]))

    client = Client()
    client.force_login(world.users["catalog_admin"])
    body = client.get(reverse("catalog_audit_log"), {"kind": "denied"}).content.decode()
    assert f"/admin/pages/{world.live_b.pk}/delete/" in body
    assert "editor" in body

    other = Client()
    other.force_login(world.users["department_admin"])
    refused = other.get(reverse("catalog_audit_log"))
    assert (refused.status_code, refused["Location"]) == (
        302,
        reverse("wagtailadmin_home"),
    )


def test_form_template_permissions_follow_its_department(world):
    template = FormTemplate.objects.get(pk=world.template_a.pk)
    admin_a, admin_b = world.users["department_admin"], make_user("admin-b")
    grant_role(
        actor=world.root, user=admin_b, department=world.b, role="department_admin"
    )
    assert can(admin_a, "change", template)

    template.department = world.b
    template.save()
    fresh_a = type(admin_a).objects.get(pk=admin_a.pk)
    fresh_b = type(admin_b).objects.get(pk=admin_b.pk)
    assert not can(fresh_a, "change", template)
    assert can(fresh_b, "change", template)
    assert (
        GroupObjectPermission.objects.filter(
            object_pk=str(template.pk), group__name__startswith="STP"
        ).count()
        == 0
    )


def test_model_wide_permissions_open_no_department(world):
    outsider = world.users["global_perms"]
    assert outsider.has_perm(
        "catalog.change_formtemplate"
    )  # the global grant is real...
    assert not can(
        outsider, "change", world.template_a
    )  # ...and counts for nothing here
    assert not can(outsider, "edit", world.draft_a)
    assert not can(outsider, "import", world.a)
    assert not departments_user_can(outsider, "edit").exists()
    assert not editable_procedures(outsider).exists()
    assert not is_catalog_admin(outsider)


def test_catalog_admin_group_holds_every_department(world):
    admin = world.users["catalog_admin"]
    assert admin.groups.filter(name=CATALOG_ADMIN_GROUP).exists()
    assert Group.objects.get(name=CATALOG_ADMIN_GROUP).page_permissions.exists()
    for page in (world.draft_a, world.draft_b):
        assert can(admin, "publish", page)
        assert can(admin, "delete", page)


def test_editable_procedures_agrees_with_can(world):
    for role in (
        "editor",
        "moderator",
        "department_admin",
        "catalog_admin",
        "global_perms",
    ):
        user = world.users[role]
        listed = set(editable_procedures(user).values_list("pk", flat=True))
        for page in (world.live_a, world.draft_a, world.live_b, world.draft_b):
            assert (page.pk in listed) == can(user, "edit", page), (role, page.title)


def count_queries(user) -> int:
    fresh = type(user).objects.get(pk=user.pk)
    with CaptureQueriesContext(connection) as queries:
        rows = list(editable_procedures(fresh))
    assert rows
    return len(queries)


def test_editable_procedures_is_one_query_plus_a_constant(db):
    root = type(make_user("x")).objects.create_superuser(
        "root2", "r@example.invalid", "pw"
    )
    user = make_user("busy-editor")
    departments = []
    counts = []
    for size in (1, 4, 12):
        while len(departments) < size:
            n = len(departments)
            department = make_department(code=f"D{n:03d}", title=f"Đơn vị {n}")
            make_procedure(
                department=department, national_code=f"3.{n:06d}", title=f"Thủ tục {n}"
            )
            grant_role(actor=root, user=user, department=department, role="editor")
            departments.append(department)
        counts.append(count_queries(user))
        assert editable_procedures(user).count() == size
    print(f"editable_procedures queries at 1/4/12 departments: {counts}")
    assert counts[0] == counts[1] == counts[2]
    assert counts[0] <= 2  # the catalog-admin group check, then the listing itself


def test_the_department_tree_itself_belongs_to_catalog_admins(world):
    for role in ("editor", "moderator", "department_admin"):
        user = world.users[role]
        assert can(user, "edit", world.a)  # work on the department's procedures...
        for action in ("delete", "move", "copy", "lock"):
            assert not can(user, action, world.a), (
                role,
                action,
            )  # ...not the department
    assert can(world.users["catalog_admin"], "delete", world.a)

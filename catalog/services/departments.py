"""Creating departments with everything a department needs to work on its own."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from catalog.models import DepartmentIndexPage, DepartmentPage

ROLE_PAGE_PERMISSIONS = {
    "editor": ["add_page", "change_page"],
    "moderator": [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    ],
    "department_admin": [
        "add_page",
        "change_page",
        "publish_page",
        "lock_page",
        "unlock_page",
    ],
}
ROLE_DOCUMENT_PERMISSIONS = {
    "editor": ["add_document", "choose_document"],
    "moderator": ["add_document", "change_document", "choose_document"],
    "department_admin": [
        "add_document",
        "change_document",
        "delete_document",
        "choose_document",
    ],
}
ROLE_LABELS = {
    "editor": "Biên tập viên",
    "moderator": "Kiểm duyệt viên",
    "department_admin": "Quản trị đơn vị",
}


def role_group_name(department: DepartmentPage, role: str) -> str:
    return f"{department.code} · {ROLE_LABELS[role]}"


def ensure_department_index(*, title: str = "Cơ quan thực hiện") -> DepartmentIndexPage:
    index = DepartmentIndexPage.objects.first()
    if index:
        return index
    from cms.models import HomePage
    from cms.setup import ensure_base_tree

    ensure_base_tree()  # an emptied database (flush) has no home page to hang departments on
    home = HomePage.objects.first()
    index = DepartmentIndexPage(title=title, slug="co-quan")
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@transaction.atomic
def create_department(
    *, code: str, title: str, kind: str, publish: bool = True, **fields
) -> DepartmentPage:
    """A department page with its document collection, role groups and two-step workflow."""
    index = ensure_department_index()
    department = DepartmentPage(code=code, title=title, kind=kind, **fields)
    index.add_child(instance=department)
    revision = department.save_revision()
    if publish:
        revision.publish()
    ensure_department_setup(department)
    return department


@transaction.atomic
def ensure_department_setup(department: DepartmentPage) -> dict[str, Group]:
    """Idempotently give a department its collection, groups, page/collection permissions and workflow."""
    if department.collection_id is None:
        root = Collection.get_first_root_node()
        collection = root.add_child(
            name=f"{department.code} – {department.title}"[:255]
        )
        DepartmentPage.objects.filter(pk=department.pk).update(collection=collection)
        department.collection = collection
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    groups = {}
    for role in ROLE_LABELS:
        group, _ = Group.objects.get_or_create(name=role_group_name(department, role))
        group.permissions.add(access_admin)
        for codename in ROLE_PAGE_PERMISSIONS[role]:
            permission = Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            )
            GroupPagePermission.objects.get_or_create(
                group=group, page=department, permission=permission
            )
        for codename in ROLE_DOCUMENT_PERMISSIONS[role]:
            permission = Permission.objects.get(
                content_type__app_label="wagtaildocs", codename=codename
            )
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=department.collection, permission=permission
            )
        groups[role] = group
    _ensure_workflow(
        department, approvers=[groups["moderator"], groups["department_admin"]]
    )
    from catalog.services.roles import (
        add_catalog_admins_to_review,
        ensure_catalog_admin_group,
        sync_department_object_permissions,
    )

    sync_department_object_permissions(department=department, groups=groups)
    add_catalog_admins_to_review(
        department=department, group=ensure_catalog_admin_group()
    )
    return groups


def _ensure_workflow(department: DepartmentPage, *, approvers: list[Group]) -> Workflow:
    """Editor submits, the department's own moderators approve and publish."""
    existing = (
        WorkflowPage.objects.filter(page=department).select_related("workflow").first()
    )
    if existing:
        return existing.workflow
    task = GroupApprovalTask.objects.create(name=f"Kiểm duyệt – {department.code}")
    task.groups.set(approvers)
    workflow = Workflow.objects.create(name=f"Duyệt thủ tục – {department.code}")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.create(workflow=workflow, page=department)
    return workflow

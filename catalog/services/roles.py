"""Granting and revoking roles: memberships, role groups and object permissions change together."""

from __future__ import annotations

from contextvars import ContextVar

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
)

from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm

from catalog.models import (
    AuditKind,
    DepartmentIndexPage,
    DepartmentMembership,
    DepartmentPage,
    FormTemplate,
    PermissionAuditEntry,
    Role,
)
from catalog.permissions import (
    CATALOG_ADMIN_GROUP,
    ROLE_DEPARTMENT_PERMISSIONS,
    ROLE_FORM_TEMPLATE_PERMISSIONS,
    SHARED_LIST_MODELS,
    can,
    is_catalog_admin,
)
from catalog.services.departments import ROLE_LABELS, role_group_name

CATALOG_ADMIN_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "bulk_delete_page",
    "lock_page",
    "unlock_page",
]
CATALOG_ADMIN_DOCUMENT_PERMISSIONS = [
    "add_document",
    "change_document",
    "delete_document",
    "choose_document",
]


# Refusals recorded during the current request: (entry id, fields). With ATOMIC_REQUESTS the refusal
# rolls back with the request, so DeniedWriteAuditMiddleware writes lost entries again afterwards.
denials_in_request: ContextVar[list | None] = ContextVar(
    "catalog_denials_in_request", default=None
)


def _name(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return "(ẩn danh)"
    return user.get_username()[:150]


def record_audit(
    *,
    kind: str,
    actor,
    action: str,
    subject=None,
    department: DepartmentPage | None = None,
    department_code: str = "",
    role: str = "",
    detail: str = "",
) -> PermissionAuditEntry:
    """Append one audit entry; callers outside a transaction keep it even when the write is refused."""
    return PermissionAuditEntry.objects.create(
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=_name(actor),
        subject_name=_name(subject) if subject is not None else "",
        department_code=(department.code if department else department_code)[:64],
        role=role[:32],
        action=action[:300],
        detail=detail[:4000],
    )


def record_denied(
    *,
    actor,
    action: str,
    department: DepartmentPage | None = None,
    department_code: str = "",
    detail: str = "",
) -> PermissionAuditEntry:
    """Record a refused write (import rows, grants, admin POSTs). Import/export call this too."""
    fields = {
        "kind": AuditKind.DENIED,
        "actor": actor,
        "action": action,
        "department": department,
        "department_code": department_code,
        "detail": detail,
    }
    entry = record_audit(**fields)
    pending = denials_in_request.get()
    if pending is not None:
        pending.append((entry.pk, fields))
    return entry


def rewrite_lost_denials(pending: list) -> None:
    """Write again the refusals whose rows a rolled-back request transaction took with it."""
    existing = set(
        PermissionAuditEntry.objects.filter(
            pk__in=[pk for pk, _ in pending]
        ).values_list("pk", flat=True)
    )
    for pk, fields in pending:
        if pk not in existing:
            record_audit(**fields)


def _department_groups(department: DepartmentPage) -> dict[str, Group]:
    names = {role_group_name(department, role): role for role in ROLE_LABELS}
    groups = {names[g.name]: g for g in Group.objects.filter(name__in=names)}
    if len(groups) < len(names):
        from catalog.services.departments import ensure_department_setup

        groups = ensure_department_setup(department)
    return groups


def sync_department_object_permissions(
    *, department: DepartmentPage, groups: dict[str, Group]
) -> None:
    """Give each role group its guardian permissions on the department and its form templates."""
    for role, group in groups.items():
        for codename in ROLE_DEPARTMENT_PERMISSIONS[role]:
            assign_perm(f"catalog.{codename}", group, department)
    for form_template in FormTemplate.objects.filter(department=department):
        sync_form_template_permissions(form_template=form_template, groups=groups)


def sync_form_template_permissions(
    *, form_template: FormTemplate, groups: dict[str, Group] | None = None
) -> None:
    """Replace a form template's group object permissions by those of its department's roles."""
    content_type = ContentType.objects.get_for_model(FormTemplate)
    GroupObjectPermission.objects.filter(
        content_type=content_type, object_pk=str(form_template.pk)
    ).delete()
    if groups is None:
        groups = _department_groups(form_template.department)
    for role, group in groups.items():
        for codename in ROLE_FORM_TEMPLATE_PERMISSIONS[role]:
            assign_perm(f"catalog.{codename}", group, form_template)


def _search_tuning_models() -> list:
    """Synonyms and best bets: the search tuning screens (read once the apps are loaded)."""
    from django.apps import apps

    return [apps.get_model("search", name) for name in ("Synonym", "BestBet")]


@transaction.atomic
def ensure_catalog_admin_group() -> Group:
    """The city-wide administrators' group with every catalog permission, on every department."""
    group, _ = Group.objects.get_or_create(name=CATALOG_ADMIN_GROUP)
    from catalog.models import PermissionAuditEntry as Audit

    models = [
        *SHARED_LIST_MODELS,
        FormTemplate,
        DepartmentMembership,
        Audit,
        *_search_tuning_models(),
    ]
    content_types = ContentType.objects.get_for_models(*models).values()
    group.permissions.add(
        *Permission.objects.filter(content_type__in=content_types),
        Permission.objects.get(
            content_type__app_label="wagtailadmin", codename="access_admin"
        ),
    )
    index = DepartmentIndexPage.objects.first()
    if index is not None:
        for codename in CATALOG_ADMIN_PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=index,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    root = Collection.get_first_root_node()
    if root is not None:
        for codename in CATALOG_ADMIN_DOCUMENT_PERMISSIONS:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=root,
                permission=Permission.objects.get(
                    content_type__app_label="wagtaildocs", codename=codename
                ),
            )
    return group


def add_catalog_admins_to_review(*, department: DepartmentPage, group: Group) -> None:
    """Catalog administrators may act on every department's moderation tasks, not only publish."""
    tasks = GroupApprovalTask.objects.filter(
        workflow_tasks__workflow__workflow_pages__page=department
    )
    for task in tasks:
        task.groups.add(group)


def can_grant(actor, *, department: DepartmentPage, role: str) -> bool:
    """Catalog administrators grant anywhere; department admins only in their own department."""
    if role not in Role.values:
        return False
    return is_catalog_admin(actor) or can(actor, "manage_members", department)


def _refuse(actor, action: str, department=None, detail: str = ""):
    record_denied(actor=actor, action=action, department=department, detail=detail)
    raise PermissionDenied(detail or action)


def grant_role(
    *, actor, user, department: DepartmentPage, role: str
) -> DepartmentMembership:
    """Give `user` exactly `role` in `department` (replacing any other role there)."""
    if not can_grant(actor, department=department, role=role):
        _refuse(
            actor,
            f"grant {role}",
            department,
            f"{_name(actor)} may not grant {role!r} to {_name(user)} in {department.code}",
        )
    return _apply_grant(actor=actor, user=user, department=department, role=role)


@transaction.atomic
def _apply_grant(*, actor, user, department, role) -> DepartmentMembership:
    membership, _ = DepartmentMembership.objects.update_or_create(
        user=user, department=department, defaults={"role": role, "granted_by": actor}
    )
    groups = _department_groups(department)
    user.groups.remove(*groups.values())
    user.groups.add(groups[role])
    record_audit(
        kind=AuditKind.GRANTED,
        actor=actor,
        subject=user,
        department=department,
        role=role,
        action=f"grant {role}",
    )
    return membership


def revoke_role(*, actor, user, department: DepartmentPage) -> bool:
    """Take away every grant `user` holds in `department`; True when there was something to revoke."""
    if not (is_catalog_admin(actor) or can(actor, "manage_members", department)):
        _refuse(
            actor,
            "revoke",
            department,
            f"{_name(actor)} may not revoke roles of {_name(user)} in {department.code}",
        )
    return _apply_revoke(actor=actor, user=user, department=department)


@transaction.atomic
def _apply_revoke(*, actor, user, department) -> bool:
    deleted, _ = DepartmentMembership.objects.filter(
        user=user, department=department
    ).delete()
    user.groups.remove(*_department_groups(department).values())
    # Direct per-user grants (e.g. made by hand in a shell) go too: revoking leaves nothing behind.
    for model, pks in (
        (DepartmentPage, [department.pk]),
        (
            FormTemplate,
            list(
                FormTemplate.objects.filter(department=department).values_list(
                    "pk", flat=True
                )
            ),
        ),
    ):
        UserObjectPermission.objects.filter(
            user=user,
            content_type=ContentType.objects.get_for_model(model),
            object_pk__in=[str(pk) for pk in pks],
        ).delete()
    record_audit(
        kind=AuditKind.REVOKED,
        actor=actor,
        subject=user,
        department=department,
        action="revoke",
        detail="" if deleted else "không có vai trò để thu hồi",
    )
    return bool(deleted)


def grant_catalog_admin(*, actor, user) -> None:
    """Only catalog administrators (or superusers) make catalog administrators."""
    if not is_catalog_admin(actor):
        _refuse(actor, "grant catalog_admin", None, f"target {_name(user)}")
    with transaction.atomic():
        user.groups.add(ensure_catalog_admin_group())
        record_audit(
            kind=AuditKind.GRANTED,
            actor=actor,
            subject=user,
            role="catalog_admin",
            action="grant catalog_admin",
        )


def revoke_catalog_admin(*, actor, user) -> None:
    if not is_catalog_admin(actor):
        _refuse(actor, "revoke catalog_admin", None, f"target {_name(user)}")
    with transaction.atomic():
        group = Group.objects.filter(name=CATALOG_ADMIN_GROUP).first()
        if group:
            user.groups.remove(group)
        record_audit(
            kind=AuditKind.REVOKED,
            actor=actor,
            subject=user,
            role="catalog_admin",
            action="revoke catalog_admin",
        )

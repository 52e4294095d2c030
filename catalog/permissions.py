"""The one answer to "may user U do action A on object O", for the admin, import/export and the APIs.

Department memberships (catalog.models.DepartmentMembership) put users in their department's role
groups; those groups hold django-guardian object permissions on the DepartmentPage and on each of
its FormTemplates, and Wagtail page/collection permissions on the department's subtree. Every check
here reads those grants; model-wide (global) Django permissions never open a department's objects.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.db.models.functions import Length, Substr

from wagtail.models import Page
from wagtail.permission_policies.base import BasePermissionPolicy

from guardian.core import ObjectPermissionChecker
from guardian.shortcuts import get_objects_for_user

from catalog.models import (
    DepartmentIndexPage,
    DepartmentMembership,
    DepartmentPage,
    Field,
    FormTemplate,
    LegalDocument,
    Level,
    LifeEvent,
    ProcedurePage,
    PublicHoliday,
    Result,
    SubjectType,
)

CATALOG_ADMIN_GROUP = "Quản trị danh mục"

SHARED_LIST_MODELS = (
    Field,
    Level,
    SubjectType,
    LifeEvent,
    Result,
    LegalDocument,
    PublicHoliday,
)

# Department-level actions -> the guardian codename each one needs on the DepartmentPage.
DEPARTMENT_ACTIONS = {
    "view": "view_departmentpage",
    "edit": "edit_procedures",
    "create": "edit_procedures",
    "submit": "edit_procedures",
    "publish": "publish_procedures",
    "unpublish": "publish_procedures",
    "import": "import_procedures",
    "export": "export_procedures",
    "manage_members": "manage_members",
    "manage_form_templates": "manage_form_templates",
}

_EDITOR = ["view_departmentpage", "edit_procedures", "export_procedures"]
_MODERATOR = _EDITOR + ["publish_procedures", "import_procedures"]
ROLE_DEPARTMENT_PERMISSIONS = {
    "editor": _EDITOR,
    "moderator": _MODERATOR,
    "department_admin": _MODERATOR + ["manage_members", "manage_form_templates"],
}
ROLE_FORM_TEMPLATE_PERMISSIONS = {
    "editor": ["view_formtemplate"],
    "moderator": ["view_formtemplate"],
    "department_admin": [
        "view_formtemplate",
        "change_formtemplate",
        "delete_formtemplate",
    ],
}

# Form template actions (Wagtail's names included) -> guardian codename on the FormTemplate.
FORM_TEMPLATE_ACTIONS = {
    "view": "view_formtemplate",
    "choose": "view_formtemplate",
    "inspect": "view_formtemplate",
    "change": "change_formtemplate",
    "edit": "change_formtemplate",
    "delete": "delete_formtemplate",
}

# Page actions answered by Wagtail's own page permission tester, which reads the group page
# permissions that catalog.services.roles keeps in step with memberships.
_PAGE_ACTIONS = {
    "edit": lambda t: t.can_edit(),
    "submit": lambda t: t.can_edit(),
    "create": lambda t: t.can_add_subpage(),
    "publish": lambda t: t.can_publish(),
    "unpublish": lambda t: t.can_unpublish(),
    "delete": lambda t: t.can_delete(),
    "move": lambda t: t.can_move(),
    "copy": lambda t: t.can_copy(),
    "lock": lambda t: t.can_lock(),
    "unlock": lambda t: t.can_unlock(),
    "view_draft": lambda t: t.can_edit() or t.can_publish(),
    "preview": lambda t: t.can_edit() or t.can_publish(),
    "history": lambda t: t.can_edit() or t.can_publish(),
}


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_catalog_admin(user) -> bool:
    """Superusers and members of the catalog administrators' group; cached for the request's user."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_catalog_admin_cache", None)
    if cached is None:
        cached = user.groups.filter(name=CATALOG_ADMIN_GROUP).exists()
        user._catalog_admin_cache = cached
    return cached


def is_catalog_staff(user) -> bool:
    """Anyone who works in the catalog: a catalog administrator or a member of some department."""
    if is_catalog_admin(user):
        return True
    if not _active(user):
        return False
    cached = getattr(user, "_catalog_member_cache", None)
    if cached is None:
        cached = DepartmentMembership.objects.filter(user=user).exists()
        user._catalog_member_cache = cached
    return cached


def _checker(user) -> ObjectPermissionChecker:
    checker = getattr(user, "_catalog_checker", None)
    if checker is None:
        checker = ObjectPermissionChecker(user)
        user._catalog_checker = checker
    return checker


def departments_user_can(user, action: str) -> QuerySet[DepartmentPage]:
    """The departments where `user` may do `action` (a key of DEPARTMENT_ACTIONS); lazy, one query."""
    codename = DEPARTMENT_ACTIONS[action]
    if not _active(user):
        return DepartmentPage.objects.none()
    if is_catalog_admin(user):
        return DepartmentPage.objects.all()
    return get_objects_for_user(
        user,
        f"catalog.{codename}",
        DepartmentPage.objects.all(),
        accept_global_perms=False,
    )


def department_of(obj) -> DepartmentPage | None:
    """The department that owns a page, form template or department; None for shared objects."""
    if isinstance(obj, DepartmentPage):
        return obj
    if isinstance(obj, FormTemplate):
        return obj.department
    if isinstance(obj, Page):
        steplen = Page.steplen
        prefixes = [
            obj.path[:end] for end in range(steplen, len(obj.path) + 1, steplen)
        ]
        return DepartmentPage.objects.filter(path__in=prefixes).first()
    return None


def can(user, action: str, obj) -> bool:
    """May `user` do `action` on `obj` (a page, department, form template or shared list entry)?"""
    if not _active(user):
        return False
    if isinstance(obj, SHARED_LIST_MODELS) or obj in SHARED_LIST_MODELS:
        if action in ("view", "choose"):
            return is_catalog_staff(user)
        return is_catalog_admin(user)
    if isinstance(obj, FormTemplate):
        if is_catalog_admin(user):
            return True
        codename = FORM_TEMPLATE_ACTIONS.get(action)
        return bool(codename) and _checker(user).has_perm(codename, obj)
    if isinstance(obj, Page) and action in _PAGE_ACTIONS:
        if isinstance(obj, DepartmentPage) and action in DEPARTMENT_ACTIONS:
            pass  # department-level actions (e.g. "publish" procedures of it) go to guardian
        elif isinstance(obj, DepartmentPage | DepartmentIndexPage):
            return is_catalog_admin(
                user
            )  # the department tree itself (delete, move, lock...)
        else:
            if department_of(obj) is None and not is_catalog_admin(user):
                return False
            return _PAGE_ACTIONS[action](obj.permissions_for_user(user))
    department = department_of(obj)
    codename = DEPARTMENT_ACTIONS.get(action)
    if department is None or codename is None:
        return False
    if is_catalog_admin(user):
        return True
    return _checker(user).has_perm(codename, department)


def editable_procedures(user) -> QuerySet[ProcedurePage]:
    """Procedures `user` may edit: one query however many departments or grants exist."""
    procedures = ProcedurePage.objects.all()
    if not _active(user):
        return procedures.none()
    if is_catalog_admin(user):
        return procedures
    departments = departments_user_can(user, "edit").values("path")
    return procedures.annotate(
        _department_path=Substr("path", 1, Length("path") - Page.steplen)
    ).filter(_department_path__in=departments)


def visible_page_filter(user) -> Q:
    """Pages a user may see in choosers and listings: everything live, plus drafts of their departments."""
    if is_catalog_admin(user):
        return Q()
    paths = list(departments_user_can(user, "view").values_list("path", flat=True))
    condition = Q(live=True)
    for path in paths:
        condition |= Q(path__startswith=path)
    return condition


def may_see_unpublished(user, page: Page) -> bool:
    """Drafts (and draft titles) of a page are for its department's members and catalog admins."""
    if is_catalog_admin(user):
        return True
    if not _active(user):
        return False
    paths = getattr(user, "_catalog_view_paths", None)
    if paths is None:
        paths = tuple(departments_user_can(user, "view").values_list("path", flat=True))
        user._catalog_view_paths = paths
    return page.path.startswith(paths) if paths else False


def users_who_can(action: str, department: DepartmentPage) -> QuerySet:
    """Users holding a department-level action there (catalog administrators included)."""
    from catalog.services.roles import role_group_name

    codename = DEPARTMENT_ACTIONS[action]
    roles = [
        role for role, perms in ROLE_DEPARTMENT_PERMISSIONS.items() if codename in perms
    ]
    group_names = [role_group_name(department, role) for role in roles]
    return (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True)
            | Q(groups__name=CATALOG_ADMIN_GROUP)
            | Q(groups__name__in=group_names)
        )
        .filter(is_active=True)
        .distinct()
    )


class SharedListPermissionPolicy(BasePermissionPolicy):
    """Shared lists: every catalog staff member may view and choose, only catalog administrators write."""

    def user_has_permission(self, user, action):
        return can(user, action, self.model)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        admins = Q(is_superuser=True) | Q(groups__name=CATALOG_ADMIN_GROUP)
        if set(actions) & {"view", "choose"}:
            admins |= Q(department_memberships__isnull=False)
        return users.filter(admins).distinct()


class FormTemplatePermissionPolicy(BasePermissionPolicy):
    """Form templates: guardian object permissions decide each template; global perms don't count."""

    def user_has_permission(self, user, action):
        if not _active(user):
            return False
        if is_catalog_admin(user):
            return True
        if action in ("add", "change", "delete"):
            return departments_user_can(user, "manage_form_templates").exists()
        if action in ("view", "choose", "inspect"):
            return is_catalog_staff(user)
        return False

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return can(user, action, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(can(user, action, instance) for action in actions)

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])

    def instances_user_has_any_permission_for(self, user, actions):
        if not _active(user):
            return FormTemplate.objects.none()
        if is_catalog_admin(user):
            return FormTemplate.objects.all()
        codenames = sorted(
            {FORM_TEMPLATE_ACTIONS[a] for a in actions if a in FORM_TEMPLATE_ACTIONS}
        )
        if not codenames:
            return FormTemplate.objects.none()
        return get_objects_for_user(
            user,
            [f"catalog.{codename}" for codename in codenames],
            FormTemplate.objects.all(),
            any_perm=True,
            accept_global_perms=False,
        )

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        return users.filter(
            Q(is_superuser=True)
            | Q(groups__name=CATALOG_ADMIN_GROUP)
            | Q(department_memberships__role="department_admin")
        ).distinct()

    def users_with_any_permission_for_instance(self, actions, instance):
        return users_who_can("manage_form_templates", instance.department)


def catalog_admin_group() -> Group | None:
    return Group.objects.filter(name=CATALOG_ADMIN_GROUP).first()

"""Admin screens and view classes that apply catalog.permissions to Wagtail's generic views."""

from django import forms
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.permissions import policy_registry
from wagtail.snippets.views import chooser as snippet_chooser
from wagtail.snippets.views import snippets as snippet_views

from catalog.models import (
    AuditKind,
    DepartmentMembership,
    DepartmentPage,
    FormTemplate,
    PermissionAuditEntry,
    Role,
)
from catalog.permissions import (
    can,
    departments_user_can,
    is_catalog_admin,
)
from catalog.request_values import is_id
from catalog.services import roles as role_services

CATALOG_ADMIN_CHOICE = "catalog_admin"


# --- form templates: per-object scoping of every snippet view -------------------------------


class FormTemplateAdminForm(WagtailAdminModelForm):
    """A department admin can only file templates under the departments they manage."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "department" in self.fields and self.for_user is not None:
            self.fields["department"].queryset = departments_user_can(
                self.for_user, "manage_form_templates"
            ).order_by("title")


class InstanceScopedMixin:
    """Refuse any view on an object the user may not `instance_action`, whatever the URL."""

    instance_action = "change"

    def dispatch(self, request, *args, **kwargs):
        pk = kwargs.get("pk")
        if pk is not None:
            instance = get_object_or_404(self.model, pk=unquote(str(pk)))
            policy = policy_registry.get_by_type(self.model)
            if not policy.user_has_permission_for_instance(
                request.user, self.instance_action, instance
            ):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedIndexView(snippet_views.IndexView):
    def get_base_queryset(self):
        queryset = super().get_base_queryset()
        allowed = policy_registry.get_by_type(
            self.model
        ).instances_user_has_permission_for(self.request.user, "view")
        return queryset.filter(pk__in=allowed.values("pk"))


class DepartmentFieldScopedMixin:
    """A POST naming a department the user may not manage is a refused write (403, audited)."""

    def dispatch(self, request, *args, **kwargs):
        department_id = (
            request.POST.get("department", "") if request.method == "POST" else ""
        )
        if department_id:
            allowed = departments_user_can(request.user, "manage_form_templates")
            if not (
                is_id(department_id) and allowed.filter(pk=int(department_id)).exists()
            ):
                raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedCreateView(DepartmentFieldScopedMixin, snippet_views.CreateView):
    pass


class ScopedEditView(
    DepartmentFieldScopedMixin, InstanceScopedMixin, snippet_views.EditView
):
    instance_action = "change"


class ScopedDeleteView(InstanceScopedMixin, snippet_views.DeleteView):
    instance_action = "delete"


class ScopedUsageView(InstanceScopedMixin, snippet_views.UsageView):
    instance_action = "change"


class ScopedHistoryView(InstanceScopedMixin, snippet_views.HistoryView):
    instance_action = "change"


class ScopedInspectView(InstanceScopedMixin, snippet_views.InspectView):
    instance_action = "view"

    def get_field_display_value(self, field_name, field):
        """An empty field shows a dash: Wagtail would print Python's "None"."""
        value = super().get_field_display_value(field_name, field)
        return "—" if value is None else value


class ScopedChooseViewMixin:
    def get_object_list(self):
        return policy_registry.get_by_type(
            self.model_class
        ).instances_user_has_permission_for(self.request.user, "choose")


class ScopedChooseView(ScopedChooseViewMixin, snippet_chooser.ChooseView):
    pass


class ScopedChooseResultsView(ScopedChooseViewMixin, snippet_chooser.ChooseResultsView):
    pass


class ScopedChosenView(snippet_chooser.SnippetChosenView):
    def get_object(self, pk):
        instance = super().get_object(pk)
        if not can(self.request.user, "choose", instance):
            raise PermissionDenied
        return instance


class ScopedChosenMultipleView(snippet_chooser.SnippetChosenMultipleView):
    def get_objects(self, pks):
        allowed = policy_registry.get_by_type(
            self.model_class
        ).instances_user_has_permission_for(self.request.user, "choose")
        return allowed.filter(pk__in=pks)


class NoChooserCreationView(snippet_chooser.SnippetCreateView):
    """Objects are created in their own screens, where the department rules apply; never here."""

    def dispatch(self, request, *args, **kwargs):
        raise Http404


class ScopedChooserViewSet(snippet_chooser.SnippetChooserViewSet):
    create_view_class = NoChooserCreationView
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView


# --- memberships screen ---------------------------------------------------------------------


def _manageable_departments(user):
    return departments_user_can(user, "manage_members").order_by("title")


def _may_manage_members(user) -> bool:
    return is_catalog_admin(user) or _manageable_departments(user).exists()


class GrantForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    role = forms.ChoiceField(label=_("Vai trò"))
    department = forms.ModelChoiceField(
        label=_("Đơn vị"), queryset=DepartmentPage.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = _manageable_departments(user)
        choices = list(Role.choices)
        if is_catalog_admin(user):
            choices.append(
                (CATALOG_ADMIN_CHOICE, _("Quản trị danh mục (toàn thành phố)"))
            )
        self.fields["role"].choices = choices

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        try:
            return get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist:
            raise forms.ValidationError(
                _("Không có người dùng đang hoạt động với tên đăng nhập này.")
            ) from None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") != CATALOG_ADMIN_CHOICE and not cleaned.get(
            "department"
        ):
            self.add_error("department", _("Hãy chọn đơn vị."))
        return cleaned


def _refuse_forged_grant(request) -> None:
    """A role or department the form never offered this user is a refused write, not a typo."""
    user = request.user
    role = request.POST.get("role", "")
    department_id = request.POST.get("department", "")
    if role == CATALOG_ADMIN_CHOICE and not is_catalog_admin(user):
        role_services.record_denied(
            actor=user, action="grant catalog_admin", detail="role not offered"
        )
        raise PermissionDenied
    if department_id and not (
        is_id(department_id)
        and _manageable_departments(user).filter(pk=int(department_id)).exists()
    ):
        role_services.record_denied(
            actor=user,
            action=f"grant {role}"[:300],
            detail=f"department id {department_id[:20]} not managed by the actor",
        )
        raise PermissionDenied


def memberships(request):
    """List the roles the user may manage and grant new ones."""
    user = request.user
    if not _may_manage_members(user):
        raise PermissionDenied
    form = GrantForm(request.POST or None, user=user)
    if request.method == "POST":
        _refuse_forged_grant(request)
        if form.is_valid():
            target = form.cleaned_data["username"]
            role = form.cleaned_data["role"]
            if role == CATALOG_ADMIN_CHOICE:
                role_services.grant_catalog_admin(actor=user, user=target)
            else:
                role_services.grant_role(
                    actor=user,
                    user=target,
                    department=form.cleaned_data["department"],
                    role=role,
                )
            messages.success(request, _("Đã cấp quyền."))
            return redirect("catalog_memberships")
    queryset = DepartmentMembership.objects.select_related("user", "department")
    if not is_catalog_admin(user):
        queryset = queryset.filter(department__in=_manageable_departments(user))
    department_filter = request.GET.get("department", "")
    if is_id(department_filter):
        queryset = queryset.filter(department_id=int(department_filter))
    page = Paginator(
        queryset.order_by("department__title", "user__username"), 50
    ).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "catalog_admin/memberships.html",
        {"form": form, "page_obj": page, "departments": _manageable_departments(user)},
    )


@require_POST
def revoke_membership(request, pk: int):
    membership = (
        DepartmentMembership.objects.select_related("user", "department")
        .filter(pk=pk)
        .first()
    )
    if membership is None:
        raise Http404
    role_services.revoke_role(
        actor=request.user, user=membership.user, department=membership.department
    )
    messages.success(request, _("Đã thu hồi quyền."))
    return redirect(reverse("catalog_memberships"))


def audit_log(request):
    """Permission changes and refused writes; catalog administrators only."""
    if not is_catalog_admin(request.user):
        raise PermissionDenied
    queryset = PermissionAuditEntry.objects.all()
    kind = request.GET.get("kind", "")
    if kind in AuditKind.values:
        queryset = queryset.filter(kind=kind)
    page = Paginator(queryset, 100).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "catalog_admin/audit_log.html",
        {"page_obj": page, "kinds": AuditKind.choices, "kind": kind},
    )


def form_template_policy():
    return policy_registry.get_by_type(FormTemplate)

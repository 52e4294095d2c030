"""API keys in the Wagtail admin: only catalog administrators issue, revoke and set quotas."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import CreateView, EditView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy

from api.models import ApiKey
from api.services import issue_api_key, restore_api_key, revoke_api_key
from catalog.permissions import CATALOG_ADMIN_GROUP, is_catalog_admin


class ApiKeyPermissionPolicy(BasePermissionPolicy):
    """Every action on keys is the catalog administrators' alone."""

    def user_has_permission(self, user, action):
        return is_catalog_admin(user)

    def user_has_any_permission(self, user, actions):
        return is_catalog_admin(user)

    def users_with_any_permission(self, actions):
        return (
            get_user_model()
            .objects.filter(is_active=True)
            .filter(Q(is_superuser=True) | Q(groups__name=CATALOG_ADMIN_GROUP))
            .distinct()
        )


class ApiKeyForm(WagtailAdminModelForm):
    class Meta:
        model = ApiKey
        fields = ["name", "contact", "per_minute", "per_day"]

    def clean_per_minute(self):
        value = self.cleaned_data["per_minute"]
        if not value:
            raise forms.ValidationError(_("Hạn mức mỗi phút phải lớn hơn 0."))
        return value


class ApiKeyEditForm(ApiKeyForm):
    revoked = forms.BooleanField(
        label=_("Thu hồi khóa"),
        required=False,
        help_text=_("Khóa bị thu hồi bị từ chối ngay ở mọi yêu cầu."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revoked"].initial = self.instance.revoked_at is not None


class ApiKeyCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        key, self.raw_key = issue_api_key(
            name=data["name"],
            contact=data.get("contact", ""),
            per_minute=data["per_minute"],
            per_day=data.get("per_day"),
            created_by=self.request.user,
        )
        return key

    def save_action(self):
        """Show the key once, in this response: never in a message, a cookie or a redirect URL."""
        response = TemplateResponse(
            self.request,
            "api/admin/key_created.html",
            {
                "key": self.object,
                "raw_key": self.raw_key,
                "index_url": self.get_success_url(),
                "page_title": _("Khóa API mới"),
            },
        )
        add_never_cache_headers(response)
        return response


class ApiKeyEditView(EditView):
    def save_instance(self):
        key = super().save_instance()
        if self.form.cleaned_data.get("revoked"):
            revoke_api_key(key=key)
        elif key.revoked_at is not None:
            restore_api_key(key=key)
        return key


class ApiKeyViewSet(ModelViewSet):
    model = ApiKey
    icon = "key"
    menu_label = _("Khóa API")
    menu_order = 900
    add_to_admin_menu = True
    name = "api_keys"
    url_prefix = "api-keys"
    add_view_class = ApiKeyCreateView
    edit_view_class = ApiKeyEditView
    form_fields = ["name", "contact", "per_minute", "per_day"]
    copy_view_enabled = False
    inspect_view_enabled = False
    search_fields = ["name", "prefix", "contact"]
    list_display = [
        "name",
        Column("prefix", label=_("Tiền tố khóa")),
        Column("per_minute", label=_("Mỗi phút")),
        Column("per_day", label=_("Mỗi ngày")),
        Column("status_label", label=_("Trạng thái")),
        DateColumn("created_at", label=_("Cấp lúc")),
        DateColumn("last_used_at", label=_("Dùng gần nhất")),
    ]

    def get_form_class(self, for_update=False):
        return ApiKeyEditForm if for_update else ApiKeyForm


register_permission_policy(ApiKey, ApiKeyPermissionPolicy(ApiKey))


@hooks.register("register_admin_viewset")
def register_api_key_viewset():
    return ApiKeyViewSet()

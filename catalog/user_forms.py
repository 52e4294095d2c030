"""Wagtail's user screens without the role groups: roles are granted on the roles screen only.

docs/permissions.md: a role is a membership record, an audit entry and a group kept in step by
catalog.services.roles; ticking "STP · Biên tập viên" (or "Quản trị danh mục") on the user form would
skip the first two. The user form offers only the groups no role owns, and editing a user never
drops the role groups they hold.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet

from catalog.permissions import CATALOG_ADMIN_GROUP
from catalog.services.departments import ROLE_LABELS


def role_groups_q() -> Q:
    """The groups catalog.services.roles manages: "<code> · <role>" and the catalog administrators."""
    query = Q(name=CATALOG_ADMIN_GROUP)
    for label in ROLE_LABELS.values():
        query |= Q(name__endswith=f" · {label}")
    return query


def assignable_groups():
    return Group.objects.exclude(role_groups_q()).order_by("name")


class RoleGroupsKeptMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "groups" in self.fields:
            field = self.fields["groups"]
            field.queryset = assignable_groups()
            field.help_text = _(
                "Vai trò trong đơn vị (biên tập viên, kiểm duyệt viên, quản trị đơn vị) và "
                "quản trị danh mục được cấp ở màn hình Phân quyền đơn vị, không cấp ở đây."
            )

    def _save_m2m(self):
        held = (
            list(self.instance.groups.filter(role_groups_q()))
            if self.instance.pk
            else []
        )
        super()._save_m2m()
        if held:
            self.instance.groups.add(*held)


class CatalogUserCreationForm(RoleGroupsKeptMixin, UserCreationForm):
    pass


class CatalogUserEditForm(RoleGroupsKeptMixin, UserEditForm):
    pass


class CatalogUserViewSet(UserViewSet):
    def get_form_class(self, for_update=False):
        return CatalogUserEditForm if for_update else CatalogUserCreationForm


def lockout_message() -> str:
    """What a login locked by django-axes (cms.login_lockout) is told."""
    cool_off = settings.AXES_COOLOFF_TIME
    if cool_off:
        minutes = max(1, round(cool_off.total_seconds() / 60))
        return gettext(
            "Tài khoản tạm thời bị khóa vì đăng nhập sai quá nhiều lần. Vui lòng thử lại "
            "sau %(minutes)d phút, hoặc liên hệ quản trị viên danh mục để được mở khóa."
        ) % {"minutes": minutes}
    return gettext(
        "Tài khoản bị khóa vì đăng nhập sai quá nhiều lần. Vui lòng liên hệ quản trị "
        "viên danh mục để được mở khóa."
    )


class LoginForm(WagtailLoginForm):
    """Wagtail's login form names its password box from the field name ("Password"), untranslated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Mật khẩu")
        self.fields["remember"].label = _("Ghi nhớ đăng nhập")

    def clean(self):
        """A locked-out login (django-axes, cms.login_lockout) says so in Vietnamese, not "wrong password"."""
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise ValidationError(lockout_message(), code="locked_out") from None
            raise

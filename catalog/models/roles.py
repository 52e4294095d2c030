"""Who may work on which department, and the audit trail of every permission change or refusal."""

from django.conf import settings
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from catalog.models.forms import FormTemplate


class Role(models.TextChoices):
    EDITOR = "editor", _("Biên tập viên")
    MODERATOR = "moderator", _("Kiểm duyệt viên")
    DEPARTMENT_ADMIN = "department_admin", _("Quản trị đơn vị")


class DepartmentMembership(models.Model):
    """One role of one user in one department; the record the role groups and object permissions follow."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="department_memberships",
    )
    department = models.ForeignKey(
        "catalog.DepartmentPage",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("cấp lúc"), auto_now=True)

    class Meta:
        verbose_name = _("vai trò trong đơn vị")
        verbose_name_plural = _("vai trò trong đơn vị")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "department"], name="one_role_per_user_and_department"
            )
        ]
        ordering = ["department_id", "user_id"]

    def __str__(self):
        return f"{self.user} · {self.department} · {self.get_role_display()}"


class AuditKind(models.TextChoices):
    GRANTED = "granted", _("Cấp quyền")
    REVOKED = "revoked", _("Thu hồi quyền")
    DENIED = "denied", _("Bị từ chối")


class PermissionAuditEntry(models.Model):
    """Append-only: names are copied so the entry still reads after users or departments are gone."""

    occurred_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    kind = models.CharField(_("loại"), max_length=16, choices=AuditKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("tên người thực hiện"), max_length=150)
    subject_name = models.CharField(
        _("người được cấp/thu hồi"), max_length=150, blank=True
    )
    department_code = models.CharField(_("mã đơn vị"), max_length=64, blank=True)
    role = models.CharField(_("vai trò"), max_length=32, blank=True)
    action = models.CharField(_("hành động"), max_length=300, blank=True)
    detail = models.TextField(_("chi tiết"), blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("nhật ký phân quyền")
        verbose_name_plural = _("nhật ký phân quyền")

    def __str__(self):
        return f"{self.occurred_at:%d/%m/%Y %H:%M} {self.actor_name} {self.kind} {self.action}"


@receiver(post_save, sender=FormTemplate)
def _form_template_saved(sender, instance, **kwargs):
    """A form template's object permissions follow its department on every save."""
    from catalog.services.roles import sync_form_template_permissions

    sync_form_template_permissions(form_template=instance)

"""Form templates ("mẫu đơn, tờ khai"): reusable files that required documents point to."""

import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from catalog.models.departments import department_code_validator
from catalog.models.mixins import VisibleNamesMixin


class FormTemplate(VisibleNamesMixin, index.Indexed, models.Model):
    code = models.CharField(
        _("mã mẫu"),
        max_length=64,
        unique=True,
        validators=[department_code_validator],
        help_text=_("Ví dụ: CT01"),
    )
    name = models.CharField(_("tên mẫu"), max_length=500)
    department = models.ForeignKey(
        "catalog.DepartmentPage",
        verbose_name=_("đơn vị quản lý"),
        on_delete=models.PROTECT,
        related_name="form_templates",
    )
    document = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("tệp mẫu"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.CharField(_("phiên bản"), max_length=40, blank=True)
    effective_on = models.DateField(_("ngày áp dụng"), null=True, blank=True)
    sha256 = models.CharField(
        _("mã băm SHA-256"), max_length=64, blank=True, editable=False
    )
    size = models.PositiveBigIntegerField(
        _("dung lượng (byte)"), default=0, editable=False
    )
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("department"),
        FieldPanel("document"),
        FieldPanel("version"),
        FieldPanel("effective_on"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.FilterField("department"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("mẫu đơn, tờ khai")
        verbose_name_plural = _("mẫu đơn, tờ khai")

    def __str__(self):
        return f"{self.code} – {self.name}"

    def clean(self):
        super().clean()
        document = self.document
        if document and self.department_id and document.collection_id:
            collection_id = self.department.collection_id
            if collection_id and document.collection_id != collection_id:
                raise ValidationError(
                    {
                        "document": _(
                            "Tệp mẫu phải nằm trong thư mục tài liệu của đơn vị quản lý."
                        )
                    }
                )

    def save(self, *args, **kwargs):
        self.refresh_checksum()
        super().save(*args, **kwargs)

    def refresh_checksum(self) -> None:
        """Record the file's sha256 and size so clients can verify what they download."""
        if not self.document_id or not self.document.file:
            self.sha256, self.size = "", 0
            return
        digest = hashlib.sha256()
        size = 0
        with self.document.file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 16), b""):
                digest.update(chunk)
                size += len(chunk)
        self.sha256, self.size = digest.hexdigest(), size

    @property
    def file_extension(self) -> str:
        return self.document.file_extension.lower() if self.document_id else ""

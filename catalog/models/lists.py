"""Shared lists owned by the catalog administrator and visible to every editor."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.search import index

from catalog.models.mixins import VisibleNamesMixin


class CodedEntry(VisibleNamesMixin, index.Indexed, models.Model):
    code = models.CharField(_("mã"), max_length=64, unique=True)
    name = models.CharField(_("tên"), max_length=500)

    panels = [FieldPanel("code"), FieldPanel("name")]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
    ]

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class Field(CodedEntry):
    """A "lĩnh vực", e.g. G15-TP07 Hộ tịch."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")


class Level(CodedEntry):
    """An administrative level (central / province / commune); editable since the map changes."""

    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    panels = CodedEntry.panels + [FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("cấp thực hiện")
        verbose_name_plural = _("cấp thực hiện")


class SubjectType(CodedEntry):
    """Who may use a procedure: citizen, foreigner, enterprise..."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("đối tượng thực hiện")
        verbose_name_plural = _("đối tượng thực hiện")


class LifeEvent(CodedEntry):
    """A "nhóm dịch vụ" citizens browse by: birth, marriage, land, business..."""

    description = models.TextField(_("mô tả"), blank=True)
    panels = CodedEntry.panels + [FieldPanel("description")]

    class Meta(CodedEntry.Meta):
        verbose_name = _("sự kiện cuộc đời")
        verbose_name_plural = _("sự kiện cuộc đời")


class Result(CodedEntry):
    """What the citizen receives, e.g. "Giấy chứng nhận kết hôn"."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("kết quả thực hiện")
        verbose_name_plural = _("kết quả thực hiện")


class LegalDocument(VisibleNamesMixin, index.Indexed, models.Model):
    number = models.CharField(_("số, ký hiệu"), max_length=120, unique=True)
    title = models.TextField(_("trích yếu"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=300, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    effective_on = models.DateField(_("ngày hiệu lực"), null=True, blank=True)
    url = models.URLField(_("đường dẫn văn bản"), max_length=500, blank=True)
    visible_name_fields = ("number", "title")

    panels = [
        FieldPanel("number"),
        FieldPanel("title"),
        FieldPanel("issuer"),
        FieldPanel("issued_on"),
        FieldPanel("effective_on"),
        FieldPanel("url"),
    ]
    search_fields = [
        index.SearchField("number"),
        index.SearchField("title"),
        index.AutocompleteField("number"),
    ]

    class Meta:
        ordering = ["number"]
        verbose_name = _("văn bản pháp lý")
        verbose_name_plural = _("văn bản pháp lý")

    def __str__(self):
        return self.number


class PublicHoliday(VisibleNamesMixin, models.Model):
    """A non-working day; processing times in working days skip these and weekends."""

    date = models.DateField(_("ngày"), unique=True)
    name = models.CharField(_("tên ngày nghỉ"), max_length=200)

    panels = [FieldPanel("date"), FieldPanel("name")]

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ lễ")
        verbose_name_plural = _("ngày nghỉ lễ")

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.name}"

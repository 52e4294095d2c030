"""Departments: the permission unit. Every procedure and form template belongs to exactly one."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Page
from wagtail.search import index

from catalog.forms import CatalogPageForm
from catalog.models.mixins import VietnameseSlugMixin

department_code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
    _("Mã đơn vị chỉ gồm chữ không dấu, số, dấu chấm, gạch ngang hoặc gạch dưới."),
)


class DepartmentKind(models.TextChoices):
    CITY_DEPARTMENT = "city_department", _("Sở, ban, ngành thành phố")
    WARD = "ward", _("UBND phường, xã")
    SPECIAL_ZONE = "special_zone", _("Đặc khu")
    OTHER = "other", _("Khác")


class DepartmentIndexPage(Page):
    """The list of departments; one per site."""

    intro = models.TextField(_("giới thiệu"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["catalog.DepartmentPage"]
    max_count = 1
    template = "catalog/department_index_page.html"

    class Meta:
        verbose_name = _("danh sách cơ quan")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["departments"] = (
            DepartmentPage.objects.child_of(self)
            .live()
            .public()
            .order_by("kind", "title")
        )
        return context

    def route(self, request, path_components):
        """<department>/<procedure>/ in one query instead of Wagtail's four; anything else as usual."""
        if len(path_components) == 2:
            from catalog.selectors import procedure_at

            procedure = procedure_at(
                index=self,
                department_slug=path_components[0],
                procedure_slug=path_components[1],
            )
            if procedure is not None:
                return procedure.route(request, [])
        return super().route(request, path_components)


class DepartmentPage(VietnameseSlugMixin, Page):
    """A city department ("Sở") or a ward/commune office; its procedures live beneath it."""

    code = models.CharField(
        _("mã đơn vị"),
        max_length=64,
        unique=True,
        validators=[department_code_validator],
    )
    kind = models.CharField(
        _("loại đơn vị"), max_length=32, choices=DepartmentKind.choices
    )
    parent_department = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="child_departments",
    )
    description = models.TextField(_("giới thiệu"), blank=True)
    address = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=60, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("trang thông tin"), blank=True)
    opening_hours = models.TextField(
        _("giờ tiếp nhận hồ sơ"),
        blank=True,
        help_text=_("Ví dụ: Thứ Hai - Thứ Sáu: 7:30 - 11:30, 13:00 - 17:00"),
    )
    collection = models.ForeignKey(
        "wagtailcore.Collection",
        verbose_name=_("thư mục tài liệu"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("code"), FieldPanel("kind"), FieldPanel("parent_department")],
            _("Định danh"),
        ),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("address"),
                FieldPanel("phone"),
                FieldPanel("email"),
                FieldPanel("website"),
                FieldPanel("opening_hours"),
            ],
            _("Liên hệ"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("code"),
        index.FilterField("kind"),
    ]
    base_form_class = CatalogPageForm
    parent_page_types = ["catalog.DepartmentIndexPage"]
    subpage_types = ["catalog.ProcedurePage"]
    template = "catalog/department_page.html"

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        # Held per department as django-guardian object permissions (see catalog/permissions.py).
        permissions = [
            ("edit_procedures", _("Soạn và gửi duyệt thủ tục của đơn vị")),
            ("publish_procedures", _("Xuất bản, ngừng công bố thủ tục của đơn vị")),
            ("import_procedures", _("Nhập thủ tục của đơn vị từ tệp")),
            ("export_procedures", _("Xuất thủ tục của đơn vị ra tệp")),
            ("manage_members", _("Phân quyền cán bộ của đơn vị")),
            ("manage_form_templates", _("Quản lý mẫu đơn, tờ khai của đơn vị")),
        ]

    def __str__(self):
        return self.title

    def with_content_json(self, content):
        """The collection is the department's identity, not revision content: a revert or the
        republishing of an old revision (saved before the collection existed) keeps it."""
        page = super().with_content_json(content)
        page.collection_id = self.collection_id
        return page

    def save(self, *args, **kwargs):
        if self.pk and self.collection_id is None:
            # No route may detach the collection: restore the stored one.
            self.collection_id = (
                DepartmentPage.objects.filter(pk=self.pk)
                .values_list("collection_id", flat=True)
                .first()
            )
        return super().save(*args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from catalog.selectors import department_procedures_by_field

        context = super().get_context(request, *args, **kwargs)
        context["procedures_by_field"] = department_procedures_by_field(department=self)
        return context

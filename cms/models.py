"""Site-wide pages and settings; no domain logic lives here."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page

HOME_FIELD_LIMIT = 16
HOME_POPULAR_LIMIT = 8


class HomePage(Page):
    """The portal's front page; the catalog's department index lives beneath it."""

    intro = models.CharField(_("lời giới thiệu"), max_length=300, blank=True)
    body = RichTextField(
        _("nội dung"), blank=True, features=["bold", "italic", "link", "ul", "ol"]
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        InlinePanel(
            "popular_procedures",
            label=_("Thủ tục nổi bật"),
            heading=_("Thủ tục được quan tâm nhiều"),
            help_text=_(
                "Thủ tục hiện ở trang chủ theo thứ tự này; chỗ còn trống lấy các thủ tục được xem nhiều nhất."
            ),
            max_num=HOME_POPULAR_LIMIT,
        ),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["catalog.DepartmentIndexPage"]
    max_count = 1
    template = "home_page.html"

    class Meta:
        verbose_name = _("trang chủ")
        verbose_name_plural = _("trang chủ")

    def get_context(self, request, *args, **kwargs):
        from catalog import selectors
        from catalog.models import DepartmentIndexPage

        context = super().get_context(request, *args, **kwargs)
        context.update(
            life_events=selectors.life_events_with_counts(),
            fields=selectors.fields_with_counts(limit=HOME_FIELD_LIMIT),
            departments_by_kind=selectors.departments_by_kind(),
            popular=selectors.most_used_procedures(
                limit=HOME_POPULAR_LIMIT,
                featured_ids=[
                    item.procedure_id for item in self.popular_procedures.all()
                ],
            ),
            department_index=DepartmentIndexPage.objects.live().first(),
        )
        return context


class HomePagePopularProcedure(Orderable):
    """A procedure the administrator puts on the home page, in the order given."""

    home = ParentalKey(
        HomePage, on_delete=models.CASCADE, related_name="popular_procedures"
    )
    procedure = models.ForeignKey(
        "catalog.ProcedurePage",
        verbose_name=_("thủ tục"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("procedure")]

    class Meta(Orderable.Meta):
        verbose_name = _("thủ tục nổi bật")


@register_setting(icon="site")
class PortalSettings(BaseSiteSetting):
    """What the catalog administrator changes without a deploy: the portal's name and contacts."""

    portal_name = models.CharField(
        _("tên cổng"), max_length=200, default="Cổng dịch vụ công TP. Hồ Chí Minh"
    )
    hotline = models.CharField(
        _("đường dây nóng"), max_length=40, blank=True, default="1022"
    )
    contact_email = models.EmailField(_("thư điện tử liên hệ"), blank=True)
    footer_text = models.TextField(
        _("chân trang"),
        blank=True,
        default="Ủy ban nhân dân Thành phố Hồ Chí Minh. Thông tin thủ tục hành chính do các sở, ngành và "
        "UBND phường, xã công bố.",
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("portal_name"),
                FieldPanel("hotline"),
                FieldPanel("contact_email"),
            ],
            _("Cổng"),
        ),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("cài đặt cổng")


class HealthProbe(models.Model):
    """Always empty: /healthz inserts a row here and rolls it back, proving the database takes writes."""

    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lần kiểm tra sức khỏe")

"""The catalog in the Wagtail admin: shared lists, form templates, a flat procedure listing."""

from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.ui.tables.pages import ParentPageColumn
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from catalog.models import (
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


class CodedListViewSet(SnippetViewSet):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    ordering = ["name"]
    copy_view_enabled = False


class FieldViewSet(CodedListViewSet):
    model = Field
    icon = "folder-open-inverse"
    menu_label = _("Lĩnh vực")


class LevelViewSet(CodedListViewSet):
    model = Level
    icon = "list-ol"
    menu_label = _("Cấp thực hiện")
    list_display = ["name", "code", "sort_order"]
    ordering = ["sort_order"]


class SubjectTypeViewSet(CodedListViewSet):
    model = SubjectType
    icon = "group"
    menu_label = _("Đối tượng thực hiện")


class LifeEventViewSet(CodedListViewSet):
    model = LifeEvent
    icon = "pick"
    menu_label = _("Sự kiện cuộc đời")


class ResultViewSet(CodedListViewSet):
    model = Result
    icon = "doc-full"
    menu_label = _("Kết quả thực hiện")


class LegalDocumentViewSet(SnippetViewSet):
    model = LegalDocument
    icon = "doc-full-inverse"
    menu_label = _("Văn bản pháp lý")
    list_display = ["number", "title", "issuer", "issued_on"]
    list_filter = ["issuer"]
    search_fields = ["number", "title"]
    copy_view_enabled = False


class PublicHolidayViewSet(SnippetViewSet):
    model = PublicHoliday
    icon = "date"
    menu_label = _("Ngày nghỉ lễ")
    list_display = ["date", "name"]
    ordering = ["-date"]
    copy_view_enabled = False


class SharedListsGroup(SnippetViewSetGroup):
    menu_label = _("Danh mục dùng chung")
    menu_icon = "list-ul"
    menu_order = 210
    items = (
        FieldViewSet,
        LevelViewSet,
        SubjectTypeViewSet,
        LifeEventViewSet,
        ResultViewSet,
        LegalDocumentViewSet,
        PublicHolidayViewSet,
    )


class FormTemplateViewSet(SnippetViewSet):
    model = FormTemplate
    icon = "doc-empty-inverse"
    menu_label = _("Mẫu đơn, tờ khai")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["code", "name", "department", "version", "effective_on", "size"]
    list_filter = ["department"]
    search_fields = ["code", "name"]
    copy_view_enabled = False


register_snippet(SharedListsGroup)
register_snippet(FormTemplateViewSet)


_BASE_COLUMNS = PageListingViewSet.index_view_class.base_columns


class ProcedureListingViewSet(PageListingViewSet):
    """Every procedure the user may see, flat, with the columns a department's staff scan for."""

    model = ProcedurePage
    icon = "list-ul"
    menu_label = _("Thủ tục hành chính")
    menu_order = 200
    add_to_admin_menu = True
    name = "procedures"
    columns = [
        *_BASE_COLUMNS[:2],
        Column("national_code", label=_("Mã"), sort_key="national_code"),
        ParentPageColumn("parent", label=_("Đơn vị")),
        Column(
            "procedure_status",
            label=_("Tình trạng"),
            accessor="get_status_display",
            sort_key="status",
        ),
        DateColumn(
            "latest_revision_created_at",
            label=_("Cập nhật"),
            sort_key="latest_revision_created_at",
        ),
        _BASE_COLUMNS[-1],
    ]
    list_filter = ["status", "online_level", "procedure_type", "fields", "levels"]


procedure_listing_viewset = ProcedureListingViewSet()


@hooks.register("register_admin_viewset")
def register_procedure_listing():
    return procedure_listing_viewset

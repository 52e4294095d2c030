"""The catalog in the Wagtail admin: shared lists, form templates, a flat procedure listing."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.ui.tables.pages import ParentPageColumn
from wagtail.admin.viewsets.pages import PageListingViewSet
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from catalog import admin_guard, admin_shared_lists, views_admin
from catalog.admin_search import FoldedSearchIndexView
from catalog.form_upload import FormTemplateChooserViewSet
from catalog.forms import procedure_copy_form, whole_name
from catalog.middleware import current_user
from catalog.models import (
    DepartmentIndexPage,
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
from catalog.permissions import (
    SHARED_LIST_MODELS,
    FormTemplatePermissionPolicy,
    SharedListPermissionPolicy,
    can,
    department_of,
    is_catalog_admin,
    may_see_unpublished,
    visible_page_filter,
)
from catalog.services.roles import record_denied

# Registered before the viewsets so every snippet view, chooser and bulk action asks our policy.
for _shared_model in SHARED_LIST_MODELS:
    register_permission_policy(_shared_model, SharedListPermissionPolicy(_shared_model))
register_permission_policy(FormTemplate, FormTemplatePermissionPolicy(FormTemplate))


class CodedListViewSet(SnippetViewSet):
    chooser_viewset_class = views_admin.ScopedChooserViewSet
    delete_view_class = admin_shared_lists.SharedListDeleteView
    usage_view_class = admin_shared_lists.SharedListUsageView
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
    chooser_viewset_class = views_admin.ScopedChooserViewSet
    delete_view_class = admin_shared_lists.SharedListDeleteView
    usage_view_class = admin_shared_lists.SharedListUsageView
    model = LegalDocument
    icon = "doc-full-inverse"
    menu_label = _("Văn bản pháp lý")
    list_display = ["number", "title", "issuer", "issued_on"]
    list_filter = ["issuer"]
    search_fields = ["number", "title"]
    copy_view_enabled = False


class PublicHolidayViewSet(SnippetViewSet):
    chooser_viewset_class = views_admin.ScopedChooserViewSet
    delete_view_class = admin_shared_lists.SharedListDeleteView
    model = PublicHoliday
    icon = "date"
    menu_label = _("Ngày nghỉ lễ")
    list_display = ["date", "name"]
    index_view_class = FoldedSearchIndexView  # not in Wagtail's index: folded in Python
    search_fields = ["name"]
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
    # Every view by URL is scoped to the templates the user's department roles allow.
    index_view_class = views_admin.ScopedIndexView
    add_view_class = views_admin.ScopedCreateView
    inspect_view_enabled = True
    edit_view_class = views_admin.ScopedEditView
    delete_view_class = views_admin.ScopedDeleteView
    usage_view_class = views_admin.ScopedUsageView
    history_view_class = views_admin.ScopedHistoryView
    inspect_view_class = views_admin.ScopedInspectView
    chooser_viewset_class = FormTemplateChooserViewSet
    edit_handler = ObjectList(
        FormTemplate.panels, base_form_class=views_admin.FormTemplateAdminForm
    )


register_snippet(SharedListsGroup)
register_snippet(FormTemplateViewSet)


_BASE_COLUMNS = PageListingViewSet.index_view_class.base_columns


class ProcedureIndexView(PageListingViewSet.index_view_class):
    """The flat procedure listing, with export of exactly what is listed (same filters)."""

    def get(self, request, *args, **kwargs):
        """Wagtail's own `?export=csv|xlsx` of a listing wrote blank rows here (no list_export):
        it is the catalog's export, with the same filters and its own permission check."""
        file_format = request.GET.get("export")
        if file_format in self.FORMATS:
            query = request.GET.copy()
            for name in ("export", "p"):
                query.pop(name, None)
            query["format"] = file_format
            return redirect(f"{reverse('catalog_export')}?{query.urlencode()}")
        return super().get(request, *args, **kwargs)

    def get_header_more_buttons(self):
        from wagtail.admin.widgets.button import HeaderButton

        from catalog.importing.access import departments_for_export

        buttons = list(super().get_header_more_buttons())
        if not departments_for_export(self.request.user).exists():
            return buttons
        query = self.request.GET.copy()
        query.pop("p", None)
        for priority, file_format in enumerate(("xlsx", "csv", "json")):
            query["format"] = file_format
            buttons.append(
                HeaderButton(
                    _("Xuất %(format)s") % {"format": file_format.upper()},
                    url=f"{reverse('catalog_export')}?{query.urlencode()}",
                    icon_name="download",
                    priority=100 + priority,
                )
            )
        return buttons


class ProcedureListingViewSet(PageListingViewSet):
    """Every procedure the user may see, flat, with the columns a department's staff scan for."""

    index_view_class = ProcedureIndexView
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


# --- permissions: roles screen, audit log and the page-side doors Wagtail leaves open ----------


@hooks.register("register_admin_urls")
def register_permission_urls():
    return [
        path("phan-quyen/", views_admin.memberships, name="catalog_memberships"),
        path(
            "phan-quyen/<int:pk>/thu-hoi/",
            views_admin.revoke_membership,
            name="catalog_membership_revoke",
        ),
        path("nhat-ky-phan-quyen/", views_admin.audit_log, name="catalog_audit_log"),
    ]


class _MembershipsMenuItem(MenuItem):
    def is_shown(self, request):
        return views_admin._may_manage_members(request.user)


class _AuditMenuItem(MenuItem):
    def is_shown(self, request):
        return is_catalog_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_memberships_menu_item():
    return _MembershipsMenuItem(
        _("Phân quyền đơn vị"),
        reverse("catalog_memberships"),
        icon_name="key",
        order=900,
    )


@hooks.register("register_admin_menu_item")
def register_audit_menu_item():
    return _AuditMenuItem(
        _("Nhật ký phân quyền"),
        reverse("catalog_audit_log"),
        icon_name="history",
        order=910,
    )


@hooks.register("construct_page_chooser_queryset")
def limit_page_chooser(pages, request):
    """Choosers offer live pages and the drafts of the user's own departments only."""
    return pages.filter(visible_page_filter(request.user))


_wagtail_admin_display_title = Page.get_admin_display_title


def _admin_display_title(self):
    """Wagtail shows a live page's *draft* title everywhere in the admin (choosers, search,
    reports); other departments must only see the published title."""
    user = current_user.get()
    if (
        user is not None
        and self.live
        and self.draft_title
        and self.draft_title != self.title
        and not may_see_unpublished(user, self)
    ):
        return self.title
    return _wagtail_admin_display_title(self)


Page.get_admin_display_title = _admin_display_title


_STRUCTURE_PAGES = (DepartmentPage, DepartmentIndexPage)


def _guard_structure(request, page):
    """Departments themselves (code, tree place) belong to the catalog administrators."""
    if isinstance(page.specific_deferred, _STRUCTURE_PAGES) and not is_catalog_admin(
        request.user
    ):
        raise PermissionDenied


@hooks.register("before_edit_page")
def guard_department_edit(request, page):
    _guard_structure(request, page)
    if (
        request.method == "POST"
        and "action-publish" in request.POST
        and not page.permissions_for_user(request.user).can_publish()
    ):
        # Wagtail would quietly save a draft instead; a forged publish is a refused write.
        record_denied(
            actor=request.user,
            action=f"publish page {page.pk}",
            department=department_of(page),
            detail="no publish permission",
        )
        raise PermissionDenied


@hooks.register("before_delete_page")
def guard_department_delete(request, page):
    _guard_structure(request, page)


@hooks.register("before_unpublish_page")
def guard_department_unpublish(request, page):
    _guard_structure(request, page)


@hooks.register("before_copy_page")
def guard_department_copy(request, page):
    _guard_structure(request, page)
    if isinstance(page.specific_deferred, _STRUCTURE_PAGES):
        # A department's code, collection and groups are its own: a copy is a new department,
        # made with «Thêm trang con» (copying one was a 500 on its unique code).
        from wagtail.admin import messages

        messages.error(
            request,
            _(
                "Không sao chép được cơ quan: mỗi cơ quan có mã, thư mục biểu mẫu và nhóm "
                "người dùng riêng. Hãy tạo cơ quan mới bằng «Thêm trang con»."
            ),
        )
        return redirect("wagtailadmin_explore", page.get_parent().pk)


# Wagtail's copy view reads the form from the page class; the admin forms load with the admin.
ProcedurePage.copy_form_class = procedure_copy_form()


@hooks.register("after_copy_page")
def copy_keeps_the_whole_name(request, page, new_page):
    """The copy's name is what the copy form's box held, whole, and its codes the ones the
    form asked for (see procedure_copy_form): Wagtail's copy has the clipped title and the
    original's codes."""
    copy = new_page.specific
    if not isinstance(copy, ProcedurePage) or "new_title" not in request.POST:
        return
    name = whole_name(request.POST["new_title"])
    codes = {
        "national_code": request.POST.get("new_national_code", "").strip(),
        "local_code": request.POST.get("new_local_code", "").strip(),
    }
    if copy.official_name == name and all(
        getattr(copy, field) == value for field, value in codes.items()
    ):
        return
    copy.set_name(name)
    for field, value in codes.items():
        setattr(copy, field, value)
    # saved, not updated: the admin's search index follows the copy's new name and code
    copy.save(
        clean=False,
        update_fields=["title", "draft_title", "full_name", *codes],
    )
    copy.save_revision(user=request.user, log_action=False, clean=False)


@hooks.register("before_move_page")
def guard_department_move(request, page, destination):
    _guard_structure(request, page)


@hooks.register("before_bulk_action")
def guard_bulk_action(request, action_type, objects, action_class_instance):
    """Bulk actions re-check each object through catalog.permissions, not only Wagtail's view."""
    requested = [pk for pk in request.GET.getlist("id") if pk != "all"]
    actionable = {str(obj.pk) for obj in objects}
    refused = [pk for pk in requested if pk not in actionable]
    if refused:
        # Wagtail skips items the user may not touch without a word; the audit log hears of it.
        model = action_class_instance.model._meta.label_lower
        record_denied(
            actor=request.user,
            action=f"bulk {action_type} {model}"[:300],
            detail=f"refused ids: {', '.join(refused[:50])}",
        )
    for obj in objects:
        if isinstance(obj, _STRUCTURE_PAGES) or (
            hasattr(obj, "specific_deferred")
            and isinstance(obj.specific_deferred, _STRUCTURE_PAGES)
        ):
            if not is_catalog_admin(request.user):
                raise PermissionDenied
        if isinstance(obj, FormTemplate) and not can(request.user, "delete", obj):
            raise PermissionDenied


# Wagtail's admin API sees the session user and lists only the user's documents and images;
# registered after Wagtail's own endpoints (order) so these replace them.
@hooks.register("construct_admin_api", order=100)
def scope_admin_api(router):
    admin_guard.register_admin_api_endpoints(router)


admin_guard.scope_page_types_usage_report()


# Import / export (catalog/importing/views.py): upload, preview, confirm, export, empty template.
@hooks.register("register_admin_urls")
def register_import_urls():
    from django.urls import path

    from catalog.importing import views as import_views

    return [
        path("catalog/import/", import_views.import_upload, name="catalog_import"),
        path(
            "catalog/import/confirm/",
            import_views.import_confirm,
            name="catalog_import_confirm",
        ),
        path("catalog/export/", import_views.export_procedures, name="catalog_export"),
        path(
            "catalog/import/template/",
            import_views.download_template,
            name="catalog_import_template",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_import_menu_item():
    from django.urls import reverse

    from wagtail.admin.menu import MenuItem

    from catalog.importing.access import ImportAccess

    class ImportMenuItem(MenuItem):
        def is_shown(self, request):
            return ImportAccess(request.user).may_use_admin

    return ImportMenuItem(
        _("Nhập, xuất thủ tục"),
        reverse("catalog_import"),
        icon_name="download",
        order=205,
    )


@hooks.register("before_bulk_action")
def refuse_bulk_delete_of_used_entries(
    request, action_type, objects, action_class_instance
):
    """The listing's bulk delete obeys the same rule as the delete screen: no entry in use."""
    from django.http import HttpResponseRedirect

    from wagtail.admin import messages
    from wagtail.admin.utils import get_valid_next_url_from_request

    from catalog.shared_usage import procedure_ids_using, relation_for

    if action_type != "delete" or relation_for(action_class_instance.model) is None:
        return None
    used = [str(entry) for entry in objects if procedure_ids_using(entry)]
    if not used:
        return None
    messages.error(
        request,
        _("Không thể xóa các mục đang được thủ tục dùng: %(entries)s.")
        % {"entries": ", ".join(used[:20])},
    )
    index_url = reverse(
        action_class_instance.model.snippet_viewset.get_url_name("list")
    )
    return HttpResponseRedirect(get_valid_next_url_from_request(request) or index_url)


# Drafts that differ from the live procedure (catalog/admin_drafts.py).
@hooks.register("before_edit_page")
def announce_pending_draft(request, page):
    from catalog.admin_drafts import announce_draft

    announce_draft(request, page)


@hooks.register("after_edit_page")
def settle_unchanged_draft(request, page):
    from catalog.admin_drafts import settle_unchanged_save

    settle_unchanged_save(page)


@hooks.register("register_admin_urls")
def register_draft_urls():
    from catalog.admin_drafts import discard_draft_view

    return [
        path(
            "thu-tuc/<int:page_id>/bo-ban-nhap/",
            discard_draft_view,
            name="catalog_discard_draft",
        )
    ]


@hooks.register("before_edit_page")
def announce_what_to_review(request, page):
    from catalog.admin_review import announce_review

    announce_review(request, page)


@hooks.register("construct_homepage_panels")
def offer_the_reviewed_comparisons(request, panels):
    from catalog.admin_review import use_review_panel

    use_review_panel(request, panels)


@hooks.register("register_admin_urls")
def register_review_urls():
    from catalog.admin_review import EMPTY, CompareWithEmptyView

    return [
        path(
            f"pages/<int:pk>/revisions/compare/{EMPTY}...<int:revision_id_b>/",
            CompareWithEmptyView.as_view(),
            {"revision_id_a": EMPTY},
            name="catalog_compare_with_empty",
        )
    ]

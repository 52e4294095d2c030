"""Site-wide Wagtail hooks for the public site."""

from django.templatetags.static import static
from django.utils.html import format_html

from wagtail import hooks

from catalog.models import ProcedurePage
from catalog.services.page_views import record_view
from cms.admin_slugs import correct_posted_slug
from cms.admin_workflow import say_what_the_edit_page_workflow_action_did
from cms.replica import first_attempt


@hooks.register("before_serve_page")
def count_procedure_view(page, request, serve_args, serve_kwargs):
    """Feed ProcedurePage.view_count, which orders the home page's most-used list.

    Counted in the cache; the database gets one batch per interval (catalog.services.page_views).
    """
    if request.method != "GET" or not isinstance(page, ProcedurePage):
        return None
    if first_attempt(
        request, "page view"
    ):  # not again when the replica failover retries
        record_view(page_id=page.pk)
    return None


# --- admin: slugs folded on the server, one clear way to approve ---------------------------------


@hooks.register("before_create_page")
def fold_slug_on_create(request, parent_page, page_class):
    """The client's automatic slug drops ở, ể, đ…: the server puts the folded one in its place."""
    correct_posted_slug(request)


@hooks.register("before_edit_page")
def fold_slug_on_edit(request, page):
    correct_posted_slug(request, current_slug=page.slug)


@hooks.register("construct_page_action_menu")
def one_way_to_approve(menu_items, request, context):
    """While a page awaits this user's review, "Duyệt và xuất bản" is the way to publish it.

    Wagtail also offers its plain "Xuất bản", which publishes while silently cancelling the review;
    side by side with the approval they read as two names for one thing.
    """
    if not any(getattr(item, "name", None) == "approve" for item in menu_items):
        return
    menu_items[:] = [
        item for item in menu_items if getattr(item, "name", None) != "action-publish"
    ]


hooks.register("after_edit_page", say_what_the_edit_page_workflow_action_did)


@hooks.register("insert_editor_js")
def fold_vietnamese_titles_into_slugs():
    """The slug shown while typing a title is the folded one the server saves."""
    return format_html(
        '<script src="{}"></script>', static("catalog/js/vietnamese_slug.js")
    )

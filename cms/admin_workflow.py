"""Approving or requesting changes from the dashboard says what happened.

Wagtail's workflow action view (the dashboard's "Awaiting your review" buttons) answers with a bare
redirect; the edit page says "approved", the dashboard said nothing. This wraps Wagtail's own view
(still routed through its page viewset registry) and adds the message once the task state moved.
"""

import html

from django.contrib import messages as django_messages
from django.utils.translation import gettext as _

from wagtail.admin import messages
from wagtail.admin.auth import require_admin_access
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.models import Page, TaskState

_wagtail_workflow_action = page_viewset_registry.as_view(
    "workflow_action", page_id_kwarg="page_id"
)


@require_admin_access
def workflow_action(request, page_id, action_name, task_state_id):
    before = _task_status(task_state_id)
    response = _wagtail_workflow_action(
        request,
        page_id=page_id,
        action_name=action_name,
        task_state_id=task_state_id,
    )
    after = _task_status(task_state_id)
    if request.method == "POST" and before == TaskState.STATUS_IN_PROGRESS:
        page = Page.objects.filter(pk=page_id).first()
        title = page.get_admin_display_title() if page else ""
        if after == TaskState.STATUS_APPROVED:
            if page and page.live and not page.workflow_in_progress:
                text = _("Đã duyệt và xuất bản “%(title)s”.")
            else:
                text = _("Đã duyệt “%(title)s”.")
            messages.success(request, text % {"title": title})
        elif after == TaskState.STATUS_REJECTED:
            messages.success(
                request,
                _(
                    "Đã yêu cầu sửa “%(title)s”; người gửi sẽ thấy yêu cầu trên trang sửa."
                )
                % {"title": title},
            )
    return response


def _task_status(task_state_id) -> str | None:
    return (
        TaskState.objects.filter(pk=task_state_id)
        .values_list("status", flat=True)
        .first()
    )


def say_what_the_edit_page_workflow_action_did(request, page):
    """after_edit_page: «Duyệt và xuất bản» on the edit page said only "page updated".

    Wagtail queues its generic save message before this hook runs; it is replaced by one that
    says whether the procedure went live or went back to its editor.
    """
    if request.method != "POST" or "action-workflow-action" not in request.POST:
        return None
    action = request.POST.get("workflow-action-name")
    page = Page.objects.get(pk=page.pk)
    title = page.get_admin_display_title()
    if action == "approve":
        if (
            page.live
            and not page.workflow_in_progress
            and not page.has_unpublished_changes
        ):
            text = _("Đã duyệt và xuất bản “%(title)s”.")
        else:
            text = _("Đã duyệt “%(title)s”.")
    elif action == "reject":
        text = _(
            "Đã yêu cầu sửa “%(title)s”; người gửi sẽ thấy yêu cầu trên trang sửa."
        )
    else:
        return None
    storage = django_messages.get_messages(request)
    generic = _("Page '%(page_title)s' has been updated.") % {"page_title": title}
    queued = getattr(storage, "_queued_messages", None)
    if queued is not None:
        storage._queued_messages = [
            m for m in queued if html.unescape(str(m.message)).strip() != generic
        ]
    messages.success(request, text % {"title": title})
    return None

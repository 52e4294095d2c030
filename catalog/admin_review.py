"""What the moderator is offered to compare: the change since the version last reviewed.

Wagtail's «So sánh với bản trước» compared the submission with the revision saved just before it,
usually the editor's own draft of a minute earlier: after «Yêu cầu sửa» it hid what the editor
changed since the version the moderator had sent back, and for a first submission it showed only
the change note. Now:

- on the dashboard («Chờ bạn duyệt»), Wagtail's own panel, whose «So sánh với bản trước» compares
  with the version the moderator sent back (the last one rejected, if newer than the live
  version), and is left out when there is none; «So sánh với bản đang công bố» stays as it is;
- on the edit page of a procedure in moderation, a note with the same comparisons, and for a
  page never published the whole submission compared with an empty page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from wagtail.admin import messages
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.admin.views.pages.revisions import RevisionsCompareView
from wagtail.models import Page, Revision, TaskState

EMPTY = "empty"


def sent_back_revision(obj, submitted: Revision) -> Revision | None:
    """The last revision a moderator sent back («Yêu cầu sửa») that the live version does not
    already cover, if it is not the submitted one."""
    rejected = (
        TaskState.objects.filter(
            status=TaskState.STATUS_REJECTED,
            revision__in=Revision.objects.for_instance(obj),
        )
        .exclude(revision_id=submitted.pk)
        .select_related("revision")
        .order_by("-finished_at", "-pk")
    )
    if obj.live_revision_id:
        rejected = rejected.filter(revision_id__gt=obj.live_revision_id)
    state = rejected.first()
    return state.revision if state else None


def review_comparisons(obj, submitted: Revision, compare_url_name: str) -> list[dict]:
    """The comparisons offered for one submission: (label, url), most useful first."""
    links = []
    sent_back = sent_back_revision(obj, submitted)
    if sent_back is not None:
        links.append(
            {
                "label": _("So sánh với bản đã yêu cầu sửa"),
                "url": reverse(
                    compare_url_name, args=(obj.pk, sent_back.pk, submitted.pk)
                ),
            }
        )
    if obj.live_revision_id:
        links.append(
            {
                "label": _("So sánh với bản đang công bố"),
                "url": reverse(compare_url_name, args=(obj.pk, "live", submitted.pk)),
            }
        )
    elif isinstance(obj, Page):
        links.append(
            {
                "label": _("Xem toàn bộ nội dung gửi duyệt (chưa từng công bố)"),
                "url": reverse(
                    "catalog_compare_with_empty", args=(obj.pk, submitted.pk)
                ),
            }
        )
    return links


class ReviewPanel(WorkflowObjectsToModeratePanel):
    """Wagtail's «Chờ bạn duyệt» panel (its own template), «previous» being the version sent back."""

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        for state in context["states"]:
            sent_back = sent_back_revision(state["obj"], state["revision"])
            state["previous_revision_id"] = sent_back.pk if sent_back else None
        return context


def announce_review(request, page) -> None:
    """On the edit page of a procedure in moderation: what to compare the submission with."""
    state = page.current_workflow_state
    if request.method != "GET" or not (
        state and state.status == state.STATUS_IN_PROGRESS
    ):
        return  # «Yêu cầu sửa» leaves the state active too, waiting for the editor
    submitted = state.current_task_state and state.current_task_state.revision
    if submitted is None:
        return
    links = review_comparisons(page, submitted, "wagtailadmin_pages:revisions_compare")
    messages.info(
        request,
        _("Thủ tục đang chờ duyệt. Xem những gì bản gửi duyệt thay đổi:"),
        buttons=[messages.button(link["url"], link["label"]) for link in links],
    )


def use_review_panel(request, panels) -> None:
    """construct_homepage_panels: swap Wagtail's moderation panel for ReviewPanel."""
    for index, panel in enumerate(panels):
        if type(panel) is WorkflowObjectsToModeratePanel:
            panels[index] = ReviewPanel()


def _blank_page(page: Page) -> Page:
    """A page of the same type with nothing in it: no title, no parts, no list entries."""
    from modelcluster.models import get_all_child_m2m_relations, get_all_child_relations

    blank = page.specific_class(title="")
    for relation in get_all_child_relations(blank):
        setattr(blank, relation.get_accessor_name(), [])
    for field in get_all_child_m2m_relations(blank):
        setattr(blank, field.name, [])
    return blank


class CompareWithEmptyView(RevisionsCompareView):
    """The compare view with an empty page on the left: a never-published submission whole."""

    def _get_revision_and_heading(self, revision_id):
        if revision_id == EMPTY:
            return _blank_page(self.object), _("Chưa có nội dung")
        return super()._get_revision_and_heading(revision_id)

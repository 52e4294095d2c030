"""Drafts that differ from the live procedure: said on the edit page, and discardable.

A draft is saved on purpose («Lưu nháp»; autosave is off, docs/adr/005-no-autosave.md) and may be
left behind by someone who never submits it. The edit page of a live procedure says when its draft differs from the live version, who saved it
last and when, and offers to compare or to discard it. Discarding saves a new revision equal to the
live version (logged as Wagtail's «revert», so the history shows who did it) and marks the page
as having no unpublished changes; the abandoned revisions stay in the history.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.admin import messages
from wagtail.models import Page, Revision

from catalog.models import ProcedurePage
from catalog.permissions import department_of
from catalog.services.roles import record_denied


def pending_draft(page: ProcedurePage) -> Revision | None:
    """The latest revision of a live procedure when it is not the live one and says something
    else, else None. «Lưu nháp» with nothing changed makes a revision too; it differs from the
    live one only in Wagtail's bookkeeping and in the note for the next publication."""
    if not (page.live and page.has_unpublished_changes):
        return None
    latest = page.latest_revision
    if latest is None or latest.pk == page.live_revision_id:
        return None
    live = page.live_revision
    if live is not None and _content(latest) == _content(live):
        return None
    return latest


# Revision keys that are no content a citizen reads: the tree, publication bookkeeping, locks,
# comments, and the change note written for the next publication.
_BOOKKEEPING = {field.name for field in Page._meta.fields} - {
    "title",
    "slug",
    "seo_title",
    "search_description",
    "go_live_at",
    "expire_at",
}
_BOOKKEEPING |= {"comments", "wagtail_admin_comments", "change_note", "page_ptr"}


def _content(revision: Revision) -> dict:
    return {
        k: _without_ids(v) for k, v in revision.content.items() if k not in _BOOKKEEPING
    }


def _without_ids(value):
    """Inline parts without their row ids and parent links: a revision written before its
    parts were saved (an import, load_demo) holds them as null, the next one holds numbers."""
    if isinstance(value, list):
        return [_without_ids(item) for item in value]
    if isinstance(value, dict):
        return {
            k: _decimal(v) if k.endswith("_value") else _without_ids(v)
            for k, v in value.items()
            if k not in _PART_LINKS
        }
    return value


def _decimal(value):
    """A decimal as a number: "7" when loaded, "7.00" once read back from the database."""
    try:
        return Decimal(value).normalize()
    except (TypeError, ValueError, ArithmeticError):
        return value


_PART_LINKS = {"pk", "id", "page", "method", "case", "sort_order"}


def _user_name(user) -> str:
    if user is None:
        return _("hệ thống")
    return user.get_full_name() or user.get_username()


def _in_moderation(page: ProcedurePage) -> bool:
    state = page.current_workflow_state
    return bool(state and state.is_active)


def draft_summary(page: ProcedurePage, draft: Revision) -> dict:
    since_live = Revision.objects.for_instance(page)
    if page.live_revision_id:
        since_live = since_live.filter(pk__gt=page.live_revision_id)
    return {
        "user": _user_name(draft.user),
        "at": timezone.localtime(draft.created_at),
        "saves": since_live.count(),
        "compare_url": reverse(
            "wagtailadmin_pages:revisions_compare",
            args=(page.pk, "live", "latest"),
        ),
        "discard_url": reverse("catalog_discard_draft", args=(page.pk,)),
    }


def announce_draft(request, page) -> None:
    """The warning on a live procedure's edit page whose draft differs from the live version."""
    if request.method != "GET" or not isinstance(page.specific_deferred, ProcedurePage):
        return
    page = page.specific
    draft = pending_draft(page)
    if draft is None:
        return
    summary = draft_summary(page, draft)
    message = _(
        "Bản nháp đang khác bản đã công bố: lưu lần cuối lúc %(time)s bởi %(user)s "
        "(%(saves)s lần lưu từ khi công bố). Người dân vẫn thấy bản đã công bố."
    ) % {
        "time": f"{summary['at']:%H:%M %d/%m/%Y}",
        "user": summary["user"],
        "saves": summary["saves"],
    }
    buttons = [messages.button(summary["compare_url"], _("So sánh với bản công bố"))]
    if page.permissions_for_user(request.user).can_edit() and not _in_moderation(page):
        buttons.append(messages.button(summary["discard_url"], _("Bỏ bản nháp")))
    messages.warning(request, message, buttons=buttons)


def settle_unchanged_save(page) -> bool:
    """«Lưu nháp» that changed nothing leaves a live procedure with no draft.

    Wagtail marks every saved revision as an unpublished change, so the page listing said
    «Đang công bố + có bản nháp» after a save that changed nothing. The revision stays in the
    history; only a save whose content equals the live version's, with no new change note, is
    settled, and never one in moderation.
    """
    if not isinstance(page.specific_deferred, ProcedurePage):
        return False
    page = ProcedurePage.objects.get(pk=page.pk)
    if not page.live or _in_moderation(page) or pending_draft(page) is not None:
        return False  # a draft that says something else stays one
    latest, live = page.latest_revision, page.live_revision
    if latest is None or live is None:
        return False
    if (latest.content.get("change_note") or "") not in (
        "",
        live.content.get("change_note"),
    ):
        return False  # a new note is meant for the next publication: keep it a draft
    ProcedurePage.objects.filter(pk=page.pk).update(has_unpublished_changes=False)
    return True


@transaction.atomic
def discard_draft(*, page: ProcedurePage, user) -> Revision:
    """A new revision equal to the live version; the page no longer has unpublished changes.

    Saved from the page row, which holds the live content (Wagtail writes drafts to revisions
    only), so comments and child ids stay as they are.
    """
    page = ProcedurePage.objects.select_for_update().get(pk=page.pk)
    live_revision = page.live_revision
    revision = page.save_revision(
        user=user,
        changed=False,
        log_action=True,
        previous_revision=live_revision,
        clean=False,
    )
    ProcedurePage.objects.filter(pk=page.pk).update(has_unpublished_changes=False)
    return revision


def discard_draft_view(request, page_id: int):
    page = get_object_or_404(Page, pk=page_id).specific
    if not isinstance(page, ProcedurePage):
        raise Http404
    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    if not page.permissions_for_user(request.user).can_edit():
        if request.method == "POST":
            record_denied(
                actor=request.user,
                action=f"discard draft of page {page.pk}",
                department=department_of(page),
                detail="no edit permission",
            )
        raise PermissionDenied
    draft = pending_draft(page)
    if draft is None:
        messages.info(
            request, _("Thủ tục này không có bản nháp nào khác bản đã công bố.")
        )
        return redirect(edit_url)
    lock = page.get_lock()
    if lock and lock.for_user(request.user):
        messages.error(request, _("Thủ tục đang bị khóa; không thể bỏ bản nháp."))
        return redirect(edit_url)
    if _in_moderation(page):
        messages.error(
            request,
            _(
                "Bản nháp đang chờ duyệt. Hãy hủy gửi duyệt trước khi bỏ bản nháp "
                "(hoặc người duyệt yêu cầu sửa)."
            ),
        )
        return redirect(edit_url)
    if request.method == "POST":
        discard_draft(page=page, user=request.user)
        messages.success(
            request,
            _("Đã bỏ bản nháp; nội dung soạn thảo trở lại bản đã công bố."),
        )
        return redirect(edit_url)
    return TemplateResponse(
        request,
        "catalog_admin/discard_draft.html",
        {
            "page": page,
            "summary": draft_summary(page, draft),
            "edit_url": edit_url,
        },
    )

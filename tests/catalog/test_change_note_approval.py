"""A moderator approves a draft that adds parts from the procedure's edit page, as a browser posts it.

Parts added in a draft exist only in the revision (no ids yet), so the moderator's edit page
renders them without ids. Approving must still publish the submitted revision as it is, with the
note its submitter wrote, unless the moderator types another one; the previous published note
never comes back as the new one.
"""

import html
import json

from django.contrib.messages import get_messages
from django.urls import reverse

from wagtail.models import WorkflowState

import pytest

from catalog.models import CatalogEvent, ProcedurePage
from tests.catalog.test_save_unchanged import edit_form_data
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

FIRST_NOTE = "Công bố lần đầu"
SUBMITTED_NOTE = "Thêm văn bản ủy quyền và bước trả kết quả qua bưu điện"
NEW_DOCUMENT = "Văn bản ủy quyền đăng ký khai sinh"
NEW_STEP = "Trả kết quả qua bưu điện"


@pytest.fixture
def page(department):
    return make_procedure(
        department=department,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        change_note=FIRST_NOTE,
    )


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def rich_text(text: str) -> str:
    return json.dumps(
        {
            "blocks": [
                {
                    "key": "n3w5t",
                    "type": "unstyled",
                    "depth": 0,
                    "text": text,
                    "inlineStyleRanges": [],
                    "entityRanges": [],
                }
            ],
            "entityMap": {},
        }
    )


def submit_added_parts(client, editor, page, note: str) -> int:
    """The editor adds a document to the first case and a third step, writes `note`, submits."""
    client.force_login(editor)
    data = edit_form_data(client.get(edit_url(page)).content.decode())
    prefix = "dossier_cases-0-documents"
    data[f"{prefix}-TOTAL_FORMS"] = ["3"]
    data.update(
        {
            f"{prefix}-2-name": [NEW_DOCUMENT],
            f"{prefix}-2-originals": ["1"],
            f"{prefix}-2-copies": ["0"],
            f"{prefix}-2-is_required": ["on"],
            f"{prefix}-2-note": [""],
            f"{prefix}-2-form_template": [""],
            f"{prefix}-2-id": [""],
            f"{prefix}-2-ORDER": ["3"],
            f"{prefix}-2-DELETE": [""],
            "steps-TOTAL_FORMS": ["3"],
            "steps-2-title": [NEW_STEP],
            "steps-2-description": [rich_text("Nhận kết quả qua dịch vụ bưu chính.")],
            "steps-2-id": [""],
            "steps-2-ORDER": ["3"],
            "steps-2-DELETE": [""],
            "change_note": [note],
            "action-submit": ["Gửi duyệt"],
        }
    )
    response = client.post(edit_url(page), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    return state.current_task_state.revision_id


def approve_as_rendered(client, moderator, page, *, note: str = ""):
    """The moderator opens the edit page and presses «Duyệt và xuất bản» (typing `note`)."""
    client.force_login(moderator)
    response = client.get(edit_url(page))
    assert response.status_code == 200
    body = response.content.decode()
    data = edit_form_data(body)
    data["change_note"] = [note]
    data.update({"action-workflow-action": ["1"], "workflow-action-name": ["approve"]})
    return body, client.post(edit_url(page), data)


def history(client, page) -> list[str]:
    body = json.loads(client.get("/api/v1/procedures/1.000001/").content)
    return [entry["change_note"] for entry in body["change_history"]]


def test_approving_added_parts_from_the_edit_page_publishes_the_submitted_note(
    client, editor, moderator, page
):
    submitted = submit_added_parts(client, editor, page, SUBMITTED_NOTE)

    body, response = approve_as_rendered(client, moderator, page)
    # the note field is empty; the submitter's note is shown under it
    assert edit_form_data(body)["change_note"] == [""]
    assert f"Ghi chú của người gửi: {html.escape(SUBMITTED_NOTE)}" in body
    assert response.status_code == 302, [
        line
        for line in response.content.decode().splitlines()
        if "error" in line or "Hãy ghi chú" in line
    ][:20]

    # the moderator is told the procedure went live, not just that the page was "updated"
    told = [html.unescape(str(m)).strip() for m in get_messages(response.wsgi_request)]
    assert told == [f"Đã duyệt và xuất bản “{page.title}”."], told

    stored = ProcedurePage.objects.get(pk=page.pk)
    assert stored.live and not stored.has_unpublished_changes
    # the submitted revision itself went live: no moderator's copy was saved over it
    assert stored.live_revision_id == submitted
    assert stored.get_latest_revision().pk == submitted
    assert stored.change_note == SUBMITTED_NOTE
    assert stored.live_revision.content["change_note"] == SUBMITTED_NOTE
    assert [d.name for d in stored.dossier_cases.first().documents.all()][-1] == (
        NEW_DOCUMENT
    )
    assert [s.title for s in stored.steps.all()][-1] == NEW_STEP
    assert not WorkflowState.objects.filter(
        object_id=str(page.pk), status="in_progress"
    ).exists()

    # the public history and the API name each note once, newest first
    assert history(client, page) == [SUBMITTED_NOTE, FIRST_NOTE]
    public = client.get(stored.url).content.decode()
    assert public.count(SUBMITTED_NOTE) == 1
    assert public.count(FIRST_NOTE) == 1
    assert list(
        CatalogEvent.objects.filter(page_id=page.pk)
        .order_by("id")
        .values_list("change_note", flat=True)
    ) == [FIRST_NOTE, SUBMITTED_NOTE]


def test_a_note_typed_by_the_moderator_is_the_one_published(
    client, editor, moderator, page
):
    submitted_note = "Thêm giấy tờ <script>alert(1)</script>"
    submitted = submit_added_parts(client, editor, page, submitted_note)

    body, response = approve_as_rendered(
        client, moderator, page, note="Bổ sung văn bản ủy quyền theo hướng dẫn mới"
    )
    # the submitter's note is shown as text, not markup
    assert "<script>alert(1)</script>" not in body
    assert html.escape(submitted_note) in body
    assert response.status_code == 302

    stored = ProcedurePage.objects.get(pk=page.pk)
    assert stored.live_revision_id == submitted
    assert stored.change_note == "Bổ sung văn bản ủy quyền theo hướng dẫn mới"
    assert history(client, page) == [
        "Bổ sung văn bản ủy quyền theo hướng dẫn mới",
        FIRST_NOTE,
    ]


def test_without_a_submitted_note_the_moderator_must_write_one(
    client, editor, moderator, page
):
    """A revision in moderation without a note (e.g. sent before the rule): the old note is not reused."""
    submitted = submit_added_parts(client, editor, page, SUBMITTED_NOTE)
    from wagtail.models import Revision

    revision = Revision.objects.get(pk=submitted)
    revision.content["change_note"] = ""
    revision.save(update_fields=["content"])

    body, response = approve_as_rendered(client, moderator, page)
    assert "Ghi chú của người gửi" not in body
    assert response.status_code == 200
    assert "Hãy ghi chú thay đổi công khai" in response.content.decode()
    stored = ProcedurePage.objects.get(pk=page.pk)
    assert stored.live_revision_id != submitted
    assert history(client, page) == [FIRST_NOTE]


def test_the_editor_still_writes_a_note_to_submit_or_publish(client, editor, page):
    client.force_login(editor)
    data = edit_form_data(client.get(edit_url(page)).content.decode())
    response = client.post(edit_url(page), {**data, "action-submit": ["1"]})
    assert response.status_code == 200
    assert "Hãy ghi chú thay đổi công khai" in response.content.decode()
    assert not WorkflowState.objects.filter(object_id=str(page.pk)).exists()

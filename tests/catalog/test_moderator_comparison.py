"""What the moderator's dashboard offers to compare, for each kind of submission.

Wagtail's «So sánh với bản trước» compared a resubmission with the editor's own draft of a minute
before: after «Yêu cầu sửa» the fee the moderator had asked about appeared in no comparison, and a
first submission showed only its change note (catalog.admin_review). The dashboard keeps Wagtail's
panel, its «previous» now the version sent back; the edit page names the comparisons.
"""

import re

from django.urls import reverse

from wagtail.models import WorkflowState

import pytest
from bs4 import BeautifulSoup

from catalog.models import ProcedurePage
from tests.catalog.test_save_unchanged import edit_form_data
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

PREVIOUS = "So sánh với bản trước"  # Wagtail's label, on the dashboard
SENT_BACK = "So sánh với bản đã yêu cầu sửa"
LIVE = "So sánh với bản đang công bố"
WHOLE = "Xem toàn bộ nội dung gửi duyệt (chưa từng công bố)"


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def open_form(client, page) -> dict[str, list[str]]:
    response = client.get(edit_url(page))
    assert response.status_code == 200
    return edit_form_data(response.content.decode())


def submit(client, page, **changes) -> None:
    data = {**open_form(client, page), "change_note": ["Ban hành thủ tục"], **changes}
    response = client.post(edit_url(page), {**data, "action-submit": ["1"]})
    assert response.status_code == 302


def request_changes(client, page, comment: str) -> None:
    state = WorkflowState.objects.get(
        base_content_type__model="page", object_id=str(page.pk), status="in_progress"
    )
    reject = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "reject", state.current_task_state.pk),
    )
    assert client.post(reject, {"comment": comment}).status_code in (200, 302)
    assert WorkflowState.objects.get(pk=state.pk).status == "needs_changes"


def submitted_new(client, editor, department) -> ProcedurePage:
    """A procedure never published, submitted by the editor."""
    page = make_procedure(
        department=department,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        publish=False,
    )
    client.force_login(editor)
    submit(client, page)
    return page


def sent_back(client, editor, moderator, department) -> ProcedurePage:
    """The same, then sent back by the moderator asking for a fee of 9.000 đồng."""
    page = submitted_new(client, editor, department)
    client.force_login(moderator)
    request_changes(client, page, "Lệ phí phải là 9.000 đồng")
    return page


def dashboard_comparisons(client, page) -> dict[str, str]:
    """The comparison links the dashboard offers for `page`: label -> url."""
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    pattern = re.compile(rf"^/admin/pages/{page.pk}/revisions/compare/")
    return {
        " ".join(link.get_text().split()): link["href"]
        for link in soup.select("#awaiting-review-section a[href]")
        if pattern.match(link["href"])
    }


def edit_page_comparisons(client, page) -> dict[str, str]:
    """The comparison buttons of the edit page's note for a procedure in moderation."""
    html = client.get(edit_url(page)).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    notes = [
        note
        for note in soup.select(".messages li")
        if "Thủ tục đang chờ duyệt" in note.get_text()
    ]
    assert len(notes) == 1, [note.get_text() for note in soup.select(".messages li")]
    return {
        " ".join(link.get_text().split()): link["href"]
        for link in notes[0].select("a[href]")
    }


def compared_rows(client, url: str) -> list[str]:
    html = client.get(url).content.decode()
    table = BeautifulSoup(html, "html.parser").select_one("main table")
    if table is None:
        return []
    return [
        " ".join(row.get_text(" ", strip=True).split())
        for row in table.select("tbody tr")
    ]


def test_a_resubmission_is_compared_with_the_version_sent_back(
    client, editor, moderator, department
):
    """The moderator asks for a fee of 9.000 đồng; the editor types it, saves a draft, then
    resubmits: the dashboard's comparison shows the fee 8.000 → 9.000, not just the note."""
    page = sent_back(client, editor, moderator, department)

    client.force_login(editor)
    data = open_form(client, page)
    data["execution_methods-0-fees-0-amount"] = ["9.000"]
    assert client.post(edit_url(page), data).status_code == 302
    submit(client, page)

    client.force_login(moderator)
    links = dashboard_comparisons(client, page)
    assert list(links) == [PREVIOUS], links
    rows = compared_rows(client, links[PREVIOUS])
    assert any("8.000" in row and "9.000" in row for row in rows), rows
    offered = edit_page_comparisons(client, page)
    assert offered[SENT_BACK] == links[PREVIOUS], offered
    assert WHOLE in offered  # never published: the whole submission too


def test_a_first_submission_is_shown_whole(client, editor, moderator, department):
    """A never-published procedure: the moderator's comparison lists its content, not only the
    change note of the submission."""
    page = submitted_new(client, editor, department)

    client.force_login(moderator)
    # no comparison with the editor's own draft on the dashboard ...
    assert dashboard_comparisons(client, page) == {}
    # ... and the edit page shows the whole submission
    links = edit_page_comparisons(client, page)
    assert list(links) == [WHOLE], links
    shown = " ".join(compared_rows(client, links[WHOLE]))
    for text in ("Đăng ký khai sinh", "Nộp hồ sơ", "8.000", "Tờ khai"):
        assert text in shown, shown


def test_a_change_to_a_live_procedure_is_compared_with_the_live_version(
    client, editor, moderator, department
):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    submit(client, page, **{"execution_methods-0-fees-0-amount": ["9.000"]})

    client.force_login(moderator)
    links = dashboard_comparisons(client, page)
    assert list(links) == [LIVE]
    assert edit_page_comparisons(client, page) == links
    rows = compared_rows(client, links[LIVE])
    assert any("8.000" in row and "9.000" in row for row in rows), rows
    assert ProcedurePage.objects.get(pk=page.pk).live


def test_after_changes_are_requested_the_editor_is_not_told_it_awaits_review(
    client, editor, moderator, department
):
    page = sent_back(client, editor, moderator, department)
    client.force_login(editor)
    html = client.get(edit_url(page)).content.decode()
    assert "Thủ tục đang chờ duyệt" not in html

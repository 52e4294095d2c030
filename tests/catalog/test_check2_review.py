"""Defects found by an independent check of the editor → moderator journey (branch check2).

Each test fails on main as of f0e946e and describes what a person saw.
"""

import re

from django.contrib.auth.models import Group
from django.urls import reverse

from wagtail.models import WorkflowState

import pytest
from bs4 import BeautifulSoup

from catalog.models import ProcedurePage
from tests.catalog.test_save_unchanged import edit_form_data
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(django_user_model, department):
    user = django_user_model.objects.create_user("bien-tap", password="pw")
    user.groups.add(Group.objects.get(name="STP · Biên tập viên"))
    return user


@pytest.fixture
def moderator(django_user_model, department):
    user = django_user_model.objects.create_user("kiem-duyet", password="pw")
    user.groups.add(Group.objects.get(name="STP · Kiểm duyệt viên"))
    return user


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def open_form(client, page) -> dict[str, list[str]]:
    response = client.get(edit_url(page))
    assert response.status_code == 200
    return edit_form_data(response.content.decode())


def latest(page) -> dict:
    return ProcedurePage.objects.get(pk=page.pk).get_latest_revision().content


@pytest.mark.parametrize(
    "typed",
    ["\u200b", "\u200b\u200b\u200b", "\ufeff", "\u2060", " \u200b \u200c\u200d "],
    ids=["zwsp", "three-zwsp", "bom", "word-joiner", "spaces-and-zero-width"],
)
def test_a_title_of_only_invisible_characters_is_refused(
    client, editor, department, typed
):
    """DEFECT. An editor typed a title made only of a zero-width space (pasted from a web page)
    in «Tiêu đề» of a new procedure: the admin said «Đã tạo trang '​'», slug «trang»; the
    procedure has no visible name in the admin listing, the moderation dashboard, the public
    page or the API. A title of plain spaces is refused with «Trường này là bắt buộc.»; a title
    of invisible characters must be refused the same way."""
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    data = open_form(client, page)
    before = page.get_latest_revision().pk
    data["title"] = [typed]
    response = client.post(edit_url(page), data)
    assert response.status_code == 200, (
        f"a title of only {typed!r} was saved: {latest(page)['title']!r}"
    )
    assert ProcedurePage.objects.get(pk=page.pk).get_latest_revision().pk == before


def _compared_rows(html: str) -> list[str]:
    table = BeautifulSoup(html, "html.parser").select_one("main table")
    if table is None:
        return []
    return [
        " ".join(row.get_text(" ", strip=True).split())
        for row in table.select("tbody tr")
    ]


def _dashboard_compare_links(client, page) -> list[str]:
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    pattern = rf"/admin/pages/{page.pk}/revisions/compare/[^\"']+"
    return sorted(set(re.findall(pattern, html)))


def test_the_moderator_sees_what_the_editor_fixed_after_changes_were_requested(
    client, editor, moderator, department
):
    """DEFECT. A new procedure (never published) is submitted; the moderator requests changes
    («Yêu cầu sửa»: the fee must be 9.000 đồng); the editor types 9.000, presses «Lưu nháp»,
    then «Gửi duyệt lại». On the dashboard the moderator's only comparison is «So sánh với
    bản trước», which compares the resubmission with the editor's own draft of a minute
    before: it lists only «Ghi chú thay đổi công khai». The fee the moderator asked about (and
    any other change since the version the moderator reviewed) is in no comparison offered, so
    the moderator approves without seeing what changed. The comparison offered for a
    resubmission must show the change since the version the moderator reviewed."""
    page = make_procedure(
        department=department,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        publish=False,
    )
    client.force_login(editor)
    data = open_form(client, page)
    data["change_note"] = ["Ban hành thủ tục"]
    assert (
        client.post(edit_url(page), {**data, "action-submit": ["1"]}).status_code == 302
    )

    client.force_login(moderator)
    state = WorkflowState.objects.get(
        base_content_type__model="page", object_id=str(page.pk), status="in_progress"
    )
    reject = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "reject", state.current_task_state.pk),
    )
    response = client.post(reject, {"comment": "Lệ phí phải là 9.000 đồng"})
    assert response.status_code in (200, 302)
    assert WorkflowState.objects.get(pk=state.pk).status == "needs_changes"

    # the editor fixes the fee, saves a draft, then resubmits
    client.force_login(editor)
    data = open_form(client, page)
    data["execution_methods-0-fees-0-amount"] = ["9.000"]
    assert client.post(edit_url(page), data).status_code == 302
    data = open_form(client, page)
    data["change_note"] = ["Ban hành thủ tục"]
    assert (
        client.post(edit_url(page), {**data, "action-submit": ["1"]}).status_code == 302
    )
    amounts = [
        fee["amount"]
        for method in latest(page)["execution_methods"]
        for fee in method["fees"]
    ]
    assert 9000 in amounts

    client.force_login(moderator)
    links = _dashboard_compare_links(client, page)
    assert links, "the dashboard offers the moderator no comparison at all"
    shown = {
        link: client.get(link.replace("&amp;", "&")).content.decode() for link in links
    }
    assert any("9.000" in body for body in shown.values()), (
        "no comparison offered on the moderator's dashboard shows the fee changed to 9.000: "
        + ", ".join(
            f"{link} shows {_compared_rows(body)}" for link, body in shown.items()
        )
    )

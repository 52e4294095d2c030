"""The moderator's dashboard, in Chromium: a resubmission is compared with the version sent back.

The moderator asked for a fee of 9.000 đồng («Yêu cầu sửa»); the editor fixed it in a draft,
then resubmitted. From «Chờ bạn duyệt», the row's «So sánh với bản trước» now compares with
the version sent back and shows the fee 8.000 → 9.000 (it compared with the editor's own last
draft and showed only the change note).
"""

import re

from django.contrib.auth import get_user_model

import pytest

from catalog.models import ProcedurePage
from catalog.services.roles import grant_role
from tests.browser.conftest import screenshot
from tests.factories import make_department, make_procedure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu"  # noqa: S105


@pytest.fixture
def resubmitted(live_server):
    department = make_department(code="STP", title="Sở Tư pháp")
    procedure = make_procedure(
        department=department,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        publish=False,
    )
    users = get_user_model()
    root = users.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    editor = users.objects.create_user("editor", "editor@example.invalid", PASSWORD)
    moderator = users.objects.create_user("moderator", "mod@example.invalid", PASSWORD)
    grant_role(actor=root, user=editor, department=department, role="editor")
    grant_role(actor=root, user=moderator, department=department, role="moderator")

    page = ProcedurePage.objects.get(pk=procedure.pk)
    page.change_note = "Ban hành thủ tục"
    page.save_revision(user=editor)
    state = page.get_workflow().start(page, editor)
    state.current_task_state.reject(user=moderator, comment="Lệ phí phải là 9.000 đồng")

    page = ProcedurePage.objects.get(pk=procedure.pk).get_latest_revision_as_object()
    method = page.execution_methods.all()[0]
    fees = list(method.fees.all())
    fees[0].amount = 9000
    method.fees = fees
    page.execution_methods = [method, *page.execution_methods.all()[1:]]
    page.save_revision(user=editor)  # the fix, saved as a draft
    page.save_revision(user=editor)  # then resubmitted
    state.refresh_from_db()
    state.resume(user=editor)
    return {"url": live_server.url, "procedure": procedure}


def test_the_moderator_compares_a_resubmission_with_the_version_sent_back(
    resubmitted, page
):
    page.goto(resubmitted["url"] + "/admin/login/")
    page.locator("#id_username").fill("moderator")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    panel = page.locator("#awaiting-review-section")
    row = panel.get_by_role("row").filter(has_text="Đăng ký khai sinh")
    row.get_by_role("button", name=re.compile("Thao tác|Actions")).click()
    # Wagtail's «So sánh với bản trước», now with the version sent back
    row.get_by_role("link", name="So sánh với bản trước").click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "moderator-compares-with-the-version-sent-back")

    changes = page.locator("main table tbody").inner_text()
    assert "8.000 đồng → 9.000 đồng" in changes, changes

"""A live procedure's edit page says when its draft differs, by whom and when; the draft can be discarded."""

import html
from decimal import Decimal

from wagtail.models import PageLogEntry

import pytest

from catalog.models import AuditKind, PermissionAuditEntry, ProcedurePage
from catalog.services.roles import grant_role
from tests.factories import LevelFactory, make_procedure

pytestmark = pytest.mark.django_db

DOMAIN_KEYS = (
    "title",
    "summary",
    "levels",
    "fields",
    "steps",
    "execution_methods",
    "dossier_cases",
    "effective_date",
)


@pytest.fixture
def editor(django_user_model, superuser, department):
    user = django_user_model.objects.create_user(
        "lan", password="pw", first_name="Lan", last_name="Nguyễn"
    )
    grant_role(actor=superuser, user=user, department=department, role="editor")
    return user


@pytest.fixture
def live(department):
    return make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )


def _draft(procedure, user, **changes):
    page = ProcedurePage.objects.get(pk=procedure.pk)
    for name, value in changes.items():
        setattr(page, name, value)
    return page.save_revision(user=user)


def _edit_page(client, procedure) -> str:
    response = client.get(f"/admin/pages/{procedure.pk}/edit/")
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_no_notice_without_a_draft(client, editor, live):
    client.force_login(editor)
    assert "Bản nháp đang khác bản đã công bố" not in _edit_page(client, live)


def test_a_draft_saved_with_nothing_changed_is_no_draft_to_announce(
    client, editor, live
):
    """«Lưu nháp» with nothing changed: no "the draft differs" banner (its compare link
    showed no difference), even with a note written for the next publication."""
    _draft(live, editor, change_note="Sẽ cập nhật lệ phí")
    assert ProcedurePage.objects.get(pk=live.pk).has_unpublished_changes
    client.force_login(editor)
    assert "Bản nháp đang khác bản đã công bố" not in _edit_page(client, live)
    _draft(live, editor, summary="Một đoạn tóm tắt mới")
    assert "Bản nháp đang khác bản đã công bố" in _edit_page(client, live)


def test_a_live_revision_written_before_its_parts_had_ids_is_no_difference(
    client, editor, live
):
    """load_demo and imports write the live revision before the inline parts have row ids."""
    revision = ProcedurePage.objects.get(pk=live.pk).live_revision

    def unsaved(value):
        if isinstance(value, list):
            return [unsaved(item) for item in value]
        if isinstance(value, dict):
            return {
                k: None
                if k == "pk"
                else str(Decimal(v).normalize())
                if k.endswith("_value") and v
                else unsaved(v)
                for k, v in value.items()
            }
        return value

    revision.content = {
        k: unsaved(v) if isinstance(v, list) else v for k, v in revision.content.items()
    }
    revision.save(update_fields=["content"])
    _draft(live, editor)
    client.force_login(editor)
    assert "Bản nháp đang khác bản đã công bố" not in _edit_page(client, live)


def test_edit_page_names_who_saved_the_draft_and_when(client, editor, live):
    revision = _draft(live, editor, title="Đăng ký khai sinh (sửa)")
    client.force_login(editor)
    text = _edit_page(client, live)
    assert "Bản nháp đang khác bản đã công bố" in text
    assert "Lan Nguyễn" in text
    from django.utils import timezone

    assert f"{timezone.localtime(revision.created_at):%H:%M %d/%m/%Y}" in text
    assert f"/admin/thu-tuc/{live.pk}/bo-ban-nhap/" in text
    assert f"/admin/pages/{live.pk}/revisions/compare/live...latest/" in text


def test_edit_page_does_not_autosave_but_warns_before_leaving(client, editor, live):
    # docs/adr/005-no-autosave.md: a revision exists only when someone presses a save button;
    # Wagtail's unsaved-changes warning still guards typed edits.
    client.force_login(editor)
    text = _edit_page(client, live)
    # the form's controller starts autosaving only when given an interval
    assert "data-w-autosave-interval-value" not in text
    assert "w-unsaved w-autosave" not in text
    assert "w-unsaved" in text


def test_discarding_restores_the_live_content_and_is_logged(
    client, editor, live, department
):
    level = LevelFactory(code="commune", name="Cấp Xã")
    _draft(live, editor, title="Tiêu đề nháp", levels=[level], summary="Nháp.")
    client.force_login(editor)
    url = f"/admin/thu-tuc/{live.pk}/bo-ban-nhap/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Bỏ bản nháp" in confirm.content.decode()
    page = ProcedurePage.objects.get(pk=live.pk)
    assert page.has_unpublished_changes  # GET changes nothing

    response = client.post(url)
    assert response.status_code == 302
    page = ProcedurePage.objects.get(pk=live.pk)
    assert not page.has_unpublished_changes
    assert page.draft_title == "Đăng ký khai sinh"
    latest, published = page.latest_revision.content, page.live_revision.content
    for key in DOMAIN_KEYS:
        if key in ("steps", "execution_methods", "dossier_cases"):
            assert len(latest[key]) == len(published[key]), key
        else:
            assert latest.get(key) == published.get(key), key
    assert PageLogEntry.objects.filter(
        page=page, action="wagtail.revert", user=editor
    ).exists()
    text = _edit_page(client, live)
    assert "Bản nháp đang khác bản đã công bố" not in text
    # the name box (a textarea, for names of up to 2,000 characters) holds the live name
    assert "Tiêu đề nháp</textarea>" not in text
    assert "Đăng ký khai sinh</textarea>" in text
    # the shared entry only the draft used is free again
    from catalog.shared_usage import procedure_ids_using

    assert procedure_ids_using(level) == set()


def test_another_departments_editor_may_not_discard(
    client, django_user_model, superuser, editor, live, other_department
):
    _draft(live, editor, title="Nháp của Sở")
    stranger = django_user_model.objects.create_user("khac", password="pw")
    grant_role(
        actor=superuser, user=stranger, department=other_department, role="editor"
    )
    client.force_login(stranger)
    assert client.post(f"/admin/thu-tuc/{live.pk}/bo-ban-nhap/").status_code == 403
    assert ProcedurePage.objects.get(pk=live.pk).draft_title == "Nháp của Sở"
    # refused and audited (by this view, or earlier by the admin's department guard)
    refusals = PermissionAuditEntry.objects.filter(kind=AuditKind.DENIED)
    assert any(
        f"page {live.pk}" in f"{entry.action} {entry.detail}" for entry in refusals
    )


def test_a_draft_in_moderation_is_not_discarded(client, editor, superuser, live):
    from wagtail.models import Workflow, WorkflowPage

    revision = _draft(live, editor, title="Chờ duyệt")
    workflow = Workflow.objects.filter(active=True).first()
    if workflow is None:
        from wagtail.models import GroupApprovalTask

        workflow = Workflow.objects.create(name="Duyệt thử")
        task = GroupApprovalTask.objects.create(name="Duyệt")
        workflow.workflow_tasks.create(task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(
        page=live.get_parent(), defaults={"workflow": workflow}
    )
    page = ProcedurePage.objects.get(pk=live.pk)
    page.get_workflow().start(page, editor)
    assert revision.pk == page.latest_revision_id
    client.force_login(editor)
    response = client.post(f"/admin/thu-tuc/{live.pk}/bo-ban-nhap/", follow=True)
    assert "đang chờ duyệt" in response.content.decode()
    assert ProcedurePage.objects.get(pk=live.pk).draft_title == "Chờ duyệt"

"""What an editor is told when a procedure is wrong, and where procedures may live."""

import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError

import pytest

from catalog.models import (
    CatalogEvent,
    DepartmentPage,
    ExecutionMethod,
    FeeItem,
    ProcedurePage,
    RequiredDocument,
)
from tests.factories import make_form_template, make_procedure

pytestmark = pytest.mark.django_db


def messages_of(error: ValidationError, field: str) -> str:
    return " ".join(error.message_dict[field])


def test_negative_fee_is_refused_in_vietnamese():
    with pytest.raises(ValidationError) as error:
        FeeItem(kind="charge", amount=-1000).clean()
    assert "không được âm" in messages_of(error.value, "amount")


def test_required_document_needs_an_original_or_a_copy():
    with pytest.raises(ValidationError) as error:
        RequiredDocument(
            name="Tờ khai", originals=0, copies=0, is_required=True
        ).clean()
    assert "ít nhất một bản chính hoặc một bản sao" in messages_of(
        error.value, "copies"
    )
    RequiredDocument(name="Ảnh", originals=0, copies=1).clean()


def test_processing_time_without_unit_is_refused():
    with pytest.raises(ValidationError) as error:
        ExecutionMethod(channel="in_person", processing_time_value=Decimal(5)).clean()
    assert "phải có đơn vị" in messages_of(error.value, "processing_time_unit")


def test_processing_time_display_reads_naturally():
    method = ExecutionMethod(
        channel="online",
        processing_time_value=Decimal("2.50"),
        processing_time_unit="working_day",
    )
    assert method.processing_time_display == "2,5 ngày làm việc"
    from django.utils import translation

    with translation.override("en"):  # "2,5" reads as twenty-five in English
        assert method.processing_time_display == "2.5 working days"
    free_text = ExecutionMethod(channel="postal", processing_time_text="Theo giấy hẹn")
    assert free_text.processing_time_display == "Theo giấy hẹn"


@pytest.mark.parametrize("number", ["5", "0", "12,5", "7.5"])
def test_a_time_that_is_a_number_without_unit_says_the_unit_is_not_stated(number):
    method = ExecutionMethod(channel="in_person", processing_time_text=number)
    assert method.processing_time_display == f"{number} (không ghi rõ đơn vị thời gian)"
    worded = ExecutionMethod(processing_time_text="Không quá 15 ngày làm việc")
    assert worded.processing_time_display == "Không quá 15 ngày làm việc"


def test_full_online_service_needs_a_submission_link(department):
    procedure = ProcedurePage(
        title="Cấp phiếu lý lịch tư pháp", national_code="1.000002", online_level="full"
    )
    with pytest.raises(ValidationError) as error:
        procedure.clean()
    assert "đường dẫn nộp hồ sơ" in messages_of(error.value, "online_url")


def test_duplicate_national_code_among_live_procedures_is_refused(
    procedure, other_department
):
    twin = ProcedurePage(
        title="Đăng ký khai sinh (bản sao)", national_code=procedure.national_code
    )
    with pytest.raises(ValidationError) as error:
        twin.clean()
    assert procedure.national_code in messages_of(error.value, "national_code")
    assert "Đăng ký khai sinh" in messages_of(error.value, "national_code")


def test_a_draft_does_not_block_its_national_code(department):
    make_procedure(
        department=department, national_code="1.000009", title="Bản nháp", publish=False
    )
    ProcedurePage(title="Bản công bố", national_code="1.000009").clean()


def test_procedures_live_only_under_a_department():
    assert ProcedurePage.allowed_parent_page_models() == [DepartmentPage]
    assert ProcedurePage.allowed_subpage_models() == []
    assert DepartmentPage.can_create_at(ProcedurePage()) is False


def test_form_template_records_checksum_and_size(department):
    template = make_form_template(
        department=department, code="CT01", content=b"mau to khai"
    )
    assert template.size == len(b"mau to khai")
    assert template.sha256 == hashlib.sha256(b"mau to khai").hexdigest()


def test_department_gets_collection_groups_and_workflow(department):
    from django.contrib.auth.models import Group

    from wagtail.models import WorkflowPage

    assert department.collection is not None
    names = set(
        Group.objects.filter(name__startswith="STP · ").values_list("name", flat=True)
    )
    assert names == {
        "STP · Biên tập viên",
        "STP · Kiểm duyệt viên",
        "STP · Quản trị đơn vị",
    }
    assert WorkflowPage.objects.filter(page=department).exists()


def test_page_parts_survive_the_revision_round_trip(department):
    procedure = make_procedure(
        department=department, national_code="1.000003", title="Đăng ký kết hôn"
    )
    live = ProcedurePage.objects.get(pk=procedure.pk)
    methods = list(live.execution_methods.all())
    assert [m.channel for m in methods] == ["in_person", "online"]
    assert sorted(fee.amount for m in methods for fee in m.fees.all()) == [
        0,
        4000,
        8000,
    ]
    cases = list(live.dossier_cases.all())
    assert [len(case.documents.all()) for case in cases] == [2, 1]
    revision_copy = live.latest_revision.as_object()
    assert [c.name for c in revision_copy.dossier_cases.all()] == [
        c.name for c in cases
    ]


def test_events_on_publish_update_unpublish_delete(department):
    procedure = make_procedure(
        department=department, national_code="1.000004", title="Đăng ký khai tử"
    )
    procedure.change_note = "Giảm lệ phí"
    procedure.save_revision().publish()
    procedure.refresh_from_db()
    procedure.unpublish()
    procedure.delete()
    events = list(
        CatalogEvent.objects.filter(page_id=procedure.pk).values_list(
            "action", "change_note"
        )
    )
    assert events == [
        ("published", "Công bố lần đầu"),
        ("updated", "Giảm lệ phí"),
        ("unpublished", ""),
        ("deleted", ""),
    ]
    deleted = CatalogEvent.objects.filter(page_id=procedure.pk).last()
    assert (deleted.national_code, deleted.department_code) == ("1.000004", "STP")


def test_moving_a_procedure_records_the_new_owner(department, other_department):
    procedure = make_procedure(
        department=department, national_code="1.000005", title="Chứng thực bản sao"
    )
    procedure.move(other_department, pos="last-child")
    moved = CatalogEvent.objects.filter(page_id=procedure.pk).last()
    assert (moved.action, moved.department_code) == ("moved", "PBT")


def test_events_are_announced_after_commit(
    department, django_capture_on_commit_callbacks
):
    from catalog.signals import catalog_event_committed

    received = []

    def listener(sender, event, **kwargs):
        received.append((event.action, event.national_code))

    catalog_event_committed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            make_procedure(
                department=department,
                national_code="1.000006",
                title="Đăng ký thường trú",
            )
    finally:
        catalog_event_committed.disconnect(listener)
    assert received == [("published", "1.000006")]


def test_pages_created_in_code_get_folded_slugs(department):
    first = make_procedure(
        department=department, national_code="1.000010", title="Đăng ký khai sinh"
    )
    second = make_procedure(
        department=department,
        national_code="1.000011",
        title="Đăng ký khai sinh",
        publish=False,
    )
    assert (department.slug, first.slug, second.slug) == (
        "so-tu-phap",
        "dang-ky-khai-sinh",
        "dang-ky-khai-sinh-2",
    )
    assert first.url == "/co-quan/so-tu-phap/dang-ky-khai-sinh/"

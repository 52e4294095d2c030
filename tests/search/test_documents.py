"""The batch document path (plain rows) must give exactly what the model-based builder gives."""

import types

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from catalog.models import ProcedurePage
from catalog.selectors import procedures_with_parts
from search.documents import DocumentBuilder, ProcedureDocument, iter_documents
from tests.factories import make_department, make_procedure


def test_batch_documents_equal_model_documents(catalog):
    department = make_department(code="DOCS", title="Sở Thử nghiệm")
    make_procedure(
        department=department, national_code="9.000001", title="Thủ tục đầy đủ phần"
    )
    make_procedure(
        department=department,
        national_code="9.000002",
        title="Thủ tục Chứng thực chữ ký",
        implementing_agencies="Cơ quan đại diện Việt Nam ở nước ngoài; Bộ Ngoại giao",
    )
    builder = DocumentBuilder()
    expected = {
        procedure.pk: builder.build(procedure).as_dict()
        for procedure in procedures_with_parts(ProcedurePage.objects.live().public())
    }
    batch = {document.page_id: document.as_dict() for document in iter_documents()}
    assert batch == expected
    full = batch[ProcedurePage.objects.get(national_code="9.000001").pk]
    assert full["fee_min"] == 0 and full["fee_max"] == 8000
    assert full["processing_time"] == "5 ngày làm việc"
    assert "Giấy chứng sinh" in full["documents"] and "Nhận kết quả" in full["steps"]
    # only an agency abroad (an embassy, a consulate) makes a procedure served abroad
    abroad = batch[ProcedurePage.objects.get(national_code="9.000002").pk]
    assert abroad["served_abroad"] and not full["served_abroad"]


def test_batch_documents_cost_a_fixed_number_of_queries(catalog):
    with CaptureQueriesContext(connection) as few:
        list(iter_documents([next(iter(catalog.values())).pk]))
    with CaptureQueriesContext(connection) as many:
        list(iter_documents([page.pk for page in catalog.values()]))
    assert len(catalog) > 5
    assert len(many) == len(few)


@pytest.mark.parametrize(
    "agencies, abroad",
    [
        ("Cơ quan đại diện Việt Nam ở nước ngoài", True),
        ("Bộ Tư pháp; Cơ quan đại diện Việt Nam ở nước ngoài", True),
        ("Cơ quan lãnh sự, Cơ quan đại diện ngoại giao", True),
        ("Cục Lãnh sự - Bộ Ngoại giao", False),  # the ministry, at home
        ("Cơ quan đại diện có thẩm quyền; Ủy ban nhân dân cấp xã", False),
        ("", False),
    ],
)
def test_a_procedure_is_served_abroad_when_a_mission_abroad_carries_it_out(
    agencies, abroad
):
    document = ProcedureDocument(page_id=1, code="1", codes=["1"], name="Thủ tục")
    procedure = types.SimpleNamespace(implementing_agencies=agencies)
    DocumentBuilder.prepare_served_abroad(document, procedure)
    assert document.served_abroad is abroad


@pytest.mark.parametrize(
    "procedure_type, authority, elsewhere",
    [
        ("specific", "UBND tỉnh Lạng Sơn", True),
        ("specific", "Ủy ban nhân dân Thành phố Hải Phòng", True),
        ("specific", "UBND Thành phố Hồ Chí Minh", False),  # this city's own
        ("specific", "UBND TP.HCM", False),
        ("specific", "Bộ Tư pháp", False),  # a ministry is nobody's province
        ("specific", "", False),
        ("standard", "UBND tỉnh Lạng Sơn", False),
        # found by an independent check: the city under other spellings, its wards and
        # districts, and what names no province, are this city's or nobody's
        ("specific", "UBND TPHCM", False),
        ("specific", "UBND phường Bến Nghé", False),
        ("specific", "UBND quận 1", False),
        ("specific", "UBND thành phố Thủ Đức", False),
        ("specific", "UBND cấp tỉnh", False),
        ("specific", "UBND tỉnh, thành phố", False),
        ("specific", "UBND tỉnh Bình Dương", False),  # part of the city since 2025
        # ... and another province's, whoever in it announced the procedure
        ("specific", "Sở Xây dựng - tỉnh Quảng Ngãi", True),
        ("specific", "Trung tâm phục vụ hành chính công Thành phố Hà Nội", True),
        ("specific", "Chủ tịch UBND tỉnh Lạng Sơn", True),
    ],
)
def test_a_specific_procedure_another_province_announced_is_marked(
    settings, procedure_type, authority, elsewhere
):
    settings.CATALOG_PROVINCE = "Thành phố Hồ Chí Minh"
    document = ProcedureDocument(page_id=1, code="1", codes=["1"], name="Thủ tục")
    procedure = types.SimpleNamespace(
        procedure_type=procedure_type, decision_authority=authority
    )
    DocumentBuilder.prepare_another_provinces(document, procedure)
    assert document.another_provinces is elsewhere


def test_another_city_sees_this_citys_procedures_as_another_provinces(settings):
    from catalog.text import another_provinces

    assert another_provinces("UBND Thành phố Hồ Chí Minh", "Thành phố Hà Nội")
    assert not another_provinces("UBND Thành phố Hà Nội", "Thành phố Hà Nội")
    assert another_provinces("UBND tỉnh Hà Nam", "Hà Nội")
    assert not another_provinces(
        "UBND tỉnh Hà Nam", "Ninh Bình"
    )  # merged into it in 2025

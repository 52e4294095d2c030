"""A small public catalog for the site and browser tests, built through the product's own services."""

import datetime
from decimal import Decimal

from catalog.models import (
    DossierCase,
    ExecutionMethod,
    FeeItem,
    PublicHoliday,
    RequiredDocument,
    Result,
)
from tests.factories import (
    FieldFactory,
    LegalDocumentFactory,
    LevelFactory,
    LifeEventFactory,
    SubjectTypeFactory,
    make_department,
    make_form_template,
    make_procedure,
)

HOLIDAYS = {
    datetime.date(2026, 4, 30): "Ngày Giải phóng miền Nam",
    datetime.date(2026, 5, 1): "Ngày Quốc tế Lao động",
    datetime.date(2026, 9, 2): "Quốc khánh",
    datetime.date(2026, 9, 1): "Quốc khánh (nghỉ liền kề)",
}
FORM_BYTES = b"%PDF-1.4\n% to khai dang ky khai sinh\n" + b"0" * 2000


def _publish_with(procedure, **relations):
    for name, values in relations.items():
        setattr(procedure, name, values)
    procedure.save_revision().publish()
    procedure.refresh_from_db()
    return procedure


def build_catalog() -> dict:
    """Two departments, four procedures, forms, holidays; returns the objects tests look at."""
    for day, name in HOLIDAYS.items():
        PublicHoliday.objects.get_or_create(date=day, defaults={"name": name})
    civil = FieldFactory(code="G15-TP07", name="Hộ tịch")
    certify = FieldFactory(code="G15-TP05", name="Chứng thực")
    province = LevelFactory(code="province", name="Cấp Tỉnh", sort_order=1)
    commune = LevelFactory(code="commune", name="Cấp Xã", sort_order=2)
    citizen = SubjectTypeFactory(code="citizen", name="Công dân Việt Nam")
    birth = LifeEventFactory(code="khai-sinh", name="Khai sinh")
    marriage = LifeEventFactory(code="ket-hon", name="Kết hôn")
    law = LegalDocumentFactory(
        number="60/2014/QH13",
        title="Luật Hộ tịch",
        issuer="Quốc hội",
        url="https://vbpl.vn/luat-ho-tich",
    )
    birth_certificate, _ = Result.objects.get_or_create(
        code="KQ-KS", defaults={"name": "Giấy khai sinh (bản chính)"}
    )

    justice = make_department(
        code="STP",
        title="Sở Tư pháp",
        address="141-143 Pasteur, Phường Xuân Hòa, TP. Hồ Chí Minh",
        phone="028 3829 0230",
        email="stp@tphcm.gov.vn",
        opening_hours="Thứ Hai - Thứ Sáu: 7:30 - 11:30, 13:00 - 17:00",
    )
    ward = make_department(
        code="PBT", title="UBND phường Bến Thành", kind="ward", address="92 Nguyễn Trãi"
    )
    form = make_form_template(
        department=justice,
        code="TK-KS",
        name="Tờ khai đăng ký khai sinh",
        content=FORM_BYTES,
    )

    birth_registration = make_procedure(
        department=justice,
        national_code="1.001193",
        title="Đăng ký khai sinh",
        form_template=form,
        publish=False,
        online_level="full",
        online_url="https://dichvucong.gov.vn/p/home/dvc-chi-tiet-thu-tuc.html?ma=1.001193",
        implementing_agencies="UBND phường, xã nơi cư trú của người cha hoặc mẹ",
        receiving_address="Bộ phận một cửa UBND phường, xã",
        conditions="<p>Trẻ em sinh ra còn sống.</p>",
        decision_number="1872/QĐ-BTP",
    )
    birth_registration.dossier_cases = [
        DossierCase(
            name="Trẻ em sinh ra tại cơ sở y tế",
            documents=[
                RequiredDocument(
                    name="Tờ khai đăng ký khai sinh",
                    originals=1,
                    copies=0,
                    form_template=form,
                ),
                RequiredDocument(name="Giấy chứng sinh", originals=1, copies=0),
            ],
        ),
        DossierCase(
            name="Trẻ em bị bỏ rơi",
            documents=[
                RequiredDocument(
                    name="Biên bản xác nhận việc trẻ bị bỏ rơi",
                    originals=1,
                    copies=0,
                ),
                RequiredDocument(
                    name="Giấy tờ tùy thân của người đi khai",
                    originals=0,
                    copies=1,
                    is_required=False,
                    note="Xuất trình bản chính để đối chiếu",
                ),
            ],
        ),
    ]
    birth_registration.execution_methods = [
        ExecutionMethod(
            channel="in_person",
            processing_time_value=Decimal("3"),
            processing_time_unit="working_day",
            fees=[FeeItem(kind="charge", amount=0, description="Miễn lệ phí")],
        ),
        ExecutionMethod(
            channel="online",
            processing_time_value=Decimal("1"),
            processing_time_unit="working_day",
            fees=[FeeItem(kind="charge", amount=0)],
        ),
        ExecutionMethod(
            channel="postal",
            processing_time_value=Decimal("10"),
            processing_time_unit="day",
            fees=[FeeItem(kind="service_fee", amount=25000)],
        ),
    ]
    _publish_with(
        birth_registration,
        fields=[civil],
        life_events=[birth],
        levels=[commune],
        subject_types=[citizen],
        results=[birth_certificate],
        legal_basis=[law],
    )

    marriage_registration = make_procedure(
        department=justice,
        national_code="1.000894",
        title="Đăng ký kết hôn",
        publish=False,
        online_level="partial",
        online_url="https://dichvucong.gov.vn/ket-hon",
    )
    _publish_with(
        marriage_registration,
        fields=[civil],
        life_events=[marriage],
        levels=[commune],
        subject_types=[citizen],
        legal_basis=[law],
    )
    copy_certification = make_procedure(
        department=justice,
        national_code="2.000815",
        title="Chứng thực bản sao từ bản chính",
        publish=False,
    )
    _publish_with(copy_certification, fields=[certify], levels=[province])
    extract = make_procedure(
        department=ward,
        national_code="1.004884",
        title="Cấp bản sao trích lục hộ tịch",
        publish=False,
    )
    _publish_with(extract, fields=[civil], levels=[commune], life_events=[birth])
    return {
        "justice": justice,
        "ward": ward,
        "form": form,
        "birth": birth_registration,
        "marriage": marriage_registration,
        "copy": copy_certification,
        "extract": extract,
        "life_event": birth,
    }


def index_catalog() -> None:
    """Rebuild the configured engine's index (and its database copy) from the live catalog."""
    from search.documents import iter_documents
    from search.engines import get_engine
    from search.indexing import save_records

    documents = list(iter_documents())
    get_engine().rebuild(documents)
    save_records(documents)

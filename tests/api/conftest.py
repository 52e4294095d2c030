import pytest

from catalog.models import (
    Field,
    LegalDocument,
    Level,
    LifeEvent,
    ProcedurePage,
    Result,
    SubjectType,
)
from tests.factories import make_department, make_form_template, make_procedure


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    """Each test starts with its own anonymous quota; tests of throttling lower it themselves.

    The occasional cleanup of expired windows is off, so query counts are exact.
    """
    settings.API_ANON_RATE = "10000/min"
    settings.API_SUGGEST_RATE = "10000/min"
    settings.API_THROTTLE_CLEANUP_ONE_IN = 0


@pytest.fixture
def lists(db):
    return {
        "civil": Field.objects.create(code="G15-TP07", name="Hộ tịch"),
        "land": Field.objects.create(code="G09-TN01", name="Đất đai"),
        "province": Level.objects.create(
            code="province", name="Cấp Tỉnh", sort_order=1
        ),
        "commune": Level.objects.create(code="commune", name="Cấp Xã", sort_order=2),
        "citizen": SubjectType.objects.create(code="citizen", name="Công dân Việt Nam"),
        "birth": LifeEvent.objects.create(code="khai-sinh", name="Khai sinh"),
        "certificate": Result.objects.create(code="KQ01", name="Giấy khai sinh"),
        "law": LegalDocument.objects.create(
            number="60/2014/QH13", title="Luật Hộ tịch", issuer="Quốc hội"
        ),
    }


@pytest.fixture
def catalog(db, lists):
    """Two departments, four published procedures, one draft and one unpublished procedure."""
    stp = make_department(code="STP", title="Sở Tư pháp")
    ward = make_department(code="PBT", title="UBND phường Bến Thành", kind="ward")
    form = make_form_template(department=stp, code="TK01", name="Tờ khai khai sinh")
    birth = make_procedure(
        department=stp,
        national_code="1.000001",
        title="Đăng ký khai sinh",
        online_level="full",
        online_url="https://dichvucong.example.invalid/ks",
        keywords="khai sinh, giấy khai sinh",
        form_template=form,
    )
    birth.fields.set([lists["civil"]])
    birth.levels.set([lists["province"]])
    birth.subject_types.set([lists["citizen"]])
    birth.life_events.set([lists["birth"]])
    birth.results.set([lists["certificate"]])
    birth.legal_basis.set([lists["law"]])
    republish(birth, note="Gắn lĩnh vực")
    marriage = make_procedure(
        department=stp, national_code="1.000002", title="Đăng ký kết hôn"
    )
    land = make_procedure(
        department=ward,
        national_code="1.000003",
        local_code="HCM.PBT.01",
        title="Xác nhận đất đai",
        status="superseded",
    )
    land.fields.set([lists["land"]])
    land.levels.set([lists["commune"]])
    republish(land, note="Gắn lĩnh vực")
    ward_birth = make_procedure(
        department=ward, national_code="1.000004", title="Khai sinh tại phường"
    )
    draft = make_procedure(
        department=stp, national_code="9.999999", title="Bản nháp bí mật", publish=False
    )
    withdrawn = make_procedure(
        department=ward, national_code="9.888888", title="Đã ngừng công bố"
    )
    withdrawn.unpublish()
    return {
        "stp": stp,
        "ward": ward,
        "form": form,
        "birth": refreshed(birth),
        "marriage": marriage,
        "land": refreshed(land),
        "ward_birth": ward_birth,
        "draft": draft,
        "withdrawn": withdrawn,
    }


def refreshed(page):
    return ProcedurePage.objects.get(pk=page.pk)


def republish(page, *, note: str = "Cập nhật") -> ProcedurePage:
    """Publish the page's in-memory state as a new revision (what an editor's publish does)."""
    page.change_note = note
    page.save_revision().publish()
    return refreshed(page)


def set_first_fee(
    page, amount: int, *, note: str = "Điều chỉnh lệ phí"
) -> ProcedurePage:
    page = refreshed(page)
    methods = list(page.execution_methods.all())
    fees = list(methods[0].fees.all())
    fees[0].amount = amount
    methods[0].fees = fees
    page.execution_methods = methods
    return republish(page, note=note)


def get_json(client, url, **headers):
    response = client.get(url, **headers)
    assert response["Content-Type"].startswith("application/json"), response.content[
        :200
    ]
    return response, response.json()


def all_items(client, url, **headers):
    """Follow next_cursor to the end."""
    items, cursor = [], None
    while True:
        separator = "&" if "?" in url else "?"
        response, body = get_json(
            client, url + (f"{separator}cursor={cursor}" if cursor else ""), **headers
        )
        assert response.status_code == 200, body
        items += body["items"]
        cursor = body["meta"]["next_cursor"]
        if not cursor:
            return items

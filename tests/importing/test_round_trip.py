"""Export then import back: the file the admin or the benchmark exports reads back as "unchanged".

The procedures are written the way the generator and older imports write them (text straight into
the model, not through the readers), so their text keeps runs of blanks, a line break in the title,
trailing blanks and non-breaking spaces, which the readers normalise in cells.
"""

from pathlib import Path

from wagtail.models import Revision

import pytest

from catalog.importing.exporting import export
from catalog.importing.service import ImportOptions, import_paths
from catalog.models import CatalogEvent, LegalDocument, ProcedurePage
from catalog.services.procedures import create_procedure, procedure_snapshot
from tests.factories import make_form_template


def generated_style(code: str, form_code: str) -> dict:
    """A procedure dict shaped like bench/generate.py's, with the blanks real sources carry."""
    return {
        "national_code": code,
        "title": f"Cấp giấy phép  hoạt động\nđối với cơ sở {code} ",
        "summary": "Cấp giấy phép,  chứng thư\u00a0cho tổ chức. ",
        "decision_number": "163/QĐ-BTP ",
        "decision_date": "2025-03-04",
        "effective_date": "2025-04-01",
        "implementing_agencies": "Sở Tư pháp;  UBND phường",
        "receiving_address": "Trung tâm phục vụ hành chính công\n  số 1 Lê Duẩn",
        "conditions": "<p>-  Điều kiện 1: đủ 18 tuổi.</p><p>+ Điều kiện 2 </p>",
        "keywords": "giấy phép,  hoạt động",
        "online_level": "partial",
        "online_url": "https://dichvucong.example.invalid/nop",
        "levels": ["TINH"],
        "legal_basis": ["23/2025/NĐ-CP", "15/2024/TT-BTP"],
        "steps": [
            {"title": "Nộp  hồ sơ", "description": "<p>Bước 1:  nộp hồ sơ.</p>"},
            {
                "title": "Nhận kết quả",
                "description": "<ul><li>Nhận tại  quầy</li><li>Qua bưu điện</li></ul>",
            },
        ],
        "execution_methods": [
            {
                "channel": "in_person",
                "processing_time_value": "7.5",
                "processing_time_unit": "working_day",
                "description": "Nộp trực tiếp  tại bộ phận một cửa",
                "fees": [
                    {"kind": "charge", "amount": 8000, "description": "Lệ phí  cấp"},
                    {
                        "kind": "fee",
                        "amount": 0,
                        "description": "Phí thẩm định:  + Hộ gia đình: 150.000 đồng",
                    },
                ],
            },
            {
                "channel": "online",
                "processing_time_value": "0.5",
                "processing_time_unit": "day",
                "fees": [],
            },
            {
                "channel": "postal",
                "processing_time_text": "Theo  thời hạn của  cơ quan",
                "fees": [
                    {"kind": "service_fee", "amount": 25000},
                    {
                        "kind": "charge",
                        "amount": 50,
                        "currency": "USD",
                        "description": "Nộp tại cơ quan đại diện",
                    },
                    {
                        # no fixed amount: an empty cell, read back as none, never as 0
                        "kind": "fee",
                        "amount": None,
                        "description": "Theo quy định của Hội đồng nhân dân cấp tỉnh",
                    },
                ],
            },
        ],
        "dossier_cases": [
            {
                "name": "Trường hợp  thông thường",
                "description": "Nộp lần  đầu",
                "documents": [
                    {
                        "name": "Tờ khai  đề nghị",
                        "originals": 1,
                        "copies": 0,
                        "form_template": form_code,
                    },
                    {
                        "name": "- Bản sao giấy tờ tùy thân ",
                        "originals": 0,
                        "copies": 2,
                        "is_required": False,
                        "note": "'+84: Xuất trình  bản chính",
                    },
                ],
            },
            {"name": "Trường hợp ủy quyền", "documents": []},
        ],
    }


@pytest.fixture
def generated_catalog(department):
    LegalDocument.objects.create(
        number="23/2025/NĐ-CP", title="Nghị định  về hộ tịch", issuer="Chính phủ"
    )
    LegalDocument.objects.create(
        number="15/2024/TT-BTP", title="Thông tư hướng dẫn", issuer="Bộ Tư pháp"
    )
    from catalog.models import Level

    Level.objects.get_or_create(code="TINH", defaults={"name": "Cấp tỉnh"})
    form = make_form_template(department=department, code="TK-01")
    pages = [
        create_procedure(
            department=department, data=generated_style(code, form.code), publish=True
        )
        for code in ("1.000101", "1.000102", "1.000103")
    ]
    # The text kept its blanks: what the readers would normalise is really stored.
    assert "  " in pages[0].title and "\n" in pages[0].title
    return pages


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["xlsx", "csv", "json"])
def test_export_reimport_of_generated_data_is_unchanged_and_writes_nothing(
    generated_catalog, tmp_path, file_format
):
    before = {
        page.pk: procedure_snapshot(page)
        for page in ProcedurePage.objects.filter(
            pk__in=[p.pk for p in generated_catalog]
        )
    }
    revisions = Revision.objects.count()
    events = CatalogEvent.objects.count()
    path = Path(tmp_path / f"xuat.{file_format}")
    path.write_bytes(export(ProcedurePage.objects.live(), file_format))
    if file_format == "csv":
        # dates as the column's help says (dd/mm/yyyy), as people here write them: 4 March
        text = path.read_bytes().decode("utf-8-sig")
        assert "04/03/2025" in text and "01/04/2025" in text
        assert "2025-03-04" not in text

    dry = import_paths([path], options=ImportOptions(dry_run=True))
    assert dry.rejections == []
    assert [(o.action, o.changed_fields) for o in dry.outcomes] == [
        ("unchanged", [])
    ] * 3

    real = import_paths([path], options=ImportOptions(publish=True))
    assert real.rejections == [] and real.written
    assert {o.action for o in real.outcomes} == {"unchanged"}
    assert Revision.objects.count() == revisions
    assert CatalogEvent.objects.count() == events
    after = {
        page.pk: procedure_snapshot(page)
        for page in ProcedurePage.objects.filter(pk__in=list(before))
    }
    assert after == before


@pytest.mark.django_db
def test_a_real_edit_in_the_exported_file_is_still_an_update(
    generated_catalog, tmp_path
):
    from openpyxl import load_workbook

    path = tmp_path / "xuat.xlsx"
    path.write_bytes(export(ProcedurePage.objects.live(), "xlsx"))
    workbook = load_workbook(path)
    sheet = workbook["Trình tự"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("Nội dung bước") + 1, value="<p>Mới</p>")
    workbook.save(path)

    report = import_paths([path], options=ImportOptions(dry_run=True))
    assert sorted((o.key, o.action) for o in report.outcomes) == [
        ("1.000101", "updated"),
        ("1.000102", "unchanged"),
        ("1.000103", "unchanged"),
    ]
    updated = next(o for o in report.outcomes if o.action == "updated")
    assert updated.changed_fields == ["trình tự thực hiện"]


@pytest.mark.django_db
def test_fee_currency_is_exported_and_a_changed_currency_is_an_update(
    client, generated_catalog, tmp_path
):
    from openpyxl import load_workbook

    path = tmp_path / "xuat.xlsx"
    path.write_bytes(export(ProcedurePage.objects.live(), "xlsx"))
    workbook = load_workbook(path)
    sheet = workbook["Cách thức - Phí"]
    header = [cell.value for cell in sheet[1]]
    amount, currency = header.index("Mức thu"), header.index("Đơn vị tiền tệ")
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[amount], r[currency]) for r in rows if r[0] == "1.000101"] == [
        ("1.000101", 8000, "VND"),
        ("1.000101", 0, "VND"),
        ("1.000101", None, None),  # the online method has no fee
        ("1.000101", 25000, "VND"),
        ("1.000101", 50, "USD"),
        ("1.000101", None, "VND"),  # no fixed amount: an empty cell
    ]
    dollars = next(
        number
        for number, row in enumerate(rows, start=2)
        if row[0] == "1.000101" and row[currency] == "USD"
    )
    sheet.cell(row=dollars, column=currency + 1, value="EUR")
    workbook.save(path)

    report = import_paths([path], options=ImportOptions(publish=True))
    assert [(o.key, o.action, o.changed_fields) for o in report.outcomes] == [
        ("1.000101", "updated", ["cách thức, thời hạn, phí"]),
        ("1.000102", "unchanged", []),
        ("1.000103", "unchanged", []),
    ]
    page = ProcedurePage.objects.get(national_code="1.000101")
    html = client.get(page.url).content.decode()
    assert "50 EUR" in html and "50 USD" not in html


@pytest.mark.django_db
def test_a_sheet_from_before_the_currency_column_keeps_stored_dollars(
    client, generated_catalog, tmp_path
):
    """An editor re-imports a sheet exported before fees had a currency (no "Đơn vị tiền tệ",
    the amount headed "Mức thu (đồng)"): nothing changed, and 50 USD stays 50 USD; the
    independent check saw it become 50 đồng."""
    from openpyxl import load_workbook

    path = tmp_path / "cu.xlsx"
    path.write_bytes(export(ProcedurePage.objects.live(), "xlsx"))
    workbook = load_workbook(path)
    sheet = workbook["Cách thức - Phí"]
    header = [cell.value for cell in sheet[1]]
    sheet.delete_cols(header.index("Đơn vị tiền tệ") + 1)
    sheet.cell(row=1, column=header.index("Mức thu") + 1, value="Mức thu (đồng)")
    workbook.save(path)

    report = import_paths([path], options=ImportOptions(publish=True))
    assert {(o.key, o.action) for o in report.outcomes} == {
        ("1.000101", "unchanged"),
        ("1.000102", "unchanged"),
        ("1.000103", "unchanged"),
    }
    page = ProcedurePage.objects.get(national_code="1.000101")
    html = client.get(page.url).content.decode()
    assert "50 USD" in html and "50 đồng" not in html


@pytest.mark.django_db
def test_plain_row_snapshots_equal_the_model_snapshot(generated_catalog, department):
    """The import decides "unchanged" from rows; they must say what procedure_snapshot says."""
    from catalog.importing.snapshots import data_snapshot, stored_snapshots
    from catalog.services.procedures import build_procedure
    from tests.factories import make_procedure

    plain = make_procedure(
        department=department, national_code="1.000200", title="Đăng ký khai sinh"
    )
    pages = [*generated_catalog, plain]
    rows = stored_snapshots(page.pk for page in pages)
    for page in pages:
        stored = procedure_snapshot(ProcedurePage.objects.get(pk=page.pk))
        assert rows[page.pk] == stored
    # From a data dict: plain-text rich text, missing keys and defaults as the builder has them.
    form_code = generated_catalog[0].dossier_cases.first().documents.first()
    form_code = form_code.form_template.code
    variants = [
        generated_style("1.000300", form_code),
        {"national_code": "1.000301", "title": "Tối thiểu"},
        {
            **generated_style("1.000302", form_code),
            "conditions": "Điều kiện:\n- đủ 18 tuổi\n+ có hộ khẩu",
            "steps": [{"description": "Bước một & hai"}],
            "keywords": ["a", " b ", ""],
            "search_description": "Mô tả",
            "seo_title": None,
        },
    ]
    for data in variants:
        built = build_procedure(data=data)
        built.slug = "giu-nguyen"
        assert data_snapshot(data, slug="giu-nguyen") == procedure_snapshot(built)


@pytest.mark.django_db
def test_json_export_is_read_back_with_edits_and_row_errors(
    generated_catalog, tmp_path
):
    import orjson

    document = orjson.loads(export(ProcedurePage.objects.live(), "json"))
    document["items"][1]["execution_methods"][0]["fees"][0]["amount"] = 9000
    path = tmp_path / "xuat.json"
    path.write_bytes(orjson.dumps(document))
    report = import_paths([path], options=ImportOptions(publish=True))
    assert report.rejections == [] and report.written
    assert [(o.key, o.action, o.changed_fields) for o in report.outcomes] == [
        ("1.000101", "unchanged", []),
        ("1.000102", "updated", ["cách thức, thời hạn, phí"]),
        ("1.000103", "unchanged", []),
    ]
    page = ProcedurePage.objects.get(national_code="1.000102")
    assert page.execution_methods.first().fees.first().amount == 9000

    # A negative fee and an item that is not an object: each named by its place in "items".
    document["items"][0]["execution_methods"][0]["fees"][0]["amount"] = -1
    document["items"][2] = "1.000103"
    path.write_bytes(orjson.dumps(document))
    report = import_paths([path], options=ImportOptions(publish=True))
    assert not report.written
    assert sorted((r.row, r.code) for r in report.rejections) == [
        (1, "1.000101"),
        (3, ""),
    ]
    assert "không được âm" in next(r.message for r in report.rejections if r.row == 1)
    assert page.execution_methods.first().fees.first().amount == 9000

"""Each reader turns a small team-written file into the procedure dicts the service builds pages from."""

import json
from decimal import Decimal

import pytest

from catalog.importing import national
from catalog.importing.readers import read_path
from catalog.importing.records import FileRejected
from tests.importing.helpers import (
    catalog_row,
    detail_envelope,
    national_list_xlsx,
    procedure_row,
    template_xlsx,
)


def test_detail_record_reads_every_part(tmp_path):
    path = tmp_path / "1.000080.json"
    path.write_text(json.dumps(detail_envelope(), ensure_ascii=False), encoding="utf-8")
    [result] = read_path(path)
    [record] = result.records
    data = record.data
    assert record.detail and record.key == "1.000080"
    assert (
        data["decision_number"] == "163/QĐ-BTP"
        and data["decision_date"] == "2026-01-16"
    )
    assert [level["code"] for level in data["levels"]] == ["TINH", "XA"]
    assert data["online_level"] == "full" and data["online_url"]
    assert data["fields"] == [{"code": "G15-TP07", "name": "Hộ tịch"}]
    assert data["life_events"] == [{"code": "", "name": "Nhận cha, mẹ con"}]
    assert data["legal_basis"][0]["number"] == "123/2015/NĐ-CP"
    assert data["results"][0]["code"] == "KQ.G15.000033"
    direct, online, postal = data["execution_methods"]
    assert (
        direct["channel"],
        direct["processing_time_value"],
        direct["processing_time_unit"],
    ) == ("in_person", Decimal("12"), "working_day")
    assert [(f["kind"], f["amount"]) for f in direct["fees"]] == [
        ("charge", 8000),
        ("fee", None),
    ]
    assert (
        online["processing_time_value"] == Decimal("7.5")
        and online["processing_time_unit"] == "day"
    )
    assert (
        postal["processing_time_value"] is None
        and postal["processing_time_text"] == "Theo mô tả"
    )
    [case] = data["dossier_cases"]
    first, second = case["documents"]
    assert first["form_template"] == "019d9209-b872-7081-82bd-0ee1c3eeab8b"
    assert record.form_files == [
        {"code": first["form_template"], "name": "TK nhan cha me con.doc"}
    ]
    # the portal's required flag is false everywhere: a listed document is required unless
    # its name says "nếu có"
    assert (second["originals"], second["copies"], second["is_required"]) == (
        0,
        1,
        True,
    )
    assert data["steps"][0]["description"].startswith("- Nộp hồ sơ")


def test_detail_record_fee_currencies(tmp_path):
    """currencyName says the currency; an empty currencyId is the đồng; a figure the catalog
    cannot hold exactly (cents, a currency it does not know) stays in the description."""
    usd = "019b3fb2-dee2-76ab-aa53-22d4d903a2bb"
    fees = [
        {"type": "SERVICE_FEE", "value": 50, "currencyId": usd, "currencyName": "USD"},
        {"type": "FEE", "value": 5, "currencyId": usd},  # the portal's id, no name
        {"type": "FEE", "value": 150000.0, "currencyName": "Việt Nam Đồng"},
        {"type": "FEE", "value": 2000, "currencyId": ""},
        {"type": "FEE", "value": None, "currencyId": usd, "currencyName": "USD"},
        {"type": "FEE", "value": 12.5, "currencyName": "USD", "description": "Phí"},
        {"type": "FEE", "value": 1000, "currencyName": "Yên Nhật"},
    ]
    method = {"submissionMethod": "DIRECT", "fees": fees}
    path = tmp_path / "1.000736.json"
    path.write_text(
        json.dumps(detail_envelope("1.000736", executionMethods=[method])),
        encoding="utf-8",
    )
    [result] = read_path(path)
    [direct] = result.records[0].data["execution_methods"]
    assert [
        (fee["amount"], fee["currency"], fee["description"]) for fee in direct["fees"]
    ] == [
        (50, "USD", ""),
        (5, "USD", ""),
        (150000, "VND", ""),
        (2000, "VND", ""),
        (None, "USD", ""),
        (None, "USD", "Mức thu: 12,5 USD\nPhí"),
        (None, "VND", "Mức thu: 1000 Yên Nhật"),
    ]


@pytest.mark.parametrize(
    ("description", "amount"),
    [
        ("", 0),
        ("Miễn phí", 0),
        ("Không thu phí", 0),
        ("Miễn lệ phí theo Nghị quyết của HĐND Thành phố.", 0),
        ("Miễn lệ phí khi nộp qua mạng điện tử", None),  # free on one condition
        ("Miễn lệ phí. Phí cấp bản sao Trích lục (nếu có yêu cầu) theo Thông tư", 0),
        ("Theo quy định của Hội đồng nhân dân cấp tỉnh", None),
        ("Mức thu do HĐND tỉnh quyết định", None),
        ("theo thỏa thuận", None),
        ("0,5% giá trị hợp đồng", None),
        ("Đối với đất ở: 150.000 đồng/hồ sơ; đất sản xuất: 200.000 đồng/hồ sơ", None),
        ("Miễn lệ phí cho người thuộc hộ nghèo; người khuyết tật.", None),
        ("Trường hợp công dân thuộc diện được miễn phí theo Điều 4", None),
    ],
)
def test_a_zero_fee_is_free_only_when_its_description_does_not_set_it_elsewhere(
    tmp_path, description, amount
):
    """The portal writes 0 for 1,392 of its 1,425 zero fees whose text sets the amount
    elsewhere: they are not free, so their amount is not fixed (None), the text kept."""
    fee = {"type": "SERVICE_FEE", "value": 0, "description": description}
    method = {"submissionMethod": "DIRECT", "fees": [fee]}
    path = tmp_path / "1.000080.json"
    path.write_text(
        json.dumps(detail_envelope("1.000080", executionMethods=[method])),
        encoding="utf-8",
    )
    [result] = read_path(path)
    [direct] = result.records[0].data["execution_methods"]
    assert [(f["amount"], f["description"]) for f in direct["fees"]] == [
        (amount, description)
    ]


def test_long_official_name_is_read_whole_and_not_copied_into_the_summary():
    name = "Thủ tục " + "rất dài " * 60 + "đến chữ cuối"
    record = national.catalog_row_record(
        catalog_row("1.000001", name), file="c.jsonl", line=1
    )
    assert record.data["title"] == " ".join(name.split())
    assert "summary" not in record.data


def test_official_name_beyond_the_limit_is_clipped_at_a_word():
    name = "Thủ tục " + "rất dài " * 300
    record = national.catalog_row_record(
        catalog_row("1.000001", name), file="c.jsonl", line=1
    )
    assert len(record.data["title"]) <= 2000 and record.data["title"].endswith("…")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (
            ". Đăng ký thuế khi đổi mô hình hoạt động",
            "Đăng ký thuế khi đổi mô hình hoạt động",
        ),
        ("- Cấp giấy phép khai thác", "Cấp giấy phép khai thác"),
        ("+ Cấp giấy phép khai thác", "Cấp giấy phép khai thác"),
        ("\t . -  Thuê nhà ở công vụ", "Thuê nhà ở công vụ"),
        ("• Công bố khu neo đậu", "Công bố khu neo đậu"),
        # what may belong to the name stays
        ("(Thí điểm) Cấp phép", "(Thí điểm) Cấp phép"),
        ("“Một cửa” liên thông", "“Một cửa” liên thông"),
        ("1. Đăng ký khai sinh", "1. Đăng ký khai sinh"),
        ("Đăng ký tàu cá - tàu công vụ.", "Đăng ký tàu cá - tàu công vụ."),
    ],
)
def test_stray_marks_before_a_national_name_are_dropped(typed, read):
    row = national.catalog_row_record(
        catalog_row("1.000001", typed), file="c.jsonl", line=1
    )
    assert row.data["title"] == read
    detail = national.detail_record(detail_envelope(name=typed), file="d.json")
    assert detail.data["title"] == read


def test_a_national_name_of_marks_only_is_a_missing_name():
    with pytest.raises(ValueError, match="thiếu tên thủ tục"):
        national.catalog_row_record(catalog_row("1.000001", ". - "), file="c", line=1)


def test_catalog_rows_keep_codes_that_differ_only_by_blanks_apart(tmp_path):
    path = tmp_path / "catalog.jsonl"
    rows = [
        catalog_row(" 1.014325", "Hỗ trợ pháp lý"),
        catalog_row("1.014325", "Chương trình công tác"),
    ]
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    [result] = read_path(path)
    assert sorted(r.key for r in result.records) == ["1.014325", "1.014325-id101432"]
    assert "thừa khoảng trắng" in result.warnings[0]


def test_national_list_export_reads_codes_agencies_and_fields(tmp_path):
    path = national_list_xlsx(
        tmp_path / "danh-sach.xlsx",
        [
            (
                "1.002099",
                "Đăng ký hoạt động chi nhánh luật sư",
                "Bộ Tư pháp",
                "Sở Tư Pháp",
                "Luật sư",
            ),
            (
                "3.000323",
                "Đăng ký giám sát việc giám hộ",
                "Bộ Tư pháp",
                "Ủy ban nhân dân cấp xã\nCông an cấp xã",
                "Hộ tịch",
            ),
            (
                "3.000323",
                "Đăng ký giám sát việc giám hộ",
                "Bộ Tư pháp",
                "Ủy ban nhân dân cấp xã\nCông an cấp xã",
                "Hộ tịch",
            ),
        ],
    )
    [result] = read_path(path)
    assert [r.key for r in result.records] == ["1.002099", "3.000323"]
    assert result.records[1].agencies[:2] == [
        "Ủy ban nhân dân cấp xã",
        "Công an cấp xã",
    ]
    assert result.records[0].data["fields"] == [{"code": "", "name": "Luật sư"}]
    assert "lặp lại y hệt" in result.warnings[0]


def test_national_list_with_conflicting_duplicate_codes_is_refused(tmp_path):
    path = national_list_xlsx(
        tmp_path / "danh-sach.xlsx",
        [("1.1", "Một", "Bộ", "Sở", "LV"), ("1.1", "Hai", "Bộ", "Sở", "LV")],
    )
    with pytest.raises(FileRejected, match="1.1"):
        read_path(path)


def test_template_xlsx_groups_fee_and_document_rows_by_code(tmp_path):
    path = template_xlsx(
        tmp_path / "mau.xlsx",
        {
            "procedures": [
                procedure_row("1.000001", "Đăng ký khai sinh", levels="TINH; XA")
            ],
            "methods": [
                {
                    "code": "1.000001",
                    "number": 1,
                    "channel": "Trực tiếp",
                    "processing_time_value": 3,
                    "processing_time_unit": "ngày làm việc",
                    "fee_kind": "Lệ phí",
                    "fee_amount": "8.000",
                },
                {
                    "code": "1.000001",
                    "number": 1,
                    "channel": "Trực tiếp",
                    "processing_time_value": 3,
                    "processing_time_unit": "ngày làm việc",
                    "fee_kind": "Phí",
                    "fee_amount": 0,
                },
                {"code": "1.000001", "number": 2, "channel": "online"},
            ],
            "documents": [
                {
                    "code": "1.000001",
                    "case_number": 1,
                    "case_name": "Thông thường",
                    "name": "Tờ khai",
                    "originals": 1,
                    "copies": 0,
                    "is_required": "Có",
                },
                {"code": "1.000001", "case_number": 2, "case_name": "Ủy quyền"},
            ],
            "legal": [
                {"code": "1.000001", "number": "60/2014/QH13", "title": "Luật Hộ tịch"}
            ],
        },
    )
    [result] = read_path(path)
    assert not result.rejections
    [record] = result.records
    assert record.department_code == "STP"
    methods = record.data["execution_methods"]
    assert [(f["kind"], f["amount"]) for f in methods[0]["fees"]] == [
        ("charge", 8000),
        ("fee", 0),
    ]
    assert methods[1] == {**methods[1], "channel": "online", "fees": []}
    assert [len(c["documents"]) for c in record.data["dossier_cases"]] == [1, 0]
    assert record.data["legal_basis"][0]["number"] == "60/2014/QH13"
    assert [item["code"] for item in record.data["levels"]] == ["TINH", "XA"]


def test_template_fee_currency_column(tmp_path):
    """A sheet made before the column (amount headed "Mức thu (đồng)") holds đồng; a currency
    cell takes the code or the label; a bad one is refused with its row and column."""
    old_header = [
        "Mã thủ tục",
        "Cách thức số",
        "Hình thức nộp",
        "Loại phí",
        "Mức thu (đồng)",
        "Mô tả phí, miễn giảm",
    ]
    path = template_xlsx(
        tmp_path / "cu.xlsx",
        {
            "procedures": [procedure_row("1.000001", "Đăng ký khai sinh")],
            "methods": [
                old_header,
                ["1.000001", 1, "Trực tiếp", "Lệ phí", "8.000", ""],
            ],
        },
    )
    [result] = read_path(path)
    assert not result.rejections
    [fee] = result.records[0].data["execution_methods"][0]["fees"]
    # the sheet does not say: the import keeps the stored currency, đồng for a new fee
    assert (fee["amount"], fee["currency"]) == (8000, None)

    rows = [
        {"code": "1.000001", "number": 1, "fee_amount": 50, "fee_currency": "USD"},
        {
            "code": "1.000001",
            "number": 1,
            "fee_amount": 7,
            "fee_currency": "Euro (EUR)",
        },
        {"code": "1.000001", "number": 1, "fee_amount": 9000, "fee_currency": ""},
        {"code": "1.000002", "number": 1, "fee_amount": 50, "fee_currency": "đô"},
    ]
    path = template_xlsx(
        tmp_path / "moi.xlsx",
        {
            "procedures": [
                procedure_row("1.000001", "Đăng ký khai sinh"),
                procedure_row("1.000002", "Đăng ký kết hôn"),
            ],
            "methods": [{"channel": "Trực tiếp", **row} for row in rows],
        },
    )
    [result] = read_path(path)
    fees = result.records[0].data["execution_methods"][0]["fees"]
    assert [(f["amount"], f["currency"]) for f in fees] == [
        (50, "USD"),
        (7, "EUR"),
        (9000, "VND"),
    ]
    [rejection] = result.rejections
    assert (rejection.row, rejection.code) == (5, "1.000002")
    assert rejection.column == "Đơn vị tiền tệ (trang “Cách thức - Phí”)"
    assert "“đô” không hợp lệ" in rejection.message
    assert "“Đô la Mỹ (USD)”" in rejection.message


@pytest.mark.parametrize(
    "amount_label, currency_label",
    [("Mức thu", "Đơn vị tiền tệ"), ("Mức thu (đồng)", None)],
    ids=["today", "before-currency"],
)
def test_template_csv_stacks_sheets_with_a_sheet_column(
    tmp_path, amount_label, currency_label
):
    from catalog.importing import template

    labels = [
        amount_label if label == "Mức thu" else label
        for label in template.csv_labels()
        if label != "Đơn vị tiền tệ" or currency_label
    ]
    line = {label: "" for label in labels}
    rows = [
        {
            **line,
            "Bảng": "Thủ tục",
            "Mã thủ tục quốc gia": "1.000002",
            "Tên thủ tục": "Chứng thực bản sao",
            "Mã đơn vị": "STP",
        },
        {
            **line,
            "Bảng": "Cách thức - Phí",
            "Mã thủ tục": "1.000002",
            "Cách thức số": "1",
            "Hình thức nộp": "Trực tiếp",
            "Loại phí": "Phí",
            amount_label: "2000",
        },
    ]
    import csv

    path = tmp_path / "mau.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=labels)
        writer.writeheader()
        writer.writerows(rows)
    [result] = read_path(path)
    [record] = result.records
    # without the column the sheet does not say (the import keeps what is stored, or đồng)
    currency = "VND" if currency_label else None
    assert record.data["execution_methods"][0]["fees"] == [
        {"kind": "fee", "amount": 2000, "currency": currency, "description": ""}
    ]


@pytest.mark.parametrize(
    ("name", "flag", "copies", "required"),
    [
        ("Giấy chứng sinh", False, 1, True),
        ("Giấy tờ chứng minh nơi cư trú (nếu có)", False, 1, False),
        ("Văn bản ủy quyền, nếu có", False, 1, False),
        ("Bản sao giấy tờ tùy thân (Nếu có)", True, 1, False),
        ("Giấy chứng sinh", True, 0, True),
        (
            "Bản vẽ thiết kế",
            False,
            0,
            False,
        ),  # no count: a required one must say how many
    ],
)
def test_a_listed_document_is_required_unless_it_says_if_any(
    name, flag, copies, required
):
    """Found by an independent check: every document of the 455 national procedures with a
    dossier read «không bắt buộc», the birth certificate of Đăng ký khai sinh included."""
    from catalog.importing.national import document_required

    component = {"name": name, "required": flag, "originalQty": 0, "copyQty": copies}
    assert document_required(component) is required

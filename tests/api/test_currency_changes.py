"""A fee whose currency alone changes is a change: new ETag, an entry in the feed, a mirror
that follows it, whichever way the change came in (the edit form, a spreadsheet, the national
files)."""

import io
import json

from django.core.management import call_command
from django.urls import reverse

import pytest
from openpyxl import load_workbook

from catalog.importing.exporting import export
from catalog.importing.service import ImportOptions, import_paths
from catalog.models import ProcedurePage
from tests.api.conftest import get_json, refreshed
from tests.api.test_changes import apply, published, read_feed
from tests.catalog.test_save_unchanged import edit_form_data
from tests.importing.helpers import detail_envelope

pytestmark = pytest.mark.django_db


def detail(client, code: str):
    response, body = get_json(client, f"/api/v1/procedures/{code}/")
    assert response.status_code == 200, body
    return response["ETag"], body


def first_fee(body: dict) -> tuple:
    fee = body["execution_methods"][0]["fees"][0]
    return fee["amount"], fee["currency"]


def assert_announced(client, code, *, etag, cursor, mirror, expected):
    """The detail's ETag moved, the feed says 'updated' with the new fee, the mirror follows."""
    new_etag, body = detail(client, code)
    assert new_etag != etag
    assert first_fee(body) == expected
    entries, _ = read_feed(client, cursor)
    [entry] = [e for e in entries if e["procedure"] and e["procedure"]["code"] == code]
    assert entry["action"] == "updated"
    assert first_fee(entry["procedure"]) == expected
    assert apply(mirror, entries) == published(client)


def test_currency_changed_in_the_edit_form(client, admin_client, catalog):
    page = catalog["marriage"]
    etag, body = detail(client, "1.000002")
    assert first_fee(body) == (8000, "VND")
    entries, cursor = read_feed(client)
    mirror = apply({}, entries)

    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = edit_form_data(admin_client.get(url).content.decode())
    data["execution_methods-0-fees-0-currency"] = ["USD"]
    data["change_note"] = ["Lệ phí thu bằng đô la"]
    data["action-publish"] = ["Xuất bản"]
    assert admin_client.post(url, data).status_code == 302

    assert_announced(
        client,
        "1.000002",
        etag=etag,
        cursor=cursor,
        mirror=mirror,
        expected=(8000, "USD"),
    )


def test_currency_changed_in_a_spreadsheet(client, catalog, tmp_path):
    etag, _ = detail(client, "1.000002")
    entries, cursor = read_feed(client)
    mirror = apply({}, entries)

    path = tmp_path / "xuat.xlsx"
    path.write_bytes(
        export(ProcedurePage.objects.filter(pk=catalog["marriage"].pk), "xlsx")
    )
    workbook = load_workbook(path)
    sheet = workbook["Cách thức - Phí"]
    header = [cell.value for cell in sheet[1]]
    amount, currency = header.index("Mức thu"), header.index("Đơn vị tiền tệ")
    row = next(
        number
        for number, cells in enumerate(sheet.iter_rows(min_row=2, values_only=True), 2)
        if cells[amount] == 8000
    )
    sheet.cell(row=row, column=currency + 1, value="EUR")
    workbook.save(path)

    report = import_paths([path], options=ImportOptions(publish=True))
    assert [(o.action, o.changed_fields) for o in report.outcomes] == [
        ("updated", ["cách thức, thời hạn, phí"])
    ]
    assert_announced(
        client,
        "1.000002",
        etag=etag,
        cursor=cursor,
        mirror=mirror,
        expected=(8000, "EUR"),
    )


def _national_file(tmp_path, currency_name: str):
    method = {
        "submissionMethod": "DIRECT",
        "processingTime": 5,
        "processingTimeUnit": "WORKING_DAY",
        "description": "",
        "fees": [
            {
                "type": "SERVICE_FEE",
                "value": 20,
                "currencyName": currency_name,
                "description": "Ghi vào Sổ việc kết hôn",
            }
        ],
    }
    path = tmp_path / "1.000736.json"
    path.write_text(
        json.dumps(
            detail_envelope("1.000736", executionMethods=[method]), ensure_ascii=False
        ),
        encoding="utf-8",
    )
    return path


def _import(path) -> str:
    out = io.StringIO()
    call_command(
        "import_catalog",
        str(path),
        "--publish",
        "--department",
        "STP",
        stdout=out,
        stderr=io.StringIO(),
    )
    return out.getvalue()


def test_currency_changed_in_the_national_files(client, catalog, tmp_path):
    _import(_national_file(tmp_path, "USD"))
    etag, body = detail(client, "1.000736")
    assert first_fee(body) == (20, "USD")
    entries, cursor = read_feed(client)
    mirror = apply({}, entries)

    assert "Cập nhật: 1" in _import(_national_file(tmp_path, "EUR"))
    assert refreshed(ProcedurePage.objects.get(national_code="1.000736")).live
    assert_announced(
        client,
        "1.000736",
        etag=etag,
        cursor=cursor,
        mirror=mirror,
        expected=(20, "EUR"),
    )

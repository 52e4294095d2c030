"""An official name longer than Wagtail's 255-character title is kept whole: what a citizen and a
client system see after importing a national-shaped record, and through export/import and
backup/restore. (The title is the name clipped at a word; full_name holds it whole.)"""

import csv
import io
import json
from pathlib import Path

from django.core.management import call_command

import pytest
from bs4 import BeautifulSoup

from catalog.importing.exporting import export
from catalog.importing.service import ImportOptions, import_paths
from catalog.models import ProcedurePage
from tests.catalog.test_backup_fees import backup_and_restore
from tests.importing.helpers import (
    catalog_row,
    detail_envelope,
    procedure_row,
    template_xlsx,
    write_national_set,
)
from tests.site.data import index_catalog

pytestmark = pytest.mark.django_db

# 1.000080's detail record and 1.000094's catalog row get names of 300+ characters whose last
# words ("Cần Giờ", "Thạnh An") come after the 255th character.
LONG = (
    "Thủ tục đăng ký nhận cha, mẹ, con có yếu tố nước ngoài đối với trường hợp người yêu "
    "cầu là công dân Việt Nam định cư ở nước ngoài, người nước ngoài thường trú hoặc tạm trú "
    "tại Việt Nam, kèm theo việc cấp bản sao trích lục hộ tịch, ghi chú thay đổi thông tin hộ "
    "tịch và xác nhận tình trạng hôn nhân tại Ủy ban nhân dân xã đảo Thạnh An, huyện Cần Giờ"
)
LONG_ROW = (
    "Đăng ký kết hôn có yếu tố nước ngoài giữa công dân Việt Nam với người nước ngoài, giữa "
    "công dân Việt Nam với nhau mà ít nhất một bên định cư ở nước ngoài, giữa những người "
    "nước ngoài với nhau thường trú tại Việt Nam, kèm ghi chú ly hôn, hủy việc kết hôn đã "
    "được giải quyết ở nước ngoài và cấp giấy xác nhận tại xã đảo Thạnh An"
)
DESCRIPTION = "Người nước ngoài nhận cha, mẹ, con tại Việt Nam."


def run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def write_long_names(folder: Path) -> tuple[Path, Path]:
    catalog, details = write_national_set(folder)
    rows = [json.loads(line) for line in catalog.read_text("utf-8").splitlines()]
    rows[0]["name"] = LONG
    rows[1] = catalog_row("1.000094", LONG_ROW, departments=["Ủy ban nhân dân cấp xã"])
    catalog.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8"
    )
    (details / "1.000080.json").write_text(
        json.dumps(
            detail_envelope(name=LONG, description=DESCRIPTION), ensure_ascii=False
        ),
        encoding="utf-8",
    )
    return catalog, details


@pytest.fixture
def imported(department, tmp_path, settings):
    assert len(LONG) > 300 and len(LONG_ROW) > 300
    assert "Cần Giờ" not in LONG[:255] and "Thạnh An" not in LONG_ROW[:255]
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    catalog, details = write_long_names(tmp_path / "dvcqg")
    output = run(catalog, details, "--publish")
    assert "Tạo mới: 3  Cập nhật: 0  Không đổi: 0  Bị từ chối: 0" in output
    return catalog, details


def test_the_page_row_keeps_a_clipped_title_and_the_whole_name(imported):
    page = ProcedurePage.objects.get(national_code="1.000080")
    assert page.full_name == LONG and page.official_name == LONG
    assert len(page.title) <= 255 and page.title.endswith("…")
    assert LONG.startswith(page.title[:-1])
    assert page.summary == DESCRIPTION  # no longer a copy of the name
    short = ProcedurePage.objects.get(national_code="2.002195")
    assert short.full_name == "" and short.official_name == short.title


def test_the_public_page_shows_the_whole_name(imported, client):
    page = ProcedurePage.objects.get(national_code="1.000080")
    html = BeautifulSoup(client.get(page.url).content, "html.parser")
    assert html.h1.get_text(strip=True) == LONG
    # the browser tab and a shared link's preview show the start of it, not 1,000 characters
    tab = html.title.get_text()
    assert tab.split(" – ")[0] == LONG[:159] + "…" and len(tab) < 220
    [block] = html.find_all("script", type="application/ld+json")
    assert json.loads(block.string)["name"] == LONG


def test_the_api_and_open_data_give_the_whole_name(imported, client, tmp_path):
    body = client.get("/api/v1/procedures/1.000080/").json()
    assert body["title"] == LONG
    listed = client.get("/api/v1/procedures/", {"fields": "title"}).json()
    assert LONG_ROW in [item["title"] for item in listed["items"]]

    call_command(
        "export_open_data",
        str(tmp_path / "dump"),
        origin="http://testserver",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    rows = csv.DictReader(
        io.StringIO((tmp_path / "dump" / "procedures.csv").read_text("utf-8-sig"))
    )
    titles = {row["code"]: row["title"] for row in rows}
    assert titles["1.000080"] == LONG and titles["1.000094"] == LONG_ROW
    linked = client.get(
        "/api/v1/procedures/1.000080/", HTTP_ACCEPT="application/ld+json"
    )
    assert LONG in linked.content.decode()


def test_search_finds_a_long_name_by_its_last_words_and_shows_it_whole(
    imported, client
):
    index_catalog()
    html = BeautifulSoup(
        client.get("/tim-kiem/", {"q": "can gio"}).content, "html.parser"
    )
    results = [h3.get_text(strip=True) for h3 in html.select(".result h3")]
    assert results[0] == LONG
    found = client.get("/api/v1/search/", {"q": "xa dao thanh an"}).json()
    names = [item["name"] for item in found["items"]]
    assert sorted(names[:2]) == sorted([LONG, LONG_ROW])


def test_names_stuffed_into_the_summary_by_older_imports_update_once(imported):
    """A catalog imported before full_name: titles clipped, whole names in the summaries."""
    catalog, details = imported
    for page in ProcedurePage.objects.filter(
        national_code__in=["1.000080", "1.000094"]
    ):
        ProcedurePage.objects.filter(pk=page.pk).update(
            full_name="", summary=page.full_name
        )
    first = run(catalog, details, "--publish")
    assert "Tạo mới: 0  Cập nhật: 2  Không đổi: 1  Bị từ chối: 0" in first
    row_only = ProcedurePage.objects.get(national_code="1.000094")
    assert row_only.full_name == LONG_ROW and row_only.summary == ""
    assert ProcedurePage.objects.get(national_code="1.000080").summary == DESCRIPTION
    again = run(catalog, details, "--publish")
    assert "Tạo mới: 0  Cập nhật: 0  Không đổi: 3  Bị từ chối: 0" in again


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "json"])
def test_spreadsheet_export_then_import_is_unchanged(imported, tmp_path, file_format):
    path = tmp_path / f"xuat.{file_format}"
    path.write_bytes(export(ProcedurePage.objects.live(), file_format))
    report = import_paths([path], options=ImportOptions(publish=True))
    assert report.rejections == []
    assert {o.action for o in report.outcomes} == {"unchanged"}
    assert ProcedurePage.objects.get(national_code="1.000080").full_name == LONG


def test_an_edited_long_name_in_a_spreadsheet_is_imported_whole(imported, tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "xuat.xlsx"
    path.write_bytes(export(ProcedurePage.objects.live(), "xlsx"))
    workbook = load_workbook(path)
    sheet = workbook["Thủ tục"]
    header = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("Mã thủ tục quốc gia")].value == "1.000080":
            row[header.index("Tên thủ tục")].value = LONG + " và xã Long Hòa"
    workbook.save(path)
    report = import_paths([path], options=ImportOptions(publish=True))
    assert [o.action for o in report.outcomes if o.key == "1.000080"] == ["updated"]
    page = ProcedurePage.objects.get(national_code="1.000080")
    assert page.full_name == LONG + " và xã Long Hòa"


def test_a_name_over_the_limit_names_its_row_and_column(department, tmp_path):
    path = template_xlsx(
        tmp_path / "dai.xlsx",
        {
            "procedures": [
                procedure_row("1.000201", "Đăng ký khai sinh"),
                procedure_row("1.000202", "Tên rất dài " * 200),
            ]
        },
    )
    report = import_paths([path], options=ImportOptions(dry_run=True))
    [rejection] = report.rejections
    assert rejection.row == 3 and rejection.code == "1.000202"
    assert rejection.column.startswith("Tên thủ tục")
    assert "tối đa 2.000 ký tự" in rejection.message
    assert "2.399" in rejection.message  # its length, as Vietnamese write numbers


def test_backup_and_restore_keep_the_whole_name(imported, client, tmp_path):
    backup_and_restore(tmp_path / "sao-luu.zip")
    page = ProcedurePage.objects.get(national_code="1.000080")
    assert page.full_name == LONG and len(page.title) <= 255
    assert client.get("/api/v1/procedures/1.000080/").json()["title"] == LONG


def test_the_admin_edits_the_whole_name_and_an_untouched_save_changes_nothing(
    imported, client, django_user_model
):
    from tests.catalog.test_save_unchanged import edit_form_data, save_unchanged

    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.invalid", "pw")
    )
    page = ProcedurePage.objects.get(national_code="1.000080")
    html = BeautifulSoup(
        client.get(f"/admin/pages/{page.pk}/edit/").content, "html.parser"
    )
    box = html.find("textarea", attrs={"name": "title"})
    assert box.get_text().strip() == LONG and not box.has_attr("maxlength")
    assert save_unchanged(client, page) == []

    data = edit_form_data(client.get(f"/admin/pages/{page.pk}/edit/").content.decode())
    data["title"] = ["Tên rất dài " * 200]
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["title"] == [
        "Tên thủ tục dài 2.399 ký tự, tối đa 2.000 ký tự."
    ]


def test_a_copy_given_a_new_title_is_called_by_that_title(imported):
    """Wagtail's "copy page" asks for a new title and copies every other field."""
    page = ProcedurePage.objects.get(national_code="1.000080")
    copy = page.copy(
        update_attrs={
            "title": "Bản sao để soạn thủ tục mới",
            "slug": "ban-sao",
            "national_code": "1.000999",
        }
    )
    assert copy.official_name == "Bản sao để soạn thủ tục mới"
    copy.full_clean()
    assert copy.full_name == ""
    assert ProcedurePage.objects.get(pk=page.pk).official_name == LONG

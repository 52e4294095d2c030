"""import_catalog end to end on team-written national files: counts, valid Wagtail pages, idempotency."""

import io
import json

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from wagtail.models import Page, PageLogEntry, Revision

import pytest
from bs4 import BeautifulSoup

from catalog.models import CatalogEvent, DepartmentPage, FormTemplate, ProcedurePage
from tests.importing.helpers import catalog_row, detail_envelope, write_national_set


def run(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalog", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.mark.django_db
def test_a_stray_mark_before_a_national_name_is_not_imported(
    client, department, tmp_path
):
    """A made-up record shaped like the portal's few names that start with ". "."""
    catalog = tmp_path / "catalog.jsonl"
    row = catalog_row(
        "9.990001",
        ". Cấp giấy phép hoạt động thử nghiệm",
        departments=["Ủy ban nhân dân cấp xã"],
    )
    catalog.write_text(json.dumps(row, ensure_ascii=False) + "\n", encoding="utf-8")
    run(catalog, "--publish")
    page = ProcedurePage.objects.get(national_code="9.990001")
    assert page.title == "Cấp giấy phép hoạt động thử nghiệm"
    heading = BeautifulSoup(client.get(page.url).content, "html.parser").h1
    assert heading.get_text(strip=True) == "Cấp giấy phép hoạt động thử nghiệm"


@pytest.mark.django_db
def test_national_files_import_merged_by_code_and_published(department, tmp_path):
    catalog, details = write_national_set(tmp_path / "dvcqg")
    output = run(catalog, details, "--publish")
    assert (
        "Tạo mới: 3  Cập nhật: 0  Không đổi: 0  Bị từ chối: 0  (có chi tiết đầy đủ: 1)"
        in output
    )
    page = ProcedurePage.objects.get(national_code="1.000080")
    assert page.live and page.live_revision_id == page.latest_revision_id
    assert (
        page.get_parent().specific.code == "P-XA"
    )  # the detail's implementing agency, mapped
    assert [m.channel for m in page.execution_methods.all()] == [
        "in_person",
        "online",
        "postal",
    ]
    assert sorted(
        f.amount or 0 for m in page.execution_methods.all() for f in m.fees.all()
    ) == [0, 8000]
    document = page.dossier_cases.first().documents.first()
    assert document.form_template.name == "TK nhan cha me con.doc"
    assert (
        FormTemplate.objects.get(code=document.form_template.code).department.code
        == "P-XA"
    )
    assert sorted(level.code for level in page.levels.all()) == ["TINH", "XA"]
    assert page.legal_basis.get().number == "123/2015/NĐ-CP"
    # a catalog row alone owns its page under the mapped department; unknown departments are created and listed
    assert (
        ProcedurePage.objects.get(national_code="1.000094").get_parent().specific.code
        == "P-XA"
    )
    assert (
        ProcedurePage.objects.get(national_code="2.002195").get_parent().specific.code
        == "SCT"
    )
    assert "Đơn vị mới (2)" in output and "SCT – Sở Công Thương" in output
    # every page is a valid Wagtail page: tree, url, revision, audit log, catalog event
    assert Page.find_problems() == ([], [], [], [], [])
    assert page.url_path == f"{page.get_parent().url_path}{page.slug}/"
    assert (
        DepartmentPage.objects.get(code="P-XA").get_children().count()
        == DepartmentPage.objects.get(code="P-XA").numchild
    )
    revision = Revision.page_revisions.get(object_id=str(page.pk))
    assert revision.as_object().execution_methods.count() == 3
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish").exists()
    events = CatalogEvent.objects.filter(action="published")
    assert sorted(e.national_code for e in events) == [
        "1.000080",
        "1.000094",
        "2.002195",
    ]
    assert events.get(national_code="1.000080").department_code == "P-XA"
    # the admin's search box (Wagtail's own index) finds imported pages
    assert [p.national_code for p in ProcedurePage.objects.search("dầu khí")] == [
        "2.002195"
    ]


@pytest.mark.django_db
def test_second_import_changes_nothing_and_a_changed_file_updates(department, tmp_path):
    catalog, details = write_national_set(tmp_path / "dvcqg")
    run(catalog, details, "--publish")
    events = CatalogEvent.objects.count()
    assert "Tạo mới: 0  Cập nhật: 0  Không đổi: 3" in run(catalog, details, "--publish")
    assert CatalogEvent.objects.count() == events
    text = catalog.read_text(encoding="utf-8").replace(
        "Cấp phép hoạt động dầu khí", "Cấp giấy phép hoạt động dầu khí"
    )
    catalog.write_text(text, encoding="utf-8")
    output = run(catalog, details, "--publish", "-v", "2")
    assert "Tạo mới: 0  Cập nhật: 1  Không đổi: 2" in output
    assert (
        ProcedurePage.objects.get(national_code="2.002195").title
        == "Cấp giấy phép hoạt động dầu khí"
    )
    assert (
        CatalogEvent.objects.filter(action="updated", national_code="2.002195").count()
        == 1
    )
    # the other parts of a full record survive an import of the catalog row alone
    run(catalog, "--publish")
    assert (
        ProcedurePage.objects.get(national_code="1.000080").execution_methods.count()
        == 3
    )


@pytest.mark.django_db
def test_without_publish_pages_are_drafts_and_rerun_is_still_unchanged(
    department, tmp_path
):
    catalog, details = write_national_set(tmp_path / "dvcqg")
    run(catalog, details, "--department", "STP")
    assert set(ProcedurePage.objects.values_list("live", flat=True)) == {False}
    assert all(
        p.get_parent().specific.code == "STP" for p in ProcedurePage.objects.all()
    )
    assert not CatalogEvent.objects.exists()
    assert "Tạo mới: 0  Cập nhật: 0  Không đổi: 3" in run(
        catalog, details, "--department", "STP"
    )


@pytest.mark.django_db
def test_dry_run_writes_nothing(department, tmp_path):
    catalog, details = write_national_set(tmp_path / "dvcqg")
    output = run(catalog, details, "--dry-run")
    assert "Tạo mới: 3" in output and "chưa ghi gì" in output
    assert not ProcedurePage.objects.exists()
    assert not DepartmentPage.objects.filter(code="SCT").exists()


@pytest.mark.django_db
def test_unknown_department_is_an_error(department, tmp_path):
    catalog, _ = write_national_set(tmp_path / "dvcqg")
    with pytest.raises(CommandError, match="KHONG-CO"):
        run(catalog, "--department", "KHONG-CO")


# The portal's own currency ids (details/1.000736.json and others in the July 2026 crawl).
USD_ID = "019b3fb2-dee2-76ab-aa53-22d4d903a2bb"
VND_ID = "019b3fb2-b5b8-70ac-85e2-9409ec1eaffa"


@pytest.mark.django_db
def test_national_fees_in_dollars_are_shown_in_dollars(client, department, tmp_path):
    method = {
        "submissionMethod": "DIRECT",
        "processingTime": 5,
        "processingTimeUnit": "WORKING_DAY",
        "description": "",
        "fees": [
            {
                "type": "SERVICE_FEE",
                "value": 20,
                "currencyId": USD_ID,
                "currencyName": "USD",
                "description": "Ghi vào Sổ việc kết hôn",
            },
            {
                "type": "FEE",
                "value": 8000,
                "currencyId": VND_ID,
                "currencyName": "Việt Nam Đồng",
                "description": "Cấp bản sao trích lục",
            },
            {"type": "FEE", "value": 0, "currencyId": "", "description": ""},
        ],
    }
    path = tmp_path / "1.000736.json"
    path.write_text(
        json.dumps(
            detail_envelope("1.000736", executionMethods=[method]), ensure_ascii=False
        ),
        encoding="utf-8",
    )
    run(path, "--publish")
    page = ProcedurePage.objects.get(national_code="1.000736")
    row = BeautifulSoup(client.get(page.url).content, "html.parser").find(
        "td", attrs={"data-label": "Phí, lệ phí"}
    )
    fees = [" ".join(div.get_text(" ").split()) for div in row("div")]
    assert fees == [
        "Lệ phí: 20 USD Ghi vào Sổ việc kết hôn",
        "Phí: 8.000 đồng Cấp bản sao trích lục",
        "Phí: Miễn phí",
    ]
    # importing the same file again finds nothing changed
    assert "Không đổi: 1" in run(path, "--publish")


@pytest.mark.django_db
def test_a_national_time_without_a_unit_says_so(client, department, tmp_path):
    """The portal's unit OTHER with a figure (1.000080: 7 on every channel; its per-case time
    is 12 working days, so no unit can be read into the 7)."""
    methods = [
        {
            "submissionMethod": channel,
            "processingTime": 7,
            "processingTimeUnit": "OTHER",
            "description": "",
            "fees": [],
        }
        for channel in ("ONLINE", "POSTAL", "DIRECT")
    ]
    methods[2]["processingTime"] = "1"  # 1.115464 sends the figure as text
    path = tmp_path / "1.000080.json"
    path.write_text(
        json.dumps(detail_envelope(executionMethods=methods), ensure_ascii=False),
        encoding="utf-8",
    )
    run(path, "--publish")
    page = ProcedurePage.objects.get(national_code="1.000080")
    rows = BeautifulSoup(client.get(page.url).content, "html.parser").find_all(
        "td", attrs={"data-label": "Thời hạn giải quyết"}
    )
    assert [row.get_text() for row in rows] == [
        "7 (không ghi rõ đơn vị thời gian)",
        "7 (không ghi rõ đơn vị thời gian)",
        "1 (không ghi rõ đơn vị thời gian)",
    ]
    body = client.get("/api/v1/procedures/1.000080/").json()
    assert body["execution_methods"][0]["processing_time"] == {
        "value": None,
        "unit": None,
        "text": "7",
        "display": "7 (không ghi rõ đơn vị thời gian)",
    }
    try:
        client.post("/i18n/setlang/", {"language": "en", "next": page.url})
        english = client.get(page.url).content.decode()
    finally:
        translation.activate(settings.LANGUAGE_CODE)  # the request left English active
    assert "7 (time unit not stated)" in english


@pytest.mark.django_db
def test_codes_that_differ_only_by_blanks_import_again_after_a_change(
    department, tmp_path
):
    """Both rows of " 1.014325" / "1.014325" stay published (one by a city code), and a later
    import that changes them updates both: it stopped on the national code before."""
    catalog = tmp_path / "catalog.jsonl"

    def write(suffix: str) -> None:
        rows = [
            catalog_row(" 1.014325", "Hỗ trợ pháp lý" + suffix),
            catalog_row("1.014325", "Chương trình công tác" + suffix),
        ]
        catalog.write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in rows),
            encoding="utf-8",
        )

    write("")
    assert "Tạo mới: 2" in run(catalog, "--publish")
    write(" (sửa đổi)")
    assert "Tạo mới: 0  Cập nhật: 2  Không đổi: 0  Bị từ chối: 0" in run(
        catalog, "--publish"
    )
    titles = sorted(ProcedurePage.objects.live().values_list("local_code", "title"))
    assert titles == [
        ("", "Chương trình công tác (sửa đổi)"),
        ("1.014325-id101432", "Hỗ trợ pháp lý (sửa đổi)"),
    ]


@pytest.mark.django_db
def test_the_authority_that_announced_a_national_procedure_is_kept(
    department, tmp_path
):
    catalog = tmp_path / "catalog.jsonl"
    rows = [
        catalog_row("9.990011", "Thủ tục chung"),
        catalog_row(
            "9.990012",
            "Chuyển mục đích sử dụng đất",
            type="SPECIFIC",
            departmentPromulgate="UBND tỉnh Lạng Sơn",
        ),
    ]
    catalog.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8"
    )
    run(catalog, "--publish")
    authorities = dict(
        ProcedurePage.objects.values_list("national_code", "decision_authority")
    )
    assert authorities == {"9.990011": "Bộ Tư pháp", "9.990012": "UBND tỉnh Lạng Sơn"}

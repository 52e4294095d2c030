"""The admin import/export screens as a moderator or catalog administrator sees them."""

import html
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

import pytest
from openpyxl import Workbook, load_workbook

from catalog.models import ProcedurePage
from catalog.services.roles import grant_role
from tests.factories import make_procedure
from tests.importing.helpers import (
    entity_xlsx,
    procedure_row,
    template_xlsx,
    zip_bomb_xlsx,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(client, name: str, content: bytes, **fields):
    data = {
        "file": SimpleUploadedFile(
            name, content, content_type="application/octet-stream"
        ),
        **fields,
    }
    return client.post(reverse("catalog_import"), data)


def errors(response) -> list[str]:
    return re.findall(
        r"<li>(.*?)</li>",
        response.content.decode().split('class="import-errors"')[1].split("</ul>")[0],
        re.S,
    )


@pytest.fixture
def moderator(db, django_user_model, superuser, department):
    user = django_user_model.objects.create_user("mod", "mod@example.invalid", "pw")
    grant_role(actor=superuser, user=user, department=department, role="moderator")
    return user


def new_procedure_xlsx(
    tmp_path,
    department_code="STP",
    title="Cấp bản sao trích lục hộ tịch",
    **values,
) -> bytes:
    path = template_xlsx(
        tmp_path / "mau.xlsx",
        {
            "procedures": [procedure_row("9.000001", title, department_code)],
            "methods": [
                {
                    "code": "9.000001",
                    "number": 1,
                    "channel": "Trực tiếp",
                    "fee_kind": "Lệ phí",
                    "fee_amount": values.get("fee", 5000),
                }
            ],
        },
    )
    return path.read_bytes()


def test_moderator_previews_then_confirms_and_the_page_is_published(
    client, moderator, other_department, tmp_path
):
    client.force_login(moderator)
    response = upload(client, "mau.xlsx", new_procedure_xlsx(tmp_path), publish="on")
    assert response.status_code == 200
    assert 'data-count="created">1<' in response.content.decode()
    assert not ProcedurePage.objects.exists()  # the preview writes nothing
    token = re.search(r'name="token" value="(\w+)"', response.content.decode()).group(1)
    response = client.post(reverse("catalog_import_confirm"), {"token": token})
    assert response.status_code == 200 and "Đã nhập xong" in response.content.decode()
    page = ProcedurePage.objects.get(national_code="9.000001")
    assert page.live and page.get_parent().specific.code == "STP"
    assert page.execution_methods.get().fees.get().amount == 5000
    # the token is single use
    assert (
        client.post(reverse("catalog_import_confirm"), {"token": token}).status_code
        == 400
    )


# made up, 689 characters: past the title's 255, as some national names are
LONG_NAME = (
    "Cấp giấy chứng nhận đủ điều kiện hoạt động dịch vụ hỗ trợ kỹ thuật cho tổ chức, "
    "cá nhân thực hiện dự án đầu tư xây dựng công trình hạ tầng kỹ thuật đô thị "
) * 4 + "thuộc thẩm quyền giải quyết của Ủy ban nhân dân Thành phố Hồ Chí Minh"


def _report_title(response, action: str) -> str:
    row = re.search(
        rf'<tr data-action="{action}">(.*?)</tr>', response.content.decode(), re.S
    )
    return html.unescape(re.findall(r"<td>(.*?)</td>", row.group(1), re.S)[1])


def test_the_report_names_a_long_procedure_whole(client, moderator, tmp_path):
    client.force_login(moderator)
    response = upload(client, "mau.xlsx", new_procedure_xlsx(tmp_path, title=LONG_NAME))
    assert response.status_code == 200
    assert _report_title(response, "created") == LONG_NAME  # not cut at 255
    token = re.search(r'name="token" value="(\w+)"', response.content.decode()).group(1)
    response = client.post(reverse("catalog_import_confirm"), {"token": token})
    assert _report_title(response, "created") == LONG_NAME
    # an edited re-import: the procedure is rebuilt, and still named whole
    response = upload(
        client, "mau.xlsx", new_procedure_xlsx(tmp_path, title=LONG_NAME, fee=9000)
    )
    assert _report_title(response, "updated") == LONG_NAME


def test_row_for_another_department_is_rejected_for_a_moderator(
    client, moderator, other_department, tmp_path
):
    client.force_login(moderator)
    response = upload(
        client, "mau.xlsx", new_procedure_xlsx(tmp_path, department_code="PBT")
    )
    assert response.status_code == 400
    [message] = errors(response)
    assert (
        "không có quyền nhập thủ tục cho đơn vị PBT" in message and "dòng 2" in message
    )
    assert not ProcedurePage.objects.exists()
    from catalog.models import PermissionAuditEntry

    denial = PermissionAuditEntry.objects.get(kind="denied", action="import")
    assert (denial.actor, denial.department_code) == (moderator, "PBT")


@pytest.mark.parametrize(
    ("language", "says", "filters"),
    [
        (
            "vi",
            "Xuất mọi thủ tục bạn được xem",
            "lọc theo tình trạng, mức độ dịch vụ công trực tuyến, loại thủ tục, lĩnh vực",
        ),
        (
            "en",
            "Export every procedure you may see",
            "filter it by status, online service level, procedure type, field",
        ),
    ],
)
def test_the_export_hint_names_the_filters_in_the_admins_language(
    client, superuser, language, says, filters
):
    from wagtail.users.models import UserProfile

    profile = UserProfile.get_for_user(superuser)
    profile.preferred_language = language
    profile.save()
    client.force_login(superuser)
    page = html.unescape(client.get(reverse("catalog_import")).content.decode())
    hint = page.split("<h2>Xuất danh sách</h2>")[1].split("</p>")[0]
    assert says in hint and filters in hint
    assert 'href="/admin/procedures/"' in hint  # where the filters are
    for parameter in ("online_level", "procedure_type", "<code>"):
        assert parameter not in hint


def test_people_without_import_rights_cannot_open_the_screen(
    client, django_user_model, superuser, department
):
    editor = django_user_model.objects.create_user("ed", "ed@example.invalid", "pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    client.force_login(editor)
    refused = client.get(reverse("catalog_import"))
    assert (
        refused.status_code == 302 and "/catalog/import" not in refused.url
    )  # Wagtail's "permission denied"
    client.force_login(superuser)
    assert client.get(reverse("catalog_import")).status_code == 200


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_export_then_import_back_changes_nothing(
    client, superuser, department, file_format
):
    make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    make_procedure(
        department=department,
        national_code="1.000002",
        title="Đăng ký kết hôn",
        local_code="HCM-1.000002",
    )
    client.force_login(superuser)
    exported = client.get(reverse("catalog_export"), {"format": file_format})
    assert exported.status_code == 200
    # the same file whatever the staff member's browser language (found by an independent check)
    in_english = client.get(
        reverse("catalog_export"),
        {"format": file_format},
        HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
    )
    assert in_english.content == exported.content or file_format == "xlsx"
    if file_format == "csv":
        text = in_english.content.decode("utf-8-sig")
        assert "Đang áp dụng" in text and "In force" not in text
    response = upload(client, f"xuat.{file_format}", exported.content)
    body = response.content.decode()
    assert response.status_code == 200, body
    assert (
        'data-count="unchanged">2<' in body
        and 'data-count="created">0<' in body
        and 'data-count="updated">0<' in body
    )


def test_exports_escape_formula_cells(client, superuser, department):
    make_procedure(
        department=department,
        national_code="1.000003",
        title='=HYPERLINK("http://x")',
        implementing_agencies="@SUM(A1)",
    )
    client.force_login(superuser)
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("catalog_export"), {"format": "xlsx"}).content)
    )
    values = [
        cell for row in workbook["Thủ tục"].iter_rows(values_only=True) for cell in row
    ]
    assert '\'=HYPERLINK("http://x")' in values and "'@SUM(A1)" in values
    csv_text = client.get(reverse("catalog_export"), {"format": "csv"}).content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in csv_text and ",=HYPERLINK" not in csv_text
    assert client.get(reverse("catalog_export"), {"format": "exe"}).status_code == 400


def test_empty_template_downloads(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("catalog_import_template"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == [
        "Thủ tục",
        "Trình tự",
        "Cách thức - Phí",
        "Hồ sơ",
        "Căn cứ pháp lý",
        "Hướng dẫn",
    ]
    assert (
        next(workbook["Thủ tục"].iter_rows(values_only=True))[0]
        == "Mã thủ tục quốc gia"
    )


def _unknown_column(tmp_path):
    return template_xlsx(
        tmp_path / "x.xlsx",
        {
            "procedures": [
                ["Mã thủ tục quốc gia", "Tên thủ tục", "Mã đơn vị", "Ghi chú riêng"],
                ["9.1", "Tên", "STP", "x"],
            ]
        },
    ).read_bytes()


def _duplicate(tmp_path):
    return template_xlsx(
        tmp_path / "x.xlsx",
        {"procedures": [procedure_row("9.1", "Một"), procedure_row("9.1", "Hai")]},
    ).read_bytes()


def _real_xlsx(tmp_path):
    workbook = Workbook()
    workbook.active.append(["x"])
    workbook.save(tmp_path / "real.xlsx")
    return tmp_path / "real.xlsx"


BAD_FILES = [
    ("big.xlsx", lambda tmp: b"PK\x03\x04" + b"0" * (2 * 1024 * 1024), "quá lớn"),
    ("bomb.xlsx", lambda tmp: zip_bomb_xlsx(tmp / "bomb.xlsx").read_bytes(), "bom nén"),
    (
        "renamed.xlsx",
        lambda tmp: "Mã thủ tục quốc gia,Tên thủ tục\n9.1,Tên\n".encode(),
        "không phải bảng tính Excel",
    ),
    ("fee.xlsx", lambda tmp: new_procedure_xlsx(tmp, fee=-5000), "không được âm"),
    (
        "other.xlsx",
        lambda tmp: new_procedure_xlsx(tmp, department_code="PBT"),
        "không có quyền",
    ),
    ("column.xlsx", _unknown_column, "Ghi chú riêng"),
    (
        "entity.xlsx",
        lambda tmp: entity_xlsx(tmp / "entity.xlsx", _real_xlsx(tmp)).read_bytes(),
        "thực thể XML",
    ),
    ("dup.xlsx", _duplicate, "xuất hiện hai lần"),
]


@override_settings(IMPORT_MAX_UPLOAD_BYTES=1024 * 1024)
@pytest.mark.parametrize(
    ("name", "build", "fragment"), BAD_FILES, ids=[b[0] for b in BAD_FILES]
)
def test_each_bad_file_gets_one_clear_message_and_writes_nothing(
    client, moderator, other_department, tmp_path, name, build, fragment
):
    client.force_login(moderator)
    before = ProcedurePage.objects.count()
    response = upload(client, name, build(tmp_path))
    assert response.status_code == 400
    [message] = errors(response)
    assert fragment in message
    assert ProcedurePage.objects.count() == before


@override_settings(IMPORT_MAX_ROWS=2)
def test_row_limit(client, moderator, tmp_path):
    client.force_login(moderator)
    rows = [procedure_row(f"9.{n}", f"Thủ tục {n}") for n in range(5)]
    response = upload(
        client,
        "many.xlsx",
        template_xlsx(tmp_path / "m.xlsx", {"procedures": rows}).read_bytes(),
    )
    assert response.status_code == 400 and "vượt giới hạn" in errors(response)[0]


def test_preview_lists_the_changed_fields_of_an_edited_export(
    client, superuser, department
):
    make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(superuser)
    workbook = load_workbook(
        io.BytesIO(client.get(reverse("catalog_export"), {"format": "xlsx"}).content)
    )
    methods = workbook["Cách thức - Phí"]
    header = [cell.value for cell in methods[1]]
    methods.cell(row=2, column=header.index("Mức thu") + 1, value=9000)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = upload(client, "sua.xlsx", buffer.getvalue())
    body = response.content.decode()
    assert response.status_code == 200 and 'data-count="updated">1<' in body
    row = re.search(r'<tr data-action="updated">(.*?)</tr>', body, re.S).group(1)
    assert "cách thức, thời hạn, phí" in row and "tên" not in row.split("</td>")[-2]
    assert (
        ProcedurePage.objects.get().execution_methods.first().fees.first().amount
        == 8000
    )  # preview only


def test_a_malformed_content_length_is_an_ordinary_bad_upload(client, moderator):
    client.force_login(moderator)
    before = ProcedurePage.objects.count()
    response = client.post(
        reverse("catalog_import"),
        {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04")},
        CONTENT_LENGTH="many",
    )
    assert response.status_code in (200, 400)
    assert ProcedurePage.objects.count() == before

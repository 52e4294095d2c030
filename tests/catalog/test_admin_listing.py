"""The flat procedure listing shows a department's staff what they own, and exports exactly that."""

import html
import re

import pytest

from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def test_listing_shows_code_owner_and_status_and_exports_with_its_filters(
    client, superuser, department, other_department
):
    make_procedure(
        department=department, national_code="1.000101", title="Đăng ký khai sinh"
    )
    make_procedure(
        department=other_department,
        national_code="1.000102",
        title="Chứng thực chữ ký",
        status="rescinded",
    )
    client.force_login(superuser)
    response = client.get("/admin/procedures/", {"status": "active"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in page and "1.000101" in page and "Sở Tư pháp" in page
    assert "Chứng thực chữ ký" not in page

    links = [
        html.unescape(href)
        for href in re.findall(r'href="([^"]*/catalog/export/[^"]*)"', page)
    ]
    xlsx = next(link for link in links if "format=xlsx" in link)
    assert "status=active" in xlsx
    csv_link = next(link for link in links if "format=csv" in link)
    exported = client.get(csv_link)
    assert exported.status_code == 200
    body = exported.content.decode("utf-8-sig")
    assert "1.000101" in body and "1.000102" not in body
    # Wagtail's own ?export= of the listing (no button links it) wrote blank rows: it is the
    # catalog's export with the same filters
    for file_format in ("csv", "xlsx"):
        response = client.get(
            "/admin/procedures/", {"status": "active", "export": file_format}
        )
        assert response.status_code == 302
        followed = client.get(response["Location"])
        assert followed.status_code == 200
        assert followed["Content-Disposition"].endswith(f'.{file_format}"')
    body = client.get(
        "/admin/procedures/", {"status": "active", "export": "csv"}, follow=True
    ).content.decode("utf-8-sig")
    assert "1.000101" in body and "1.000102" not in body


def test_editor_listing_has_only_their_department(
    client, django_user_model, superuser, department, other_department
):
    from catalog.services.roles import grant_role

    make_procedure(
        department=department, national_code="1.000201", title="Cấp bản sao trích lục"
    )
    make_procedure(
        department=other_department, national_code="1.000202", title="Đăng ký tạm trú"
    )
    editor = django_user_model.objects.create_user("bt", password="pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    client.force_login(editor)
    page = client.get("/admin/procedures/").content.decode()
    assert "Cấp bản sao trích lục" in page
    assert "Đăng ký tạm trú" not in page

"""Titles and names made of invisible characters, or that display in another order, are refused.

A zero-width space pasted from a web page passed the required check: the admin said «Đã tạo
trang '​'» and the procedure had no visible name in the listing, the dashboard, the public page
or the API. Bidirectional controls make a title display differently from what is stored.
"""

from django.contrib.auth.models import Group
from django.urls import reverse

import pytest

from catalog.models import Field, ProcedurePage
from tests.catalog.test_save_unchanged import edit_form_data
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db

REQUIRED = "Tên chỉ có khoảng trắng hoặc ký tự không nhìn thấy"
BIDI = "Tên có ký tự điều khiển hướng chữ"


@pytest.fixture
def editor(django_user_model, department):
    user = django_user_model.objects.create_user("bien-tap", password="pw")
    user.groups.add(Group.objects.get(name="STP · Biên tập viên"))
    return user


def post_title(client, page, title):
    url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    data = edit_form_data(client.get(url).content.decode())
    data["title"] = [title]
    return client.post(url, data)


def latest(page) -> dict:
    return ProcedurePage.objects.get(pk=page.pk).get_latest_revision().content


@pytest.mark.parametrize(
    "typed",
    ["\u200b", "\u200b\u200b\u200b", "\ufeff", "\u2060", " \u200b \u200c\u200d "],
    ids=["zwsp", "three-zwsp", "bom", "word-joiner", "spaces-and-zero-width"],
)
def test_a_procedure_title_of_only_invisible_characters_is_refused(
    client, editor, department, typed
):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    before = page.get_latest_revision().pk
    response = post_title(client, page, typed)
    assert response.status_code == 200, (
        f"a title of only {typed!r} was saved: {latest(page)['title']!r}"
    )
    assert REQUIRED in response.content.decode()
    assert ProcedurePage.objects.get(pk=page.pk).get_latest_revision().pk == before


@pytest.mark.parametrize(
    "typed",
    ["Đăng ký \u202ehnis iahk\u202c", "\u2067Đăng ký khai sinh\u2069"],
    ids=["right-to-left-override", "isolate"],
)
def test_a_procedure_title_that_displays_reordered_is_refused(
    client, editor, department, typed
):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    response = post_title(client, page, typed)
    assert response.status_code == 200
    assert BIDI in response.content.decode()
    assert latest(page)["title"] == "Đăng ký khai sinh"


def test_invisible_characters_around_a_title_are_dropped(client, editor, department):
    page = make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )
    client.force_login(editor)
    response = post_title(client, page, "\ufeff\u200bĐăng ký kết hôn\u200b ")
    assert response.status_code == 302
    assert latest(page)["title"] == "Đăng ký kết hôn"


def test_a_shared_list_name_of_only_invisible_characters_is_refused(
    client, django_user_model
):
    client.force_login(
        django_user_model.objects.create_superuser("root", "root@example.invalid", "pw")
    )
    url = reverse("wagtailsnippets_catalog_field:add")
    response = client.post(url, {"code": "G15-TP99", "name": "\u200b\u2060"})
    assert response.status_code == 200
    assert REQUIRED in response.content.decode()
    assert not Field.objects.filter(code="G15-TP99").exists()

    response = client.post(url, {"code": "G15-TP99", "name": "\u200bHộ tịch\ufeff"})
    assert response.status_code == 302
    assert Field.objects.get(code="G15-TP99").name == "Hộ tịch"

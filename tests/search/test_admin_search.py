"""Admin search folds Vietnamese (search.admin_backend) and stays inside the user's scope.

Department A (STP) and B (PBT), one editor each. Every search goes through the admin's own
URLs, as the search boxes send it, and asserts on the rows the editor is shown.
"""

import re

from django.contrib.auth import get_user_model

import pytest

from catalog.services.roles import grant_role
from search.admin_backend import fold_query, fold_text
from tests.factories import (
    FieldFactory,
    LegalDocumentFactory,
    LifeEventFactory,
    make_department,
    make_form_template,
    make_procedure,
)

SECRET_WORD = "Quỳnhhoaxyz"  # only in A's never-published procedure's title
PAGE_SEARCH = "/admin/pages/search/"
PAGE_CHOOSER = "/admin/choose-page/search/"
TEMPLATES = "/admin/snippets/catalog/formtemplate/"
TEMPLATE_CHOOSER = "/admin/snippets/choose/catalog/formtemplate/"
FIELDS = "/admin/snippets/catalog/field/"
FIELD_CHOOSER = "/admin/snippets/choose/catalog/field/"
ODD_QUERIES = [
    "",
    " ",
    "!!!",
    "'\"",
    "()*:^-",
    'AND OR NOT "',
    "đăng ký" * 300,
    "١٢٣ ４５６ ๓",  # Arabic-Indic, full-width and Thai digits
    "%_\\",
    "dang-ky/khai_sinh",
    "NEAR(a b)",
    "\x00",
]


@pytest.fixture
def world(db):
    a = make_department(code="STP", title="Sở Tư pháp")
    b = make_department(code="PBT", title="UBND phường Bến Thành", kind="ward")
    root = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", "pw"
    )
    users = {}
    for name, department in (("editor_a", a), ("editor_b", b)):
        user = get_user_model().objects.create_user(
            name, f"{name}@example.invalid", "pw"
        )
        grant_role(actor=root, user=user, department=department, role="editor")
        users[name] = user
    form = make_form_template(
        department=a, code="TK-KS01", name="Tờ khai đăng ký khai sinh"
    )
    world = {
        "a": a,
        "b": b,
        "users": users,
        "form": form,
        "birth": make_procedure(
            department=a,
            national_code="1.000001",
            title="Đăng ký khai sinh",
            form_template=form,
        ),
        "marriage": make_procedure(
            department=a, national_code="1.000002", title="Đăng ký kết hôn"
        ),
        "other": make_procedure(
            department=b, national_code="2.000001", title="Chứng thực bản sao"
        ),
        "secret": make_procedure(
            department=a,
            national_code="1.000003",
            title=f"Thủ tục {SECRET_WORD} nội bộ",
            publish=False,
        ),
        "field": FieldFactory(code="G15-TP07", name="Hộ tịch"),
        "other_field": FieldFactory(code="G15-TP01", name="Chứng thực"),
    }
    return world


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def _search(client, url, q, **params):
    return _text(client.get(url, {"q": q, **params}))


# ---------------------------------------------------------------- folding itself


def test_the_same_fold_serves_index_and_query():
    assert fold_text("Đăng ký KHAI SINH") == "dang ky khai sinh"
    assert fold_text("Đăng  ký") == fold_text("dang ky") == "dang ky"
    assert fold_text("1.000080") == "1 000080"
    assert fold_query("!!! ") is None
    assert fold_query("dăng ky").split() == ["dang", "ky"]


# ---------------------------------------------------------------- pages


@pytest.mark.parametrize("q", ["dang ky khai sinh", "DANG KY KHAI SINH", "dăng ky kh"])
def test_page_search_finds_the_procedure_typed_without_marks(client, world, q):
    client.force_login(world["users"]["editor_a"])
    body = _search(client, PAGE_SEARCH, q)
    assert "Đăng ký khai sinh" in body
    assert "Đăng ký kết hôn" not in body


def test_page_search_finds_marriage_and_codes(client, world):
    client.force_login(world["users"]["editor_a"])
    body = _search(client, PAGE_SEARCH, "ket hon")
    assert "Đăng ký kết hôn" in body
    assert "Đăng ký khai sinh" not in body
    body = _search(client, PAGE_SEARCH, "1.000002")
    assert "Đăng ký kết hôn" in body
    assert "Đăng ký khai sinh" not in body


def test_procedure_listing_search_is_folded(client, world):
    client.force_login(world["users"]["editor_a"])
    body = _search(client, "/admin/procedures/", "ket hon")
    assert "Đăng ký kết hôn" in body
    assert "Đăng ký khai sinh" not in body


def test_export_of_a_searched_listing_has_the_listed_rows(client, world):
    """The listing's export buttons carry its query: the file holds what the search showed."""
    client.force_login(world["users"]["editor_a"])
    response = client.get("/admin/catalog/export/", {"format": "csv", "q": "ket hon"})
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert "Đăng ký kết hôn" in content
    assert "Đăng ký khai sinh" not in content


def test_explorer_search_is_folded(client, world):
    client.force_login(world["users"]["editor_a"])
    body = _search(client, f"/admin/pages/{world['a'].pk}/", "khai sinh")
    assert "Đăng ký khai sinh" in body
    assert "Đăng ký kết hôn" not in body


def test_page_chooser_search_is_folded(client, world):
    client.force_login(world["users"]["editor_a"])
    body = _search(client, PAGE_CHOOSER, "dang ky khai sinh")
    assert "Đăng ký khai sinh" in body
    assert "Đăng ký kết hôn" not in body


def test_a_page_is_found_under_its_new_title_once_published(client, world):
    """The index follows publishing: the old title stops matching, the new one matches."""
    birth = world["birth"]
    birth.title = "Đăng ký lại khai sinh"
    birth.change_note = "Đổi tên"
    birth.save_revision().publish()
    client.force_login(world["users"]["editor_a"])
    assert "Đăng ký lại khai sinh" in _search(client, PAGE_SEARCH, "dang ky lai")
    assert "Đăng ký lại khai sinh" not in _search(client, PAGE_SEARCH, "ket hon")


@pytest.mark.parametrize("url", [PAGE_SEARCH, PAGE_CHOOSER, "/admin/procedures/"])
def test_another_departments_draft_stays_hidden(client, world, url):
    """B's editor types A's draft's unique word; the search box echoes it, so the check is
    on the accented title and the page's admin link, which no query contains."""
    secret = world["secret"]
    title, link = secret.title, f"/admin/pages/{secret.pk}/"
    client.force_login(world["users"]["editor_a"])  # positive control: the owner
    body = _search(client, url, SECRET_WORD.lower())
    assert title in body and link in body
    client.force_login(world["users"]["editor_b"])
    for q in (SECRET_WORD.lower(), "quynhhoaxyz noi bo", "thu tuc noi bo", "1.000003"):
        body = _search(client, url, q)
        assert title not in body and link not in body, q


# ---------------------------------------------------------------- snippets


@pytest.mark.parametrize("q", ["TK-KS01", "tk ks01", "to khai dang ky khai sinh"])
@pytest.mark.parametrize("url", [TEMPLATES + "results/", TEMPLATE_CHOOSER + "results/"])
def test_form_templates_by_code_and_unaccented_name(client, world, url, q):
    make_form_template(department=world["a"], code="TK-KH02", name="Tờ khai kết hôn")
    client.force_login(world["users"]["editor_a"])
    body = _search(client, url, q)
    assert "Tờ khai đăng ký khai sinh" in body
    assert "Tờ khai kết hôn" not in body


def test_form_template_of_another_department_is_not_found(client, world):
    make_form_template(department=world["b"], code="TK-PBT9", name="Tờ khai riêng PBT")
    client.force_login(world["users"]["editor_b"])  # positive control
    assert "Tờ khai riêng PBT" in _search(client, TEMPLATES + "results/", "rieng pbt")
    client.force_login(world["users"]["editor_a"])
    for url in (TEMPLATES + "results/", TEMPLATE_CHOOSER + "results/"):
        assert "Tờ khai riêng PBT" not in _search(client, url, "rieng pbt")


@pytest.mark.parametrize("url", [FIELDS + "results/", FIELD_CHOOSER + "results/"])
def test_shared_list_search_is_folded(client, world, url):
    client.force_login(world["users"]["editor_a"])
    body = _search(client, url, "ho tich")
    assert "Hộ tịch" in body
    assert "Chứng thực" not in body


def test_other_shared_lists_are_folded(client, world):
    LifeEventFactory(code="ket-hon", name="Kết hôn")
    LegalDocumentFactory(number="123/2015/NĐ-CP", title="Nghị định về hộ tịch")
    client.force_login(world["users"]["editor_a"])
    assert "Kết hôn" in _search(
        client, "/admin/snippets/catalog/lifeevent/results/", "ket hon"
    )
    assert "123/2015/NĐ-CP" in _search(
        client, "/admin/snippets/catalog/legaldocument/results/", "nghi dinh ho tich"
    )


def test_public_holidays_are_searched_folded(client, world):
    import datetime

    from catalog.models import PublicHoliday

    PublicHoliday.objects.all().delete()  # the official list the migrations add, aside
    PublicHoliday.objects.create(date=datetime.date(2026, 9, 2), name="Quốc khánh")
    PublicHoliday.objects.create(
        date=datetime.date(2026, 5, 1), name="Quốc tế Lao động"
    )
    client.force_login(world["users"]["editor_a"])
    url = "/admin/snippets/catalog/publicholiday/results/"
    body = _search(client, url, "quoc khanh")
    assert "Quốc khánh" in body and "Lao động" not in body
    body = _search(client, url, "QUỐC")
    assert "Quốc khánh" in body and "Lao động" in body
    assert "Quốc khánh" not in _search(client, url, "!!!")


def test_documents_search_is_folded(client, world):
    """Documents are listed by collection permission (editors hold none): the superuser."""
    client.force_login(get_user_model().objects.get(username="root"))
    body = _search(client, "/admin/documents/", "to khai dang ky")
    assert "Tờ khai đăng ký khai sinh" in body


# ---------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "url",
    [
        PAGE_SEARCH,
        PAGE_CHOOSER,
        "/admin/procedures/",
        TEMPLATES,
        TEMPLATES + "results/",
        TEMPLATE_CHOOSER,
        TEMPLATE_CHOOSER + "results/",
        FIELDS + "results/",
        FIELD_CHOOSER + "results/",
        "/admin/snippets/catalog/publicholiday/results/",
        "/admin/documents/",
        "/admin/documents/chooser/results/",
    ],
)
def test_no_query_breaks_a_search_box(client, world, url):
    client.force_login(world["users"]["editor_b"])
    for q in ODD_QUERIES:
        response = client.get(url, {"q": q})
        assert response.status_code == 200, (q[:40], response.status_code)
        assert world["secret"].title not in response.content.decode()


def test_superuser_search_is_folded_too(client, world):
    client.force_login(get_user_model().objects.get(username="root"))
    body = _search(client, PAGE_SEARCH, "chung thuc ban sao")
    assert "Chứng thực bản sao" in body


def test_search_index_rebuild_rebuilds_the_admin_index(client, world):
    """`make run` runs `search_index rebuild`: it also refills Wagtail's admin index."""
    from io import StringIO

    from django.core.management import call_command

    from wagtail.search.models import IndexEntry

    IndexEntry.objects.all().delete()  # as after a restore, or entries from before folding
    client.force_login(world["users"]["editor_a"])
    assert "Đăng ký kết hôn" not in _search(client, PAGE_SEARCH, "ket hon")
    # --no-admin (national size: the admin index reads every page at ~150/s) leaves it alone
    out = StringIO()
    call_command("search_index", "rebuild", "--no-progress", "--no-admin", stdout=out)
    assert "admin search index" not in out.getvalue()
    assert "Đăng ký kết hôn" not in _search(client, PAGE_SEARCH, "ket hon")
    out = StringIO()
    call_command("search_index", "rebuild", "--no-progress", stdout=out)
    assert "admin search index" in out.getvalue()
    assert "Đăng ký kết hôn" in _search(client, PAGE_SEARCH, "ket hon")
    assert "Tờ khai đăng ký khai sinh" in _search(
        client, TEMPLATES + "results/", "to khai"
    )

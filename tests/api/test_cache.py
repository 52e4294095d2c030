"""Procedures are served from JSON stored once per version: every change still reaches a client."""

import hashlib

from django.core.cache import caches
from django.core.files.base import ContentFile
from django.utils.http import parse_http_date

from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction

import pytest

from api.models import ProcedureRepresentation
from catalog.models import Field
from tests.api.conftest import get_json, refreshed, republish, set_first_fee
from tests.api.test_changes import apply, read_feed

pytestmark = pytest.mark.django_db

DETAIL = "/api/v1/procedures/1.000001/"
LIST = "/api/v1/procedures/?page_size=200"


def everywhere(client, page_id: int) -> list[dict]:
    """The procedure as the detail, the full list and a replayed feed show it."""
    _, detail = get_json(client, f"/api/v1/procedures/{page_id_code(page_id)}/")
    _, listing = get_json(client, LIST)
    mirror = apply({}, read_feed(client, page_size=50)[0])
    return [
        detail,
        next(item for item in listing["items"] if item["id"] == page_id),
        mirror[page_id],
    ]


def page_id_code(page_id: int) -> str:
    from catalog.models import ProcedurePage

    page = ProcedurePage.objects.get(pk=page_id)
    return page.local_code or page.national_code


def warm(client):
    """Read everything once so every published procedure has stored JSON."""
    get_json(client, LIST)
    read_feed(client, page_size=50)


def test_the_detail_is_the_stored_json(client, catalog):
    response = client.get(DETAIL)
    stored = ProcedureRepresentation.objects.get(page_id=catalog["birth"].pk)
    assert bytes(stored.body).replace(
        b'"\\u0000origin\\u0000', b'"http://testserver'
    ) == (response.content)
    # Served again from the row, not rebuilt: a row edited behind its back shows (once the
    # fast path's copy of the answer, api.fast, is gone).
    ProcedureRepresentation.objects.filter(pk=stored.pk).update(
        body=bytes(stored.body).replace("Đăng ký".encode(), b"STORED")
    )
    caches["pages"].clear()
    assert client.get(DETAIL).json()["title"] == "STORED khai sinh"


def test_a_fee_edit_reaches_detail_list_and_feed(client, catalog):
    warm(client)
    set_first_fee(catalog["birth"], 123000)
    for shown in everywhere(client, catalog["birth"].pk):
        assert shown["execution_methods"][0]["fees"][0]["amount"] == 123000


def test_renaming_a_shared_list_entry_reaches_every_procedure(client, catalog):
    warm(client)
    field = Field.objects.get(code="G15-TP07")
    field.name = "Hộ tịch (đổi tên)"
    field.save()
    for shown in everywhere(client, catalog["birth"].pk):
        assert shown["fields"] == [{"code": "G15-TP07", "name": "Hộ tịch (đổi tên)"}]


def test_renaming_a_department_reaches_its_procedures(client, catalog):
    warm(client)
    department = refreshed_department(catalog["stp"])
    department.title = "Sở Tư pháp Thành phố"
    department.save_revision().publish()
    for shown in everywhere(client, catalog["birth"].pk):
        assert shown["department"] == {"code": "STP", "title": "Sở Tư pháp Thành phố"}


def refreshed_department(department):
    from catalog.models import DepartmentPage

    return DepartmentPage.objects.get(pk=department.pk)


def test_a_replaced_form_file_reaches_the_procedures_using_it(client, catalog):
    warm(client)
    content = b"%PDF-1.7 new version of the form"
    document = get_document_model()(
        title="Tờ khai v2", collection=catalog["stp"].collection
    )
    document.file.save("TK01-v2.pdf", ContentFile(content), save=False)
    document.save()
    form = catalog["form"]
    form.document = document
    form.version = "2"
    form.save()
    for shown in everywhere(client, catalog["birth"].pk):
        attached = shown["dossier_cases"][0]["documents"][0]["form"]
        assert attached["version"] == "2"
        assert attached["sha256"] == hashlib.sha256(content).hexdigest()
        assert attached["size"] == len(content)
        assert "TK01-v2" in attached["download_url"]


def test_a_move_reaches_detail_list_and_feed(client, catalog):
    warm(client)
    refreshed(catalog["birth"]).move(catalog["ward"], pos="last-child")
    for shown in everywhere(client, catalog["birth"].pk):
        assert shown["department"]["code"] == "PBT"


def test_unpublished_or_deleted_procedures_are_never_served_from_storage(
    client, catalog
):
    warm(client)
    assert ProcedureRepresentation.objects.filter(page_id=catalog["birth"].pk).exists()
    _, cursor = read_feed(client)
    refreshed(catalog["birth"]).unpublish()
    assert client.get(DETAIL).status_code == 404
    _, listing = get_json(client, LIST)
    assert catalog["birth"].pk not in [item["id"] for item in listing["items"]]
    entries, cursor = read_feed(client, cursor)
    assert [(e["id"], e["action"], e["procedure"]) for e in entries] == [
        (catalog["birth"].pk, "unpublished", None)
    ]
    marriage = catalog["marriage"]
    get_json(client, "/api/v1/procedures/1.000002/")
    refreshed(marriage).delete()
    assert client.get("/api/v1/procedures/1.000002/").status_code == 404
    entries, _ = read_feed(client, cursor)
    assert [(e["id"], e["action"], e["procedure"]) for e in entries] == [
        (marriage.pk, "deleted", None)
    ]


def test_a_procedure_in_a_private_section_is_not_served(client, catalog):
    warm(client)
    PageViewRestriction.objects.create(
        page=catalog["stp"], restriction_type=PageViewRestriction.LOGIN
    )
    assert client.get(DETAIL).status_code == 404
    _, listing = get_json(client, LIST)
    assert "STP" not in {item["department"]["code"] for item in listing["items"]}
    assert client.get("/api/v1/procedures/1.000004/").status_code == 200


def test_a_draft_leaves_the_stored_json_alone(client, catalog):
    warm(client)
    page = refreshed(catalog["birth"])
    page.title = "Bản nháp chưa duyệt"
    page.save_revision()
    for shown in everywhere(client, catalog["birth"].pk):
        assert shown["title"] == "Đăng ký khai sinh"


def test_republishing_the_same_revision_updates_history_and_dates(client, catalog):
    _, before = get_json(client, DETAIL)
    page = refreshed(catalog["birth"])
    page.unpublish()
    page.get_latest_revision().publish()
    response, after = get_json(client, DETAIL)
    assert after["last_published_at"] > before["last_published_at"]
    assert len(after["change_history"]) == len(before["change_history"]) + 1


def test_download_urls_follow_the_host_the_client_called(client, catalog):
    warm(client)
    response = client.get(DETAIL, HTTP_HOST="api.example.invalid")
    form = response.json()["dossier_cases"][0]["documents"][0]["form"]
    assert form["download_url"].startswith("http://api.example.invalid/documents/")
    _, again = get_json(client, DETAIL)
    form = again["dossier_cases"][0]["documents"][0]["form"]
    assert form["download_url"].startswith("http://testserver/documents/")


def test_last_modified_moves_with_the_data_not_with_the_clock(client, catalog):
    first = client.get(DETAIL)
    again = client.get(DETAIL)
    assert first["Last-Modified"] == again["Last-Modified"]
    published = refreshed(catalog["birth"]).last_published_at
    assert parse_http_date(first["Last-Modified"]) >= int(published.timestamp())
    # An edit: the old date no longer matches, the new one does.
    set_first_fee(catalog["birth"], 5000)
    changed = client.get(DETAIL, HTTP_IF_MODIFIED_SINCE="Thu, 01 Jan 1970 00:00:01 GMT")
    assert changed.status_code == 200
    assert parse_http_date(changed["Last-Modified"]) >= parse_http_date(
        first["Last-Modified"]
    )
    assert (
        client.get(DETAIL, HTTP_IF_MODIFIED_SINCE=changed["Last-Modified"]).status_code
        == 304
    )


def test_a_304_builds_and_writes_nothing(client, catalog):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(DETAIL)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(DETAIL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    # Throttle + the one precompiled read; nothing is built or written.
    assert len(queries.captured_queries) <= 2
    assert not any(
        "INSERT INTO" in q["sql"] and "procedurerepresentation" in q["sql"]
        for q in queries.captured_queries
    )


def test_republish_keeps_list_items_in_step_with_the_detail(client, catalog):
    warm(client)
    republish(refreshed(catalog["land"]), note="Sửa tên")
    _, detail = get_json(client, "/api/v1/procedures/HCM.PBT.01/")
    _, listing = get_json(client, LIST)
    assert detail in listing["items"]


def test_forms_a_citizen_may_not_download_are_not_offered(client, catalog):
    from wagtail.models import CollectionViewRestriction

    from tests.api.test_changes import apply, published, read_feed

    warm(client)
    entries, cursor = read_feed(client)
    mirror = apply({}, entries)
    _, before = get_json(client, DETAIL)
    download = before["dossier_cases"][0]["documents"][0]["form"]["download_url"]
    _, forms = get_json(client, "/api/v1/forms/")
    assert "TK01" in [item["code"] for item in forms["items"]]

    CollectionViewRestriction.objects.create(
        collection=catalog["stp"].collection,
        restriction_type=CollectionViewRestriction.LOGIN,
    )
    # The file itself is refused to an anonymous client now...
    assert client.get(download.removeprefix("http://testserver")).status_code != 200
    # ...so the API no longer offers it.
    _, forms = get_json(client, "/api/v1/forms/")
    assert "TK01" not in [item["code"] for item in forms["items"]]
    assert client.get("/api/v1/forms/TK01/").status_code == 404
    for shown in everywhere(client, catalog["birth"].pk):
        assert shown["dossier_cases"][0]["documents"][0]["form"] is None
    # ...and a mirror following the feed from its cursor learns it too
    entries, _ = read_feed(client, cursor)
    assert catalog["birth"].pk in {entry["id"] for entry in entries}
    assert apply(mirror, entries) == published(client)


def test_stored_json_is_in_the_site_language_whoever_built_it(client, catalog):
    client.cookies["django_language"] = "en"
    _, first = get_json(client, DETAIL)
    client.cookies.pop("django_language")
    _, again = get_json(client, DETAIL)
    assert first == again
    assert (
        again["execution_methods"][0]["processing_time"]["display"] == "5 ngày làm việc"
    )

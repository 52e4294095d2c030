"""The procedure page's cached body, as a citizen sees it: every change shows on the next view.

Each test views the page first (so its body is in the cache), changes something the way an
editor or administrator does, and views it again.
"""

import datetime
import re

from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from wagtail.documents import get_document_model
from wagtail.models import PageViewRestriction

import pytest

from catalog.models import (
    FeeItem,
    PublicHoliday,
)
from cms.templatetags.portal import public_cache
from tests.factories import make_procedure, set_parts
from tests.site.helpers import soup, text

CHANNELS = ("in_person", "online", "postal")


def _html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _cached_bodies() -> int:
    """How many procedure bodies the pages cache holds (local-memory cache in tests)."""
    return sum(1 for key in public_cache()._cache if "procedure-body" in key)


def test_a_repeat_view_is_served_from_the_cache_with_fewer_queries(client, catalog):
    url = catalog["birth"].url
    with CaptureQueriesContext(connection) as first:
        first_html = _html(client, url)
    with CaptureQueriesContext(connection) as again:
        again_html = _html(client, url)
    assert _cached_bodies() == 1
    assert len(again) < len(first)
    assert not any("catalog_feeitem" in query["sql"] for query in again)
    # the same page, apart from the per-visitor CSRF token
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", again_html) == token.sub("", first_html)


def _queries(client, url, *, cold: bool) -> int:
    if cold:
        public_cache().clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_is_the_same_for_small_and_large_procedures(client, department):
    small = make_procedure(department=department, national_code="9.1", title="Nhỏ")
    large = make_procedure(department=department, national_code="9.2", title="Lớn")
    set_parts(small, 1, CHANNELS)
    set_parts(large, 3, CHANNELS)
    client.get(small.url)  # the site's settings row and the holidays are read once
    cold = [_queries(client, page.url, cold=True) for page in (small, large)]
    client.get(small.url)  # (the cold count of `large` emptied the cache)
    cached = [_queries(client, page.url, cold=False) for page in (small, large)]
    assert cold[0] == cold[1]
    assert cached[0] == cached[1] < cold[0]
    assert "Giấy 2.2" in _html(client, large.url)


def test_a_new_fee_shows_after_publishing(client, catalog):
    procedure = catalog["birth"]
    assert "25.000 đồng" in _html(client, procedure.url)
    methods = list(procedure.execution_methods.all())
    postal = next(method for method in methods if method.channel == "postal")
    postal.fees = [FeeItem(kind="service_fee", amount=32000)]
    procedure.execution_methods = methods
    procedure.change_note = "Tăng giá dịch vụ bưu chính"
    procedure.save_revision().publish()
    html = _html(client, procedure.url)
    assert "32.000 đồng" in html and "25.000 đồng" not in html
    assert "Tăng giá dịch vụ bưu chính" in html  # the change history too


def test_a_renamed_field_shows_without_republishing_the_procedure(client, catalog):
    procedure = catalog["birth"]
    assert '"serviceType":"Hộ tịch"' in _html(client, procedure.url)
    field = procedure.fields.get()
    field.name = "Hộ tịch, quốc tịch"
    field.save()
    assert '"serviceType":"Hộ tịch, quốc tịch"' in _html(client, procedure.url)


def test_a_renamed_department_shows_on_its_procedures(client, catalog):
    procedure, justice = catalog["birth"], catalog["justice"]
    assert "Sở Tư pháp" in text(soup(client.get(procedure.url)).find(class_="facts"))
    justice.title = "Sở Tư pháp Thành phố"
    justice.save_revision().publish()
    page = soup(client.get(procedure.url))
    assert "Sở Tư pháp Thành phố" in text(page.find(class_="facts"))
    assert "Sở Tư pháp Thành phố" in text(page.find(class_="breadcrumb"))


def test_a_replaced_form_file_is_the_one_offered(client, catalog):
    procedure, form = catalog["birth"], catalog["form"]
    old_url = form.document.url
    assert old_url in _html(client, procedure.url)
    document = get_document_model()(
        title=form.name, collection=catalog["justice"].collection
    )
    document.file.save("TK-KS-2026.pdf", ContentFile(b"%PDF-1.4 v2"), save=False)
    document.save()
    form.document = document
    form.version = "2026"
    form.save()
    page = soup(client.get(procedure.url))
    link = page.find("a", class_="download")
    assert link["href"] == document.url != old_url
    assert "phiên bản 2026" in text(link.parent)


def test_a_law_given_a_link_is_linked(client, catalog):
    procedure = catalog["birth"]
    law = procedure.legal_basis.get()
    assert "https://vbpl.vn/luat-ho-tich" in _html(client, procedure.url)
    law.url = "https://vbpl.vn/luat-ho-tich-2014"
    law.save()
    page = soup(client.get(procedure.url))
    assert page.find("a", class_="law-link")["href"] == law.url


def test_an_unpublished_or_deleted_procedure_is_gone(client, catalog):
    withdrawn, deleted = catalog["marriage"], catalog["copy"]
    for procedure in (withdrawn, deleted):
        _html(client, procedure.url)
    withdrawn.unpublish()
    assert client.get(withdrawn.url).status_code == 404
    url = deleted.url
    deleted.delete()
    assert client.get(url).status_code == 404


def test_a_moved_procedure_answers_at_its_new_address(client, catalog):
    procedure, ward = catalog["copy"], catalog["ward"]
    old_url = procedure.url
    _html(client, old_url)
    procedure.move(ward, pos="last-child")
    procedure.refresh_from_db()
    assert procedure.url != old_url
    old = client.get(old_url)  # Wagtail keeps a redirect from the old address
    assert old.status_code == 301 and old["Location"].endswith(procedure.url)
    page = soup(client.get(procedure.url))
    assert "UBND phường Bến Thành" in text(page.find(class_="breadcrumb"))


def test_a_restricted_department_hides_its_cached_procedures(client, catalog):
    procedure = catalog["birth"]
    _html(client, procedure.url)
    PageViewRestriction.objects.create(
        page=catalog["justice"], restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get(procedure.url)
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_password_on_the_procedure_itself_is_asked_for(client, catalog):
    procedure = catalog["marriage"]
    _html(client, procedure.url)
    PageViewRestriction.objects.create(
        page=procedure, restriction_type=PageViewRestriction.PASSWORD, password="x1"
    )
    html = client.get(procedure.url).content.decode()
    assert 'name="password"' in html
    assert "Nộp hồ sơ tại bộ phận một cửa." not in html


def test_a_new_holiday_moves_the_expected_date(client, catalog):
    url = catalog["birth"].url + "?ngay-nop=2026-06-01&cach=in_person"
    due = soup(client.get(url)).find(id="due-result")
    assert "04/06/2026" in text(due)  # Monday + 3 working days
    PublicHoliday.objects.create(date=datetime.date(2026, 6, 3), name="Ngày nghỉ bù")
    due = soup(client.get(url)).find(id="due-result")
    assert "05/06/2026" in text(due)
    # and the script's own copy of the holidays near today follows too
    soon = timezone.localdate() + datetime.timedelta(days=10)
    PublicHoliday.objects.create(date=soon, name="Ngày nghỉ mới")
    page = soup(client.get(catalog["birth"].url))
    assert soon.isoformat() in page.find(id="due-data").get_text()


def test_the_request_parts_are_answered_per_request(client, catalog):
    url = catalog["birth"].url
    _html(client, url)
    page = soup(client.get(url + "?truong-hop=2&ngay-nop=2026-06-01&cach=postal"))
    cases = page.select("[data-case]")
    assert [case.has_attr("hidden") for case in cases] == [True, False]
    assert "11/06/2026" in text(page.find(id="due-result"))  # 10 calendar days
    page = soup(client.get(url))
    assert not any(case.has_attr("hidden") for case in page.select("[data-case]"))
    assert text(page.find(id="due-result")) == ""


def test_language_switch_on_a_cached_page(client, catalog):
    """The switch needs no CSRF token, so a cached public page sets no cookie."""
    url = catalog["birth"].url
    _html(client, url)  # cached in Vietnamese
    visitor = Client(enforce_csrf_checks=True)
    first = visitor.get(url)
    assert not first.cookies and "public" in first["Cache-Control"]
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": url})
    assert response.status_code == 302
    english = soup(visitor.get(url))
    assert english.find(id="h-summary").get_text() == "Summary"
    assert english.find(id="h-steps").get_text() == "Steps"
    assert soup(client.get(url)).find(id="h-summary").get_text() == "Tóm tắt"


def test_drafts_and_previews_never_come_from_or_go_into_the_cache(
    client, catalog, superuser
):
    procedure = catalog["birth"]
    procedure.summary = "Bản nháp chưa duyệt."
    revision = procedure.save_revision()
    editor = Client()
    editor.force_login(superuser)
    # viewing the draft first must not leave it where citizens are served from
    draft = editor.get(f"/admin/pages/{procedure.pk}/view_draft/")
    assert "Bản nháp chưa duyệt." in draft.content.decode()
    assert _cached_bodies() == 0
    assert "Bản nháp chưa duyệt." not in _html(client, procedure.url)
    # and with the live page cached, the revision view still shows the draft
    shown = editor.get(f"/admin/pages/{procedure.pk}/revisions/{revision.pk}/view/")
    assert "Bản nháp chưa duyệt." in shown.content.decode()
    # an editor who is logged in sees the public page as citizens do
    assert "Bản nháp chưa duyệt." not in _html(editor, procedure.url)
    revision.publish()
    assert "Bản nháp chưa duyệt." in _html(client, procedure.url)


@pytest.mark.parametrize("host", ["portal.example", "dichvucong.example"])
def test_json_ld_addresses_follow_the_host(client, catalog, host, settings):
    settings.ALLOWED_HOSTS = ["*"]
    url = catalog["birth"].url
    _html(client, url)  # cached for the test client's host
    html = client.get(url, HTTP_HOST=host).content.decode()
    assert f'"url":"http://{host}{url}"' in html

"""Home, department, life-event and index pages, the sitemap and the English interface."""

from pathlib import Path

from django.conf import settings
from django.db.models import F

from catalog.models import ProcedurePage
from tests.site.helpers import soup, text

STATIC = Path(settings.BASE_DIR) / "templates" / "static"


def test_home_offers_search_life_events_fields_departments_and_most_used(
    client, catalog
):
    ProcedurePage.objects.filter(pk=catalog["marriage"].pk).update(
        view_count=F("view_count") + 50
    )
    page = soup(client.get("/"))
    # the portal's name once, after what the page is (an independent check saw it twice)
    assert (
        text(page.title)
        == "Tra cứu thủ tục hành chính – Cổng dịch vụ công TP. Hồ Chí Minh"
    )
    form = page.find("form", attrs={"role": "search"})
    assert form["action"] == "/tim-kiem/" and form.find("input", attrs={"name": "q"})
    life = page.find(id="h-life").parent
    birth = life.find("a", href="/nhom-thu-tuc/khai-sinh/")
    assert "Khai sinh" in text(birth) and "2 thủ tục" in text(birth)
    fields = page.find(id="h-fields").parent
    assert "Hộ tịch (3)" in text(fields)
    assert fields.find("a", string="Hộ tịch")["href"] == "/tim-kiem/?linh-vuc=G15-TP07"
    departments = page.find(id="h-departments").parent
    assert departments.find("a", string="Sở Tư pháp")["href"] == catalog["justice"].url
    assert "UBND phường, xã (1)" in text(departments)
    popular = [text(li) for li in page.find(id="h-popular").parent.find_all("li")]
    assert popular[0] == "Đăng ký kết hôn – Sở Tư pháp"


def test_unpublished_procedures_are_nowhere(client, catalog):
    catalog["extract"].unpublish()
    page = soup(client.get("/"))
    assert "Cấp bản sao trích lục hộ tịch" not in text(page)
    assert "Hộ tịch (2)" in text(page)
    listing = soup(client.get("/nhom-thu-tuc/khai-sinh/"))
    assert "Cấp bản sao trích lục hộ tịch" not in text(listing)


def test_department_page_has_contacts_hours_and_procedures_by_field(client, catalog):
    page = soup(client.get(catalog["justice"].url))
    contact = text(page.find(id="h-contact").parent)
    assert "141-143 Pasteur" in contact
    assert "7:30 - 11:30" in contact
    assert page.find("a", href="tel:02838290230") is not None
    assert page.find("a", href="mailto:stp@tphcm.gov.vn") is not None
    groups = {
        text(section.h3).split(" (")[0]: [text(a) for a in section.find_all("a")]
        for section in page.find_all("section")
        if section.h3
    }
    assert groups == {
        "Chứng thực": ["Chứng thực bản sao từ bản chính"],
        "Hộ tịch": ["Đăng ký khai sinh", "Đăng ký kết hôn"],
    }
    assert page.find("a", href="/tim-kiem/?co-quan=STP") is not None


def test_department_index_groups_by_kind(client, catalog):
    index = catalog["justice"].get_parent()
    page = soup(client.get(index.url))
    headings = [text(h2) for h2 in page.find_all("h2")]
    assert headings == ["Sở, ban, ngành thành phố (1)", "UBND phường, xã (1)"]


def test_life_event_listing(client, catalog):
    page = soup(client.get("/nhom-thu-tuc/khai-sinh/"))
    assert text(page.h1) == "Khai sinh"
    names = [text(h2.a) for h2 in page.select(".result h2")]
    assert names == ["Cấp bản sao trích lục hộ tịch", "Đăng ký khai sinh"]
    assert "UBND phường Bến Thành" in text(page.select(".result")[0])
    assert client.get("/nhom-thu-tuc/khong-co/").status_code == 404
    assert client.get("/nhom-thu-tuc/%3Cscript%3E/").status_code == 404


def test_sitemap_lists_departments_and_procedures(client, catalog):
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    body = response.content.decode()
    for key in ("justice", "ward", "birth", "marriage", "extract"):
        assert catalog[key].url in body, key
    catalog["copy"].unpublish()
    assert catalog["copy"].url not in client.get("/sitemap.xml").content.decode()


def test_english_interface_on_request(client, catalog):
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": catalog["birth"].url}
    )
    assert response.status_code == 302
    page = soup(client.get(catalog["birth"].url))
    assert page.html["lang"] == "en"
    assert page.find(id="h-summary").get_text() == "Summary"
    assert "Processing time and fees by channel" in text(page)
    assert page.find("button", attrs={"value": "vi"}).get_text() == "Tiếng Việt"
    # content stays as published
    assert text(page.h1) == "Đăng ký khai sinh"
    home = soup(client.get("/"))
    assert text(home.find(id="h-life")) == "By life event"


def test_vietnamese_is_the_default(client, catalog):
    page = soup(client.get(catalog["birth"].url, HTTP_ACCEPT_LANGUAGE="vi"))
    assert page.html["lang"] == "vi"
    assert page.find(id="h-summary").get_text() == "Tóm tắt"


def test_public_pages_do_not_vary_on_a_header_they_ignore(client, catalog):
    """The browser's language never chooses the page (the switch's cookie does), so a CDN
    must not keep a copy per Accept-Language; the admin follows it and says so."""
    for url in (
        "/",
        catalog["birth"].url,
        "/tim-kiem/?q=khai+sinh",
        "/api/v1/procedures/",
    ):
        english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
        vietnamese = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert english.status_code == vietnamese.status_code == 200, url
        assert english.content == vietnamese.content, url
        assert "accept-language" not in english.get("Vary", "").lower(), url
    login = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en")
    assert "accept-language" in login.get("Vary", "").lower()


def test_procedure_page_with_its_css_and_js_weighs_under_150_kb(client, catalog):
    page = client.get(catalog["birth"].url)
    html = page.content
    assets = soup(page).select('link[rel="stylesheet"], script[src], link[rel="icon"]')
    total = len(html)
    for asset in assets:
        url = asset.get("href") or asset.get("src")
        assert url.startswith("/static/"), f"outside asset {url}"
        total += (STATIC / url.removeprefix("/static/")).stat().st_size
    assert total < 150 * 1024, total


def test_no_asset_from_outside_the_site(client, catalog):
    for url in ("/", catalog["birth"].url, catalog["justice"].url):
        page = soup(client.get(url))
        for node in page.select("[src], link[href]"):
            address = node.get("src") or node.get("href")
            assert address.startswith("/"), (url, address)


def test_administrator_features_procedures_first_on_home(client, catalog):
    from cms.models import HomePage, HomePagePopularProcedure

    home = HomePage.objects.get()
    home.popular_procedures = [
        HomePagePopularProcedure(procedure=catalog["extract"]),
        HomePagePopularProcedure(procedure=catalog["copy"]),
    ]
    home.save_revision().publish()
    catalog["copy"].unpublish()  # a withdrawn feature drops out by itself
    ProcedurePage.objects.filter(pk=catalog["marriage"].pk).update(view_count=9)
    page = soup(client.get("/"))
    popular = [text(li.a) for li in page.find(id="h-popular").parent.find_all("li")]
    assert popular[:2] == ["Cấp bản sao trích lục hộ tịch", "Đăng ký kết hôn"]
    assert "Chứng thực bản sao từ bản chính" not in popular


def test_preview_shows_unsaved_parts(client, catalog, superuser):
    from catalog.models import DossierCase, RequiredDocument

    procedure = catalog["birth"]
    procedure.dossier_cases = [
        DossierCase(
            name="Trường hợp mới trong bản nháp",
            documents=[RequiredDocument(name="Giấy mới", originals=2)],
        )
    ]
    procedure.save_revision()
    client.force_login(superuser)
    # Wagtail renders a draft revision from memory (the same path as live preview)
    response = client.get(
        f"/admin/pages/{procedure.pk}/revisions/{procedure.latest_revision.pk}/view/"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Trường hợp mới trong bản nháp" in html
    assert "2 bản chính" in html
    # the public page still shows what is published
    assert (
        "Trường hợp mới trong bản nháp"
        not in client.get(procedure.url).content.decode()
    )


def test_views_feed_the_most_used_list(
    client, catalog, monkeypatch, django_capture_on_commit_callbacks
):
    """Views are written in one batch once their interval is over, never one write per view."""
    from catalog.services import page_views

    now = [1_800_000_000.0]  # the start of a minute
    monkeypatch.setattr(page_views, "clock", lambda: now[0])
    monkeypatch.setattr(page_views, "_checked_interval", 29_999_999)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert client.get(catalog["extract"].url).status_code == 200
    catalog["extract"].refresh_from_db()
    assert catalog["extract"].view_count == 0  # counted, not yet written
    now[0] += (
        60 + page_views.GRACE_SECONDS
    )  # the minute is over: the next view writes it
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(catalog["marriage"].url).status_code == 200
    catalog["extract"].refresh_from_db()
    assert catalog["extract"].view_count == 3
    popular = [
        text(li.a) for li in soup(client.get("/")).find(id="h-popular").parent("li")
    ]
    assert popular[0] == "Cấp bản sao trích lục hộ tịch"


def test_listing_counts_are_grouped_as_people_read_them(client, catalog, monkeypatch):
    """The national catalog's counts run into thousands: 1.234 in Vietnamese, 1,234 in English."""
    from catalog import selectors

    def with_count(objects):
        for item in objects:
            item.procedure_count = 1234
        return objects

    life_events, fields = (
        selectors.life_events_with_counts,
        selectors.fields_with_counts,
    )
    monkeypatch.setattr(
        selectors, "life_events_with_counts", lambda: with_count(life_events())
    )
    monkeypatch.setattr(
        selectors, "fields_with_counts", lambda **kw: with_count(fields(**kw))
    )
    monkeypatch.setattr(
        selectors,
        "life_event_procedures",
        lambda *, life_event: [catalog["birth"]] * 1234,
    )
    monkeypatch.setattr(
        selectors,
        "department_procedures_by_field",
        lambda *, department: {"Hộ tịch": [catalog["birth"]] * 1234},
    )

    home = soup(client.get("/"))
    birth = home.find(id="h-life").parent.find("a", href="/nhom-thu-tuc/khai-sinh/")
    assert text(birth) == "Khai sinh 1.234 thủ tục"
    assert "Hộ tịch (1.234)" in text(home.find(id="h-fields").parent)
    listing = soup(client.get("/nhom-thu-tuc/khai-sinh/"))
    assert text(listing.find(attrs={"role": "status"})) == "1.234 thủ tục"
    department = soup(client.get(catalog["justice"].url))
    field = department.find("section", attrs={"aria-labelledby": "field-1"})
    assert text(field.h3) == "Hộ tịch (1.234)"

    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    home = soup(client.get("/"))
    birth = home.find(id="h-life").parent.find("a", href="/nhom-thu-tuc/khai-sinh/")
    assert text(birth) == "Khai sinh 1,234 procedures"
    assert "1,234 procedures" in text(soup(client.get("/nhom-thu-tuc/khai-sinh/")))


def test_the_open_data_page_groups_its_counts(client, db, monkeypatch):
    import datetime
    from types import SimpleNamespace

    files = [
        {
            "name": "procedures.jsonl",
            "title_vi": "Thủ tục",
            "title_en": "Procedures",
            "format": "JSON Lines",
            "size": 1,
            "rows": 120000,
            "sha256": "0" * 64,
        }
    ]
    dump = SimpleNamespace(
        manifest={"files": files, "procedures": 5670},
        generated_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
    )
    monkeypatch.setattr("api.opendata.fresh_dump", lambda: dump)
    page = soup(client.get("/du-lieu-mo/"))
    assert text(page.select_one("p.lead")).startswith(
        "Toàn bộ 5.670 thủ tục đang công bố"
    )
    assert text(page.find("td", attrs={"data-label": "Số dòng"})) == "120.000"

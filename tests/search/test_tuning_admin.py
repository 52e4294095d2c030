"""The tuning screens: who may open them, what the reports list, and a rule previewed (top 5,
nothing saved, nobody else affected) before it is saved and applies to the public search."""

# ruff: noqa: F811  (the role fixtures of test_admin are imported, then requested by name)

from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest

from search.models import BestBet, SearchQueryDay, Synonym
from tests.search.test_admin import catalog_admin, department_editor  # noqa: F401

INDEX = "/admin/search-tuning/"
SYNONYM = "/admin/search-tuning/synonym/"
BEST_BET = "/admin/search-tuning/best-bet/"
MISSED = "giấy chào đời"  # a citizen's words the catalog does not use


@pytest.fixture
def indexed(module_index, db, settings):
    settings.SEARCH_INDEX_DIR = module_index[0]
    return module_index[1]


def public_codes(client, text):
    from search.tuning import top_hits

    return [hit.code for hit in top_hits(text).hits]


@pytest.mark.parametrize("url", [INDEX, SYNONYM + "?q=abc", BEST_BET + "?q=abc"])
def test_only_catalog_administrators_may_tune(
    client, superuser, catalog_admin, department_editor, url
):
    for user in (superuser, catalog_admin):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    client.force_login(department_editor)
    assert client.get(url).status_code == 403
    assert client.post(url, {"terms": "a, b", "query": "a"}).status_code == 403
    assert not Synonym.objects.exists()


def test_the_menu_links_the_reports_for_administrators_only(
    client,
    catalog_admin,
    department_editor,
):
    client.force_login(catalog_admin)
    assert INDEX in client.get("/admin/").content.decode()
    client.force_login(department_editor)
    assert INDEX not in client.get("/admin/").content.decode()


@pytest.fixture
def logged(db):
    today = timezone.localdate()
    for age, query, searches, zero, clicks in [
        (0, "giấy chào đời", 5, 5, 0),
        (3, "giấy chào đời", 2, 2, 0),
        (0, "đăng ký kết hôn", 9, 0, 4),
        (1, "sổ hồng", 4, 0, 0),
        (20, "lý lịch tư pháp", 7, 7, 0),
        (60, "kt3", 12, 0, 1),
    ]:
        SearchQueryDay.objects.create(
            day=today - timedelta(days=age),
            query=query,
            searches=searches,
            zero_result_searches=zero,
            clicks=clicks,
        )


def listed(client, **params):
    response = client.get(INDEX, params)
    assert response.status_code == 200
    return [row["query"] for row in response.context["rows"]], response


def test_reports_by_period(client, superuser, logged, indexed):
    client.force_login(superuser)
    queries, response = listed(client)  # no results, 30 days
    assert queries == ["giấy chào đời", "lý lịch tư pháp"]
    assert response.context["rows"][0]["zero"] == 7
    assert listed(client, report="zero", days=7)[0] == ["giấy chào đời"]
    assert listed(client, report="unopened", days=7)[0] == ["sổ hồng"]
    assert listed(client, report="frequent", days=90)[0] == [
        "kt3",
        "đăng ký kết hôn",
        "giấy chào đời",
        "lý lịch tư pháp",
        "sổ hồng",
    ]
    # an unknown period falls back to 30 days rather than failing
    assert listed(client, report="frequent", days="abc")[0][0] == "đăng ký kết hôn"
    body = response.content.decode()
    assert f"{SYNONYM}?q=gi%E1%BA%A5y%20ch%C3%A0o%20%C4%91%E1%BB%9Di" in body
    assert "Thêm từ đồng nghĩa" in body and "Ghim kết quả" in body


def test_a_synonym_is_previewed_without_saving_then_saved(
    client, catalog_admin, indexed
):
    client.force_login(catalog_admin)
    form = client.get(SYNONYM, {"q": MISSED})
    assert form.context["form"]["terms"].value() == f"{MISSED}, "
    assert "1.000001" not in public_codes(client, MISSED)

    rule = f"{MISSED}, đăng ký khai sinh"
    preview = client.post(
        SYNONYM, {"query": MISSED, "terms": rule, "action": "preview"}
    )
    assert preview.status_code == 200
    assert "1.000001" not in [hit.code for hit in preview.context["before"].hits]
    after = [hit.code for hit in preview.context["after"].hits]
    assert after[0] == "1.000001" and len(after) <= 5
    assert "Đăng ký khai sinh" in preview.content.decode()
    assert not Synonym.objects.exists()
    # the preview changed nothing for anyone
    assert "1.000001" not in public_codes(client, MISSED)

    saved = client.post(SYNONYM, {"query": MISSED, "terms": rule, "action": "save"})
    assert saved.status_code == 302 and saved["Location"] == INDEX
    assert Synonym.objects.get().terms == rule
    assert public_codes(client, MISSED)[0] == "1.000001"


def test_a_bad_rule_is_refused_with_the_reason(client, catalog_admin, indexed):
    client.force_login(catalog_admin)
    response = client.post(
        SYNONYM, {"query": MISSED, "terms": MISSED, "action": "save"}
    )
    assert response.status_code == 200
    assert "Cần ít nhất hai cụm từ" in response.content.decode()
    assert not Synonym.objects.exists()


def test_a_best_bet_is_previewed_then_saved(client, catalog_admin, indexed):
    client.force_login(catalog_admin)
    marriage = indexed["1.000002"]
    data = {"query": "dang ky", "procedure": marriage.pk, "action": "preview"}
    preview = client.post(BEST_BET, data)
    assert preview.status_code == 200
    before = preview.context["before"].hits
    after = preview.context["after"].hits
    assert after[0].code == "1.000002" and after[0].pinned
    assert len(after) == 5 and not any(hit.pinned for hit in before)
    assert not BestBet.objects.exists()

    assert client.post(BEST_BET, {**data, "action": "save"}).status_code == 302
    assert public_codes(client, "Đăng ký")[0] == "1.000002"
    again = client.post(BEST_BET, {**data, "action": "save"})
    assert "đã được ghim" in again.content.decode()
    assert BestBet.objects.count() == 1


def test_a_rule_replacing_a_file_rule_is_started_from_it_warned_and_previewed_as_saved(
    client, catalog_admin, indexed
):
    """ "cưới" starts a file rule (=> đăng ký kết hôn); a rule starting with it replaces it."""
    client.force_login(catalog_admin)
    form = client.get(SYNONYM, {"q": "Cưới"})
    prefilled = form.context["form"]["terms"].value()
    assert prefilled.startswith("cưới, lấy vợ") and "=> đăng ký kết hôn" in prefilled
    assert "thay thế quy tắc đó" in form.content.decode()
    assert public_codes(client, "cưới")[0] == "1.000002"

    narrower = "cưới, đám hỏi"  # drops the file rule's "=> đăng ký kết hôn"
    preview = client.post(
        SYNONYM, {"query": "cưới", "terms": narrower, "action": "preview"}
    )
    assert "thay thế quy tắc đó" in preview.content.decode()
    previewed = [hit.code for hit in preview.context["after"].hits]
    assert (
        "1.000002" not in previewed
    )  # the preview tells the truth about the replacement
    client.post(SYNONYM, {"query": "cưới", "terms": narrower, "action": "save"})
    assert public_codes(client, "cưới") == previewed


def test_the_same_pin_from_the_snippet_screen_is_a_form_error(
    client, catalog_admin, indexed
):
    client.force_login(catalog_admin)
    marriage = indexed["1.000002"]
    BestBet.objects.create(query="dang ky ket hon", procedure=marriage)
    response = client.post(
        "/admin/snippets/search/bestbet/add/",
        {"query": "Đăng Ký Kết Hôn", "procedure": marriage.pk, "sort_order": 0},
    )
    assert response.status_code == 200
    assert "đã được ghim" in response.content.decode()
    assert BestBet.objects.count() == 1


@pytest.mark.parametrize("url", [BEST_BET, "/admin/snippets/search/bestbet/add/"])
def test_a_procedure_value_that_is_not_an_id_is_a_form_error(
    client, catalog_admin, indexed, url
):
    client.force_login(catalog_admin)
    response = client.post(
        url, {"query": "dang ky", "procedure": "abc", "action": "preview"}
    )
    assert response.status_code == 200
    assert not BestBet.objects.exists()


def test_a_saved_pin_reaches_a_citizen_whose_browser_revalidates(
    client, catalog_admin, indexed
):
    """A 304 to the old ETag would keep the results from before the rule ("áp dụng ngay")."""
    marriage = indexed["1.000002"]
    citizen = Client()
    first = citizen.get("/tim-kiem/", {"q": "dang ky"})
    etag = first["ETag"]
    assert (
        citizen.get("/tim-kiem/", {"q": "dang ky"}, HTTP_IF_NONE_MATCH=etag).status_code
        == 304
    )

    client.force_login(catalog_admin)
    data = {"query": "dang ky", "procedure": marriage.pk, "action": "save"}
    assert client.post(BEST_BET, data).status_code == 302
    again = citizen.get("/tim-kiem/", {"q": "dang ky"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200
    assert again["ETag"] != etag


def test_a_rule_repeating_a_phrase_is_refused(client, catalog_admin, indexed):
    client.force_login(catalog_admin)
    for terms in ("xyzzqwv, xyzzqwv", "cưới, cuoi, kết hôn"):
        response = client.post(
            SYNONYM, {"query": "x", "terms": terms, "action": "save"}
        )
        assert response.status_code == 200
        assert "có hai lần trong quy tắc" in response.content.decode(), terms
    assert not Synonym.objects.exists()


def test_the_same_rule_sent_twice_is_saved_once(client, catalog_admin, indexed):
    """The browser's Back to the form and Lưu again made two identical rules, and switching
    one off left the other applied."""
    client.force_login(catalog_admin)
    data = {"query": "xin giay chao doi", "terms": "giấy chào đời, khai sinh"}
    assert client.post(SYNONYM, {**data, "action": "save"}).status_code == 302
    # the same rule again, typed without diacritics and in another order of spaces
    again = client.post(
        SYNONYM, {**data, "terms": "giay chao doi,  khai sinh", "action": "save"}
    )
    assert again.status_code == 200
    assert "Quy tắc này đã có" in again.content.decode()
    assert Synonym.objects.count() == 1
    # in the snippet screen too
    response = client.post(
        "/admin/snippets/search/synonym/add/",
        {"terms": "giấy chào đời, khai sinh", "active": "on", "note": ""},
    )
    assert response.status_code == 200
    assert Synonym.objects.count() == 1


def test_the_lists_say_whether_a_rule_is_in_use_in_vietnamese(client, catalog_admin):
    Synonym.objects.create(terms="giấy chào đời, khai sinh")
    client.force_login(catalog_admin)
    body = client.get("/admin/snippets/search/synonym/").content.decode()
    assert ">True<" not in body and "Đang dùng" in body


def test_a_procedure_the_form_refuses_is_not_redrawn_with_its_title(
    client, catalog_admin, indexed
):
    """A tampered POST naming a draft procedure is refused, and the redrawn chooser does not
    show that procedure's title: the widget only looks values up in its field's own choices
    (here: published procedures; the snippet screen's chooser offers drafts too)."""
    draft = indexed["1.000002"]
    draft.title = draft.draft_title = "Thủ tục nháp chưa công bố"
    draft.save()
    draft.unpublish()
    client.force_login(catalog_admin)
    response = client.post(
        BEST_BET, {"query": "zzz", "procedure": draft.pk, "action": "preview"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Thủ tục nháp chưa công bố" not in page
    assert "Chỉ ghim được thủ tục đã công bố" in page  # says why the chooser is empty
    assert not BestBet.objects.exists()


def test_a_report_is_paged_and_filtered_without_diacritics(client, superuser, indexed):
    """More queries than a page: the next page has the rest; "ket hon" finds "kết hôn" queries,
    and the filter is kept by the tabs and the page links."""
    today = timezone.localdate()
    for n in range(60):
        SearchQueryDay.objects.create(
            day=today, query=f"câu số {n:02d}", searches=100 - n, zero_result_searches=0
        )
    for query in [
        "đăng ký kết hôn",
        "ket hon voi nguoi nuoc ngoai",
        "kết hôn lại",
        "phòng cháy",  # "hon" inside a word: not a match
    ]:
        SearchQueryDay.objects.create(day=today, query=query, searches=1)
    client.force_login(superuser)
    first, response = listed(client, report="frequent", days=7)
    assert len(first) == 50 and first[0] == "câu số 00"
    body = response.content.decode()
    assert "Trang 1/2" in body and "p=2" in body
    second, _ = listed(client, report="frequent", days=7, p=2)
    assert len(second) == 14 and not set(first) & set(second)
    found, response = listed(client, report="frequent", days=7, q="Ket Hon")
    assert sorted(found) == sorted(
        ["đăng ký kết hôn", "ket hon voi nguoi nuoc ngoai", "kết hôn lại"]
    )
    assert "phòng cháy" not in listed(client, report="frequent", days=7, q="hôn")[0]
    assert "report=zero&amp;days=7&amp;q=Ket%20Hon" in response.content.decode()
    nothing, response = listed(client, report="frequent", days=7, q="<b>xyz</b>")
    assert nothing == []
    assert "&lt;b&gt;xyz&lt;/b&gt;" in response.content.decode()


@pytest.mark.parametrize("url", [BEST_BET, "/admin/snippets/search/bestbet/add/"])
@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "1e3"])
def test_an_id_out_of_range_is_a_form_error(client, catalog_admin, indexed, url, value):
    """Past SQLite's 64-bit integers, Django's lookup raised OverflowError: a 500."""
    client.force_login(catalog_admin)
    for action in ("preview", "save"):
        response = client.post(
            url,
            {"query": "dang ky", "procedure": value, "action": action, "sort_order": 0},
        )
        assert response.status_code == 200, (action, response.status_code)
    assert not BestBet.objects.exists()


# --- Returning to the administrator's place in the reports ------------------------------------

PLACE = "report=frequent&days=7&q=c%C3%A2u&p=2"  # tab, period, "Câu có chứa", page 2


@pytest.mark.parametrize(
    "back, expected",
    [
        (PLACE, PLACE),
        ("p=2&q=c%C3%A2u&days=7&report=frequent", PLACE),  # a fixed order
        ("q=+%20k%E1%BA%BFt++h%C3%B4n%20", "q=k%E1%BA%BFt%20h%C3%B4n"),
        ("report=zero&days=30&q=&p=1", ""),  # the first screen: the bare report
        ("", ""),
        # hostile or unknown: dropped, never followed
        ("https://evil.example/", ""),
        ("//evil.example/%2F..", ""),
        ("next=https://evil.example/&report=unopened", "report=unopened"),
        ("report=frequent&redirect_to=//evil.example", "report=frequent"),
        ("javascript:alert(1)", ""),
        ("report=%3Cscript%3E&days=8&p=0", ""),
        ("days=-7&p=-1", ""),
        ("days=%EF%BC%97&p=%EF%BC%92", ""),  # full-width digits
        ("p=1e3", ""),
        # past the pages REPORT_MAX queries can fill: the last page (the report shows its own)
        ("p=99999999999999999999", "p=400"),
        ("p=401", "p=400"),
        ("p=" + "9" * 31, ""),  # not a page number any more
        ("p=400", "p=400"),
        ("q=abc%00def", ""),  # unreadable characters
        ("q=%FF%FE", ""),  # not UTF-8
        ("q=" + "a" * 300, "q=" + "a" * 200),
        ("report=x&" * 20 + "report=frequent", ""),  # more fields than a place has
        ("q=%22%3E%3Cscript%3E", "q=%22%3E%3Cscript%3E"),  # a filter: kept, encoded
    ],
)
def test_a_report_place_keeps_only_its_own_validated_parameters(back, expected):
    from search.tuning import ReportPlace

    assert ReportPlace.from_query_string(back).query_string() == expected


def test_a_report_place_reads_the_report_s_own_parameters():
    from django.http import QueryDict

    from search.tuning import ReportPlace

    place = ReportPlace.from_params(QueryDict(PLACE + "&next=//evil.example"))
    assert place == ReportPlace(report="frequent", days=7, containing="câu", page=2)
    assert ReportPlace.from_params(QueryDict("")) == ReportPlace()


@pytest.fixture
def two_pages(db):
    """64 queries holding "câu" in the last 7 days: two report pages."""
    today = timezone.localdate()
    for n in range(64):
        SearchQueryDay.objects.create(
            day=today, query=f"câu số {n:02d}", searches=100 - n, zero_result_searches=0
        )
    return "câu số 55"  # on page 2 of the most frequent


def test_the_row_buttons_carry_the_report_s_place(client, catalog_admin, two_pages):
    client.force_login(catalog_admin)
    response = client.get(INDEX + "?" + PLACE)
    assert response.context["page"].number == 2
    assert two_pages in [row["query"] for row in response.context["rows"]]
    body = response.content.decode()
    back = "back=report%3Dfrequent%26days%3D7%26q%3Dc%25C3%25A2u%26p%3D2"
    assert f"{SYNONYM}?q=c%C3%A2u%20s%E1%BB%91%2055&amp;{back}" in body
    assert f"{BEST_BET}?q=c%C3%A2u%20s%E1%BB%91%2055&amp;{back}" in body
    # a page past the last shows the last, and the buttons name the page shown
    assert (
        back
        in client.get(INDEX + "?report=frequent&days=7&q=c%C3%A2u&p=9").content.decode()
    )


def _back(place: str) -> str:
    from urllib.parse import quote

    return quote(place, safe="")


@pytest.mark.parametrize("url", [SYNONYM, BEST_BET])
def test_the_proposal_screens_link_back_to_the_report_s_place(
    client, catalog_admin, indexed, url
):
    client.force_login(catalog_admin)
    response = client.get(f"{url}?q=c%C3%A2u%20s%E1%BB%91%2055&back={_back(PLACE)}")
    expected = f"{INDEX}?{PLACE}"
    assert response.context["back_url"] == expected
    assert response.context["breadcrumbs_items"][1]["url"] == expected
    body = response.content.decode()
    assert f'href="{INDEX}?report=frequent&amp;days=7&amp;q=c%C3%A2u&amp;p=2"' in body


def test_saving_a_synonym_returns_to_the_report_s_place(client, catalog_admin, indexed):
    client.force_login(catalog_admin)
    screen = f"{SYNONYM}?q={_back(MISSED)}&back={_back(PLACE)}"
    rule = f"{MISSED}, đăng ký khai sinh"
    preview = client.post(screen, {"query": MISSED, "terms": rule, "action": "preview"})
    assert preview.context["back_url"] == f"{INDEX}?{PLACE}"  # kept through a preview
    saved = client.post(screen, {"query": MISSED, "terms": rule, "action": "save"})
    assert saved.status_code == 302 and saved["Location"] == f"{INDEX}?{PLACE}"
    assert Synonym.objects.get().terms == rule


def test_saving_a_best_bet_returns_to_the_report_s_place(
    client, catalog_admin, indexed
):
    client.force_login(catalog_admin)
    marriage = indexed["1.000002"]
    saved = client.post(
        f"{BEST_BET}?q=dang%20ky&back={_back(PLACE)}",
        {"query": "dang ky", "procedure": marriage.pk, "action": "save"},
    )
    assert saved.status_code == 302 and saved["Location"] == f"{INDEX}?{PLACE}"
    assert BestBet.objects.get().procedure_id == marriage.pk


@pytest.mark.parametrize(
    "hostile",
    [
        "next=https%3A%2F%2Fevil.example%2F",
        "next=%2F%2Fevil.example",
        "back=https%3A%2F%2Fevil.example%2F",
        "back=%2F%2Fevil.example%2F%252F..",
        "back=%2Fadmin%2Fusers%2F",
        "back=report%3D%3Cscript%3E%26p%3D0",
        "back=https%3A%2F%2Fevil.example%2F&next=https%3A%2F%2Fevil.example%2F",
    ],
)
def test_a_hostile_next_or_back_is_dropped(client, catalog_admin, indexed, hostile):
    client.force_login(catalog_admin)
    screen = f"{SYNONYM}?q=abc&{hostile}"
    shown = client.get(screen)
    assert shown.context["back_url"] == INDEX
    assert "evil.example" not in shown.content.decode()
    rule = "xyzzqwv, đăng ký khai sinh"
    saved = client.post(screen, {"query": "abc", "terms": rule, "action": "save"})
    assert saved.status_code == 302 and saved["Location"] == INDEX


def test_a_filter_carried_back_is_escaped_in_the_page(client, catalog_admin, indexed):
    client.force_login(catalog_admin)
    place = 'q="><script>alert(1)</script>'
    response = client.get(f"{SYNONYM}?q=abc&back={_back(place)}")
    body = response.content.decode()
    assert "<script>alert(1)" not in body
    assert f"{INDEX}?q=%22%3E%3Cscript%3Ealert%281%29%3C%2Fscript%3E" in body


# --- The best-bet snippet screen refuses a draft as the tuning screen does ----------------------

SNIPPET_ADD = "/admin/snippets/search/bestbet/add/"
DRAFT_TITLE = "Thủ tục còn nháp chưa công bố"


@pytest.fixture
def draft(indexed):
    from tests.factories import make_procedure

    department = indexed["1.000002"].get_parent().specific
    return make_procedure(
        department=department,
        national_code="9.999002",
        title=DRAFT_TITLE,
        publish=False,
    )


def _snippet_form(procedure, **fields):
    return {"query": "ket hon", "procedure": procedure.pk, "sort_order": 0, **fields}


def test_the_snippet_screen_refuses_to_pin_a_draft(client, catalog_admin, draft):
    client.force_login(catalog_admin)
    response = client.post(SNIPPET_ADD, _snippet_form(draft, active="on"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chỉ ghim được thủ tục đã công bố" in body  # the tuning screen's words
    assert DRAFT_TITLE not in body
    assert not BestBet.objects.exists()


def test_the_snippet_screen_still_pins_a_published_procedure(
    client, catalog_admin, indexed
):
    client.force_login(catalog_admin)
    marriage = indexed["1.000002"]
    response = client.post(SNIPPET_ADD, _snippet_form(marriage, active="on"))
    assert response.status_code == 302
    assert BestBet.objects.get().procedure_id == marriage.pk


def test_an_existing_pin_on_a_draft_can_still_be_switched_off_but_not_moved_to_another(
    client, catalog_admin, indexed, draft
):
    """A pin whose procedure was unpublished since (or pinned before the refusal) stays
    editable: switched off, reordered. Moving it to another draft is refused."""
    from tests.factories import make_procedure

    pin = BestBet.objects.create(query="ket hon", procedure=draft)
    client.force_login(catalog_admin)
    edit = f"/admin/snippets/search/bestbet/edit/{pin.pk}/"
    assert client.get(edit).status_code == 200
    response = client.post(edit, _snippet_form(draft, sort_order=3))  # active off
    assert response.status_code == 302
    pin.refresh_from_db()
    assert (pin.active, pin.sort_order, pin.procedure_id) == (False, 3, draft.pk)

    other = make_procedure(
        department=draft.get_parent().specific,
        national_code="9.999003",
        title="Một thủ tục nháp khác",
        publish=False,
    )
    refused = client.post(edit, _snippet_form(other, active="on"))
    assert refused.status_code == 200
    assert "Chỉ ghim được thủ tục đã công bố" in refused.content.decode()
    pin.refresh_from_db()
    assert pin.procedure_id == draft.pk

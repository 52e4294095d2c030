"""The public search page against the real embedded engine (tantivy), without JavaScript."""

import unicodedata

import pytest
from bs4 import BeautifulSoup

from catalog.models import FeeItem
from search.queries import MAX_TEXT_LENGTH
from tests.site.data import index_catalog
from tests.site.helpers import soup, text


def _hits(page):
    return [text(h3.a) for h3 in page.select(".result h3")]


def test_citizen_finds_birth_registration_typing_without_accents(
    client, indexed_catalog
):
    page = soup(client.get("/tim-kiem/", {"q": "dang ky khai sinh"}))
    first = page.select_one(".result h3 a")
    assert text(first) == "Đăng ký khai sinh"
    assert first["href"] == indexed_catalog["birth"].url
    assert page.select_one(".result mark") is not None
    assert "dang ky khai sinh" in text(page.find(id="result-count"))
    assert page.find("input", attrs={"name": "q"})["value"] == "dang ky khai sinh"


def _page_of(response):
    """Any answer's page (soup() takes only a 200)."""
    return BeautifulSoup(response.content.decode(), "html.parser")


def _hit(page, title):
    return next(result for result in page.select(".result") if text(result.h3) == title)


def test_a_fee_in_dollars_is_not_summarised_as_dong_or_free(client, catalog):
    birth = catalog["birth"]
    methods = list(birth.execution_methods.all())
    methods[0].fees = [FeeItem(kind="charge", amount=20, currency="USD")]
    birth.execution_methods = methods
    birth.save_revision().publish()
    index_catalog()
    page = soup(client.get("/tim-kiem/", {"q": "khai sinh"}))
    # the other fees are 0 and 25.000 đồng: no "0–25.000 đ", no "20 đ", no "miễn phí"
    assert "Phí:" not in text(_hit(page, "Đăng ký khai sinh"))
    page = soup(client.get("/tim-kiem/", {"q": "ket hon"}))
    assert "Phí:" in text(_hit(page, "Đăng ký kết hôn"))  # the line itself still shows


def test_a_fee_without_a_fixed_amount_is_not_summarised_as_free(client, catalog):
    """Free beside 'set by the province's council' is not free: no range is drawn."""
    birth = catalog["birth"]
    methods = list(birth.execution_methods.all())
    methods[0].fees = [
        FeeItem(kind="fee", amount=0),
        FeeItem(
            kind="charge",
            amount=None,
            description="Theo quy định của Hội đồng nhân dân cấp tỉnh",
        ),
    ]
    methods[1:] = []
    birth.execution_methods = methods
    birth.save_revision().publish()
    index_catalog()
    page = soup(client.get("/tim-kiem/", {"q": "khai sinh"}))
    hit = text(_hit(page, "Đăng ký khai sinh"))
    assert "miễn phí" not in hit.lower() and "Phí:" not in hit


def test_facets_have_counts_and_narrow_the_results(client, indexed_catalog):
    page = soup(client.get("/tim-kiem/"))
    assert len(_hits(page)) == 4
    field_box = page.find("input", attrs={"name": "linh-vuc", "value": "G15-TP05"})
    label = text(field_box.parent)
    assert "Chứng thực" in label and label.endswith("1")
    department_box = page.find("input", attrs={"name": "co-quan", "value": "STP"})
    assert text(department_box.parent).endswith("3")

    page = soup(client.get("/tim-kiem/", {"co-quan": "PBT"}))
    assert _hits(page) == ["Cấp bản sao trích lục hộ tịch"]
    assert page.find("input", attrs={"name": "co-quan", "value": "PBT"}).has_attr(
        "checked"
    )
    chip = page.select_one(".chips a")
    assert "UBND phường Bến Thành" in text(chip)
    assert soup(client.get("/tim-kiem/" + chip["href"])).select(".result")


def test_filters_combine_with_text(client, indexed_catalog):
    page = soup(client.get("/tim-kiem/", {"q": "ho tich", "co-quan": "STP"}))
    assert "Cấp bản sao trích lục hộ tịch" not in _hits(page)


def test_pagination_links_keep_the_query(client, indexed_catalog, monkeypatch):
    monkeypatch.setattr("search.views.PAGE_SIZE", 3)
    page = soup(client.get("/tim-kiem/", {"q": ""}))
    assert len(_hits(page)) == 3
    next_link = page.find("a", attrs={"rel": "next"})
    second = soup(client.get("/tim-kiem/" + next_link["href"]))
    assert len(_hits(second)) == 1
    assert second.find(attrs={"aria-current": "page"}).get_text() == "2"


def test_misspelling_offers_did_you_mean(client, indexed_catalog):
    page = soup(client.get("/tim-kiem/", {"q": "dang ky khia sinh"}))
    suggestion = page.select_one(".notice a")
    assert text(suggestion) == "dang ky khai sinh"
    followed = soup(client.get("/tim-kiem/" + suggestion["href"]))
    assert _hits(followed)[0] == "Đăng ký khai sinh"


def test_did_you_mean_keeps_the_diacritics_the_citizen_typed(client, indexed_catalog):
    page = soup(client.get("/tim-kiem/", {"q": "Đăng ký khia sinh"}))
    assert text(page.select_one(".notice a")) == "đăng ký khai sinh"
    page = soup(client.get("/tim-kiem/", {"q": "đăng ký kết hônn"}))
    assert text(page.select_one(".notice a")) == "đăng ký kết hôn"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "\x00"}, 400),
        ({"trang": "abc"}, 400),
        ({"trang": "0"}, 400),
        ({"trang": "100000"}, 404),  # a page number, past the last page
        ({"linh-vuc": ["F"] * 21}, 400),
        ({"co-quan": "x" * 65}, 400),
        ({"q": "khai sinh", "truc-tuyen": "sometimes"}, 400),  # not an online level
        ({"q": "khai sinh", "trang": "40"}, 404),
    ],
)
def test_bad_input_gets_a_clear_message_not_a_crash(
    client, indexed_catalog, params, status
):
    response = client.get("/tim-kiem/", params)
    assert response.status_code == status
    assert "notice-warn" in response.content.decode()


@pytest.mark.parametrize("trang", ["2", "250", "501", "100000", "99999999999999999999"])
def test_a_page_past_the_last_is_404_with_a_way_back(client, indexed_catalog, trang):
    """Page 250 of a one-page search and page 501 (past the engines' window) are the same
    thing to a citizen: no such page of this search. Both are 404 and link to its page 1."""
    params = {"q": "khai sinh", "co-quan": "STP", "trang": trang}
    response = client.get("/tim-kiem/", params)
    assert response.status_code == 404
    page = _page_of(response)
    notice = page.select_one(".notice-warn")
    assert "không có kết quả; chỉ có 1 trang" in text(notice)
    assert "thu hẹp" not in text(notice)
    back = notice.find("a")
    assert text(back) == "Về trang 1 của tìm kiếm này"
    followed = client.get("/tim-kiem/" + back["href"])
    assert followed.status_code == 200
    assert _hits(soup(followed)) and "trang" not in back["href"]
    assert "q=khai+sinh" in back["href"] and "co-quan=STP" in back["href"]


@pytest.mark.parametrize(
    ("trang", "named"),
    [
        ("1000000000", "1.000.000.000"),  # ten digits: was shown as page 501
        ("99999999999999999999", "99.999.999.999.999.999.999"),
        ("0000000000000000000007", "7"),  # leading zeros: page 7, not "past any end"
    ],
)
def test_a_long_page_number_past_the_last_is_named_as_typed(
    client, indexed_catalog, trang, named
):
    response = client.get("/tim-kiem/", {"q": "khai sinh", "trang": trang})
    assert response.status_code == 404
    notice = _page_of(response).select_one(".notice-warn")
    assert f"Trang {named} không có kết quả; chỉ có 1 trang." in text(notice)
    assert "501" not in text(notice)


def test_a_long_page_number_past_the_engines_window_is_named_as_typed(
    client, indexed_catalog, large_totals, monkeypatch
):
    monkeypatch.setattr("search.views.MAX_PAGE", 100)
    response = client.get("/tim-kiem/", {"q": "ho tich", "trang": "1000000000"})
    assert response.status_code == 404
    notice = text(_page_of(response).select_one(".notice-warn"))
    assert notice.startswith("Không xem được trang 1.000.000.000: chỉ xem được 300")


def test_a_page_number_too_long_to_repeat_says_it_is_past_the_end(
    client, indexed_catalog
):
    response = client.get("/tim-kiem/", {"q": "khai sinh", "trang": "9" * 5000})
    assert response.status_code == 404
    notice = _page_of(response).select_one(".notice-warn")
    assert text(notice).startswith(
        "Số trang dài hơn 40 chữ số, vượt quá trang cuối nên không có kết quả; "
        "trang cuối xem được là trang 1."
    )
    assert notice.find("a")["href"] == "?q=khai+sinh"


@pytest.mark.parametrize("trang", ["abc", "0", "-1", "1.5", "²"])
def test_a_page_that_is_no_number_says_so_and_links_to_page_1(
    client, indexed_catalog, trang
):
    response = client.get("/tim-kiem/", {"q": "khai sinh", "trang": trang})
    assert response.status_code == 400
    notice = _page_of(response).select_one(".notice-warn")
    assert "không phải số trang: số trang là số nguyên từ 1 trở lên" in text(notice)
    assert "thu hẹp" not in text(notice)  # narrowing the search is no help here
    assert notice.find("a")["href"] == "?q=khai+sinh"


def test_a_page_of_a_search_without_results_is_404_with_a_way_back(
    client, indexed_catalog
):
    response = client.get(
        "/tim-kiem/", {"q": "khai sinh", "co-quan": "KHONG", "trang": 2}
    )
    assert response.status_code == 404
    notice = _page_of(response).select_one(".notice-warn")
    assert "tìm kiếm này không có kết quả nào" in text(notice)
    assert client.get("/tim-kiem/" + notice.find("a")["href"]).status_code == 200


def test_hostile_text_is_escaped(client, indexed_catalog):
    response = client.get("/tim-kiem/", {"q": "<script>alert(1)</script> khai sinh"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)" not in html


def test_search_down_says_so_instead_of_crashing(client, catalog, monkeypatch):
    from search.engines import get_engine

    class PanicException(BaseException):
        """What pyo3 raises when tantivy panics."""

    def broken(query):
        raise PanicException("index out of bounds")

    engine = get_engine()
    monkeypatch.setattr(engine, "search", broken)
    response = client.get("/tim-kiem/", {"q": "khai sinh"})
    assert response.status_code == 503
    assert "tạm thời gián đoạn" in response.content.decode()


def test_link_checkers_probe_the_search_page_with_head(client, indexed_catalog):
    # HEAD was a 405 (require_GET), as an independent tester's link checker found.
    response = client.head("/tim-kiem/?q=khai+sinh")
    assert response.status_code == 200
    assert not response.content
    assert client.head("/tim-kiem/").status_code == 200


@pytest.fixture
def large_totals(monkeypatch):
    """The real engine's answer with the national catalog's 5,670 procedures and one facet
    of 1,234, so the page prints four-digit numbers; 3 a page gives 1,890 pages."""
    import dataclasses

    from search.engines import get_engine

    engine = get_engine()
    real = engine.search

    def search(query):
        result = real(query)
        facets = {
            name: [dataclasses.replace(b, count=1234) for b in buckets]
            for name, buckets in result.facets.items()
        }
        return dataclasses.replace(result, total=5670, facets=facets)

    monkeypatch.setattr(engine, "search", search)
    monkeypatch.setattr("search.views.PAGE_SIZE", 3)
    monkeypatch.setattr("search.views.MAX_PAGE", 10_000 // 3)  # as the engines page


def test_counts_and_page_numbers_are_grouped_in_vietnamese(
    client, indexed_catalog, large_totals
):
    page = soup(client.get("/tim-kiem/", {"q": "ho tich", "trang": "400"}))
    assert text(page.find(id="result-count")) == (
        "Kết quả 1.198–1.200 trong 5.670 thủ tục cho “ho tich”"
    )
    assert text(page.find("input", attrs={"name": "linh-vuc"}).parent).endswith("1.234")
    last = page.select(".pagination a:not([rel])")[-1]
    assert text(last) == "Trang 1.890" and last["href"].endswith("trang=1890")
    assert text(page.find(attrs={"aria-current": "page"})) == "400"
    assert page.select_one("ol.results")["start"] == "1198"  # an attribute stays digits


def test_a_page_past_the_engines_window_asks_to_narrow_the_search(
    client, indexed_catalog, large_totals, monkeypatch
):
    """5.670 results, 3 a page, and engines that would serve 100 pages: page 101 exists in
    the results but cannot be viewed. 404 too, and here narrowing the search is the advice."""
    monkeypatch.setattr("search.views.MAX_PAGE", 100)
    response = client.get("/tim-kiem/", {"q": "ho tich", "trang": "101"})
    assert response.status_code == 404
    notice = _page_of(response).select_one(".notice-warn")
    assert (
        "Không xem được trang 101: chỉ xem được 300 kết quả đầu (100 trang); hãy thêm "
        "từ khóa hoặc chọn bộ lọc để thu hẹp tìm kiếm."
    ) in text(notice)
    first, last = notice("a")
    assert first["href"] == "?q=ho+tich"
    assert text(last) == "Trang cuối (100)" and last["href"].endswith("trang=100")
    assert client.get("/tim-kiem/" + last["href"]).status_code == 200


def test_counts_are_grouped_the_english_way_in_english(
    client, indexed_catalog, large_totals
):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = soup(client.get("/tim-kiem/", {"q": "ho tich"}))
    assert text(page.find(id="result-count")) == (
        "Results 1–3 of 5,670 procedures for “ho tich”"
    )
    assert text(page.select(".pagination a:not([rel])")[-1]) == "Page 1,890"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ({"q": "khai sinh", "trang": ["2", "3"]}, "trang"),
        ({"q": "khai sinh", "trang": ["2", "2"]}, "trang"),
        ({"q": ["khai sinh", "ket hon"]}, "q"),
    ],
)
def test_a_repeated_single_parameter_is_refused_as_on_the_api(
    client, indexed_catalog, query, name
):
    response = client.get("/tim-kiem/", query)
    assert response.status_code == 400
    page = BeautifulSoup(response.content.decode(), "html.parser")
    assert text(page.find(attrs={"role": "alert"})) == (
        f"Địa chỉ tìm kiếm có tham số “{name}” 2 lần; tham số này chỉ được có một "
        "lần. Hãy tìm lại từ ô tìm kiếm."
    )
    # the box is there to search again, with the first text typed
    assert page.find("input", attrs={"name": "q"})["value"] == "khai sinh"
    assert not page.select(".result")
    api = client.get("/api/v1/search/", {"q": "khai sinh", "page": ["2", "3"]})
    assert api.status_code == 400 and "một lần" in api.json()["message"]


def test_repeated_filters_and_unknown_parameters_are_no_error(client, indexed_catalog):
    # a filter may be ticked twice (the same box in two forms); links shared on social
    # networks come back with tracking parameters, which must not break the page
    page = soup(
        client.get(
            "/tim-kiem/",
            {
                "q": "ho tich",
                "linh-vuc": ["G15-TP07", "G15-TP07"],
                "fbclid": ["a", "b"],
                "utm_source": "zalo",
                "q[]": "x",
            },
        )
    )
    assert "Đăng ký khai sinh" in _hits(page)


def test_a_pasted_long_question_is_cut_after_a_word_and_the_page_says_so(
    client, indexed_catalog
):
    question = (
        "Xin chào, tôi là người dân ở phường Bến Thành, con tôi mới sinh được hai tuần "
        "và tôi muốn hỏi cần làm thủ tục đăng ký khai sinh như thế nào, cần giấy tờ gì, "
        "nộp ở đâu và mất bao lâu thì nhận được giấy khai sinh cho cháu ạ, xin cảm ơn"
    )
    assert len(question) > MAX_TEXT_LENGTH
    page = soup(client.get("/tim-kiem/", {"q": question}))
    searched = page.find("input", attrs={"name": "q"})["value"]
    assert question.startswith(searched) and len(searched) <= MAX_TEXT_LENGTH
    assert question[len(searched)] == " "  # cut between words
    assert text(page.find(id="query-shortened")) == (
        f"Từ khóa dài {len(question)} ký tự, quá giới hạn {MAX_TEXT_LENGTH} ký tự: "
        "chỉ tìm theo phần đầu, như trong ô tìm kiếm. Hãy rút gọn nếu kết quả chưa "
        "đúng ý."
    )
    assert "Đăng ký khai sinh" in _hits(page)
    # the box lets a paste through whole: a browser would cut it at maxlength, unsaid
    assert not page.find("input", attrs={"name": "q"}).has_attr("maxlength")


def test_a_very_long_word_is_cut_at_the_limit(client, indexed_catalog):
    page = soup(client.get("/tim-kiem/", {"q": "x" * 1500}))
    assert page.find("input", attrs={"name": "q"})["value"] == "x" * MAX_TEXT_LENGTH
    assert "1.500 ký tự" in text(page.find(id="query-shortened"))


def test_a_question_within_the_limit_is_not_flagged(client, indexed_catalog):
    page = soup(client.get("/tim-kiem/", {"q": "đ" * MAX_TEXT_LENGTH}))
    assert page.find(id="query-shortened") is None
    # typed decomposed (d + combining marks), the same 200 letters are not over it
    decomposed = unicodedata.normalize("NFD", "ế" * MAX_TEXT_LENGTH)
    page = soup(client.get("/tim-kiem/", {"q": decomposed}))
    assert page.find(id="query-shortened") is None


def test_the_api_refuses_what_the_page_cuts(client, indexed_catalog):
    over = "x" * (MAX_TEXT_LENGTH + 1)
    for url in ("/api/v1/search/", "/api/v1/search/suggest/"):
        response = client.get(url, {"q": over})
        assert response.status_code == 400
        assert response.json() == {"message": f"q dài tối đa {MAX_TEXT_LENGTH} ký tự."}
        assert client.get(url, {"q": over[:-1]}).status_code == 200


def test_a_query_of_punctuation_says_what_to_type(client, indexed_catalog):
    page = soup(client.get("/tim-kiem/", {"q": "?!..."}))
    assert text(page.find(id="no-words")) == (
        "“?!...” không có chữ hay số nào để tìm. Hãy gõ vài chữ trong tên thủ tục, "
        "ví dụ “đăng ký khai sinh”."
    )
    assert (
        soup(client.get("/tim-kiem/", {"q": "khai sinh"})).find(id="no-words") is None
    )


def test_an_invisible_query_is_an_empty_one(client, indexed_catalog):
    # a zero-width space pasted alone listed everything "for “”"
    page = soup(client.get("/tim-kiem/", {"q": "\u200b"}))
    assert text(page.find(id="result-count")) == "Kết quả 1–4 trong 4 thủ tục"
    assert page.find("input", attrs={"name": "q"})["value"] == ""


def test_the_pager_never_links_past_the_deepest_page_it_serves(
    client, indexed_catalog, monkeypatch
):
    """The engines page no deeper than 10,000 results: the pager stops there and says so."""
    monkeypatch.setattr("search.views.PAGE_SIZE", 1)
    monkeypatch.setattr("search.views.MAX_PAGE", 2)
    first = soup(client.get("/tim-kiem/"))
    links = [a["href"] for a in first.select(".pagination a")]
    assert links, "a pager"
    for href in links:
        assert client.get("/tim-kiem/" + href).status_code == 200, href
    last = soup(client.get("/tim-kiem/", {"trang": 2}))
    assert last.find("a", attrs={"rel": "next"}) is None
    assert "Chỉ xem được 2 kết quả đầu" in text(last.select_one(".pagination"))
    assert "Chỉ xem được" not in text(first)


def test_online_filter_labels_follow_each_visitors_language(client, indexed_catalog):
    """The labels were once kept per process in the language of whoever searched first."""
    english = client.__class__()
    english.cookies["django_language"] = "en"
    assert "Fully online public service" in text(
        soup(english.get("/tim-kiem/", {"truc-tuyen": "full"}))
    )
    page = soup(client.get("/tim-kiem/", {"truc-tuyen": "full"}))
    assert "Dịch vụ công trực tuyến toàn trình" in text(page)
    assert "Fully online" not in text(page)


def _times(page):
    return [
        text(item)
        for item in page.select(".result .meta li")
        if text(item).startswith(("Thời hạn", "Time"))
    ]


def test_result_times_are_in_the_visitors_language(client, catalog):
    birth = catalog["birth"]
    methods = list(birth.execution_methods.all())
    methods[0].processing_time_value, methods[0].processing_time_unit = 3, "working_day"
    birth.execution_methods = methods
    birth.save_revision().publish()
    index_catalog()
    vietnamese = soup(client.get("/tim-kiem/", {"q": "dang ky khai sinh"}))
    assert "Thời hạn: 3 ngày làm việc" in text(_hit(vietnamese, "Đăng ký khai sinh"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = soup(client.get("/tim-kiem/", {"q": "dang ky khai sinh"}))
    shown = text(_hit(english, "Đăng ký khai sinh"))
    assert "3 working days" in shown and "ngày" not in shown
    assert not any("ngày làm việc" in time for time in _times(english))


@pytest.mark.parametrize(
    ("shown", "english"),
    [
        ("3 ngày làm việc", "3 working days"),
        ("2,5 giờ", "2.5 hours"),  # a decimal point in English: "2,5" reads as 25
        ("7 (không ghi rõ đơn vị thời gian)", None),
        ("Trong ngày", "Trong ngày"),  # free text from the source stays as written
        ("5 ngày kể từ ngày nhận hồ sơ", "5 ngày kể từ ngày nhận hồ sơ"),
    ],
)
def test_only_times_the_catalog_wrote_itself_are_translated(shown, english):
    from django.utils import translation

    from catalog.models import ExecutionMethod

    with translation.override("vi"):
        assert ExecutionMethod.localize_processing_time(shown) == shown
    with translation.override("en"):
        result = ExecutionMethod.localize_processing_time(shown)
    if english is None:
        assert result.startswith("7 (") and "không" not in result
    else:
        assert result == english


def test_amounts_read_the_english_way_on_english_pages(client, catalog):
    """'25.000' is twenty-five to a reader of English: grouped with commas, in VND."""
    birth = catalog["birth"]
    methods = list(birth.execution_methods.all())
    methods[0].fees = [FeeItem(kind="charge", amount=25000)]
    methods[1:] = []
    birth.execution_methods = methods
    birth.save_revision().publish()
    index_catalog()
    vietnamese = text(
        _hit(soup(client.get("/tim-kiem/", {"q": "khai sinh"})), "Đăng ký khai sinh")
    )
    assert "Phí: 25.000 đ" in vietnamese
    page = text(soup(client.get(birth.url)))
    assert "25.000 đồng" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = text(
        _hit(soup(client.get("/tim-kiem/", {"q": "khai sinh"})), "Đăng ký khai sinh")
    )
    assert "25,000 VND" in english and "25.000" not in english
    page = text(soup(client.get(birth.url)))
    assert "25,000 VND" in page and "25.000" not in page


def test_a_result_says_when_it_is_another_provinces_specific_procedure(
    client, catalog, settings
):
    """Found by an independent check: eight results of one title, each under a city
    department, and nothing said which one is the city's."""
    from tests.factories import make_procedure

    settings.CATALOG_PROVINCE = "Thành phố Hồ Chí Minh"
    for code, authority in (
        ("9.990031", "UBND tỉnh Lạng Sơn"),
        ("9.990032", "UBND Thành phố Hồ Chí Minh"),
    ):
        make_procedure(
            department=catalog["justice"],
            national_code=code,
            title="Cấp đổi giấy chứng nhận thử nghiệm",
            procedure_type="specific",
            decision_authority=authority,
        )
    index_catalog()
    results = soup(client.get("/tim-kiem/?q=cap+doi+giay+chung+nhan+thu+nghiem"))
    items = {
        text(li.find("ul", class_="meta")).split()[1]: li
        for li in results.select("ol.results > li")
    }
    theirs, ours = items["9.990031"], items["9.990032"]
    assert "Thủ tục đặc thù của UBND tỉnh Lạng Sơn" in text(theirs)
    assert "Thủ tục đặc thù của" not in text(ours)
    codes = list(items)
    assert codes.index("9.990032") < codes.index("9.990031")

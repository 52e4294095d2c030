"""The tuning screens' return to the report's place, and the best-bet snippet screen's refusal of
a draft, checked in Chromium by someone who did not write them, for what the first browser checks
(tests/browser/test_search_tuning_place.py) and the view tests (tests/search/test_tuning_admin.py)
do not already drive:

- the browser's own Back and Forward, and a second browser tab working from another place;
- a "Câu có chứa" filter holding &, #, ?, %, + and markup, from searches logged through the
  public site, carried through a preview and a save and shown back as text;
- report addresses edited by hand: nothing breaks, nothing runs, the row buttons carry only a
  validated place;
- a session that expired between the report and a row's button: the place survives the login;
- a pin whose procedure was unpublished since (with Wagtail's own "Ngừng xuất bản"): hidden from
  citizens, still editable, and not movable to a draft through the snippet screen's chooser;
- a department editor: neither screen, and no pin changed by a forged POST.

Two tests reproduce defects and fail today (see their docstrings):
test_a_huge_page_number_shows_the_last_page_like_any_page_past_the_last and
test_saving_the_same_synonym_again_after_the_browser_s_back_button_adds_no_second_rule.
"""

# ruff: noqa: F811  (log_at_once is imported from test_search_tuning, then requested by name)

import re
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

from django.utils import timezone

import pytest

from catalog.services.roles import grant_role
from search.models import BestBet, SearchQueryDay, Synonym
from search.tuning import ReportPlace
from tests.browser.conftest import superuser_and_catalog_admin
from tests.browser.test_search_tuning import PASSWORD, log_at_once, log_in  # noqa: F401
from tests.factories import make_procedure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

INDEX = "/admin/search-tuning/"
NOT_PINNABLE = "Chỉ ghim được thủ tục đã công bố"
DRAFT_TITLE = "Thủ tục nháp kiểm tra độc lập"


@pytest.fixture
def tuner(site):
    """A catalog administrator made as the project makes them (not a superuser)."""
    return superuser_and_catalog_admin("qtdm2", PASSWORD, root="goc")[1].username


@pytest.fixture
def reports(site):
    """Three pages of "lỗi" queries without results in the last 7 days, and 130 frequent
    queries 40 days ago: two places far apart (zero / 7 days / "loi" / page 2, and
    frequent / 90 days / page 3)."""
    today = timezone.localdate()
    for n in range(120):
        SearchQueryDay.objects.create(
            day=today,
            query=f"lỗi số {n:03d}",
            searches=300 - n,
            zero_result_searches=300 - n,
        )
    for n in range(130):
        SearchQueryDay.objects.create(
            day=today - timedelta(days=40),
            query=f"hay tìm {n:03d}",
            searches=5000 - n,
            zero_result_searches=0,
        )


def _place(url: str) -> dict:
    """The report's place an address names, with the first screen's defaults filled in."""
    split = urlsplit(url)
    assert split.path == INDEX, url
    found = ReportPlace.from_query_string(split.query)
    # the address itself holds nothing ReportPlace would drop
    assert set(parse_qs(split.query, keep_blank_values=True)) <= {
        "report",
        "days",
        "q",
        "p",
    }, url
    return {
        "report": found.report,
        "days": found.days,
        "q": found.containing,
        "p": found.page,
    }


def _shown(page) -> dict:
    """What the report shows: the selected tab, the period, the filter and the page number."""
    current = page.locator(".tuning-tabs a[aria-current=page]").inner_text()
    labels = {
        "Không có kết quả": "zero",
        "Không ai mở kết quả": "unopened",
        "Tìm nhiều nhất": "frequent",
    }
    pagination = page.locator(".pagination p")
    number = 1
    if pagination.count():
        number = int(re.search(r"Trang (\d+)/", pagination.inner_text()).group(1))
    return {
        "report": labels.get(current, current),
        "days": int(page.get_by_label("Khoảng thời gian").input_value()),
        "q": page.get_by_label("Câu có chứa").input_value(),
        "p": number,
    }


def _back_link(page):
    return page.get_by_role("link", name="← Về Phân tích tìm kiếm")


def _narrow(page, url, *, tab=None, days=None, containing=None, pages_on=0):
    """The administrator's clicks: a tab, a period, a filter, then "Trang sau" `pages_on` times."""
    page.goto(url + INDEX)
    if tab:
        with page.expect_navigation():
            page.get_by_role("link", name=tab).click()
    if days or containing is not None:
        if days:
            page.get_by_label("Khoảng thời gian").select_option(
                label=f"{days} ngày qua"
            )
        if containing is not None:
            page.get_by_label("Câu có chứa").fill(containing)
        with page.expect_navigation():
            page.get_by_role("button", name="Xem").click()
    for _ in range(pages_on):
        with page.expect_navigation():
            page.get_by_role("link", name="Trang sau").click()


def _choose(page, title):
    """The page chooser of either form, empty or already holding a procedure."""
    chooser = page.locator("#id_procedure-chooser")
    empty = chooser.locator("button.chooser__choose-button")
    if empty.is_visible():
        empty.click()
    else:  # a chosen procedure: "..." then "Chọn trang khác"
        chooser.locator(".w-dropdown__toggle").click()
        page.locator("[data-chooser-action-choose]:visible").first.click()
    page.locator(".modal input[name=q]").fill(title)
    page.locator(".modal a", has_text=title).first.click()
    page.locator(".modal-dialog").wait_for(state="hidden")


def _save_snippet(page):
    """The form's own POST (Wagtail's editing-session pings are POSTs too)."""
    form_path = urlsplit(page.url).path
    with page.expect_response(
        lambda r: r.request.method == "POST" and urlsplit(r.url).path == form_path
    ) as answer:
        page.locator("button[type=submit]", has_text="Lưu").first.click()
    page.wait_for_load_state()
    return answer.value.status


def _public_titles(browser, url, text):
    """The result titles an anonymous citizen sees (its own browser context, no admin cookie)."""
    context = browser.new_context(locale="vi-VN")
    try:
        citizen = context.new_page()
        citizen.goto(url + "/tim-kiem/?q=" + quote(text))
        return citizen.locator("ol.results li h3").all_inner_texts()
    finally:
        context.close()


# --- the place ------------------------------------------------------------------------------


def test_back_forward_and_a_second_tab_each_return_to_their_own_place(
    site, tuner, reports, page
):
    url = site["url"]
    log_in(page, url, tuner)
    place_a = {"report": "zero", "days": 7, "q": "loi", "p": 2}
    _narrow(page, url, days=7, containing="loi", pages_on=1)
    assert _place(page.url) == place_a and _shown(page) == place_a
    assert "Trang 2/3 (120 câu)" in page.locator(".pagination").inner_text()

    # the browser's Back from a row's screen shows the report as it was; Forward, the screen
    row = page.locator("#query-report tbody tr").first
    with page.expect_navigation():
        row.get_by_role("link", name="Thêm từ đồng nghĩa").click()
    proposal = page.url
    page.go_back()
    assert _place(page.url) == place_a and _shown(page) == place_a
    page.go_forward()
    assert page.url == proposal
    assert _place(url + _back_link(page).get_attribute("href")) == place_a

    # a best bet opened in a second tab (Ctrl+click) from place A ...
    with page.expect_navigation():
        _back_link(page).click()
    assert _shown(page) == place_a
    row = page.locator("#query-report tbody tr").nth(3)
    pinned_query = row.locator("td").first.inner_text()
    with page.context.expect_page() as opened:
        row.get_by_role("link", name="Ghim kết quả").click(modifiers=["Control"])
    second = opened.value
    second.wait_for_load_state()
    assert second.locator("#id_query").input_value() == pinned_query

    # ... while the first tab moves to a place far away and opens a synonym there
    place_b = {"report": "frequent", "days": 90, "q": "", "p": 3}
    _narrow(page, url, tab="Tìm nhiều nhất", days=90, pages_on=2)
    assert _shown(page) == place_b
    row = page.locator("#query-report tbody tr").first
    synonym_query = row.locator("td").first.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name="Thêm từ đồng nghĩa").click()

    # the second tab saves: back to A, not to where the first tab is now
    _choose(second, "Đăng ký kết hôn")
    with second.expect_navigation():
        second.get_by_role("button", name="Lưu").click()
    assert _place(second.url) == place_a and _shown(second) == place_a
    assert f"cho “{pinned_query}”" in second.locator("body").inner_text()

    # the first tab saves: back to B
    terms = page.get_by_label("Các từ đồng nghĩa")
    terms.press("End")
    terms.type("đăng ký khai sinh", delay=5)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert _place(page.url) == place_b and _shown(page) == place_b
    assert Synonym.objects.get().terms == f"{synonym_query}, đăng ký khai sinh"
    assert BestBet.objects.get().query == pinned_query

    # the same pin again from A's page (Back in the second tab, Lưu): refused, and its
    # screen still knows the way back to A
    second.go_back()
    assert "/best-bet/" in second.url
    _choose(second, "Đăng ký kết hôn")
    with second.expect_navigation():
        second.get_by_role("button", name="Lưu").click()
    assert "đã được ghim" in second.locator("body").inner_text()
    assert _place(url + _back_link(second).get_attribute("href")) == place_a
    assert BestBet.objects.count() == 1


FILTERED = [
    # (what a citizen typed, the administrator's "Câu có chứa")
    ("qzx & a=b #frag ?p=3", "& a=b #frag ?p=3"),
    ("qzx 100% + cộng", "100% + cộng"),
    ("<script>alert(1)</script> qzx", "<script>alert(1)</script>"),
    ('"><img src=x onerror=alert(2)> qzx', '"><img src=x onerror=alert(2)>'),
    ("qzx   nhiều    khoảng   trắng", "  nhiều   khoảng  "),
]


def test_a_filter_with_url_characters_or_markup_survives_preview_and_save(
    site, tuner, log_at_once, browser, page
):
    """Searches logged as an anonymous citizen (the only searches the reports count), then a
    filter that holds what an address or a page could misread, through a best bet's preview
    and save, back to the same filtered report, shown as text, never run."""
    url = site["url"]
    citizen_context = browser.new_context(locale="vi-VN")
    citizen = citizen_context.new_page()
    for typed, _ in FILTERED:
        citizen.goto(url + "/tim-kiem/?q=" + quote(typed))
    citizen_context.close()
    assert SearchQueryDay.objects.count() == len(FILTERED)

    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, url, tuner)
    for typed, containing in FILTERED:
        _narrow(page, url, tab="Tìm nhiều nhất", days=7, containing=containing)
        expected = {
            "report": "frequent",
            "days": 7,
            "q": " ".join(containing.split()),
            "p": 1,
        }
        assert _shown(page) == expected, containing
        logged = " ".join(typed.split())
        rows = page.locator("#query-report tbody tr td:first-child").all_inner_texts()
        assert rows == [logged], (containing, rows)

        row = page.locator("#query-report tbody tr").first
        with page.expect_navigation():
            row.get_by_role("link", name="Ghim kết quả").click()
        assert page.locator("#id_query").input_value() == logged
        _choose(page, "Đăng ký khai sinh")
        with page.expect_navigation():
            page.get_by_role("button", name="Xem trước 5 kết quả đầu").click()
        page.locator("#preview-after").wait_for()
        assert _place(url + _back_link(page).get_attribute("href")) == expected
        with page.expect_navigation():
            page.get_by_role("button", name="Lưu").click()
        assert _place(page.url) == expected, page.url
        assert _shown(page) == expected
        assert f"cho “{logged}”" in page.locator("body").inner_text()
    assert dialogs == []
    assert page.locator("img[src=x]").count() == 0
    assert BestBet.objects.count() == len(FILTERED)


HAND_EDITED = [
    # (the report's query string, the place it shows)
    ("p=-1", {"report": "zero", "days": 30, "q": "", "p": 1}),
    ("p=0&days=abc&report=bogus", {"report": "zero", "days": 30, "q": "", "p": 1}),
    (
        "p=2.5&days=99999999999999999999",
        {"report": "zero", "days": 30, "q": "", "p": 1},
    ),
    (
        "report=frequent&days=90&p=99",
        {"report": "frequent", "days": 90, "q": "", "p": 5},
    ),
    (
        "report=%22%3E%3Cscript%3Ealert(3)%3C/script%3E&days=7",
        {"report": "zero", "days": 7, "q": "", "p": 1},
    ),
    (
        "report=frequent&days=90&q=%3C%2Ftextarea%3E%3Cscript%3Ealert(4)%3C%2Fscript%3E",
        {
            "report": "frequent",
            "days": 90,
            "p": 1,
            "q": "</textarea><script>alert(4)</script>",
        },
    ),
    ("days=7&q=l%E1%BB%97i%00", {"report": "zero", "days": 7, "q": "", "p": 1}),
    (
        "days=7&p=2&back=https%3A%2F%2Fevil.example%2F&next=%2F%2Fevil.example",
        {"report": "zero", "days": 7, "q": "", "p": 2},
    ),
]


def test_report_addresses_edited_by_hand_never_break_and_the_buttons_carry_a_clean_place(
    site, tuner, reports, page
):
    url = site["url"]
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, url, tuner)
    for query, shown in HAND_EDITED:
        response = page.goto(f"{url}{INDEX}?{query}")
        assert response.status == 200, query
        assert _shown(page) == shown, query
        body = response.text()  # as the server sent it
        assert "evil.example" not in body and "<script>alert" not in body, query
        assert page.locator("script", has_text="alert(").count() == 0, query
        for link in page.locator("#query-report a.button").all():
            href = link.get_attribute("href")
            assert href.startswith(INDEX), href
            back = parse_qs(urlsplit(href).query).get("back", [""])[0]
            assert ReportPlace.from_query_string(back).query_string() == back, back
            if back:
                assert _place(f"{url}{INDEX}?{back}") == shown, (query, back)
    assert dialogs == []

    # a proposal screen whose back is hostile: its link and breadcrumb stay in the report
    for hostile in ("javascript:alert(5)", "//evil.example/", "https://evil.example/x"):
        page.goto(f"{url}{INDEX}synonym/?q=abc&back={quote(hostile, safe='')}")
        assert _back_link(page).get_attribute("href") == INDEX
        with page.expect_navigation():
            _back_link(page).click()
        assert urlsplit(page.url).netloc == urlsplit(url).netloc
        assert urlsplit(page.url).path == INDEX
    assert dialogs == []


def test_a_huge_page_number_shows_the_last_page_like_any_page_past_the_last(
    site, tuner, reports, page
):
    """DEFECT (fails today). The report says "a page past the last shows the last"
    (search/tuning_views.py), and ?p=4 of a three-page report shows page 3; but a page number
    above 400 (ReportPlace's LAST_PAGE) shows page 1, and the row buttons carry page 1. Before
    667c615, Paginator.get_page showed the last page for any number past it."""
    url = site["url"]
    log_in(page, url, tuner)
    page.goto(f"{url}{INDEX}?days=7&q=loi&p=4")
    assert _shown(page)["p"] == 3  # the last of three
    for huge in ("401", "5000", "999999999"):
        page.goto(f"{url}{INDEX}?days=7&q=loi&p={huge}")
        assert _shown(page) == {"report": "zero", "days": 7, "q": "loi", "p": 3}, huge


def test_an_expired_session_keeps_the_place_through_the_login(
    site, tuner, reports, page
):
    url = site["url"]
    log_in(page, url, tuner)
    place_b = {"report": "frequent", "days": 90, "q": "", "p": 2}
    _narrow(page, url, tab="Tìm nhiều nhất", days=90, pages_on=1)
    assert _shown(page) == place_b
    href = (
        page.locator("#query-report tbody tr")
        .first.get_by_role("link", name="Thêm từ đồng nghĩa")
        .get_attribute("href")
    )

    page.context.clear_cookies()  # the session ended while the report was open
    page.goto(url + href)
    assert urlsplit(page.url).path == "/admin/login/"
    page.locator("#id_username").fill(tuner)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("form button[type=submit]").first.click()
    landed, wanted = urlsplit(page.url), urlsplit(url + href)
    assert landed.path == wanted.path
    assert parse_qs(landed.query) == parse_qs(wanted.query)
    assert _place(url + _back_link(page).get_attribute("href")) == place_b
    terms = page.get_by_label("Các từ đồng nghĩa")
    terms.press("End")
    terms.type("đăng ký kết hôn", delay=5)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert _place(page.url) == place_b and _shown(page) == place_b


def test_saving_the_same_synonym_again_after_the_browser_s_back_button_adds_no_second_rule(
    site, tuner, reports, page
):
    """DEFECT (fails today; older than these commits). After "Lưu" the administrator presses the
    browser's Back, lands on the filled form again and presses "Lưu" once more: a second,
    identical rule is saved, both active. Switching one of them off in "Từ đồng nghĩa" then
    leaves the rule applied (search.engines.base._load_synonyms applies every active one).
    The best-bet form refuses the same repetition ("đã được ghim")."""
    url = site["url"]
    log_in(page, url, tuner)
    _narrow(page, url, days=7, containing="loi", pages_on=1)
    row = page.locator("#query-report tbody tr").first
    query = row.locator("td").first.inner_text()
    with page.expect_navigation():
        row.get_by_role("link", name="Thêm từ đồng nghĩa").click()
    rule = f"{query}, đăng ký khai sinh"
    page.get_by_label("Các từ đồng nghĩa").fill(rule)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert "Đã lưu từ đồng nghĩa" in page.locator("body").inner_text()

    page.go_back()
    assert "/synonym/" in page.url
    page.get_by_label("Các từ đồng nghĩa").fill(rule)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert Synonym.objects.filter(terms=rule).count() == 1


# --- the best-bet snippet screen --------------------------------------------------------------


def test_a_pin_whose_procedure_is_unpublished_since_is_hidden_kept_editable_not_movable_to_a_draft(
    site, tuner, browser, page
):
    url = site["url"]
    marriage = site["marriage"]
    make_procedure(
        department=site["justice"],
        national_code="9.999041",
        title=DRAFT_TITLE,
        publish=False,
    )
    log_in(page, url, tuner)

    # pinned from the snippet screen: the citizen sees it first
    page.goto(url + "/admin/snippets/search/bestbet/add/")
    page.locator("[name=query]").fill("ghim kiểm tra")
    _choose(page, "Đăng ký kết hôn")
    assert _save_snippet(page) == 302
    pin = BestBet.objects.get()
    assert _public_titles(browser, url, "ghim kiem tra")[:1] == ["Đăng ký kết hôn"]

    # the catalog administrator unpublishes the procedure with Wagtail's own action
    page.goto(f"{url}/admin/pages/{marriage.pk}/unpublish/")
    with page.expect_navigation():
        page.locator("main form [type=submit]").first.click()
    marriage.refresh_from_db()
    assert not marriage.live
    assert "Đăng ký kết hôn" not in _public_titles(browser, url, "ghim kiem tra")

    # the pin is still editable (reordered here) and keeps its procedure
    page.goto(f"{url}/admin/snippets/search/bestbet/edit/{pin.pk}/")
    assert "Đăng ký kết hôn" in page.locator("#id_procedure-chooser").inner_text()
    page.locator("[name=sort_order]").fill("4")
    assert _save_snippet(page) == 302
    pin.refresh_from_db()
    assert (pin.sort_order, pin.procedure_id, pin.active) == (4, marriage.pk, True)

    # moving it to another draft in the chooser is refused in the tuning screen's words
    page.goto(f"{url}/admin/snippets/search/bestbet/edit/{pin.pk}/")
    _choose(page, DRAFT_TITLE)
    assert _save_snippet(page) == 200
    assert NOT_PINNABLE in " ".join(page.locator(".w-field__errors").all_inner_texts())
    pin.refresh_from_db()
    assert pin.procedure_id == marriage.pk

    # and moved to a published one it is shown again
    page.goto(f"{url}/admin/snippets/search/bestbet/edit/{pin.pk}/")
    _choose(page, "Chứng thực bản sao từ bản chính")
    assert _save_snippet(page) == 302
    assert _public_titles(browser, url, "ghim kiem tra")[:1] == [
        "Chứng thực bản sao từ bản chính"
    ]


def test_the_tuning_screen_s_chooser_refuses_a_draft_chosen_in_it(site, tuner, page):
    """The first browser check forced the draft's id into the hidden input; here it is picked
    in the chooser as an administrator would, and the place is kept through the refusal."""
    url = site["url"]
    make_procedure(
        department=site["justice"],
        national_code="9.999042",
        title=DRAFT_TITLE,
        publish=False,
    )
    log_in(page, url, tuner)
    back = quote("report=frequent&days=7&q=ghim&p=2", safe="")
    page.goto(f"{url}{INDEX}best-bet/?q=ghim%20th%E1%BB%AD&back={back}")
    for action in ("Xem trước 5 kết quả đầu", "Lưu"):
        _choose(page, DRAFT_TITLE)  # the refusal empties the chooser: chosen again
        with page.expect_navigation():
            page.get_by_role("button", name=action).click()
        assert NOT_PINNABLE in page.locator("body").inner_text(), action
        assert page.locator("#preview").count() == 0, action
    assert not BestBet.objects.exists()
    assert _place(url + _back_link(page).get_attribute("href")) == {
        "report": "frequent",
        "days": 7,
        "q": "ghim",
        "p": 2,
    }


# --- who ------------------------------------------------------------------------------------


def test_a_department_editor_reaches_neither_screen_and_changes_no_pin(
    site, browser, django_user_model
):
    """Its own browser context: the 403s would count as errors in the `page` fixture's log."""
    url = site["url"]
    root = django_user_model.objects.create_superuser(
        "goc2", "g2@example.invalid", PASSWORD
    )
    editor = django_user_model.objects.create_user("btv", "b@example.invalid", PASSWORD)
    grant_role(actor=root, user=editor, department=site["justice"], role="editor")
    pin = BestBet.objects.create(query="ghim cu", procedure=site["marriage"])

    context = browser.new_context(locale="vi-VN")
    try:
        page = context.new_page()
        log_in(page, url, "btv")
        menu = page.content()
        assert INDEX not in menu and "/admin/snippets/search/bestbet/" not in menu
        back = quote("report=frequent&days=7&p=2", safe="")
        for path in (
            f"{INDEX}?report=frequent&days=7&p=2",
            f"{INDEX}synonym/?q=abc&back={back}",
            f"{INDEX}best-bet/?q=abc&back={back}",
        ):
            assert page.goto(url + path).status == 403, path
        for path in (
            "/admin/snippets/search/bestbet/",
            "/admin/snippets/search/bestbet/add/",
            f"/admin/snippets/search/bestbet/edit/{pin.pk}/",
            f"/admin/snippets/search/bestbet/delete/{pin.pk}/",
        ):
            page.goto(url + path)
            assert urlsplit(page.url).path in ("/admin/", "/admin/login/"), path
            assert page.locator("#id_procedure-chooser").count() == 0, path

        token = next(c["value"] for c in context.cookies() if c["name"] == "csrftoken")
        forged = {"X-CSRFToken": token}
        for path, data in (
            (
                f"{INDEX}best-bet/?q=abc&back={back}",
                {"query": "abc", "procedure": site["copy"].pk, "action": "save"},
            ),
            (
                f"{INDEX}synonym/?q=abc&back={back}",
                {"query": "abc", "terms": "abc, đăng ký", "action": "save"},
            ),
            (
                "/admin/snippets/search/bestbet/add/",
                {"query": "abc", "procedure": site["copy"].pk, "sort_order": 0},
            ),
            (
                f"/admin/snippets/search/bestbet/edit/{pin.pk}/",
                {"query": "bi doi", "procedure": site["copy"].pk, "sort_order": 9},
            ),
            (f"/admin/snippets/search/bestbet/delete/{pin.pk}/", {}),
        ):
            answer = page.request.post(
                url + path, form=data, headers=forged, max_redirects=0
            )
            assert answer.status in (302, 403), (path, answer.status)
            assert "evil" not in answer.headers.get("location", "")
    finally:
        context.close()
    pin.refresh_from_db()
    assert (pin.query, pin.procedure_id, pin.sort_order) == (
        "ghim cu",
        site["marriage"].pk,
        0,
    )
    assert BestBet.objects.count() == 1 and not Synonym.objects.exists()

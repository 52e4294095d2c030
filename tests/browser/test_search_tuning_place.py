"""The tuning screens as a catalog administrator works through a long report, in Chromium:

1. From a report narrowed with the real widgets (tab, period, "Câu có chứa", then "Trang sau"),
   a row's "Thêm từ đồng nghĩa" or "Ghim kết quả", its breadcrumb, its back link and its "Lưu"
   all return to that same tab, period, filter and page, not to the bare report.
2. The best-bet snippet screen (Tìm kiếm → Kết quả ghim → Thêm) refuses a draft chosen in its page
   chooser with the tuning screen's words, still pins a published procedure, and a saved pin
   whose procedure is a draft can still be switched off.
"""

import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from django.utils import timezone

import pytest

from search.models import BestBet, SearchQueryDay, Synonym
from tests.browser.conftest import superuser_and_catalog_admin
from tests.browser.test_search_tuning import PASSWORD, log_in
from tests.factories import make_procedure

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PLACE = {"report": ["frequent"], "days": ["7"], "q": ["cau"], "p": ["2"]}
DRAFT_TITLE = "Thủ tục còn nháp để ghim thử"
NOT_PINNABLE = "Chỉ ghim được thủ tục đã công bố"


@pytest.fixture
def admin(site, django_user_model):
    return superuser_and_catalog_admin("qtdm", PASSWORD)[1].username


@pytest.fixture
def logged(site):
    """Two pages of "câu" queries in the last 7 days, and rows the tab, period and filter
    leave out: a return to the bare report would show other rows than page 2."""
    today = timezone.localdate()
    for n in range(64):
        SearchQueryDay.objects.create(
            day=today, query=f"câu số {n:02d}", searches=200 - n, zero_result_searches=0
        )
    for n in range(30):  # most frequent, but without "câu"
        SearchQueryDay.objects.create(
            day=today, query=f"giấy tờ {n:02d}", searches=500, zero_result_searches=0
        )
    for n in range(30):  # "câu", but 20 days ago
        SearchQueryDay.objects.create(
            day=today - timedelta(days=20), query=f"câu cũ {n:02d}", searches=900
        )
    for n in range(60):  # no results: the first tab
        SearchQueryDay.objects.create(
            day=today, query=f"giấy lỗi {n:02d}", searches=1, zero_result_searches=1
        )


def _place(url: str) -> dict:
    split = urlsplit(url)
    assert split.path == "/admin/search-tuning/", url
    return parse_qs(split.query)


def _open_page_2_of_the_filtered_report(page, url):
    page.goto(url + "/admin/search-tuning/")
    with page.expect_navigation():
        page.get_by_role("link", name="Tìm nhiều nhất").click()
    page.get_by_label("Khoảng thời gian").select_option(label="7 ngày qua")
    page.get_by_label("Câu có chứa").fill("cau")
    with page.expect_navigation():
        page.get_by_role("button", name="Xem").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Trang sau").click()
    assert _place(page.url) == PLACE
    _assert_on_page_2(page)


def _assert_on_page_2(page):
    """What the administrator sees there: the tab, period, filter and page, and its rows."""
    assert _place(page.url) == PLACE
    assert "Trang 2/2 (64 câu)" in page.locator(".pagination").inner_text()
    current = page.locator(".tuning-tabs a[aria-current=page]")
    assert current.inner_text() == "Tìm nhiều nhất"
    assert page.get_by_label("Khoảng thời gian").input_value() == "7"
    assert page.get_by_label("Câu có chứa").input_value() == "cau"
    queries = page.locator("#query-report tbody tr td:first-child").all_inner_texts()
    assert queries == [f"câu số {n:02d}" for n in range(50, 64)]


def _breadcrumb(page):
    return page.locator("header nav a", has_text="Phân tích tìm kiếm")


def test_saving_from_a_report_row_returns_to_the_same_filtered_page(
    site, admin, logged, page
):
    url = site["url"]
    log_in(page, url, admin)
    _open_page_2_of_the_filtered_report(page, url)

    # a synonym for a row on page 2; the back link and the breadcrumb name page 2 too
    row = page.locator("#query-report tbody tr", has_text="câu số 60")
    with page.expect_navigation():
        row.get_by_role("link", name="Thêm từ đồng nghĩa").click()
    back = page.get_by_role("link", name="← Về Phân tích tìm kiếm")
    assert _place(url + back.get_attribute("href")) == PLACE
    assert _place(url + _breadcrumb(page).get_attribute("href")) == PLACE
    with page.expect_navigation():
        back.click()
    _assert_on_page_2(page)

    with page.expect_navigation():
        row.get_by_role("link", name="Thêm từ đồng nghĩa").click()
    terms = page.get_by_label("Các từ đồng nghĩa")
    assert terms.input_value() == "câu số 60, "
    terms.press("End")
    terms.type("đăng ký khai sinh", delay=5)
    with page.expect_navigation():
        page.get_by_role("button", name="Xem trước 5 kết quả đầu").click()
    page.locator("#preview-after").wait_for()
    # still knows where to return after a preview (the form posts to its own address)
    assert _place(url + back.get_attribute("href")) == PLACE
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert "Đã lưu từ đồng nghĩa" in page.locator("body").inner_text()
    _assert_on_page_2(page)
    assert Synonym.objects.get().terms == "câu số 60, đăng ký khai sinh"

    # a best bet for another row of the same page, its procedure chosen in the chooser
    row = page.locator("#query-report tbody tr", has_text="câu số 55")
    with page.expect_navigation():
        row.get_by_role("link", name="Ghim kết quả").click()
    assert page.locator("#id_query").input_value() == "câu số 55"
    page.locator("#id_procedure-chooser [data-chooser-action-choose]").first.click()
    page.locator(".modal-dialog input[name=q]").fill("kết hôn")
    page.locator(".modal-dialog a", has_text="Đăng ký kết hôn").first.click()
    page.locator(".modal-dialog").wait_for(state="hidden")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert (
        "Đã ghim “Đăng ký kết hôn” cho “câu số 55”" in page.locator("body").inner_text()
    )
    _assert_on_page_2(page)
    assert BestBet.objects.get().procedure_id == site["marriage"].pk

    # the breadcrumb too
    with page.expect_navigation():
        row.get_by_role("link", name="Ghim kết quả").click()
    # Wagtail folds the breadcrumbs behind a toggle on a desktop screen
    page.get_by_role("button", name="Ẩn/hiện đường dẫn điều hướng").click()
    breadcrumb = _breadcrumb(page)
    breadcrumb.wait_for()
    with page.expect_navigation():
        breadcrumb.click()
    _assert_on_page_2(page)


def test_a_hostile_back_parameter_returns_to_the_bare_report(site, admin, page):
    url = site["url"]
    log_in(page, url, admin)
    page.goto(
        url
        + "/admin/search-tuning/synonym/?q=abc"
        + "&back=https%3A%2F%2Fevil.example%2F&next=https%3A%2F%2Fevil.example%2F"
    )
    page.get_by_label("Các từ đồng nghĩa").fill("xyzzqwv, đăng ký khai sinh")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    assert page.url == url + "/admin/search-tuning/"
    assert "Đã lưu từ đồng nghĩa" in page.locator("body").inner_text()


def _choose_in_snippet_chooser(page, title):
    page.locator("#id_procedure-chooser button.chooser__choose-button").click()
    page.locator(".modal input[name=q]").fill(title)
    page.locator(".modal a", has_text=title).first.click()
    page.locator(".modal-dialog").wait_for(state="hidden")
    page.locator("#id_procedure-title", has_text=title).wait_for()


def _save_snippet(page):
    """The form's own POST: Wagtail's editing-session pings are POSTs too."""
    form_path = urlsplit(page.url).path
    with page.expect_response(
        lambda r: r.request.method == "POST" and urlsplit(r.url).path == form_path
    ) as answer:
        page.locator("button[type=submit]", has_text="Lưu").first.click()
    page.wait_for_load_state()
    return answer.value


def test_the_best_bet_snippet_screen_refuses_a_draft_as_the_tuning_screen_does(
    site, admin, page
):
    url = site["url"]
    draft = make_procedure(
        department=site["justice"],
        national_code="9.999011",
        title=DRAFT_TITLE,
        publish=False,
    )
    log_in(page, url, admin)

    # the tuning screen's refusal, for the words to compare
    page.goto(url + "/admin/search-tuning/best-bet/?q=ghim%20thu")
    page.evaluate(
        "(v) => { document.querySelector('input[name=procedure]').value = v; }",
        str(draft.pk),
    )
    with page.expect_navigation():
        page.locator("button[value=save]").click()
    tuning_error = page.locator(".w-field__errors", has_text=NOT_PINNABLE).inner_text()

    # the snippet screen: the chooser offers the draft; saving it is refused in the same words
    page.goto(url + "/admin/snippets/search/bestbet/add/")
    page.locator("[name=query]").fill("ghim thu")
    _choose_in_snippet_chooser(page, DRAFT_TITLE)
    assert _save_snippet(page).status == 200
    error = page.locator(".w-field__errors", has_text=NOT_PINNABLE)
    assert error.inner_text() == tuning_error
    assert DRAFT_TITLE not in page.locator("#id_procedure-chooser").inner_text()
    assert not BestBet.objects.exists()

    # a published procedure is pinned from the same form
    _choose_in_snippet_chooser(page, "Đăng ký kết hôn")
    assert _save_snippet(page).status == 302
    page.wait_for_url(re.compile(r"/admin/snippets/search/bestbet/$"))
    assert BestBet.objects.get().procedure_id == site["marriage"].pk


def test_a_saved_pin_on_a_draft_can_still_be_switched_off(site, admin, page):
    url = site["url"]
    draft = make_procedure(
        department=site["justice"],
        national_code="9.999012",
        title=DRAFT_TITLE,
        publish=False,
    )
    pin = BestBet.objects.create(query="ghim thu", procedure=draft)
    log_in(page, url, admin)
    page.goto(f"{url}/admin/snippets/search/bestbet/edit/{pin.pk}/")
    page.locator("[name=active]").uncheck()
    assert _save_snippet(page).status == 302
    pin.refresh_from_db()
    assert not pin.active and pin.procedure_id == draft.pk

"""A citizen's journeys through the public site in a real browser (Chromium via Playwright)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.site.data import FORM_BYTES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_citizen_types_without_accents_opens_procedure_picks_case_downloads_form(
    site, page
):
    page.goto(site["url"] + "/")
    box = page.get_by_label("Bạn cần làm thủ tục gì?")
    box.fill("dang ky khai sinh")
    # suggestions come from the search API as the citizen types
    option = page.get_by_role("option", name=re.compile("^Đăng ký khai sinh"))
    option.wait_for()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=dang\+ky\+khai\+sinh"))
    first = page.locator(".result h3 a").first
    assert first.inner_text() == "Đăng ký khai sinh"
    first.click()
    page.wait_for_url(site["url"] + site["birth"].url)
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"

    # the summary answers who, how long, how much, where online
    summary = page.locator(".summary-box")
    assert "Sở Tư pháp" in summary.inner_text()
    assert "3 ngày làm việc" in summary.inner_text()
    assert summary.get_by_role("link", name="Nộp hồ sơ trực tuyến").is_visible()

    # pick a case: only its documents stay on screen
    page.get_by_label("Trẻ em bị bỏ rơi").check()
    assert page.locator("#truong-hop-1").is_hidden()
    assert page.locator("#truong-hop-2").is_visible()
    assert "truong-hop=2" in page.url
    page.get_by_label("Trẻ em sinh ra tại cơ sở y tế").check()
    assert page.locator("#truong-hop-2").is_hidden()
    checklist = page.locator("#truong-hop-1")
    checklist.get_by_label("Giấy chứng sinh").check()
    assert checklist.get_by_label("Giấy chứng sinh").is_checked()

    with page.expect_download() as download_info:
        checklist.get_by_role("link", name=re.compile("Tải mẫu TK-KS")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read() == FORM_BYTES


def test_suggestions_work_with_the_keyboard(site, page):
    page.goto(site["url"] + "/")
    box = page.get_by_label("Bạn cần làm thủ tục gì?")
    box.press_sequentially("ket hon", delay=30)
    page.get_by_role("listbox").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    box.press("ArrowDown")
    active = box.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active}").inner_text().startswith("Đăng ký kết hôn")
    assert "Sở Tư pháp" in page.locator(f"#{active}").inner_text()  # whose it is
    # on its own line under the name, not begun by a separator
    department = page.locator(f"#{active} .department")
    assert department.inner_text().strip() == "Sở Tư pháp"
    box.press("Enter")
    page.wait_for_url(site["url"] + site["marriage"].url)


def test_suggestions_are_counted_aloud_and_none_is_said_too(site, page):
    """A screen reader hears how many suggestions came, or that none did, from a polite
    status beside the box, as with GOV.UK's accessible-autocomplete."""
    page.goto(site["url"] + "/")
    box = page.get_by_label("Bạn cần làm thủ tục gì?")
    status = page.locator(".combo").first.get_by_role("status")
    assert status.get_attribute("aria-live") == "polite"
    box.press_sequentially("ket hon", delay=30)
    page.get_by_role("listbox").wait_for()
    count = page.get_by_role("option").count()
    assert count >= 1
    expect(status).to_have_text(re.compile(rf"^{count} gợi ý\s*$"))

    box.fill("zzqx khong co thu tuc nay")
    expect(status).to_have_text(re.compile(r"^Không có gợi ý\s*$"))
    assert box.get_attribute("aria-expanded") == "false"
    said = status.text_content()
    # none again for other words: the text changes, so it is read out again
    box.fill("qqzz cung khong co")
    expect(status).not_to_have_text(said)
    expect(status).to_have_text(re.compile(r"^Không có gợi ý\s*$"))

    box.press("Escape")  # a list that is closed says nothing more
    box.fill("k")  # too short to suggest: the status is emptied, nothing announced
    expect(status).to_have_text("")


def test_escape_closes_the_suggestions_and_keeps_the_words(site, page):
    """Chromium empties a search box on Escape; with the list open it only closes the list."""
    page.goto(site["url"] + "/tim-kiem/")
    box = page.get_by_role("combobox").first
    box.press_sequentially("dang ky khai sinh", delay=30)
    page.get_by_role("listbox").wait_for()
    box.press("Escape")
    assert box.input_value() == "dang ky khai sinh"
    assert box.get_attribute("aria-expanded") == "false"
    assert page.get_by_role("listbox").is_hidden()
    # a suggestion answer still on its way must not reopen it
    page.wait_for_timeout(400)
    assert page.get_by_role("listbox").is_hidden()
    box.press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=dang\+ky\+khai\+sinh"))


def test_typing_after_choosing_a_suggestion_searches_the_new_words(site, page):
    """An option highlighted with the arrow was for the words before: Enter right after more
    typing searches what is in the box now, not the old option (found by a Chromium check)."""
    page.goto(site["url"] + "/tim-kiem/")
    box = page.get_by_role("combobox").first
    box.press_sequentially("ket hon", delay=30)
    page.get_by_role("listbox").wait_for()
    box.press("ArrowDown")
    assert box.get_attribute("aria-activedescendant")
    box.press_sequentially(" nuoc ngoai", delay=20)
    assert box.get_attribute("aria-activedescendant") is None
    box.press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=ket\+hon\+nuoc\+ngoai"))
    # the list has a name of its own, not the box's example text
    page.goto(site["url"] + "/tim-kiem/")
    box = page.get_by_role("combobox").first
    box.press_sequentially("ket hon", delay=30)
    page.get_by_role("listbox", name="Gợi ý thủ tục").wait_for()
    box.press("Escape")
    box.press("ArrowDown")  # opens it again
    page.get_by_role("listbox").wait_for()


def test_narrowing_a_search_by_a_facet(site, page):
    page.goto(site["url"] + "/tim-kiem/?q=ho+tich")
    before = page.locator(".result").count()
    assert before >= 2
    facet = page.get_by_role("group", name="Cơ quan thực hiện")
    facet.get_by_label(re.compile("UBND phường Bến Thành")).check()
    page.wait_for_url(re.compile(r"co-quan=PBT"))
    page.locator(".result").nth(1).wait_for(state="detached")
    titles = page.locator(".result h3 a").all_inner_texts()
    assert titles == ["Cấp bản sao trích lục hộ tịch"]
    box = page.get_by_role("checkbox", name=re.compile("UBND phường Bến Thành"))
    assert box.is_checked()
    # the results changed in place: focus stays on the box just ticked
    assert page.evaluate("document.activeElement.value") == "PBT"
    announced = page.locator("[data-announce]").inner_text()
    assert "1 thủ tục" in announced or "1–1" in announced
    # the chip removes the filter again
    page.locator(".chips a").first.click()
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=ho\+tich$"))
    assert page.locator(".result").count() == before


def test_due_date_helper_counts_in_the_page_like_the_server(site, page):
    page.goto(site["url"] + site["birth"].url)
    page.get_by_label("Ngày nộp hồ sơ").fill("2026-04-29")
    page.get_by_label("Cách nộp", exact=True).select_option("in_person")
    url_before = page.url
    page.get_by_role("button", name="Tính ngày").click()
    result = page.locator("#due-result time")
    result.wait_for()
    in_page = result.get_attribute("datetime")
    # the script answered without leaving the page (or the server did, for far dates)
    server = page.context.new_page()
    server.goto(site["url"] + site["birth"].url + "?ngay-nop=2026-04-29&cach=in_person")
    assert in_page == server.locator("#due-result time").get_attribute("datetime")
    assert in_page == "2026-05-06"
    assert page.url == url_before or "ngay-nop" in page.url


def test_keyboard_only_reaches_search_and_the_documents(site, page):
    page.goto(site["url"] + site["birth"].url)
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    assert skip.inner_text() == "Bỏ qua, đến nội dung chính"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # tab until the case picker, then choose with the arrow keys
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "truong-hop":
            break
    else:
        pytest.fail("the case picker cannot be reached with Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.locator("#truong-hop-2").is_visible()
    assert page.locator("#truong-hop-1").is_hidden()
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"


def test_print_view_keeps_the_content_and_drops_navigation(site, page):
    page.goto(site["url"] + site["birth"].url + "?truong-hop=1")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".due-form").is_hidden()
    assert page.locator(".summary-box").is_visible()
    assert page.locator("#truong-hop-1").is_visible()
    assert page.locator("#truong-hop-2").is_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_phone_sized_viewport(site, phone):
    phone.goto(site["url"] + "/")
    phone.get_by_label("Bạn cần làm thủ tục gì?").fill("khai sinh")
    phone.get_by_role("button", name="Tìm thủ tục").click()
    phone.wait_for_url(re.compile("/tim-kiem/"))
    phone.locator(".result h3 a", has_text="Đăng ký khai sinh").click()
    phone.wait_for_url(site["url"] + site["birth"].url)
    for url in ("/", "/tim-kiem/?q=khai+sinh", site["birth"].url, site["justice"].url):
        phone.goto(site["url"] + url)
        overflow = phone.evaluate(
            "document.documentElement.scrollWidth - window.innerWidth"
        )
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px"
    phone.goto(site["url"] + site["birth"].url)
    # the fees table becomes stacked cards that fit the screen
    cell = phone.locator(".summary-box td").first
    box = cell.bounding_box()
    assert box["width"] > 250


def test_english_interface(site, page):
    page.goto(site["url"] + site["birth"].url)
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Summary").is_visible()
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Tóm tắt").is_visible()


def test_screenshots_of_the_main_pages(site, browser, console):
    from tests.browser.conftest import DESKTOP, PHONE, _context

    pages = {
        "home": "/",
        "search": "/tim-kiem/?q=dang+ky+khai+sinh",
        "procedure": site["birth"].url,
        "department": site["justice"].url,
    }
    for size, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        context = _context(browser, viewport, console)
        page = context.new_page()
        for name, url in pages.items():
            page.goto(site["url"] + url)
            assert screenshot(page, f"{name}-{size}").stat().st_size > 10_000
        context.close()
    assert console.errors == []


def test_a_pasted_long_question_is_searched_and_the_page_says_so(site, phone):
    """The box had maxlength=200: Chromium cut a pasted question without a word, and a long
    word pushed the results page sideways on a phone."""
    question = (
        "Xin chào, tôi ở phường Bến Thành, con tôi mới sinh được hai tuần, tôi muốn hỏi "
        "làm thủ tục đăng ký khai sinh như thế nào, cần giấy tờ gì, nộp ở đâu và mất "
        "bao lâu thì nhận được giấy khai sinh cho cháu ạ, xin cảm ơn nhiều"
    )
    phone.goto(site["url"] + "/tim-kiem/")
    box = phone.locator("#search-q")
    box.fill(question)
    assert box.input_value() == question  # nothing cut in the browser
    box.press("Enter")
    phone.wait_for_url(re.compile(r"/tim-kiem/\?q="))
    notice = phone.locator("#query-shortened").inner_text()
    assert f"Từ khóa dài {len(question)} ký tự, quá giới hạn 200 ký tự" in notice
    assert question.startswith(phone.locator("#search-q").input_value())
    assert phone.locator(".result h3 a").first.inner_text() == "Đăng ký khai sinh"

    phone.goto(site["url"] + "/tim-kiem/?q=" + "x" * 200)
    widths = phone.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], widths

"""An expat searches in English: the vocabulary finds the procedure, and a hint offers Vietnamese."""

import re

import pytest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _search(page, site, text):
    page.goto(site["url"] + "/tim-kiem/")
    page.get_by_label("Từ khóa").fill(text)
    page.get_by_role("button", name="Tìm", exact=True).click()
    page.wait_for_url(re.compile(r"/tim-kiem/\?q="))


def test_an_english_query_finds_the_procedure_and_offers_the_vietnamese_words(
    site, page
):
    _search(page, site, "birth certificate")
    results = page.locator(".result h3 a")
    assert results.first.inner_text() == "Đăng ký khai sinh"
    hint = page.locator("[data-english-hint]")
    vietnamese = hint.locator("p[lang=vi]")
    assert vietnamese.inner_text().startswith("Bạn đang tìm bằng tiếng Anh?")
    assert "Searching in English?" in hint.locator("p[lang=en]").inner_text()
    assert "“English” button" in hint.inner_text()

    vietnamese.get_by_role("link", name="đăng ký khai sinh").click()
    page.wait_for_url(re.compile(r"\?q=%C4%91%C4%83ng"))
    assert page.locator(".result h3 a").first.inner_text() == "Đăng ký khai sinh"
    assert page.locator("[data-english-hint]").count() == 0  # Vietnamese now

    # the interface in English: the hint stays, without pointing at the switch
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    page.goto(site["url"] + "/tim-kiem/?q=marriage+registration")
    assert page.locator(".result h3 a").first.inner_text() == "Đăng ký kết hôn"
    hint = page.locator("[data-english-hint]")
    assert "đăng ký kết hôn" in hint.locator("p[lang=vi]").inner_text()
    assert "“English” button" not in hint.inner_text()

    # English the vocabulary lacks still gets help (one test: the catalog is built once)
    # ("licence" is in the vocabulary now, word by word: this asks for nothing it holds)
    page.goto(site["url"] + "/tim-kiem/?q=how+do+i+apply+for+a+fishing+boat")
    assert page.locator(".result").count() < 5
    hint = page.locator("[data-english-hint]")
    assert hint.get_by_role("link", name="đăng ký khai sinh").is_visible()

"""The tuning screens as catalog administrators meet them (found by an independent tester):

1. The one-click synonym for words that start a rule of search/resources/synonyms.txt starts
   from that rule and says that saving replaces it; what the preview shows is what the public
   search gives once it is saved.
2. A catalog administrator made with the project's own role (grant_catalog_admin, group
   "Quản trị danh mục") may open the tuning screens.
3. Pinning again, from "Kết quả ghim → Thêm", a procedure already pinned for the same query
   (other case or diacritics) is a Vietnamese form error, not a 500.
"""

import re

import pytest

from catalog.services.roles import grant_catalog_admin
from search.models import Synonym
from tests.browser.test_search_tuning import PASSWORD, log_in, public_search

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

CITIZEN_WORD = "cưới"
FILE_RULE = (
    "cưới, lấy vợ, lấy chồng, đám cưới, đăng ký cưới => đăng ký kết hôn, kết hôn"
)


@pytest.fixture
def admin_user(site, django_user_model):
    return django_user_model.objects.create_superuser(
        "root", "root@example.invalid", PASSWORD
    )


def test_preview_matches_the_public_search_after_saving_a_synonym_on_a_file_term(
    site, admin_user, page
):
    url = site["url"]
    assert "Đăng ký kết hôn" in _first_titles(page, url, CITIZEN_WORD)

    log_in(page, url, "root")
    page.goto(url + "/admin/search-tuning/synonym/?q=" + CITIZEN_WORD)
    terms = page.get_by_label("Các từ đồng nghĩa")
    # the file's rule for the word, to extend: a rule starting with it would replace it
    assert terms.input_value() == FILE_RULE + ", "
    assert FILE_RULE in page.locator("#replaces-file-rule").inner_text()
    terms.press("End")
    terms.type("đám hỏi", delay=10)
    page.get_by_role("button", name="Xem trước 5 kết quả đầu").click()
    page.locator("#preview-after").wait_for()
    previewed = [
        re.sub(r" \([^)]*\)$", "", li.inner_text().split(" — ")[0])
        for li in page.locator("#preview-after ol li").all()
    ]
    assert "Đăng ký kết hôn" in previewed  # the preview promises it stays found
    assert page.locator("#replaces-file-rule").is_visible()

    page.get_by_role("button", name="Lưu").click()
    page.wait_for_url(re.compile(r"/admin/search-tuning/$"))
    assert Synonym.objects.filter(terms__startswith=CITIZEN_WORD).exists()

    # What the citizen gets must be what the administrator was shown.
    assert _first_titles(page, url, CITIZEN_WORD) == previewed


def test_a_catalog_administrator_may_open_the_tuning_screens(
    site, admin_user, browser, django_user_model
):
    user = django_user_model.objects.create_user(
        "qtdm", "qtdm@example.invalid", PASSWORD
    )
    grant_catalog_admin(actor=admin_user, user=user)
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    log_in(page, site["url"], "qtdm")
    response = page.goto(site["url"] + "/admin/search-tuning/")
    assert response.status == 200
    response = page.goto(site["url"] + "/admin/search-tuning/synonym/?q=cưới")
    assert response.status == 200
    context.close()


def _first_titles(page, url, text):
    public_search(page, url, text)
    return [a.inner_text() for a in page.locator(".result h3 a").all()[:5]]


def test_pinning_the_same_procedure_again_from_the_best_bet_screen_is_refused_politely(
    site, admin_user, page
):
    """3. "Tìm kiếm → Kết quả ghim → Thêm" with a query that differs from an existing best bet
    only by case or diacritics, and the same procedure, answers 500 (IntegrityError on
    search_bestbet_unique) instead of a Vietnamese form error."""
    from search.models import BestBet

    url = site["url"]
    procedure = site["marriage"]
    BestBet.objects.create(query="dang ky ket hon", procedure=procedure)

    log_in(page, url, "root")
    page.goto(url + "/admin/snippets/search/bestbet/add/")
    page.locator("[name=query]").fill("Đăng Ký Kết Hôn")
    page.locator("#id_procedure-chooser button.chooser__choose-button").click()
    page.locator(".modal input[name=q]").fill(procedure.title)
    page.locator(".modal a", has_text=procedure.title).first.click()
    page.locator("#id_procedure-title", has_text=procedure.title).wait_for()
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("button[type=submit]", has_text="Lưu").first.click()
    assert answer.value.status == 200  # the form again, with an error; not 500
    assert BestBet.objects.count() == 1

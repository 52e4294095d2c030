"""axe-core finds nothing on the main pages; no page logs a console error or a failed request."""

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _pages(site):
    return {
        "home": "/",
        "search": "/tim-kiem/?q=dang+ky+khai+sinh",
        "search-filtered": "/tim-kiem/?q=ho+tich&co-quan=STP",
        "search-empty": "/tim-kiem/?q=zzzz+qqqq",
        "procedure": site["birth"].url,
        "procedure-case-and-due-date": site["birth"].url
        + "?truong-hop=2&ngay-nop=2026-04-29&cach=postal",
        "department": site["justice"].url,
        "departments": site["justice"].get_parent().url,
        "life-event": "/nhom-thu-tuc/khai-sinh/",
    }


def test_axe_finds_no_violation(site, page):
    found = {}
    for name, url in _pages(site).items():
        page.goto(site["url"] + url)
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}


def test_axe_finds_no_violation_on_a_phone_or_in_english(site, phone):
    for url in ("/", site["birth"].url):
        phone.goto(site["url"] + url)
        assert axe_violations(phone) == [], url
    phone.get_by_role("button", name="English").click()
    phone.wait_for_load_state()
    assert axe_violations(phone) == []


def test_no_console_error_on_any_page(site, page, console):
    for url in _pages(site).values():
        page.goto(site["url"] + url)
        page.wait_for_load_state("networkidle")
    # type into the search box so the suggestion requests run too
    page.goto(site["url"] + "/")
    page.get_by_label("Bạn cần làm thủ tục gì?").press_sequentially("khai", delay=20)
    page.get_by_role("listbox").wait_for()
    assert console.errors == []

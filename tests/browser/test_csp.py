"""The public site under its Content-Security-Policy (no 'unsafe-inline'), in Chromium.

Every public page type is opened and its script used as a citizen uses it (suggestions while
typing, a facet ticked and the results swapped in place, a case picked, a due date counted, a form
downloaded, the English switch, the API docs drawn). Any `securitypolicyviolation` event and any
console line about the Content-Security-Policy or the Permissions-Policy fails the test, as does
(through the `page` fixture) any console error or failed request.
"""

import re

import pytest

from tests.site.data import FORM_BYTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolation(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber} on ${location.pathname}`
  );
});
"""


@pytest.fixture
def violations(page):
    """CSP violations reported by any page of this context, and policy lines on the console."""
    found: list[str] = []
    page.context.expose_function("__cspViolation", lambda text: found.append(text))
    page.context.add_init_script(REPORTER)
    page.on(
        "console",
        lambda message: (
            re.search(r"Content.Security.Policy|Permissions.Policy", message.text, re.I)
            and found.append(f"console {message.type}: {message.text}")
        ),
    )
    return found


def test_every_public_page_type_works_with_no_csp_violation(site, page, violations):
    base = site["url"]
    seen = []

    # home: suggestions appear while typing (a fetch and DOM built by site.js)
    policy = page.goto(base + "/").headers["content-security-policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    box = page.get_by_label("Bạn cần làm thủ tục gì?")
    box.press_sequentially("dang ky khai sinh", delay=20)
    page.get_by_role("option", name=re.compile("^Đăng ký khai sinh")).wait_for()
    seen.append("home + suggestions")

    # search results, then a facet ticked: results swapped in place
    box.press("Enter")
    page.wait_for_url(re.compile(r"/tim-kiem/\?q=dang\+ky\+khai\+sinh"))
    assert page.locator(".result").count() >= 1
    page.goto(base + "/tim-kiem/?q=ho+tich")
    facet = page.get_by_role("group", name="Cơ quan thực hiện")
    facet.get_by_label(re.compile("UBND phường Bến Thành")).check()
    page.wait_for_url(re.compile(r"co-quan=PBT"))
    page.locator(".result").nth(1).wait_for(state="detached")
    assert page.locator(".result h3 a").all_inner_texts() == [
        "Cấp bản sao trích lục hộ tịch"
    ]
    seen.append("search + facet")

    # departments list, a department, a life event
    page.goto(base + site["justice"].get_parent().url)
    page.goto(base + site["justice"].url)
    assert "Sở Tư pháp" in page.get_by_role("heading", level=1).inner_text()
    page.goto(base + f"/nhom-thu-tuc/{site['life_event'].code}/")
    seen.append("departments, department, life event")

    # a procedure: pick a case (hidden at once by the script), count a due date, download a form
    page.goto(base + site["birth"].url)
    page.get_by_label("Trẻ em bị bỏ rơi").check()
    assert page.locator("#truong-hop-1").is_hidden()
    page.get_by_label("Trẻ em sinh ra tại cơ sở y tế").check()
    page.get_by_label("Ngày nộp hồ sơ").fill("2026-04-29")
    page.get_by_label("Cách nộp", exact=True).select_option("in_person")
    page.get_by_role("button", name="Tính ngày").click()
    due = page.locator("#due-result time")
    due.wait_for()
    assert due.get_attribute("datetime") == "2026-05-06"
    checklist = page.locator("#truong-hop-1")
    with page.expect_download() as download_info:
        checklist.get_by_role("link", name=re.compile("Tải mẫu TK-KS")).click()
    with open(download_info.value.path(), "rb") as handle:
        assert handle.read() == FORM_BYTES
    seen.append("procedure + case + due date + form")

    # the English switch (a POST form and a redirect back)
    page.get_by_role("button", name="English").click()
    page.wait_for_url(re.compile(re.escape(base + site["birth"].url)))
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("button", name="Tiếng Việt").click()
    page.wait_for_url(re.compile(re.escape(base + site["birth"].url)))
    assert page.locator("html").get_attribute("lang") == "vi"
    seen.append("english switch")

    # the API docs page: Swagger UI draws the operations from the schema
    page.goto(base + "/api/v1/docs/")
    page.locator(".opblock").first.wait_for()
    seen.append("api docs")

    assert violations == [], "\n".join(violations)
    assert len(seen) == 6


def test_the_policy_blocks_an_injected_inline_script_and_style(live_server, browser):
    """Positive control: the listener above does hear violations, and inline code is blocked."""
    found: list[str] = []
    context = browser.new_context()
    context.expose_function("__cspViolation", lambda text: found.append(text))
    context.add_init_script(REPORTER)
    page = context.new_page()
    try:
        page.goto(live_server.url + "/tim-kiem/")
        ran = page.evaluate(
            """() => {
              window.injected = false;
              const script = document.createElement("script");
              script.textContent = "window.injected = true";
              document.body.append(script);
              document.body.insertAdjacentHTML("beforeend", '<p id="styled" style="color: rgb(255, 0, 0)">x</p>');
              return window.injected;
            }"""
        )
        page.wait_for_timeout(300)
        color = page.evaluate(
            "getComputedStyle(document.getElementById('styled')).color"
        )
    finally:
        context.close()
    assert ran is False and color != "rgb(255, 0, 0)"
    assert any(v.startswith("script-src") for v in found), found
    assert any(v.startswith("style-src") for v in found), found


def test_an_editor_sees_the_wagtail_userbar_on_a_public_page_without_violations(
    site, page, violations, live_server
):
    """Logged-in editors get Wagtail's user bar on public pages, under the public policy."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-root")
    page.goto(live_server.url + "/admin/login/")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill("pw-root")
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(live_server.url + "/admin/")
    page.goto(live_server.url + site["birth"].url)
    userbar = page.locator("wagtail-userbar")
    userbar.wait_for(state="attached")
    page.locator("wagtail-userbar [data-wagtail-userbar-trigger]").click()
    page.locator("wagtail-userbar [role=menuitem]").first.wait_for()
    page.wait_for_timeout(500)
    assert violations == [], "\n".join(violations)

"""A department editor and a moderator of the same department, clicking and typing in Chromium.

The "Done when" journey of issue 14: the editor finds a procedure by typing without accents in
the admin search, types a fee the Vietnamese way (3.500.000), adds a document to a dossier case
with a form file uploaded on the spot, sets the effective date 15/07/2025, writes the public
change note and submits for review; a moderator of the same department compares the draft with
the live version (exactly those changes), approves and publishes; the public page and the API
show the result. No form is posted from a test client: every write goes through the admin's
real widgets.

Each step fails with its name, what a person would have seen and a screenshot in
tests/browser/artifacts/. Selectors are the labels and roles a person reads, in Vietnamese.

SAVE_DOC_SCREENSHOTS=1 also writes docs/screenshots/editing-*.png for docs/editing.md.
"""

import hashlib
import json
import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

import pytest

from catalog.services.roles import grant_role
from tests.browser.conftest import ARTIFACTS, _context

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

VIEWPORT = {"width": 1280, "height": 800}
DOC_SHOTS = Path(settings.BASE_DIR) / "docs" / "screenshots"
PASSWORD = "mat-khau-thu-nghiem"

SEARCH_TYPED = "dang ky khai sinh"
PROCEDURE_TITLE = "Đăng ký khai sinh"
PROCEDURE_CODE = "1.001193"
METHOD_CHANNEL = "Dịch vụ bưu chính"
OLD_FEE_SHOWN = "25.000"
FEE_TYPED = "3.500.000"
FEE_STORED = 3_500_000
CASE_NAME = "Trẻ em sinh ra tại cơ sở y tế"
UNTOUCHED_CASE = "Trẻ em bị bỏ rơi"
NEW_DOCUMENT = "Văn bản ủy quyền đăng ký khai sinh"
FORM_CODE = "UQ-KS"
FORM_NAME = "Mẫu văn bản ủy quyền đăng ký khai sinh"
FORM_FILENAME = "van-ban-uy-quyen.pdf"
DATE_TYPED = "15/07/2025"
DATE_ISO = "2025-07-15"
CHANGE_NOTE = (
    "Giá dịch vụ bưu chính 3.500.000 đồng; thêm văn bản ủy quyền; hiệu lực 15/07/2025"
)


def make_pdf(text: str) -> bytes:
    """A small valid one-page PDF saying `text` (ASCII), built by hand so nothing is downloaded."""
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


class Journey:
    """Named steps: a failure says which step, what the page showed, and where the screenshot is.

    JOURNEY_KEEP_GOING=1 (for a person exploring what has landed) records a wrong wording
    (an English label where the Vietnamese one is expected, a banner that does not say what
    happened) and carries on; the test still fails at the end, listing every such wording. By default the first
    failure stops the journey.
    """

    def __init__(self, console=None):
        self.console = console
        self.number = 0
        self.current = ""
        self.wording: list[str] = []
        self.step_errors: list[str] = []
        self.keep_going = os.environ.get("JOURNEY_KEEP_GOING") == "1"

    @contextmanager
    def step(self, title: str, page):
        self.number += 1
        self.current = f"{self.number:02d} {title}"
        seen = len(self.console.errors) if self.console else 0
        try:
            yield
            self.no_server_error(seen)
            if self.console is not None:
                for entry in self.console.errors[seen:]:
                    if not self.is_refused_autosave(entry):
                        self.step_errors.append(f"{self.current}: {entry}")
        except Exception as error:  # noqa: BLE001 - re-raised with the step's name
            shot = self.screenshot(page, "failed")
            message = str(error).split("\nCall log:")[0].strip()
            crashes = self.server_errors(seen)
            if crashes:
                message += f" (the server answered {crashes})"
            raise AssertionError(
                f"Journey step «{self.current}» failed: {message}\n"
                f"  page: {page.url}\n  screenshot: {shot}"
                + (
                    f"\n  wording problems so far: {self.wording}"
                    if self.wording
                    else ""
                )
            ) from None

    def is_refused_autosave(self, entry: str) -> bool:
        """An autosave that Wagtail refuses (400) because a save button went first."""
        return "400" in entry and any(url in entry for url in REFUSED_AUTOSAVES)

    def server_errors(self, since: int) -> list[str]:
        if self.console is None:
            return []
        return [e for e in self.console.errors[since:] if e.startswith("HTTP 5")]

    def no_server_error(self, since: int) -> None:
        crashes = self.server_errors(since)
        assert not crashes, f"the server failed: {crashes}"

    def screenshot(self, page, suffix: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", self.current.lower()).strip("-")
        path = ARTIFACTS / f"editor-journey-{slug}-{suffix}.png"
        try:
            page.screenshot(path=str(path))
        except Exception:  # noqa: BLE001 - a screenshot must never hide the real failure
            return Path("(no screenshot)")
        return path

    def vietnamese(self, vi, en=None, *, what: str, timeout: float = 5000):
        """The locator a Vietnamese reader looks for; `en` is Wagtail's English wording for it."""
        try:
            vi.first.wait_for(state="visible", timeout=timeout)
            return vi.first
        except Exception:  # noqa: BLE001 - turned into a clear assertion below
            pass
        english = ""
        if en is not None:
            try:
                en.first.wait_for(state="visible", timeout=1000)
                english = en.first.evaluate(
                    "el => (el.labels?.[0] ?? el).innerText.trim()"
                    " || el.getAttribute('aria-label') || ''"
                )
            except Exception:  # noqa: BLE001
                en = None
        if en is not None and self.keep_going:
            self.wording.append(f"{self.current}: {what} reads in English «{english}»")
            return en.first
        found = f"; the page shows the English «{english}» instead" if english else ""
        raise AssertionError(f"no {what} in Vietnamese{found}")

    def finish(self):
        problems = [f"wording: {entry}" for entry in self.wording]
        problems += [f"browser: {entry}" for entry in self.step_errors]
        assert not problems, (
            "The journey went through, with these problems:\n  " + "\n  ".join(problems)
        )


class PendingPosts:
    """The page's POSTs still in flight (Wagtail autosaves the edit form every 500 ms).

    The live server shares one in-memory SQLite database between its threads, so a submit
    that overlaps an autosave fails with "database table is locked"; on PostgreSQL the second
    write would wait. `settle()` lets the last autosave finish before a button that saves.
    """

    def __init__(self, context):
        self.pending = set()
        context.on("request", self._start)
        context.on("requestfinished", lambda request: self.pending.discard(request))
        context.on("requestfailed", lambda request: self.pending.discard(request))

    def _start(self, request):
        if request.method == "POST":
            self.pending.add(request)

    def settle(self, page, timeout_ms: int = 15000) -> None:
        page.wait_for_timeout(
            700
        )  # an autosave is sent 500 ms after the last keystroke
        waited = 0
        while self.pending and waited < timeout_ms:
            page.wait_for_timeout(100)
            waited += 100
        assert not self.pending, "an autosave of the edit form never finished"


def doc_screenshot(page, name: str, *, full_page: bool = False) -> None:
    """Screenshots for docs/editing.md, written only when asked (CI must not rewrite the docs)."""
    if os.environ.get("SAVE_DOC_SCREENSHOTS") != "1":
        return
    DOC_SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(400)  # let menus and tabs finish their transitions
    page.screenshot(path=str(DOC_SHOTS / f"editing-{name}.png"), full_page=full_page)


def selected_text(select) -> str:
    return select.evaluate("el => el.options[el.selectedIndex]?.text ?? ''").strip()


def region_where(container, name_pattern: str, predicate):
    """The inline child section (a named region) for which `predicate(region)` is true."""
    regions = container.get_by_role("region", name=re.compile(name_pattern))
    for index in range(regions.count()):
        region = regions.nth(index)
        if predicate(region):
            return region
    return None


def log_in(journey, page, base_url: str, username: str) -> None:
    page.goto(base_url + "/admin/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    journey.vietnamese(
        page.get_by_label("Mật khẩu", exact=False),
        page.get_by_label("Password"),
        what="password field labelled «Mật khẩu»",
    ).fill(PASSWORD)
    journey.vietnamese(
        page.get_by_role("button", name="Đăng nhập"),
        page.get_by_role("button", name="Sign in"),
        what="button «Đăng nhập»",
    ).click()
    page.wait_for_url(re.compile(r"/admin/$"))


def search_admin(page, typed: str, title: str):
    """Type in the sidebar's search box like a person; the result link titled `title`."""
    box = page.get_by_role("textbox", name="Tìm kiếm").first
    box.click()
    box.press_sequentially(typed, delay=20)
    box.press("Enter")
    page.wait_for_load_state()
    hit = page.get_by_role("link", name=title, exact=True)
    assert hit.count() > 0, (
        f"the admin search for «{typed}» lists no «{title}»; "
        f"it shows: {page.locator('main').inner_text()[:300]!r}"
    )
    return hit.first


def open_tab(journey, page, name: str) -> None:
    tab = page.get_by_role("tab", name=name)
    tab.click()
    assert tab.get_attribute("aria-selected") == "true", (
        f"the tab «{name}» did not open"
    )


def footer_action(journey, page, vi_pattern: str, en_pattern: str, *, what: str):
    """A button of the edit page's action menu (the footer), opening the menu if needed."""
    wanted = page.get_by_role("button", name=re.compile(vi_pattern))
    if not wanted.first.is_visible():
        toggle = journey.vietnamese(
            page.get_by_role("button", name=re.compile("Thao tác khác|Thêm thao tác")),
            page.get_by_role("button", name="More actions"),
            what="toggle of the action menu («Thao tác khác»)",
        )
        toggle.click()
    return journey.vietnamese(
        wanted,
        page.get_by_role("button", name=re.compile(en_pattern)),
        what=what,
    )


def expect_message(journey, page, vi_pattern: str, en_pattern: str, *, what: str):
    """The confirmation banner after an action: Vietnamese, and about that action."""
    message = page.locator(".messages").inner_text().strip()
    if re.search(vi_pattern, message, re.I):
        return
    if journey.keep_going and re.search(en_pattern, message, re.I):
        journey.wording.append(f"{journey.current}: {what} reads «{message}»")
        return
    raise AssertionError(f"no {what}; the banner says {message!r}{field_errors(page)}")


def field_errors(page) -> str:
    """The fields the admin flagged, with their labels, to say why a save was refused."""
    flagged = page.evaluate(
        """() => [...document.querySelectorAll('[data-field-errors], .error-message')]
            .filter(el => el.innerText.trim())
            .map(el => {
                const field = el.closest('[data-field-wrapper], .w-field__wrapper');
                const label = field && field.parentElement.querySelector('label');
                return (label ? label.innerText.trim() + ': ' : '') + el.innerText.trim();
            })"""
    )
    return f"; flagged fields: {flagged}" if flagged else ""


# Clicking «Gửi duyệt» or «Duyệt và xuất bản» blurs the last field, which starts an autosave
# alongside the click; Wagtail answers that autosave 400 once the submitted revision is newer
# (its guard against overwriting). The page has moved on; a person sees nothing.
REFUSED_AUTOSAVES: set[str] = set()


def note_refused_autosave(response) -> None:
    request = response.request
    if (
        response.status == 400
        and request.method == "POST"
        and "application/json" in (request.headers.get("accept") or "")
        and re.search(r"/admin/pages/\d+/edit/$", request.url)
    ):
        REFUSED_AUTOSAVES.add(request.url)


@pytest.fixture
def one_request_at_a_time(live_server):
    """Serve the admin's requests one after another, as PostgreSQL's locks would order them.

    The live server's threads share one in-memory SQLite connection; Wagtail's autosave and
    editing-session pings overlap the editor's clicks and then fail with "database table is
    locked" (a test-database artefact, not the product's behaviour). The page still sends
    its requests concurrently; only the application runs them in turn.
    """
    server = live_server.thread.httpd
    application = server.get_app()
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            response = application(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                if hasattr(response, "close"):
                    response.close()

    server.set_app(serialized)
    yield
    with lock:  # a request still running when the test failed finishes before the flush
        server.set_app(application)


@pytest.fixture
def open_browser(browser, console, one_request_at_a_time):
    """A new browser context per person; all closed before the database is flushed.

    Closing them at teardown (also after a failure) stops autosaves and pings that would
    otherwise still hit the server while pytest-django empties the database.
    """
    contexts = []

    def new_context():
        context = _context(browser, VIEWPORT, console)
        context.on("response", note_refused_autosave)
        contexts.append(context)
        return context

    yield new_context
    for context in contexts:
        try:
            context.close()
        except Exception:  # noqa: BLE001 - closed already by the test
            pass


@pytest.fixture
def department_people(site):
    """An editor and a moderator of Sở Tư pháp, granted through the roles service."""
    users = get_user_model()
    root = users.objects.create_superuser("root", "root@example.invalid", PASSWORD)
    people = {}
    for role in ("editor", "moderator"):
        user = users.objects.create_user(
            f"stp-{role}", f"stp-{role}@example.invalid", PASSWORD
        )
        grant_role(actor=root, user=user, department=site["justice"], role=role)
        people[role] = user.username
    return people


def test_editor_changes_fee_document_date_and_moderator_publishes(
    site, console, department_people, open_browser
):
    base = site["url"]
    pdf = make_pdf("Mau van ban uy quyen dang ky khai sinh - UQ-KS")
    pdf_path = ARTIFACTS / FORM_FILENAME
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path.write_bytes(pdf)
    journey = Journey(console)

    editor_context = open_browser()
    editor_posts = PendingPosts(editor_context)
    page = editor_context.new_page()

    # --- the editor ------------------------------------------------------------------------
    with journey.step("editor logs in", page):
        page.goto(base + "/admin/login/")
        doc_screenshot(page, "01-dang-nhap")
        log_in(journey, page, base, department_people["editor"])

    with journey.step("editor finds the procedure by typing without accents", page):
        hit = search_admin(page, SEARCH_TYPED, PROCEDURE_TITLE)
        doc_screenshot(page, "02-tim-thu-tuc")
        hit.click()
        page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
        assert page.get_by_role("tab", name="Phí và thời hạn").is_visible()

    with journey.step("editor types the fee 3.500.000", page):
        open_tab(journey, page, "Phí và thời hạn")
        method = region_where(
            page,
            r"^Cách thức thực hiện \d+$",
            lambda region: (
                selected_text(region.get_by_label("Hình thức nộp")) == METHOD_CHANNEL
            ),
        )
        assert method is not None, f"no execution method «{METHOD_CHANNEL}» on the tab"
        fee = method.get_by_label("Mức thu", exact=True)
        assert fee.count() == 1, "the postal method should show exactly one fee"
        shown_before = fee.input_value()
        assert shown_before == OLD_FEE_SHOWN, (
            f"the stored fee shows as {shown_before!r}, not grouped as {OLD_FEE_SHOWN}"
        )
        fee.click()
        fee.press("Control+a")
        fee.press_sequentially(FEE_TYPED, delay=20)
        assert fee.input_value() == FEE_TYPED, (
            f"typing {FEE_TYPED} into «Mức thu» leaves {fee.input_value()!r} "
            f"in the field (input type={fee.get_attribute('type')!r})"
        )
        method.scroll_into_view_if_needed()
        doc_screenshot(page, "03-sua-phi")

    with journey.step("editor adds a document with a newly uploaded form", page):
        open_tab(journey, page, "Hồ sơ và biểu mẫu")
        case = region_where(
            page,
            r"^Trường hợp hồ sơ \d+$",
            lambda region: (
                region.get_by_label("Tên trường hợp").first.input_value() == CASE_NAME
            ),
        )
        assert case is not None, f"no dossier case «{CASE_NAME}» on the tab"
        documents = case.get_by_role("region", name=re.compile(r"^Giấy tờ \d+$"))
        before = documents.count()
        case.get_by_role("button", name="Thêm Giấy tờ").click()
        documents.nth(before).wait_for()
        document = documents.nth(before)
        document.get_by_label("Tên giấy tờ").fill(NEW_DOCUMENT)
        originals = document.get_by_label("Số bản chính")
        originals.click()
        originals.press("Control+a")
        originals.press_sequentially("1")
        journey.vietnamese(
            document.get_by_role("button", name=re.compile("^Chọn mẫu đơn")),
            document.get_by_role("button", name=re.compile("^Choose")),
            what="button «Chọn mẫu đơn, tờ khai»",
        ).click()
        dialog = page.get_by_role("dialog")
        dialog.first.wait_for()
        dialog = dialog.first
        offer = re.compile("Tải lên|Tải mẫu|Thêm mẫu|Tạo mẫu|mẫu mới", re.I)
        for role in ("tab", "link", "button"):
            upload = dialog.get_by_role(role, name=offer)
            if upload.count():
                break
        assert upload.count() > 0, (
            "the form chooser offers no way to upload a new form file "
            "(no tab, link or button «Tải lên …» / «Thêm mẫu mới»); it shows: "
            f"{dialog.inner_text()[:300]!r}"
        )
        upload.first.click()
        dialog.get_by_label("Mã mẫu").fill(FORM_CODE)
        dialog.get_by_label("Tên mẫu").fill(FORM_NAME)
        dialog.get_by_label(re.compile("^Tệp")).set_input_files(str(pdf_path))
        doc_screenshot(page, "04-tai-mau-don")
        dialog.get_by_role(
            "button", name=re.compile("^(Tải lên|Tạo|Lưu|Thêm)", re.I)
        ).last.click()
        dialog.wait_for(state="hidden")
        chosen = document.get_by_text(re.compile(re.escape(FORM_CODE)))
        chosen.first.wait_for()
        document.scroll_into_view_if_needed()
        doc_screenshot(page, "05-giay-to-moi")

    with journey.step("editor sets the effective date 15/07/2025", page):
        open_tab(journey, page, "Thông tin chung")
        date = page.get_by_label("Ngày hiệu lực")
        date.click()
        date.press("Control+a")
        date.press_sequentially(DATE_TYPED, delay=20)
        date.press("Tab")
        assert date.input_value() == DATE_TYPED, (
            f"the date field shows {date.input_value()!r} after typing {DATE_TYPED}"
        )
        doc_screenshot(page, "06-ngay-hieu-luc")

    with journey.step("editor writes the public change note (empty before)", page):
        open_tab(journey, page, "Xuất bản")
        note = page.get_by_role("textbox", name="Ghi chú thay đổi công khai")
        assert note.input_value() == "", (
            f"the change note is pre-filled with {note.input_value()!r} "
            "(it must be empty on every edit)"
        )
        note.fill(CHANGE_NOTE)
        doc_screenshot(page, "07-ghi-chu-thay-doi")

    with journey.step("editor submits for review («Gửi duyệt»)", page):
        submit = footer_action(
            journey,
            page,
            "^Gửi duyệt",
            "^(Submit|Thực hiện)",
            what="action «Gửi duyệt»",
        )
        doc_screenshot(page, "08-gui-duyet")
        editor_posts.settle(page)
        submit.click()
        page.wait_for_load_state()
        errors = page.locator(
            ".messages .error, .help-critical, .w-field__errors:not(:empty)"
        )
        problems = [text.strip() for text in errors.all_inner_texts() if text.strip()]
        assert not problems, f"the admin refused the submission: {problems}"
        expect_message(
            journey,
            page,
            "gửi duyệt|đã gửi",
            "submitted for moderation",
            what="confirmation that the procedure was sent for review",
        )
    editor_context.close()

    # --- the moderator ---------------------------------------------------------------------
    moderator_context = open_browser()
    moderator_posts = PendingPosts(moderator_context)
    page = moderator_context.new_page()
    with journey.step("moderator logs in and sees the procedure awaiting review", page):
        log_in(journey, page, base, department_people["moderator"])
        panel = journey.vietnamese(
            page.get_by_role("region", name=re.compile("chờ .*duyệt", re.I)),
            page.get_by_role("region", name="Awaiting your review"),
            what="dashboard panel of procedures awaiting review («Chờ bạn duyệt»)",
        )
        row = panel.get_by_role("row").filter(has_text=PROCEDURE_TITLE)
        assert row.count() == 1, (
            f"«{PROCEDURE_TITLE}» is not awaiting the moderator's review: "
            f"{panel.inner_text()[:300]!r}"
        )
        doc_screenshot(page, "09-cho-duyet")

    with journey.step("moderator opens the compare view", page):
        journey.vietnamese(
            row.get_by_role("button", name="Thao tác"),
            row.get_by_role("button", name="Actions"),
            what="row menu «Thao tác»",
        ).click()
        doc_screenshot(page, "09b-thao-tac-cho-duyet")
        journey.vietnamese(
            row.get_by_role(
                "link", name=re.compile("^So sánh với bản.*(công bố|hiện hành)")
            ),
            row.get_by_role("link", name="Compare with live version"),
            what="link «So sánh với bản đang công bố»",
        ).click()
        page.wait_for_url(re.compile(r"/revisions/compare/"))

    with journey.step("compare view shows exactly the changes", page):
        main = page.locator("main")
        text = main.inner_text()
        added = " | ".join(
            main.locator(
                ".addition, ins, .comparison__child-object--added"
            ).all_inner_texts()
        )
        removed = " | ".join(
            main.locator(
                ".deletion, del, .comparison__child-object--deleted"
            ).all_inner_texts()
        )
        doc_screenshot(page, "10-so-sanh")
        assert FEE_TYPED in added, (
            f"the new fee {FEE_TYPED} is not marked as added; additions: {added[:300]!r}"
        )
        assert OLD_FEE_SHOWN in removed, (
            f"the old fee {OLD_FEE_SHOWN} is not marked as removed; removals: {removed[:300]!r}"
        )
        assert NEW_DOCUMENT in added, (
            f"the new document «{NEW_DOCUMENT}» is not marked as added: {added[:300]!r}"
        )
        assert FORM_CODE in added or FORM_NAME in added, (
            f"the new document's form {FORM_CODE} is not shown as added: {added[:300]!r}"
        )
        assert DATE_TYPED in added, (
            f"the effective date {DATE_TYPED} is not marked as added: {added[:300]!r}"
        )
        table = main.get_by_role("table").first
        listed = []
        for row in table.get_by_role("row").all():
            cells = row.get_by_role("cell")
            if cells.count():
                listed.append(cells.first.inner_text().strip().rstrip(":").strip())
        changed = {"Ngày hiệu lực", "Thành phần hồ sơ", "Cách thức, thời hạn, phí"}
        assert changed <= set(listed) <= changed | {"Ghi chú thay đổi công khai"}, (
            f"the compare view lists the fields {listed}; expected exactly {changed} "
            "and the change note"
        )
        for unchanged in (
            "TK-KS",
            UNTOUCHED_CASE,
            "Giấy chứng sinh",
            "Trình tự thực hiện",
            "Nộp hồ sơ",
            "Trực tiếp",
            "Trực tuyến",
            "Mã thủ tục quốc gia",
            "Quyết định công bố",
        ):
            assert unchanged not in text, (
                f"the compare view lists «{unchanged}», which did not change"
            )

    with journey.step("moderator approves and publishes («Duyệt và xuất bản»)", page):
        # from the compare view, the header's «Sửa» opens the procedure under review
        page.get_by_role("navigation", name="Thao tác").get_by_role(
            "link", name="Sửa"
        ).click()
        page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
        approve = footer_action(
            journey,
            page,
            "^Duyệt và xuất bản",
            "^Approve$",
            what="action «Duyệt và xuất bản»",
        )
        doc_screenshot(page, "11-duyet-va-xuat-ban")
        moderator_posts.settle(page)
        approve.click()
        page.wait_for_load_state()
        expect_message(
            journey,
            page,
            "đã (được )?duyệt|đã (được )?xuất bản",
            # Wagtail's edit view says only "Page … has been updated" after a workflow action
            "approved|published|đã cập nhật trang",
            what="confirmation that the procedure was approved and published",
        )
    moderator_context.close()

    # --- what the public and client systems see --------------------------------------------
    public_context = open_browser()
    page = public_context.new_page()
    with journey.step(
        "public page shows the fee, the document with its form, the date", page
    ):
        page.goto(base + site["birth"].url)
        summary = page.locator(".summary-box").inner_text()
        assert f"{FEE_TYPED} đồng" in summary, (
            f"the fees table does not show {FEE_TYPED} đồng: {summary[:400]!r}"
        )
        case = page.locator(".case").filter(has_text=CASE_NAME)
        assert NEW_DOCUMENT in case.inner_text(), (
            f"«{NEW_DOCUMENT}» is not among the documents of «{CASE_NAME}»"
        )
        with page.expect_download() as download_info:
            case.get_by_role("link", name=re.compile(f"Tải mẫu {FORM_CODE}")).click()
        with open(download_info.value.path(), "rb") as handle:
            assert handle.read() == pdf, "the downloaded form is not the uploaded file"
        body = page.locator("main").inner_text()
        assert f"hiệu lực từ {DATE_TYPED}" in body, (
            f"the page does not say «hiệu lực từ {DATE_TYPED}»"
        )
        doc_screenshot(page, "12-trang-cong-khai")

    with journey.step("the API shows 2025-07-15, 3500000 and the form's file", page):
        response = page.request.get(
            f"{base}/api/v1/procedures/{PROCEDURE_CODE}/",
            headers={"Accept": "application/json"},
        )
        assert response.status == 200, f"GET the procedure: HTTP {response.status}"
        data = json.loads(response.text())
        assert data["effective_date"] == DATE_ISO, data["effective_date"]
        postal = [
            method
            for method in data["execution_methods"]
            if method["channel"] == "postal"
        ]
        assert [fee["amount"] for fee in postal[0]["fees"]] == [FEE_STORED], postal
        documents = {
            document["name"]: document
            for case in data["dossier_cases"]
            if case["name"] == CASE_NAME
            for document in case["documents"]
        }
        assert NEW_DOCUMENT in documents, list(documents)
        form = documents[NEW_DOCUMENT]["form"]
        assert form and form["code"] == FORM_CODE, form
        assert form["sha256"] == hashlib.sha256(pdf).hexdigest(), form
        file = page.request.get(form["download_url"])
        assert file.status == 200 and file.body() == pdf, form["download_url"]
    public_context.close()

    journey.finish()


def test_editor_sees_an_abandoned_draft_and_discards_it(
    site, console, department_people, open_browser
):
    """A draft left behind is announced on the edit page, and the editor can drop it."""
    journey = Journey(console)
    context = open_browser()
    posts = PendingPosts(context)
    page = context.new_page()
    live_summary = site["marriage"].summary
    typed = " Bổ sung chưa xong"

    with journey.step("editor saves a draft («Lưu nháp») and leaves", page):
        log_in(journey, page, site["url"], department_people["editor"])
        search_admin(page, "ket hon", "Đăng ký kết hôn").click()
        page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
        summary = page.get_by_role("textbox", name="Mô tả ngắn")
        summary.click()
        summary.press("End")
        summary.press_sequentially(typed, delay=20)
        posts.settle(page)
        page.get_by_role("button", name="Lưu nháp").click()
        page.wait_for_load_state()
        page.goto(site["url"] + "/admin/")

    with journey.step("the edit page says a draft differs from the live version", page):
        search_admin(page, "ket hon", "Đăng ký kết hôn").click()
        page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
        notice = page.locator(".messages").filter(has_text=re.compile("bản nháp", re.I))
        assert notice.count() == 1, (
            "no notice of the unpublished draft on the edit page; messages: "
            f"{page.locator('.messages').inner_text()!r}"
        )
        assert department_people["editor"] in notice.inner_text(), (
            f"the notice does not say who saved the draft: {notice.inner_text()!r}"
        )
        summary = page.get_by_role("textbox", name="Mô tả ngắn")
        assert summary.input_value() == live_summary + typed
        doc_screenshot(page, "13-ban-nhap")

    with journey.step("editor discards the draft («Bỏ bản nháp»)", page):
        notice.get_by_role("link", name="Bỏ bản nháp").click()
        page.wait_for_load_state()
        doc_screenshot(page, "14-bo-ban-nhap")
        page.get_by_role("button", name="Bỏ bản nháp").click()
        page.wait_for_load_state()
        expect_message(
            journey,
            page,
            "đã bỏ bản nháp",
            "discarded",
            what="confirmation that the draft was discarded",
        )
        if "/edit/" not in page.url:
            search_admin(page, "ket hon", "Đăng ký kết hôn").click()
            page.wait_for_url(re.compile(r"/admin/pages/\d+/edit/"))
        summary = page.get_by_role("textbox", name="Mô tả ngắn")
        assert summary.input_value() == live_summary, (
            f"after discarding, the summary reads {summary.input_value()!r}"
        )
        assert (
            not page.locator(".messages")
            .filter(has_text=re.compile("khác bản (đang )?công bố", re.I))
            .count()
        ), "the edit page still announces a draft after discarding it"
    context.close()
    journey.finish()

"""Every admin screen the four roles reach speaks Vietnamese.

Each role (editor, moderator, department admin, catalog administrator) starts at the dashboard and
follows the admin links it is shown (the sidebar menu and every page's links), two screens per URL
shape, and the text of every screen is compared with Wagtail's English interface strings, read from
Wagtail's own source catalogs (not a hand-made list). A string found English fails the test unless
ALLOWED says why it cannot or need not be translated.
"""

import json
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.test import Client

import pytest

from catalog.models import ProcedurePage
from tests.catalog.wagtail_msgids import wagtail_messages
from tests.permissions.world import build_world

# the four roles, and a superuser for the screens only superusers reach (users, groups, sites,
# workflows, collections): the catalog's superusers are its technical administrators
ROLES = ("editor", "moderator", "department_admin", "catalog_admin", "superuser")

# English that stays, each with the reason. Keys are exact texts as rendered.
ALLOWED = {
    "URL": "the same word in Vietnamese admin usage",
    "ID": "the same abbreviation in Vietnamese",
    "API": "the same abbreviation in Vietnamese",
    "Email": "Vietnamese admin forms write 'Email' too (label of Django's own user field)",
    "Wagtail": "product name",
    "Wagtail API v2": "product name",
    "PDF": "file type name",
    "Search": "value of the visually hidden submit button of the header search, written in English "
    "in Wagtail's templates (wagtailadmin/shared/header.html, home.html) without {% trans %}; "
    "screen readers announce the search field by its Vietnamese label and placeholder",
}
# English that stays on some screens only: (where, reason).
ALLOWED_ON = {
    "Page": (
        ("/admin/workflows/", "/admin/groups/"),
        "screen-reader label of the page chooser in the workflow and group permission formsets: "
        "Django makes it from the form field's name 'page' (no label in Wagtail's code); "
        "superusers only",
    ),
    "Locale": (
        ("/admin/groups/",),
        "heading of the Locale model in the group permission table: Wagtail's Locale model has "
        "no verbose_name, so Django makes 'Locale' from the class name; superusers only",
    ),
}
# URL pieces never followed: they leave the admin, act, stream files, or render the public site.
SKIP = (
    "/logout/",
    "/admin/api/",
    "/preview/",
    "/view_draft/",
    "/documents/",  # file downloads (the admin's documents pages are /admin/documents/)
    "export",
    "/jsi18n/",
    "/usage/",  # checked through the listings' own links below the cap
)
MAX_SCREENS = 90
PER_SHAPE = 2
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{\w+\}")
# scripts and styles are not read; <code>/<kbd> hold identifiers (a query parameter, a key name)
_NOT_PROSE = ("script", "style", "svg", "code", "kbd")
_VOID = {"input", "br", "img", "hr", "meta", "link", "source", "wbr", "col", "area"}
_WORD = re.compile(r"[A-Za-z]{2,}")


class _Screen(HTMLParser):
    """Visible text (text nodes, placeholders, titles, labels, button values) and admin links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._json_script = False
        self._hidden: list = []  # [tag, depth] while inside an element the page hides
        self.sidebar_json = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._hidden and tag == self._hidden[0]:
            self._hidden[1] += 1
        elif not self._hidden and "hidden" in attrs and tag not in _VOID:
            self._hidden = [tag, 1]
        if tag == "script" and attrs.get("id") == "wagtail-sidebar-props":
            self._json_script = True
        if tag in _NOT_PROSE:
            self._skip += 1
        for name in (
            "placeholder",
            "title",
            "aria-label",
            "data-w-progress-active-value",
        ):
            if attrs.get(name):
                self.texts.append(attrs[name])
        if (
            tag == "input"
            and attrs.get("type") in ("submit", "button")
            and attrs.get("value")
        ):
            self.texts.append(attrs["value"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])

    def handle_endtag(self, tag):
        if self._hidden and tag == self._hidden[0]:
            self._hidden[1] -= 1
            if not self._hidden[1]:
                self._hidden = []
        if tag in _NOT_PROSE:
            self._skip = max(0, self._skip - 1)
            self._json_script = False

    def handle_data(self, data):
        if self._json_script:
            self.sidebar_json += data
        elif not self._skip and not self._hidden:
            self.texts.append(data)


def _english_catalog(domains=("django",)):
    """Exact English strings and patterns for those with arguments, from Wagtail's catalogs."""
    exact, patterns = set(), []
    messages = [msg for domain in domains for msg in wagtail_messages(domain)]
    for msg in messages:
        for text in filter(None, (msg.msgid, msg.plural)):
            plain = re.sub(r"<[^>]+>", " ", text)
            plain = " ".join(plain.split())
            if not _WORD.search(plain):
                continue
            if _PLACEHOLDER.search(plain):
                literal = _PLACEHOLDER.sub(" ", plain)
                if len(_WORD.findall(literal)) < 3:
                    continue  # "%(label)s: %(value)s" says nothing about the language
                pieces = [
                    re.escape(p) for p in re.split(r"%\(\w+\)[sd]|\{\w+\}", plain)
                ]
                patterns.append((text, re.compile(r"(?:.+?)".join(pieces))))
            else:
                exact.add(plain)
    return exact, patterns


def _sidebar_labels_and_links(raw: str):
    labels, links = [], []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "label" and isinstance(value, str):
                    labels.append(value)
                elif key == "url" and isinstance(value, str):
                    links.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    if raw.strip():
        walk(json.loads(raw))
    return labels, links


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", path)


def _crawl(client: Client, starts: list[str]):
    """(url, texts) for each admin screen reached from the starts by GET."""
    queue, seen, shapes, screens = list(starts), set(), defaultdict(int), []
    while queue and len(screens) < MAX_SCREENS:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or not path.startswith("/admin/") or any(s in url for s in SKIP):
            continue
        seen.add(url)
        if shapes[_shape(path)] >= PER_SHAPE and url not in starts:
            continue
        shapes[_shape(path)] += 1
        response = client.get(url, follow=True)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or "text/html" not in content_type:
            continue
        parser = _Screen()
        parser.feed(response.content.decode())
        labels, sidebar_links = _sidebar_labels_and_links(parser.sidebar_json)
        screens.append((url, parser.texts + labels))
        base = response.wsgi_request.build_absolute_uri()
        for href in parser.links + sidebar_links:
            absolute = urljoin(base, href)
            parts = urlsplit(absolute)
            if parts.netloc not in ("testserver", ""):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return screens


def _english_on(texts, exact, patterns, url=""):
    found = set()
    for raw in texts:
        text = " ".join(raw.split())
        if not text or text in ALLOWED or not _WORD.search(text):
            continue
        if text in ALLOWED_ON and url.startswith(ALLOWED_ON[text][0]):
            continue
        if text in exact:
            found.add(text)
            continue
        for _msgid, pattern in patterns:
            if pattern.fullmatch(text):
                found.add(text)
                break
    return found


@pytest.fixture
def world(db):
    world = build_world()
    # a draft under review, so the moderators see the review screens with something on them
    editor = world.users["editor"]
    draft = ProcedurePage.objects.get(pk=world.draft_a.pk)
    draft.save_revision(user=editor)
    draft.get_workflow().start(draft, editor)
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_admin_screen_of_the_role_is_vietnamese(world, role):
    client = Client()
    client.force_login(world.root if role == "superuser" else world.users[role])
    page = world.draft_a
    starts = [
        "/admin/",
        "/admin/pages/",
        f"/admin/pages/{world.a.pk}/",
        f"/admin/pages/{page.pk}/edit/",
        f"/admin/pages/{page.pk}/history/",
        f"/admin/pages/{page.pk}/workflow_history/",
        f"/admin/pages/add/catalog/procedurepage/{world.a.pk}/",
        f"/admin/pages/{world.live_a.pk}/edit/",
        f"/admin/pages/{world.live_a.pk}/revisions/compare/live...latest/",
        "/admin/pages/search/?q=khai+sinh",
        "/admin/documents/",
        "/admin/snippets/",
        "/admin/reports/locked/",
        "/admin/reports/site-history/",
        "/admin/reports/workflow/",
        "/admin/reports/workflow_tasks/",
        "/admin/account/",
        "/admin/phan-quyen/",
        "/admin/users/",
        "/admin/users/new/",
        f"/admin/users/edit/{world.users['editor'].pk}/",
        "/admin/groups/",
        "/admin/api-keys/",
        "/admin/workflows/list/",
        "/admin/workflows/tasks/index/",
        "/admin/collections/",
        "/admin/sites/",
    ]
    exact, patterns = _english_catalog()
    screens = _crawl(client, starts)
    assert len(screens) >= 10, f"{role} reached only {[u for u, _ in screens]}"
    english = {}
    for url, texts in screens:
        found = _english_on(texts, exact, patterns, url)
        if found:
            english[url] = sorted(found)
    assert not english, (
        f"{role}: English on {len(english)} of {len(screens)} screens:\n"
        + "\n".join(f"  {url}: {strings}" for url, strings in sorted(english.items()))
    )


def test_the_english_catalog_is_wagtails_own_and_catches_english():
    exact, patterns = _english_catalog()
    assert len(exact) > 1000  # read from Wagtail's catalogs, not typed by hand
    assert {"Save draft", "More actions", "Documents", "Reports"} <= exact
    assert _english_on(["There are no khóa API to display."], exact, patterns) == {
        "There are no khóa API to display."
    }
    assert _english_on(["Lưu nháp", "Tài liệu"], exact, patterns) == set()

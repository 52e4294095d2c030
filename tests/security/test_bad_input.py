"""Every bad input gets a clear 4xx, nothing is written, no temporary file is left (issue 17).

Table-driven families (nesting, sizes, encodings, Unicode digits, overlong names, forged and
replayed cursors, wrong methods and content types) plus hypothesis-generated values, sent
in-process through the Django test client to: every endpoint of the `api` URL namespace (read
from the URL resolver), the public search and pages, and the admin import upload. Each input
is recorded in BAD_INPUTS; the last test asserts at least 400 distinct ones were checked.
"""

# ruff: noqa: F811  (the catalog fixtures of tests/api are imported, then requested by name)
from __future__ import annotations

import base64
import json
import re
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api.base import CatalogAPIView
from api.params import cursor_scope, encode_cursor
from catalog.models import CatalogEvent, FormTemplate, ProcedurePage
from search.api_views import SEARCH_PARAMS, SUGGEST_PARAMS, SearchView, SuggestView
from tests.api.conftest import catalog, lists  # noqa: F401  (fixtures)

BAD_INPUTS: set[tuple[str, str, str, str]] = set()
MIN_DISTINCT = 400

# Values a number parameter must refuse: Unicode digits pass str.isdigit() and int() reads
# several of them; blanks, signs, underscores, exponents and overflow are not whole numbers.
BAD_NUMBERS = [
    "²",
    "８",
    "１０",
    "١",
    "٣",
    "߁",
    "𝟓",
    "৩",
    "Ⅻ",
    "1_0",
    " 5",
    "5 ",
    "+5",
    "-5",
    "0x5",
    "5.0",
    "5e0",
    "",
    "0",
    "99999999999999999999",
    "5\x00",
    "%ff",
    "five",
]
BAD_ENCODINGS = [
    "%ff%fe",  # not UTF-8
    "%c0%af",  # overlong encoding of "/"
    "%ed%a0%80",  # a UTF-16 surrogate encoded as UTF-8
    "%00",  # NUL
    "a%00b",
    "%e2%80%ae",  # right-to-left override (valid UTF-8, not a code)
    "%f4%90%80%80",  # above U+10FFFF
]
BAD_CODES = [
    "a b",
    "<script>",
    "x" * 65,
    ",",
    "A,,B",
    "Đ",
    "STP;DROP",
    "../STP",
    ",".join(f"C{n}" for n in range(51)),
]


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# --- recording and the checks every answer gets ---------------------------------------------


def record(surface: str, method: str, target: str, extra: str = "") -> None:
    BAD_INPUTS.add((surface, method, target[:2000], extra))


def api_error(response, *, status: int | None = None) -> str:
    """The response is a 4xx in the API's JSON error shape; returns the message."""
    assert 400 <= response.status_code < 500, (
        response.status_code,
        response.content[:300],
    )
    if status is not None:
        assert response.status_code == status, (
            response.status_code,
            response.content[:300],
        )
    assert response["Content-Type"].split(";")[0] == "application/json", response[
        "Content-Type"
    ]
    body = json.loads(response.content)
    assert set(body) == {"message"} and isinstance(body["message"], str), body
    assert body["message"].strip()
    return body["message"]


def expect(response, status=None, *, text=None, low=400, high=499):
    """A plain status (and text) check with the body in the message."""
    body = response.content[:300]
    if status is not None:
        assert response.status_code == status, (response.status_code, body)
    else:
        assert low <= response.status_code <= high, (response.status_code, body)
    if text is not None:
        assert text in response.content.decode(), (text, body)


class Failures(list):
    """Collects every failing input of a table, so one run lists them all."""

    def check(self, label, func, *args, **kwargs):
        try:
            return func(*args, **kwargs)
        except AssertionError as error:
            self.append(f"{label}: {error}")
            return None

    def done(self):
        assert not self, f"{len(self)} bad inputs mishandled:\n" + "\n".join(self[:40])


# --- the API endpoints, read from the URL resolver ----------------------------------------------

SAMPLE_KWARGS = {
    "procedure": {"code": "1.000001"},
    "department": {"code": "STP"},
    "form": {"code": "TK01"},
    "dataset-file": {"name": "procedures.csv"},
}


def api_endpoints() -> list[tuple[str, object]]:
    """(name, view class) of every named route in the `api` namespace."""
    root = get_resolver()
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif (
                isinstance(pattern, URLPattern) and pattern.name and namespace == "api"
            ):
                found.append(
                    (pattern.name, getattr(pattern.callback, "view_class", None))
                )

    walk(root.url_patterns, None)
    return found


def endpoint_url(name: str) -> str:
    return reverse(f"api:{name}", kwargs=SAMPLE_KWARGS.get(name))


def allowed_params(view_class) -> set[str] | None:
    """The query parameters a data endpoint accepts; None where unknown ones are ignored."""
    if view_class is None:
        return None
    if issubclass(view_class, CatalogAPIView):
        return set(view_class.query_params_allowed)
    if issubclass(view_class, SearchView):
        return set(SEARCH_PARAMS)
    if issubclass(view_class, SuggestView):
        return set(SUGGEST_PARAMS)
    return None  # the schema and its docs page


def test_every_api_route_is_covered(db):
    names = {name for name, _ in api_endpoints()}
    assert {"procedures", "procedure", "changes", "search", "search-suggest"} <= names
    for name, view_class in api_endpoints():
        url = endpoint_url(name)  # a route with a path parameter needs a sample here
        assert url.startswith("/api/v1/"), url
        assert view_class is not None, name


# Bad values per parameter name, for the catalog endpoints (code lists, choices, numbers).
CATALOG_BAD_VALUES = {
    "page_size": BAD_NUMBERS + ["201", "1000000", "1,2"],
    "department": BAD_CODES + [""],
    "field": BAD_CODES + [""],
    "level": BAD_CODES,
    "subject": BAD_CODES,
    "life_event": BAD_CODES,
    "online": ["sometimes", "", "FULL", "full,nope", "ｆｕｌｌ"],
    "status": ["maybe", "", "active,maybe", "ACTIVE"],
    "updated_since": [
        "11111111111111111111",
        "20250101",
        "2025-13-01",
        "2025-02-30",
        "２０２５-01-01",
        "2025-01-01T25:00",
        "yesterday",
        "10000-01-01",
        "2025-01-01T00:00:00+99:00",
        "2025-01-01T00:00:00.1234567",
        "2025-01-01\x00",
        "2025-W01",
        "²⁰²⁵-01-01",
        "",
    ],
    "ordering": ["price", "--code", "", "code,title", "ＣＯＤＥ", "-", "id"],
    "fields": ["", "secret", ",", "title,secret", "x" * 500],
    "cursor": ["", ".", "a.b", "garbage", "bnVsbA", "e30", "%%%", "=" * 10],
}
SEARCH_BAD_VALUES = {
    "page": BAD_NUMBERS + ["10001"],
    "page_size": BAD_NUMBERS + ["101"],
    "limit": BAD_NUMBERS + ["21"],
    "q": ["x" * 1001, "%00", "khai%00sinh", "%ff", "a%07b"],
    "department": ["x" * 65, "%00", "%ff", ",".join(["A"] * 21)],
    "field": ["x" * 65, "%00"],
    "level": ["x" * 65, "%1b"],
    "subject": ["x" * 65, "%7f"],
    "online": ["x" * 65, "%ff%fe"],
}


def _bad_values(view_class) -> dict[str, list[str]]:
    table = (
        SEARCH_BAD_VALUES
        if issubclass(view_class, (SearchView, SuggestView))
        else CATALOG_BAD_VALUES
    )
    return {
        name: values
        for name, values in table.items()
        if name in (allowed_params(view_class) or ())
    }


def _quote(value: str) -> str:
    """Percent-escapes in the tables are sent as written; everything else is quoted."""
    from urllib.parse import quote

    return re.sub(
        r"(%[0-9A-Fa-f]{2})|([^%]+|%)",
        lambda m: m.group(1) or quote(m.group(2), safe=""),
        value,
    )


@pytest.fixture(autouse=True)
def _generous_throttle(settings):
    settings.API_ANON_RATE = "100000/min"
    settings.API_SUGGEST_RATE = "100000/min"
    settings.API_THROTTLE_CLEANUP_ONE_IN = 0


@pytest.fixture
def counts():
    """Procedures, events and form templates before; the test compares after."""

    def snapshot():
        return (
            ProcedurePage.objects.count(),
            CatalogEvent.objects.count(),
            FormTemplate.objects.count(),
        )

    return snapshot


def test_api_parameters_refuse_bad_values(client, catalog, counts):
    before = counts()
    failures = Failures()
    for name, view_class in api_endpoints():
        url = endpoint_url(name)
        allowed = allowed_params(view_class)
        if allowed is None:
            continue
        for param, values in _bad_values(view_class).items():
            for value in values:
                query = f"{param}={_quote(value)}"
                record("api", "GET", f"{url}?{query}")
                failures.check(
                    f"{url}?{query}",
                    api_error,
                    client.get(f"{url}?{query}"),
                    status=400,
                )
        # Encodings in every accepted parameter (q of suggest is free text: NUL is refused too).
        for param in sorted(allowed):
            for value in BAD_ENCODINGS:
                if param == "q" and value == "%e2%80%ae":
                    continue  # a right-to-left mark is text someone may paste
                query = f"{param}={value}"
                record("api", "GET", f"{url}?{query}")
                failures.check(
                    f"{url}?{query}",
                    api_error,
                    client.get(f"{url}?{query}"),
                    status=400,
                )
            # the same parameter twice where it may appear once, or ten thousand times
            if param in ("page_size", "cursor", "ordering", "updated_since", "fields"):
                if getattr(view_class, "query_params_single", None) and param not in (
                    view_class.query_params_single
                ):
                    continue
                sample = {"page_size": "5", "ordering": "code", "fields": "title"}.get(
                    param, "x"
                )
                query = f"{param}={sample}&{param}={sample}"
                record("api", "GET", f"{url}?{query}")
                failures.check(
                    f"{url}?{query}",
                    api_error,
                    client.get(f"{url}?{query}"),
                    status=400,
                )
        # Unknown, misspelled, key-in-URL and mangled parameter names.
        for query in [
            "zz=1",
            "api_key=abc",
            "token=abc",
            "PAGE_SIZE=5",
            "page%5Fsize%00=5",
            "%ff=1",
            "ｐａｇｅ_size=5",
            "page_size[]=5",
            "x" * 300 + "=1",
        ]:
            record("api", "GET", f"{url}?{query}")
            failures.check(
                f"{url}?{query}", api_error, client.get(f"{url}?{query}"), status=400
            )
    failures.done()
    assert counts() == before


def test_api_sizes_methods_and_content_types(client, catalog, counts):
    before = counts()
    failures = Failures()
    huge_query = "zz=" + "x" * 200_000
    many_params = "&".join(["department=STP"] * 6000)
    nested = "[" * 100_000
    bodies = [
        ("application/json", b"{}", "empty object"),
        ("application/json", b"{" * 50_000, "nested"),
        ("application/json", nested.encode(), "nested list"),
        ("application/json", b'{"a": "' + b"x" * (11 * 1024 * 1024) + b'"}', "11 MB"),
        ("application/json", b"\xff\xfe not json", "not UTF-8"),
        ("application/json", b'{"a": "\\ud800"}', "lone surrogate"),
        ("text/xml", b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", "xml"),
        ("application/x-www-form-urlencoded", b"a=1&" * 10_000, "form"),
        ("multipart/form-data; boundary=zz", b"--zz\r\nbroken", "broken multipart"),
        ("text/plain", b"\x00" * 1000, "NUL bytes"),
    ]
    for name, view_class in api_endpoints():
        url = endpoint_url(name)
        if allowed_params(view_class) is not None:
            for query, label in [
                (huge_query, "200 KB query"),
                (many_params, "6000 params"),
            ]:
                record("api", "GET", url, label)
                failures.check(
                    f"{url} {label}", api_error, client.get(f"{url}?{query}")
                )
        for method in ("post", "put", "patch", "delete"):
            for content_type, body, label in bodies:
                record("api", method.upper(), url, label)
                response = getattr(client, method)(
                    url, data=body, content_type=content_type
                )
                failures.check(
                    f"{method.upper()} {url} {label}", api_error, response, status=405
                )
        for method in ("TRACE", "CONNECT", "PROPFIND"):
            record("api", method, url)
            failures.check(
                f"{method} {url}", api_error, client.generic(method, url), status=405
            )
        for header, value, status in [
            ("HTTP_AUTHORIZATION", "Api-Key not-a-key", 401),
            ("HTTP_AUTHORIZATION", "Api-Key " + "x" * 5000, 401),
            ("HTTP_AUTHORIZATION", "Api-Key \x00", 401),
            ("HTTP_X_API_KEY", "ключ", 401),
        ]:
            record("api", "GET", url, f"{header}={value[:20]}")
            failures.check(
                f"{url} {header}",
                api_error,
                client.get(url, **{header: value}),
                status=status,
            )
    failures.done()
    assert counts() == before


def test_api_paths_that_do_not_exist_are_json_404(client, catalog):
    failures = Failures()
    paths = [
        "/api/",
        "/api/v1/",
        "/api/v3/procedures/",
        "/api/v1/nope/",
        "/api/v1/procedures/a/b/",
        "/api/v2/nope/",
        "/api/v2/pages/999999999/",
        "/api/v2/pages/%ff/",
        "/api/v1/%ff/",
        "/api/v1/%00/",
        "/api/v1/" + "x" * 5000 + "/",
    ]
    for name in SAMPLE_KWARGS:
        for code in [
            "%00",
            "%ff",
            "%ed%a0%80",
            "x" * 300,
            "²",
            "..",
            "%2e%2e",
            "1.000001%00",
            "ＳＴＰ",
            "nope",
        ]:
            paths.append(endpoint_url(name).rsplit("/", 2)[0] + f"/{code}/")
    for path in paths:
        record("api", "GET", path)
        failures.check(path, api_error, client.get(path), status=404)
    # POST to an unknown endpoint: a 404, not a CSRF 403 page
    for path in ["/api/v1/nope/", "/api/v2/pages/"]:
        record("api", "POST", path)
        response = client.post(path, data=b"{}", content_type="application/json")
        failures.check(f"POST {path}", api_error, response)
    failures.done()


def test_django_handlers_under_api_answer_json_and_the_site_keeps_html(
    client,
    catalog,
):
    from django.test import Client

    failures = Failures()
    csrf_client = Client(enforce_csrf_checks=True)
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for host in ["evil.example", "a" * 300, "testserver:abc", "[::1", "x y"]:
            record("api", "GET", "/api/v1/procedures/", f"Host: {host}")
            failures.check(
                f"Host {host}",
                api_error,
                client.get("/api/v1/procedures/", HTTP_HOST=host),
                status=400,
            )
            record("site", "GET", "/tim-kiem/", f"Host: {host}")
            site = client.get("/tim-kiem/", HTTP_HOST=host)
            assert site.status_code == 400
            assert "Yêu cầu không hợp lệ" in site.content.decode()
    # the CSRF failure page of the wagtail API (session-authenticated) and of a site form
    record("api", "POST", "/api/v1/procedures/", "no CSRF token")
    failures.check(
        "CSRF api",
        api_error,
        csrf_client.post("/api/v1/procedures/", {"a": 1}),
    )
    # (the language switch takes no token, so that public pages set no cookie: the login form)
    record("site", "POST", "/admin/login/", "no CSRF token")
    page = csrf_client.post("/admin/login/", {"username": "a", "password": "b"})
    assert (
        page.status_code == 403 and "Phiên làm việc đã hết hạn" in page.content.decode()
    )
    failures.done()
    # the site's own 404 is the Vietnamese page
    missing = client.get("/khong-co-trang-nay/")
    assert missing.status_code == 404
    assert "Không tìm thấy trang" in missing.content.decode()
    for name in ("400", "403", "403_csrf", "404", "500"):
        text = (
            Path(__file__).resolve().parents[2] / "templates" / f"{name}.html"
        ).read_text()
        assert re.search(r"[ạảãáàâấầậơớờợưứừựđĐ]", text), name


def test_a_500_under_api_is_json(client, catalog, monkeypatch):
    from api import views

    def boom(*args, **kwargs):
        raise RuntimeError("unexpected")

    monkeypatch.setattr(views.DepartmentListView, "get", boom)
    client.raise_request_exception = False
    record("api", "GET", "/api/v1/departments/", "server error")
    response = client.get("/api/v1/departments/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["message"]


# --- cursors ----------------------------------------------------------------------------------

CURSOR_ENDPOINTS = ["procedures", "legal-documents", "forms", "changes"]


def _first_cursor(client, url: str) -> str:
    body = client.get(url).json()
    assert body["meta"]["next_cursor"], (url, body["meta"])
    return body["meta"]["next_cursor"]


def forged_cursors(real: str, *, endpoint: str) -> list[tuple[str, str]]:
    body, signature = real.split(".")
    flipped = "A" if signature[-1] != "A" else "B"
    unsigned = {
        "procedures": {"o": "code", "v": "", "i": 0},
        "legal-documents": {"after": ""},
        "forms": {"after": ""},
        "changes": {"s": 0, "g": []},
    }[endpoint]
    return [
        (b64(b"[" * 2900), "nested 2900 deep"),
        (b64(b"[" * 2900) + "." + signature, "nested, with a signature"),
        ("bnVsbA", "null"),
        ("bnVsbA." + signature, "null with a real signature"),
        (b64(json.dumps(unsigned).encode()), "well-formed, unsigned"),
        (
            b64(json.dumps(["0" * 16, unsigned]).encode()) + "." + signature,
            "forged body",
        ),
        (real[:-1], "truncated by one"),
        (real[:-5], "truncated by five"),
        (real[: len(real) // 2], "half"),
        (body, "body only"),
        ("." + signature, "signature only"),
        (body + "." + signature[:-1] + flipped, "signature changed"),
        (
            body[:-1] + ("A" if body[-1] != "A" else "B") + "." + signature,
            "body changed",
        ),
        (real + "=", "padding"),
        (real + "A", "one more character"),
        (real + "." + signature, "two signatures"),
        (real.replace("-", "+").replace("_", "/") + "+/", "standard base64"),
        ("A" * 5000 + "." + signature, "5,000 characters"),
        ("%ff" + real, "not UTF-8"),
        (real + "%00", "NUL"),
        (real.upper(), "case changed"),
        ("²" + real, "Unicode digit"),
    ]


def test_forged_truncated_and_replayed_cursors_are_400(client, catalog):
    from catalog.models import LegalDocument
    from tests.factories import make_form_template

    for number in range(3):
        LegalDocument.objects.create(number=f"{number}/2025/NĐ-CP", title="Nghị định")
    make_form_template(department=catalog["stp"], code="TK02", name="Tờ khai 2")
    failures = Failures()
    for endpoint in CURSOR_ENDPOINTS:
        forged_on(client, endpoint, failures)
    failures.done()


def forged_on(client, endpoint, failures):
    base = reverse(f"api:{endpoint}")
    real = _first_cursor(client, f"{base}?page_size=1")
    cases = forged_cursors(real, endpoint=endpoint)
    # a real cursor of another endpoint, and one signed with another secret
    other = "changes" if endpoint != "changes" else "procedures"
    cases.append(
        (_first_cursor(client, reverse(f"api:{other}") + "?page_size=1"), other)
    )
    with override_settings(SECRET_KEY="another-secret-key-for-this-test"):
        cases.append((_first_cursor(client, f"{base}?page_size=1"), "another secret"))
    for cursor, label in cases:
        query = f"page_size=1&cursor={_quote(cursor) if '%' in cursor else cursor}"
        record("cursor", "GET", f"{base}?{query}", label)
        message = failures.check(
            f"{endpoint} {label}", api_error, client.get(f"{base}?{query}"), status=400
        )
        if message is not None and "cursor" not in message:
            failures.append(f"{endpoint} {label}: message does not name the cursor")


def test_a_cursor_replayed_on_another_query_is_400(client, catalog):
    cursor = _first_cursor(client, "/api/v1/procedures/?page_size=1&department=STP")
    replays = [
        "",
        "&department=PBT",
        "&department=STP,PBT",
        "&department=STP&online=full",
        "&department=STP&ordering=-code",
        "&department=STP&ordering=title",
        "&department=STP&updated_since=2000-01-01",
        "&department=STP&status=active",
    ]
    for extra in replays:
        url = f"/api/v1/procedures/?page_size=1&cursor={cursor}{extra}"
        record("cursor", "GET", url, "replayed")
        message = api_error(client.get(url), status=400)
        assert "cursor" in message and "truy vấn khác" in message, (extra, message)
    # the same query with another page size or fields is the same position: it is served
    for extra in ["&department=STP", "&department=STP&fields=title"]:
        response = client.get(f"/api/v1/procedures/?page_size=2&cursor={cursor}{extra}")
        assert response.status_code == 200, response.content


def test_cursor_is_opaque_url_safe_and_bounded(client, catalog):
    cursor = _first_cursor(client, "/api/v1/procedures/?page_size=1&ordering=title")
    assert re.fullmatch(r"[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]{27}", cursor)
    assert len(cursor) < 200
    # the signature covers the endpoint: the same payload signed for another one is refused
    scope = cursor_scope("procedures", {"ordering": ["title"]})
    payload = {"o": "title", "v": "", "i": 0}
    good = encode_cursor(payload, endpoint="procedures", scope=scope)
    wrong = encode_cursor(payload, endpoint="forms", scope=scope)
    assert (
        client.get(f"/api/v1/procedures/?ordering=title&cursor={good}").status_code
        == 200
    )
    api_error(
        client.get(f"/api/v1/procedures/?ordering=title&cursor={wrong}"), status=400
    )


# --- hypothesis: arbitrary text in every number, date and cursor parameter --------------------

VALID_NUMBER = re.compile(r"[0-9]{1,9}")
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
)


def _is_valid(param: str, value: str) -> bool:
    limits = {"page_size": 200, "limit": 20, "page": 100}
    if param in limits:
        return bool(VALID_NUMBER.fullmatch(value)) and 1 <= int(value) <= limits[param]
    if param == "updated_since":
        return bool(
            re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.+\-Z]*)?", value)
        )
    return False


ARBITRARY_VALUE_TARGETS = [
    ("/api/v1/procedures/", "page_size"),
    ("/api/v1/procedures/", "updated_since"),
    ("/api/v1/procedures/", "cursor"),
    ("/api/v1/changes/", "cursor"),
    ("/api/v1/changes/", "page_size"),
    ("/api/v1/search/", "page"),
    ("/api/v1/search/suggest/", "limit"),
]


def test_arbitrary_values_never_give_a_5xx_or_a_misread(client, catalog):
    for url, param in ARBITRARY_VALUE_TARGETS:
        arbitrary_values(client, url, param)


def arbitrary_values(client, url, param):
    from urllib.parse import quote

    @given(value=TEXT)
    @hypothesis_settings(
        max_examples=40,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(value):
        query = f"{param}={quote(value, safe='')}"
        response = client.get(f"{url}?{query}")
        if _is_valid(param, value):
            assert response.status_code in (200, 400), response.content[:200]
            return
        record("hypothesis", "GET", f"{url}?{query}")
        api_error(response, status=400)

    check()


@given(
    value=st.one_of(
        TEXT,
        st.sampled_from(BAD_NUMBERS),
        st.integers(min_value=501, max_value=10**30).map(str),
        st.integers(max_value=0).map(str),
    )
)
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_public_search_page_numbers(client, catalog, value):
    from urllib.parse import quote

    if not value or VALID_NUMBER.fullmatch(value) and 1 <= int(value) <= 500:
        return  # a real page number (or none): not a bad input
    url = f"/tim-kiem/?q=khai&trang={quote(value, safe='')}"
    record("site", "GET", url)
    response = client.get(url)
    if value.isascii() and value.isdigit() and int(value) >= 1:
        # a number past the last page: that page does not exist (404, with a way back)
        assert response.status_code == 404, (value, response.status_code)
        assert "không có kết quả" in response.content.decode()
        return
    assert response.status_code == 400, (value, response.status_code)
    assert "không phải số trang" in response.content.decode()


# --- the public search and pages ----------------------------------------------------------------


def test_public_search_and_pages_refuse_bad_input(client, catalog, counts):
    before = counts()
    failures = Failures()

    def html_4xx(response, status, text=None):
        assert response.status_code == status, (
            response.status_code,
            response.content[:200],
        )
        assert response["Content-Type"].startswith("text/html")
        if text:
            assert text in response.content.decode(), text

    page_error = "không phải số trang"
    past_the_end = [
        v for v in BAD_NUMBERS if v.isascii() and v.isdigit() and int(v) >= 1
    ]
    cases = [
        (f"trang={_quote(v)}", page_error)
        for v in BAD_NUMBERS
        if v.strip() != "" and v not in past_the_end
    ]
    cases += [
        ("q=khai&q=sinh", "chỉ được có một lần"),  # one text, as on the API
        ("trang=2&trang=3", "chỉ được có một lần"),
        ("q=khai%00sinh", "ký tự không hợp lệ"),
        ("q=%ff%fe", "ký tự không hợp lệ"),
        ("q=%1b%5b31m", "ký tự không hợp lệ"),
        ("q=a%07", "ký tự không hợp lệ"),
    ]
    for param in ("co-quan", "linh-vuc", "cap", "doi-tuong", "truc-tuyen"):
        cases += [
            (f"{param}=" + "x" * 65, "Mã bộ lọc không hợp lệ"),
            (f"{param}=%00", "Mã bộ lọc không hợp lệ"),
            (f"{param}=%ff", "Mã bộ lọc không hợp lệ"),
            ("&".join(f"{param}=C{n}" for n in range(21)), "quá nhiều bộ lọc"),
        ]
    for query, text in cases:
        url = f"/tim-kiem/?{'' if query.startswith('q=') else 'q=khai&'}{query}"
        record("site", "GET", url)
        failures.check(url, html_4xx, client.get(url), 400, text)
    for number in [
        *past_the_end,
        "501",
    ]:  # pages that do not exist: 404, with a way back
        url = f"/tim-kiem/?q=khai&trang={number}"
        record("site", "GET", url)
        failures.check(url, html_4xx, client.get(url), 404, "không có kết quả")
    for path in [
        "/nhom-thu-tuc/%00/",
        "/nhom-thu-tuc/%ff/",
        "/nhom-thu-tuc/" + "x" * 300 + "/",
        "/nhom-thu-tuc/²/",
        "/co-quan/%ff/",
        "/co-quan/so-tu-phap/%00/",
        "/" + "đ" * 300 + "/",
        "/%ed%a0%80/",
    ]:
        record("site", "GET", path)
        failures.check(path, html_4xx, client.get(path), 404)
    for method in ("post", "put", "delete"):
        record("site", method.upper(), "/tim-kiem/")
        response = getattr(client, method)("/tim-kiem/")
        failures.check(f"{method} /tim-kiem/", expect, response, 405)
    record("site", "GET", "/tim-kiem/", "6000 params")
    response = client.get("/tim-kiem/?" + "&".join(["q=a"] * 6000))
    failures.check("6000 params", html_4xx, response, 400)
    failures.done()
    assert counts() == before


# --- uploads: the import, the form template chooser, Wagtail documents ------------------------


def csv_bytes(rows: list[list[str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def upload_dirs(tmp_path, settings, monkeypatch):
    """The import's own folder and Django's upload temp folder, both watched by the tests;
    uploads over 1 KiB go to a temporary file, so its cleanup is exercised too."""
    from catalog.importing import views as import_views

    imports = tmp_path / "imports"
    uploads = tmp_path / "uploads"
    imports.mkdir()
    uploads.mkdir()
    monkeypatch.setattr(import_views, "UPLOAD_ROOT", imports)
    settings.FILE_UPLOAD_TEMP_DIR = str(uploads)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    return imports, uploads


def leftovers(*folders: Path) -> list[str]:
    return [str(p) for folder in folders for p in folder.rglob("*")]


def _header_row():
    from catalog.importing import template

    return [column.label for column in template.PROCEDURES.columns]


def bad_import_files() -> list[tuple[str, bytes, str]]:
    """(file name, content, words the error must contain)."""
    header = _header_row()
    row = ["9.000001", "Thủ tục thử"] + [""] * (len(header) - 2)
    long_cell = list(row)
    long_cell[1] = "x" * 1_000_000
    cell_40k = list(row)
    cell_40k[-1] = "đ" * 40_000
    deep = b"[" * 100_000 + b"]" * 100_000
    return [
        ("mau.csv", csv_bytes([header, long_cell]), "dòng 2, cột B"),
        ("đ" * 300 + ".csv", csv_bytes([header, long_cell]), "dòng 2, cột B"),
        (
            "mau.csv",
            csv_bytes([header, row, cell_40k]),
            f"dòng 3, cột {_letter(len(header) - 1)}",
        ),
        ("mau.csv", "Mã,Tên\n".encode("utf-16"), "không phải tệp văn bản"),
        ("mau.csv", b"M\xe3;T\xean\n\xf0;x\n", "UTF-8"),
        ("mau.csv", b"\x00\x01\x02binary", "không phải tệp văn bản"),
        ("mau.csv", b"", ""),
        ("mau.csv", b'a\rb\r\n"unterminated', ""),
        ("mau.xlsx", b"Ma,Ten\n1,2\n", "không phải bảng tính Excel"),
        ("mau.xlsx", b"PK\x03\x04" + b"\x00" * 100, "bị hỏng"),
        ("mau.json", deep, ""),
        ("mau.json", b"{" * 100_000, "không phải JSON hợp lệ"),
        ("mau.json", b'{"a": 1', "không phải JSON hợp lệ"),
        ("mau.json", b'{"a": "\\ud800"}', ""),
        ("mau.json", b"not json", "không phải JSON"),
        ("mau.jsonl", b"[" * 100_000 + b"\n", ""),
        ("mau.exe", b"MZ", "Không nhận dạng được định dạng"),
        ("mau", b"Ma,Ten\n", "Không nhận dạng được định dạng"),
        ("mau.csv\x00.exe", b"MZ", "Không nhận dạng được định dạng"),
        ("../../etc/passwd", b"root:x:0:0", "Không nhận dạng được định dạng"),
        (". .", b"x", "Không nhận dạng được định dạng"),
        ("mau.сsv", b"Ma,Ten\n", "Không nhận dạng được định dạng"),  # Cyrillic с
        ("\u202ecsv.exe", b"x", "Không nhận dạng được định dạng"),
        ("mau." + "x" * 300, b"x", "Không nhận dạng được định dạng"),
        ("đ" * 300 + ".xlsx", b"not a zip", "không phải bảng tính Excel"),
        ("đ" * 300, b"x", "Không nhận dạng được định dạng"),
    ]


def _letter(position: int) -> str:
    from catalog.importing.readers import column_letter

    return column_letter(position)


def test_import_upload_refuses_bad_files_cleanly(
    client,
    superuser,
    catalog,
    counts,
    upload_dirs,
):
    client.force_login(superuser)
    before = counts()
    failures = Failures()
    url = reverse("catalog_import")
    for name, content, words in bad_import_files():
        record("import", "POST", url, f"{name[:60]}|{len(name)}|{hash(content)}")
        upload = SimpleUploadedFile(name, content, content_type="text/csv")
        response = client.post(url, {"file": upload})

        def check(response=response, words=words, name=name):
            assert response.status_code == 400, (response.status_code, name[:40])
            text = response.content.decode()
            assert 'class="import-errors"' in text or "errorlist" in text, name[:40]
            if words:
                assert words in text, (words, name[:40])

        failures.check(repr(name[:40]), check)
        left = leftovers(*upload_dirs)
        if left:
            failures.append(f"{name[:40]!r}: left {left[:3]}")
    failures.done()
    assert counts() == before


def test_import_form_fields_and_transport_are_checked(
    client,
    superuser,
    catalog,
    counts,
    upload_dirs,
    settings,
):
    client.force_login(superuser)
    before = counts()
    failures = Failures()
    url = reverse("catalog_import")
    good = csv_bytes([_header_row()])
    for department in BAD_NUMBERS + ["-1", "1.0", "STP"]:
        if department == "":
            continue
        record("import", "POST", url, f"department={department}")
        response = client.post(
            url,
            {"file": SimpleUploadedFile("mau.csv", good), "department": department},
        )
        failures.check(
            f"department={department!r}",
            expect,
            response,
            400,
            text="errorlist",
        )
    for content_type, body, label in [
        ("application/json", b'{"file": "x"}', "json body"),
        ("text/plain", b"\x00" * 100, "text body"),
        ("multipart/form-data; boundary=zz", b"--zz\r\nbroken", "broken multipart"),
        ("multipart/form-data", b"no boundary", "no boundary"),
        ("application/x-www-form-urlencoded", b"file=%ff%fe", "no file"),
    ]:
        record("import", "POST", url, label)
        response = client.post(url, data=body, content_type=content_type)
        failures.check(label, expect, response)
    settings.IMPORT_MAX_UPLOAD_BYTES = 2000
    record("import", "POST", url, "over the size limit")
    response = client.post(url, {"file": SimpleUploadedFile("mau.csv", b"a," * 2000)})
    failures.check(
        "size",
        expect,
        response,
        400,
        text="quá lớn",
    )
    confirm = reverse("catalog_import_confirm")
    for token in ["", "../../etc", "²", "x" * 10_000, "%00", "0" * 32]:
        record("import", "POST", confirm, f"token={token[:20]}")
        response = client.post(confirm, {"token": token})
        failures.check(f"token {token[:10]!r}", expect, response, 400)
    failures.done()
    assert counts() == before
    assert leftovers(*upload_dirs) == []


def test_a_long_vietnamese_file_name_is_shortened_and_imports(
    client,
    superuser,
    catalog,
    upload_dirs,
):
    """Not a bad input: a valid file with a 300-letter name is stored under a shortened name."""
    from tests.importing.test_admin import new_procedure_xlsx

    client.force_login(superuser)
    imports, _ = upload_dirs
    content = new_procedure_xlsx(upload_dirs[0].parent)
    response = client.post(
        reverse("catalog_import"),
        {"file": SimpleUploadedFile("đ" * 300 + ".xlsx", content)},
    )
    assert response.status_code == 200, response.content.decode()[:500]
    stored = [p for p in imports.rglob("*") if p.is_file()]
    assert len(stored) == 1 and stored[0].suffix == ".xlsx"
    assert len(stored[0].name.encode()) <= 120
    token = re.search(r'name="token" value="([0-9a-f]+)"', response.content.decode())[1]
    done = client.post(reverse("catalog_import_confirm"), {"token": token})
    assert done.status_code == 200
    assert ProcedurePage.objects.filter(national_code="9.000001").exists()
    assert leftovers(*upload_dirs) == []


def test_other_upload_surfaces_refuse_overlong_and_bad_names(
    client,
    superuser,
    catalog,
    counts,
    upload_dirs,
):
    """The form template chooser's upload and Wagtail's document upload: a form error, nothing
    written, nothing left in the temporary folder."""
    from wagtail.documents import get_document_model

    client.force_login(superuser)
    Document = get_document_model()
    documents_before = Document.objects.count()
    before = counts()
    failures = Failures()
    from tests.catalog.test_form_upload import CREATE_URL as create

    names = [
        "x" * 101 + ".pdf",
        "mau.exe",
        "mau",
        "\u202efdp.exe",
    ]
    for name in names:
        record("form-upload", "POST", create, f"{name[:40]}|{len(name)}")
        response = client.post(
            create,
            {
                "file": SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * 2000),
                "code": "CT99",
                "name": "Tờ khai",
                "department": catalog["stp"].pk,
            },
        )

        def shows_error(response=response):
            # Wagtail's modal protocol: 200 with the form shown again, its error inside
            assert response.status_code in (200, 400), response.status_code
            data = json.loads(response.content)
            assert data.get("step") != "chosen", data
            assert "error" in data.get("htmlFragment", ""), data

        failures.check(f"form template {name[:20]!r}", shows_error)
    for name in ["đ" * 300 + ".pdf", "\x00.pdf", "mau.exe"]:
        record(
            "document",
            "POST",
            "/admin/documents/multiple/add/",
            f"{name[:40]}|{len(name)}",
        )
        response = client.post(
            "/admin/documents/multiple/add/",
            {"files[]": SimpleUploadedFile(name, b"%PDF-1.4 " + b"x" * 2000)},
        )
        failures.check(
            f"document {name[:20]!r}",
            expect,
            response,
            low=200,
        )
    failures.done()
    assert counts() == before
    stored = Document.objects.count() - documents_before
    for document in Document.objects.order_by("-pk")[: max(stored, 0)]:
        # A document Wagtail accepted has a name that fits the file system.
        assert len(Path(document.file.name).name.encode()) <= 255
    assert leftovers(upload_dirs[1]) == []


# --- the count ----------------------------------------------------------------------------------


def test_at_least_400_distinct_bad_inputs_were_checked(capsys):
    """Runs last (file order): the count covers every test above that ran in this session."""
    surfaces: dict[str, int] = {}
    for surface, *_ in BAD_INPUTS:
        surfaces[surface] = surfaces.get(surface, 0) + 1
    summary = ", ".join(f"{name} {count}" for name, count in sorted(surfaces.items()))
    with capsys.disabled():
        print(f"\nbad inputs checked: {len(BAD_INPUTS)} distinct ({summary})")
    assert len(BAD_INPUTS) >= MIN_DISTINCT, len(BAD_INPUTS)

"""GET /api/v1/procedures/{code}/ answered before Django's middleware and DRF: a 304, or the stored JSON.

The detail view (api.views.ProcedureDetailView) leaves what it served in the "pages" cache: the
procedure's version digest, its Last-Modified, its stored JSON and the headers the whole stack
put on the answer, stamped with the catalog generation it read. The next anonymous GET of the same
code, if the generation is still current, is answered here from that entry: a matching
If-None-Match is a 304 (any format: the ETag needs only the version), else the JSON is sent as
stored. Nothing is read from the database, nothing is built and nothing is written except the
throttle counter in the cache.

The catalog generation (`generation()`) is the newest catalog event and the shared-data token
(api.selectors.catalog_state, one query), kept in the cache for GENERATION_SECONDS and dropped
as soon as a catalog event or shared-data change is saved and again when it commits. With
REDIS_URL that drop reaches every worker and host at once; with per-process caches another
worker may answer from an entry up to GENERATION_SECONDS old.

Requests with an API key, a session or language cookie, other query parameters or anything
unusual take the ordinary path, which answers exactly as before.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from api.cache import REPRESENTATION_VERSION, with_origin
from api.throttling import ClientRateThrottle
from catalog.freshness import GENERATION_CACHE_KEY
from catalog.opendata import cpsv

PREFIX = "/api/v1/procedures/"
GENERATION_KEY = GENERATION_CACHE_KEY
GENERATION_SECONDS = 1
ENTRY_SECONDS = 3600
# Set per answer by the view or by the server: never replayed from an entry.
OWN_HEADERS = frozenset(
    {"content-length", "content-type", "etag", "last-modified", "date", "set-cookie"}
)


def cache():
    return caches["pages"]


def entry_key(code: str) -> str:
    return f"api-detail:{REPRESENTATION_VERSION}:{code}"


def generation() -> str:
    """The catalog generation: changes with every catalog event and shared-data change."""
    value = cache().get(GENERATION_KEY)
    if value is None:
        value = read_generation()
    return value


def read_generation() -> str:
    from api.selectors import catalog_state

    state = catalog_state()
    value = f"{state.last_event_id}:{state.shared}"
    cache().set(GENERATION_KEY, value, GENERATION_SECONDS)
    return value


def forget_generation(**kwargs) -> None:
    """A catalog change: drop the generation now and once more when the change commits."""
    try:
        cache().delete(GENERATION_KEY)
        transaction.on_commit(lambda: cache().delete(GENERATION_KEY))
    except Exception:  # noqa: BLE001 - a cache outage must not fail the write; the TTL is short
        pass


def connect() -> None:
    """Called from ApiConfig.ready()."""
    from wagtail.signals import page_published, page_unpublished

    from catalog.freshness import shared_models
    from catalog.models import CatalogEvent
    from catalog.signals import catalog_event_committed

    for model in [CatalogEvent, *shared_models()]:
        uid = f"api.fast:{model._meta.label}"
        post_save.connect(forget_generation, sender=model, dispatch_uid=uid + ":save")
        post_delete.connect(forget_generation, sender=model, dispatch_uid=uid + ":del")
    catalog_event_committed.connect(forget_generation, dispatch_uid="api.fast:event")
    # Any page (the home page, an information page): page answers carry the generation too.
    page_published.connect(forget_generation, dispatch_uid="api.fast:published")
    page_unpublished.connect(forget_generation, dispatch_uid="api.fast:unpublished")


def eligible(request) -> bool:
    """An anonymous GET or HEAD without a session or language cookie the fast path may answer (and the view may record)."""
    meta = request.META
    return (
        request.method in ("GET", "HEAD")
        and "HTTP_AUTHORIZATION" not in meta
        and "HTTP_X_API_KEY" not in meta
        and not (meta.get("HTTP_COOKIE") and personal_cookies(request))
    )


def personal_cookies(request) -> bool:
    """A session (a logged-in editor) or a language choice: answers may differ for them."""
    cookies = request.COOKIES
    return (
        settings.SESSION_COOKIE_NAME in cookies
        or settings.LANGUAGE_COOKIE_NAME in cookies
    )


def remember(
    request,
    response,
    *,
    code: str,
    generation: str,
    version: str,
    stamp: int,
    body: bytes | None,
):
    """Called by the detail view: mark `response` so the middleware stores it on the way out."""
    if eligible(request):
        response._fast_entry = (
            entry_key(code),
            {
                "generation": generation,
                "version": version,
                "stamp": stamp,
                "body": body,
            },
        )


def _code_and_format(request) -> tuple[str, str | None] | None:
    path = request.path_info
    if not path.startswith(PREFIX) or not path.endswith("/"):
        return None
    code = path[len(PREFIX) : -1]
    if not code or "/" in code:
        return None
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return code, None
    name, _eq, value = query.partition("=")
    if name != "format" or "&" in value or "%" in value or not value:
        return None
    return code, value


class ProcedureDetailFastPath:
    """Outermost middleware: answers from the entry when it can, records entries otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        target = _code_and_format(request) if eligible(request) else None
        if target is None:
            return self.get_response(request)
        response = self.answer(request, *target)
        if response is not None:
            return response
        response = self.get_response(request)
        stored = getattr(response, "_fast_entry", None)
        if stored is not None and response.status_code in (200, 304):
            key, entry = stored
            entry["headers"] = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in OWN_HEADERS
            ]
            try:
                cache().set(key, entry, ENTRY_SECONDS)
            except Exception:  # noqa: BLE001 - the answer is served all the same
                pass
        return response

    def answer(self, request, code: str, format_name: str | None):
        from api.negotiation import JSON

        try:
            found = cache().get_many([entry_key(code), GENERATION_KEY])
            entry = found.get(entry_key(code))
            if entry is None:
                return None
            if (found.get(GENERATION_KEY) or read_generation()) != entry["generation"]:
                return None
        except Exception:  # noqa: BLE001 - Redis down: the ordinary path decides
            return None
        representation = negotiated(request, format_name)
        if representation is None:
            return None
        try:
            origin = request.build_absolute_uri("/")[:-1]
        except DisallowedHost:
            return None
        etag = detail_etag(entry["version"], origin, representation)
        stamp = entry["stamp"]
        response = get_conditional_response(request, etag=etag, last_modified=stamp)
        if response is None:
            if representation is not JSON or entry["body"] is None:
                return None  # a 200 in another format is built by the view
            response = HttpResponse(
                with_origin(entry["body"], origin), content_type=JSON.content_type
            )
        elif not isinstance(response, HttpResponseNotModified):
            return None  # 412 and the like: the ordinary path answers them
        if not ClientRateThrottle().allow_request(request, None):
            return None  # the ordinary path counts again, answers 429 and uncounts
        for name, value in entry["headers"]:
            response[name] = value
        response["Content-Length"] = str(len(response.content))
        response["ETag"] = etag
        response["Last-Modified"] = http_date(stamp)
        return response


def detail_etag(version: str, origin: str, representation) -> str:
    """The detail's ETag; the view (api.views.ProcedureDetailView) uses the same."""
    from api.base import digest
    from api.negotiation import JSON

    if representation is JSON:
        return digest("procedure", version, origin)  # as before content negotiation
    return digest(
        "procedure",
        version,
        origin,
        representation.name,
        cpsv.MAPPING_VERSION,
        settings.WAGTAILADMIN_BASE_URL,
    )


def negotiated(request, format_name: str | None):
    """The representation asked for, or None when the ordinary path must answer (400, 406)."""
    from api.negotiation import negotiate

    query = SimpleNamespace(
        query_params={"format": format_name} if format_name else {}, META=request.META
    )
    try:
        return negotiate(query)
    except Exception:  # noqa: BLE001
        return None

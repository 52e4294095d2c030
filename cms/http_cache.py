"""Cache-Control a CDN or nginx can act on: public for anonymous reads, private for everyone else.

A GET or HEAD answered 200 or 304 to a client without an API key, a session or a language cookie
is the same for every such client (the URL, query string included, is the cache key), so it is
sent `public, max-age=PUBLIC_CACHE_MAX_AGE, stale-while-revalidate=PUBLIC_CACHE_STALE_SECONDS`.
Publishing or unpublishing a procedure purges its page and API detail from a configured front
cache (FRONTEND_CACHE_PURGE_URL, Wagtail's frontend cache invalidation), with its department's
page, which lists it. Moving a page or changing its slug purges its old addresses and those of
the pages below it, with the old parent's list. max-age bounds how stale anything else (other
lists, search results, the home page) may be.

Stays out of shared caches: the admin and previews (under /admin/), the change feed (a sync
protocol that must be current), documents (some are view-restricted), the language switch,
anything that sets a cookie, anything a view marked no-store or private, and
every answer to an editor (a session cookie) or an API-key client, which get `private`.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseNotModified
from django.utils.cache import get_conditional_response, patch_cache_control

from api import fast
from api.fast import personal_cookies

KEYED = ("HTTP_AUTHORIZATION", "HTTP_X_API_KEY")


def public_request(request) -> bool:
    meta = request.META
    return (
        request.method in ("GET", "HEAD")
        and not any(header in meta for header in KEYED)
        and not (meta.get("HTTP_COOKIE") and personal_cookies(request))
        and not request.path_info.startswith(
            tuple(settings.PUBLIC_CACHE_EXCLUDED_PREFIXES)
        )
    )


def shareable(response) -> bool:
    """Nothing in the answer itself belongs to one client.

    `Vary: Cookie` (the session was looked at, for the editor's userbar) is fine: a shared cache
    keys on the Cookie header, and requests with a session cookie are never public here.
    """
    if response.status_code not in (200, 304) or response.cookies:
        return False
    control = response.get("Cache-Control", "").lower()
    return not any(word in control for word in ("private", "no-store", "max-age"))


def apply(request, response):
    if public_request(request) and shareable(response):
        del response["Cache-Control"]
        patch_cache_control(
            response,
            public=True,
            max_age=settings.PUBLIC_CACHE_MAX_AGE,
            stale_while_revalidate=settings.PUBLIC_CACHE_STALE_SECONDS,
        )
    elif request.method in ("GET", "HEAD") and not public_request(request):
        if "no-store" not in response.get("Cache-Control", ""):
            patch_cache_control(response, private=True, no_cache=True)
    return response


class CacheHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return apply(request, self.get_response(request))


# --- purge on publish ------------------------------------------------------------------------

API_DETAIL_FORMATS = ("", "?format=jsonld", "?format=ttl")


def purge_urls_of(page) -> list[str]:
    """The page's own URL and, for a procedure, its department's page (which lists it) and its
    API detail in every format and code."""
    from wagtail.contrib.frontend_cache.utils import _get_page_cached_urls

    from catalog.models import ProcedurePage

    urls = _get_page_cached_urls(page)
    if isinstance(page, ProcedurePage):
        department = page.get_parent()
        if department is not None and department.live:
            urls += _get_page_cached_urls(department)
        root = page.get_site().root_url if page.get_site() else None
        for code in filter(None, {page.national_code, page.local_code}):
            urls += [
                f"{root}/api/v1/procedures/{code}/{query}"
                for query in API_DETAIL_FORMATS
                if root
            ]
    return urls


def purge_after_commit(sender, instance, **kwargs):
    """page_published / page_unpublished: purge once the change is visible to a refetch."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None):
        return
    page = instance

    def purge():
        from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

        purge_urls_from_cache(purge_urls_of(page))

    transaction.on_commit(purge)


def public_urls(url_path: str) -> list[str]:
    """The addresses a page at `url_path` (Wagtail's tree path) has on the sites that hold it."""
    from wagtail.models import Site

    return [
        root_url + url_path[len(root_path) - 1 :]
        for _site, root_path, root_url, *_language in Site.get_site_root_paths()
        if url_path.startswith(root_path)
    ]


def _purge_old_addresses(page, old_path: str, new_path: str, extra_pages=()) -> None:
    """A page that moved or was renamed (and every page below it) answered at old addresses
    that a front cache still holds: purge those, with the new ones and the lists around it."""
    if not getattr(settings, "WAGTAILFRONTENDCACHE", None) or old_path == new_path:
        return

    def purge():
        from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache
        from wagtail.models import Page

        urls: list[str] = []
        moved = Page.objects.descendant_of(page, inclusive=True).live().specific()
        for each in moved:
            if each.url_path.startswith(new_path):
                urls += public_urls(old_path + each.url_path[len(new_path) :])
            urls += purge_urls_of(each)
        for other in extra_pages:
            if other is not None and other.live:
                urls += purge_urls_of(other)
        purge_urls_from_cache(list(dict.fromkeys(urls)))

    transaction.on_commit(purge)


def purge_after_move(sender, instance, url_path_before, url_path_after, **kwargs):
    """post_page_move: the old addresses, and the old parent's list that showed the page."""
    _purge_old_addresses(
        instance,
        url_path_before,
        url_path_after,
        extra_pages=[kwargs.get("parent_page_before")],
    )


def purge_after_slug_change(sender, instance, instance_before, **kwargs):
    """page_slug_changed: the addresses under the old slug."""
    _purge_old_addresses(instance, instance_before.url_path, instance.url_path)


def connect() -> None:
    """Called from CmsConfig.ready()."""
    from wagtail.signals import (
        page_published,
        page_slug_changed,
        page_unpublished,
        post_page_move,
    )

    page_published.connect(purge_after_commit, dispatch_uid="cms.http_cache:published")
    page_unpublished.connect(
        purge_after_commit, dispatch_uid="cms.http_cache:unpublished"
    )
    post_page_move.connect(purge_after_move, dispatch_uid="cms.http_cache:moved")
    page_slug_changed.connect(
        purge_after_slug_change, dispatch_uid="cms.http_cache:renamed"
    )


# --- 304 for public pages before anything runs ----------------------------------------------


# Search pages also depend on the administrators' synonyms and best bets, which are not catalog
# events: a token in the "pages" cache, replaced when they change, joins the catalog generation.
TUNING_TOKEN_KEY = "search-tuning-token"


def tuning_token(found: dict) -> str:
    token = found.get(TUNING_TOKEN_KEY)
    if (
        token is None
    ):  # first use, or evicted: a new token, so no entry made before matches
        fast.cache().add(TUNING_TOKEN_KEY, uuid.uuid4().hex, None)
        token = fast.cache().get(TUNING_TOKEN_KEY) or ""
    return token


def forget_tuning_token() -> None:
    """A synonym or best bet changed: no page revalidates against an answer made before."""
    try:
        fast.cache().set(TUNING_TOKEN_KEY, uuid.uuid4().hex, None)
    except Exception:  # noqa: BLE001 - a cache outage must not fail the save
        pass


def page_key(request) -> str:
    where = f"{request.scheme}|{request.get_host()}|{request.get_full_path()}"
    return "page-etag:" + hashlib.blake2b(where.encode(), digest_size=16).hexdigest()


class PageConditionalMiddleware:
    """Public pages get an ETag (a digest of the page) and a cheap 304 while it holds.

    What a page answer looked like is kept in the "pages" cache with the catalog generation
    (api.fast.generation) and the search tuning token read before it was rendered; while both
    hold, a matching If-None-Match is answered 304 here, before sessions, language, routing or
    the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/") or not public_request(request):
            return self.get_response(request)
        try:
            key = page_key(request)
            found = fast.cache().get_many([key, fast.GENERATION_KEY, TUNING_TOKEN_KEY])
            catalog = found.get(fast.GENERATION_KEY) or fast.read_generation()
            current = f"{catalog}|{tuning_token(found)}"
        except Exception:  # noqa: BLE001 - a bad Host header, Redis down: the ordinary path
            return self.get_response(request)
        entry = found.get(key)
        if entry and entry["generation"] == current:
            not_modified = get_conditional_response(request, etag=entry["etag"])
            if isinstance(not_modified, HttpResponseNotModified):
                for name, value in entry["headers"]:
                    not_modified[name] = value
                not_modified["ETag"] = entry["etag"]
                return not_modified
        response = self.get_response(request)
        if (
            response.status_code == 200
            and not response.streaming
            and "public" in response.get("Cache-Control", "")
            and response.get("Content-Type", "").startswith("text/html")
        ):
            etag = (
                '"'
                + hashlib.blake2b(response.content, digest_size=16).hexdigest()
                + '"'
            )
            response["ETag"] = etag
            headers = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in fast.OWN_HEADERS
            ]
            try:
                fast.cache().set(
                    key,
                    {"generation": current, "etag": etag, "headers": headers},
                    fast.ENTRY_SECONDS,
                )
            except Exception:  # noqa: BLE001 - served all the same
                pass
            response = get_conditional_response(request, etag=etag, response=response)
        return response

"""The conventions every /api/v1/ view shares; search/api_views.py subclasses CatalogAPIView too."""

import hashlib
from datetime import UTC, datetime

from django.core.cache import caches
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api.authentication import ApiKeyAuthentication
from api.throttling import ClientRateThrottle


class UnknownParameter(ParseError):
    default_code = "unknown_parameter"


class CatalogAccessMixin:
    """Anonymous or API-key reads, throttled per key or per client IP.

    Set on the views rather than in REST_FRAMEWORK defaults, so Wagtail's own admin API keeps
    its session access and is not throttled with the public.
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [ClientRateThrottle]


class ConditionalGetMixin:
    """ETag from the rendered body and Last-Modified for 200 GETs; 304 when the client has it."""

    last_modified_cache = "throttle"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            return self.conditional(request, response)
        return response

    def conditional(self, request, response):
        """ETag from the body; Last-Modified = when this URL first served this body (shared cache)."""
        response.render()
        digest = hashlib.sha256(self.etag_source(response)).hexdigest()[:32]
        etag = f'"{digest}"'
        since = self.first_served(request, etag)
        response["ETag"] = etag
        response["Last-Modified"] = http_date(since)
        patch_cache_control(response, no_cache=True)
        return get_conditional_response(
            request._request, etag=etag, last_modified=since, response=response
        )

    def etag_source(self, response) -> bytes:
        """What the ETag is computed from: the body, unless a view has parts that vary per call."""
        return response.content

    def first_served(self, request, etag: str) -> int:
        """Keyed by URL, so content that changes and changes back still gets a new date."""
        query = sorted(request.query_params.lists())
        renderer = getattr(request, "accepted_renderer", None)
        url = f"{request.path}?{query!r}|{getattr(renderer, 'format', '')}"
        key = "api-lm:" + hashlib.sha256(url.encode()).hexdigest()
        cache = caches[self.last_modified_cache]
        stored = cache.get(key)
        if stored and stored[0] == etag:
            return stored[1]
        now = int(datetime.now(UTC).timestamp())
        cache.set(key, (etag, now), timeout=7 * 86400)
        return now


class CatalogAPIView(CatalogAccessMixin, ConditionalGetMixin, APIView):
    """Read-only JSON view: rejects unknown query parameters, adds ETag and Last-Modified, answers 304.

    Subclasses list the parameters they accept in `query_params_allowed`; a parameter in
    `query_params_single` may appear at most once. Throttling, API-key authentication, JSON
    rendering and the `{"message": ...}` error body come from the REST_FRAMEWORK defaults.
    """

    http_method_names = ["get", "head"]
    query_params_allowed: frozenset[str] = frozenset()
    query_params_single: frozenset[str] = frozenset()

    def initial(self, request, *args, **kwargs):
        super().initial(
            request, *args, **kwargs
        )  # authentication, permissions, throttles first
        self.check_query_params(request)

    def check_query_params(self, request) -> None:
        unknown = sorted(set(request.query_params) - set(self.query_params_allowed))
        if unknown:
            allowed = ", ".join(sorted(self.query_params_allowed)) or _("không có")
            raise UnknownParameter(
                _(
                    "Tham số không được hỗ trợ: %(unknown)s. Tham số hợp lệ: %(allowed)s."
                )
                % {"unknown": ", ".join(unknown)[:300], "allowed": allowed}
            )
        for name in self.query_params_single:
            if len(request.query_params.getlist(name)) > 1:
                raise ParseError(
                    _("Tham số %(name)s chỉ được gửi một lần.") % {"name": name}
                )

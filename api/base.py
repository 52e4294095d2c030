"""The conventions every /api/v1/ view shares; search/api_views.py subclasses CatalogAPIView too."""

import hashlib
from datetime import datetime

from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

import orjson

from api.authentication import ApiKeyAuthentication
from api.selectors import catalog_state
from api.throttling import ClientRateThrottle


class UnknownParameter(ParseError):
    default_code = "unknown_parameter"


class CatalogAccessMixin:
    """Anonymous or API-key reads, throttled per key or per client IP.

    Set on the views rather than in REST_FRAMEWORK defaults, so Wagtail's own admin API keeps
    its session access and is not throttled with the public. Reads need no request transaction:
    the views run outside ATOMIC_REQUESTS (no BEGIN / COMMIT round trips per call).
    """

    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [ClientRateThrottle]
    reads_outside_transaction = True  # see api.exceptions

    @classmethod
    def as_view(cls, **initkwargs):
        return transaction.non_atomic_requests(super().as_view(**initkwargs))


def json_response(body: bytes) -> HttpResponse:
    return HttpResponse(body, content_type="application/json")


def conditional_answer(
    request, *, etag: str, modified: datetime, build
) -> HttpResponse:
    """304 when the client holds `etag` (or a date not older than `modified`); else `build()`.

    For views that know their validators before building the body, so a 304 builds nothing.
    `build` returns the JSON bytes of the 200.
    """
    django_request = getattr(request, "_request", request)
    stamp = int(modified.timestamp())
    response = get_conditional_response(django_request, etag=etag, last_modified=stamp)
    if response is None:
        response = json_response(build())
    return with_validators(response, etag=etag, stamp=stamp)


def with_validators(response, *, etag: str, stamp: int):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(stamp)
    patch_cache_control(response, no_cache=True)
    return response


def digest(*parts) -> str:
    """A strong ETag from the values that determine a body."""
    raw = orjson.dumps(parts, default=str)
    return '"' + hashlib.sha256(raw).hexdigest()[:32] + '"'


class ConditionalGetMixin:
    """ETag and Last-Modified on 200 GETs; 304 when the client has it.

    Views that set ETag themselves (conditional_answer) are left alone; for the others the ETag
    is a digest of the rendered body and Last-Modified the last change of the published catalog
    (an event or shared data: lists, departments, forms, holidays), from the data itself.
    """

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if (
            request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.has_header("ETag")
        ):
            return self.conditional(request, response)
        return response

    def conditional(self, request, response):
        response.render()
        etag = '"' + hashlib.sha256(self.etag_source(response)).hexdigest()[:32] + '"'
        stamp = int(self.last_modified(request).timestamp())
        response = with_validators(response, etag=etag, stamp=stamp)
        return get_conditional_response(
            request._request, etag=etag, last_modified=stamp, response=response
        )

    def etag_source(self, response) -> bytes:
        """What the ETag is computed from: the body, unless a view has parts that vary per call."""
        return response.content

    def last_modified(self, request) -> datetime:
        """Never earlier than the content's last change; subclasses may be more precise."""
        return catalog_state().changed_at


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

"""Every API error is `{"message": ...}` with the right 4xx, never an HTML page."""

from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail) -> str:
    if isinstance(detail, dict):
        return "; ".join(f"{key}: {_flatten(value)}" for key, value in detail.items())
    if isinstance(detail, list):
        return "; ".join(_flatten(item) for item in detail)
    return str(detail)


def exception_handler(exc, context):
    """DRF's handler (status, headers such as Retry-After and WWW-Authenticate), our body shape."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Không tìm thấy."))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    message = _flatten(getattr(exc, "detail", response.data))
    if isinstance(exc, exceptions.Throttled):
        message = _("Vượt quá hạn mức truy cập; thử lại sau %(seconds)s giây.") % {
            "seconds": response.get("Retry-After", "?")
        }
    body = {"message": message}
    return Response(body, status=response.status_code, headers=dict(response.items()))


def not_found(request, *args, **kwargs):
    """Unmatched URLs under /api/v1/ answer JSON, not the site's HTML 404."""
    return JsonResponse(
        {"message": _("Không có điểm cuối API này.")}, status=status.HTTP_404_NOT_FOUND
    )

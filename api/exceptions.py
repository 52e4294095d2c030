"""Every API error is `{"message": ...}` with the right 4xx, never an HTML page."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cms.outage import COMPACT_UNICODE


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
    if getattr(context.get("view"), "reads_outside_transaction", False):
        response = _response_without_rollback(exc)
    else:
        response = drf_exception_handler(exc, context)
    if response is None:
        return None
    message = _flatten(getattr(exc, "detail", response.data))
    if isinstance(exc, exceptions.NotAcceptable) and exc.detail == (
        exceptions.NotAcceptable.default_detail
    ):
        message = _(
            "Không có định dạng nào khớp với tiêu đề Accept; điểm cuối này trả về "
            "application/json."
        )
    if isinstance(exc, exceptions.Throttled):
        message = _("Vượt quá hạn mức truy cập; thử lại sau %(seconds)s giây.") % {
            "seconds": response.get("Retry-After", "?")
        }
    body = {"message": message}
    return Response(body, status=response.status_code, headers=dict(response.items()))


def _response_without_rollback(exc) -> Response | None:
    """DRF's handler minus set_rollback(): these views run outside ATOMIC_REQUESTS, so the
    atomic block it would mark is not theirs (a caller's transaction, a test's)."""
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = f"{int(exc.wait)}"
    return Response(exc.detail, status=exc.status_code, headers=headers)


@csrf_exempt  # a POST to an unknown endpoint is a 404, not a CSRF 403
def not_found(request, *args, **kwargs):
    """Unmatched URLs under /api/v1/ answer JSON, not the site's HTML 404."""
    return JsonResponse(
        {"message": _("Không có điểm cuối API này.")},
        status=status.HTTP_404_NOT_FOUND,
        json_dumps_params=COMPACT_UNICODE,  # written as the API's other answers are
    )

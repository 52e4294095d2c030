"""Every error under /api/ answers the API's JSON shape, whoever produced it.

DRF views already answer `{"message": ...}` (api.exceptions). What they never see is answered by
Django itself in HTML (or by the schema view in YAML): an unmatched URL under /api/v2/, a 400 for
a bad Host header or too many query parameters, a CSRF 403, a 500 from an unexpected error, a 503
from a database outage. This middleware, outermost, turns those bodies into `{"message": ...}`
and keeps the status and the other headers (Allow, Retry-After, security headers).
"""

from http import HTTPStatus

from django.http import HttpResponse
from django.utils.translation import gettext as _

import orjson

API_PREFIX = "/api/"


def default_message(status: int) -> str:
    messages = {
        400: _("Yêu cầu không hợp lệ."),
        401: _("Cần khóa API hợp lệ."),
        403: _("Yêu cầu bị từ chối."),
        404: _("Không có điểm cuối API này."),
        405: _("Phương thức HTTP này không được hỗ trợ."),
        413: _("Yêu cầu quá lớn."),
        414: _("Địa chỉ yêu cầu quá dài."),
        415: _("Kiểu nội dung không được hỗ trợ."),
        429: _("Vượt quá hạn mức truy cập; thử lại sau."),
        500: _("Lỗi máy chủ; sự cố đã được ghi nhận, hãy thử lại sau."),
        503: _("Dịch vụ tạm thời gián đoạn; hãy thử lại sau."),
    }
    if status in messages:
        return messages[status]
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _("Yêu cầu không thành công.")


def is_json(response) -> bool:
    return response.get("Content-Type", "").split(";")[0].strip() == "application/json"


def message_of(response) -> str:
    """The message a DRF response already carries (the schema view renders its errors as YAML)."""
    data = getattr(response, "data", None)
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data["message"]
    if isinstance(data, dict) and isinstance(data.get("detail"), str):
        return data["detail"]
    return default_message(response.status_code)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path_info.startswith(API_PREFIX)
            and not is_json(response)
        ):
            return as_json(response)
        return response


def as_json(response):
    body = orjson.dumps({"message": message_of(response)})
    if response.streaming:
        replacement = HttpResponse(status=response.status_code)
        for name, value in response.items():
            if name.lower() not in ("content-type", "content-length"):
                replacement[name] = value
        response.close()
        response = replacement
    response.content = body
    response["Content-Type"] = "application/json"
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(body))
    return response

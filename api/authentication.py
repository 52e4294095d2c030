"""API-key authentication: the key travels in a header, never in the URL."""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.models import ApiKey, hash_key

# Query parameters that look like a credential; a key sent there is refused, since URLs get logged.
KEY_QUERY_PARAMS = frozenset(
    {"api_key", "apikey", "api-key", "key", "access_token", "token", "x-api-key"}
)
MAX_KEY_LENGTH = 200


class KeyInQueryString(exceptions.APIException):
    status_code = 400
    default_detail = _(
        "Không gửi khóa API trên URL; hãy gửi trong tiêu đề Authorization: Api-Key <khóa> "
        "hoặc X-Api-Key. Nếu khóa đã lộ, hãy đề nghị thu hồi."
    )
    default_code = "key_in_query_string"


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` or `X-Api-Key: <key>`; no header means an anonymous read."""

    keyword = "Api-Key"

    def authenticate(self, request):
        if any(name.lower() in KEY_QUERY_PARAMS for name in request.query_params):
            raise KeyInQueryString()
        raw = self._raw_key(request)
        if raw is None:
            return None
        if not raw or len(raw) > MAX_KEY_LENGTH:
            raise exceptions.AuthenticationFailed(_("Khóa API không hợp lệ."))
        key = ApiKey.objects.filter(key_hash=hash_key(raw)).first()
        if key is None:
            raise exceptions.AuthenticationFailed(_("Khóa API không hợp lệ."))
        if not key.is_active:
            raise exceptions.AuthenticationFailed(_("Khóa API đã bị thu hồi."))
        key.mark_used()
        return AnonymousUser(), key

    def _raw_key(self, request) -> str | None:
        header = request.META.get("HTTP_AUTHORIZATION")
        if header:
            scheme, _sep, value = header.strip().partition(" ")
            if scheme.lower() != self.keyword.lower():
                raise exceptions.AuthenticationFailed(
                    _("Chỉ chấp nhận Authorization: Api-Key <khóa>.")
                )
            return value.strip()
        value = request.META.get("HTTP_X_API_KEY")
        return value.strip() if value is not None else None

    def authenticate_header(self, request):
        return self.keyword


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-Api-Key",
            "description": "An API key issued by the catalog administrators. "
            "`Authorization: Api-Key <key>` is accepted as well. Never put it in the URL.",
        }

"""Admin login throttling (django-axes): who is counted, and what a locked-out person sees.

Failures are counted per username and client address; the address is the one the API throttle
uses (api.throttling.client_ip: REMOTE_ADDR, or X-Forwarded-For only as far as
API_TRUSTED_PROXIES allows), so a forged header cannot start a fresh count.
"""

from django.conf import settings
from django.http import HttpResponse

from api.throttling import client_ip
from catalog.user_forms import lockout_message


def lockout_client_ip(request) -> str | None:
    """The client address for axes: an IPv6 client's /64 as its network address, None if unreadable."""
    address = client_ip(request)
    if address == "unknown":
        return None
    return address.removesuffix("/64")


def lockout_response(request, original_response=None, credentials=None):
    """The login page as drawn (its form already says why, catalog.user_forms.LoginForm), as a 429.

    Anything else that authenticates (no HTML page to keep) gets the message as plain text.
    """
    status = settings.AXES_HTTP_RESPONSE_CODE
    if original_response is not None and original_response.get(
        "Content-Type", ""
    ).startswith("text/html"):
        response = original_response
        response.status_code = status
    else:
        response = HttpResponse(
            lockout_message(), status=status, content_type="text/plain; charset=utf-8"
        )
    # The whole cool-off: an upper bound, since the lock counts from the last wrong password.
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response

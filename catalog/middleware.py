"""Record every refused admin request: any 403 (reads too), and refused writes that Wagtail answers
with its "no permission" redirect or a login bounce. Refusals decided before the view (the admin
guard, catalog.admin_guard) record themselves and mark the request."""

from contextvars import ContextVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from catalog.services.roles import (
    denials_in_request,
    record_denied,
    rewrite_lost_denials,
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# The user of the request being served; lets display code hide other departments' draft titles.
current_user: ContextVar = ContextVar("catalog_current_user", default=None)


class DeniedWriteAuditMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        pending: list = []
        token = denials_in_request.set(pending)
        user_token = current_user.set(getattr(request, "user", None))
        try:
            response = self.get_response(request)
        finally:
            denials_in_request.reset(token)
            current_user.reset(user_token)
        if pending:
            rewrite_lost_denials(pending)
        elif self._is_denied_write(request, response) and not getattr(
            request, "_catalog_denied", False
        ):
            self._record(request, f"HTTP {response.status_code}")
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            request._catalog_denial_detail = str(exception) or "PermissionDenied"
        return None

    def _is_denied_write(self, request, response) -> bool:
        if not request.path.startswith("/admin/"):
            return False
        if response.status_code == 403:
            # A refused read is a refusal too (issue 15): bulk confirmations, choosers, reports.
            return bool(
                getattr(getattr(request, "user", None), "is_authenticated", False)
            )
        if request.method not in WRITE_METHODS:
            return False
        if response.status_code in (301, 302):
            target = response.get("Location", "")
            login = reverse("wagtailadmin_login")
            if target.startswith(login) or target.startswith(settings.LOGIN_URL):
                return not request.path.startswith(login)
            if target == reverse("wagtailadmin_home"):
                # wagtail.admin.auth.permission_denied() redirects home with an error message.
                storage = getattr(request, "_messages", None)
                queued = getattr(storage, "_queued_messages", [])
                return any(message.level_tag == "error" for message in queued)
        return False

    def _record(self, request, detail: str) -> None:
        request._catalog_denied = True
        record_denied(
            actor=getattr(request, "user", None),
            action=f"{request.method} {request.get_full_path()}"[:300],
            detail=getattr(request, "_catalog_denial_detail", "") or detail,
        )

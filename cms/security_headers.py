"""Content-Security-Policy and Permissions-Policy on every response.

Public pages get settings.CONTENT_SECURITY_POLICY: scripts and styles from this site only, no
'unsafe-inline' (the few inline blocks they need carry the request's nonce). The Wagtail admin
writes inline scripts and styles throughout, so paths under ADMIN_CSP_PATH_PREFIXES get the looser
settings.ADMIN_CONTENT_SECURITY_POLICY instead (docs/operations.md, "Security headers").
"""

from django.conf import settings

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the admin policy by path."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        if request.path_info.startswith(tuple(settings.ADMIN_CSP_PATH_PREFIXES)):
            parts.config = default_config(
                settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"]
            )
        return parts


class PermissionsPolicyMiddleware:
    """Turns off the browser features the catalog never uses (camera, microphone, location...)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response

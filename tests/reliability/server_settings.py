"""Production settings for the throwaway servers the reliability tests start.

Only static files differ: a throwaway server has no collectstatic manifest, and production's
ManifestStaticFilesStorage would fail every page on it. Everything else (DEBUG off, persistent
PostgreSQL connections with health checks, middleware, error handlers) is production's own.
"""

from cms.settings.production import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

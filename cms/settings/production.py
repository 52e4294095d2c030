"""Production: every secret from the environment, HTTPS everywhere, JSON-only API."""

from cms.config import ConfigError, env, env_bool, env_int
from cms.storage import media_storage

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY or len(SECRET_KEY) < 50:
    raise ConfigError(
        "production needs SECRET_KEY set to a random string of at least 50 characters."
    )
if ALLOWED_HOSTS == ["127.0.0.1", "localhost"] and env("ALLOWED_HOSTS") is None:  # noqa: F405
    raise ConfigError("production needs ALLOWED_HOSTS (comma-separated host names).")

SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", True) else None
)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": media_storage(),
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"
    },
}
TASKS = {
    "default": {
        "BACKEND": env(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

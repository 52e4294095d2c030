"""Local development: DEBUG on, a generated secret key kept under var/."""

import secrets

from cms.config import env

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = True


def _dev_secret_key() -> str:
    path = VAR_DIR / "dev_secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env("SECRET_KEY") or _dev_secret_key()
ALLOWED_HOSTS = ["*"]
REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] = [  # noqa: F405
    "rest_framework.renderers.JSONRenderer",
    "rest_framework.renderers.BrowsableAPIRenderer",
]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

try:
    from .local import *  # noqa: F403
except ImportError:
    pass

"""Tests: fast hashing, in-memory cache, tasks at once, search indexes named test_*."""

import os
import tempfile
from pathlib import Path

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SEARCH_INDEX_NAME = "test_procedures"
_TMP = Path(os.environ.get("TEST_VAR_DIR") or tempfile.mkdtemp(prefix="catalog-test-"))
SEARCH_INDEX_DIR = _TMP / "search"
OPEN_DATA_DIR = _TMP / "opendata"
MEDIA_ROOT = _TMP / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
}

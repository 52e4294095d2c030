"""Benchmark settings: the test settings, with throttles out of the way and Wagtail's API allowed 100 a page."""

import os
from pathlib import Path

os.environ.setdefault("API_ANON_RATE", "100000000/min")
os.environ.setdefault("API_SUGGEST_RATE", "100000000/min")
os.environ.setdefault("API_DEFAULT_KEY_RATE", "100000000/min")

from cms.settings.test import *  # noqa: E402, F403
from cms.settings.test import _TMP  # noqa: E402

VAR_DIR = Path(os.environ.get("VAR_DIR") or _TMP)
SEARCH_INDEX_DIR = Path(os.environ.get("SEARCH_INDEX_DIR") or VAR_DIR / "search")
# Under VAR_DIR like the rest, so that every process of a run (load_demo, the commands a
# benchmark starts) sees the same form files.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or VAR_DIR / "media")
OPEN_DATA_DIR = VAR_DIR / "opendata"
SEARCH_INDEX_NAME = "bench_procedures"
WAGTAILAPI_LIMIT_MAX = 100
DEBUG = False
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "root": {"level": "WARNING"},
}

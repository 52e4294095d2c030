"""The OpenAPI schema and the interactive docs, with the same ETag and throttling as the data."""

import functools
from datetime import UTC, datetime
from pathlib import Path

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.base import CatalogAccessMixin, ConditionalGetMixin


@functools.cache
def code_changed_at() -> datetime:
    """The newest source file the schema is generated from: a deploy that changes it moves it."""
    base = Path(__file__).resolve().parent.parent
    files = [*(base / "api").rglob("*.py"), *(base / "search").rglob("*.py")]
    return datetime.fromtimestamp(max(f.stat().st_mtime for f in files), tz=UTC)


class SchemaView(CatalogAccessMixin, ConditionalGetMixin, SpectacularAPIView):
    def last_modified(self, request) -> datetime:
        """The schema depends on the code, not on the catalog."""
        return code_changed_at()


class SwaggerView(CatalogAccessMixin, SpectacularSwaggerView):
    """Its page carries a per-request CSRF token, so it gets no ETag."""

    # OPTIONS would render DRF's metadata through the HTML template renderer: a 500.
    http_method_names = ["get", "head"]

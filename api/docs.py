"""The OpenAPI schema and the interactive docs, with the same ETag and throttling as the data."""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from api.base import CatalogAccessMixin, ConditionalGetMixin


class SchemaView(CatalogAccessMixin, ConditionalGetMixin, SpectacularAPIView):
    pass


class SwaggerView(CatalogAccessMixin, SpectacularSwaggerView):
    """Its page carries a per-request CSRF token, so it gets no ETag."""

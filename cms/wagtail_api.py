"""Wagtail's generic pages API (/api/v2/) with its paging numbers read as the catalog API reads them.

Wagtail's pagination takes any int(): an offset past the database's integer range was a 500 and
"١" was read as 1. Here both are ASCII digits, the offset at most 999,999,999; anything else is
Wagtail's own 400 {"message": ...}.
"""

from wagtail.api.v2.pagination import WagtailPagination
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet

from catalog.request_values import whole_number


class BoundedPagination(WagtailPagination):
    def paginate_queryset(self, queryset, request, view=None):
        for name in ("offset", "limit"):
            value = request.GET.get(name)
            if value is not None and whole_number(value) is None:
                raise BadRequestError(
                    f"{name} must be a whole number from 0 to 999999999"
                )
        return super().paginate_queryset(queryset, request, view)


class CatalogPagesAPIViewSet(PagesAPIViewSet):
    pagination_class = BoundedPagination

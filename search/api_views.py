"""GET /api/v1/search/ and /api/v1/search/suggest/: thin views over the search interface."""

from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer

from api.base import CatalogAccessMixin, ConditionalGetMixin
from api.params import CODE_RE
from api.schema import CONDITIONAL_HEADERS, RESPONSE_HEADERS, responses
from api.throttling import SuggestRateThrottle
from catalog.request_values import has_unreadable_characters, whole_number
from cms.replica import first_attempt
from search import query_log
from search.analysis import normalize
from search.engines import get_engine
from search.queries import (
    FACETS,
    MAX_PAGE_SIZE,
    MAX_RESULT_WINDOW,
    MAX_TEXT_LENGTH,
    QueryError,
    SearchQuery,
    too_long_message,
)

SEARCH_PARAMS = {"q", "page", "page_size", *FACETS}
SUGGEST_PARAMS = {"q", "limit"}


class MetaSerializer(serializers.Serializer):
    total_count = serializers.IntegerField()
    engine = serializers.ChoiceField(choices=["embedded", "elasticsearch", "database"])
    took_ms = serializers.FloatField()
    fallback = serializers.BooleanField(
        help_text="True when the configured engine failed and the database answered."
    )
    fallback_reason = serializers.CharField(
        allow_null=True,
        help_text="Why the database answered (index missing, corrupt, incomplete, "
        "engine unreachable); null when it did not.",
    )


class SearchItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    department = serializers.CharField()
    url = serializers.CharField()
    highlight = serializers.CharField(
        help_text="The name as HTML: everything escaped, matched words in <mark>."
    )


class BucketSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    selected = serializers.BooleanField()


class FacetsSerializer(serializers.Serializer):
    department = BucketSerializer(many=True)
    field = BucketSerializer(many=True)
    level = BucketSerializer(many=True)
    subject = BucketSerializer(many=True)
    online = BucketSerializer(many=True)


class SearchResponseSerializer(serializers.Serializer):
    meta = MetaSerializer()
    items = SearchItemSerializer(many=True)
    facets = FacetsSerializer(
        help_text="Counts per facet; each facet's counts ignore that facet's own filter."
    )
    suggestion = serializers.CharField(
        allow_null=True, help_text="A corrected query when few results were found."
    )


class SuggestItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    url = serializers.CharField()
    department = serializers.CharField(
        help_text="The department that carries it out (names alone repeat across wards)."
    )
    elsewhere = serializers.CharField(
        allow_blank=True,
        help_text="For another province's specific procedure, whose it is "
        "(«Thủ tục đặc thù của UBND tỉnh …», in the request's language); else empty. "
        "Such items come after this city's.",
    )


def _unknown(request, allowed: set[str]) -> Response | None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        return Response(
            {
                "message": _(
                    "Tham số không được hỗ trợ: %(unknown)s. Tham số hợp lệ: %(allowed)s."
                )
                % {
                    "unknown": ", ".join(unknown)[:300],
                    "allowed": ", ".join(sorted(allowed)),
                }
            },
            status=400,
        )
    if len(request.query_params.getlist("q")) > 1:
        return Response(
            {"message": _("Tham số %(name)s chỉ được gửi một lần.") % {"name": "q"}},
            status=400,
        )
    return None


def _values(request, name: str) -> list[str]:
    """Filter codes; anything else is refused, so a mangled code never silently matches nothing."""
    values = []
    for raw in request.query_params.getlist(name):
        values += [v.strip() for v in raw.split(",") if v.strip()]
    given = name in request.query_params
    # as on procedures/: codes only, and a filter given empty ("online=,") is no filter asked
    if (given and not values) or any(not CODE_RE.match(value) for value in values):
        raise QueryError(
            _("%(name)s nhận các mã dài tối đa 64 ký tự, cách nhau bằng dấu phẩy.")
            % {"name": name}
        )
    return values


def _text(request) -> str:
    """`q` as typed; control characters or bytes that were not UTF-8 are refused."""
    text = request.query_params.get("q", "")
    if len(text) > MAX_TEXT_LENGTH * 5:
        raise QueryError(too_long_message())
    if has_unreadable_characters(text):
        raise QueryError(
            _("q chứa ký tự không hợp lệ (ký tự điều khiển hoặc không phải UTF-8).")
        )
    return text


def _number(request, name: str, *, default: int, maximum: int) -> int:
    """A whole number from 1 to `maximum`, sent at most once, in ASCII digits ("８", "1_0" refused)."""
    values = request.query_params.getlist(name)
    if not values:
        return default
    number = whole_number(values[0], minimum=1, maximum=maximum)
    if len(values) > 1 or number is None:
        raise QueryError(
            _("%(name)s phải được gửi một lần, là số nguyên từ 1 đến %(max)s.")
            % {"name": name, "max": maximum}
        )
    return number


def _filter_param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        OpenApiTypes.STR,
        description=f"{description} Several codes: repeat the parameter or separate with commas.",
    )


class SearchView(CatalogAccessMixin, ConditionalGetMixin, APIView):
    """Full-text search over published procedures, with facets, highlights and suggestions."""

    def etag_source(self, response) -> bytes:
        """The same results give the same ETag although took_ms differs from call to call."""
        data = dict(response.data)
        data["meta"] = {k: v for k, v in data["meta"].items() if k != "took_ms"}
        return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)

    @extend_schema(
        operation_id="search_procedures",
        summary="Search procedures",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description="What the citizen typed (diacritics optional, at most "
                f"{MAX_TEXT_LENGTH} characters; longer is a 400).",
            ),
            _filter_param("department", "Department code, e.g. STP."),
            _filter_param("field", "Field code, e.g. G15-TP07."),
            _filter_param("level", "Level code."),
            _filter_param("subject", "Subject type code."),
            _filter_param("online", "Online service level: full, partial or none."),
            OpenApiParameter(
                "page",
                {"type": "integer", "minimum": 1, "maximum": MAX_RESULT_WINDOW},
                description="1-based page number; page × page_size at most "
                f"{MAX_RESULT_WINDOW}.",
            ),
            OpenApiParameter(
                "page_size",
                {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
                description=f"Results per page, 1 to {MAX_PAGE_SIZE} (default 20).",
            ),
            *CONDITIONAL_HEADERS,
            *RESPONSE_HEADERS,
        ],
        # as the catalog API: 304 on a matching ETag, 401 for a bad key, 429 over quota
        responses=responses(SearchResponseSerializer),
        tags=["search"],
    )
    def get(self, request):
        error = _unknown(request, SEARCH_PARAMS)
        if error:
            return error
        try:
            query = SearchQuery(
                text=_text(request),
                filters={name: _values(request, name) for name in FACETS},
                page=_number(request, "page", default=1, maximum=MAX_RESULT_WINDOW),
                page_size=_number(
                    request, "page_size", default=20, maximum=MAX_PAGE_SIZE
                ),
            )
            result = get_engine().search(query)
        except QueryError as exc:
            return Response({"message": exc.message}, status=400)
        if (
            query.text
            and query.page == 1
            and not query.filters
            and first_attempt(request, "search log")
        ):
            query_log.record_search(query.text, total=result.total)
        return Response(
            {
                "meta": {
                    "total_count": result.total,
                    "engine": result.engine,
                    "took_ms": result.took_ms,
                    "fallback": result.fallback,
                    "fallback_reason": result.fallback_reason or None,
                },
                "items": [
                    {
                        "code": hit.code,
                        "name": hit.name,
                        "department": hit.department,
                        "url": hit.url,
                        "highlight": hit.highlight,
                    }
                    for hit in result.hits
                ],
                "facets": {
                    name: [
                        {
                            "value": b.value,
                            "label": b.label,
                            "count": b.count,
                            "selected": b.selected,
                        }
                        for b in buckets
                    ]
                    for name, buckets in result.facets.items()
                },
                "suggestion": result.suggestion,
            }
        )


class SuggestView(CatalogAccessMixin, ConditionalGetMixin, APIView):
    """Autocomplete on procedure names as the citizen types."""

    throttle_classes = [SuggestRateThrottle]

    @extend_schema(
        operation_id="suggest_procedures",
        summary="Autocomplete procedure names",
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                required=True,
                description=f"The words typed so far (at most {MAX_TEXT_LENGTH} characters).",
            ),
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 20},
                description="At most this many suggestions, 1 to 20 (default 8).",
            ),
            *CONDITIONAL_HEADERS,
            *RESPONSE_HEADERS,
        ],
        responses=responses(
            inline_serializer(
                "SuggestResponse", {"items": SuggestItemSerializer(many=True)}
            )
        ),
        tags=["search"],
    )
    def get(self, request):
        error = _unknown(request, SUGGEST_PARAMS)
        if error:
            return error
        if "q" not in request.query_params:
            return Response(
                {"message": _("Thiếu tham số q (những chữ đã gõ).")}, status=400
            )
        try:
            text = _text(request)
            limit = _number(request, "limit", default=8, maximum=20)
        except QueryError as exc:
            return Response({"message": exc.message}, status=400)
        if len(normalize(text)) > MAX_TEXT_LENGTH:  # counted as search counts it (NFC)
            return Response({"message": too_long_message()}, status=400)
        return Response({"items": get_engine().suggest(text, limit=limit)})

"""One query model for every engine: text, filters, page; validated before any engine sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from search.analysis import normalize

FACETS = ("department", "field", "level", "subject", "online")
MAX_TEXT_LENGTH = 200
MAX_PAGE_SIZE = 100
MAX_RESULT_WINDOW = (
    10_000  # page * page_size beyond this is refused, like Elasticsearch
)
MAX_FILTER_VALUES = 20
MAX_FILTER_VALUE_LENGTH = 64


def too_long_message() -> str:
    return _("q dài tối đa %(max)s ký tự.") % {"max": MAX_TEXT_LENGTH}


def clean_text(text: str) -> str:
    """The text every engine searches: NFC, invisible and control characters as spaces, one
    space between words (a zero-width space alone is an empty query)."""
    text = normalize(text)
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def shorten(text: str, limit: int = MAX_TEXT_LENGTH) -> str:
    """`text` cut to at most `limit` characters, after a whole word when one ends past halfway."""
    if len(text) <= limit:
        return text
    space = text.rfind(" ", 0, limit + 1)
    return text[:space] if space > limit // 2 else text[:limit]


class QueryError(ValueError):
    """Input the search refuses; the message is safe to show to the client."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class SearchQuery:
    text: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    page: int = 1
    page_size: int = 20

    def __post_init__(self):
        self.text = self._clean_text(self.text)
        self.filters = self._clean_filters(self.filters)
        self.page = self._clean_int(self.page, "page", minimum=1)
        self.page_size = self._clean_int(self.page_size, "page_size", minimum=1)
        if self.page_size > MAX_PAGE_SIZE:
            raise QueryError(_("page_size tối đa %(max)s.") % {"max": MAX_PAGE_SIZE})
        if self.page * self.page_size > MAX_RESULT_WINDOW:
            raise QueryError(
                _(
                    "page × page_size tối đa %(max)s; hãy thu hẹp tìm kiếm bằng từ khóa hoặc bộ lọc."
                )
                % {"max": MAX_RESULT_WINDOW}
            )

    @staticmethod
    def _clean_text(text: Any) -> str:
        if text is None:
            return ""
        if not isinstance(text, str):
            raise QueryError(_("q phải là văn bản."))
        if len(text) > MAX_TEXT_LENGTH * 5:
            raise QueryError(too_long_message())
        text = clean_text(text)
        if len(text) > MAX_TEXT_LENGTH:
            raise QueryError(too_long_message())
        return text

    @staticmethod
    def _clean_filters(filters: Any) -> dict[str, list[str]]:
        if not filters:
            return {}
        if not isinstance(filters, dict):
            raise QueryError(_("Bộ lọc không hợp lệ."))
        cleaned: dict[str, list[str]] = {}
        for name, values in filters.items():
            if name not in FACETS:
                raise QueryError(
                    _("Không có bộ lọc %(name)s; chọn trong: %(allowed)s.")
                    % {"name": str(name)[:64], "allowed": ", ".join(FACETS)}
                )
            if isinstance(values, str):
                values = [values]
            values = [v.strip() for v in values if isinstance(v, str) and v.strip()]
            if len(values) > MAX_FILTER_VALUES:
                raise QueryError(
                    _("%(name)s nhận tối đa %(max)s giá trị.")
                    % {"name": name, "max": MAX_FILTER_VALUES}
                )
            for value in values:
                if len(value) > MAX_FILTER_VALUE_LENGTH or not value.isprintable():
                    raise QueryError(
                        _("Giá trị không hợp lệ cho bộ lọc %(name)s.") % {"name": name}
                    )
            if name == "online":  # a fixed list, as the catalog API's ?online=
                from catalog.models import OnlineLevel

                wrong = [v for v in values if v not in OnlineLevel.values]
                if wrong:
                    raise QueryError(
                        _(
                            "Bộ lọc trực tuyến (online) không nhận giá trị %(wrong)s; "
                            "chọn trong: %(allowed)s."
                        )
                        % {
                            "wrong": ", ".join(wrong),
                            "allowed": ", ".join(OnlineLevel.values),
                        }
                    )
            if values:
                cleaned[name] = list(dict.fromkeys(values))
        return cleaned

    @staticmethod
    def _clean_int(value: Any, name: str, *, minimum: int) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise QueryError(
                _("%(name)s phải là số nguyên.") % {"name": name}
            ) from None
        if number < minimum:
            raise QueryError(
                _("%(name)s phải từ %(min)s trở lên.") % {"name": name, "min": minimum}
            )
        return number

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def without_filter(self, name: str) -> dict[str, list[str]]:
        return {k: v for k, v in self.filters.items() if k != name}


@dataclass
class Hit:
    page_id: int
    code: str
    name: str
    department: str
    department_code: str
    url: str
    highlight: str = ""
    score: float = 0.0
    online_level: str = ""
    fee_min: int | None = None
    fee_max: int | None = None
    processing_time: str = ""
    pinned: bool = False
    announced_elsewhere_by: str = (
        ""  # another province's specific procedure: who announced it
    )


@dataclass
class Bucket:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass
class SearchResult:
    total: int
    hits: list[Hit]
    facets: dict[str, list[Bucket]] = field(default_factory=dict)
    suggestion: str | None = None
    engine: str = ""
    took_ms: float = 0.0
    fallback: bool = False
    fallback_reason: str = ""  # why the database answered (empty when it did not)

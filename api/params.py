"""Parsing and validating query parameters and opaque cursors; every failure is a 400 with a message."""

import base64
import binascii
import datetime
import hashlib
import json
import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
MAX_VALUES = 50
MAX_CURSOR_LENGTH = 4096
CURSOR_SIGNATURE_LENGTH = 27  # 20 bytes of HMAC-SHA256, base64url without padding
CURSOR_RE = re.compile(r"([A-Za-z0-9_\-]{2,4060})\.([A-Za-z0-9_\-]{27})")
# ISO 8601 extended form, ASCII digits only: a date, or a date-time with optional offset.
ISO_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?"
)
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def page_size(
    request, *, default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE
) -> int:
    raw = request.query_params.get("page_size")
    if raw is None:
        return default
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= maximum:
        raise ParseError(
            _("page_size phải là số nguyên từ 1 đến %(max)s.") % {"max": maximum}
        )
    return int(raw)


def code_list(request, name: str) -> list[str] | None:
    """`?field=A,B&field=C` -> ["A", "B", "C"]; codes only (letters, digits, . _ -)."""
    if name not in request.query_params:
        return None
    values = [
        part for raw in request.query_params.getlist(name) for part in raw.split(",")
    ]
    if not values or any(not CODE_RE.match(value) for value in values):
        raise ParseError(
            _("%(name)s phải là danh sách mã, cách nhau bằng dấu phẩy.")
            % {"name": name}
        )
    if len(values) > MAX_VALUES:
        raise ParseError(
            _("%(name)s nhận tối đa %(max)s giá trị.")
            % {"name": name, "max": MAX_VALUES}
        )
    return values


def choice_list(request, name: str, choices) -> list[str] | None:
    values = code_list(request, name)
    if values is None:
        return None
    allowed = [str(choice) for choice in choices]
    wrong = [value for value in values if value not in allowed]
    if wrong:
        raise ParseError(
            _("%(name)s không nhận giá trị %(wrong)s; chọn trong: %(allowed)s.")
            % {"name": name, "wrong": ", ".join(wrong), "allowed": ", ".join(allowed)}
        )
    return values


def datetime_param(request, name: str) -> datetime.datetime | None:
    """An ISO 8601 date or date-time; a naive value is read in the city's time zone."""
    raw = request.query_params.get(name)
    if raw is None:
        return None
    value = None
    # The pattern first: Python's own ISO parser also takes basic forms (20 digits, "²").
    if ISO_DATETIME_RE.fullmatch(raw):
        try:
            value = parse_datetime(raw)
            if value is None:
                day = parse_date(raw)
                if day is not None:
                    value = datetime.datetime.combine(day, datetime.time.min)
        except (ValueError, OverflowError):
            value = None
    if value is None:
        raise ParseError(
            _(
                "%(name)s phải là ngày hoặc thời điểm ISO 8601, ví dụ 2025-07-01T00:00:00+07:00."
            )
            % {"name": name}
        )
    if is_naive(value):
        value = make_aware(value, get_current_timezone())
    return in_utc(value)


def in_utc(value: datetime.datetime) -> datetime.datetime:
    """An aware date-time in UTC, as the databases compare it."""
    try:
        return value.astimezone(datetime.UTC)
    except OverflowError:
        # Within hours of year 1 or 9999, UTC is outside the calendar: the bound is the same.
        bound = datetime.datetime.min if value.year < 5000 else datetime.datetime.max
        return bound.replace(tzinfo=datetime.UTC)


def cursor_scope(endpoint: str, filters: dict) -> str:
    """What a cursor is bound to: the endpoint and the filters and ordering of its query."""
    canonical = json.dumps(
        [endpoint, sorted((str(k), [str(v) for v in vs]) for k, vs in filters.items())],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def request_scope(
    request, endpoint: str, *, ignore=("cursor", "page_size", "fields"), **defaults
) -> str:
    """The scope of this request's query: every parameter but those that do not move a position."""
    filters = {
        name: request.query_params.getlist(name)
        for name in request.query_params
        if name not in ignore
    }
    for name, value in defaults.items():
        filters.setdefault(name, [value])
    return cursor_scope(endpoint, filters)


def _signature(body: str, *, endpoint: str, secret=None) -> str:
    mac = salted_hmac(
        f"api.cursor.{endpoint}", body, secret=secret, algorithm="sha256"
    ).digest()[:20]
    return base64.urlsafe_b64encode(mac).decode().rstrip("=")


def encode_cursor(payload, *, endpoint: str, scope: str) -> str:
    """An opaque, URL-safe cursor: the payload and its scope, signed with SECRET_KEY per endpoint."""
    raw = json.dumps([scope, payload], separators=(",", ":"), ensure_ascii=False)
    body = base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
    return f"{body}.{_signature(body, endpoint=endpoint)}"


def decode_cursor(request, *, endpoint: str, scope: str):
    """The payload of `?cursor=`, or None; only cursors this API signed for `scope` pass.

    The signature is checked before anything is parsed, so forged, truncated or nested input
    never reaches the JSON parser; shape checks of the payload are the caller's.
    """
    raw = request.query_params.get("cursor")
    if raw is None:
        return None
    match = CURSOR_RE.fullmatch(raw) if len(raw) <= MAX_CURSOR_LENGTH else None
    if match is None:
        raise invalid_cursor()
    body, signature = match.groups()
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(
        constant_time_compare(signature, _signature(body, endpoint=endpoint, secret=s))
        for s in secrets
    ):
        raise invalid_cursor()
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise invalid_cursor() from None
    if not isinstance(data, list) or len(data) != 2 or not isinstance(data[0], str):
        raise invalid_cursor()
    if not constant_time_compare(data[0], scope):
        raise ParseError(
            _(
                "cursor này thuộc về một truy vấn khác (bộ lọc hoặc thứ tự sắp xếp "
                "ordering khác); dùng next_cursor với đúng các tham số đã tạo ra nó."
            )
        )
    return data[1]


def invalid_cursor() -> ParseError:
    return ParseError(
        _("cursor không hợp lệ: chỉ dùng đúng giá trị next_cursor mà API đã trả về.")
    )


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63

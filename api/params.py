"""Parsing and validating query parameters and opaque cursors; every failure is a 400 with a message."""

import base64
import binascii
import datetime
import json
import re

from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import get_current_timezone, is_naive, make_aware
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
MAX_VALUES = 50
MAX_CURSOR_LENGTH = 4000
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
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
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


def encode_cursor(payload) -> str:
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(request):
    """The JSON payload of `?cursor=`, or None; shape checks are the caller's."""
    raw = request.query_params.get("cursor")
    if raw is None:
        return None
    if (
        not raw
        or len(raw) > MAX_CURSOR_LENGTH
        or not re.fullmatch(r"[A-Za-z0-9_\-]+", raw)
    ):
        raise invalid_cursor()
    try:
        data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
        return json.loads(data)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid_cursor() from None


def invalid_cursor() -> ParseError:
    return ParseError(
        _("cursor không hợp lệ: chỉ dùng đúng giá trị next_cursor mà API đã trả về.")
    )


def is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63

"""Template helpers for the public procedure page: case choice, due dates, JSON-LD."""

import datetime
import json
import uuid

from django import template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog.models import Channel, TimeUnit
from catalog.selectors import public_holidays_between
from catalog.services.due_dates import EARLIEST, LATEST, expected_result_date

register = template.Library()

CASE_PARAM = "truong-hop"
DATE_PARAM = "ngay-nop"
CHANNEL_PARAM = "cach"
# Holidays the page hands to its script; a date outside this window is counted by the server.
SCRIPT_WINDOW_DAYS = (-31, 400)
ISO_UNITS = {TimeUnit.DAY: "D", TimeUnit.MONTH: "M"}


def _countable(methods) -> list:
    """One method per channel whose time has a number and a unit, in page order."""
    seen, countable = set(), []
    for method in methods:
        if (
            method.processing_time_value is not None
            and method.processing_time_unit in TimeUnit.values
            and method.channel not in seen
        ):
            seen.add(method.channel)
            countable.append(method)
    return countable


def _chosen_case(request, cases) -> int | None:
    raw = request.GET.get(CASE_PARAM, "") if request else ""
    if raw.isdigit() and 1 <= int(raw) <= len(cases):
        return int(raw)
    return None


def _due_date(request, methods) -> dict:
    today = timezone.localdate()
    countable = _countable(methods)
    due = {
        "methods": countable,
        "submitted_on": today,
        "channel": countable[0].channel if countable else "",
        "result": None,
        "error": "",
        "asked": False,
    }
    if not request or DATE_PARAM not in request.GET:
        return due
    due["asked"] = True
    raw_date = request.GET.get(DATE_PARAM, "").strip()[:20]
    channel = request.GET.get(CHANNEL_PARAM, due["channel"]).strip()[:20]
    try:
        submitted_on = datetime.date.fromisoformat(raw_date)
    except ValueError:
        due["error"] = _("Ngày nộp không hợp lệ; hãy nhập theo dạng ngày/tháng/năm.")
        return due
    if not EARLIEST <= submitted_on <= LATEST:
        due["error"] = _("Ngày nộp phải trong khoảng năm 2000 đến 2100.")
        return due
    method = next((m for m in countable if m.channel == channel), None)
    if method is None:
        due["error"] = _("Cách nộp này không có thời hạn tính được bằng số ngày.")
        return due
    due.update(submitted_on=submitted_on, channel=channel, method=method)
    due["result"] = expected_result_date(
        submitted_on=submitted_on,
        value=method.processing_time_value,
        unit=method.processing_time_unit,
        holidays=lambda start, end: public_holidays_between(start=start, end=end),
    )
    return due


def _script_data(methods) -> dict:
    today = timezone.localdate()
    start = today + datetime.timedelta(days=SCRIPT_WINDOW_DAYS[0])
    end = today + datetime.timedelta(days=SCRIPT_WINDOW_DAYS[1])
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "holidays": sorted(
            day.isoformat() for day in public_holidays_between(start=start, end=end)
        ),
        "methods": {
            method.channel: {
                "value": float(method.processing_time_value),
                "unit": method.processing_time_unit,
                "label": method.get_channel_display(),
                "time": method.processing_time_display,
            }
            for method in _countable(methods)
        },
    }


@register.simple_tag(takes_context=True)
def procedure_tools(context, methods, cases):
    """Everything the procedure page computes from the request: chosen case, due date, script data."""
    request = context.get("request")
    due = _due_date(request, methods)
    return {
        "chosen_case": _chosen_case(request, cases),
        "due": due,
        "script_data": _script_data(methods) if due["methods"] else None,
        "case_param": CASE_PARAM,
        "date_param": DATE_PARAM,
        "channel_param": CHANNEL_PARAM,
    }


def _iso_duration(method) -> str | None:
    value = method.processing_time_value
    if value is None or value != value.to_integral_value():
        return None
    if method.processing_time_unit in ISO_UNITS:
        return f"P{int(value)}{ISO_UNITS[method.processing_time_unit]}"
    if method.processing_time_unit == TimeUnit.HOUR:
        return f"PT{int(value)}H"
    return None


def _absolute(request, page) -> str | None:
    if page is None or not getattr(page, "pk", None):
        return None
    url = page.get_url(request)
    return request.build_absolute_uri(url) if request and url else url


def procedure_schema(*, request, page, owner, methods, fields, subject_types, results):
    """A schema.org GovernmentService describing the procedure, for search engines."""
    data = {
        "@context": "https://schema.org",
        "@type": "GovernmentService",
        "name": page.title,
        "identifier": page.code,
        "url": _absolute(request, page),
        "description": page.summary or None,
        "serviceType": ", ".join(field.name for field in fields) or None,
        "areaServed": {"@type": "City", "name": "Thành phố Hồ Chí Minh"},
        "audience": [
            {"@type": "Audience", "audienceType": subject.name}
            for subject in subject_types
        ]
        or None,
        "serviceOutput": [result.name for result in results] or None,
        "availableChannel": [],
        "offers": [],
    }
    if owner is not None:
        provider = {
            "@type": "GovernmentOrganization",
            "name": owner.title,
            "url": _absolute(request, owner),
            "telephone": owner.phone or None,
            "email": owner.email or None,
            "address": owner.address or None,
        }
        data["provider"] = {k: v for k, v in provider.items() if v}
    for method in methods:
        channel = {
            "@type": "ServiceChannel",
            "name": method.get_channel_display(),
            "processingTime": _iso_duration(method),
            "description": method.processing_time_display or None,
            "serviceUrl": page.online_url
            if method.channel == Channel.ONLINE and page.online_url
            else None,
        }
        data["availableChannel"].append({k: v for k, v in channel.items() if v})
        for fee in method.fees.all():
            if fee.amount is None:
                continue
            data["offers"].append(
                {
                    "@type": "Offer",
                    "name": f"{fee.get_kind_display()} ({method.get_channel_display()})",
                    "price": fee.amount,
                    "priceCurrency": "VND",
                    **({"description": fee.description} if fee.description else {}),
                }
            )
    return {k: v for k, v in data.items() if v not in (None, [], "")}


# The characters that could end a <script> element or open a comment, as JSON escapes.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def script_json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(
        _SCRIPT_ESCAPES
    )


@register.simple_tag(takes_context=True)
def procedure_jsonld(context):
    """<script type="application/ld+json"> with every "<", ">" and "&" escaped, so no text can close it."""
    data = procedure_schema(
        request=context.get("request"),
        page=context["page"],
        owner=context.get("owner"),
        methods=context.get("methods", []),
        fields=context.get("procedure_fields", []),
        subject_types=context.get("subject_types", []),
        results=context.get("results", []),
    )
    return mark_safe(  # noqa: S308 (script_json escapes every character that could end the element)
        f'<script type="application/ld+json">{script_json(data)}</script>'
    )


@register.filter
def file_type(form_template) -> str:
    return (form_template.file_extension or "").upper()


@register.simple_tag(takes_context=True)
def procedure_cache_key(context):
    """Key for the page's cached fragments: one per published revision, language and host.

    A preview or a revision being viewed gets a one-off key and no lifetime, so never a stale fragment.
    """
    from catalog.selectors import PUBLIC_CONTEXT_SECONDS, public_context_key

    request = context.get("request")
    key = public_context_key(context["page"])
    if key is None or request is None or getattr(request, "is_preview", False):
        return {"key": uuid.uuid4().hex, "seconds": 0}
    language = translation.get_language() or ""
    return {
        "key": f"{key}:{language}:{request.get_host()}",
        "seconds": PUBLIC_CONTEXT_SECONDS,
    }


@register.filter
def vnd(amount) -> str:
    """25000 -> "25.000", the way fees are written in Vietnam (as FeeItem.amount_display)."""
    try:
        return f"{int(amount):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""

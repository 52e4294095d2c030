"""Template helpers for the public procedure page: its cached body, case choice, due dates, JSON-LD."""

import datetime
import hashlib
import json
import pickle
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django import template
from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from catalog.forms import group_amount
from catalog.models import Channel, ExecutionMethod, PublicHoliday, TimeUnit
from catalog.models.procedures import english
from catalog.request_values import whole_number
from catalog.selectors import (
    procedure_public_context,
    public_holidays_between,
    public_shared_version,
    published_state,
)
from catalog.services.due_dates import EARLIEST, LATEST, expected_result_date
from catalog.text import cases_are_sections, is_numbered_case
from search.queries import MAX_TEXT_LENGTH

register = template.Library()

CASE_PARAM = "truong-hop"
DATE_PARAM = "ngay-nop"
CHANNEL_PARAM = "cach"
# Holidays the page hands to its script; a date outside this window is counted by the server.
SCRIPT_WINDOW_DAYS = (-31, 400)
ISO_UNITS = {TimeUnit.DAY: "D", TimeUnit.MONTH: "M"}


@dataclass(frozen=True)
class DueMethod:
    """A channel whose processing time can be counted: what the due-date helper needs, no model."""

    channel: str
    label: str
    value: Decimal
    unit: str
    time: str


def _countable(methods) -> list[DueMethod]:
    """One method per channel whose time has a number and a unit, in page order."""
    seen, countable = set(), []
    for method in methods:
        if (
            method.processing_time_value is not None
            and method.processing_time_unit in TimeUnit.values
            and method.channel not in seen
        ):
            seen.add(method.channel)
            countable.append(
                DueMethod(
                    channel=method.channel,
                    label=str(method.get_channel_display()),
                    value=method.processing_time_value,
                    unit=method.processing_time_unit,
                    time=method.processing_time_display,
                )
            )
    return countable


def _chosen_case(request, case_count: int) -> int | None:
    raw = request.GET.get(CASE_PARAM, "") if request else ""
    return whole_number(raw, minimum=1, maximum=case_count)


def _holidays(version: str, start: datetime.date, end: datetime.date) -> set:
    """Holidays within [start, end], kept per shared-data version (a holiday edit bumps it)."""
    key = f"public-holidays:{version}:{start}:{end}"
    cache = public_cache()
    holidays = cache.get(key)
    if holidays is None:
        holidays = public_holidays_between(start=start, end=end)
        cache.set(key, holidays, HOLIDAYS_SECONDS)
    return holidays


def _holidays_until(version: str) -> datetime.date | None:
    """The last holiday the list holds, kept per shared-data version: the tool says how far
    its holidays go (dates past it count no holiday: an independent check, 2028)."""
    key = f"public-holidays-until:{version}"
    cache = public_cache()
    found = cache.get(key)
    if found is None:
        last = PublicHoliday.objects.order_by("-date").values_list("date", flat=True)
        found = {"date": last.first()}
        cache.set(key, found, HOLIDAYS_SECONDS)
    return found["date"]


def _due_date(request, countable: list[DueMethod], version: str) -> dict:
    today = timezone.localdate()
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
        value=method.value,
        unit=method.unit,
        holidays=lambda start, end: _holidays(version, start, end),
    )
    return due


def _script_data(countable: list[DueMethod], version: str) -> dict:
    today = timezone.localdate()
    start = today + datetime.timedelta(days=SCRIPT_WINDOW_DAYS[0])
    end = today + datetime.timedelta(days=SCRIPT_WINDOW_DAYS[1])
    return {
        "from": start.isoformat(),
        "to": end.isoformat(),
        "holidays": sorted(day.isoformat() for day in _holidays(version, start, end)),
        "methods": {
            method.channel: {
                "value": float(method.value),
                "unit": method.unit,
                "label": method.label,
                "time": method.time,
            }
            for method in countable
        },
    }


@register.simple_tag(takes_context=True)
def procedure_tools(context, body):
    """Everything the procedure page computes from the request: chosen case, due date, script data."""
    request = context.get("request")
    countable = body["due_methods"]
    version = _page_shared_version(context["page"]) if countable else ""
    due = _due_date(request, countable, version)
    return {
        "holidays_until": _holidays_until(version) if countable else None,
        "chosen_case": None
        if body.get("sections")
        else _chosen_case(request, len(body["cases"])),
        "due": due,
        "script_data": _script_data(countable, version) if countable else None,
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
        "name": page.official_name,
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
            "url": _absolute(request, owner) if owner.live else None,
            "telephone": owner.phone or None,
            "email": owner.email or None,
            "address": owner.address or None,
        }
        data["provider"] = {k: v for k, v in provider.items() if v}
        # The department both provides and operates the service (schema.org's
        # GovernmentService names its operator in serviceOperator).
        data["serviceOperator"] = data["provider"]
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
                    "priceCurrency": fee.currency,
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


# ---- the rendered body of a procedure page, cached per published state ----------------------
# Only what the request changes is rendered per request (the due-date form and answer, the case
# picker and which case is shown, the script's holiday data) and the page shell in base.html (CSRF
# token, language switch, user bar, site settings). The rest is rendered once per key below.

BODY_TEMPLATES = {
    "head": "catalog/procedure/head.html",
    "top": "catalog/procedure/top.html",
    "steps": "catalog/procedure/steps.html",
    "case": "catalog/procedure/case.html",
    "end": "catalog/procedure/end.html",
}
# Keys change with every change that matters, so the lifetime only lets dead entries go; a body
# whose rich text links to another page by id is kept 5 minutes (that page may move).
BODY_SECONDS = 24 * 3600
LINKED_BODY_SECONDS = 300
HOLIDAYS_SECONDS = 24 * 3600
_MISSING = object()


def public_cache():
    """The "pages" cache when configured (sized for many pages), else the default cache."""
    try:
        return caches["pages"]
    except InvalidCacheBackendError:
        return caches["default"]


_code_stamp: str | None = None


def _code_version() -> str:
    """A digest of what renders the body (its templates, this module, the translations).

    Part of every key, so a shared cache never serves a body rendered by an older deploy.
    """
    global _code_stamp
    if _code_stamp is None:
        digest = hashlib.blake2b(digest_size=8)
        digest.update(Path(__file__).read_bytes())
        for name in BODY_TEMPLATES.values():
            digest.update(get_template(name).template.source.encode())
        for locale_dir in settings.LOCALE_PATHS:
            for mo in sorted(Path(locale_dir).glob("*/LC_MESSAGES/django.mo")):
                digest.update(mo.read_bytes())
        _code_stamp = digest.hexdigest()
    return _code_stamp


def _page_shared_version(page) -> str:
    """The shared-data version for this page's request: read while routing, else once now."""
    version = public_shared_version(page)
    page.public_shared_version = version
    return version


def body_cache_key(request, page) -> str | None:
    """One key per published state, shared-data version, language, scheme, host and code version.

    None (render afresh, never store) for a preview, a revision or draft being viewed, an unsaved
    page or a request without a host: those must show exactly what is in memory.
    """
    if request is None or getattr(request, "is_preview", False):
        return None
    state = published_state(page)
    if state is None:
        return None
    parts = "|".join(
        (
            state,
            _page_shared_version(page),
            translation.get_language() or "",
            request.scheme,
            request.get_host(),
            _code_version(),
        )
    )
    digest = hashlib.blake2b(parts.encode(), digest_size=16).hexdigest()
    return f"procedure-body:{page.pk}:{digest}"


def _has_page_links(context: dict) -> bool:
    texts = [step.description for step in context["steps"]]
    texts.append(context["page"].conditions or "")
    return any('linktype="page"' in text for text in texts)


def render_body(request, page) -> dict:
    """Render the request-independent parts of the page from its (prefetched) parts."""
    parts = procedure_public_context(procedure=page)
    due_methods = _countable(parts["methods"])
    context = {**parts, "page": page, "request": request, "due_methods": due_methods}

    def render(name, **extra):
        return get_template(BODY_TEMPLATES[name]).render({**context, **extra})

    sections = cases_are_sections(case.name for case in parts["cases"])

    def heading(case) -> str:
        """A section the source left unnamed is "other documents", not a numbered case."""
        if sections and is_numbered_case(case.name):
            return _("Giấy tờ khác")
        return case.name

    return {
        "head": render("head"),
        "top": render("top"),
        "steps": render("steps"),
        "cases": [
            {
                "name": heading(case),
                "html": render("case", case=case, number=number, heading=heading(case)),
            }
            for number, case in enumerate(parts["cases"], start=1)
        ],
        "end": render("end"),
        # sections of one dossier (catalog.text.cases_are_sections): all shown, no picker
        "sections": sections,
        "due_methods": due_methods,
        "linked": _has_page_links(context),
    }


@register.simple_tag(takes_context=True)
def procedure_page_body(context):
    """The page's rendered body: from the cache for a live page, rendered afresh for a preview.

    Computed once per request (both template blocks ask for it).
    """
    page = context["page"]
    body = page.__dict__.get("_public_body", _MISSING)
    if body is not _MISSING:
        return body
    request = context.get("request")
    key = body_cache_key(request, page)
    cache = public_cache()
    stored = cache.get(key) if key else None
    if stored is not None:
        body = pickle.loads(zlib.decompress(stored))  # noqa: S301 (our own cache entry)
    else:
        body = render_body(request, page)
        if key:
            stored = zlib.compress(pickle.dumps(body, pickle.HIGHEST_PROTOCOL), 1)
            cache.set(
                key, stored, LINKED_BODY_SECONDS if body["linked"] else BODY_SECONDS
            )
    page.__dict__["_public_body"] = body
    return body


@register.simple_tag
def search_text_limit() -> int:
    """The longest search text the search page and the API read."""
    return MAX_TEXT_LENGTH


@register.filter
def grouped(value) -> str:
    """5670 -> "5.670" in Vietnamese, "5,670" in English: a count as people read it.

    USE_THOUSAND_SEPARATOR stays off, so numbers in attributes and addresses stay plain digits.
    """
    if value is None or value == "":
        return ""
    return number_format(value, force_grouping=True)


@register.filter
def local_time(shown: str) -> str:
    """A search result's processing time ("15 ngày làm việc") in the page's language."""
    return ExecutionMethod.localize_processing_time(shown or "")


@register.filter
def vnd(amount) -> str:
    """25000 -> "25.000", the way amounts are written in Vietnam (as FeeItem.amount_display);
    "25,000" on the English pages."""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    return f"{value:,}" if english() else group_amount(value)


@register.simple_tag
def dong_unit() -> str:
    """The unit after a đồng amount in one-line summaries: "đ", or "VND" in English."""
    return "VND" if english() else "đ"

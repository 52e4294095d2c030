"""The public search page (/tim-kiem/) and the life-event listings; both work without JavaScript."""

import logging
import math
from urllib.parse import urlencode

from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from catalog import selectors
from catalog.models import LifeEvent
from catalog.request_values import has_unreadable_characters, whole_number
from cms.replica import first_attempt
from search import query_log
from search.analysis import folded_tokens
from search.english import english_hint
from search.queries import MAX_TEXT_LENGTH, clean_text, shorten

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_VALUES_PER_FACET = 20
MAX_PAGE = 10_000 // PAGE_SIZE  # the engines refuse to page deeper than 10,000 results
# A page number with more digits is past any end and is not repeated back to the reader.
MAX_NAMED_PAGE_DIGITS = 40
UNNAMED_PAGE = 10**MAX_NAMED_PAGE_DIGITS
# Vietnamese parameter names in the address bar -> the facet names of search.queries.SearchQuery.
FACET_PARAMS = {
    "co-quan": "department",
    "linh-vuc": "field",
    "cap": "level",
    "doi-tuong": "subject",
    "truc-tuyen": "online",
}
FACET_LABELS = {
    "department": gettext_lazy("Cơ quan thực hiện"),
    "field": gettext_lazy("Lĩnh vực"),
    "level": gettext_lazy("Cấp thực hiện"),
    "subject": gettext_lazy("Đối tượng"),
    "online": gettext_lazy("Dịch vụ trực tuyến"),
}
FACET_ORDER = ["online", "field", "department", "level", "subject"]
PARAM_FOR_FACET = {facet: param for param, facet in FACET_PARAMS.items()}


class BadSearchRequest(ValueError):
    """Input a person could have typed by mistake; answered with 400 and the message."""


class BadPageNumber(BadSearchRequest):
    """A `trang` that is no page number at all ("abc", "0"): the page links to page 1."""


def _single(request, name: str) -> str:
    """A parameter that may appear once, as on the API; a repeated one is refused, never guessed.

    Parameters the page does not know are ignored, unlike the API: links shared on social
    networks come back with their tracking parameters (fbclid, utm_source, zarsrc) added.
    """
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise BadSearchRequest(
            _(
                "Địa chỉ tìm kiếm có tham số “%(name)s” %(count)s lần; tham số này chỉ "
                "được có một lần. Hãy tìm lại từ ô tìm kiếm."
            )
            % {"name": name, "count": number_format(len(values), force_grouping=True)}
        )
    return values[0] if values else ""


def _text(request) -> tuple[str, int]:
    """The text searched, and how long it was when it had to be cut to MAX_TEXT_LENGTH.

    The box has no maxlength: a browser would cut a pasted question without a word, so the
    page cuts it after a whole word and says so.
    """
    raw = _single(request, "q")
    if has_unreadable_characters(raw):
        raise BadSearchRequest(
            _(
                "Từ khóa chứa ký tự không hợp lệ (ký tự điều khiển hoặc không phải UTF-8)."
            )
        )
    text = clean_text(raw)
    if len(text) <= MAX_TEXT_LENGTH:
        return text, 0
    return shorten(text), len(text)


def _filters(request) -> dict[str, list[str]]:
    filters: dict[str, list[str]] = {}
    for param, facet in FACET_PARAMS.items():
        values = [
            value.strip() for value in request.GET.getlist(param) if value.strip()
        ]
        if len(values) > MAX_VALUES_PER_FACET:
            raise BadSearchRequest(_("Chọn quá nhiều bộ lọc cùng lúc."))
        if any(len(value) > 64 or has_unreadable_characters(value) for value in values):
            raise BadSearchRequest(_("Mã bộ lọc không hợp lệ."))
        if values:
            filters[facet] = list(dict.fromkeys(values))
    return filters


def _page(request) -> int:
    """The page asked for, 1 and up; a page past the results is the view's 404, not a 400."""
    typed = _single(request, "trang") or "1"
    page = whole_number(typed, minimum=1)
    if page is None and typed.isascii() and typed.isdigit() and typed.strip("0"):
        # more than nine digits: kept as typed, so the 404 names the page asked for
        digits = typed.lstrip("0")
        page = int(digits) if len(digits) <= MAX_NAMED_PAGE_DIGITS else UNNAMED_PAGE
    if page is None:  # ASCII digits only: "²".isdigit() is true and int() refuses it
        raise BadPageNumber(
            _("“%(typed)s” không phải số trang: số trang là số nguyên từ 1 trở lên.")
            % {"typed": typed[:20]}
        )
    return page


def _url(text: str, filters: dict[str, list[str]], page: int = 1) -> str:
    params: list[tuple[str, str]] = []
    if text:
        params.append(("q", text))
    for facet in FACET_ORDER:
        for value in filters.get(facet, []):
            params.append((PARAM_FOR_FACET[facet], value))
    if page > 1:
        params.append(("trang", str(page)))
    return "?" + urlencode(params) if params else "?"


def _facet_groups(result, filters) -> list[dict]:
    groups = []
    for facet in FACET_ORDER:
        buckets = list(result.facets.get(facet, []))
        if not buckets:
            continue
        groups.append(
            {
                "name": facet,
                "param": PARAM_FOR_FACET[facet],
                "label": FACET_LABELS[facet],
                "buckets": buckets,
            }
        )
    return groups


def _selected_chips(result, text, filters) -> list[dict]:
    """One "remove this filter" link per selected value, labelled from the facet buckets."""
    labels = {
        (facet, bucket.value): bucket.label
        for facet, buckets in result.facets.items()
        for bucket in buckets
    }
    chips = []
    for facet in FACET_ORDER:
        for value in filters.get(facet, []):
            remaining = {
                name: [v for v in values if not (name == facet and v == value)]
                for name, values in filters.items()
            }
            chips.append(
                {
                    "label": f"{FACET_LABELS[facet]}: {labels.get((facet, value), value)}",
                    "url": _url(text, remaining),
                }
            )
    return chips


def _pages(current: int, last: int) -> list[int | None]:
    """Page numbers to link, with None where a gap is skipped: 1 … 4 5 6 … 20."""
    shown = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    pages: list[int | None] = []
    for number in shown:
        if pages and number - pages[-1] > 1:
            pages.append(None)
        pages.append(number)
    return pages


def _run_search(text, filters, page):
    from search.engines import get_engine
    from search.queries import QueryError, SearchQuery

    try:
        query = SearchQuery(text=text, filters=filters, page=page, page_size=PAGE_SIZE)
    except QueryError as exc:
        raise BadSearchRequest(str(exc)) from None
    try:
        return get_engine().search(query)
    except QueryError as exc:
        raise BadSearchRequest(str(exc)) from None


@require_safe
def search(request):
    context = {"query": "", "filters": {}, "result": None}
    try:
        text, typed_length = _text(request)
        context["query"] = text  # the box keeps what was typed whatever is refused next
        filters = context["filters"] = _filters(request)
        page = _page(request)
        # the engines page no deeper than MAX_PAGE; a deeper ask still learns the total
        result = _run_search(text, filters, min(page, MAX_PAGE))
    except BadSearchRequest as exc:
        context["error"] = str(exc)
        if not context[
            "query"
        ]:  # a repeated q: the box offers the first, to search again
            typed = (request.GET.getlist("q") or [""])[0]
            if not has_unreadable_characters(typed):
                context["query"] = shorten(clean_text(typed))
        if isinstance(exc, BadPageNumber):
            context["first_page_url"] = _url(text, context["filters"])
        return render(request, "search/search.html", context, status=400)
    except BaseException as exc:  # engine and fallback both failed: say so, never a 500
        # tantivy's Rust panics arrive as pyo3's PanicException, a BaseException;
        # a request Django refuses (too many parameters) is its 400, not an outage
        if isinstance(
            exc, (KeyboardInterrupt, SystemExit, GeneratorExit, SuspiciousOperation)
        ):
            raise
        logger.exception("search failed for the public search page")
        context["error"] = _(
            "Chức năng tìm kiếm tạm thời gián đoạn. Vui lòng thử lại sau."
        )
        return render(request, "search/search.html", context, status=503)

    if (
        text
        and page == 1
        and not filters
        and query_log.from_citizen(request)
        and first_attempt(request, "search log")
    ):
        query_log.record_search(text, total=result.total)
    # the pager stops where the engines stop paging, so it never links to a page answered 404
    last_page = min(MAX_PAGE, max(1, math.ceil(result.total / PAGE_SIZE)))
    if page > last_page:
        numbers = {
            "page": number_format(page, force_grouping=True),
            "last": number_format(last_page, force_grouping=True),
            "shown": number_format(last_page * PAGE_SIZE, force_grouping=True),
        }
        if page >= UNNAMED_PAGE:
            context["error"] = _(
                "Số trang dài hơn %(digits)s chữ số, vượt quá trang cuối nên không có "
                "kết quả; trang cuối xem được là trang %(last)s."
            ) % {**numbers, "digits": MAX_NAMED_PAGE_DIGITS}
        # past the engines' window rather than the results: narrowing the search helps
        elif result.total > last_page * PAGE_SIZE:
            context["error"] = (
                _(
                    "Không xem được trang %(page)s: chỉ xem được %(shown)s kết quả đầu "
                    "(%(last)s trang); hãy thêm từ khóa hoặc chọn bộ lọc để thu hẹp tìm "
                    "kiếm."
                )
                % numbers
            )
        elif result.total:
            context["error"] = (
                _("Trang %(page)s không có kết quả; chỉ có %(last)s trang.") % numbers
            )
        else:
            context["error"] = (
                _("Trang %(page)s không có kết quả: tìm kiếm này không có kết quả nào.")
                % numbers
            )
        context.update(
            first_page_url=_url(text, filters),
            last_page_url=_url(text, filters, last_page) if last_page > 1 else None,
            last_page=last_page,
        )
        return render(request, "search/search.html", context, status=404)
    context.update(
        result=result,
        hits=result.hits,
        page_number=page,
        last_page=last_page,
        first_index=(page - 1) * PAGE_SIZE + 1 if result.total else 0,
        last_index=min(result.total, page * PAGE_SIZE),
        pages=[
            {"number": n, "url": _url(text, filters, n) if n else None}
            for n in _pages(page, last_page)
        ],
        previous_url=_url(text, filters, page - 1) if page > 1 else None,
        next_url=_url(text, filters, page + 1) if page < last_page else None,
        beyond_last_page=page == last_page and result.total > last_page * PAGE_SIZE,
        facet_groups=_facet_groups(result, filters),
        chips=_selected_chips(result, text, filters),
        clear_url=_url(text, {}),
        suggestion_url=_url(result.suggestion, filters) if result.suggestion else None,
        selected={
            PARAM_FOR_FACET[facet]: set(values) for facet, values in filters.items()
        },
        english_hint=english_hint(text, result.total),
        shortened=_shortened_notice(typed_length),
        no_words=bool(text) and not folded_tokens(text),
    )
    return render(request, "search/search.html", context)


def _shortened_notice(typed_length: int) -> str:
    if not typed_length:
        return ""
    return _(
        "Từ khóa dài %(length)s ký tự, quá giới hạn %(max)s ký tự: chỉ tìm theo phần đầu, "
        "như trong ô tìm kiếm. Hãy rút gọn nếu kết quả chưa đúng ý."
    ) % {
        "length": number_format(typed_length, force_grouping=True),
        "max": number_format(MAX_TEXT_LENGTH, force_grouping=True),
    }


@csrf_exempt  # anonymous, no session or cookie is read; forgery is refused by origin below
@require_POST
def search_click(request):
    """A citizen opened a result of `q` (site.js sends a beacon); counted in the query log
    (an editor's, signed in to the admin, is not).

    Not a redirect through us, so result links stay plain and cacheable. Only same-origin
    requests count (Origin or Sec-Fetch-Site), at most 30 a minute per client address.
    """
    if not _same_origin(request):
        return HttpResponse(status=403)
    text = request.POST.get("q", "")
    if not text or len(text) > MAX_TEXT_LENGTH or has_unreadable_characters(text):
        return HttpResponse(status=400)
    from api.throttling import client_ip

    if not query_log.from_citizen(request):
        return HttpResponse(status=204)
    accepted = query_log.record_click(text, client=client_ip(request))
    return HttpResponse(status=204 if accepted else 429)


def _same_origin(request) -> bool:
    origin = request.headers.get("Origin")
    if origin:
        return origin == f"{request.scheme}://{request.get_host()}"
    return request.headers.get("Sec-Fetch-Site") == "same-origin"


@require_safe
def life_event(request, code: str):
    life_event = LifeEvent.objects.filter(code=code).first()
    if life_event is None:
        raise Http404(_("Không có nhóm thủ tục này."))
    return render(
        request,
        "search/life_event.html",
        {
            "life_event": life_event,
            "procedures": selectors.life_event_procedures(life_event=life_event),
        },
    )

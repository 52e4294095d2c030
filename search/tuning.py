"""Reads behind the tuning screens: what citizens searched, and a rule's effect before it is saved."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import parse_qsl, quote, urlencode

from django.db.models import F, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.request_values import has_unreadable_characters, whole_number
from search.analysis import folded_tokens
from search.models import BestBet, SearchQueryDay
from search.query_log import MAX_QUERY_LENGTH

PERIODS = (7, 30, 90)
DEFAULT_PERIOD = 30
REPORTS = {
    "zero": _("Không có kết quả"),
    "unopened": _("Không ai mở kết quả"),
    "frequent": _("Tìm nhiều nhất"),
}
ROWS = 50  # a report page
REPORT_MAX = (
    20_000  # distinct queries a report reads at most (the worst or most frequent)
)
PREVIEW_SIZE = 5
DEFAULT_REPORT = "zero"
LAST_PAGE = (REPORT_MAX + ROWS - 1) // ROWS  # the pages a report can fill


@dataclass(frozen=True)
class ReportPlace:
    """Where an administrator is in the reports: tab, period, "Câu có chứa" filter and page.

    Read from the report's own parameters, or from the `back` query string a proposal screen
    carries to return there. Only these four are read, each validated (anything else falls
    back to the first screen's value), and `query_string()` is rebuilt from them: a link or
    redirect made of it is the report's own address, whatever the request held.
    """

    report: str = DEFAULT_REPORT
    days: int = DEFAULT_PERIOD
    containing: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> ReportPlace:
        report = params.get("report")
        days = whole_number(params.get("days"), minimum=1, maximum=max(PERIODS))
        containing = " ".join(str(params.get("q") or "").split())[:MAX_QUERY_LENGTH]
        page = _page_number(params.get("p"))
        return cls(
            report=report if report in REPORTS else DEFAULT_REPORT,
            days=days if days in PERIODS else DEFAULT_PERIOD,
            containing="" if has_unreadable_characters(containing) else containing,
            page=page,
        )

    @classmethod
    def from_query_string(cls, text: str) -> ReportPlace:
        """The place a `back` parameter names; the first screen when it is not one."""
        try:
            pairs = parse_qsl(str(text or ""), keep_blank_values=True, max_num_fields=8)
        except ValueError:  # more fields than the four a place has: not one of ours
            return cls()
        return cls.from_params(dict(pairs))

    def query_string(self) -> str:
        """What differs from the first screen, in a fixed order ("" for the first screen)."""
        params = {
            "report": self.report if self.report != DEFAULT_REPORT else None,
            "days": self.days if self.days != DEFAULT_PERIOD else None,
            "q": self.containing or None,
            "p": self.page if self.page > 1 else None,
        }
        return urlencode(
            {key: value for key, value in params.items() if value is not None},
            quote_via=quote,
        )


def _page_number(value) -> int:
    """A page asked for: a whole number past the pages a report can fill is its last page
    (the paginator then shows the report's real last page), anything else the first."""
    text = str(value or "")
    if not (text.isascii() and text.isdigit()) or len(text) > 30:
        return 1
    return max(1, min(int(text), LAST_PAGE))


def query_report(
    *,
    report: str,
    days: int,
    today: date | None = None,
    limit: int | None = ROWS,
    containing: str = "",
) -> list[dict]:
    """Queries of the last `days` days summed over the period, the worst or most frequent first.

    zero: searches that found nothing; unopened: searches that found something but no result
    was opened; frequent: every query by number of searches. `containing` keeps the queries
    holding those words, compared without diacritics or case ("ket hon" finds "kết hôn").
    `limit=None`: every row (REPORT_MAX at most).
    """
    today = today or timezone.localdate()
    rows = (
        SearchQueryDay.objects.filter(day__gt=today - timedelta(days=days))
        .values("query")
        .annotate(
            searches=Sum("searches"),
            zero=Sum("zero_result_searches"),
            clicks=Sum("clicks"),
            last_day=Max("day"),
        )
    )
    if report == "zero":
        rows = rows.filter(zero__gt=0).order_by("-zero", "-searches", "query")
    elif report == "unopened":
        rows = rows.filter(clicks=0, searches__gt=F("zero")).order_by(
            "-searches", "query"
        )
    else:
        rows = rows.order_by("-searches", "query")
    wanted = " ".join(folded_tokens(containing))
    if not wanted:
        return list(rows[: limit or REPORT_MAX])
    found = []
    for row in rows[:REPORT_MAX].iterator():
        # whole words: "hon" is in "kết hôn", not in "phòng cháy"
        if f" {wanted} " in f" {' '.join(folded_tokens(row['query']))} ":
            found.append(row)
            if limit and len(found) >= limit:
                break
    return found


def top_hits(
    text: str,
    *,
    synonym: str | None = None,
    best_bet_page_id: int | None = None,
    limit: int = PREVIEW_SIZE,
):
    """The public search's first `limit` hits for `text`, with an unsaved rule applied if given.

    Runs the configured engine exactly as the public page does (not logged); the proposed rule
    lives only in this call's context, so other requests never see it.
    """
    from search.engines import get_engine
    from search.engines.base import proposed_tuning
    from search.queries import SearchQuery

    best_bet = None
    if best_bet_page_id is not None:
        best_bet = (BestBet.normalize(text), best_bet_page_id)
    query = SearchQuery(text=text, page=1, page_size=limit)
    with proposed_tuning(synonym=synonym, best_bet=best_bet):
        result = get_engine().search(query)
    return result

"""The fallback: a database query on the folded procedure name, used when the engine cannot answer.

It reads search.SearchRecord, which the indexer keeps in step with the engine, so it works the
same on SQLite and PostgreSQL and needs no extension.
"""

from __future__ import annotations

from functools import reduce
from operator import and_, or_

from django.db.models import Case, Q, When

from search.analysis import AnalyzedQuery, spellings
from search.engines.base import SearchEngine, suggestion
from search.queries import FACETS, SearchQuery

PAYLOAD_FACETS = {
    "department": "department_code",
    "field": "fields",
    "level": "levels",
    "subject": "subjects",
    "online": "online_level",
}


def _values(payload: dict, facet: str) -> list[str]:
    value = payload.get("facets", {}).get(PAYLOAD_FACETS[facet])
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


class DatabaseEngine(SearchEngine):
    name = "database"

    def _rows(self, analyzed: AnalyzedQuery, text: str):
        from search.models import SearchRecord

        rows = SearchRecord.objects.all()
        if not text:
            return rows
        conditions = []
        if analyzed.folded:
            conditions.append(
                reduce(
                    and_,
                    (
                        reduce(or_, (Q(name_folded__contains=f) for f in spellings(t)))
                        for t in analyzed.folded
                    ),
                )
            )
        for phrase in analyzed.expansions:
            conditions.append(Q(name_folded__contains=" ".join(phrase)))
        if analyzed.code:
            conditions.append(Q(code__iexact=analyzed.code))
        return rows.filter(reduce(or_, conditions)) if conditions else rows.none()

    def _search(self, query: SearchQuery, analyzed: AnalyzedQuery):
        records = list(
            self._rows(analyzed, query.text).values_list(
                "page_id", "code", "name_folded", "payload"
            )
        )
        joined = " ".join(analyzed.folded)

        def rank(record):
            _pid, code, name, _payload = record
            return (
                code.lower() != (analyzed.code or ""),
                name != joined,
                not name.startswith(joined),
                name,
            )

        if query.text:
            records.sort(key=rank)
        counts: dict[str, dict[str, int]] = {name: {} for name in FACETS}
        matched = []
        for record in records:
            payload = record[3]
            passes = {
                name: any(v in values for v in _values(payload, name))
                for name, values in query.filters.items()
            }
            if all(passes.values()):
                matched.append(payload)
            for facet in FACETS:
                others = [ok for name, ok in passes.items() if name != facet]
                if all(others):
                    for value in _values(payload, facet):
                        counts[facet][value] = counts[facet].get(value, 0) + 1
        page = matched[query.offset : query.offset + query.page_size]
        return len(matched), [(payload, 0.0) for payload in page], counts

    def _fetch(self, page_ids):
        from search.models import SearchRecord

        return {
            page_id: payload
            for page_id, payload in SearchRecord.objects.filter(
                page_id__in=page_ids
            ).values_list("page_id", "payload")
        }

    def _count_matching(self, analyzed, query, page_ids):
        return set(
            self._rows(analyzed, query.text)
            .filter(page_id__in=page_ids)
            .values_list("page_id", flat=True)
        )

    def _suggest(self, tokens, limit):
        from search.models import SearchRecord

        prefix = " ".join(tokens)
        # as the index: a word anywhere in the name, names that begin with it first
        at_start = Q(name_folded__startswith=prefix)
        rows = (
            SearchRecord.objects.filter(
                at_start | Q(name_folded__contains=f" {prefix}")
            )
            .annotate(later=Case(When(at_start, then=0), default=1))
            .order_by("later", "name_folded")[:limit]
        )
        return [suggestion({**r.payload, "code": r.code, "name": r.name}) for r in rows]

    def health(self) -> dict:
        from search.models import SearchRecord

        return {"status": "ok", "documents": SearchRecord.objects.count()}

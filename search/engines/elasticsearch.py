"""The Elasticsearch engine, for scale: elasticsearch.dsl mappings and queries, an alias in front.

`rebuild` fills a fresh, timestamped index and then moves the alias in one `_aliases` call, so
searches never see a half-built index. Any failure or a reply slower than ELASTICSEARCH_TIMEOUT
makes search answer from the database fallback, and the result says so.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable

from elasticsearch import Elasticsearch, helpers
from elasticsearch.dsl import (
    Boolean,
    Index,
    Keyword,
    Long,
    Mapping,
    Object,
    Q,
    Search,
    Text,
    analyzer,
    normalizer,
    tokenizer,
)
from elasticsearch.exceptions import ApiError, TransportError

from search.analysis import (
    AnalyzedQuery,
    fold,
    fuzzy_distance,
    minimum_should_match,
    query_parts,
    relaxed_minimum,
    spellings,
)
from search.documents import ProcedureDocument
from search.engines.base import EngineUnavailable, Progress, SearchEngine, suggestion
from search.engines.database import DatabaseEngine
from search.engines.embedded import (
    FEW_MATCHES,
    NEAR_SLOP,
    SYNONYM_FIELDS,
    WEIGHTS,
    asks_abroad,
    name_term_phrasings,
    unasked_follow_ups,
)
from search.queries import FACETS, SearchQuery, SearchResult

BULK_CHUNK = 500
FACET_FIELDS = {
    "department": "f_department",
    "field": "f_field",
    "level": "f_level",
    "subject": "f_subject",
    "online": "f_online",
}
TEXT_FIELDS = ["name", "keywords", "body", "department", "codes_text"]

# The same analysis as search/analysis.py: split on anything but letters and digits,
# lowercase, and (folded) ASCII-fold, which maps đ to d. Text arrives NFC-normalised.
_words = tokenizer("vi_words", "pattern", pattern=r"[^\p{L}\p{N}]+")
VI_FOLDED = analyzer(
    "vi_folded", tokenizer=_words, filter=["lowercase", "asciifolding"]
)
VI_EXACT = analyzer("vi_exact", tokenizer=_words, filter=["lowercase"])
LOWERCASE = normalizer("lowercase_keyword", filter=["lowercase"])


def build_mapping() -> Mapping:
    mapping = Mapping()
    mapping.field("page_id", Long())
    mapping.field("code_raw", Keyword(normalizer=LOWERCASE))
    mapping.field("name_full", Keyword())
    mapping.field("keyword_full", Keyword())
    mapping.field(
        "name", Text(analyzer=VI_FOLDED, fields={"exact": Text(analyzer=VI_EXACT)})
    )
    for name in ("keywords", "department", "body", "codes_text"):
        mapping.field(name, Text(analyzer=VI_FOLDED))
    for field in FACET_FIELDS.values():
        mapping.field(field, Keyword())
    mapping.field("served_abroad", Boolean())
    mapping.field("another_provinces", Boolean())
    mapping.field("follow_ups", Keyword())  # analysis.FOLLOW_UPS the name leads with
    mapping.field("name_start", Keyword())  # analysis.name_starts
    mapping.field("sort_name", Keyword())
    mapping.field("fingerprint", Keyword(index=False))
    mapping.field("payload", Object(enabled=False))
    return mapping


def index_definition(name: str) -> Index:
    index = Index(name)
    index.mapping(build_mapping())
    return index


def to_source(document: ProcedureDocument) -> dict:
    folded_name = " ".join(fold(document.name).split())
    return {
        "page_id": document.page_id,
        "code_raw": [code.lower() for code in document.codes],
        "codes_text": " ".join(document.codes),
        "name_full": document.name_key,
        "keyword_full": document.ranked_keyword_phrases,
        "name": document.name,
        "keywords": document.keywords,
        "department": document.department,
        "body": document.body,
        "f_department": document.department_code,
        "f_field": document.fields,
        "f_level": document.levels,
        "f_subject": document.subjects,
        "f_online": document.online_level,
        "served_abroad": document.served_abroad,
        "another_provinces": document.another_provinces,
        "follow_ups": document.follow_ups,
        "name_start": document.name_starts,
        "sort_name": folded_name,
        "fingerprint": document.fingerprint,
        "payload": document.payload(),
    }


def _boost(query: Q, weight: str) -> Q:
    query = query._clone()
    params = query._params
    if len(params) == 1 and isinstance(next(iter(params.values())), dict):
        next(iter(params.values()))["boost"] = WEIGHTS[weight]
    else:
        params["boost"] = WEIGHTS[weight]
    return query


def _phrase(field: str, words, slop: int = 0) -> Q:
    body = {"query": " ".join(words)}
    if slop:
        body["slop"] = slop
    return Q("match_phrase", **{field: body})


def _term(field: str, value: str | bool) -> Q:
    return Q("term", **{field: {"value": value}})


def _const(query: Q, weight: str) -> Q:
    """Fixed points, as the embedded engine's const_score_query."""
    return Q("constant_score", filter=query, boost=WEIGHTS[weight])


def _bigram_coverage(pairs: list[tuple[str, str]]) -> Q:
    """The embedded engine's share of a phrasing's word pairs side by side in the name."""
    share = WEIGHTS["name_bigrams"] / len(pairs)
    return Q(
        "bool",
        should=[
            Q("constant_score", filter=_phrase("name", pair), boost=share)
            for pair in pairs
        ],
    )


def _terms(field: str, values: list[str]) -> Q:
    return Q("terms", **{field: values})


def _match_all_words(field: str, words) -> Q:
    return Q("match", **{field: {"query": " ".join(words), "operator": "and"}})


def _match(field: str, text: str) -> Q:
    return Q("match", **{field: {"query": text}})


def _fuzzy(field: str, token: str, distance: int) -> Q:
    return Q(
        "match", **{field: {"query": token, "fuzziness": distance, "prefix_length": 0}}
    )


class ElasticsearchEngine(SearchEngine):
    name = "elasticsearch"

    def __init__(
        self,
        *,
        url: str,
        index_name: str,
        timeout: float = 2.0,
        client: Elasticsearch | None = None,
    ):
        self.alias = index_name
        self.timeout = timeout
        self.client = client or Elasticsearch(
            url, request_timeout=timeout, max_retries=0, retry_on_timeout=False
        )
        self.fallback = DatabaseEngine()

    # ---- requests (every body goes through here, so tests can capture and validate it)

    def _es(self):
        return self.client.options(request_timeout=self.timeout)

    def search_body(self, query: SearchQuery, analyzed: AnalyzedQuery) -> dict:
        search = Search()
        filters = self._filters(query.filters)
        if query.text:
            n = len(analyzed.folded)
            search = search.query(
                Q(
                    "bool",
                    filter=[self._required(analyzed, minimum_should_match(n))],
                    should=self._scoring(analyzed),
                )
            )
        else:
            search = search.query(Q("match_all")).sort("sort_name", "page_id")
        if filters:
            search = search.post_filter(Q("bool", filter=filters))
        for facet in FACETS:
            others = self._filters(query.without_filter(facet))
            search.aggs.bucket(
                facet,
                "filter",
                filter=Q("bool", filter=others) if others else Q("match_all"),
            ).bucket("values", "terms", field=FACET_FIELDS[facet], size=100)
        search = search.extra(track_total_hits=True, _source={"includes": ["payload"]})
        search = search[query.offset : query.offset + query.page_size]
        return search.to_dict()

    def relaxed_body(
        self, body: dict, analyzed: AnalyzedQuery, minimum: int | None = None
    ) -> dict:
        """The same request, with synonym phrases in the body too and `minimum` words (60 %)."""
        if minimum is None:
            minimum = relaxed_minimum(len(analyzed.folded))
        relaxed = dict(body)
        relaxed["query"] = Q(
            "bool",
            filter=[self._required(analyzed, minimum, body=True)],
            should=self._scoring(analyzed),
        ).to_dict()
        return relaxed

    def _token_matches(self, token: str) -> Q:
        clauses = [
            _match(field, form) for form in spellings(token) for field in TEXT_FIELDS
        ]
        distance = fuzzy_distance(token)
        if distance:
            clauses += [_fuzzy(f, token, distance) for f in ("name", "keywords")]
        return Q("bool", should=clauses, minimum_should_match=1)

    def _required(self, analyzed: AnalyzedQuery, minimum: int, body: bool = False) -> Q:
        options = []
        if analyzed.folded:
            options.append(
                Q(
                    "bool",
                    should=[self._token_matches(t) for t in analyzed.folded],
                    minimum_should_match=minimum,
                )
            )
        for phrase in analyzed.expansions:
            fields = SYNONYM_FIELDS + (("body",) if body else ())
            options += [_phrase(f, phrase) for f in fields]
        # a question's object, side by side in the name (AnalyzedQuery.name_runs)
        options += [_phrase("name", run) for run in analyzed.name_runs()]
        if analyzed.code:
            options.append(_term("code_raw", analyzed.code))
        return Q("bool", should=options, minimum_should_match=1)

    def _scoring(self, analyzed: AnalyzedQuery) -> list[Q]:
        """The embedded engine's clauses, one for one (see EmbeddedEngine._scoring)."""
        tokens = analyzed.folded
        scoring = []
        if analyzed.code:
            scoring.append(_const(_term("code_raw", analyzed.code), "code"))
        phrasings = [tuple(tokens)] if tokens else []
        phrasings += analyzed.variants
        if tokens:
            scoring.append(_const(_term("name_full", " ".join(tokens)), "name_full"))
        if phrasings:
            scoring.append(
                _const(
                    _terms("keyword_full", [" ".join(p) for p in phrasings]),
                    "keyword_full",
                )
            )
        if analyzed.variants:
            scoring.append(
                _const(
                    _terms("name_full", [" ".join(v) for v in analyzed.variants]),
                    "variant_name_full",
                )
            )
        parts = query_parts(tokens)
        if parts:
            scoring.append(_const(_terms("keyword_full", parts), "keyword_part"))
        name_parts = analyzed.name_parts()
        if name_parts:
            scoring.append(_const(_terms("name_full", name_parts), "name_part"))
        if len(tokens) > 1:
            every = [_match_all_words("name", p) for p in phrasings]
            nested = [
                _const(_phrase("name", tokens), "name_phrase"),
                _const(_phrase("name", tokens, NEAR_SLOP), "name_near"),
                _const(
                    every[0]
                    if len(every) == 1
                    else Q("bool", should=every, minimum_should_match=1),
                    "name_all",
                ),
            ]
            for variant in analyzed.variants:
                if len(variant) > 1:
                    nested.append(_const(_phrase("name", variant), "name_phrase"))
                    nested.append(
                        _const(_phrase("name", variant, NEAR_SLOP), "name_near")
                    )
            scoring.append(Q("dis_max", queries=nested))
            scoring.append(_const(_phrase("keywords", tokens, 1), "keywords_phrase"))
        coverage = [_bigram_coverage(pairs) for pairs in analyzed.bigram_phrasings()]
        if coverage:
            scoring.append(Q("dis_max", queries=coverage))
        starts = analyzed.name_start_runs()
        if starts:
            scoring.append(_const(_terms("name_start", starts), "name_start"))
        if tokens:
            # Each word in the name, for the query or the synonym variant that finds most.
            options = [
                Q(
                    "bool",
                    should=[
                        Q(
                            "match",
                            name={
                                "query": form,
                                "boost": WEIGHTS["name_term"] * share,
                            },
                        )
                        for word, share in phrasing
                        for form in spellings(word)
                    ],
                )
                for phrasing in name_term_phrasings(tokens, analyzed.variants)
            ]
            scoring.append(
                options[0] if len(options) == 1 else Q("dis_max", queries=options)
            )
        for token in tokens:
            for form in spellings(token):
                scoring.append(_boost(_match("keywords", form), "keywords_term"))
            scoring.append(_boost(_match("department", token), "department_term"))
            scoring.append(_boost(_match("body", token), "body_term"))
            distance = fuzzy_distance(token)
            if distance:
                scoring.append(_boost(_fuzzy("name", token, distance), "name_fuzzy"))
        for token in analyzed.exact:
            scoring.append(_boost(_match("name.exact", token), "name_exact"))
        if len(analyzed.exact) > 1:
            scoring.append(
                _const(_phrase("name.exact", analyzed.exact), "name_exact_phrase")
            )
        unasked = unasked_follow_ups(analyzed)
        if unasked:
            # A name that is no follow-up the query did not ask for (cấp lại, gia hạn ...).
            scoring.append(
                _const(
                    Q(
                        "bool",
                        must=[Q("match_all")],
                        must_not=[
                            _terms("follow_ups", [" ".join(words) for words in unasked])
                        ],
                    ),
                    "primary",
                )
            )
        if not asks_abroad(analyzed):
            # A procedure done at home, not by a mission abroad.
            abroad = _term("served_abroad", True)
            scoring.append(
                _const(Q("bool", must=[Q("match_all")], must_not=[abroad]), "domestic")
            )
        # Not another province's SPECIFIC procedure.
        elsewhere = _term("another_provinces", True)
        scoring.append(
            _const(
                Q("bool", must=[Q("match_all")], must_not=[elsewhere]), "this_province"
            )
        )
        if analyzed.expansions:
            for field, weight in (
                ("name", "synonym_name"),
                ("keywords", "synonym_keywords"),
            ):
                best = Q(
                    "dis_max",
                    queries=[_phrase(field, p) for p in analyzed.expansions],
                )
                scoring.append(_boost(best, weight))
        return scoring

    def _filters(self, filters: dict[str, list[str]]) -> list[Q]:
        return [
            Q("terms", **{FACET_FIELDS[name]: values})
            for name, values in filters.items()
        ]

    # ---- the shared flow, with the fallback

    def search(self, query: SearchQuery) -> SearchResult:
        try:
            return super().search(query)
        except (TransportError, ApiError, EngineUnavailable, OSError) as exc:
            result = self.fallback.search(query)
            result.fallback = True
            result.fallback_reason = (
                f"elasticsearch unavailable: {exc.__class__.__name__}"
            )
            return result

    def _search(self, query: SearchQuery, analyzed: AnalyzedQuery):
        body = self.search_body(query, analyzed)
        response = self._es().search(index=self.alias, body=body)
        n = len(analyzed.folded)
        if (
            query.text
            and response["hits"]["total"]["value"] < FEW_MATCHES
            and analyzed.expansions
        ):  # as the embedded engine: the body's synonym phrases too
            body = self.relaxed_body(body, analyzed, minimum=minimum_should_match(n))
            response = self._es().search(index=self.alias, body=body)
        if query.text and response["hits"]["total"]["value"] == 0 and n > 1:
            body = self.relaxed_body(body, analyzed)
            response = self._es().search(index=self.alias, body=body)
        rows = [
            (hit["_source"]["payload"], hit.get("_score") or 0.0)
            for hit in response["hits"]["hits"]
        ]
        facets = {
            facet: {
                bucket["key"]: bucket["doc_count"]
                for bucket in response.get("aggregations", {})
                .get(facet, {})
                .get("values", {})
                .get("buckets", [])
            }
            for facet in FACETS
        }
        return response["hits"]["total"]["value"], rows, facets

    def _fetch(self, page_ids):
        body = {
            "query": {"terms": {"page_id": list(page_ids)}},
            "size": len(page_ids),
            "_source": {"includes": ["payload"]},
        }
        response = self._es().search(index=self.alias, body=body)
        return {
            int(hit["_source"]["payload"]["page_id"]): hit["_source"]["payload"]
            for hit in response["hits"]["hits"]
        }

    def _count_matching(self, analyzed, query, page_ids):
        body = {
            "query": Q(
                "bool",
                filter=[
                    self._required(
                        analyzed, max(1, minimum_should_match(len(analyzed.folded)))
                    ),
                    Q("terms", page_id=list(page_ids)),
                ],
            ).to_dict(),
            "size": len(page_ids),
            "_source": {"includes": ["page_id"]},
        }
        response = self._es().search(index=self.alias, body=body)
        return {int(hit["_source"]["page_id"]) for hit in response["hits"]["hits"]}

    def suggest_body(self, tokens: list[str], limit: int) -> dict:
        return {
            "query": {"match_phrase_prefix": {"name": {"query": " ".join(tokens)}}},
            "size": limit,
            "_source": {"includes": ["payload"]},
        }

    def _suggest(self, tokens, limit):
        try:
            response = self._es().search(
                index=self.alias, body=self.suggest_body(tokens, limit)
            )
        except (TransportError, ApiError, OSError):
            return self.fallback._suggest(tokens, limit)
        return [
            suggestion(hit["_source"]["payload"]) for hit in response["hits"]["hits"]
        ]

    # ---- writing

    def _actions(self, index: str, documents: Iterable[ProcedureDocument]):
        for document in documents:
            yield {
                "_op_type": "index",
                "_index": index,
                "_id": str(document.page_id),
                "_source": to_source(document),
            }

    def _bulk(self, actions, **params) -> int:
        try:
            count, errors = helpers.bulk(
                self._es(),
                actions,
                chunk_size=BULK_CHUNK,
                raise_on_error=False,
                **params,
            )
        except (TransportError, ApiError, OSError) as exc:
            raise EngineUnavailable(f"Elasticsearch bulk failed: {exc}") from exc
        failures = [e for e in errors if "not_found" not in json.dumps(e)]
        if failures:
            raise EngineUnavailable(f"Elasticsearch rejected {len(failures)} documents")
        return count

    def index(self, documents: Iterable[ProcedureDocument]) -> int:
        # wait_for: a published procedure is findable when publishing returns (about 1 s).
        return self._bulk(self._actions(self.alias, documents), refresh="wait_for")

    def delete(self, page_ids: Iterable[int]) -> None:
        actions = (
            {"_op_type": "delete", "_index": self.alias, "_id": str(page_id)}
            for page_id in page_ids
        )
        self._bulk(actions, refresh="wait_for")

    def create_body(self) -> dict:
        return index_definition(self.alias).to_dict()

    def rebuild(
        self, documents: Iterable[ProcedureDocument], progress: Progress | None = None
    ) -> int:
        """Fill a fresh index, then move the alias to it in one call and drop the old ones."""
        new_index = f"{self.alias}-{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 1000000:06d}"
        es = self._es()
        try:
            es.indices.create(index=new_index, body=self.create_body())
            count = 0

            def counted():
                nonlocal count
                for action in self._actions(new_index, documents):
                    count += 1
                    if progress and count % 100 == 0:
                        progress(count)
                    yield action

            self._bulk(counted())
            es.indices.refresh(index=new_index)
            old = []
            if es.indices.exists_alias(name=self.alias):
                old = list(es.indices.get_alias(name=self.alias).keys())
            es.indices.update_aliases(body=self.alias_actions(new_index, old))
            for name in old:
                if name != new_index:
                    es.indices.delete(index=name)
        except (TransportError, ApiError, OSError) as exc:
            raise EngineUnavailable(f"Elasticsearch rebuild failed: {exc}") from exc
        if progress:
            progress(count)
        return count

    def alias_actions(self, new_index: str, old: list[str]) -> dict:
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": new_index, "alias": self.alias}})
        return {"actions": actions}

    def fingerprints(self) -> dict[int, str]:
        found = {}
        try:
            for hit in helpers.scan(
                self._es(),
                index=self.alias,
                query={
                    "query": {"match_all": {}},
                    "_source": {"includes": ["page_id", "fingerprint"]},
                },
            ):
                found[int(hit["_source"]["page_id"])] = hit["_source"]["fingerprint"]
        except (TransportError, ApiError, OSError) as exc:
            raise EngineUnavailable(str(exc)) from exc
        return found

    def health(self) -> dict:
        try:
            count = self._es().count(index=self.alias)["count"]
        except (TransportError, ApiError, OSError) as exc:
            return {"status": "down", "error": exc.__class__.__name__}
        return {"status": "ok", "documents": count, "alias": self.alias}

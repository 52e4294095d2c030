"""Every request body the Elasticsearch engine sends, captured from the real client through a
recording node and validated against Elastic's OpenAPI specification (no server needed)."""

import copy
import json

from django.conf import settings

import pytest

from search.analysis import analyze_query
from search.documents import iter_documents
from search.engines.elasticsearch import NEAR_SLOP, WEIGHTS, ElasticsearchEngine
from search.indexing import save_records
from search.queries import SearchQuery
from tests.search.es_recorder import (
    Cluster,
    ConnectionError,
    ConnectionTimeout,
    errors,
    recording_client,
    request_schema,
    validate_bulk,
    validate_request,
)

SPEC = settings.SHARED_DATA_DIR / "spec" / "elasticsearch-serverless-openapi.json"
pytestmark = pytest.mark.skipif(
    not SPEC.exists(), reason=f"the Elasticsearch OpenAPI spec is not at {SPEC}"
)


@pytest.fixture
def cluster():
    return Cluster()


@pytest.fixture
def es(cluster, settings):
    return ElasticsearchEngine(
        url="http://es.invalid:9200",
        index_name=settings.SEARCH_INDEX_NAME,
        timeout=settings.ELASTICSEARCH_TIMEOUT,
        client=recording_client(cluster),
    )


def bodies(cluster, method, suffix):
    return [
        r for r in cluster.requests if r.method == method and r.path.endswith(suffix)
    ]


def assert_valid(cluster):
    checked = 0
    for request in cluster.requests:
        if request.body:
            assert validate_request(request) == [], (request.method, request.path)
            checked += 1
    return checked


def test_the_validator_rejects_what_elasticsearch_would(cluster, es):
    """Positive control: without it, an empty error list could mean nothing was checked."""
    schema = request_schema("PUT", "/{index}")
    good = es.create_body()
    assert errors(schema, good) == []
    broken = copy.deepcopy(good)
    broken["mappings"]["properties"]["name"]["type"] = "txt"
    assert errors(schema, broken)
    broken = copy.deepcopy(good)
    broken["settings"]["analysis"]["tokenizer"]["vi_words"]["type"] = 42
    assert errors(schema, broken)
    search_schema = request_schema("POST", "/{index}/_search")
    assert errors(search_schema, {"size": "many"})
    assert errors(search_schema, {"query": {"match_phrase": {"name": {"slop": "x"}}}})
    assert validate_bulk([{"index": {"_index": "x", "_id": 5}}, {"a": 1}])
    assert validate_bulk([{"index": {"_index": "x", "_id": "5"}}, {"a": 1}]) == []


def test_rebuild_creates_a_fresh_index_fills_it_and_moves_the_alias(
    catalog, cluster, es, settings
):
    alias = settings.SEARCH_INDEX_NAME
    count = es.rebuild(iter_documents())
    assert count == 12
    created = bodies(cluster, "PUT", "")[0]
    assert created.path.startswith(f"/{alias}-")
    new_index = created.path[1:]
    body = created.json()
    analysis = body["settings"]["analysis"]
    assert analysis["analyzer"]["vi_folded"]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"]["vi_exact"]["filter"] == ["lowercase"]
    assert analysis["tokenizer"]["vi_words"] == {
        "type": "pattern",
        "pattern": r"[^\p{L}\p{N}]+",
    }
    properties = body["mappings"]["properties"]
    assert properties["name"]["fields"]["exact"]["analyzer"] == "vi_exact"
    assert properties["payload"] == {"type": "object", "enabled": False}
    assert properties["served_abroad"] == {"type": "boolean"}
    assert properties["follow_ups"] == {"type": "keyword"}
    assert properties["another_provinces"] == {"type": "boolean"}
    assert properties["name_start"] == {"type": "keyword"}

    bulk = bodies(cluster, "PUT", "/_bulk") + bodies(cluster, "POST", "/_bulk")
    lines = [line for request in bulk for line in request.ndjson()]
    actions = lines[0::2]
    sources = lines[1::2]
    assert {a["index"]["_index"] for a in actions} == {new_index}
    assert len(sources) == 12
    for source in sources:
        assert set(source) <= set(properties), set(source) - set(properties)
    assert cluster.aliases[alias] == [new_index]
    assert bodies(cluster, "POST", "/_aliases")[0].json() == {
        "actions": [{"add": {"index": new_index, "alias": alias}}]
    }
    assert assert_valid(cluster) >= 3

    # a second rebuild swaps the alias in one call and drops the old index
    cluster.requests.clear()
    es.rebuild(iter_documents())
    newer = bodies(cluster, "PUT", "")[0].path[1:]
    assert bodies(cluster, "POST", "/_aliases")[0].json() == {
        "actions": [
            {"remove": {"index": new_index, "alias": alias}},
            {"add": {"index": newer, "alias": alias}},
        ]
    }
    assert [r.path for r in bodies(cluster, "DELETE", "")] == [f"/{new_index}"]
    assert cluster.aliases[alias] == [newer]
    assert assert_valid(cluster) >= 3


def test_incremental_index_and_delete_go_through_bulk_to_the_alias(
    catalog, cluster, es, settings
):
    page = catalog["1.000002"]
    es.index(iter_documents([page.pk]))
    es.delete([page.pk])
    bulk = bodies(cluster, "PUT", "/_bulk") + bodies(cluster, "POST", "/_bulk")
    lines = [line for request in bulk for line in request.ndjson()]
    assert lines[0] == {
        "index": {"_index": settings.SEARCH_INDEX_NAME, "_id": str(page.pk)}
    }
    assert lines[1]["name"] == "Đăng ký kết hôn"
    assert lines[2] == {
        "delete": {"_index": settings.SEARCH_INDEX_NAME, "_id": str(page.pk)}
    }
    assert all("refresh=wait_for" in r.query for r in bulk)
    assert assert_valid(cluster) == 2


QUERIES = [
    SearchQuery(text="dang ky khai sinh"),
    SearchQuery(text="Đăng ký kết hôn", filters={"department": ["STP"]}),
    SearchQuery(
        text="so do", filters={"online": ["full", "partial"], "level": ["province"]}
    ),
    SearchQuery(text="CCCD", page=2, page_size=10),
    SearchQuery(text="1.000080"),
    SearchQuery(text="dnag ky thuong tru"),
    SearchQuery(text="", filters={"field": ["G15-TP07"]}),
    SearchQuery(text=""),
    SearchQuery(text='field:x "( * ~1'),
    SearchQuery(text="mất căn cước công dân phải làm sao"),
    SearchQuery(text="di lam xa nha lau ngay co can khai bao tam vang khong"),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.text or "browse")
def test_search_bodies_are_valid(db, cluster, es, settings, query):
    result = es.search(query)
    assert result.engine == "elasticsearch" and result.fallback is False
    searches = bodies(cluster, "POST", "/_search")
    assert searches and all(
        r.path == f"/{settings.SEARCH_INDEX_NAME}/_search" for r in searches
    )
    assert all(r.timeout == settings.ELASTICSEARCH_TIMEOUT for r in cluster.requests)
    assert assert_valid(cluster) >= 1
    body = searches[0].json()
    assert body["from"] == query.offset and body["size"] == query.page_size
    assert body["track_total_hits"] is True
    # each facet aggregates under every filter except its own
    for facet, agg in body["aggs"].items():
        text = str(agg["filter"])
        for name, values in query.filters.items():
            assert (repr(values) in text) == (name != facet)
    if query.filters:
        assert body["post_filter"]["bool"]["filter"]


def test_search_body_carries_the_ranking_pieces(db, es):
    analyzed = analyze_query("Đăng ký khai sinh")
    body = es.search_body(SearchQuery(text="Đăng ký khai sinh"), analyzed)
    should = body["query"]["bool"]["should"]

    def const(query, weight):
        return {"constant_score": {"filter": query, "boost": WEIGHTS[weight]}}

    words = "dang ky khai sinh"
    # whole-value and name properties are fixed points; the nested name ones count once
    assert const({"term": {"name_full": {"value": words}}}, "name_full") in should
    keyword_full = [
        c["constant_score"]
        for c in should
        if c.get("constant_score", {}).get("boost") == WEIGHTS["keyword_full"]
    ]
    # the query and each synonym variant of it, as whole keywords
    assert keyword_full[0]["filter"]["terms"]["keyword_full"][0] == words
    assert len(keyword_full[0]["filter"]["terms"]["keyword_full"]) > 1
    parts = ["dang ky", "ky khai", "khai sinh", "dang ky khai", "ky khai sinh"]
    assert const({"terms": {"keyword_full": parts}}, "keyword_part") in should
    # a whole name inside the query or a synonym reading of it
    (name_part,) = [
        c["constant_score"]["filter"]["terms"]["name_full"]
        for c in should
        if "name_full" in c.get("constant_score", {}).get("filter", {}).get("terms", {})
        and c["constant_score"]["boost"] == WEIGHTS["name_part"]
    ]
    assert name_part[: len(parts)] == parts
    # a name beginning with words the query (or a variant) has side by side
    (starts,) = [
        c["constant_score"]["filter"]["terms"]["name_start"]
        for c in should
        if "name_start"
        in c.get("constant_score", {}).get("filter", {}).get("terms", {})
    ]
    assert starts[:3] == ["dang ky", "ky khai", "khai sinh"]
    assert const({"terms": {"name_start": starts}}, "name_start") in should
    (name_words,) = [c["dis_max"]["queries"] for c in should if "dis_max" in c][:1]
    assert name_words[:2] == [
        const({"match_phrase": {"name": {"query": words}}}, "name_phrase"),
        const(
            {"match_phrase": {"name": {"query": words, "slop": NEAR_SLOP}}},
            "name_near",
        ),
    ]
    every = name_words[2]["constant_score"]
    assert every["boost"] == WEIGHTS["name_all"]
    assert {"match": {"name": {"query": words, "operator": "and"}}} in every["filter"][
        "bool"
    ]["should"]
    assert {
        "match": {"name.exact": {"query": "đăng", "boost": WEIGHTS["name_exact"]}}
    } in should
    assert {
        "match": {
            "name": {
                "query": "khai",
                "fuzziness": 1,
                "prefix_length": 0,
                "boost": WEIGHTS["name_fuzzy"],
            }
        }
    } in should
    code_body = es.search_body(SearchQuery(text="1.000080"), analyze_query("1.000080"))
    assert (
        const({"term": {"code_raw": {"value": "1.000080"}}}, "code")
        in code_body["query"]["bool"]["should"]
    )
    # synonym phrases: the best one per field, not one clause each
    synonym_body = es.search_body(SearchQuery(text="cccd"), analyze_query("cccd"))
    best = [
        clause["dis_max"]
        for clause in synonym_body["query"]["bool"]["should"]
        if "boost" in clause.get("dis_max", {})
    ]
    assert [b["boost"] for b in best] == [
        WEIGHTS["synonym_name"],
        WEIGHTS["synonym_keywords"],
    ]
    assert all(len(b["queries"]) > 1 for b in best)
    # priors: no unasked follow-up in the name; not done by a mission abroad
    every = [{"match_all": {}}]
    abroad = {"term": {"served_abroad": {"value": True}}}
    assert const({"bool": {"must": every, "must_not": [abroad]}}, "domestic") in should
    elsewhere = {"term": {"another_provinces": {"value": True}}}
    assert (
        const({"bool": {"must": every, "must_not": [elsewhere]}}, "this_province")
        in should
    )
    (primary,) = [
        c["constant_score"]["filter"]["bool"]
        for c in should
        if c.get("constant_score", {}).get("boost") == WEIGHTS["primary"]
        and abroad not in c["constant_score"]["filter"]["bool"]["must_not"]
    ]
    assert primary["must"] == every
    ((unasked,),) = [c["terms"].values() for c in primary["must_not"]]
    assert "lại" in unasked and "gia hạn" in unasked
    abroad = analyze_query("chứng thực chữ ký ở lãnh sự quán")
    abroad_body = es.search_body(SearchQuery(text=abroad.folded[0]), abroad)
    assert "served_abroad" not in json.dumps(abroad_body)


def _words_clause(body):
    """The required clause's "content words" part: bool.should of one bool per word."""
    (required,) = body["query"]["bool"]["filter"]
    return required["bool"]["should"][0]["bool"]


@pytest.mark.parametrize(
    "text, words, minimum",
    [
        ("khai sinh", 2, 2),  # up to two words: both
        ("dang ky khai sinh", 4, 3),  # then one may miss
        ("thủ tục đăng ký khai sinh cho con như thế nào", 4, 3),  # frames dropped
        ("di lam xa nha lau ngay khai bao tam vang", 10, 5),  # a sentence: half
    ],
)
def test_search_body_requires_most_content_words(db, es, text, words, minimum):
    body = es.search_body(SearchQuery(text=text), analyze_query(text))
    clause = _words_clause(body)
    assert len(clause["should"]) == words
    assert clause["minimum_should_match"] == minimum


def test_search_body_lets_three_words_in_a_row_in_the_name_match(db, es):
    text = "không có tiền thuê luật sư thì xin trợ giúp pháp lý thế nào"
    body = es.search_body(SearchQuery(text=text), analyze_query(text))
    (required,) = body["query"]["bool"]["filter"]
    assert "tro giup phap" in _name_phrases(required)
    assert "giup phap ly" in _name_phrases(required)
    assert required["bool"]["minimum_should_match"] == 1
    # four words: three must match anyway, so no run is added
    short = es.search_body(
        SearchQuery(text="dang ky tam tru"), analyze_query("dang ky tam tru")
    )
    (required,) = short["query"]["bool"]["filter"]
    assert "ky tam tru" not in _name_phrases(required)


def _name_phrases(required):
    return [
        option["match_phrase"]["name"]["query"]
        for option in required["bool"]["should"]
        if "name" in option.get("match_phrase", {})
    ]


def test_search_body_scores_adjacent_syllables_as_phrases(db, es):
    text = "cap lai the can cuoc bi mat"
    body = es.search_body(SearchQuery(text=text), analyze_query(text))
    coverage = [
        clause["dis_max"]["queries"]
        for clause in body["query"]["bool"]["should"]
        if "dis_max" in clause
        and all("bool" in q for q in clause["dis_max"]["queries"])
    ]
    assert coverage, "no word-pair clause"
    query_pairs = coverage[0][0]["bool"]["should"]
    share = WEIGHTS["name_bigrams"] / 6
    assert query_pairs[3] == {
        "constant_score": {
            "filter": {"match_phrase": {"name": {"query": "can cuoc"}}},
            "boost": share,
        }
    }
    assert [
        q["constant_score"]["filter"]["match_phrase"]["name"]["query"]
        for q in query_pairs
    ] == ["cap lai", "lai the", "the can", "can cuoc", "cuoc bi", "bi mat"]
    # the body is searched, with less weight than the name and keywords
    body_words = [
        c["match"]["body"]
        for c in body["query"]["bool"]["should"]
        if "body" in c.get("match", {})
    ]
    assert body_words and all(w["boost"] < WEIGHTS["keywords_term"] for w in body_words)


def test_results_are_read_from_the_response(db, cluster, es):
    payload = {
        "page_id": 7,
        "code": "1.000002",
        "name": "Đăng ký kết hôn",
        "department": "Sở Tư pháp",
        "department_code": "STP",
        "url": "/co-quan/stp/dang-ky-ket-hon/",
        "online_level": "partial",
        "fee_min": 0,
        "fee_max": 8000,
        "processing_time": "5 ngày làm việc",
    }
    cluster.search_hits = [
        {"_index": "x", "_id": "7", "_score": 3.5, "_source": {"payload": payload}}
    ]
    cluster.aggregations = {
        "department": {
            "doc_count": 1,
            "values": {"buckets": [{"key": "STP", "doc_count": 1}]},
        }
    }
    result = es.search(SearchQuery(text="ket hon"))
    assert result.total == 1
    assert result.hits[0].code == "1.000002"
    assert result.hits[0].highlight == "Đăng ký <mark>kết</mark> <mark>hôn</mark>"
    assert [(b.value, b.count) for b in result.facets["department"]] == [("STP", 1)]


def test_suggest_best_bets_check_and_health_bodies_are_valid(catalog, cluster, es):
    from search.models import BestBet

    es.suggest("dang ky kh", limit=5)
    BestBet.objects.create(query="giay to", procedure=catalog["1.000010"])
    cluster.search_hits = []
    es.search(SearchQuery(text="giay to"))
    es.fingerprints()
    assert es.health()["status"] == "ok"
    assert assert_valid(cluster) >= 4
    suggest = [r.json() for r in bodies(cluster, "POST", "/_search")][0]
    assert suggest["query"] == {
        "match_phrase_prefix": {"name": {"query": "dang ky kh"}}
    }


@pytest.mark.parametrize(
    "failure", [ConnectionError("refused"), ConnectionTimeout("slower than 2 s")]
)
def test_search_falls_back_to_the_database_when_the_cluster_fails(
    catalog, cluster, es, failure
):
    save_records(list(iter_documents()))
    cluster.fail = failure
    result = es.search(SearchQuery(text="dang ky khai sinh"))
    assert result.fallback is True
    assert result.engine == "database"
    assert result.hits[0].code == "1.000001"
    assert es.health()["status"] == "down"
    assert es.suggest("dang ky k", limit=3)[0]["name"].startswith("Đăng ký")

"""GET /api/v1/search/ and /api/v1/search/suggest/ as a client system sees them."""

import pytest

URL = "/api/v1/search/"


def test_search_response_shape(client, catalog_indexed):
    response = client.get(URL, {"q": "dang ky", "page_size": 3})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"meta", "items", "facets", "suggestion"}
    assert body["meta"]["engine"] == "embedded"
    assert body["meta"]["fallback"] is False
    assert body["meta"]["total_count"] == 8  # every name with "Đăng ký"
    assert isinstance(body["meta"]["took_ms"], float)
    assert len(body["items"]) == 3
    first = client.get(URL, {"q": "dang ky khai sinh"}).json()["items"][0]
    assert first == {
        "code": "1.000001",
        "name": "Đăng ký khai sinh",
        "department": "Sở Tư pháp",
        "url": catalog_indexed["1.000001"].url,
        "highlight": "<mark>Đăng</mark> <mark>ký</mark> <mark>khai</mark> <mark>sinh</mark>",
    }
    assert set(body["facets"]) == {"department", "field", "level", "subject", "online"}
    stp = [b for b in body["facets"]["department"] if b["value"] == "STP"][0]
    assert (
        stp["label"] == "Sở Tư pháp" and stp["count"] >= 2 and stp["selected"] is False
    )
    assert body["suggestion"] is None


def test_filters_accept_repeated_and_comma_separated_codes(client, catalog_indexed):
    repeated = client.get(
        URL, [("online", "full"), ("online", "partial"), ("level", "commune")]
    )
    commas = client.get(URL, {"online": "full,partial", "level": "commune"})
    assert repeated.json()["items"] == commas.json()["items"]
    assert {i["code"] for i in commas.json()["items"]} == {"1.000011", "1.000012"}
    selected = [b["value"] for b in commas.json()["facets"]["online"] if b["selected"]]
    assert sorted(selected) == ["full", "partial"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"q": "x", "sort": "name"}, "Tham số không được hỗ trợ: sort"),
        (
            {"page_size": "101"},
            "page_size phải được gửi một lần, là số nguyên từ 1 đến 100",
        ),
        (
            {"page_size": "0"},
            "page_size phải được gửi một lần, là số nguyên từ 1 đến 100",
        ),
        ({"page": "10000"}, "page × page_size tối đa 10000"),
        ({"page": "abc"}, "page phải được gửi một lần, là số nguyên từ 1 đến 10000"),
        ({"q": "x" * 10_240}, "q dài tối đa 200 ký tự"),
        (
            {"department": ",".join(f"D{n}" for n in range(30))},
            "department nhận tối đa 20 giá trị",
        ),
        # a fixed list, refused as the catalog API's ?online= is (it matched nothing before)
        (
            {"q": "khai sinh", "online": "sometimes"},
            "không nhận giá trị sometimes; chọn trong: full, partial, none",
        ),
        # codes only, as procedures/ refuses them (they matched nothing, or everything)
        ({"department": "😀"}, "department nhận các mã"),
        ({"level": "+5"}, "level nhận các mã"),
        ({"online": ","}, "online nhận các mã"),
    ],
)
def test_bad_input_is_a_400_with_a_message(client, catalog_indexed, params, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert message in response.json()["message"]


@pytest.mark.parametrize(
    "q",
    [
        "*",
        "(",
        '"',
        "field:x",
        "name:(a OR b)",
        "\\",
        "<script>alert(1)</script>",
    ],
)
def test_hostile_text_is_an_ordinary_answer(client, catalog_indexed, q):
    response = client.get(URL, {"q": q})
    assert response.status_code == 200
    for item in response.json()["items"]:
        assert "<script" not in item["highlight"]


def test_control_characters_in_the_query_are_a_400(client, catalog_indexed):
    response = client.get(URL, {"q": "khai\x00sinh"})
    assert response.status_code == 400
    assert response.json()["message"]


def test_did_you_mean(client, catalog_indexed):
    body = client.get(URL, {"q": "dang ky khaii sinhh zzqx"}).json()
    assert body["suggestion"] and "khai sinh" in body["suggestion"]


def test_no_did_you_mean_for_a_whole_question_that_found_results(
    client, catalog_indexed
):
    """A respelling of a pasted question for its one odd word is noise once it found results;
    a short query with that word still gets one."""
    question = "xin hoi thu tuc dang ky khai sinh cho con gai moi sinh tai benh vienn nhu the nao"
    body = client.get(URL, {"q": question}).json()
    assert body["items"][0]["name"] == "Đăng ký khai sinh"
    assert body["suggestion"] is None
    assert client.get(URL, {"q": "khai sinh vienn"}).json()["suggestion"]


def test_suggest(client, catalog_indexed):
    response = client.get(URL + "suggest/", {"q": "dang ky kh"})
    assert response.status_code == 200
    names = [item["name"] for item in response.json()["items"]]
    assert "Đăng ký khai sinh" in names
    items = response.json()["items"]
    assert set(items[0]) == {"code", "name", "url", "department", "elsewhere"}
    birth = next(item for item in items if item["name"] == "Đăng ký khai sinh")
    assert birth["department"] == "Sở Tư pháp"
    assert client.get(URL + "suggest/", {"q": "dang", "limit": "2"}).json()["items"][
        1:2
    ]
    assert (
        len(client.get(URL + "suggest/", {"q": "dang", "limit": "2"}).json()["items"])
        == 2
    )
    assert client.get(URL + "suggest/", {"q": "x", "limit": "99"}).status_code == 400
    assert client.get(URL + "suggest/", {"q": "x", "bogus": "1"}).status_code == 400
    assert client.get(URL + "suggest/", {"q": "x" * 300}).status_code == 400


def test_fallback_is_reported_in_meta(client, catalog_indexed, settings, monkeypatch):
    """With Elasticsearch unreachable, the database answers and meta says so."""
    from elastic_transport import ConnectionError as TransportConnectionError

    from search.engines.elasticsearch import ElasticsearchEngine

    settings.SEARCH_ENGINE = "elasticsearch"
    settings.ELASTICSEARCH_URL = (
        "http://127.0.0.1:9"  # nothing listens on the discard port
    )

    def refuse(self, *args, **kwargs):
        raise TransportConnectionError("refused")

    monkeypatch.setattr(ElasticsearchEngine, "_search", refuse)
    body = client.get(URL, {"q": "dang ky khai sinh"}).json()
    assert body["meta"]["engine"] == "database"
    assert body["meta"]["fallback"] is True
    assert body["items"][0]["code"] == "1.000001"


def test_openapi_schema_describes_the_endpoints(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    search = schema["paths"]["/api/v1/search/"]["get"]
    names = {p["name"] for p in search["parameters"] if p["in"] == "query"}
    assert names == {
        "q",
        "department",
        "field",
        "level",
        "subject",
        "online",
        "page",
        "page_size",
    }
    ok = search["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ok.rsplit("/", 1)[1]]
    assert set(component["properties"]) == {"meta", "items", "facets", "suggestion"}
    suggest = schema["paths"]["/api/v1/search/suggest/"]["get"]
    assert {p["name"] for p in suggest["parameters"] if p["in"] == "query"} == {
        "q",
        "limit",
    }
    # the catalog API's conventions, documented as they behave (see the test below)
    for operation in (search, suggest):
        assert {"200", "304", "400", "401", "429"} <= set(operation["responses"])
        headers = {p["name"] for p in operation["parameters"] if p["in"] == "header"}
        assert "If-None-Match" in headers
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        assert "ETag" in operation["responses"]["200"]["headers"]


def test_search_api_shares_the_catalog_api_conventions(client, settings, db):
    """ETag with 304, and the same per-client throttle as every /api/v1/ endpoint."""
    first = client.get("/api/v1/search/", {"q": "khai sinh"})
    assert first.status_code == 200 and first["ETag"]
    again = client.get(
        "/api/v1/search/", {"q": "khai sinh"}, HTTP_IF_NONE_MATCH=first["ETag"]
    )
    assert again.status_code == 304
    settings.API_ANON_RATE = "2/min"
    statuses = [
        client.get("/api/v1/search/", {"q": "dang"}).status_code for _ in range(4)
    ]
    assert statuses[-1] == 429


SUGGEST = "/api/v1/search/suggest/"


def test_suggest_has_a_quota_of_its_own(client, settings, db):
    """A citizen typing asks once per pause: the search box neither runs out of the shared
    quota nor uses it up (it shared API_ANON_RATE, 120/min, with every other call)."""
    settings.API_ANON_RATE = "2/min"
    settings.API_SUGGEST_RATE = "5/min"
    typed = ["da", "dan", "dang", "dang k", "dang ky"]
    # the shared quota is spent by other calls from the same address ...
    assert [client.get("/api/v1/levels/").status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    # ... and autocomplete still answers, up to its own quota
    assert [client.get(SUGGEST, {"q": q}).status_code for q in typed] == [200] * 5
    refused = client.get(SUGGEST, {"q": "dang ky k"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "message" in refused.json()
    # from another address, typing first leaves the shared quota whole
    other = {"REMOTE_ADDR": "203.0.113.9"}
    assert [client.get(SUGGEST, {"q": q}, **other).status_code for q in typed] == [
        200
    ] * 5
    assert [client.get("/api/v1/levels/", **other).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]


def test_with_an_api_key_suggest_counts_on_the_key(client, settings, db):
    """A client system's quota is the one agreed for its key, whatever it calls."""
    from api.services import issue_api_key

    settings.API_SUGGEST_RATE = "1000/min"
    _, raw = issue_api_key(name="Cổng phường", per_minute=2)
    statuses = [
        client.get(SUGGEST, {"q": "dang"}, HTTP_X_API_KEY=raw).status_code,
        client.get("/api/v1/levels/", HTTP_X_API_KEY=raw).status_code,
        client.get(SUGGEST, {"q": "dang k"}, HTTP_X_API_KEY=raw).status_code,
    ]
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize(
    "q",
    [
        "mat cccd",  # an abbreviation of the vocabulary, no name holds it
        "birth certificate",  # English: the English hint answers it, not a respelling
        "visa extension",
    ],
)
def test_words_the_vocabulary_knows_get_no_did_you_mean(client, catalog_indexed, q):
    # they were "corrected" to the nearest indexed word: cccd -> cac, birth -> biet, visa -> via
    assert client.get(URL, {"q": q}).json()["suggestion"] is None


def test_a_vietnamese_typo_still_gets_did_you_mean(client, catalog_indexed):
    assert client.get(URL, {"q": "dang ky khai sihn"}).json()["suggestion"] == (
        "dang ky khai sinh"
    )


def test_suggest_counts_the_length_as_search_does(client, catalog_indexed):
    # 200 characters once composed (NFC): accepted by both, as the docs say
    decomposed = "e\u0301" * 200
    assert client.get(URL, {"q": decomposed}).status_code == 200
    assert client.get(URL + "suggest/", {"q": decomposed}).status_code == 200

"""GET /api/v1/procedures/{code}/ as CPSV-AP JSON-LD or Turtle, from a client's point of view."""

import rdflib

DETAIL = "/api/v1/procedures/1.000001/"
DCT_IDENTIFIER = rdflib.URIRef("http://purl.org/dc/terms/identifier")
PUBLIC_SERVICE = rdflib.URIRef("http://purl.org/vocab/cpsv#PublicService")


def parsed(response, rdf_format: str) -> rdflib.Graph:
    """What a client's RDF library makes of the body (the context's remote URL left out:
    every key is a prefixed name declared inline)."""
    data = response.content
    if rdf_format == "json-ld":
        import orjson

        document = orjson.loads(data)
        document["@context"] = [
            part for part in document["@context"] if isinstance(part, dict)
        ]
        data = orjson.dumps(document)
    return rdflib.Graph().parse(data=data, format=rdf_format)


def service_identifiers(graph) -> set[str]:
    return {
        str(graph.value(service, DCT_IDENTIFIER))
        for service in graph.subjects(rdflib.RDF.type, PUBLIC_SERVICE)
    }


ASKED = [
    ({"HTTP_ACCEPT": "application/ld+json"}, "application/ld+json", "json-ld"),
    (
        {
            "HTTP_ACCEPT": 'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"'
        },
        "application/ld+json",
        "json-ld",
    ),
    ({"data": {"format": "jsonld"}}, "application/ld+json", "json-ld"),
    ({"HTTP_ACCEPT": "text/turtle"}, "text/turtle", "turtle"),
    ({"data": {"format": "ttl"}}, "text/turtle", "turtle"),
    ({"HTTP_ACCEPT": "application/json;q=0.5, text/turtle"}, "text/turtle", "turtle"),
    ({"HTTP_ACCEPT": "text/*"}, "text/turtle", "turtle"),
    # ?format= wins over Accept
    (
        {"HTTP_ACCEPT": "application/json", "data": {"format": "ttl"}},
        "text/turtle",
        "turtle",
    ),
]


def test_linked_data_by_accept_or_format(client, catalog):
    for request_kwargs, content_type, rdf_format in ASKED:
        response = client.get(DETAIL, **request_kwargs)
        assert response.status_code == 200, (request_kwargs, response.content[:300])
        assert response["Content-Type"].split(";")[0] == content_type, request_kwargs
        assert "Accept" in response["Vary"]
        graph = parsed(response, rdf_format)
        assert service_identifiers(graph) == {"1.000001"}, request_kwargs
        if rdf_format == "json-ld":
            context = response.json()["@context"]
            assert context[0].startswith("https://semiceu.github.io/")


def test_plain_json_stays_the_default(client, catalog):
    for headers in ({}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": "application/json"}):
        response = client.get(DETAIL, **headers)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response.json()["national_code"] == "1.000001"
        assert "Accept" in response["Vary"]


def test_each_representation_has_its_own_etag_and_304(client, catalog):
    etags = {}
    for name, headers in {
        "json": {},
        "jsonld": {"HTTP_ACCEPT": "application/ld+json"},
        "ttl": {"HTTP_ACCEPT": "text/turtle"},
    }.items():
        first = client.get(DETAIL, **headers)
        assert first.status_code == 200
        etags[name] = first["ETag"]
        again = client.get(DETAIL, HTTP_IF_NONE_MATCH=first["ETag"], **headers)
        assert again.status_code == 304, name
        assert again.content == b""
        assert "Accept" in again["Vary"]
        assert again["Last-Modified"] == first["Last-Modified"]
    assert len(set(etags.values())) == 3
    # the JSON's ETag does not answer for the Turtle
    other = client.get(
        DETAIL, HTTP_IF_NONE_MATCH=etags["json"], HTTP_ACCEPT="text/turtle"
    )
    assert other.status_code == 200


def test_unknown_format_is_a_json_406(client, catalog):
    for request_kwargs in [
        {"data": {"format": "xml"}},
        {"data": {"format": ""}},
        {"HTTP_ACCEPT": "application/rdf+xml"},
        {"HTTP_ACCEPT": "text/html"},
        {"HTTP_ACCEPT": "text/turtle;q=0"},
        {"HTTP_ACCEPT": "nonsense"},
    ]:
        response = client.get(DETAIL, **request_kwargs)
        assert response.status_code == 406, request_kwargs
        assert response["Content-Type"] == "application/json"
        assert response.json()["message"]


def test_format_given_twice_is_a_400(client, catalog):
    response = client.get(DETAIL + "?format=ttl&format=jsonld")
    assert response.status_code == 400
    assert response.json()["message"]


def test_missing_procedure_in_turtle_is_a_json_404(client, catalog):
    response = client.get("/api/v1/procedures/0.000000/", HTTP_ACCEPT="text/turtle")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["message"]


def test_schema_documents_the_linked_data_representations(client, db):
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    detail = document["paths"]["/api/v1/procedures/{code}/"]["get"]
    assert {"application/json", "application/ld+json", "text/turtle"} <= set(
        detail["responses"]["200"]["content"]
    )
    assert "406" in detail["responses"]
    format_param = next(p for p in detail["parameters"] if p["name"] == "format")
    assert format_param["schema"]["enum"] == ["json", "jsonld", "ttl"]

"""The schema.org GovernmentService on procedure pages, checked as structured data.

The page's JSON-LD is expanded into RDF (schema.org's vocabulary given inline: no network) and
validated with SHACL shapes that state what a GovernmentService rich result needs; the shapes
are closed, so a misspelt or invented property fails as well as a missing one.
"""

import json

import pytest
import rdflib
from pyshacl import validate

from catalog.models import FeeItem
from tests.factories import make_procedure
from tests.site.helpers import soup

SCHEMA = rdflib.Namespace("https://schema.org/")
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix s: <https://schema.org/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .

s:ServiceShape a sh:NodeShape ; sh:targetClass s:GovernmentService ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path s:name ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:url ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:Literal ; sh:pattern "^https?://" ] ,
    [ sh:path s:identifier ; sh:minCount 1 ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:provider ; sh:minCount 1 ; sh:class s:GovernmentOrganization ] ,
    [ sh:path s:serviceOperator ; sh:minCount 1 ; sh:class s:GovernmentOrganization ] ,
    [ sh:path s:areaServed ; sh:minCount 1 ; sh:class s:City ] ,
    [ sh:path s:availableChannel ; sh:class s:ServiceChannel ] ,
    [ sh:path s:offers ; sh:class s:Offer ] ,
    [ sh:path s:audience ; sh:class s:Audience ] ,
    [ sh:path s:description ; sh:maxCount 1 ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:serviceType ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:serviceOutput ; sh:nodeKind sh:Literal ] .

s:OrganizationShape a sh:NodeShape ; sh:targetClass s:GovernmentOrganization ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path s:name ; sh:minCount 1 ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:url ; sh:nodeKind sh:Literal ] , [ sh:path s:telephone ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:email ; sh:nodeKind sh:Literal ] , [ sh:path s:address ; sh:nodeKind sh:Literal ] .

s:CityShape a sh:NodeShape ; sh:targetClass s:City ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path s:name ; sh:minCount 1 ; sh:nodeKind sh:Literal ] .

s:ChannelShape a sh:NodeShape ; sh:targetClass s:ServiceChannel ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path s:name ; sh:minCount 1 ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:processingTime ; sh:maxCount 1 ; sh:pattern "^P(\\\\d+[YMWD])*(T(\\\\d+[HMS])+)?$" ] ,
    [ sh:path s:description ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:serviceUrl ; sh:nodeKind sh:Literal ; sh:pattern "^https?://" ] .

s:OfferShape a sh:NodeShape ; sh:targetClass s:Offer ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path s:price ; sh:minCount 1 ; sh:maxCount 1 ; sh:nodeKind sh:Literal ] ,
    [ sh:path s:priceCurrency ; sh:minCount 1 ; sh:in ( "VND" "USD" "EUR" ) ] ,
    [ sh:path s:name ; sh:nodeKind sh:Literal ] , [ sh:path s:description ; sh:nodeKind sh:Literal ] .

s:AudienceShape a sh:NodeShape ; sh:targetClass s:Audience ;
  sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
  sh:property [ sh:path s:audienceType ; sh:minCount 1 ; sh:nodeKind sh:Literal ] .
"""


def page_jsonld(client, url) -> dict:
    page = soup(client.get(url))
    blocks = page.find_all("script", type="application/ld+json")
    assert len(blocks) == 1
    return json.loads(blocks[0].string)


def as_graph(data: dict) -> rdflib.Graph:
    assert data["@context"] == "https://schema.org"
    offline = {**data, "@context": {"@vocab": str(SCHEMA)}}
    return rdflib.Graph().parse(data=json.dumps(offline), format="json-ld")


def problems(graph: rdflib.Graph) -> str | None:
    shapes = rdflib.Graph().parse(data=SHAPES, format="turtle")
    conforms, _report, text = validate(graph, shacl_graph=shapes, inference="none")
    return None if conforms else text


def test_procedure_page_carries_a_valid_government_service(client, catalog):
    data = page_jsonld(client, catalog["birth"].url)
    graph = as_graph(data)
    assert problems(graph) is None
    services = list(graph.subjects(rdflib.RDF.type, SCHEMA.GovernmentService))
    assert len(services) == 1
    service = services[0]
    assert str(graph.value(service, SCHEMA.identifier)) == "1.001193"
    assert str(graph.value(service, SCHEMA.url)).endswith(catalog["birth"].url)
    provider = graph.value(service, SCHEMA.provider)
    assert str(graph.value(provider, SCHEMA.name)) == "Sở Tư pháp"
    area = graph.value(service, SCHEMA.areaServed)
    assert str(graph.value(area, SCHEMA.name)) == "Thành phố Hồ Chí Minh"
    prices = {
        (
            int(graph.value(offer, SCHEMA.price)),
            str(graph.value(offer, SCHEMA.priceCurrency)),
        )
        for offer in graph.objects(service, SCHEMA.offers)
    }
    assert (25000, "VND") in prices


def test_a_fee_in_dollars_is_offered_in_dollars(client, catalog):
    birth = catalog["birth"]
    methods = list(birth.execution_methods.all())
    methods[2].fees = [FeeItem(kind="service_fee", amount=15, currency="USD")]
    birth.execution_methods = methods
    birth.save_revision().publish()
    graph = as_graph(page_jsonld(client, birth.url))
    assert problems(graph) is None
    prices = {
        (int(graph.value(o, SCHEMA.price)), str(graph.value(o, SCHEMA.priceCurrency)))
        for o in graph.subjects(rdflib.RDF.type, SCHEMA.Offer)
    }
    assert (15, "USD") in prices and (25000, "VND") not in prices


def test_procedure_page_links_its_cpsv_ap_representations(client, catalog):
    page = soup(client.get(catalog["birth"].url))
    for media_type in ("application/ld+json", "text/turtle"):
        link = page.find("link", rel="alternate", type=media_type)
        response = client.get(link["href"])
        assert response.status_code == 200, link["href"]
        assert response["Content-Type"].split(";")[0] == media_type
        assert b"1.001193" in response.content


def test_the_check_catches_a_missing_provider_and_an_invented_property(client, catalog):
    """Positive control: the shapes do fail a broken description."""
    data = page_jsonld(client, catalog["birth"].url)
    broken = {k: v for k, v in data.items() if k not in ("provider", "serviceOperator")}
    broken["serviceOperater"] = data["provider"]
    report = problems(as_graph(broken))
    assert report is not None
    assert "provider" in report and "serviceOperater" in report


@pytest.mark.parametrize(
    "title", ['Thủ tục </script><script>alert("x")</script>', "A & B <!--"]
)
def test_hostile_titles_stay_inside_the_data_block(client, department, title):
    procedure = make_procedure(
        department=department, national_code="9.000001", title=title
    )
    data = page_jsonld(client, procedure.url)
    assert data["name"] == title
    assert problems(as_graph(data)) is None

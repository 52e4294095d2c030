"""The CPSV-AP mapping of one procedure dict: structure, durations, offline parsing, the shapes."""

import pytest
import rdflib
from rdflib.compare import isomorphic

from catalog.opendata.cpsv import (
    CPSV_AP_CONTEXT_URL,
    iso_duration,
    parse_jsonld,
    procedure_to_cpsv,
    procedures_to_cpsv,
    to_graph,
    to_turtle,
)
from tests.opendata.cpsv_support import (
    NO_SHAPES,
    SHAPES,
    official_context,
    rich_procedure,
    shapes_graph,
    violations,
)

BASE = "https://dvc.example.invalid"
CPSV = rdflib.Namespace("http://purl.org/vocab/cpsv#")
CV = rdflib.Namespace("http://data.europa.eu/m8g/")
DCT = rdflib.Namespace("http://purl.org/dc/terms/")
SERVICE = rdflib.URIRef(f"{BASE}/id/procedure/1.000001")


def graph_of(procedure=None):
    return to_graph(procedure_to_cpsv(procedure or rich_procedure(), base_url=BASE))


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (3, "day", "P3D"),
        (0.5, "day", "PT12H"),
        (2, "hour", "PT2H"),
        (1.5, "hour", "PT90M"),
        (1, "month", "P1M"),
        (1.5, "month", None),
        (5, "working_day", None),  # depends on the calendar: no exact duration
        (None, "day", None),
        (3, None, None),
    ],
)
def test_processing_time_becomes_an_iso_duration_only_when_exact(value, unit, expected):
    assert iso_duration(value, unit) == expected


def test_document_references_the_official_context_and_lists_the_service_first():
    document = procedure_to_cpsv(rich_procedure(), base_url=BASE)
    assert document["@context"][0] == CPSV_AP_CONTEXT_URL
    service = document["@graph"][0]
    assert service["@id"] == str(SERVICE)
    assert service["@type"] == "cpsv:PublicService"
    assert service["dct:identifier"] == "1.000001"


def test_graph_carries_the_procedure_parts_as_cpsv_classes():
    graph = graph_of()
    assert (SERVICE, rdflib.RDF.type, CPSV.PublicService) in graph
    assert str(graph.value(SERVICE, DCT.identifier)) == "1.000001"
    title = graph.value(SERVICE, DCT.title)
    assert (str(title), title.language) == ("Đăng ký khai sinh", "vi")
    authority = graph.value(SERVICE, CV.hasCompetentAuthority)
    assert (authority, rdflib.RDF.type, CV.PublicOrganisation) in graph
    assert len(set(graph.objects(SERVICE, CV.hasChannel))) == 2
    costs = set(graph.objects(SERVICE, CV.hasCost))
    assert len(costs) == 3
    values = sorted(
        float(graph.value(cost, CV.hasValue))
        for cost in costs
        if graph.value(cost, CV.hasValue) is not None
    )
    assert values == [4000.0, 8000.0]
    for cost in costs:
        assert (
            graph.value(cost, CV.ifAccessedThrough),
            rdflib.RDF.type,
            CV.Channel,
        ) in graph
        assert str(graph.value(cost, CV.currency)).endswith("/currency/VND")
    evidences = set(graph.objects(SERVICE, CPSV.hasInput))
    assert len(evidences) == 2
    form_pages = {graph.value(evidence, rdflib.FOAF.page) for evidence in evidences}
    assert rdflib.URIRef(f"{BASE}/documents/1/tk01.pdf") in form_pages  # origin applied
    assert len(set(graph.objects(SERVICE, CPSV.produces))) == 1
    rule = graph.value(SERVICE, CPSV.follows)
    assert (
        graph.value(rule, CPSV.implements),
        rdflib.RDF.type,
        rdflib.URIRef("http://data.europa.eu/eli/ontology#LegalResource"),
    ) in graph
    events = {
        str(graph.value(event, DCT.identifier)): set(
            graph.objects(event, rdflib.RDF.type)
        )
        for event in graph.objects(SERVICE, CV.isGroupedBy)
    }
    assert CV.LifeEvent in events["SK01"] and CV.BusinessEvent in events["SK05"]
    # one channel is in working days: no single exact time for the service
    assert graph.value(SERVICE, CV.processingTime) is None
    channel_times = {
        str(graph.value(channel, CV.processingTime))
        for channel in graph.objects(SERVICE, CV.hasChannel)
    }
    assert channel_times == {"PT12H", "None"}


def _dollar_procedure():
    procedure = rich_procedure()
    procedure["execution_methods"][1]["fees"] = [
        {"kind": "charge", "amount": 50, "currency": "USD", "description": ""}
    ]
    return procedure


def test_a_fee_in_dollars_costs_dollars():
    graph = graph_of(_dollar_procedure())
    by_value = {
        graph.value(cost, CV.hasValue).toPython(): graph.value(cost, CV.currency)
        for cost in graph.objects(SERVICE, CV.hasCost)
        if graph.value(cost, CV.hasValue) is not None
    }
    skos = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
    dollar, dong = by_value[50.0], by_value[8000.0]
    assert str(dollar).endswith("/authority/currency/USD")
    assert str(graph.value(dollar, skos.notation)) == "USD"
    assert str(graph.value(dollar, skos.prefLabel)) == "Đô la Mỹ"
    assert str(dong).endswith("/authority/currency/VND")


def test_a_time_without_unit_is_described_once_and_has_no_duration():
    procedure = rich_procedure()
    procedure["execution_methods"][0]["processing_time"] = {
        "value": None,
        "unit": None,
        "text": "7",
        "display": "7 (không ghi rõ đơn vị thời gian)",
    }
    graph = graph_of(procedure)
    channel = rdflib.URIRef(f"{BASE}/id/procedure/1.000001/channel/1")
    assert str(graph.value(channel, DCT.description)) == (
        "Trực tiếp\nThời hạn giải quyết: 7 (không ghi rõ đơn vị thời gian)"
    )
    assert graph.value(channel, CV.processingTime) is None


def test_list_graph_holds_shared_nodes_once():
    second = rich_procedure(code="2.000002", national_code="2.000002", title="Kết hôn")
    document = procedures_to_cpsv([rich_procedure(), second], base_url=BASE)
    ids = [node["@id"] for node in document["@graph"]]
    assert len(ids) == len(set(ids))
    graph = to_graph(document)
    assert len(set(graph.subjects(rdflib.RDF.type, CPSV.PublicService))) == 2


def test_turtle_parses_back_to_the_same_graph():
    document = procedure_to_cpsv(rich_procedure(), base_url=BASE)
    parsed = rdflib.Graph().parse(data=to_turtle(document), format="turtle")
    assert isomorphic(parsed, to_graph(document))


def test_direct_graph_equals_what_a_json_ld_parser_reads():
    second = rich_procedure(code="HCM.X.01", national_code="", title="Địa phương")
    for document in (
        procedure_to_cpsv(rich_procedure(), base_url=BASE),
        procedure_to_cpsv({"code": "X.1", "title": "Tối giản"}, base_url=BASE),
        procedures_to_cpsv([rich_procedure(), second], base_url=BASE),
    ):
        assert isomorphic(to_graph(document), parse_jsonld(document))


def test_urls_with_spaces_or_vietnamese_become_valid_iris():
    procedure = rich_procedure()
    procedure["legal_basis"][0]["url"] = (
        "https://vanban.example.invalid/luật hộ tịch.pdf"
    )
    form = procedure["dossier_cases"][0]["documents"][0]["form"]
    form["download_url"] = "\x00origin\x00/documents/1/tờ khai%20mẫu.pdf"
    document = procedure_to_cpsv(procedure, base_url=BASE)
    turtle = to_turtle(document)
    assert "/documents/1/t%E1%BB%9D%20khai%20m%E1%BA%ABu.pdf>" in turtle
    assert "lu%E1%BA%ADt%20h%E1%BB%99%20t%E1%BB%8Bch.pdf>" in turtle
    parsed = rdflib.Graph().parse(data=turtle, format="turtle")
    assert isomorphic(parsed, to_graph(document))


def test_minimal_procedure_still_names_an_authority_and_a_description():
    graph = graph_of({"code": "X.1", "title": "Thủ tục tối giản"})
    service = rdflib.URIRef(f"{BASE}/id/procedure/X.1")
    assert graph.value(service, CV.hasCompetentAuthority) is not None
    assert str(graph.value(service, DCT.description)) == "Thủ tục tối giản"


@pytest.mark.skipif(
    official_context() is None, reason="the official CPSV-AP context file is absent"
)
def test_official_context_changes_no_triple():
    """Our keys are prefixed names: with or without the official context, the same graph."""
    document = procedure_to_cpsv(rich_procedure(), base_url=BASE)
    assert isomorphic(
        to_graph(document), parse_jsonld(document, context=official_context())
    )


@pytest.mark.skipif(not SHAPES.exists(), reason=NO_SHAPES)
def test_rich_and_minimal_procedures_conform_and_a_broken_one_does_not():
    shapes = shapes_graph()
    assert violations(graph_of(), shapes) == []
    assert violations(graph_of({"code": "X.1", "title": "Tối giản"}), shapes) == []
    assert violations(graph_of(_dollar_procedure()), shapes) == []
    # positive control: the shapes do bite when the mandatory authority is missing
    broken = graph_of()
    broken.remove((SERVICE, CV.hasCompetentAuthority, None))
    assert any("hasCompetentAuthority" in line for line in violations(broken, shapes))

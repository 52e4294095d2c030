"""A procedure as a CPSV-AP 3.2 public service, in JSON-LD and Turtle.

The input is the procedure dict that `/api/v1/procedures/{code}/` serves (the stored JSON of
api.cache, decoded), so a bulk export maps thousands of procedures without a query each.
Every key is a prefixed name declared in our inline context; the official CPSV-AP context is
referenced first for consumers, but nothing here depends on it: the triples are the same with
or without it, so rdflib never needs the network (docs/open-data.md).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from decimal import Decimal
from urllib.parse import quote

from django.conf import settings

import orjson

# Bump when the output changes: it is part of the ETag of the JSON-LD and Turtle answers.
MAPPING_VERSION = "4"
CPSV_AP_CONTEXT_URL = (
    "https://semiceu.github.io/uri.semic.eu-generated/CPSV-AP/releases/3.2.0/"
    "context/cpsv-ap.jsonld"
)
PREFIXES = {
    "cpsv": "http://purl.org/vocab/cpsv#",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "adms": "http://www.w3.org/ns/adms#",
    "eli": "http://data.europa.eu/eli/ontology#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
CONTEXT = [CPSV_AP_CONTEXT_URL, PREFIXES]
LANGUAGE = "vi"
VIETNAMESE = "http://publications.europa.eu/resource/authority/language/VIE"
CURRENCY_AUTHORITY = "http://publications.europa.eu/resource/authority/currency/"
# The EU authority table's concepts for the codes a fee may carry (catalog.models.Currency).
CURRENCY_LABELS = {"VND": "Đồng Việt Nam", "USD": "Đô la Mỹ", "EUR": "Euro"}
CITY_NAME = "Thành phố Hồ Chí Minh"
CITY_AUTHORITY = "Ủy ban nhân dân Thành phố Hồ Chí Minh"
# Life events whose name says they concern a business are cv:BusinessEvent, the rest
# cv:LifeEvent (the catalog keeps one list for both); decided by the event alone, so one event
# has one type across the whole catalog.
BUSINESS_WORDS = ("kinh doanh", "doanh nghiệp", "hợp tác xã", "đầu tư", "thương mại")
# Vietnamese labels of the catalog's coded values (the output language is Vietnamese whatever
# the request's language).
CHANNEL_LABELS = {
    "in_person": "Trực tiếp",
    "online": "Trực tuyến",
    "postal": "Dịch vụ bưu chính",
}
STATUS_LABELS = {
    "active": "Đang áp dụng",
    "superseded": "Đã được thay thế",
    "rescinded": "Đã bãi bỏ",
}
PROCEDURE_TYPE_LABELS = {
    "standard": "Thủ tục hành chính chung",
    "specific": "Thủ tục hành chính đặc thù",
    "internal": "Thủ tục hành chính nội bộ",
}
ONLINE_LEVEL_LABELS = {
    "full": "Dịch vụ công trực tuyến toàn trình",
    "partial": "Dịch vụ công trực tuyến một phần",
    "none": "Không có dịch vụ trực tuyến",
}
FEE_KIND_LABELS = {"fee": "Phí", "charge": "Lệ phí", "service_fee": "Giá dịch vụ"}
# URL characters kept as they are when a record's URL is made an IRI (RFC 3986 reserved, "%").
IRI_SAFE = ":/?#[]@!$&'()*+,;=%~"
# Stored JSON marks site-relative URLs with this until served (api.cache.ORIGIN_MARK).
ORIGIN_MARK = "\x00origin\x00"


def procedure_to_cpsv(procedure: dict, *, base_url: str | None = None) -> dict:
    """One procedure (the API detail dict) as a JSON-LD document: `@context` and `@graph`."""
    return {
        "@context": CONTEXT,
        "@graph": ProcedureMapping(procedure, base_url).nodes(),
    }


def procedure_nodes(procedure: dict, *, base_url: str | None = None) -> list[dict]:
    """The graph nodes of one procedure, without a context: for streaming a whole catalog
    into one `@graph` (skip ids already written: shared nodes come with every procedure)."""
    return ProcedureMapping(procedure, base_url).nodes()


def procedures_to_cpsv(
    procedures: Iterable[dict], *, base_url: str | None = None
) -> dict:
    """Many procedures as one JSON-LD graph; shared nodes (departments, lists, laws) once."""
    nodes: dict[str, dict] = {}
    for procedure in procedures:
        for node in procedure_nodes(procedure, base_url=base_url):
            nodes.setdefault(node["@id"], node)
    return {"@context": CONTEXT, "@graph": list(nodes.values())}


def procedure_iri(code: str, *, base_url: str | None = None) -> str:
    return f"{_base(base_url)}/id/procedure/{_segment(code)}"


def offline_document(document: dict, context: dict | None = None) -> dict:
    """`document` with the official context's URL replaced by `context` (the file's
    `@context` when the caller has it, else nothing): what rdflib parses without the network."""
    local = [context or {}, PREFIXES]
    return {**document, "@context": local}


def parse_jsonld(document: dict, *, context: dict | None = None):
    """The document read by rdflib's JSON-LD parser, as any consumer reads it (offline)."""

    graph = _empty_graph()
    graph.parse(
        data=orjson.dumps(offline_document(document, context)),
        format="json-ld",
    )
    return graph


def to_graph(document: dict):
    """An rdflib Graph of a document made by procedure_to_cpsv / procedures_to_cpsv.

    Built straight from our nodes, several times faster than the JSON-LD parser on a whole
    catalog; they only use @id, @type, prefixed keys and plain, language or typed literals, and
    the tests check that parse_jsonld gives an isomorphic graph.
    """
    from rdflib import RDF, Literal, URIRef

    def expand(name: str) -> URIRef:
        prefix, _colon, local = name.partition(":")
        return URIRef(PREFIXES[prefix] + local if prefix in PREFIXES else name)

    def term(value):
        if not isinstance(value, dict):
            return Literal(value)
        if "@id" in value:
            return URIRef(value["@id"])
        if "@language" in value:
            return Literal(value["@value"], lang=value["@language"])
        return Literal(value["@value"], datatype=expand(value["@type"]))

    graph = _empty_graph()
    add = graph.add
    for node in document["@graph"]:
        subject = URIRef(node["@id"])
        for key, values in node.items():
            if key == "@id":
                continue
            if not isinstance(values, list):
                values = [values]
            if key == "@type":
                for value in values:
                    add((subject, RDF.type, expand(value)))
            else:
                predicate = expand(key)
                for value in values:
                    add((subject, predicate, term(value)))
    return graph


def _empty_graph():
    import rdflib

    graph = rdflib.Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def to_turtle(document: dict) -> str:
    return to_graph(document).serialize(format="turtle")


def iso_duration(value, unit: str | None) -> str | None:
    """An xsd:duration for a processing time, or None when the unit has no exact one.

    Working days depend on the calendar (weekends, holidays), so they are not a duration;
    fractions are expressed in a smaller unit when exact (0.5 day = PT12H), else dropped.
    """
    if value is None or unit not in ("day", "hour", "month"):
        return None
    amount = Decimal(str(value))
    if amount < 0:
        return None
    if unit == "month":
        return f"P{int(amount)}M" if amount == amount.to_integral_value() else None
    if unit == "day" and amount == amount.to_integral_value():
        return f"P{int(amount)}D"
    minutes = amount * (24 * 60 if unit == "day" else 60)
    if minutes != minutes.to_integral_value():
        return None
    minutes = int(minutes)
    if minutes % 60 == 0:
        return f"PT{minutes // 60}H"
    return f"PT{minutes}M"


# --- the mapping ------------------------------------------------------------------------------


def _base(base_url: str | None) -> str:
    return (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")


# A procedure's code and its parts' names recur in every IRI of its graph.
@functools.lru_cache(maxsize=4096)
def _segment(value) -> str:
    return quote(str(value), safe="")


def _text(value: str | None) -> dict | None:
    value = (value or "").strip()
    return {"@value": value, "@language": LANGUAGE} if value else None


def _ref(iri: str) -> dict:
    return {"@id": iri}


def _clean(node: dict) -> dict:
    """Drops empty values, so optional properties are absent rather than null."""
    return {key: value for key, value in node.items() if value not in (None, [], "")}


class ProcedureMapping:
    """The nodes of one procedure's graph; the service node first."""

    def __init__(self, procedure: dict, base_url: str | None = None):
        self.data = procedure
        self.base = _base(base_url)
        self.code = procedure["code"]
        self.service = procedure_iri(self.code, base_url=self.base)
        self.extra: dict[str, dict] = {}  # shared nodes by IRI, in first-seen order

    def nodes(self) -> list[dict]:
        service = self.service_node()
        return [service, *self.extra.values()]

    # helpers ---------------------------------------------------------------------------
    def iri(self, *parts) -> str:
        return f"{self.base}/id/" + "/".join(_segment(part) for part in parts)

    def local(self, *parts) -> str:
        """An IRI for a part of this procedure (a channel, a cost, an evidence)."""
        return self.service + "/" + "/".join(_segment(part) for part in parts)

    def add(self, node: dict) -> dict:
        self.extra.setdefault(node["@id"], _clean(node))
        return _ref(node["@id"])

    def url(self, value: str | None) -> str | None:
        """An absolute IRI for a URL of the record; spaces and non-ASCII (a file name, a
        law's link typed by an editor) percent-encoded, existing escapes kept."""
        if not value:
            return None
        if value.startswith(ORIGIN_MARK):
            value = self.base + value[len(ORIGIN_MARK) :]
        elif value.startswith("/"):
            value = self.base + value
        return quote(value, safe=IRI_SAFE)

    def currency(self, code: str) -> dict:
        return self.add(
            {
                "@id": CURRENCY_AUTHORITY + code,
                "@type": "skos:Concept",
                "skos:prefLabel": _text(CURRENCY_LABELS.get(code, code)),
                "skos:notation": code,
            }
        )

    def concept(self, scheme: str, code: str, label: str) -> dict:
        scheme_iri = self.iri("scheme", scheme)
        self.add({"@id": scheme_iri, "@type": "skos:ConceptScheme"})
        return self.add(
            {
                "@id": self.iri(scheme, code),
                "@type": "skos:Concept",
                "skos:prefLabel": _text(label) or _text(code),
                "skos:notation": code,
                "skos:inScheme": _ref(scheme_iri),
            }
        )

    def coded_concepts(self, scheme: str, key: str) -> list[dict]:
        return [
            self.concept(scheme, entry["code"], entry["name"])
            for entry in self.data.get(key) or []
        ]

    def city(self) -> dict:
        return self.add(
            {
                "@id": self.iri("location", "ho-chi-minh-city"),
                "@type": "dct:Location",
                "skos:prefLabel": _text(CITY_NAME),
            }
        )

    def organisation(self, iri: str, *, identifier: str, label: str) -> dict:
        # Typed org:Organization too, so the shapes' sh:class org:Organization (Cost
        # isDefinedBy, Channel ownedBy) holds without RDFS inference.
        return self.add(
            {
                "@id": iri,
                "@type": ["cv:PublicOrganisation", "org:Organization"],
                "dct:identifier": identifier,
                "skos:prefLabel": _text(label) or _text(identifier),
                "dct:spatial": self.city(),
            }
        )

    # the public service ------------------------------------------------------------------
    def service_node(self) -> dict:
        data = self.data
        authorities = self.authorities()
        channels = self.channels(authorities[0])
        # The service's own time only when every channel agrees on an exact one.
        durations = {duration for _channel, duration in channels}
        return _clean(
            {
                "@id": self.service,
                "@type": "cpsv:PublicService",
                "dct:identifier": data.get("national_code") or self.code,
                "dct:title": _text(data.get("title")) or _text(self.code),
                "dct:description": _text(data.get("summary"))
                or _text(data.get("title"))
                or _text(self.code),
                "dcat:keyword": [_text(word) for word in data.get("keywords") or []],
                "adms:status": self.status(),
                "cv:thematicArea": self.coded_concepts("field", "fields"),
                "dct:audience": self.coded_concepts("subject-type", "subject_types"),
                "cv:isClassifiedBy": self.classifications(),
                "cv:processingTime": {
                    "@value": durations.pop(),
                    "@type": "xsd:duration",
                }
                if len(durations) == 1 and None not in durations
                else None,
                "cv:hasCompetentAuthority": authorities,
                "cv:hasChannel": [ref for ref, _duration in channels],
                "cv:hasCost": self.costs(channels, authorities[0]),
                "cv:holdsRequirement": self.requirements(),
                "cpsv:hasInput": self.evidences(),
                "cpsv:produces": self.outputs(),
                "cpsv:follows": self.rules(),
                "cv:hasLegalResource": [
                    self.legal_resource(document)
                    for document in data.get("legal_basis") or []
                ],
                "cv:isGroupedBy": self.events(),
                "dct:spatial": self.city(),
                "dct:language": self.add(
                    {"@id": VIETNAMESE, "@type": "dct:LinguisticSystem"}
                ),
                "foaf:page": self.page(),
                "rdfs:seeAlso": _ref(
                    f"{self.base}/api/v1/procedures/{_segment(self.code)}/"
                ),
            }
        )

    def status(self) -> dict | None:
        status = self.data.get("status")
        if not status:
            return None
        return self.concept("status", status, STATUS_LABELS.get(status, status))

    def classifications(self) -> list[dict]:
        concepts = self.coded_concepts("level", "levels")
        kind = self.data.get("procedure_type")
        if kind:
            concepts.append(
                self.concept(
                    "procedure-type", kind, PROCEDURE_TYPE_LABELS.get(kind, kind)
                )
            )
        online = self.data.get("online_level")
        if online:
            concepts.append(
                self.concept(
                    "online-level", online, ONLINE_LEVEL_LABELS.get(online, online)
                )
            )
        return concepts

    def page(self) -> dict | None:
        url = self.url(self.data.get("url"))
        if not url:
            return None
        return self.add(
            {
                "@id": url,
                "@type": "foaf:Document",
                "dct:title": _text(self.data.get("title")),
            }
        )

    def authorities(self) -> list[dict]:
        """The owning department, and the competent authority named in the record when it is
        another body; the city's People's Committee when the record names none."""
        data = self.data
        found = []
        department = data.get("department")
        if department:
            found.append(
                self.organisation(
                    self.iri("department", department["code"]),
                    identifier=department["code"],
                    label=department["title"],
                )
            )
        named = (data.get("competent_authority") or "").strip()
        if named and (not department or named != department["title"].strip()):
            key = hashlib.sha256(named.casefold().encode()).hexdigest()[:16]
            found.append(
                self.organisation(
                    self.iri("organisation", key), identifier=key, label=named
                )
            )
        if not found:
            found.append(
                self.organisation(
                    self.iri("organisation", "ubnd-tphcm"),
                    identifier="ubnd-tphcm",
                    label=CITY_AUTHORITY,
                )
            )
        return found

    def channels(self, owner: dict) -> list[tuple[dict, str | None]]:
        found = []
        for index, method in enumerate(self.data.get("execution_methods") or [], 1):
            channel = method.get("channel") or ""
            time = method.get("processing_time") or {}
            duration = iso_duration(time.get("value"), time.get("unit"))
            display = time.get("display") or ""
            text = (time.get("text") or "").strip()
            description = "\n".join(
                part
                for part in (
                    CHANNEL_LABELS.get(channel, channel),
                    f"Thời hạn giải quyết: {display}" if display else "",
                    # the words beside a number; a time given in words is the display already
                    text if text not in display else "",
                    (method.get("description") or "").strip(),
                )
                if part
            )
            iri = self.local("channel", index)
            self.add(
                {
                    "@id": iri,
                    "@type": "cv:Channel",
                    "dct:identifier": f"{self.code}-channel-{index}",
                    "dct:type": self.concept(
                        "channel-type", channel, CHANNEL_LABELS.get(channel, channel)
                    )
                    if channel
                    else None,
                    "dct:description": _text(description),
                    "cv:processingTime": {"@value": duration, "@type": "xsd:duration"}
                    if duration
                    else None,
                    "cv:ownedBy": owner,
                }
            )
            found.append((_ref(iri), duration))
        return found

    def costs(self, channels: list, authority: dict) -> list[dict]:
        found = []
        methods = self.data.get("execution_methods") or []
        for index, (method, (channel, _duration)) in enumerate(
            zip(methods, channels, strict=True), 1
        ):
            for number, fee in enumerate(method.get("fees") or [], 1):
                kind = FEE_KIND_LABELS.get(fee.get("kind"), fee.get("kind") or "")
                amount = fee.get("amount")
                found.append(
                    self.add(
                        {
                            "@id": self.local("cost", f"{index}-{number}"),
                            "@type": "cv:Cost",
                            "dct:identifier": f"{self.code}-cost-{index}-{number}",
                            "dct:description": _text(
                                ": ".join(
                                    part
                                    for part in (kind, fee.get("description"))
                                    if part
                                )
                            ),
                            "cv:hasValue": {
                                "@value": str(amount),
                                "@type": "xsd:double",
                            }
                            if amount is not None
                            else None,
                            "cv:currency": self.currency(fee.get("currency") or "VND"),
                            "cv:ifAccessedThrough": channel,
                            "cv:isDefinedBy": authority,
                        }
                    )
                )
        return found

    def requirements(self) -> list[dict]:
        found = []
        conditions = (self.data.get("conditions") or "").strip()
        if conditions:
            found.append(
                self.add(
                    {
                        "@id": self.local("requirement", "conditions"),
                        "@type": "cv:Requirement",
                        "dct:identifier": f"{self.code}-conditions",
                        "dct:title": _text("Yêu cầu, điều kiện thực hiện"),
                        "dct:description": _text(conditions),
                    }
                )
            )
        for index, case in enumerate(self.data.get("dossier_cases") or [], 1):
            found.append(
                self.add(
                    {
                        "@id": self.local("requirement", index),
                        "@type": "cv:Requirement",
                        "dct:identifier": f"{self.code}-dossier-{index}",
                        "dct:title": _text(case.get("name")) or _text("Hồ sơ"),
                        "dct:description": _text(case.get("description")),
                        "cv:hasSupportingEvidence": [
                            _ref(self.local("evidence", f"{index}-{number}"))
                            for number in range(1, len(case.get("documents") or []) + 1)
                        ],
                    }
                )
            )
        return found

    def evidences(self) -> list[dict]:
        found = []
        for index, case in enumerate(self.data.get("dossier_cases") or [], 1):
            for number, document in enumerate(case.get("documents") or [], 1):
                copies = (
                    f"Bản chính: {document.get('originals', 0)}; "
                    f"bản sao: {document.get('copies', 0)}"
                    + ("" if document.get("is_required", True) else "; không bắt buộc")
                )
                found.append(
                    self.add(
                        {
                            "@id": self.local("evidence", f"{index}-{number}"),
                            "@type": "cv:Evidence",
                            "dct:identifier": f"{self.code}-evidence-{index}-{number}",
                            "dct:title": _text(document.get("name"))
                            or _text("Giấy tờ"),
                            "dct:description": _text(
                                "\n".join(
                                    part
                                    for part in (copies, document.get("note"))
                                    if part
                                )
                            ),
                            "cv:supportsRequirement": _ref(
                                self.local("requirement", index)
                            ),
                            "foaf:page": self.form(document.get("form")),
                        }
                    )
                )
        return found

    def form(self, form: dict | None) -> dict | None:
        url = self.url((form or {}).get("download_url"))
        if not url:
            return None
        return self.add(
            {
                "@id": url,
                "@type": "foaf:Document",
                "dct:identifier": form.get("code"),
                "dct:title": _text(form.get("name")),
            }
        )

    def outputs(self) -> list[dict]:
        note = _text(self.data.get("result_note"))
        return [
            self.add(
                {
                    # One node per result and procedure: the note belongs to this procedure.
                    "@id": self.local("output", entry["code"]),
                    "@type": "cv:Output",
                    "dct:identifier": entry["code"],
                    "dct:title": _text(entry["name"]) or _text(entry["code"]),
                    "dct:description": note,
                    "dct:type": self.concept("result", entry["code"], entry["name"]),
                }
            )
            for entry in self.data.get("results") or []
        ]

    def legal_resource(self, document: dict) -> dict:
        url = self.url(document.get("url"))
        return self.add(
            {
                "@id": self.iri("legal-document", document["number"]),
                "@type": "eli:LegalResource",
                "dct:identifier": document["number"],
                "dct:title": _text(document.get("title")),
                "dct:publisher": _text(document.get("issuer")),
                "eli:date_document": {
                    "@value": document["issued_on"],
                    "@type": "xsd:date",
                }
                if document.get("issued_on")
                else None,
                "eli:first_date_entry_in_force": {
                    "@value": document["effective_on"],
                    "@type": "xsd:date",
                }
                if document.get("effective_on")
                else None,
                "rdfs:seeAlso": _ref(url) if url else None,
            }
        )

    def rules(self) -> list[dict]:
        found = []
        for document in self.data.get("legal_basis") or []:
            number = document["number"]
            summary = ", ".join(
                part
                for part in (
                    document.get("title"),
                    document.get("issuer"),
                    f"ban hành ngày {document['issued_on']}"
                    if document.get("issued_on")
                    else "",
                )
                if part
            )
            found.append(
                self.add(
                    {
                        "@id": self.iri("rule", number),
                        "@type": "cpsv:Rule",
                        "dct:identifier": number,
                        "dct:title": _text(f"{number} {document.get('title') or ''}"),
                        "dct:description": _text(summary) or _text(number),
                        "cpsv:implements": self.legal_resource(document),
                    }
                )
            )
        return found

    def events(self) -> list[dict]:
        found = []
        for entry in self.data.get("life_events") or []:
            name = entry["name"]
            business = any(word in name.casefold() for word in BUSINESS_WORDS)
            found.append(
                self.add(
                    {
                        "@id": self.iri("event", entry["code"]),
                        # cv:Event too: the shapes ask isGroupedBy for sh:class cv:Event.
                        "@type": [
                            "cv:BusinessEvent" if business else "cv:LifeEvent",
                            "cv:Event",
                        ],
                        "dct:identifier": entry["code"],
                        "dct:title": _text(name) or _text(entry["code"]),
                    }
                )
            )
        return found

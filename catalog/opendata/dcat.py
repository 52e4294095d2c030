"""The DCAT-AP record of the bulk downloads: one dcat:Catalog holding one dcat:Dataset (the
published procedure catalog) with a dcat:Distribution per file, in JSON-LD.

Built from a dump's manifest only (sizes, checksums, dates), so what it says about a file is what
was measured when the file was written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# dcat:mediaType names IANA-registered types only; JSON Lines has none (dct:format says it).
REGISTERED = {"text/csv", "application/ld+json", "application/zip", "application/json"}
SPATIAL = "https://www.geonames.org/1566083"  # Hồ Chí Minh City
TITLE = {
    "vi": "Danh mục thủ tục hành chính Thành phố Hồ Chí Minh",
    "en": "Ho Chi Minh City catalog of administrative procedures",
}
DESCRIPTION = {
    "vi": (
        "Toàn bộ thủ tục hành chính đang công bố của Thành phố Hồ Chí Minh: trình tự, cách "
        "thức, phí, lệ phí, thành phần hồ sơ, căn cứ pháp lý, cơ quan thực hiện và các danh "
        "mục dùng chung; tải về dưới dạng JSON Lines, CSV, JSON-LD (CPSV-AP) và bản sao để "
        "khôi phục. Cập nhật sau mỗi thay đổi của danh mục."
    ),
    "en": (
        "Every published administrative procedure of Ho Chi Minh City: steps, channels, fees, "
        "required documents, legal basis, competent departments and the shared lists; as JSON "
        "Lines, CSV, JSON-LD (CPSV-AP) and a restorable archive. Rebuilt after every change "
        "to the catalog."
    ),
}
PUBLISHER = {
    "vi": "Ủy ban nhân dân Thành phố Hồ Chí Minh",
    "en": "Ho Chi Minh City People's Committee",
}
KEYWORDS = (
    ("thủ tục hành chính", "vi"),
    ("dịch vụ công", "vi"),
    ("administrative procedures", "en"),
    ("public services", "en"),
)


def texts(values: dict[str, str]) -> list[dict[str, str]]:
    return [
        {"@value": value, "@language": language} for language, value in values.items()
    ]


def date_time(value: str) -> dict[str, str]:
    return {"@value": value, "@type": "xsd:dateTime"}


def distribution(
    file: dict[str, Any], *, url: str, modified: str, license: str
) -> dict[str, Any]:
    record = {
        "@id": url,
        "@type": "dcat:Distribution",
        "dct:title": texts({"vi": file["title_vi"], "en": file["title_en"]}),
        "dcat:accessURL": {"@id": url},
        "dcat:downloadURL": {"@id": url},
        "dcat:mediaType": {"@id": MEDIA_TYPES + file["media_type"]},
        "dct:format": file["format"],
        "dcat:byteSize": {
            "@value": str(file["size"]),
            "@type": "xsd:nonNegativeInteger",
        },
        "spdx:checksum": {
            "@type": "spdx:Checksum",
            "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
            "spdx:checksumValue": {"@value": file["sha256"], "@type": "xsd:hexBinary"},
        },
        "dct:modified": date_time(modified),
        "dct:license": {"@id": license},
    }
    if file["media_type"] not in REGISTERED:
        del record["dcat:mediaType"]
    return record


def catalog_record(
    manifest: dict[str, Any],
    *,
    catalog_url: str,
    page_url: str,
    publisher_url: str,
    license: str,
    download_url: Callable[[str], str],
) -> dict[str, Any]:
    """The DCAT-AP JSON-LD for a dump's manifest; `download_url(name)` is a file's address."""
    modified = manifest["generated_at"]
    publisher = {
        "@id": publisher_url,
        "@type": "foaf:Agent",
        "foaf:name": texts(PUBLISHER),
    }
    dataset = {
        "@id": catalog_url + "#procedures",
        "@type": "dcat:Dataset",
        "dct:identifier": "hcmc-procedure-catalog",
        "dct:title": texts(TITLE),
        "dct:description": texts(DESCRIPTION),
        "dct:publisher": publisher,
        "dct:license": {"@id": license},
        "dct:modified": date_time(modified),
        "dct:spatial": {"@id": SPATIAL},
        "dct:language": [
            {"@id": "http://publications.europa.eu/resource/authority/language/VIE"}
        ],
        "dcat:keyword": [
            {"@value": word, "@language": language} for word, language in KEYWORDS
        ],
        "dcat:landingPage": {"@id": page_url},
        "dcat:distribution": [
            distribution(
                file,
                url=download_url(file["name"]),
                modified=modified,
                license=license,
            )
            for file in manifest["files"]
        ],
    }
    return {
        "@context": CONTEXT,
        "@id": catalog_url,
        "@type": "dcat:Catalog",
        "dct:title": texts(TITLE),
        "dct:description": texts(DESCRIPTION),
        "dct:publisher": publisher,
        "dct:license": {"@id": license},
        "dct:modified": date_time(modified),
        "foaf:homepage": {"@id": page_url},
        "dcat:dataset": [dataset],
    }

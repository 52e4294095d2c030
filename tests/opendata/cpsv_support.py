"""What the CPSV-AP tests share: the official files when present, a pySHACL run, a rich procedure."""

from django.conf import settings

import orjson

SPEC = settings.SHARED_DATA_DIR / "spec" / "cpsv-ap-3.2.0"
SHAPES = SPEC / "cpsv-ap-SHACL.ttl"
CONTEXT = SPEC / "cpsv-ap.jsonld"
NO_SHAPES = f"the official CPSV-AP SHACL shapes are not here ({SHAPES}): nothing to validate against"


def shapes_graph():
    import rdflib

    return rdflib.Graph().parse(SHAPES, format="turtle")


def official_context() -> dict | None:
    return orjson.loads(CONTEXT.read_bytes())["@context"] if CONTEXT.exists() else None


def violations(data_graph, shapes) -> list[str]:
    """pySHACL's violations of `data_graph`, as readable lines (empty when it conforms)."""
    import rdflib
    from pyshacl import validate

    _conforms, report, _text = validate(
        data_graph, shacl_graph=shapes, inference="none", advanced=False
    )
    sh = rdflib.Namespace("http://www.w3.org/ns/shacl#")
    return sorted(
        f"{report.value(result, sh.focusNode)} {report.value(result, sh.resultPath)}: "
        f"{report.value(result, sh.resultMessage)}"
        for result in report.subjects(sh.resultSeverity, sh.Violation)
    )


def published_procedure_dicts(origin: str) -> list[dict]:
    """Every published procedure as `/api/v1/procedures/{code}/` serves it (the stored JSON,
    built where missing, with `origin` for the site's URLs)."""
    from api.cache import bodies_for, version_rows, with_origin
    from api.selectors import catalog_state, published_procedures

    rows = version_rows(published_procedures().order_by("pk"))
    bodies = bodies_for(rows, shared=catalog_state().shared)
    return [orjson.loads(with_origin(bodies[row.pk], origin)) for row in rows]


def rich_procedure(**changes) -> dict:
    """A procedure dict as the API serves it, with every part the mapping reads."""
    procedure = {
        "id": 7,
        "code": "1.000001",
        "national_code": "1.000001",
        "local_code": None,
        "title": "Đăng ký khai sinh",
        "url": "https://dvc.example.invalid/co-quan/stp/dang-ky-khai-sinh/",
        "procedure_type": "standard",
        "status": "active",
        "summary": "Đăng ký việc sinh cho trẻ em.",
        "department": {"code": "STP", "title": "Sở Tư pháp"},
        "implementing_agencies": "UBND cấp xã",
        "competent_authority": "Sở Tư pháp",
        "coordinating_agencies": "",
        "receiving_address": "",
        "levels": [{"code": "TINH", "name": "Cấp Tỉnh"}],
        "subject_types": [{"code": "DT01", "name": "Công dân Việt Nam"}],
        "fields": [{"code": "G15-TP07", "name": "Hộ tịch"}],
        "life_events": [
            {"code": "SK01", "name": "Sinh con"},
            {"code": "SK05", "name": "Khởi sự kinh doanh"},
        ],
        "online_level": "full",
        "online_url": None,
        "conditions": "Trẻ sinh ra tại Việt Nam.",
        "steps": [{"title": "Nộp hồ sơ", "description": ""}],
        "execution_methods": [
            {
                "channel": "in_person",
                "processing_time": {
                    "value": 0.5,
                    "unit": "day",
                    "text": "",
                    "display": "0,5 ngày",
                },
                "description": "",
                "fees": [
                    {
                        "kind": "charge",
                        "amount": 8000,
                        "currency": "VND",
                        "description": "Miễn cho hộ nghèo",
                    },
                    {
                        "kind": "fee",
                        "amount": None,
                        "currency": "VND",
                        "description": "",
                    },
                ],
            },
            {
                "channel": "online",
                "processing_time": {
                    "value": 3,
                    "unit": "working_day",
                    "text": "",
                    "display": "3 ngày làm việc",
                },
                "description": "",
                "fees": [
                    {
                        "kind": "charge",
                        "amount": 4000,
                        "currency": "VND",
                        "description": "",
                    }
                ],
            },
        ],
        "dossier_cases": [
            {
                "name": "Trường hợp chung",
                "description": "",
                "documents": [
                    {
                        "name": "Tờ khai đăng ký khai sinh",
                        "originals": 1,
                        "copies": 0,
                        "is_required": True,
                        "note": "",
                        "form": {
                            "code": "TK01",
                            "name": "Tờ khai khai sinh",
                            "download_url": "\x00origin\x00/documents/1/tk01.pdf",
                        },
                    },
                    {
                        "name": "Giấy chứng sinh",
                        "originals": 1,
                        "copies": 0,
                        "is_required": True,
                        "note": "",
                        "form": None,
                    },
                ],
            }
        ],
        "results": [{"code": "KQ01", "name": "Giấy khai sinh"}],
        "result_note": "Trả trong ngày.",
        "legal_basis": [
            {
                "number": "60/2014/QH13",
                "title": "Luật Hộ tịch",
                "issuer": "Quốc hội",
                "issued_on": "2014-11-20",
                "effective_on": "2016-01-01",
                "url": "",
            }
        ],
        "keywords": ["khai sinh", "giấy khai sinh"],
    }
    procedure.update(changes)
    return procedure

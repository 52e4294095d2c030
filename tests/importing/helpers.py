"""Small fixtures built from scratch: national records, catalog rows, spreadsheets, bad files."""

import io
import json
import zipfile
from pathlib import Path

from openpyxl import Workbook

from catalog.importing import template


def detail_envelope(code: str = "1.000080", **overrides) -> dict:
    """A national portal API record with every part the reader handles, shaped like details/*.json."""
    data = {
        "code": code,
        "codeNotation": code,
        "name": "Thủ tục đăng ký nhận cha, mẹ, con có yếu tố nước ngoài",
        "type": "STANDARD",
        "state": "UPDATED",
        "isMinistry": False,
        "isProvince": True,
        "isWard": True,
        "isFullProcess": True,
        "executionSteps": [
            {
                "name": "",
                "description": "- Nộp hồ sơ tại Trung tâm phục vụ hành chính công.\n- Nhận kết quả.",
            }
        ],
        "executionMethods": [
            {
                "submissionMethod": "DIRECT",
                "processingTime": 12,
                "processingTimeUnit": "WORKING_DAY",
                "description": "",
                "fees": [
                    {
                        "type": "SERVICE_FEE",
                        "value": 8000,
                        "description": "Lệ phí đăng ký",
                    },
                    {
                        "type": "FEE",
                        "value": None,
                        "description": "Phí cấp bản sao theo quy định",
                    },
                ],
            },
            {
                "submissionMethod": "ONLINE",
                "processingTime": 7.5,
                "processingTimeUnit": "DAY",
                "description": "",
                "fees": [],
            },
            {
                "submissionMethod": "POSTAL",
                "processingTime": "Theo mô tả",
                "processingTimeUnit": "OTHER",
                "fees": [],
            },
        ],
        "executionCases": [
            {
                "name": "* Giấy tờ phải nộp:",
                "profileComponents": [
                    {
                        "name": "Tờ khai đăng ký nhận cha, mẹ, con",
                        "originalQty": 1,
                        "copyQty": 0,
                        "required": True,
                        "code": "KQ01",
                        "attachments": [
                            {
                                "id": "019d9209-b872-7081-82bd-0ee1c3eeab8b",
                                "fileName": "TK nhan cha me con.doc",
                                "filePath": "x/TK.doc",
                            }
                        ],
                    },
                    {
                        "name": "Giấy tờ chứng minh quan hệ",
                        "originalQty": 0,
                        "copyQty": 1,
                        "required": False,
                        "code": "KQ02",
                        "attachments": [],
                    },
                ],
            }
        ],
        "legalBasisesDetails": [
            {
                "id": "a",
                "code": "123/2015/NĐ-CP",
                "name": "Nghị định 123/2015/NĐ-CP quy định chi tiết Luật Hộ tịch",
            }
        ],
        "resultsDetails": [
            {
                "id": "b",
                "code": "KQ.G15.000033",
                "name": "Trích lục đăng ký nhận cha, mẹ, con",
            }
        ],
        "subjectTypesDetails": [
            {"id": "c", "code": "ĐT1", "name": "Công dân Việt Nam"}
        ],
        "categoriesDetails": [{"id": "d", "code": "G15-TP07", "name": "Hộ tịch"}],
        "serviceGroupsDetails": [
            {"id": "e", "name": "Nhận cha, mẹ con", "type": "CITIZEN"}
        ],
        "departmentsExecuting": [
            {
                "id": "f",
                "name": "Ủy ban Nhân dân xã, phường, thị trấn.",
                "code": "000.00.UB.003",
            }
        ],
        "departmentsAuthority": [
            {"id": "f", "name": "Ủy ban Nhân dân xã, phường, thị trấn."}
        ],
        "departmentPromulgateName": "Bộ Tư pháp",
        "executingAgencies": "Ủy ban Nhân dân xã, phường, thị trấn.",
        "requirementsAndConditions": "",
        "procedureProposal": {
            "proposalNumber": "163/QĐ-BTP",
            "decisionDate": 1768496400000,
        },
    }
    data.update(overrides)
    return {"code": "OK", "data": data, "message": ""}


def catalog_row(code: str, name: str, **overrides) -> dict:
    row = {
        "id": f"id-{code}",
        "name": name,
        "code": code,
        "codeNotation": code,
        "categories": ["Hộ tịch"],
        "categoryIds": ["x"],
        "departments": ["Sở Tư pháp tỉnh Tuyên Quang"],
        "departmentPromulgate": "Bộ Tư pháp",
        "formalityTargetType": ["Công dân Việt Nam"],
        "state": "ACTIVE",
        "type": "STANDARD",
    }
    row.update(overrides)
    return row


def write_national_set(folder: Path) -> tuple[Path, Path]:
    """catalog.jsonl with three rows and details/ with the full record of one of them."""
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        catalog_row("1.000080", "Đăng ký nhận cha, mẹ, con có yếu tố nước ngoài"),
        catalog_row(
            "1.000094",
            "Đăng ký kết hôn có yếu tố nước ngoài",
            departments=["Ủy ban nhân dân cấp xã"],
        ),
        catalog_row(
            "2.002195",
            "Cấp phép hoạt động dầu khí",
            departments=[],
            departmentPromulgate="Bộ Công thương",
            type="SPECIFIC",
        ),
    ]
    catalog = folder / "catalog.jsonl"
    catalog.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
        encoding="utf-8",
    )
    details = folder / "details"
    details.mkdir(exist_ok=True)
    (details / "1.000080.json").write_text(
        json.dumps(detail_envelope(), ensure_ascii=False), encoding="utf-8"
    )
    return catalog, details


def national_list_xlsx(path: Path, rows: list[tuple]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách TTHC"
    sheet.append(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nDANH SÁCH THỦ TỤC HÀNH CHÍNH"])
    sheet.append(["Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực"])
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def template_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A workbook in the project's template: `sheets` maps sheet name (procedures, methods...) to rows."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in template.SHEETS:
        if sheet.name not in sheets:
            continue
        worksheet = workbook.create_sheet(sheet.title)
        rows = sheets[sheet.name]
        if rows and isinstance(rows[0], dict):
            worksheet.append(sheet.labels)
            for row in rows:
                worksheet.append([row.get(column.key, "") for column in sheet.columns])
        else:
            for row in rows:
                worksheet.append(row)
    workbook.save(path)
    return path


def procedure_row(code: str, title: str, department: str = "STP", **values) -> dict:
    return {
        "national_code": code,
        "title": title,
        "department": department,
        **values,
    }


def zip_bomb_xlsx(path: Path, *, megabytes: int = 60) -> Path:
    """A valid-looking xlsx whose sheet inflates from a few KB to `megabytes` of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<?xml version='1.0'?><Types/>")
        archive.writestr("xl/workbook.xml", "<?xml version='1.0'?><workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            block = b"0" * (1024 * 1024)
            for _ in range(megabytes):
                sheet.write(block)
    path.write_bytes(buffer.getvalue())
    return path


def entity_xlsx(path: Path, source: Path) -> Path:
    """Copy of a real xlsx whose workbook.xml declares an XML entity ("billion laughs" shape)."""
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as copy,
    ):
        for item in original.infolist():
            content = original.read(item.filename)
            if item.filename == "xl/workbook.xml":
                content = (
                    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
                    + content.split(b"?>", 1)[-1]
                )
            copy.writestr(item, content)
    return path

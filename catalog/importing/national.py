"""Readers for the national portal's data: API detail records, catalog rows, list exports (xlsx)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from catalog.importing.records import (
    FileRejected,
    ProcedureRecord,
    ReadResult,
    Rejection,
)
from catalog.importing.safety import max_rows, too_many_rows
from catalog.importing.text import clean, clip, date_from_millis, key, one_line
from catalog.text import NAME_MAX, says_free_of_charge

PORTAL_URL = "https://dichvucong.gov.vn/"
PROCEDURE_TYPES = {
    "STANDARD": "standard",
    "SPECIFIC": "specific",
    "STANDARD_INTERNAL": "internal",
    "INTERNAL": "internal",
}
CHANNELS = {"DIRECT": "in_person", "ONLINE": "online", "POSTAL": "postal"}
TIME_UNITS = {
    "WORKING_DAY": "working_day",
    "DAY": "day",
    "HOUR": "hour",
    "MONTH": "month",
}
# On the portal FEE is "Phí", SERVICE_FEE is "Lệ phí" and PRICE_LEVEL a "giá dịch vụ".
FEE_KINDS = {"FEE": "fee", "SERVICE_FEE": "charge", "PRICE_LEVEL": "service_fee"}
# A fee's currencyName (folded), or its currencyId when the name is missing; an empty currencyId
# is the đồng. The ids are the portal's own (crawl of July 2026).
CURRENCY_NAMES = {
    "viet nam dong": "VND",
    "dong": "VND",
    "vnd": "VND",
    "usd": "USD",
    "do la my": "USD",
    "eur": "EUR",
    "euro": "EUR",
}
CURRENCY_IDS = {
    "019b3fb2-b5b8-70ac-85e2-9409ec1eaffa": "VND",
    "019b3fb2-dee2-76ab-aa53-22d4d903a2bb": "USD",
}
LEVELS = (
    ("isMinistry", {"code": "TW", "name": "Cấp Trung ương"}),
    ("isProvince", {"code": "TINH", "name": "Cấp Tỉnh"}),
    ("isWard", {"code": "XA", "name": "Cấp Xã"}),
)


# List marks left before a name by the portal's editors (". Đăng ký thuế…", "- Cấp…", "+ …"):
# they say nothing. Brackets, quotes and digits ("1. …" may be a number in the name) are kept.
STRAY_LEADING_MARKS = re.compile(r"^[\s.,;:+*•·\-–—]+")


def official_name(name: str) -> str:
    """The name whole (the page keeps what does not fit Wagtail's title in full_name); only a
    name beyond NAME_MAX characters is clipped, and the reader says so. Stray list marks
    before it are dropped."""
    return clip(STRAY_LEADING_MARKS.sub("", one_line(name)), NAME_MAX)


def _names(items: Iterable[dict[str, Any]] | None) -> list[str]:
    return [
        one_line(item.get("name")) for item in items or [] if one_line(item.get("name"))
    ]


def _refs(items: Iterable[dict[str, Any]] | None) -> list[dict[str, str]]:
    refs = []
    for item in items or []:
        code, name = one_line(item.get("code")), one_line(item.get("name"))
        if code or name:
            refs.append({"code": code, "name": name})
    return refs


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return Decimal(str(value))


def _method(item: dict[str, Any]) -> dict[str, Any]:
    unit = TIME_UNITS.get(item.get("processingTimeUnit") or "")
    raw_time = item.get("processingTime")
    value = _number(raw_time)
    description = clean(item.get("description"))
    method: dict[str, Any] = {
        "channel": CHANNELS.get(item.get("submissionMethod") or "", "in_person"),
        "processing_time_value": None,
        "processing_time_unit": "",
        "processing_time_text": "",
        "description": description,
    }
    if value is not None and unit and value >= 0 and value < Decimal("100000"):
        method["processing_time_value"] = value
        method["processing_time_unit"] = unit
    elif raw_time not in (None, ""):
        text = clean(raw_time if value is None else f"{value.normalize():f}")
        method["processing_time_text"] = clip(text, 500)
        if len(text) > 500 and not description:
            method["description"] = text
    method["fees"] = [_fee(fee) for fee in item.get("fees") or []]
    return method


def _currency(fee: dict[str, Any]) -> str | None:
    """The ISO code of a portal fee's currency; None when it is one the catalog does not know."""
    name = one_line(fee.get("currencyName"))
    if name:
        return CURRENCY_NAMES.get(key(name))
    ident = one_line(fee.get("currencyId"))
    return CURRENCY_IDS.get(ident) if ident else "VND"


def _fee(item: dict[str, Any]) -> dict[str, Any]:
    value = _number(item.get("value"))
    currency = _currency(item)
    fee = {
        "kind": FEE_KINDS.get(item.get("type") or "", "charge"),
        "amount": None,
        "currency": currency or "VND",
        "description": clean(item.get("description")),
    }
    if value is None:
        return fee
    if (
        value == 0
        and fee["description"]
        and not says_free_of_charge(fee["description"])
    ):
        # The portal writes 0 where the amount is set elsewhere ("Theo quy định của HĐND cấp
        # tỉnh", a schedule of rates in the description): not fixed, which is not free.
        return fee
    if currency and value == value.to_integral_value():
        fee["amount"] = int(value)
        return fee
    # A fraction (cents) or an unknown currency has no exact amount here: the figure is kept,
    # as the source wrote it, in the description rather than rounded or shown as đồng.
    unit = (
        currency
        or one_line(item.get("currencyName"))
        or one_line(item.get("currencyId"))
    )
    figure = f"{value.normalize():f}".replace(".", ",")
    fee["description"] = "\n".join(
        part for part in (f"Mức thu: {figure} {unit}", fee["description"]) if part
    )
    return fee


def form_template_code(attachment: dict[str, Any]) -> str:
    """The portal's attachment id, stable across crawls; a hash of the path when it has none."""
    ident = one_line(attachment.get("id"))
    if ident:
        return ident[:64]
    digest = hashlib.sha1(
        (attachment.get("filePath") or attachment.get("fileName") or "").encode()
    ).hexdigest()
    return f"DVC-{digest[:20]}"


# The portal's `required` flag is false on all 3,504 dossier components of the July 2026 crawl,
# the birth certificate of Đăng ký khai sinh included: it says nothing. What a dossier lists must
# be brought, unless its name says "nếu có" (if any; 295 of them), as Vietnamese dossiers write it,
# or it asks for no original and no copy (a required document must say how many: 48 do not).
_IF_ANY = re.compile(r"\bnếu\s+có\b", re.IGNORECASE)


def document_required(component: dict[str, Any]) -> bool:
    if _IF_ANY.search(component.get("name") or ""):
        return False  # even flagged: six of other provinces' say both, on one page either way
    if component.get("required"):
        return True
    counted = int(component.get("originalQty") or 0) + int(
        component.get("copyQty") or 0
    )
    return counted > 0


def _cases(
    items: Iterable[dict[str, Any]], forms: list[dict[str, str]]
) -> list[dict[str, Any]]:
    cases = []
    for number, item in enumerate(items or [], start=1):
        name = one_line(item.get("name")) or f"Trường hợp {number}"
        documents = []
        for component in item.get("profileComponents") or []:
            attachments = [
                a for a in component.get("attachments") or [] if a.get("fileName")
            ]
            note_parts = []
            template = ""
            for index, attachment in enumerate(attachments):
                file_name = clip(one_line(attachment["fileName"]), 500)
                if index == 0:
                    template = form_template_code(attachment)
                    forms.append({"code": template, "name": file_name})
                else:
                    note_parts.append(f"Mẫu kèm theo: {file_name}")
            documents.append(
                {
                    "name": clean(component.get("name")) or "Giấy tờ",
                    "originals": max(int(component.get("originalQty") or 0), 0),
                    "copies": max(int(component.get("copyQty") or 0), 0),
                    "is_required": document_required(component),
                    "note": "\n".join(note_parts),
                    "form_template": template or None,
                }
            )
        cases.append(
            {
                "name": clip(name, 500),
                "description": name if len(name) > 500 else "",
                "documents": documents,
            }
        )
    return cases


def _steps(items: Iterable[dict[str, Any]]) -> list[dict[str, str]]:
    steps = []
    for item in items or []:
        title, description = one_line(item.get("name")), clean(item.get("description"))
        if not title and not description:
            continue
        if len(title) > 300:
            description = f"{title}\n{description}".strip()
            title = clip(title, 300)
        steps.append({"title": title, "description": description or title})
    return steps


def detail_record(envelope: dict[str, Any], *, file: str) -> ProcedureRecord:
    """A full API record (envelope {code, data}) as one procedure with every part."""
    data = envelope.get("data") if isinstance(envelope.get("data"), dict) else envelope
    code = one_line(data.get("code") or data.get("codeNotation"))
    if not code:
        raise FileRejected("Bản ghi không có mã thủ tục (code).", file=file)
    title = official_name(data.get("name") or "")
    proposal = data.get("procedureProposal") or {}
    methods = [_method(item) for item in data.get("executionMethods") or []]
    forms: list[dict[str, str]] = []
    categories = data.get("categoriesDetails") or (
        [data["category"]] if data.get("category") else []
    )
    full_online = bool(data.get("isFullProcess"))
    online = full_online or any(m["channel"] == "online" for m in methods)
    executing = _names(data.get("departmentsExecuting")) or _names(
        data.get("unitGroupsExecuting")
    )
    record_data = {
        "national_code": code,
        "title": title,
        "summary": clip(clean(data.get("description")), 1000),
        "procedure_type": PROCEDURE_TYPES.get(data.get("type") or "", "standard"),
        "status": "active",
        "decision_number": one_line(
            proposal.get("proposalNumber") or data.get("decisionNo")
        )[:120],
        "decision_date": date_from_millis(proposal.get("decisionDate")),
        "decision_authority": one_line(data.get("departmentPromulgateName"))[:255],
        "implementing_agencies": clean(data.get("executingAgencies"))
        or "; ".join(executing),
        "competent_authority": "; ".join(_names(data.get("departmentsAuthority"))),
        "coordinating_agencies": clean(data.get("coordinatingAgencies"))
        or "; ".join(_names(data.get("departmentsCoordinating"))),
        "receiving_address": clean(data.get("dossierReceivingAddresses")),
        "levels": [level for flag, level in LEVELS if data.get(flag)],
        "subject_types": _refs(data.get("subjectTypesDetails")),
        "fields": _refs(categories),
        "life_events": [
            {"code": "", "name": name}
            for name in _names(data.get("serviceGroupsDetails"))
        ],
        "results": _refs(data.get("resultsDetails")),
        "legal_basis": [
            {
                "number": ref["code"] or clip(ref["name"], 120),
                "title": ref["name"] or ref["code"],
            }
            for ref in _refs(data.get("legalBasisesDetails"))
        ],
        "online_level": "full" if full_online else ("partial" if online else "none"),
        "online_url": PORTAL_URL if online else "",
        "conditions": clean(data.get("requirementsAndConditions")),
        "keywords": clip(one_line(data.get("keywords")), 500),
        "steps": _steps(data.get("executionSteps")),
        "execution_methods": methods,
        "dossier_cases": _cases(data.get("executionCases"), forms),
    }
    agencies = executing + [one_line(data.get("departmentPromulgateName"))]
    return ProcedureRecord(
        key=code,
        data=record_data,
        file=file,
        agencies=[a for a in agencies if a],
        detail=True,
        form_files=forms,
    )


def catalog_row_record(row: dict[str, Any], *, file: str, line: int) -> ProcedureRecord:
    """A catalog.jsonl row: identity, fields, agencies and subject types only."""
    code = one_line(row.get("code") or row.get("codeNotation"))
    if not code:
        raise ValueError("thiếu mã thủ tục (code)")
    title = official_name(row.get("name") or "")
    if not title:
        raise ValueError("thiếu tên thủ tục (name)")
    agencies = [one_line(a) for a in row.get("departments") or [] if one_line(a)]
    data = {
        "national_code": code,
        "title": title,
        "procedure_type": PROCEDURE_TYPES.get(row.get("type") or "", "standard"),
        "status": "active",
        "fields": [
            {"code": "", "name": one_line(n)}
            for n in row.get("categories") or []
            if one_line(n)
        ],
        "subject_types": [
            {"code": "", "name": one_line(n)}
            for n in row.get("formalityTargetType") or []
            if one_line(n)
        ],
        "implementing_agencies": "; ".join(agencies),
        "decision_authority": one_line(row.get("departmentPromulgate"))[:255],
    }
    publisher = one_line(row.get("departmentPromulgate"))
    return ProcedureRecord(
        key=code,
        data=data,
        file=file,
        row=line,
        agencies=agencies + ([publisher] if publisher else []),
    )


def _separate_cleaned_duplicates(result: ReadResult, raw_codes: dict[int, str]) -> None:
    """Two different rows whose codes differ only by blanks (" 1.014325" and "1.014325") both stay.

    The row whose raw code needed cleaning gets a local code from the portal's row id, and the
    report says so; rows with byte-identical codes remain duplicates and reject the file.
    """
    by_key: dict[str, list[ProcedureRecord]] = {}
    for record in result.records:
        by_key.setdefault(record.key, []).append(record)
    for code, records in by_key.items():
        if len(records) < 2:
            continue
        for record in records:
            raw = raw_codes.get(record.row or 0, code)
            if (
                raw != code
                and sum(1 for r in records if raw_codes.get(r.row or 0, code) == raw)
                == 1
            ):
                suffix = re.sub(r"[^0-9A-Za-z]", "", record.data.pop("_row_id", ""))[:8]
                local = f"{code}-{suffix or record.row}"
                record.data["local_code"] = local
                record.key = local
                result.warnings.append(
                    f"{result.file}: dòng {record.row} có mã “{raw}” (thừa khoảng trắng), trùng mã {code} "
                    f"của một thủ tục khác; đã giữ cả hai và gán mã thành phố {local}."
                )
    for record in result.records:
        record.data.pop("_row_id", None)


def read_catalog_jsonl(path: Path) -> ReadResult:
    result = ReadResult(file=path.name, format="Danh mục TTHC quốc gia (catalog.jsonl)")
    limit = max_rows()
    raw_codes: dict[int, str] = {}
    with path.open("rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if line_number > limit:
                raise too_many_rows(name=path.name, count=line_number)
            try:
                row = orjson.loads(line)
                if not isinstance(row, dict):
                    raise ValueError("dòng không phải một đối tượng JSON")
                record = catalog_row_record(row, file=path.name, line=line_number)
                record.data["_row_id"] = one_line(row.get("id"))
                raw_codes[line_number] = str(
                    row.get("code") or row.get("codeNotation") or ""
                )
                result.records.append(record)
            except (orjson.JSONDecodeError, ValueError) as error:
                result.rejections.append(
                    Rejection(file=path.name, row=line_number, message=str(error))
                )
    _separate_cleaned_duplicates(result, raw_codes)
    return result


def read_detail_files(paths: list[Path], *, label: str) -> ReadResult:
    """A folder of details/<code>.json (or single files): one full record each."""
    result = ReadResult(
        file=label, format="Bản ghi chi tiết TTHC quốc gia (details/*.json)"
    )
    if len(paths) > max_rows():
        raise too_many_rows(name=label, count=len(paths))
    for path in paths:
        try:
            envelope = orjson.loads(path.read_bytes())
            if not isinstance(envelope, dict):
                raise ValueError("tệp không phải một đối tượng JSON")
            result.records.append(detail_record(envelope, file=path.name))
        except FileRejected as error:
            result.rejections.append(Rejection(file=path.name, message=error.message))
        except (orjson.JSONDecodeError, ValueError, TypeError, KeyError) as error:
            result.rejections.append(
                Rejection(file=path.name, message=f"không đọc được bản ghi: {error}")
            )
    return result


LIST_HEADERS = {
    "mã số": "code",
    "tên": "name",
    "cơ quan ban hành": "publisher",
    "cơ quan thực hiện": "agencies",
    "lĩnh vực": "field",
}


def is_national_list(rows: list[tuple]) -> int | None:
    """Index of the header row of the portal's "DANH SÁCH THỦ TỤC HÀNH CHÍNH" export, if it is one."""
    for index, row in enumerate(rows[:10]):
        cells = [one_line(cell).lower() for cell in row if cell is not None]
        if "mã số" in cells and "tên" in cells:
            return index
    return None


def read_national_list(
    rows: Iterable[tuple], *, file: str, header_index: int, first_rows: list[tuple]
) -> ReadResult:
    """The portal's list export: Mã số, Tên, Cơ quan ban hành, Cơ quan thực hiện, Lĩnh vực."""
    result = ReadResult(
        file=file, format="Danh sách TTHC xuất từ Cổng DVC quốc gia (.xlsx)"
    )
    header = [one_line(cell).lower() for cell in first_rows[header_index]]
    columns = {
        LIST_HEADERS[name]: i for i, name in enumerate(header) if name in LIST_HEADERS
    }
    seen: dict[str, tuple[int, tuple]] = {}
    limit = max_rows()

    def cell(row: tuple, name: str) -> str:
        index = columns.get(name)
        return clean(row[index]) if index is not None and index < len(row) else ""

    for number, row in enumerate(rows, start=1):
        if number <= header_index + 1:
            continue
        if number > limit + header_index + 1:
            raise too_many_rows(name=file, count=number)
        if not any(c not in (None, "") for c in row):
            continue
        code = one_line(cell(row, "code"))
        values = tuple(clean(c) for c in row)
        if code in seen:
            if seen[code][1] == values:
                result.warnings.append(
                    f"{file}: dòng {number} lặp lại y hệt dòng {seen[code][0]} (mã {code}), đã bỏ qua."
                )
                continue
            raise FileRejected(
                f"Tệp “{file}” có mã thủ tục {code} ở hai dòng {seen[code][0]} và {number} với nội dung khác nhau; "
                "không nhập tệp này.",
                file=file,
                row=number,
            )
        seen[code] = (number, values)
        title = official_name(cell(row, "name"))
        if not code or not title:
            result.rejections.append(
                Rejection(
                    file=file,
                    row=number,
                    column="Mã số" if not code else "Tên",
                    message="thiếu mã hoặc tên thủ tục",
                )
            )
            continue
        agencies = [
            one_line(a) for a in cell(row, "agencies").split("\n") if one_line(a)
        ]
        data = {
            "national_code": code,
            "title": title,
            "fields": [{"code": "", "name": one_line(cell(row, "field"))}]
            if cell(row, "field")
            else [],
            "implementing_agencies": "; ".join(agencies),
        }
        publisher = one_line(cell(row, "publisher"))
        result.records.append(
            ProcedureRecord(
                key=code,
                data=data,
                file=file,
                row=number,
                agencies=agencies + ([publisher] if publisher else []),
            )
        )
    return result

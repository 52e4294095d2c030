"""The project's own spreadsheet: one procedure sheet plus sheets for parts, keyed by procedure code.

Export writes it and import reads it, so a file exported from the admin imports back unchanged.
In CSV the sheets are stacked in one table whose first column "Bảng" names the sheet of each row.
"""

from __future__ import annotations

import datetime
import functools
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from catalog.forms import name_too_long_message
from catalog.importing.records import (
    FileRejected,
    ProcedureRecord,
    ReadResult,
    Rejection,
)
from catalog.importing.safety import max_rows, too_many_rows
from catalog.importing.text import (
    clean,
    escape_formula,
    key,
    one_line,
    parse_bool,
    parse_date,
    parse_decimal,
    parse_int,
    unescape_formula,
)
from catalog.models import (
    Channel,
    Currency,
    FeeKind,
    OnlineLevel,
    ProcedureStatus,
    ProcedureType,
    TimeUnit,
)
from catalog.models.procedures import format_amount
from catalog.text import NAME_MAX

TEMPLATE_FORMAT = "Mẫu bảng tính của Cổng (xlsx/csv)"
SHEET_COLUMN = "Bảng"
LIST_SEPARATOR = "; "
CODE_LABEL = "Mã thủ tục"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    help: str = ""
    # Labels the column had in earlier templates, still read so that older files import.
    former_labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sheet:
    name: str
    title: str
    columns: tuple[Column, ...]

    @property
    def labels(self) -> list[str]:
        return [column.label for column in self.columns]

    @property
    def readable_labels(self) -> list[str]:
        """The labels written today and those of earlier templates."""
        return [
            label
            for column in self.columns
            for label in (column.label, *column.former_labels)
        ]


PROCEDURES = Sheet(
    "procedures",
    "Thủ tục",
    (
        Column("national_code", "Mã thủ tục quốc gia", "Bắt buộc, ví dụ 1.000080"),
        Column(
            "local_code", "Mã thủ tục của thành phố", "Để trống nếu dùng mã quốc gia"
        ),
        Column(
            "title",
            "Tên thủ tục",
            "Bắt buộc, tên chính thức đầy đủ, tối đa 2.000 ký tự",
        ),
        Column("department", "Mã đơn vị", "Mã của cơ quan sở hữu thủ tục, ví dụ STP"),
        Column(
            "procedure_type",
            "Loại thủ tục",
            "; ".join(str(c.label) for c in ProcedureType),
        ),
        Column(
            "status", "Tình trạng", "; ".join(str(c.label) for c in ProcedureStatus)
        ),
        Column("decision_number", "Quyết định công bố"),
        Column("decision_date", "Ngày quyết định", "dd/mm/yyyy"),
        Column("decision_authority", "Cơ quan công bố"),
        Column("effective_date", "Ngày hiệu lực", "dd/mm/yyyy"),
        Column("summary", "Mô tả ngắn"),
        Column("implementing_agencies", "Cơ quan thực hiện"),
        Column("competent_authority", "Cơ quan có thẩm quyền"),
        Column("coordinating_agencies", "Cơ quan phối hợp"),
        Column("receiving_address", "Địa chỉ tiếp nhận hồ sơ"),
        Column("levels", "Cấp thực hiện", "Mã hoặc tên, cách nhau bằng dấu ;"),
        Column(
            "subject_types", "Đối tượng thực hiện", "Mã hoặc tên, cách nhau bằng dấu ;"
        ),
        Column("fields", "Lĩnh vực", "Mã hoặc tên, cách nhau bằng dấu ;"),
        Column("life_events", "Sự kiện cuộc đời", "Mã hoặc tên, cách nhau bằng dấu ;"),
        Column("results", "Kết quả thực hiện", "Mã hoặc tên, cách nhau bằng dấu ;"),
        Column(
            "online_level",
            "Mức độ DVC trực tuyến",
            "; ".join(str(c.label) for c in OnlineLevel),
        ),
        Column("online_url", "Đường dẫn nộp trực tuyến"),
        Column("conditions", "Yêu cầu, điều kiện"),
        Column("result_note", "Ghi chú về kết quả"),
        Column("keywords", "Từ khóa"),
    ),
)
STEPS = Sheet(
    "steps",
    "Trình tự",
    (
        Column("code", CODE_LABEL),
        Column("number", "Bước số"),
        Column("title", "Tên bước"),
        Column("description", "Nội dung bước"),
    ),
)
METHODS = Sheet(
    "methods",
    "Cách thức - Phí",
    (
        Column("code", CODE_LABEL),
        Column("number", "Cách thức số"),
        Column("channel", "Hình thức nộp", "; ".join(str(c.label) for c in Channel)),
        Column("processing_time_value", "Thời hạn (số)"),
        Column(
            "processing_time_unit",
            "Đơn vị thời hạn",
            "; ".join(str(c.label) for c in TimeUnit),
        ),
        Column("processing_time_text", "Thời hạn (mô tả)"),
        Column("description", "Mô tả cách thức"),
        Column(
            "fee_kind",
            "Loại phí",
            "; ".join(str(c.label) for c in FeeKind) + " — để trống nếu không có phí",
        ),
        Column(
            "fee_amount",
            "Mức thu",
            "Số nguyên không âm, theo đơn vị tiền tệ; để trống nếu không quy định",
            former_labels=("Mức thu (đồng)",),
        ),
        Column(
            "fee_currency",
            "Đơn vị tiền tệ",
            "; ".join(c.value for c in Currency) + " — để trống là đồng (VND)",
        ),
        Column("fee_description", "Mô tả phí, miễn giảm"),
    ),
)
DOCUMENTS = Sheet(
    "documents",
    "Hồ sơ",
    (
        Column("code", CODE_LABEL),
        Column("case_number", "Trường hợp số"),
        Column("case_name", "Tên trường hợp"),
        Column("case_description", "Mô tả trường hợp"),
        Column("name", "Tên giấy tờ", "Để trống nếu trường hợp không có giấy tờ"),
        Column("originals", "Số bản chính"),
        Column("copies", "Số bản sao"),
        Column("is_required", "Bắt buộc", "Có / Không"),
        Column("note", "Ghi chú"),
        Column("form_template", "Mã mẫu đơn, tờ khai"),
    ),
)
LEGAL = Sheet(
    "legal",
    "Căn cứ pháp lý",
    (
        Column("code", CODE_LABEL),
        Column("number", "Số, ký hiệu văn bản"),
        Column("title", "Trích yếu"),
        Column("issuer", "Cơ quan ban hành"),
        Column("issued_on", "Ngày ban hành", "dd/mm/yyyy"),
        Column("effective_on", "Ngày hiệu lực", "dd/mm/yyyy"),
        Column("url", "Đường dẫn văn bản"),
    ),
)
SHEETS = (PROCEDURES, STEPS, METHODS, DOCUMENTS, LEGAL)
INSTRUCTIONS_TITLE = "Hướng dẫn"
LIST_KEYS = ("levels", "subject_types", "fields", "life_events", "results")
CHOICES = {
    "procedure_type": ProcedureType,
    "status": ProcedureStatus,
    "online_level": OnlineLevel,
    "channel": Channel,
    "processing_time_unit": TimeUnit,
    "fee_kind": FeeKind,
    "fee_currency": Currency,
}


def csv_labels(*, readable: bool = False) -> list[str]:
    """The stacked CSV's header; `readable` adds the labels of earlier templates."""
    labels = [SHEET_COLUMN]
    for sheet in SHEETS:
        for label in sheet.readable_labels if readable else sheet.labels:
            if label not in labels:
                labels.append(label)
    return labels


def sheet_by_title(title: str) -> Sheet | None:
    folded = key(title)
    for sheet in SHEETS:
        if key(sheet.title) == folded or sheet.name == folded:
            return sheet
    return None


def choice_label(name: str, value: str) -> str:
    if not value:
        return ""
    try:
        return str(CHOICES[name](value).label)
    except ValueError:
        return value


@functools.cache
def _choice_map(name: str) -> dict[str, str]:
    choices = CHOICES[name]
    mapping = {}
    for choice in choices:
        mapping[key(choice.value)] = choice.value
        mapping[key(str(choice.label))] = choice.value
    return mapping


def choice_value(name: str, raw: Any) -> str:
    text = one_line(raw)
    if not text:
        return ""
    value = _choice_map(name).get(key(text))
    if value is None:
        allowed = ", ".join(f"“{c.label}”" for c in CHOICES[name])
        raise ValueError(f"giá trị “{text}” không hợp lệ; chọn một trong {allowed}")
    return value


# ----------------------------------------------------------------------------------------------
# writing


DATE_KEYS = ("decision_date", "effective_date")


def rows_for(
    snapshot: dict[str, Any], *, department_code: str
) -> dict[str, list[dict[str, Any]]]:
    """One procedure snapshot (catalog.services.procedures.procedure_snapshot) as rows per sheet."""
    code = snapshot["local_code"] or snapshot["national_code"]
    procedure = {
        column.key: snapshot.get(column.key, "") for column in PROCEDURES.columns
    }
    procedure["department"] = department_code
    for (
        name
    ) in DATE_KEYS:  # written as the column's help says, and as people here write dates
        value = snapshot.get(name)
        procedure[name] = (
            datetime.date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
            if value
            else ""
        )
    for name in ("procedure_type", "status", "online_level"):
        procedure[name] = choice_label(name, snapshot.get(name) or "")
    for name in LIST_KEYS:
        procedure[name] = LIST_SEPARATOR.join(snapshot.get(name) or [])
    rows: dict[str, list[dict[str, Any]]] = {sheet.name: [] for sheet in SHEETS}
    rows["procedures"].append(procedure)
    for number, step in enumerate(snapshot.get("steps") or [], start=1):
        rows["steps"].append({"code": code, "number": number, **step})
    for number, method in enumerate(snapshot.get("execution_methods") or [], start=1):
        base = {
            "code": code,
            "number": number,
            "channel": choice_label("channel", method["channel"]),
            "processing_time_value": method["processing_time_value"],
            "processing_time_unit": choice_label(
                "processing_time_unit", method["processing_time_unit"]
            ),
            "processing_time_text": method["processing_time_text"],
            "description": method["description"],
        }
        for fee in method["fees"] or [None]:
            row = dict(base)
            if fee is not None:
                row.update(
                    fee_kind=choice_label("fee_kind", fee["kind"]),
                    fee_amount=fee["amount"],
                    fee_currency=fee.get("currency") or Currency.VND.value,
                    fee_description=fee["description"],
                )
            rows["methods"].append(row)
    for number, case in enumerate(snapshot.get("dossier_cases") or [], start=1):
        base = {
            "code": code,
            "case_number": number,
            "case_name": case["name"],
            "case_description": case["description"],
        }
        for document in case["documents"] or [None]:
            row = dict(base)
            if document is not None:
                row.update(
                    name=document["name"],
                    originals=document["originals"],
                    copies=document["copies"],
                    is_required="Có" if document["is_required"] else "Không",
                    note=document["note"],
                    form_template=document["form_template"] or "",
                )
            rows["documents"].append(row)
    for legal in snapshot.get("legal_documents") or []:
        rows["legal"].append({"code": code, **legal})
    return rows


# ----------------------------------------------------------------------------------------------
# reading


class _SheetRows:
    """Rows of one sheet as dicts by column key, each with its row number, after header checks."""

    def __init__(self, sheet: Sheet, *, file: str, header: list[Any], where: str):
        self.sheet = sheet
        self.file = file
        by_label = {
            key(label): column
            for column in sheet.columns
            for label in (column.label, *column.former_labels)
        }
        self.index: dict[str, int] = {}
        self.label: dict[str, str] = {}
        for position, raw in enumerate(header):
            label = one_line(raw)
            if not label:
                continue
            column = by_label.get(key(label))
            if column is None:
                raise FileRejected(
                    f"Tệp “{file}”: cột “{label}” ({where}) không có trong mẫu. "
                    "Hãy tải mẫu trống từ trang quản trị và giữ nguyên tên cột.",
                    file=file,
                    column=label,
                )
            self.index[column.key] = position
            self.label[column.key] = label
        self.rows: list[tuple[int, dict[str, Any]]] = []

    def add(self, number: int, values: list[Any]) -> None:
        row = {
            column_key: unescape_formula(values[position])
            if position < len(values)
            else None
            for column_key, position in self.index.items()
        }
        if any(value not in (None, "") for value in row.values()):
            self.rows.append((number, row))


def read_template_tables(
    tables: dict[str, list[tuple[int, list[Any]]]], *, file: str, where: dict[str, str]
) -> ReadResult:
    """`tables`: sheet title -> [(row number, cells)], first entry the header row."""
    result = ReadResult(file=file, format=TEMPLATE_FORMAT)
    parsed: dict[str, _SheetRows] = {}
    for title, rows in tables.items():
        if key(title) == key(INSTRUCTIONS_TITLE) or not rows:
            continue
        sheet = sheet_by_title(title)
        if sheet is None:
            raise FileRejected(
                f"Tệp “{file}”: trang tính “{title}” không có trong mẫu "
                f"(chỉ nhận: {', '.join(s.title for s in SHEETS)}).",
                file=file,
            )
        sheet_rows = _SheetRows(
            sheet, file=file, header=rows[0][1], where=where.get(title, title)
        )
        for number, values in rows[1:]:
            sheet_rows.add(number, values)
        parsed[sheet.name] = sheet_rows
    if "procedures" not in parsed:
        raise FileRejected(
            f"Tệp “{file}” thiếu trang tính “{PROCEDURES.title}”.", file=file
        )
    for required in ("national_code", "title"):
        if required not in parsed["procedures"].index:
            label = next(c.label for c in PROCEDURES.columns if c.key == required)
            raise FileRejected(
                f"Tệp “{file}” thiếu cột bắt buộc “{label}”.", file=file, column=label
            )
    count = sum(len(s.rows) for s in parsed.values())
    if count > max_rows():
        raise too_many_rows(name=file, count=count)

    records: OrderedDict[str, ProcedureRecord] = OrderedDict()
    first_row: dict[str, int] = {}
    procedures = parsed["procedures"]
    for number, row in procedures.rows:
        national_code = one_line(row.get("national_code"))
        local_code = one_line(row.get("local_code"))
        record_key = local_code or national_code
        if record_key in first_row:
            raise FileRejected(
                f"Tệp “{file}”: mã thủ tục {record_key} xuất hiện hai lần "
                f"(dòng {first_row[record_key]} và dòng {number} của trang “{PROCEDURES.title}”); không nhập tệp này.",
                file=file,
                row=number,
            )
        first_row[record_key] = number
        try:
            record = _procedure_record(
                row, number=number, file=file, labels=procedures.label
            )
        except _CellError as error:
            result.rejections.append(
                Rejection(
                    file=file,
                    row=number,
                    column=procedures.label.get(error.column, error.column),
                    message=error.message,
                    code=record_key,
                )
            )
            continue
        records[record.key] = record
    present = set(parsed)
    for record in records.values():
        if "steps" in present:
            record.data["steps"] = []
        if "methods" in present:
            record.data["execution_methods"] = []
        if "documents" in present:
            record.data["dossier_cases"] = []
        if "legal" in present:
            record.data["legal_basis"] = []
    _read_parts(parsed, records, first_row, result)
    rejected = {r.code for r in result.rejections if r.code}
    result.records = [
        record for record in records.values() if record.key not in rejected
    ]
    return result


class _CellError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column = column
        self.message = message


def _cell(row: dict[str, Any], name: str, parse):
    try:
        return parse(row.get(name))
    except ValueError as error:
        raise _CellError(name, str(error)) from error


def _text(value: Any) -> str:
    return (
        clean(value)
        if not isinstance(value, float) or value != int(value)
        else str(int(value))
    )


def _procedure_record(
    row: dict[str, Any], *, number: int, file: str, labels: dict[str, str]
) -> ProcedureRecord:
    national_code = one_line(row.get("national_code"))
    title = one_line(row.get("title"))
    if not national_code:
        raise _CellError("national_code", "thiếu mã thủ tục quốc gia")
    if not title:
        raise _CellError("title", "thiếu tên thủ tục")
    if len(title) > NAME_MAX:
        raise _CellError("title", name_too_long_message(len(title)))
    data: dict[str, Any] = {"national_code": national_code, "title": title}
    for column in PROCEDURES.columns:
        name = column.key
        if name in ("national_code", "title", "department") or name not in labels:
            continue
        if name in CHOICES:
            data[name] = (
                _cell(row, name, lambda v, n=name: choice_value(n, v))
                or {
                    "procedure_type": "standard",
                    "status": "active",
                    "online_level": "none",
                }[name]
            )
        elif name in DATE_KEYS:
            data[name] = _cell(row, name, parse_date)
        elif name in LIST_KEYS:
            items = [
                one_line(item)
                for item in _text(row.get(name)).replace("\n", ";").split(";")
            ]
            data[name] = [{"code": item, "name": item} for item in items if item]
        else:
            data[name] = _text(row.get(name))
    return ProcedureRecord(
        key=data.get("local_code") or national_code,
        data=data,
        file=file,
        row=number,
        department_code=one_line(row.get("department")),
        agencies=[
            a.strip()
            for a in (data.get("implementing_agencies") or "").split(";")
            if a.strip()
        ][:1],
        columns=dict(labels),
    )


def _read_parts(parsed, records, first_row, result: ReadResult) -> None:
    file = result.file

    def owner(
        sheet_rows: _SheetRows, number: int, row: dict[str, Any]
    ) -> ProcedureRecord | None:
        code = one_line(row.get("code"))
        record = records.get(code)
        if record is None:
            if code in first_row:
                return None  # the procedure row itself was rejected; its error is already listed
            result.rejections.append(
                Rejection(
                    file=file,
                    row=number,
                    column=sheet_rows.label.get("code", CODE_LABEL),
                    message=f"trang “{sheet_rows.sheet.title}”: mã thủ tục “{code}” không có trong trang “{PROCEDURES.title}”",
                    code=code,
                )
            )
        return record

    def reject(
        sheet_rows: _SheetRows, number: int, record: ProcedureRecord, error: _CellError
    ) -> None:
        result.rejections.append(
            Rejection(
                file=file,
                row=number,
                column=f"{sheet_rows.label.get(error.column, error.column)} (trang “{sheet_rows.sheet.title}”)",
                message=error.message,
                code=record.key,
            )
        )

    if "steps" in parsed:
        for number, row in parsed["steps"].rows:
            record = owner(parsed["steps"], number, row)
            if record is not None:
                record.data["steps"].append(
                    {
                        "title": one_line(row.get("title")),
                        "description": _text(row.get("description")),
                    }
                )

    if "methods" in parsed:
        groups: dict[tuple[str, Any], dict[str, Any]] = {}
        for number, row in parsed["methods"].rows:
            record = owner(parsed["methods"], number, row)
            if record is None:
                continue
            try:
                group_key = (record.key, _text(row.get("number")) or str(number))
                method = groups.get(group_key)
                if method is None:
                    value = _cell(row, "processing_time_value", parse_decimal)
                    if value is not None and value < 0:
                        raise _CellError(
                            "processing_time_value", "thời hạn giải quyết không được âm"
                        )
                    method = {
                        "channel": _cell(
                            row, "channel", lambda v: choice_value("channel", v)
                        )
                        or "in_person",
                        "processing_time_value": value,
                        "processing_time_unit": _cell(
                            row,
                            "processing_time_unit",
                            lambda v: choice_value("processing_time_unit", v),
                        ),
                        "processing_time_text": _text(row.get("processing_time_text")),
                        "description": _text(row.get("description")),
                        "fees": [],
                    }
                    if (value is None) != (not method["processing_time_unit"]):
                        raise _CellError(
                            "processing_time_unit",
                            "thời hạn (số) và đơn vị thời hạn phải đi cùng nhau",
                        )
                    groups[group_key] = method
                    record.data["execution_methods"].append(method)
                # A sheet from before the currency column says nothing of it (None): each
                # fee keeps the currency stored at its place, đồng for a new one.
                currency = (
                    _cell(
                        row, "fee_currency", lambda v: choice_value("fee_currency", v)
                    )
                    or str(Currency.VND)
                    if "fee_currency" in row
                    else None
                )
                amount = _cell(row, "fee_amount", parse_int)
                if amount is not None and amount < 0:
                    raise _CellError(
                        "fee_amount",
                        "mức phí, lệ phí không được âm "
                        f"({format_amount(amount, currency or str(Currency.VND))})",
                    )
                kind = _cell(row, "fee_kind", lambda v: choice_value("fee_kind", v))
                description = _text(row.get("fee_description"))
                if kind or amount is not None or description:
                    method["fees"].append(
                        {
                            "kind": kind or "charge",
                            "amount": amount,
                            "currency": currency,
                            "description": description,
                        }
                    )
            except _CellError as error:
                reject(parsed["methods"], number, record, error)

    if "documents" in parsed:
        cases: dict[tuple[str, Any], dict[str, Any]] = {}
        for number, row in parsed["documents"].rows:
            record = owner(parsed["documents"], number, row)
            if record is None:
                continue
            try:
                group_key = (
                    record.key,
                    _text(row.get("case_number")) or _text(row.get("case_name")),
                )
                case = cases.get(group_key)
                if case is None:
                    case = {
                        "name": _text(row.get("case_name"))
                        or "Trường hợp thông thường",
                        "description": _text(row.get("case_description")),
                        "documents": [],
                    }
                    cases[group_key] = case
                    record.data["dossier_cases"].append(case)
                name = _text(row.get("name"))
                if name:
                    originals = _cell(row, "originals", parse_int)
                    copies = _cell(row, "copies", parse_int)
                    for column, value in (("originals", originals), ("copies", copies)):
                        if value is not None and value < 0:
                            raise _CellError(column, "số bản không được âm")
                    case["documents"].append(
                        {
                            "name": name,
                            "originals": 1 if originals is None else originals,
                            "copies": 0 if copies is None else copies,
                            "is_required": _cell(row, "is_required", parse_bool),
                            "note": _text(row.get("note")),
                            "form_template": one_line(row.get("form_template")) or None,
                        }
                    )
            except _CellError as error:
                reject(parsed["documents"], number, record, error)

    if "legal" in parsed:
        for number, row in parsed["legal"].rows:
            record = owner(parsed["legal"], number, row)
            if record is None:
                continue
            try:
                document_number = one_line(row.get("number"))
                if not document_number:
                    raise _CellError("number", "thiếu số, ký hiệu văn bản")
                record.data["legal_basis"].append(
                    {
                        "number": document_number,
                        "title": _text(row.get("title")) or document_number,
                        "issuer": one_line(row.get("issuer")),
                        "issued_on": _cell(row, "issued_on", parse_date),
                        "effective_on": _cell(row, "effective_on", parse_date),
                        "url": one_line(row.get("url")),
                    }
                )
            except _CellError as error:
                reject(parsed["legal"], number, record, error)


# ----------------------------------------------------------------------------------------------
# our own JSON export, read back through the template's rows


EXPORT_JSON_FORMAT = "Tệp JSON xuất từ Cổng"


def is_export_json(document: Any) -> bool:
    """`{"meta": {...}, "items": [...]}` as catalog.importing.exporting.export_json writes it."""
    return (
        isinstance(document, dict)
        and isinstance(document.get("meta"), dict)
        and isinstance(document.get("items"), list)
    )


def read_export_json(document: dict[str, Any], *, file: str) -> ReadResult:
    """Each item becomes the template rows an xlsx export of it would hold, then reads as a template.

    So a JSON file gets exactly the checks, normalisation and messages of a spreadsheet; the row
    number in a message is the item's position in `items` (1 = the first).
    """
    items = document["items"]
    if len(items) > max_rows():
        raise too_many_rows(name=file, count=len(items))
    tables: dict[str, list[tuple[int, list[Any]]]] = {
        sheet.title: [(0, sheet.labels)] for sheet in SHEETS
    }
    rejections = []
    for number, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise TypeError(type(item).__name__)
            rows = rows_for(item, department_code=str(item.get("department") or ""))
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            code = (
                item.get("local_code") or item.get("national_code") or ""
                if isinstance(item, dict)
                else ""
            )
            rejections.append(
                Rejection(
                    file=file,
                    row=number,
                    code=str(code),
                    message=f"mục thứ {number} không đúng cấu trúc tệp JSON xuất từ Cổng "
                    f"({type(error).__name__}: {error})",
                )
            )
            continue
        for sheet in SHEETS:
            for row in rows[sheet.name]:
                tables[sheet.title].append(
                    # escaped as an export cell is, since reading a cell unescapes it
                    (
                        number,
                        [
                            escape_formula(row.get(column.key))
                            for column in sheet.columns
                        ],
                    )
                )
    where = {sheet.title: f"mục trong “items” ({sheet.title})" for sheet in SHEETS}
    result = read_template_tables(tables, file=file, where=where)
    result.format = EXPORT_JSON_FORMAT
    result.rejections[:0] = rejections
    return result

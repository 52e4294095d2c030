"""The distributions the generator draws from: demo data, the national data when present, a built-in floor.

Everything here is plain data (no database), sorted so that a seed gives the same catalog everywhere.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from pathlib import Path

# the national portal's codes, mapped as the importer maps them (plain data, no database)
from catalog.importing.national import CHANNELS, FEE_KINDS
from catalog.importing.national import TIME_UNITS as UNITS

REPO = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO / "catalog" / "demo"

# The floor: enough to make a realistic catalog with no demo and no national data at all.
BUILTIN_NAMES = [
    ("Đăng ký khai sinh", "G15-TP07", "Hộ tịch"),
    ("Đăng ký kết hôn", "G15-TP07", "Hộ tịch"),
    ("Đăng ký khai tử", "G15-TP07", "Hộ tịch"),
    ("Cấp bản sao trích lục hộ tịch", "G15-TP07", "Hộ tịch"),
    ("Chứng thực bản sao từ bản chính giấy tờ, văn bản", "G15-TP05", "Chứng thực"),
    ("Chứng thực chữ ký trong các giấy tờ, văn bản", "G15-TP05", "Chứng thực"),
    ("Đăng ký thường trú", "G01-CA01", "Đăng ký, quản lý cư trú"),
    ("Đăng ký tạm trú", "G01-CA01", "Đăng ký, quản lý cư trú"),
    ("Cấp thẻ căn cước", "G01-CA02", "Căn cước"),
    ("Cấp đổi giấy phép lái xe", "G22-GT01", "Đường bộ"),
    (
        "Đăng ký thành lập hộ kinh doanh",
        "G09-KH01",
        "Thành lập và hoạt động của hộ kinh doanh",
    ),
    (
        "Đăng ký thành lập doanh nghiệp tư nhân",
        "G09-KH02",
        "Thành lập và hoạt động doanh nghiệp",
    ),
    ("Cấp giấy phép xây dựng nhà ở riêng lẻ", "G13-XD01", "Hoạt động xây dựng"),
    ("Đăng ký biến động quyền sử dụng đất", "G16-TN01", "Đất đai"),
    ("Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "G16-TN01", "Đất đai"),
    ("Hưởng trợ cấp thất nghiệp", "G18-LD01", "Việc làm"),
    ("Trợ cấp xã hội hàng tháng cho người cao tuổi", "G18-LD02", "Bảo trợ xã hội"),
    (
        "Cấp giấy phép kinh doanh bán lẻ rượu",
        "G12-CT01",
        "Lưu thông hàng hóa trong nước",
    ),
]
BUILTIN_DOCUMENTS = [
    "Tờ khai theo mẫu",
    "Bản sao giấy tờ tùy thân có ảnh",
    "Giấy chứng sinh hoặc văn bản của người làm chứng",
    "Giấy tờ chứng minh nơi cư trú",
    "Văn bản ủy quyền (nếu nộp thay)",
    "Bản sao giấy chứng nhận đăng ký doanh nghiệp",
    "Hợp đồng chuyển nhượng quyền sử dụng đất",
    "Bản vẽ thiết kế xây dựng",
    "Giấy khám sức khỏe",
    "Ảnh chân dung 4x6 cm",
]
BUILTIN_STEPS = [
    "Người yêu cầu nộp hồ sơ tại Trung tâm phục vụ hành chính công hoặc trên Cổng dịch vụ công.",
    "Cán bộ tiếp nhận kiểm tra tính đầy đủ, hợp lệ của hồ sơ.",
    "Cơ quan có thẩm quyền giải quyết hồ sơ theo quy định.",
    "Trả kết quả cho người yêu cầu.",
]
BUILTIN_FEES = [
    ("charge", 0),
    ("charge", 8000),
    ("fee", 30000),
    ("fee", 100000),
    ("fee", 215000),
    ("service_fee", 35000),
    ("charge", None),
]
BUILTIN_TIMES = [
    (1, "working_day"),
    (3, "working_day"),
    (5, "working_day"),
    (10, "working_day"),
    (15, "working_day"),
    (30, "day"),
    (None, ""),
]
CITY_DEPARTMENTS = [
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Công Thương",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Sở Nội vụ",
    "Sở Nông nghiệp và Môi trường",
    "Sở Khoa học và Công nghệ",
    "Sở Văn hóa và Thể thao",
    "Sở Du lịch",
    "Sở Dân tộc và Tôn giáo",
    "Sở Quy hoạch - Kiến trúc",
    "Sở An toàn thực phẩm",
    "Sở Ngoại vụ",
    "Công an Thành phố",
    "Ban Quản lý các Khu chế xuất và công nghiệp",
    "Ban Quản lý Khu công nghệ cao",
    "Bảo hiểm xã hội Thành phố",
    "Cục Thuế Thành phố",
]
WARD_NAMES = [
    "Bến Thành",
    "Sài Gòn",
    "Tân Định",
    "Cầu Ông Lãnh",
    "Bàn Cờ",
    "Xuân Hòa",
    "Nhiêu Lộc",
    "Xóm Chiếu",
    "Khánh Hội",
    "Vĩnh Hội",
    "Chợ Quán",
    "An Đông",
    "Chợ Lớn",
    "Bình Tây",
    "Bình Tiên",
    "Bình Phú",
    "Phú Lâm",
    "Tân Thuận",
    "Phú Thuận",
    "Tân Mỹ",
    "Tân Hưng",
    "Chánh Hưng",
    "Phú Định",
    "Bình Đông",
    "Diên Hồng",
    "Vườn Lài",
    "Hòa Hưng",
    "Minh Phụng",
    "Bình Thới",
    "Hòa Bình",
    "Phú Thọ",
    "Đông Hưng Thuận",
    "Trung Mỹ Tây",
    "Tân Thới Hiệp",
    "Thới An",
    "An Phú Đông",
    "An Lạc",
    "Bình Tân",
    "Tân Tạo",
    "Bình Trị Đông",
    "Bình Hưng Hòa",
    "Gia Định",
    "Bình Thạnh",
    "Bình Lợi Trung",
    "Thạnh Mỹ Tây",
    "Bình Quới",
    "Hạnh Thông",
    "An Nhơn",
    "Gò Vấp",
    "An Hội Đông",
    "Thông Tây Hội",
    "An Hội Tây",
    "Đức Nhuận",
    "Cầu Kiệu",
    "Phú Nhuận",
    "Tân Sơn Hòa",
    "Tân Sơn Nhất",
    "Tân Hòa",
    "Bảy Hiền",
    "Tân Bình",
    "Tân Sơn",
    "Tây Thạnh",
    "Tân Sơn Nhì",
    "Phú Thọ Hòa",
    "Tân Phú",
    "Phú Thạnh",
    "Hiệp Bình",
    "Thủ Đức",
    "Tam Bình",
    "Linh Xuân",
    "Tăng Nhơn Phú",
    "Long Bình",
    "Long Phước",
    "Long Trường",
    "Cát Lái",
    "Bình Trưng",
    "Phước Long",
    "An Khánh",
]


@dataclass
class Profile:
    """Pools of real-looking values; the generator samples whole records from them."""

    names: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # name, field code, field name
    national_codes: list[str] = field(default_factory=list)
    fields: dict[str, str] = field(default_factory=dict)
    levels: list[dict] = field(default_factory=list)
    subject_types: list[dict] = field(default_factory=list)
    life_events: list[dict] = field(default_factory=list)
    results: list[dict] = field(default_factory=list)
    legal_documents: list[dict] = field(default_factory=list)
    method_sets: list[list[dict]] = field(default_factory=list)
    case_sets: list[list[dict]] = field(default_factory=list)
    step_sets: list[list[dict]] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)
    reserved_codes: set[str] = field(
        default_factory=set
    )  # the demo catalog's codes: never generated
    sources: list[str] = field(default_factory=list)


def _demo_lists() -> dict:
    path = DEMO_DIR / "lists.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _demo_procedures() -> list[dict]:
    """Procedure dicts (the services' format) from any demo file that holds them."""
    found: list[dict] = []
    if not DEMO_DIR.exists():
        return found
    for path in sorted(DEMO_DIR.rglob("*.json")):
        if path.name == "lists.json":
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, dict):
                if "national_code" in item and "title" in item:
                    found.append(item)
                else:
                    stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    found.sort(key=lambda item: str(item.get("national_code")))
    return found


def _text(value) -> str:
    return (value or "").replace("\xa0", " ").strip()


def _national_methods(record: dict) -> list[dict]:
    methods = []
    for method in record.get("executionMethods") or []:
        channel = CHANNELS.get(method.get("submissionMethod"))
        if not channel:
            continue
        unit = UNITS.get(method.get("processingTimeUnit") or "")
        value = method.get("processingTime")
        fees = []
        for fee in method.get("fees") or []:
            amount = fee.get("value")
            fees.append(
                {
                    "kind": FEE_KINDS.get(fee.get("type"), "charge"),
                    "amount": int(amount)
                    if isinstance(amount, int | float) and amount >= 0
                    else None,
                    "description": _text(fee.get("description"))[:400],
                }
            )
        methods.append(
            {
                "channel": channel,
                "processing_time_value": value if unit and value is not None else None,
                "processing_time_unit": unit if unit and value is not None else "",
                "processing_time_text": ""
                if unit and value is not None
                else f"{value} ngày kể từ ngày nhận đủ hồ sơ hợp lệ"[:500]
                if value
                else "Theo quy định",
                "description": _text(method.get("description"))[:400],
                "fees": fees[:6],
            }
        )
    return methods


def _national_cases(record: dict) -> list[dict]:
    cases = []
    for case in record.get("executionCases") or []:
        documents = []
        for component in case.get("profileComponents") or []:
            name = _text(component.get("name"))
            if not name:
                continue
            documents.append(
                {
                    "name": name[:1000],
                    "originals": int(component.get("originalQty") or 0),
                    "copies": int(component.get("copyQty") or 0),
                    "is_required": bool(component.get("required")),
                }
            )
        cases.append(
            {"name": _text(case.get("name"))[:500] or "Hồ sơ", "documents": documents}
        )
    return cases


def _load_national(profile: Profile, raw: Path) -> None:
    catalog = raw / "dvcqg-opengov" / "catalog.jsonl"
    details = raw / "dvcqg-opengov" / "details"
    if catalog.exists():
        codes = set()
        with catalog.open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                name = _text(row.get("name"))
                code = _text(row.get("code"))
                categories = row.get("categories") or []
                if not name or not code or code in codes:
                    continue
                codes.add(code)
                field_name = _text(categories[0]) if categories else "Khác"
                profile.names.append((name, "", field_name))
                profile.national_codes.append(code)
        profile.sources.append(str(catalog))
    if details.exists():
        legal: dict[str, str] = {}
        results: dict[str, str] = {}
        for path in sorted(details.glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8")).get("data") or {}
            for category in record.get("categoriesDetails") or []:
                if category.get("code") and category.get("name"):
                    profile.fields.setdefault(category["code"], _text(category["name"]))
            methods = _national_methods(record)
            if methods:
                profile.method_sets.append(methods)
            cases = _national_cases(record)
            if cases and any(case["documents"] for case in cases):
                profile.case_sets.append(cases)
            steps = [
                {
                    "title": _text(step.get("name"))[:300],
                    "description": _text(step.get("description"))[:4000],
                }
                for step in record.get("executionSteps") or []
                if _text(step.get("description"))
            ]
            if steps:
                profile.step_sets.append(steps)
            if _text(record.get("requirementsAndConditions")):
                profile.conditions.append(
                    _text(record["requirementsAndConditions"])[:3000]
                )
            for item in record.get("legalBasisesDetails") or []:
                if item.get("code") and item.get("name"):
                    legal.setdefault(_text(item["code"])[:120], _text(item["name"]))
            for item in record.get("resultsDetails") or []:
                if item.get("code") and item.get("name"):
                    results.setdefault(
                        _text(item["code"])[:64], _text(item["name"])[:500]
                    )
        profile.legal_documents.extend(
            {"number": number, "title": title, "issuer": ""}
            for number, title in sorted(legal.items())
        )
        profile.results.extend(
            {"code": code, "name": name} for code, name in sorted(results.items())
        )
        profile.sources.append(str(details))
    chatbot = raw / "dvcqg-chatbot-tthc" / "procedures.jsonl.gz"
    if chatbot.exists() and not profile.names:
        with gzip.open(chatbot, "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                name = _text(row.get("name") or row.get("ten_thu_tuc"))
                if name:
                    profile.names.append((name, "", "Khác"))
        profile.sources.append(str(chatbot))


def _from_demo_procedure(profile: Profile, item: dict) -> None:
    profile.reserved_codes.update(
        code for code in (item.get("national_code"), item.get("local_code")) if code
    )
    fields = item.get("fields") or []
    field_code = fields[0] if fields and isinstance(fields[0], str) else ""
    profile.names.append(
        (item["title"], field_code, profile.fields.get(field_code, ""))
    )
    if item.get("execution_methods"):
        profile.method_sets.append(item["execution_methods"])
    if item.get("dossier_cases"):
        profile.case_sets.append(
            [
                {
                    "name": case.get("name", "Hồ sơ"),
                    "documents": [
                        {
                            key: value
                            for key, value in doc.items()
                            if key != "form_template"
                        }
                        for doc in case.get("documents", [])
                    ],
                }
                for case in item["dossier_cases"]
            ]
        )
    if item.get("steps"):
        profile.step_sets.append(item["steps"])


def load_profile(shared_data_dir: Path | None = None) -> Profile:
    """Demo lists and procedures, the national data under shared_data_dir/raw when present, the floor."""
    profile = Profile()
    lists = _demo_lists()
    profile.levels = list(lists.get("levels") or [])
    profile.subject_types = list(lists.get("subject_types") or [])
    profile.life_events = list(lists.get("life_events") or [])
    profile.results = list(lists.get("results") or [])
    profile.legal_documents = list(lists.get("legal_documents") or [])
    profile.fields = {
        entry["code"]: entry["name"] for entry in lists.get("fields") or []
    }
    if lists:
        profile.sources.append(str(DEMO_DIR / "lists.json"))
    for item in _demo_procedures():
        _from_demo_procedure(profile, item)
    if shared_data_dir is not None and (Path(shared_data_dir) / "raw").exists():
        _load_national(profile, Path(shared_data_dir) / "raw")

    # the floor, for whatever neither source gave
    if not profile.levels:
        profile.levels = [
            {"code": "TW", "name": "Cấp Trung ương", "sort_order": 1},
            {"code": "TINH", "name": "Cấp Tỉnh", "sort_order": 2},
            {"code": "XA", "name": "Cấp Xã", "sort_order": 3},
        ]
    if not profile.subject_types:
        profile.subject_types = [
            {"code": "DT01", "name": "Công dân Việt Nam"},
            {"code": "DT02", "name": "Người nước ngoài"},
            {"code": "DT03", "name": "Doanh nghiệp"},
        ]
    if not profile.life_events:
        profile.life_events = [
            {"code": f"SK{i:02d}", "name": name}
            for i, name in enumerate(
                ["Sinh con", "Kết hôn", "Đất đai", "Kinh doanh", "Việc làm"], 1
            )
        ]
    for name, code, field_name in BUILTIN_NAMES:
        profile.fields.setdefault(code, field_name)
        if len(profile.names) < len(BUILTIN_NAMES):
            profile.names.append((name, code, field_name))
    if not profile.results:
        profile.results = [
            {"code": f"KQ.{i:03d}", "name": f"Giấy chứng nhận {name.lower()}"}
            for i, (name, _, _) in enumerate(BUILTIN_NAMES)
        ]
    if not profile.legal_documents:
        profile.legal_documents = [
            {
                "number": f"{i}/2024/NĐ-CP",
                "title": f"Nghị định số {i}/2024/NĐ-CP",
                "issuer": "Chính phủ",
            }
            for i in range(1, 60)
        ]
    if not profile.method_sets:
        profile.method_sets = [
            [
                {
                    "channel": channel,
                    "processing_time_value": value,
                    "processing_time_unit": unit,
                    "processing_time_text": "" if unit else "Theo quy định",
                    "description": "",
                    "fees": [{"kind": kind, "amount": amount, "description": ""}],
                }
                for channel in ("in_person", "online", "postal")[: 1 + i % 3]
            ]
            for i, ((value, unit), (kind, amount)) in enumerate(
                zip(BUILTIN_TIMES, BUILTIN_FEES, strict=False)
            )
        ]
    if not profile.case_sets:
        profile.case_sets = [
            [
                {
                    "name": "Hồ sơ gồm",
                    "documents": [
                        {
                            "name": name,
                            "originals": 1,
                            "copies": i % 2,
                            "is_required": True,
                        }
                        for name in BUILTIN_DOCUMENTS[i : i + 2 + i % 4]
                    ],
                }
            ]
            for i in range(len(BUILTIN_DOCUMENTS) - 2)
        ]
    if not profile.step_sets:
        profile.step_sets = [
            [
                {"title": f"Bước {i + 1}", "description": text}
                for i, text in enumerate(BUILTIN_STEPS)
            ]
        ]
    if not profile.conditions:
        profile.conditions = ["Không có."]
    # field names that came without a code (national catalog rows): give them stable codes
    known = {name: code for code, name in profile.fields.items()}
    for index, (name, code, field_name) in enumerate(profile.names):
        if not code:
            code = known.get(field_name)
            if code is None:
                code = f"LV{len(known) + 1:03d}"
                known[field_name] = code
                profile.fields[code] = field_name
            profile.names[index] = (name, code, field_name)
    return profile

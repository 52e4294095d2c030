"""Load the hand-written demo catalog in this folder: shared lists, departments, forms, procedures.

Files: ``lists.json`` (levels, fields, subject types, life events, results, legal documents,
holidays), ``departments.json``, ``forms.json`` and ``procedures/<department code>.json``, each
of the last holding ``{"department": code, "procedures": [...]}`` in the shape documented in
``catalog.services.procedures``.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from wagtail.documents import get_document_model

from catalog.demo.pdf import simple_pdf
from catalog.models import (
    DepartmentPage,
    Field,
    FormTemplate,
    LegalDocument,
    Level,
    LifeEvent,
    ProcedurePage,
    PublicHoliday,
    Result,
    SubjectType,
)
from catalog.services.departments import (
    create_department,
    ensure_department_index,
    ensure_department_setup,
)
from catalog.services.procedures import (
    SharedLists,
    ascii_slug,
    get_or_create_list_entry,
    upsert_procedure,
)

DEMO_DIR = Path(__file__).resolve().parent
LIST_MODELS = {
    "levels": Level,
    "fields": Field,
    "subject_types": SubjectType,
    "life_events": LifeEvent,
    "results": Result,
    "legal_documents": LegalDocument,
}
DEPARTMENT_FIELDS = (
    "title",
    "kind",
    "description",
    "address",
    "phone",
    "email",
    "website",
    "opening_hours",
)

HOME_TITLE = "Cổng dịch vụ công TP. Hồ Chí Minh"
HOME_INTRO = "Tra cứu thủ tục hành chính của Thành phố: cần mang giấy tờ gì, nộp ở đâu, mất bao nhiêu tiền và bao lâu có kết quả."
HOME_BODY = (
    "<p>Danh mục thủ tục hành chính do các sở, ngành và Ủy ban nhân dân phường, xã, đặc khu của "
    "Thành phố Hồ Chí Minh công bố. Mỗi thủ tục ghi rõ thành phần hồ sơ, mẫu đơn, phí, lệ phí, "
    "thời hạn giải quyết và nơi nộp hồ sơ.</p>"
    "<ul><li>Tìm theo tên thủ tục, mã thủ tục hoặc từ thường dùng như “làm giấy khai sinh”, “sổ đỏ”, “CCCD”.</li>"
    "<li>Xem theo cơ quan thực hiện hoặc theo sự kiện: sinh con, kết hôn, nhà đất, khởi sự kinh doanh.</li>"
    "<li>Nhiều thủ tục nộp được trực tuyến toàn trình, không phải đến cơ quan.</li></ul>"
)
INDEX_INTRO = "Các sở, ngành Thành phố và Ủy ban nhân dân phường, xã, đặc khu tiếp nhận và giải quyết thủ tục hành chính."

CREATE_NOTE = "Công bố lần đầu"
UPDATE_NOTE = "Cập nhật theo dữ liệu mẫu"


class DemoDataError(Exception):
    """The demo files do not fit the models; the message names the entry."""


def read_json(name: str) -> dict[str, Any]:
    return json.loads((DEMO_DIR / name).read_text(encoding="utf-8"))


def procedure_files() -> list[Path]:
    return sorted((DEMO_DIR / "procedures").glob("*.json"))


def load_demo(*, force: bool = False, log: Callable[[str], None] = print) -> Counter:
    """Load everything; returns counts of what was created/updated. Safe to run again."""
    if ProcedurePage.objects.exists() and not force:
        log(
            f"Đã có {ProcedurePage.objects.count()} thủ tục trong danh mục; không nạp dữ liệu mẫu (dùng --force để nạp lại)."
        )
        return Counter()
    counts: Counter = Counter()
    with transaction.atomic():
        load_lists(force=force, counts=counts, log=log)
        setup_home(log=log)
        departments = load_departments(force=force, counts=counts, log=log)
        load_forms(departments=departments, force=force, counts=counts, log=log)
        load_procedures(departments=departments, counts=counts, log=log)
    return counts


def load_lists(*, force: bool, counts: Counter, log: Callable[[str], None]) -> None:
    data = read_json("lists.json")
    for key, model in LIST_MODELS.items():
        created = 0
        for entry in data.get(key, []):
            _, was_created = get_or_create_list_entry(model, data=entry, update=force)
            created += was_created
        counts[f"{key}_created"] += created
        log(
            f"  {model._meta.verbose_name_plural}: {len(data.get(key, []))} mục ({created} mới)"
        )
    created = 0
    for entry in data.get("holidays", []):
        holiday, was_created = PublicHoliday.objects.get_or_create(
            date=datetime.date.fromisoformat(entry["date"]),
            defaults={"name": entry["name"]},
        )
        if not was_created and force and holiday.name != entry["name"]:
            holiday.name = entry["name"]
            holiday.save(update_fields=["name"])
        created += was_created
    counts["holidays_created"] += created
    log(f"  ngày nghỉ lễ: {len(data.get('holidays', []))} ngày ({created} mới)")


def setup_home(*, log: Callable[[str], None]) -> None:
    from cms.models import HomePage

    home = HomePage.objects.first()
    if home is not None and (home.title, home.intro, home.body) != (
        HOME_TITLE,
        HOME_INTRO,
        HOME_BODY,
    ):
        home.title, home.draft_title, home.intro, home.body = (
            HOME_TITLE,
            HOME_TITLE,
            HOME_INTRO,
            HOME_BODY,
        )
        home.save_revision(log_action=True).publish()
        log("  trang chủ: đã cập nhật tiêu đề và lời giới thiệu")
    index = ensure_department_index()
    if not index.intro:
        index.intro = INDEX_INTRO
        index.save_revision(log_action=True).publish()


def load_departments(
    *, force: bool, counts: Counter, log: Callable[[str], None]
) -> dict[str, DepartmentPage]:
    departments: dict[str, DepartmentPage] = {}
    for entry in read_json("departments.json")["departments"]:
        code = entry["code"]
        department = DepartmentPage.objects.filter(code=code).first()
        fields = {name: entry.get(name, "") for name in DEPARTMENT_FIELDS}
        if department is None:
            department = create_department(
                code=code,
                slug=entry.get("slug") or ascii_slug(entry["title"]),
                publish=True,
                **fields,
            )
            counts["departments_created"] += 1
            log(f"  + {code} {department.title}")
        else:
            changed = [
                name
                for name, value in fields.items()
                if getattr(department, name) != value
            ]
            if force and changed:
                for name in changed:
                    setattr(department, name, fields[name])
                department.draft_title = department.title
                department.save_revision(log_action=True).publish()
                department = DepartmentPage.objects.get(pk=department.pk)
                counts["departments_updated"] += 1
                log(f"  ~ {code} {department.title} ({', '.join(changed)})")
            ensure_department_setup(department)
        departments[code] = department
    return departments


def load_forms(
    *,
    departments: dict[str, DepartmentPage],
    force: bool,
    counts: Counter,
    log: Callable[[str], None],
) -> None:
    Document = get_document_model()
    created = 0
    for entry in read_json("forms.json")["form_templates"]:
        department = departments.get(entry["department"])
        if department is None:
            raise DemoDataError(
                f"mẫu {entry['code']}: không có đơn vị {entry['department']}"
            )
        values = {
            "name": entry["name"],
            "department": department,
            "version": entry.get("version", ""),
            "effective_on": datetime.date.fromisoformat(entry["effective_on"])
            if entry.get("effective_on")
            else None,
        }
        template = (
            FormTemplate.objects.filter(code=entry["code"])
            .select_related("document")
            .first()
        )
        if template is not None and template.document_id and not force:
            continue
        if template is None:
            template = FormTemplate(code=entry["code"], **values)
            created += 1
        else:
            for name, value in values.items():
                setattr(template, name, value)
        if (
            not template.document_id
            or template.document.collection_id != department.collection_id
        ):
            template.document = _form_document(
                Document, entry=entry, department=department
            )
        template.full_clean()
        template.save()
    counts["form_templates_created"] += created
    log(f"  mẫu đơn, tờ khai: {FormTemplate.objects.count()} mẫu ({created} mới)")


def _form_document(Document, *, entry: dict[str, Any], department: DepartmentPage):
    lines = [
        f"Mã mẫu: {entry['code']}",
        f"Phiên bản: {entry.get('version', '')}  -  Áp dụng từ: {entry.get('effective_on', '')}",
        f"Đơn vị quản lý: {department.title}",
        "",
        "Mẫu trình diễn của Cổng dịch vụ công TP. Hồ Chí Minh.",
        "Nội dung chính thức của mẫu do cơ quan có thẩm quyền ban hành.",
    ]
    content = simple_pdf(title=entry["name"], lines=lines)
    document = Document(
        title=f"{entry['code']} – {entry['name']}", collection=department.collection
    )
    document.file.save(
        f"{ascii_slug(entry['code'])}.pdf", ContentFile(content), save=False
    )
    document._set_document_file_metadata()
    document.save()
    return document


def load_procedures(
    *,
    departments: dict[str, DepartmentPage],
    counts: Counter,
    log: Callable[[str], None],
) -> None:
    lists = SharedLists()
    for path in procedure_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        department = departments.get(data["department"])
        if department is None:
            raise DemoDataError(f"{path.name}: không có đơn vị {data['department']}")
        outcomes: Counter = Counter()
        for entry in data["procedures"]:
            try:
                _, outcome = upsert_procedure(
                    department=department,
                    data=entry,
                    publish=True,
                    create_note=CREATE_NOTE,
                    update_note=UPDATE_NOTE,
                    lists=lists,
                )
            except Exception as error:  # name the entry, whatever went wrong
                raise DemoDataError(
                    f"{path.name} {entry.get('national_code')} {entry.get('title')}: {error}"
                ) from error
            outcomes[outcome] += 1
        counts.update({f"procedures_{key}": value for key, value in outcomes.items()})
        summary = ", ".join(f"{value} {key}" for key, value in sorted(outcomes.items()))
        log(
            f"  {department.code:<12} {department.title}: {len(data['procedures'])} thủ tục ({summary})"
        )

"""Find or create what the data names: shared-list entries, form templates, owning departments."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

from django.db import models

from catalog.importing.text import clip, key, one_line, slug_code
from catalog.models import (
    DepartmentPage,
    Field,
    FormTemplate,
    LegalDocument,
    Level,
    LifeEvent,
    Result,
    SubjectType,
)
from catalog.services.departments import create_department
from catalog.services.procedures import SharedLists
from catalog.text import vietnamese_slug

LIST_MODELS: dict[str, type[models.Model]] = {
    "levels": Level,
    "subject_types": SubjectType,
    "fields": Field,
    "life_events": LifeEvent,
    "results": Result,
    "legal_basis": LegalDocument,
}
CODE_PREFIX = {
    Field: "LV",
    SubjectType: "DT",
    LifeEvent: "SK",
    Result: "KQ",
    Level: "CAP",
}


class ImportLists(SharedLists):
    """SharedLists that also matches by name and creates what is missing, noting each creation."""

    def __init__(self, *, allow_create: bool = True) -> None:
        super().__init__()
        self.allow_create = allow_create
        self.created: list[str] = []
        # New entries wait here unsaved; flush() bulk-inserts them when the import writes.
        self.pending: dict[type[models.Model], list[models.Model]] = {}
        self._by_code: dict[type, dict[str, models.Model]] = {}
        self._by_name: dict[type, dict[str, models.Model]] = {}

    def _load(self, model: type[models.Model]) -> None:
        if model in self._by_code:
            return
        entries = list(model.objects.all())
        attr = "number" if model is LegalDocument else "code"
        label = "title" if model is LegalDocument else "name"
        self._by_code[model] = {getattr(e, attr): e for e in entries}
        by_name: dict[str, models.Model] = {}
        for entry in sorted(entries, key=lambda e: e.pk):
            by_name.setdefault(key(getattr(entry, label)), entry)
        self._by_name[model] = by_name

    def remember(self, model: type[models.Model], entry: models.Model) -> None:
        attr = "number" if model is LegalDocument else "code"
        self._cache[(model, getattr(entry, attr))] = entry

    def resolve(self, model: type[models.Model], ref: str | dict[str, Any]) -> str:
        """The code (number) of the entry `ref` names: by code, then by name; created when missing."""
        self._load(model)
        if isinstance(ref, str):
            ref = {"code": ref, "name": ref}
        if model is LegalDocument:
            return self._resolve_legal(ref)
        code, name = one_line(ref.get("code")), one_line(ref.get("name"))
        by_code, by_name = self._by_code[model], self._by_name[model]
        entry = by_code.get(code) if code else None
        if entry is None and name:
            entry = by_name.get(key(name))
        if entry is None and code and not name:
            entry = by_name.get(key(code))
        if entry is None:
            self._refuse(model, name or code)
            new_code = (
                code
                if code and len(code) <= 64
                else slug_code(CODE_PREFIX.get(model, ""), name or code)
            )
            base, number = new_code, 2
            while new_code in by_code:
                new_code = f"{base[:60]}-{number}"
                number += 1
            entry = model(code=new_code, name=clip(name or code, 500))
            entry.full_clean(validate_unique=False)
            self.pending.setdefault(model, []).append(entry)
            by_code[new_code] = entry
            by_name.setdefault(key(entry.name), entry)
            self.created.append(
                f"{model._meta.verbose_name}: {entry.code} – {entry.name}"
            )
        self.remember(model, entry)
        return entry.code

    def flush(self) -> None:
        """Insert every new entry in one statement per list and add them to Wagtail's search index."""
        from wagtail.search.backends import get_search_backends

        for model, entries in self.pending.items():
            model.objects.bulk_create(entries, batch_size=500)
            for backend in get_search_backends():
                backend.add_bulk(model, entries)
        self.pending = {}

    def _refuse(self, model: type[models.Model], name: str) -> None:
        if not self.allow_create:
            raise ValueError(
                f"{model._meta.verbose_name} “{name}” chưa có trong danh mục dùng chung; "
                "chỉ quản trị danh mục được thêm mục mới"
            )

    def _resolve_legal(self, ref: dict[str, Any]) -> str:
        number = clip(one_line(ref.get("number") or ref.get("code")), 120)
        title = one_line(ref.get("title") or ref.get("name")) or number
        by_code = self._by_code[LegalDocument]
        entry = by_code.get(number)
        if entry is None:
            self._refuse(LegalDocument, number)
            entry = LegalDocument(
                number=number,
                title=title,
                issuer=clip(one_line(ref.get("issuer")), 300),
                issued_on=ref.get("issued_on") or None,
                effective_on=ref.get("effective_on") or None,
                url=one_line(ref.get("url")),
            )
            entry.full_clean(validate_unique=False)
            self.pending.setdefault(LegalDocument, []).append(entry)
            by_code[number] = entry
            self.created.append(f"{LegalDocument._meta.verbose_name}: {number}")
        self.remember(LegalDocument, entry)
        return entry.number

    def ensure_form_templates(
        self, forms: list[dict[str, str]], *, department: DepartmentPage
    ) -> None:
        """Form templates the national record names by file; created without a file for editors to upload."""
        if not forms:
            return
        if FormTemplate not in self._by_code:
            self._by_code[FormTemplate] = {
                t.code: t for t in FormTemplate.objects.all()
            }
        known = self._by_code[FormTemplate]
        for form in forms:
            template = known.get(form["code"])
            if template is None:
                self._refuse(FormTemplate, form["name"] or form["code"])
                template = FormTemplate(
                    code=form["code"],
                    name=form["name"] or form["code"],
                    department=department,
                )
                template.full_clean(
                    exclude=["document", "department"], validate_unique=False
                )
                self.pending.setdefault(FormTemplate, []).append(template)
                known[template.code] = template
                self.created.append(
                    f"{FormTemplate._meta.verbose_name}: {template.code} – {template.name}"
                )
            self._cache[(FormTemplate, template.code)] = template


AGENCY_MAP = Path(__file__).with_name("agency_map.json")


@functools.cache
def agency_rules() -> dict[str, Any]:
    rules = json.loads(AGENCY_MAP.read_text(encoding="utf-8"))
    for rule in rules["rules"]:
        rule["words"] = [key(word) for word in rule["words"]]
    return rules


# Province / city suffixes that national data appends to a department's name ("Sở Y tế - TP.HCM").
_PLACE_SUFFIX = re.compile(
    r"\s*(?:[-–,(]\s*)?(?:tỉnh|thành phố|tp\.?)\s*[^-–]*\)?$",
    re.IGNORECASE,
)


def agency_name(raw: str) -> str:
    """A department-like name from an agency string: first line, no trailing place, no trailing dot."""
    name = one_line((raw or "").split("\n")[0]).rstrip(" .;,")
    if name.lower().startswith("sở "):
        stripped = _PLACE_SUFFIX.sub("", name).strip(" -–,")
        if len(stripped) > 4:
            name = stripped
    return clip(name, 255)


class Departments:
    """Maps a record to its owning department, creating departments the data names when allowed."""

    def __init__(self, *, allow_create: bool) -> None:
        self.allow_create = allow_create
        self.created: list[str] = []
        pages = list(DepartmentPage.objects.all().order_by("path"))
        self.by_code = {page.code: page for page in pages}
        self.by_name: dict[str, DepartmentPage] = {}
        for page in pages:
            self.by_name.setdefault(key(page.title), page)
        self.by_pk = {page.pk: page for page in pages}
        self.by_path = {page.path: page for page in pages}

    def by_explicit_code(self, code: str) -> DepartmentPage | None:
        return self.by_code.get(code)

    def for_agencies(self, agencies: list[str]) -> DepartmentPage | str:
        """The department for the named agencies (implementing ones first, the publisher last).

        Agency by agency: a department with the agency's exact name, else the first rule of
        agency_map.json whose words appear in the name; the map's fallback when nothing matches.
        """
        names = [agency_name(a) for a in agencies if agency_name(a)]
        rules = agency_rules()
        target = None
        for name in names:
            page = self.by_name.get(key(name))
            if page is not None:
                return page
            padded = f" {key(name)} "
            target = next(
                (
                    rule
                    for rule in rules["rules"]
                    if any(f" {w} " in padded for w in rule["words"])
                ),
                None,
            )
            if target is not None:
                break
        target = target or rules["fallback"]
        page = self.by_code.get(target["code"])
        if page is not None:
            return page
        if not self.allow_create:
            return f"đơn vị “{target['title']}” ({target['code']}) chưa có trong danh mục và bạn không có quyền tạo đơn vị mới"
        return self._create(
            code=target["code"], title=target["title"], kind=target["kind"]
        )

    def _create(self, *, code: str, title: str, kind: str) -> DepartmentPage:
        slug, number = vietnamese_slug(title, max_length=70), 2
        taken = set(DepartmentPage.objects.values_list("slug", flat=True))
        while slug in taken:
            slug = f"{vietnamese_slug(title, max_length=70)}-{number}"
            number += 1
        page = create_department(code=code, title=title, kind=kind, slug=slug)
        self.by_code[code] = page
        self.by_name.setdefault(key(title), page)
        self.by_pk[page.pk] = page
        self.by_path[page.path] = page
        self.created.append(f"{code} – {title}")
        return page

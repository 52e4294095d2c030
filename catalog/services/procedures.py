"""Creating and updating procedures from plain data, for the demo loader and bulk imports.

A procedure is given as one dict; keys mirror the model fields, every key except
``national_code`` and ``title`` is optional::

    {
        "national_code": "1.009101",            # ProcedurePage.national_code
        "local_code": "HCM.HT.01",              # "" when the city uses the national code
        "title": "Đăng ký khai sinh",            # the official name whole (split_name)
        "slug": "dang-ky-khai-sinh",            # default: ASCII slug of the title
        "summary": "…", "procedure_type": "standard", "status": "active",
        "decision_number": "…", "decision_date": "2025-07-01", "effective_date": "2025-07-01",
        "implementing_agencies": "…", "competent_authority": "…",
        "coordinating_agencies": "…", "receiving_address": "…",
        # shared lists: a code (LegalDocument: its number) that must exist, or a dict that is
        # looked up by code/number and created when missing (see get_or_create_list_entry)
        "levels": ["XA"], "subject_types": ["DT01"], "fields": ["G15-TP07"],
        "life_events": ["SK01"], "results": ["KQ.HT.01"], "legal_basis": ["60/2014/QH13"],
        "keywords": ["khai sinh", "giấy khai sinh"],   # or one comma-separated string
        "online_level": "full", "online_url": "https://…",   # "full" needs online_url
        "conditions": "…", "result_note": "…",
        "steps": [{"title": "Nộp hồ sơ", "description": "…"}],
        "execution_methods": [{
            "channel": "in_person",              # in_person / online / postal
            "processing_time_value": 3,          # with processing_time_unit:
            "processing_time_unit": "working_day",   # working_day / day / hour / month
            "processing_time_text": "",          # words, when the rule gives no number
            "description": "",
            "fees": [{"kind": "charge",          # fee / charge / service_fee
                      "amount": 8000,            # whole units of the currency; None: not fixed
                      "currency": "VND",         # VND (the default) / USD / EUR
                      "description": "…"}],
        }],
        "dossier_cases": [{
            "name": "Trường hợp …", "description": "",
            "documents": [{"name": "Tờ khai …", "originals": 1, "copies": 0, "is_required": True,
                           "note": "", "form_template": "HT-KS.01"}],   # a FormTemplate code
        }],
    }

Rich-text fields (``conditions``, step ``description``) take HTML as is; plain text is turned into
paragraphs, with lines starting "- " or "+ " made into a bulleted list.

``create_procedure`` adds the page under its department and, when asked, publishes it through
``revision.publish()`` so the catalog event is recorded. ``update_procedure`` rewrites an existing
page from the same dict (inline parts are replaced) and does nothing when nothing changed.
``upsert_procedure`` picks one of the two by code. Pass one ``SharedLists`` to many calls to look
each shared-list entry up only once.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.text import slugify

from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import (
    disable_reference_index_auto_update,
    reference_index_auto_update_disabled,
)

from anyascii import anyascii

from catalog.models import (
    Currency,
    DepartmentPage,
    DossierCase,
    ExecutionMethod,
    FeeItem,
    Field,
    FormTemplate,
    LegalDocument,
    Level,
    LifeEvent,
    ProcedurePage,
    ProcedureStep,
    RequiredDocument,
    Result,
    SubjectType,
)

PAGE_TEXT_FIELDS = (
    "summary",
    "procedure_type",
    "status",
    "decision_number",
    "decision_authority",
    "implementing_agencies",
    "competent_authority",
    "coordinating_agencies",
    "receiving_address",
    "online_level",
    "online_url",
    "result_note",
)
PAGE_DATE_FIELDS = ("decision_date", "effective_date")
# data key -> (model, the field a string reference names)
LIST_FIELDS: dict[str, tuple[type[models.Model], str]] = {
    "levels": (Level, "code"),
    "subject_types": (SubjectType, "code"),
    "fields": (Field, "code"),
    "life_events": (LifeEvent, "code"),
    "results": (Result, "code"),
    "legal_basis": (LegalDocument, "number"),
}
SLUG_MAX_LENGTH = 80
CHILD_RELATIONS = ("steps", "execution_methods", "dossier_cases")

DEFAULT_CREATE_NOTE = "Công bố lần đầu"
DEFAULT_UPDATE_NOTE = "Cập nhật thông tin thủ tục"


# ---------------------------------------------------------------------------------------------
# shared lists


def _lookup_field(model: type[models.Model]) -> str:
    return "number" if model is LegalDocument else "code"


@transaction.atomic
def get_or_create_list_entry(
    model: type[models.Model], *, data: dict[str, Any], update: bool = False
) -> tuple[models.Model, bool]:
    """One shared-list entry (Level, Field, SubjectType, LifeEvent, Result, LegalDocument).

    ``data`` holds the model's fields; it is found by ``code`` (``number`` for legal documents).
    An existing entry is left alone unless ``update`` is true, then the given fields overwrite it.
    Dates may be ISO strings. Returns ``(entry, created)``.
    """
    key = _lookup_field(model)
    if not data.get(key):
        raise ValueError(f"{model.__name__} entry needs a {key!r}: {data!r}")
    values = {
        name: _coerce_field(model, name, value)
        for name, value in data.items()
        if name != key
    }
    entry = model.objects.filter(**{key: data[key]}).first()
    if entry is None:
        entry = model(**{key: data[key]}, **values)
        entry.full_clean()
        entry.save()
        return entry, True
    if update:
        changed = [
            name for name, value in values.items() if getattr(entry, name) != value
        ]
        if changed:
            for name in changed:
                setattr(entry, name, values[name])
            entry.full_clean()
            entry.save(update_fields=changed)
    return entry, False


def _coerce_field(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    if isinstance(field, models.DateField) and isinstance(value, str):
        return datetime.date.fromisoformat(value) if value else None
    return value


class SharedLists:
    """Resolves shared-list references, remembering each entry it has looked up."""

    def __init__(self) -> None:
        self._cache: dict[tuple[type[models.Model], str], models.Model] = {}

    def get(
        self, model: type[models.Model], reference: str | dict[str, Any]
    ) -> models.Model:
        """A string must name an existing entry; a dict is looked up and created when missing."""
        key = _lookup_field(model)
        code = reference.get(key) if isinstance(reference, dict) else reference
        if not code:
            raise ValueError(f"{model.__name__} reference without {key}: {reference!r}")
        cache_key = (model, code)
        if cache_key not in self._cache:
            if isinstance(reference, dict):
                entry, _ = get_or_create_list_entry(model, data=reference)
            else:
                entry = model.objects.filter(**{key: code}).first()
                if entry is None:
                    raise ValueError(f"unknown {model._meta.verbose_name} {code!r}")
            self._cache[cache_key] = entry
        return self._cache[cache_key]

    def many(
        self, model: type[models.Model], references: Iterable[str | dict[str, Any]]
    ) -> list[models.Model]:
        entries: list[models.Model] = []
        for reference in references or []:
            entry = self.get(model, reference)
            if entry not in entries:
                entries.append(entry)
        return entries

    def form_template(self, code: str | None) -> FormTemplate | None:
        if not code:
            return None
        cache_key = (FormTemplate, code)
        if cache_key not in self._cache:
            template = FormTemplate.objects.filter(code=code).first()
            if template is None:
                raise ValueError(f"unknown form template {code!r}")
            self._cache[cache_key] = template
        return self._cache[cache_key]


# ---------------------------------------------------------------------------------------------
# building pages in memory


def ascii_slug(text: str, *, max_length: int = SLUG_MAX_LENGTH) -> str:
    """ASCII slug cut at a word boundary: "Đăng ký khai sinh" -> "dang-ky-khai-sinh"."""
    slug = slugify(anyascii(text))
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0]
    return slug or "thu-tuc"


def rich_text(value: str | None) -> str:
    """HTML is kept; plain text becomes <p> paragraphs and "- " / "+ " lines a <ul> list."""
    text = (value or "").strip()
    if not text or text.startswith("<"):
        return text
    parts: list[str] = []
    items: list[str] = []

    def flush_items() -> None:
        if items:
            parts.append(
                "<ul>" + "".join(f"<li>{item}</li>" for item in items) + "</ul>"
            )
            items.clear()

    for line in text.splitlines():
        line = line.strip()
        if not line:
            flush_items()
            continue
        bullet = re.match(r"^[-+•]\s+(.*)$", line)
        if bullet:
            items.append(html.escape(bullet.group(1)))
        else:
            flush_items()
            parts.append(f"<p>{html.escape(line)}</p>")
    flush_items()
    return "".join(parts)


def _keywords(value: str | Iterable[str] | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value.strip()
    return ", ".join(word.strip() for word in value if word and word.strip())


def _date(value: str | datetime.date | None) -> datetime.date | None:
    if not value:
        return None
    return (
        value
        if isinstance(value, datetime.date)
        else datetime.date.fromisoformat(value)
    )


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def _validate(obj: models.Model, *, exclude: list[str], label: str) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as error:
        raise ValidationError(f"{label}: {error.message_dict}") from error


def default_search_description(summary: str | None) -> str:
    """The summary cut to the field's 255 characters, without the blank a cut can leave

    (the admin form strips it, so saving the page unchanged would change it)."""
    return (summary or "")[:255].rstrip()


def build_steps(items: Iterable[dict[str, Any]]) -> list[ProcedureStep]:
    steps = []
    for number, item in enumerate(items or [], start=1):
        step = ProcedureStep(
            sort_order=number - 1,
            title=item.get("title", ""),
            description=rich_text(item.get("description", "")),
        )
        _validate(step, exclude=["page", "sort_order"], label=f"bước {number}")
        steps.append(step)
    return steps


def build_execution_methods(items: Iterable[dict[str, Any]]) -> list[ExecutionMethod]:
    methods = []
    for number, item in enumerate(items or [], start=1):
        fees = []
        for fee_number, fee_data in enumerate(item.get("fees") or [], start=1):
            fee = FeeItem(
                sort_order=fee_number - 1,
                kind=fee_data.get("kind", "charge"),
                amount=fee_data.get("amount"),
                currency=fee_data.get("currency") or Currency.VND,
                description=fee_data.get("description", ""),
            )
            _validate(
                fee,
                exclude=["method", "sort_order"],
                label=f"cách thức {number}, phí {fee_number}",
            )
            fees.append(fee)
        method = ExecutionMethod(
            sort_order=number - 1,
            channel=item["channel"],
            processing_time_value=_decimal(item.get("processing_time_value")),
            processing_time_unit=item.get("processing_time_unit", ""),
            processing_time_text=item.get("processing_time_text", ""),
            description=item.get("description", ""),
            fees=fees,
        )
        _validate(method, exclude=["page", "sort_order"], label=f"cách thức {number}")
        methods.append(method)
    return methods


def build_dossier_cases(
    items: Iterable[dict[str, Any]], *, lists: SharedLists
) -> list[DossierCase]:
    cases = []
    for number, item in enumerate(items or [], start=1):
        documents = []
        for doc_number, doc_data in enumerate(item.get("documents") or [], start=1):
            document = RequiredDocument(
                sort_order=doc_number - 1,
                name=doc_data["name"],
                originals=doc_data.get("originals", 1),
                copies=doc_data.get("copies", 0),
                is_required=doc_data.get("is_required", True),
                note=doc_data.get("note", ""),
                form_template=lists.form_template(doc_data.get("form_template")),
            )
            _validate(
                document,
                exclude=["case", "sort_order", "form_template"],
                label=f"trường hợp {number}, giấy tờ {doc_number}",
            )
            documents.append(document)
        case = DossierCase(
            sort_order=number - 1,
            name=item["name"],
            description=item.get("description", ""),
            documents=documents,
        )
        _validate(case, exclude=["page", "sort_order"], label=f"trường hợp {number}")
        cases.append(case)
    return cases


def apply_procedure_data(
    page: ProcedurePage, *, data: dict[str, Any], lists: SharedLists | None = None
) -> ProcedurePage:
    """Write ``data`` onto ``page`` in memory: fields, shared lists and all inline parts.

    Inline parts are replaced as a whole; nothing touches the database until the page is saved.
    """
    lists = lists or SharedLists()
    if not data.get("national_code") or not data.get("title"):
        raise ValueError("a procedure needs national_code and title")
    page.national_code = data["national_code"]
    page.local_code = data.get("local_code", "")
    page.set_name(data["title"])
    if data.get("slug"):
        page.slug = data["slug"]
    elif not page.slug:
        page.slug = ascii_slug(page.title)
    field_defaults = {
        "procedure_type": "standard",
        "status": "active",
        "online_level": "none",
    }
    for name in PAGE_TEXT_FIELDS:
        setattr(page, name, data.get(name, field_defaults.get(name, "")))
    for name in PAGE_DATE_FIELDS:
        setattr(page, name, _date(data.get(name)))
    page.keywords = _keywords(data.get("keywords"))
    page.conditions = rich_text(data.get("conditions"))
    if data.get("seo_title") is not None:
        page.seo_title = data["seo_title"]
    page.search_description = data.get(
        "search_description", default_search_description(page.summary)
    )
    for key, (model, _) in LIST_FIELDS.items():
        setattr(page, key, lists.many(model, data.get(key) or []))
    page.steps = build_steps(data.get("steps") or [])
    page.execution_methods = build_execution_methods(
        data.get("execution_methods") or []
    )
    page.dossier_cases = build_dossier_cases(
        data.get("dossier_cases") or [], lists=lists
    )
    return page


def build_procedure(
    *, data: dict[str, Any], lists: SharedLists | None = None
) -> ProcedurePage:
    """A new, unsaved ProcedurePage holding everything in ``data``."""
    page = ProcedurePage()
    return apply_procedure_data(page, data=data, lists=lists)


def procedure_snapshot(page: ProcedurePage) -> dict[str, Any]:
    """The page's content in the shape of the input dict (codes for lists), for comparing and export.

    Works on saved pages and on pages built in memory alike.
    """
    snapshot: dict[str, Any] = {
        "national_code": page.national_code,
        "local_code": page.local_code,
        "title": page.official_name,
        "slug": page.slug,
        "keywords": page.keywords,
        "conditions": page.conditions,
        "seo_title": page.seo_title,
        "search_description": page.search_description,
    }
    for name in PAGE_TEXT_FIELDS:
        snapshot[name] = getattr(page, name)
    for name in PAGE_DATE_FIELDS:
        value = getattr(page, name)
        snapshot[name] = value.isoformat() if value else None
    for key, (_model, attr) in LIST_FIELDS.items():
        snapshot[key] = sorted(
            getattr(entry, attr) for entry in getattr(page, key).all()
        )
    snapshot["steps"] = [
        {"title": s.title, "description": s.description} for s in page.steps.all()
    ]
    snapshot["execution_methods"] = [
        {
            "channel": m.channel,
            "processing_time_value": _number(m.processing_time_value),
            "processing_time_unit": m.processing_time_unit,
            "processing_time_text": m.processing_time_text,
            "description": m.description,
            "fees": [
                {
                    "kind": f.kind,
                    "amount": f.amount,
                    "currency": f.currency,
                    "description": f.description,
                }
                for f in m.fees.all()
            ],
        }
        for m in page.execution_methods.all()
    ]
    snapshot["dossier_cases"] = [
        {
            "name": c.name,
            "description": c.description,
            "documents": [
                {
                    "name": d.name,
                    "originals": d.originals,
                    "copies": d.copies,
                    "is_required": d.is_required,
                    "note": d.note,
                    "form_template": d.form_template.code if d.form_template else None,
                }
                for d in c.documents.all()
            ],
        }
        for c in page.dossier_cases.all()
    ]
    return snapshot


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------------------------
# saving and publishing


def _unique_slug(
    slug: str, *, parent: DepartmentPage, code: str, page: ProcedurePage | None = None
) -> str:
    siblings = ProcedurePage.objects.child_of(parent)
    if page is not None and page.pk:
        siblings = siblings.exclude(pk=page.pk)
    taken = set(siblings.values_list("slug", flat=True))
    if slug not in taken:
        return slug
    candidate = f"{slug}-{ascii_slug(code)}"
    number = 2
    while candidate in taken:
        candidate = f"{slug}-{ascii_slug(code)}-{number}"
        number += 1
    return candidate


@contextmanager
def _reference_index_once(pages: list[ProcedurePage]) -> Iterator[None]:
    """Index a page's references once at the end, not once per saved child row.

    Every FeeItem or RequiredDocument save would otherwise re-index the whole page. When the
    caller has already switched auto-updates off (a bulk run), it is left to the caller.
    """
    if getattr(reference_index_auto_update_disabled, "value", False):
        yield
        return
    with disable_reference_index_auto_update():
        yield
    for page in pages:
        ReferenceIndex.create_or_update_for_object(page)


def _save_and_maybe_publish(
    page: ProcedurePage, *, publish: bool, user=None
) -> ProcedurePage:
    """Save ``page``'s in-memory state as a revision, publish it if asked; return the page as stored."""
    revision = page.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    return ProcedurePage.objects.get(pk=page.pk)


@transaction.atomic
def create_procedure(
    *,
    department: DepartmentPage,
    data: dict[str, Any],
    publish: bool,
    user=None,
    change_note: str = DEFAULT_CREATE_NOTE,
    lists: SharedLists | None = None,
) -> ProcedurePage:
    """Add a procedure under ``department`` from ``data`` and save its first revision.

    With ``publish`` the revision goes live through ``revision.publish()``, which records the
    "published" catalog event carrying ``change_note``; otherwise it stays a draft.
    """
    page = build_procedure(data=data, lists=lists)
    page.slug = _unique_slug(page.slug, parent=department, code=page.code)
    page.change_note = change_note
    page.live = False
    page.has_unpublished_changes = True
    if user is not None:
        page.owner = user
    stored: list[ProcedurePage] = []
    with _reference_index_once(stored):
        # The inline parts are written once: by the publish (or, for a draft, by the save below),
        # not also by add_child.
        parts = {name: list(getattr(page, name).all()) for name in CHILD_RELATIONS}
        for name in CHILD_RELATIONS:
            setattr(page, name, [])
        department.add_child(instance=page)
        for name, items in parts.items():
            setattr(page, name, items)
        if not publish:
            page.save()
        stored.append(_save_and_maybe_publish(page, publish=publish, user=user))
    return stored[0]


@transaction.atomic
def update_procedure(
    *,
    page: ProcedurePage,
    data: dict[str, Any],
    publish: bool,
    user=None,
    change_note: str | None = None,
    lists: SharedLists | None = None,
    force: bool = False,
) -> bool:
    """Rewrite ``page`` from ``data`` (inline parts replaced) as a new revision; publish if asked.

    Starts from the live content in the page row, so an unpublished draft is superseded.
    Returns False, saving nothing, when the data matches the page and ``force`` is not set.
    ``change_note`` defaults to DEFAULT_UPDATE_NOTE, or DEFAULT_CREATE_NOTE for a page never published.
    """
    # A fresh instance, so in-memory edits the caller made elsewhere stay out.
    page = ProcedurePage.objects.get(pk=page.pk)
    before = procedure_snapshot(page)
    apply_procedure_data(page, data=data, lists=lists)
    if procedure_snapshot(page) == before and not force and (page.live or not publish):
        return False
    if change_note is None:
        change_note = (
            DEFAULT_UPDATE_NOTE if page.first_published_at else DEFAULT_CREATE_NOTE
        )
    page.change_note = change_note
    # The revision carries the in-memory content; the page row changes only when it is published.
    stored: list[ProcedurePage] = []
    with _reference_index_once(stored):
        stored.append(_save_and_maybe_publish(page, publish=publish, user=user))
    return True


def find_procedure(*, national_code: str, local_code: str = "") -> ProcedurePage | None:
    """The page a code pair names: by the city's code when given, else by the national code."""
    if local_code:
        return ProcedurePage.objects.filter(local_code=local_code).first()
    queryset = ProcedurePage.objects.filter(national_code=national_code, local_code="")
    return queryset.order_by("-live", "pk").first()


@transaction.atomic
def upsert_procedure(
    *,
    department: DepartmentPage,
    data: dict[str, Any],
    publish: bool,
    user=None,
    create_note: str = DEFAULT_CREATE_NOTE,
    update_note: str = DEFAULT_UPDATE_NOTE,
    lists: SharedLists | None = None,
) -> tuple[ProcedurePage, str]:
    """Create the procedure, or update the one with the same code (moving it under ``department``).

    Returns ``(page, outcome)`` with outcome "created", "updated" or "unchanged".
    """
    existing = find_procedure(
        national_code=data["national_code"], local_code=data.get("local_code", "")
    )
    if existing is None:
        page = create_procedure(
            department=department,
            data=data,
            publish=publish,
            user=user,
            change_note=create_note,
            lists=lists,
        )
        return page, "created"
    if existing.get_parent().pk != department.pk:
        existing.move(department, pos="last-child", user=user)
        existing = ProcedurePage.objects.get(pk=existing.pk)
    changed = update_procedure(
        page=existing,
        data=data,
        publish=publish,
        user=user,
        change_note=update_note,
        lists=lists,
    )
    outcome = "updated" if changed else "unchanged"
    return ProcedurePage.objects.get(pk=existing.pk), outcome

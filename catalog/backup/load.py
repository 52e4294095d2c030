"""Restoring a backup archive into an empty catalog (or replacing one, all or nothing).

Order: check the archive whole (format, checksums, every line parsed, every reference
resolvable) before anything is written; then in one transaction shared lists, the department
index and departments (with collections, role groups and workflows), form files and templates,
procedures (each with one revision, published when it was live), the catalog events (the public
change history and the change feed's sequence), database sequences and the shared-data version.
Rows keep their ids where the id is free, so API ids and URLs stay the same. Form files are
written to media storage inside the same try: an error deletes the files this run wrote.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import File
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save, pre_delete
from django.utils import timezone

from modelcluster.models import ClusterableModel
from wagtail.documents import get_document_model
from wagtail.models import Collection, Locale, Page, Revision
from wagtail.signals import page_published, page_unpublished, post_page_move

from catalog.backup.archive import ArchiveError, ArchiveReader
from catalog.backup.dump import LIST_MEMBERS, M2M_LISTS
from catalog.models import (
    CatalogEvent,
    DepartmentIndexPage,
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
    PublicHoliday,
    RequiredDocument,
    Result,
    SubjectType,
)

Progress = Callable[[str], None]
LIST_MODELS = {
    "levels": Level,
    "fields": Field,
    "subject_types": SubjectType,
    "life_events": LifeEvent,
    "results": Result,
}
CATALOG_MODELS = (
    DepartmentPage,
    ProcedurePage,
    FormTemplate,
    Level,
    Field,
    SubjectType,
    LifeEvent,
    Result,
    LegalDocument,
    PublicHoliday,
    CatalogEvent,
)


class RestoreRefused(Exception):
    """The target is not empty and --replace was not given."""


@dataclass
class Archive:
    """Every table of a verified archive, each record with its member and line for messages."""

    reader: ArchiveReader
    tables: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    def rows(self, member: str) -> list[tuple[int, dict[str, Any]]]:
        return self.tables.get(member, [])


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    ids_changed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0


# ---------------------------------------------------------------------------------------------
# reading and checking, before any write


def _fail(member: str, line: int, message: str) -> ArchiveError:
    return ArchiveError(f"{member}, line {line}: {message}")


def read_archive(path: Path, *, progress: Progress = lambda m: None) -> Archive:
    reader = ArchiveReader(path)
    progress(
        f"Kiểm tra tệp sao lưu {path} (phiên bản định dạng {reader.manifest['format_version']})…"
    )
    reader.verify()
    archive = Archive(reader=reader)
    for member in reader.members:
        if member.endswith(".jsonl"):
            archive.tables[member] = list(reader.records(member))
    _check_references(archive)
    counts = reader.manifest.get("counts", {})
    for member, rows in archive.tables.items():
        if member in counts and counts[member] != len(rows):
            raise ArchiveError(
                f"{member}: {len(rows)} records, the manifest counts {counts[member]}"
            )
    return archive


def _require(member: str, line: int, record: dict, *keys: str) -> None:
    for key in keys:
        value: Any = record
        for part in key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value in (None, ""):
            raise _fail(member, line, f"no “{key}”")


def _check_references(archive: Archive) -> None:
    """Every key restore needs is there and every code a record names is in the archive."""
    codes: dict[str, set[str]] = {}
    for member, label in LIST_MEMBERS.items():
        model = apps.get_model(label)
        key = "number" if model is LegalDocument else "code"
        for line, record in archive.rows(member):
            _require(member, line, record, "model", "pk", "fields")
            if record["model"] != model._meta.label_lower:
                raise _fail(
                    member, line, f"a {record['model']} among {model._meta.label_lower}"
                )
        if key and model is not PublicHoliday:
            codes[member] = {r["fields"].get(key) for _, r in archive.rows(member)}
    departments = set()
    for line, record in archive.rows("departments.jsonl"):
        _require(
            "departments.jsonl",
            line,
            record,
            "id",
            "code",
            "page.title",
            "page.slug",
            "values.kind",
        )
        departments.add(record["code"])
    for line, record in archive.rows("departments.jsonl"):
        parent = record.get("parent_department")
        if parent and parent not in departments:
            raise _fail(
                "departments.jsonl",
                line,
                f"parent department {parent} is not in the archive",
            )
    documents = set()
    for line, record in archive.rows("documents.jsonl"):
        _require("documents.jsonl", line, record, "id", "member", "file_name", "title")
        if record["member"] not in archive.reader.members:
            raise _fail(
                "documents.jsonl",
                line,
                f"file {record['member']} is not in the archive",
            )
        documents.add(record["id"])
    forms = set()
    for line, record in archive.rows("form_templates.jsonl"):
        _require(
            "form_templates.jsonl",
            line,
            record,
            "pk",
            "fields.code",
            "fields.department",
        )
        document = record["fields"].get("document")
        if document is not None and document not in documents:
            raise _fail(
                "form_templates.jsonl",
                line,
                f"document {document} is not in documents.jsonl",
            )
        forms.add(record["fields"]["code"])
    department_ids = {r["id"] for _, r in archive.rows("departments.jsonl")}
    for line, record in archive.rows("form_templates.jsonl"):
        if record["fields"]["department"] not in department_ids:
            raise _fail(
                "form_templates.jsonl",
                line,
                f"department id {record['fields']['department']} is not in departments.jsonl",
            )
    list_member = {name: f"lists/{name}.jsonl" for name in M2M_LISTS}
    for line, record in archive.rows("procedures.jsonl"):
        _require(
            "procedures.jsonl",
            line,
            record,
            "id",
            "department",
            "page.title",
            "page.slug",
            "values.national_code",
        )
        if record["department"] not in departments:
            raise _fail(
                "procedures.jsonl",
                line,
                f"department {record['department']} is not in the archive",
            )
        for name in M2M_LISTS:
            for entry in record.get(name) or []:
                if entry.get("code") not in codes[list_member[name]]:
                    raise _fail(
                        "procedures.jsonl",
                        line,
                        f"{name} “{entry.get('code')}” is not in {list_member[name]}",
                    )
        for entry in record.get("legal_basis") or []:
            if entry.get("number") not in codes["lists/legal_documents.jsonl"]:
                raise _fail(
                    "procedures.jsonl",
                    line,
                    f"legal document “{entry.get('number')}” is not in lists/legal_documents.jsonl",
                )
        for case in record.get("dossier_cases") or []:
            for document in case.get("documents") or []:
                code = document.get("form_template")
                if code and code not in forms:
                    raise _fail(
                        "procedures.jsonl",
                        line,
                        f"form template “{code}” is not in form_templates.jsonl",
                    )
    for line, record in archive.rows("events.jsonl"):
        _require("events.jsonl", line, record, "model", "pk", "fields")


# ---------------------------------------------------------------------------------------------
# the target


def catalog_contents() -> dict[str, int]:
    """What the target already holds (non-zero counts only)."""
    found = {}
    for model in CATALOG_MODELS:
        if model is PublicHoliday:
            # every database has the official holidays from its migrations (catalog 0011):
            # reference data the archive's own list replaces, not a catalog to protect
            continue
        count = model.objects.count()
        if count:
            found[str(model._meta.verbose_name_plural)] = count
    return found


@contextmanager
def _catalog_signals_off():
    """Restore writes rows as they were; the lifecycle handlers would record new events and
    delete files after commit (Wagtail removes a deleted document's file), so they are off."""
    from wagtail.documents.signal_handlers import post_delete_file_cleanup

    from catalog import signals

    Document = get_document_model()
    switches = [
        (page_published, signals._on_publish, ProcedurePage),
        (page_unpublished, signals._on_unpublish, ProcedurePage),
        (post_page_move, signals._on_move, None),
        (pre_delete, signals._on_delete, ProcedurePage),
        (post_save, signals._on_document_saved, Document),
        (post_delete, post_delete_file_cleanup, Document),
    ]
    for signal, receiver, sender in switches:
        signal.disconnect(receiver, sender=sender)
    try:
        yield
    finally:
        for signal, receiver, sender in switches:
            signal.connect(receiver, sender=sender)


def _wipe(summary: Summary, old_files: list[str], progress: Progress) -> None:
    """--replace: remove the catalog (inside the restore's transaction)."""
    from catalog.backup.dump import backed_up_documents

    documents = list(backed_up_documents())
    old_files.extend(document.file.name for document in documents)
    FormTemplate.objects.all().delete()
    for department in DepartmentPage.objects.order_by("-depth", "path"):
        Page.objects.get(pk=department.pk).delete()
    for orphan in ProcedurePage.objects.all():  # procedures filed elsewhere, if any
        Page.objects.get(pk=orphan.pk).delete()
    for document in documents:
        document.delete()
    for model in (
        Level,
        Field,
        SubjectType,
        LifeEvent,
        Result,
        LegalDocument,
    ):  # the holidays: restore() replaces them whether or not --replace
        model.objects.all().delete()
    CatalogEvent.objects.all().delete()
    progress(f"  đã xóa danh mục cũ ({len(documents)} tệp sẽ được dọn sau khi xong)")


# ---------------------------------------------------------------------------------------------
# writing


def _decode(model: type[models.Model], values: dict[str, Any]) -> dict[str, Any]:
    decoded = {}
    for name, value in values.items():
        model_field = model._meta.get_field(name)
        decoded[model_field.attname] = (
            None if value is None else model_field.to_python(value)
        )
    return decoded


class Writer:
    def __init__(self, archive: Archive, summary: Summary, progress: Progress):
        self.archive = archive
        self.summary = summary
        self.progress = progress
        self.taken_pages = set(Page.objects.values_list("pk", flat=True))
        self.page_ids: dict[int, int] = {}
        self.document_ids: dict[int, int] = {}
        self.written_files: list[str] = []
        self.reused_files: set[str] = set()
        self.locale = Locale.get_default()
        self.page_type = ContentType.objects.get_for_model(Page)
        self.departments: dict[str, DepartmentPage] = {}

    # pages ------------------------------------------------------------------------------------
    def _next_position(self, parent: Page) -> int:
        last = (
            Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        return int(last[-Page.steplen :], len(Page.alphabet)) if last else 0

    def _claim_id(self, old_id: int | None, label: str) -> int | None:
        if not old_id:
            return None
        if old_id in self.taken_pages:
            self.summary.ids_changed.append(
                f"{label}: id {old_id} đã có trong CSDL, cấp id mới"
            )
            return None
        self.taken_pages.add(old_id)
        return old_id

    def insert_page(
        self, page: Page, *, record: dict, parent: Page, position: int, label: str
    ) -> Page:
        """Write `page` (fields set, parts attached) as the `position`-th child of `parent`."""
        for name, value in _decode(Page, record["page"]).items():
            setattr(page, name, value)
        page_id = self._claim_id(record["id"], label)
        if page_id is not None:
            page.id = page.page_ptr_id = page_id
        page.depth = parent.depth + 1
        page.path = Page._get_path(parent.path, page.depth, position)
        page.numchild = 0
        page.url_path = f"{parent.url_path}{page.slug}/"
        page.locale = self.locale
        page.content_type = ContentType.objects.get_for_model(type(page))
        # Wagtail's Page.save would look the page up by its (preset) id and re-validate content
        # the source already published; the row is written as stored instead (like catalog.importing.bulk).
        ClusterableModel.save(page)
        self.taken_pages.add(page.pk)
        if record.get("id"):
            self.page_ids[record["id"]] = page.pk
        created = page.latest_revision_created_at or timezone.now()
        revision = Revision.objects.create(
            content_type=page.content_type,
            base_content_type=self.page_type,
            object_id=str(page.pk),
            created_at=created,
            object_str=str(page)[:255],
            content=page.serializable_data(),
        )
        Page.objects.filter(pk=page.pk).update(
            latest_revision=revision,
            live_revision=revision if page.live else None,
        )
        return page

    def add_children(self, parent: Page, count: int) -> None:
        if count:
            Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + count)

    # tables -----------------------------------------------------------------------------------
    def lists(self) -> None:
        for member in LIST_MEMBERS:
            rows = self.archive.rows(member)
            for line, record in rows:
                try:
                    (obj,) = serializers.deserialize("python", [record])
                    obj.save()
                except Exception as error:
                    raise _fail(
                        member, line, f"{type(error).__name__}: {error}"
                    ) from error
            self.summary.counts[
                member.removeprefix("lists/").removesuffix(".jsonl")
            ] = len(rows)
        self.progress(
            "  danh mục dùng chung: "
            + ", ".join(
                f"{name} {count}" for name, count in self.summary.counts.items()
            )
        )

    def department_index(self) -> Page:
        from cms.models import HomePage
        from cms.setup import ensure_base_tree

        ensure_base_tree()
        index = DepartmentIndexPage.objects.first()
        rows = self.archive.rows("department_index.jsonl")
        if index is None:
            home = HomePage.objects.first()
            index = DepartmentIndexPage()
            if rows:
                line, record = rows[0]
                for name, value in _decode(
                    DepartmentIndexPage, record["values"]
                ).items():
                    setattr(index, name, value)
            else:
                record = {
                    "id": 0,
                    "page": {
                        "title": "Cơ quan thực hiện",
                        "slug": "co-quan",
                        "live": True,
                    },
                }
            self.insert_page(
                index,
                record=record,
                parent=home,
                position=self._next_position(home) + 1,
                label="danh sách cơ quan",
            )
            self.add_children(home, 1)
            index = DepartmentIndexPage.objects.get(pk=index.pk)
        return index

    def departments_(self, index: Page) -> None:
        rows = self.archive.rows("departments.jsonl")
        position = self._next_position(index)
        root = Collection.get_first_root_node()
        from catalog.services.departments import ensure_department_setup

        for line, record in rows:
            position += 1
            try:
                department = DepartmentPage(code=record["code"])
                for name, value in _decode(DepartmentPage, record["values"]).items():
                    setattr(department, name, value)
                self.insert_page(
                    department,
                    record=record,
                    parent=index,
                    position=position,
                    label=f"đơn vị {record['code']}",
                )
                name = (
                    record.get("collection")
                    or f"{record['code']} – {record['page']['title']}"[:255]
                )
                collection = Collection.objects.filter(
                    name=name, depth=2
                ).first() or root.add_child(name=name)
                DepartmentPage.objects.filter(pk=department.pk).update(
                    collection=collection
                )
                department = DepartmentPage.objects.get(pk=department.pk)
                ensure_department_setup(department)
            except ArchiveError:
                raise
            except Exception as error:
                raise _fail(
                    "departments.jsonl", line, f"{type(error).__name__}: {error}"
                ) from error
            self.departments[record["code"]] = department
        self.add_children(index, len(rows))
        for _line, record in rows:
            parent = record.get("parent_department")
            if parent:
                DepartmentPage.objects.filter(code=record["code"]).update(
                    parent_department=self.departments[parent]
                )
        self.summary.counts["departments"] = len(rows)
        self.progress(f"  cơ quan, đơn vị: {len(rows)}")

    def documents(self) -> None:
        Document = get_document_model()
        storage = Document._meta.get_field("file").storage
        collections = {code: d.collection for code, d in self.departments.items()}
        root = Collection.get_first_root_node()
        rows = self.archive.rows("documents.jsonl")
        taken = set(Document.objects.values_list("pk", flat=True))
        for line, record in rows:
            try:
                name = record["file_name"]
                if storage.exists(name) and _sha256(storage, name) == record.get(
                    "sha256"
                ):
                    saved = (
                        name  # the same bytes are there already (a restore run again)
                    )
                    self.reused_files.add(name)
                else:
                    with self.archive.reader.open(record["member"]) as handle:
                        saved = storage.save(name, File(handle, name=name))
                    self.written_files.append(saved)
                    if saved != name:
                        self.summary.notes.append(
                            f"tệp {name} đã có với nội dung khác; lưu thành {saved}"
                        )
                document = Document(
                    title=record["title"],
                    collection=collections.get(record.get("department")) or root,
                )
                if record["id"] not in taken:
                    document.pk = record["id"]
                else:
                    self.summary.ids_changed.append(
                        f"tệp {name}: id {record['id']} đã có, cấp id mới"
                    )
                document.file.name = saved
                document._set_document_file_metadata()
                document.save()
                taken.add(document.pk)
                if record.get("created_at"):
                    Document.objects.filter(pk=document.pk).update(
                        created_at=Document._meta.get_field("created_at").to_python(
                            record["created_at"]
                        )
                    )
                self.document_ids[record["id"]] = document.pk
            except ArchiveError:
                raise
            except Exception as error:
                raise _fail(
                    "documents.jsonl", line, f"{type(error).__name__}: {error}"
                ) from error
        self.summary.counts["files"] = len(rows)
        self.progress(f"  tệp mẫu: {len(rows)}")

    def form_templates(self) -> None:
        rows = self.archive.rows("form_templates.jsonl")
        for line, record in rows:
            try:
                values = dict(record["fields"])
                values["department"] = self.page_ids[values["department"]]
                if values.get("document") is not None:
                    values["document"] = self.document_ids[values["document"]]
                (obj,) = serializers.deserialize(
                    "python", [{**record, "fields": values}]
                )
                obj.save()
            except Exception as error:
                raise _fail(
                    "form_templates.jsonl", line, f"{type(error).__name__}: {error}"
                ) from error
        self.summary.counts["form_templates"] = len(rows)
        self.progress(f"  mẫu đơn, tờ khai: {len(rows)}")

    def procedures(self) -> None:
        rows = self.archive.rows("procedures.jsonl")
        lists = {
            name: {e.code: e for e in model.objects.all()}
            for name, model in LIST_MODELS.items()
        }
        legal = {d.number: d for d in LegalDocument.objects.all()}
        forms = {f.code: f for f in FormTemplate.objects.all()}
        positions: dict[str, int] = {}
        per_department: dict[str, int] = defaultdict(int)
        started = time.monotonic()
        for number, (line, record) in enumerate(rows, start=1):
            code = record["department"]
            department = self.departments[code]
            if code not in positions:
                positions[code] = self._next_position(department)
            positions[code] += 1
            try:
                page = ProcedurePage()
                for name, value in _decode(ProcedurePage, record["values"]).items():
                    setattr(page, name, value)
                for name in M2M_LISTS:
                    setattr(
                        page,
                        name,
                        [lists[name][e["code"]] for e in record.get(name) or []],
                    )
                page.legal_basis = [
                    legal[e["number"]] for e in record.get("legal_basis") or []
                ]
                page.steps = [
                    ProcedureStep(**_decode(ProcedureStep, s))
                    for s in record.get("steps") or []
                ]
                page.execution_methods = [
                    ExecutionMethod(
                        **_decode(
                            ExecutionMethod, {k: v for k, v in m.items() if k != "fees"}
                        ),
                        fees=[
                            FeeItem(**_decode(FeeItem, f)) for f in m.get("fees") or []
                        ],
                    )
                    for m in record.get("execution_methods") or []
                ]
                page.dossier_cases = [
                    DossierCase(
                        **_decode(
                            DossierCase,
                            {k: v for k, v in c.items() if k != "documents"},
                        ),
                        documents=[
                            RequiredDocument(
                                **_decode(
                                    RequiredDocument,
                                    {
                                        k: v
                                        for k, v in d.items()
                                        if k != "form_template"
                                    },
                                ),
                                form_template=forms[d["form_template"]]
                                if d.get("form_template")
                                else None,
                            )
                            for d in c.get("documents") or []
                        ],
                    )
                    for c in record.get("dossier_cases") or []
                ]
                self.insert_page(
                    page,
                    record=record,
                    parent=department,
                    position=positions[code],
                    label=f"thủ tục {page.code}",
                )
            except ArchiveError:
                raise
            except Exception as error:
                raise _fail(
                    "procedures.jsonl", line, f"{type(error).__name__}: {error}"
                ) from error
            per_department[code] += 1
            self.summary.counts[
                "procedures_live" if page.live else "procedures_not_live"
            ] += 1
            if record.get("draft_pending"):
                self.summary.counts["drafts_not_in_archive"] += 1
            if number % 200 == 0 or number == len(rows):
                rate = number / max(time.monotonic() - started, 1e-6)
                self.progress(f"  thủ tục: {number}/{len(rows)} ({rate:.0f}/s)")
        for code, count in per_department.items():
            self.add_children(self.departments[code], count)
        self.summary.counts["procedures"] = len(rows)

    def events(self) -> None:
        CatalogEvent.objects.all().delete()  # none should exist; a handler's stray row must not stay
        rows = self.archive.rows("events.jsonl")
        for line, record in rows:
            try:
                values = dict(record["fields"])
                values["revision"] = None  # revisions are not carried over
                if values.get("procedure") is not None:
                    values["procedure"] = self.page_ids.get(values["procedure"])
                values["page_id"] = self.page_ids.get(
                    values["page_id"], values["page_id"]
                )
                (obj,) = serializers.deserialize(
                    "python", [{**record, "fields": values}]
                )
                obj.save()
            except Exception as error:
                raise _fail(
                    "events.jsonl", line, f"{type(error).__name__}: {error}"
                ) from error
        self.summary.counts["events"] = len(rows)
        self.progress(f"  sự kiện danh mục (lịch sử thay đổi): {len(rows)}")

    def reset_sequences(self) -> None:
        """PostgreSQL: the next id after the largest restored one (SQLite's AUTOINCREMENT does it)."""
        targets = [Page, get_document_model(), FormTemplate, CatalogEvent] + [
            apps.get_model(label) for label in LIST_MEMBERS.values()
        ]
        statements = connection.ops.sequence_reset_sql(no_style(), targets)
        if statements:
            with connection.cursor() as cursor:
                for statement in statements:
                    cursor.execute(statement)


def _sha256(storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def restore(
    archive: Archive, *, replace: bool = False, progress: Progress = lambda m: None
) -> Summary:
    """Write the archive into this database, all or nothing. Raises RestoreRefused when the
    catalog holds anything and `replace` is false."""
    started = time.monotonic()
    summary = Summary()
    old_files: list[str] = []
    writer: Writer | None = None
    try:
        with _catalog_signals_off(), transaction.atomic():
            found = catalog_contents()
            if found:
                if not replace:
                    raise RestoreRefused(
                        "Danh mục đích không trống ("
                        + ", ".join(f"{name}: {count}" for name, count in found.items())
                        + "); dùng --replace để thay toàn bộ."
                    )
                _wipe(summary, old_files, progress)
            PublicHoliday.objects.all().delete()  # the archive's list, as the source had it
            writer = Writer(archive, summary, progress)
            writer.lists()
            index = writer.department_index()
            writer.departments_(index)
            writer.documents()
            writer.form_templates()
            writer.procedures()
            writer.events()
            writer.reset_sequences()
            from catalog.freshness import bump_shared_version

            bump_shared_version()
    except BaseException:
        if writer is not None:
            _delete_files(writer.written_files)
        raise
    keep = set(writer.written_files) | writer.reused_files
    _delete_files([name for name in old_files if name not in keep])
    summary.seconds = time.monotonic() - started
    return summary


def _delete_files(names: list[str]) -> None:
    storage = get_document_model()._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            pass

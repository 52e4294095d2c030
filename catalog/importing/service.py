"""The import: read, merge by code, plan (created / updated / unchanged / rejected), then write or not.

Everything runs in one transaction. A rejected row, a dry run or an error rolls all of it back,
so a file imports all or nothing. Unchanged procedures are found by comparing the normalised
content (the shape of catalog.services.procedures.procedure_snapshot) and are not touched.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count

from wagtail.models import Page, Revision

from catalog.importing.access import ImportAccess
from catalog.importing.bulk import NewProcedure, bulk_create_procedures
from catalog.importing.readers import read_path
from catalog.importing.records import (
    FileRejected,
    ImportReport,
    Outcome,
    ProcedureRecord,
    ReadResult,
    Rejection,
)
from catalog.importing.resolvers import LIST_MODELS, Departments, ImportLists
from catalog.importing.snapshots import data_snapshot, stored_snapshots
from catalog.importing.text import clean, one_line
from catalog.models import DepartmentPage, OnlineLevel, ProcedurePage
from catalog.selectors import procedures_with_parts
from catalog.services.procedures import (
    DEFAULT_CREATE_NOTE,
    DEFAULT_UPDATE_NOTE,
    build_procedure,
    procedure_snapshot,
    update_procedure,
)
from catalog.text import TITLE_MAX

CHUNK = 500
PAGE_FIELDS_TO_VALIDATE = {
    "title",
    "full_name",
    "slug",
    "national_code",
    "local_code",
    "procedure_type",
    "status",
    "decision_number",
    "decision_date",
    "decision_authority",
    "effective_date",
    "summary",
    "online_level",
    "online_url",
    "keywords",
}
PART_LABELS = {
    "steps": "trình tự thực hiện",
    "execution_methods": "cách thức, thời hạn, phí",
    "dossier_cases": "thành phần hồ sơ",
    "department": "đơn vị sở hữu",
}

Progress = Callable[[str, int, int], None]


@dataclass
class ImportOptions:
    department: DepartmentPage | None = None
    user: Any = None
    dry_run: bool = False
    publish: bool = False
    progress: Progress | None = None
    create_note: str = DEFAULT_CREATE_NOTE
    update_note: str = DEFAULT_UPDATE_NOTE


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run or a rejected import."""


# Keys whose values every reader takes through one_line (line breaks fold to spaces); any
# other text is read through clean (runs of blanks collapsed, line breaks kept).
ONE_LINE_KEYS = frozenset(
    {
        "national_code",
        "local_code",
        "title",
        "slug",
        "decision_number",
        "decision_authority",
        "keywords",
        "online_url",
        "form_template",
        "number",
        "issuer",
        "url",
        *LIST_MODELS,
    }
)


def comparable(value: Any, name: str = "") -> Any:
    """The snapshot as the readers would read it back: blanks normalised the way cells are.

    Text stored through the admin or older imports may hold runs of blanks, a trailing space or a
    line break in a title; a file exported from it reads back normalised, which is not a change.
    """
    if isinstance(value, str):
        return one_line(value) if name in ONE_LINE_KEYS else clean(value)
    if isinstance(value, dict):
        return {key: comparable(item, key) for key, item in value.items()}
    if isinstance(value, list):
        items = [comparable(item, name) for item in value]
        return sorted(items) if name in LIST_MODELS else items
    return value


def read_sources(
    paths: Iterable[Path | str],
) -> tuple[list[ReadResult], list[Rejection]]:
    results: list[ReadResult] = []
    rejections: list[Rejection] = []
    for path in paths:
        try:
            results.extend(read_path(Path(path)))
        except FileRejected as error:
            rejections.append(
                Rejection(
                    file=error.file or Path(path).name,
                    row=error.row,
                    column=error.column,
                    message=error.message,
                )
            )
    return results, rejections


def import_paths(
    paths: Iterable[Path | str], *, options: ImportOptions
) -> ImportReport:
    results, rejections = read_sources(paths)
    return run_import(results=results, options=options, file_rejections=rejections)


def _merge(base: ProcedureRecord, other: ProcedureRecord) -> ProcedureRecord:
    """A catalog row and a detail record for one code make one procedure; the detail wins."""
    first, second = (other, base) if other.detail and not base.detail else (base, other)
    data = dict(second.data)
    data.update({k: v for k, v in first.data.items() if v not in (None, "", [])})
    for k, v in second.data.items():
        data.setdefault(k, v)
    return ProcedureRecord(
        key=first.key,
        data=data,
        file=first.file,
        row=first.row,
        agencies=first.agencies
        + [a for a in second.agencies if a not in first.agencies],
        department_code=first.department_code or second.department_code,
        detail=base.detail or other.detail,
        columns=first.columns or second.columns,
        form_files=first.form_files + second.form_files,
    )


def _duplicates(result: ReadResult) -> list[Rejection]:
    seen: dict[str, ProcedureRecord] = {}
    rejections = []
    for record in result.records:
        previous = seen.get(record.key)
        if previous is not None:
            where = (
                f"dòng {previous.row} và dòng {record.row}"
                if previous.row and record.row
                else f"“{previous.file}” và “{record.file}”"
            )
            rejections.append(
                Rejection(
                    file=result.file,
                    row=record.row,
                    code=record.key,
                    message=f"mã thủ tục {record.key} xuất hiện hai lần ({where}); không nhập tệp này",
                )
            )
        seen[record.key] = record
    return rejections


def _column(record: ProcedureRecord, name: str) -> str:
    return record.columns.get(name, name)


def _validation_rejections(
    record: ProcedureRecord, error: ValidationError
) -> list[Rejection]:
    if hasattr(error, "error_dict"):
        return [
            Rejection(
                file=record.file,
                row=record.row,
                column=_column(record, name),
                code=record.key,
                message="; ".join(messages),
            )
            for name, messages in error.message_dict.items()
        ]
    return [
        Rejection(
            file=record.file,
            row=record.row,
            code=record.key,
            message="; ".join(error.messages),
        )
    ]


def _validate_page(page: ProcedurePage) -> None:
    exclude = [
        f.name
        for f in ProcedurePage._meta.fields
        if f.name not in PAGE_FIELDS_TO_VALIDATE
    ]
    page.clean_fields(exclude=exclude)
    if page.online_level == OnlineLevel.FULL and not page.online_url:
        raise ValidationError(
            {"online_url": "Dịch vụ trực tuyến toàn trình phải có đường dẫn nộp hồ sơ."}
        )


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    labels = []
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            labels.append(PART_LABELS.get(name) or _verbose(name))
    return labels


def _verbose(name: str) -> str:
    try:
        return str(ProcedurePage._meta.get_field(name).verbose_name)
    except Exception:  # not a model field (e.g. a key of the snapshot only)
        return name


class _Existing:
    """Every current procedure, found by code the way catalog.services.procedures.find_procedure does."""

    def __init__(self) -> None:
        rows = ProcedurePage.objects.order_by("-live", "pk").values_list(
            "pk",
            "national_code",
            "local_code",
            "path",
            "live",
            "has_unpublished_changes",
            "slug",
        )
        self.by_local: dict[str, tuple] = {}
        self.by_national: dict[str, tuple] = {}
        for row in rows:
            if row[2]:
                self.by_local.setdefault(row[2], row)
            else:
                self.by_national.setdefault(row[1], row)

    def find(self, record: ProcedureRecord) -> tuple | None:
        local = record.data.get("local_code") or ""
        if local:
            return self.by_local.get(local)
        return self.by_national.get(record.data["national_code"])


def _current_snapshots(rows: list[tuple]) -> dict[int, dict[str, Any]]:
    """What each existing page holds now: its latest draft when it has one, else the page row."""
    drafts = [row[0] for row in rows if row[5]]
    many_revisions = set()
    if drafts:
        counted = (
            Revision.page_revisions.filter(object_id__in=[str(i) for i in drafts])
            .values("object_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
        )
        many_revisions = {int(row["object_id"]) for row in counted}
    live_drafts = {
        row[0] for row in rows if row[5] and (row[4] or row[0] in many_revisions)
    }
    snapshots = stored_snapshots(row[0] for row in rows if row[0] not in live_drafts)
    if live_drafts:
        for page in procedures_with_parts(
            ProcedurePage.objects.filter(pk__in=live_drafts)
        ).select_related("latest_revision"):
            current = page
            if page.latest_revision_id:
                current = page.latest_revision.as_object()
            snapshots[page.pk] = procedure_snapshot(current)
    return snapshots


def _keep_stored_currencies(data: dict[str, Any], before: dict[str, Any]) -> None:
    """A fee whose currency the file does not say (a spreadsheet from before the currency
    column) keeps the one stored at its place, so re-importing an old sheet does not turn
    dollars into đồng; a fee at a new place is in đồng."""
    stored = before.get("execution_methods") or []
    for i, method in enumerate(data.get("execution_methods") or []):
        for j, fee in enumerate(method.get("fees") or []):
            if "currency" in fee and not fee["currency"]:
                fees = (stored[i].get("fees") or []) if i < len(stored) else []
                fee["currency"] = fees[j]["currency"] if j < len(fees) else "VND"


def _drop_name_from_summary(data: dict[str, Any], before: dict[str, Any]) -> None:
    """Imports before full_name kept a long official name whole in the summary; a file that
    says no summary of its own lets that copy go, now that the name itself is whole."""
    name = one_line(data.get("title"))
    if len(name) > TITLE_MAX and one_line(before.get("summary")) == name:
        data["summary"] = ""


def run_import(
    *,
    results: list[ReadResult],
    options: ImportOptions,
    file_rejections: list[Rejection] | None = None,
) -> ImportReport:
    started = time.monotonic()
    report = ImportReport(dry_run=options.dry_run, published=options.publish)
    report.rejections.extend(file_rejections or [])
    merged: OrderedDict[str, ProcedureRecord] = OrderedDict()
    for result in results:
        report.files.append((result.file, result.format))
        report.rejections.extend(result.rejections)
        report.warnings.extend(result.warnings)
        report.rejections.extend(_duplicates(result))
        for record in result.records:
            merged[record.key] = (
                _merge(merged[record.key], record) if record.key in merged else record
            )
    access = ImportAccess(options.user)
    try:
        with transaction.atomic():
            plan = _plan(
                list(merged.values()), options=options, access=access, report=report
            )
            if report.rejections or options.dry_run:
                raise _Rollback
            _write(plan, options=options, report=report)
            report.written = True
    except _Rollback:
        pass
    _audit_refusals(access, report)
    report.seconds = time.monotonic() - started
    return report


def _audit_refusals(access: ImportAccess, report: ImportReport) -> None:
    """Rows refused for another department are denied writes: record them, once per department."""
    if access.user is None or not access.refused:
        return
    from catalog.services.roles import record_denied

    for department, codes in access.refused.items():
        record_denied(
            actor=access.user,
            action="import",
            department=department,
            detail=f"{len(codes)} thủ tục: {', '.join(codes[:20])}",
        )


@dataclass
class _Plan:
    creates: list[tuple[ProcedureRecord, NewProcedure]]
    updates: list[tuple[ProcedureRecord, int, DepartmentPage, dict[str, Any], bool]]
    lists: ImportLists


def _progress(options: ImportOptions, stage: str, done: int, total: int) -> None:
    if options.progress:
        options.progress(stage, done, total)


def _plan(
    records: list[ProcedureRecord],
    *,
    options: ImportOptions,
    access: ImportAccess,
    report: ImportReport,
) -> _Plan:
    lists = ImportLists(allow_create=access.may_create_entries)
    departments = Departments(allow_create=access.may_create_departments)
    existing = _Existing()
    plan = _Plan(creates=[], updates=[], lists=lists)
    to_compare: list[tuple[ProcedureRecord, tuple, DepartmentPage]] = []
    total = len(records)
    for number, record in enumerate(records, start=1):
        if number % 200 == 0 or number == total:
            _progress(options, "Kiểm tra", number, total)
        row = existing.find(record)
        current_department = (
            departments.by_path.get(row[3][: -Page.steplen]) if row else None
        )
        department = _department_for(
            record,
            options=options,
            departments=departments,
            current=current_department,
            report=report,
        )
        if department is None:
            continue
        refused = [
            d
            for d in {department, current_department}
            if d is not None and not access.may_import(d)
        ]
        if refused:
            access.refused.setdefault(refused[0], []).append(record.key)
            report.rejections.append(
                Rejection(
                    file=record.file,
                    row=record.row,
                    column=_column(record, "department")
                    if record.department_code
                    else "",
                    code=record.key,
                    message=f"bạn không có quyền nhập thủ tục cho đơn vị {refused[0].code} – {refused[0].title}",
                )
            )
            continue
        try:
            for name, model in LIST_MODELS.items():
                if name in record.data:
                    codes = []
                    for ref in record.data[name]:
                        code = lists.resolve(model, ref)
                        if code not in codes:
                            codes.append(code)
                    record.data[name] = codes
            lists.ensure_form_templates(record.form_files, department=department)
        except ValidationError as error:
            report.rejections.extend(_validation_rejections(record, error))
            continue
        except ValueError as error:
            report.rejections.append(
                Rejection(
                    file=record.file,
                    row=record.row,
                    code=record.key,
                    message=str(error),
                )
            )
            continue
        if row is not None:
            to_compare.append((record, row, department))
            continue
        page = _built(record, record.data, lists=lists, report=report)
        if page is None:
            continue
        publish = options.publish and access.may_publish(department)
        plan.creates.append(
            (record, NewProcedure(department=department, page=page, publish=publish))
        )
        report.outcomes.append(
            Outcome(
                key=record.key,
                title=page.official_name,  # the title is clipped past 255 characters
                action="created",
                department_code=department.code,
                detail=record.detail,
            )
        )
    for start in range(0, len(to_compare), CHUNK):
        chunk = to_compare[start : start + CHUNK]
        _progress(options, "So sánh", start + len(chunk), len(to_compare))
        snapshots = _current_snapshots([row for _, row, _ in chunk])
        for record, row, department in chunk:
            pk, _national, _local, path, live, _draft, slug = row
            before = snapshots[pk]
            data = {**before, **record.data}
            _keep_stored_currencies(data, before)
            if "summary" not in record.data:
                _drop_name_from_summary(data, before)
            current = comparable(before)
            # Equal to the stored content: nothing to build or validate (the common re-import).
            after = comparable(data_snapshot(data, slug=slug))
            title = data["title"]
            if after != current:
                built = _built(record, data, lists=lists, report=report, slug=slug)
                if built is None:
                    continue
                after = comparable(procedure_snapshot(built))
                title = built.official_name
            moved = path[: -Page.steplen] != department.path
            publish = options.publish and access.may_publish(department)
            unchanged = after == current and not moved and (live or not publish)
            changed = (
                []
                if unchanged
                else _changed_fields(current, after)
                + (["đơn vị sở hữu"] if moved else [])
            )
            if not unchanged:
                plan.updates.append((record, pk, department, data, publish))
            report.outcomes.append(
                Outcome(
                    key=record.key,
                    title=title,
                    action="unchanged" if unchanged else "updated",
                    department_code=department.code,
                    changed_fields=changed or ([] if unchanged else ["xuất bản"]),
                    detail=record.detail,
                )
            )
    report.created_departments = list(departments.created)
    report.created_entries = list(lists.created)
    return plan


def _built(
    record: ProcedureRecord,
    data: dict[str, Any],
    *,
    lists: ImportLists,
    report: ImportReport,
    slug: str = "",
) -> ProcedurePage | None:
    """The page `data` describes, validated; None (and the row's rejections reported) if invalid."""
    try:
        page = build_procedure(data=data, lists=lists)
        if slug:
            page.slug = slug
        _validate_page(page)
        return page
    except ValidationError as error:
        report.rejections.extend(_validation_rejections(record, error))
    except (ValueError, KeyError) as error:
        report.rejections.append(
            Rejection(
                file=record.file, row=record.row, code=record.key, message=str(error)
            )
        )
    return None


def _department_for(
    record: ProcedureRecord,
    *,
    options: ImportOptions,
    departments: Departments,
    current: DepartmentPage | None,
    report: ImportReport,
) -> DepartmentPage | None:
    if record.department_code:
        department = departments.by_explicit_code(record.department_code)
        if department is None:
            report.rejections.append(
                Rejection(
                    file=record.file,
                    row=record.row,
                    column=_column(record, "department"),
                    code=record.key,
                    message=f"mã đơn vị “{record.department_code}” không có trong danh mục",
                )
            )
            return None
        if options.department is not None and department.pk != options.department.pk:
            report.rejections.append(
                Rejection(
                    file=record.file,
                    row=record.row,
                    column=_column(record, "department"),
                    code=record.key,
                    message=f"dòng này thuộc đơn vị {department.code}, không phải đơn vị đang nhập {options.department.code}",
                )
            )
            return None
        return department
    if options.department is not None:
        return options.department
    if current is not None:
        return current
    found = departments.for_agencies(record.agencies)
    if isinstance(found, str):
        report.rejections.append(
            Rejection(file=record.file, row=record.row, code=record.key, message=found)
        )
        return None
    return found


def _write(plan: _Plan, *, options: ImportOptions, report: ImportReport) -> None:
    def progress(done: int, total: int) -> None:
        _progress(options, "Ghi", done, total)

    plan.lists.flush()
    bulk_create_procedures(
        [item for _, item in plan.creates],
        user=options.user,
        change_note=options.create_note,
        progress=progress,
    )
    total = len(plan.updates)
    for number, (_record, pk, department, data, publish) in enumerate(
        plan.updates, start=1
    ):
        page = ProcedurePage.objects.get(pk=pk)
        if page.path[: -Page.steplen] != department.path:
            Page.objects.get(pk=page.pk).specific.move(
                department, pos="last-child", user=options.user
            )
            page = ProcedurePage.objects.get(pk=page.pk)
        update_procedure(
            page=page,
            data=data,
            publish=publish,
            user=options.user,
            change_note=options.update_note,
            lists=plan.lists,
            force=True,
        )
        if number % 50 == 0 or number == total:
            _progress(options, "Cập nhật", number, total)

"""Open-data bulk downloads: the published catalog as files, rebuilt when the catalog changed.

A dump is a folder of files (FILES) and a manifest.json with each file's size, sha256, row count
and the catalog state it was built from. It is written into a new folder beside its target and
the target, a symlink, is then pointed at it in one rename: a reader sees the old dump or the new,
never half of one. The previous folder stays (a download that started on it finishes); older
ones are removed.

JSON Lines carry exactly the stored JSON GET /api/v1/procedures/{code}/ serves (api.cache), the
CSV tables are built from the same JSON (catalog.opendata.tables), the backup archive is
backup_catalog's format in its public scope, restorable with restore_catalog.

The served dump lives in settings.OPEN_DATA_DIR and is rebuilt lazily (docs/open-data.md): a
request that finds it older than the catalog builds it under a file lock, or, with a queued
task backend, asks the worker to and serves the previous one meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import multiprocessing
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime

import orjson
from django_tasks import task

from api.cache import (
    REPRESENTATION_VERSION,
    bodies_for,
    version_rows,
    with_origin,
)
from api.representations import (
    coded,
    department_dict,
    form_file,
    iso,
    legal_document,
)
from api.selectors import (
    catalog_state,
    department_procedure_counts,
    published_departments,
    published_forms,
    published_procedures,
    with_sort_code,
)
from catalog.backup.dump import write_backup
from catalog.models import Field, LegalDocument, Level, LifeEvent, Result, SubjectType
from catalog.opendata.tables import (
    LIST_TABLES,
    PROCEDURE_TABLES,
    CsvTable,
    procedure_rows,
)

logger = logging.getLogger(__name__)

FORMAT = "hcmc-procedure-catalog-open-data"
# Bump when a file's content or the set of files changes: dumps of another version are stale.
DUMP_VERSION = "3"
MANIFEST = "manifest.json"
CHUNK = 500
REBUILD_ASK_EVERY = (
    60  # seconds between two requests to the worker, or two failed builds
)
FAILED_KEY = "opendata:build_failed"


@dataclass(frozen=True)
class BulkFile:
    name: str
    format: str  # short label shown to people and in dct:format
    media_type: str
    title_vi: str
    title_en: str


def _csv(table: str, title_vi: str, title_en: str) -> BulkFile:
    return BulkFile(f"{table}.csv", "CSV", "text/csv", title_vi, title_en)


# In the order the page and the DCAT record list them.
FILES: dict[str, BulkFile] = {
    file.name: file
    for file in (
        BulkFile(
            "procedures.jsonl",
            "JSON Lines",
            "application/jsonl",
            "Thủ tục hành chính (mỗi dòng một thủ tục, như API chi tiết)",
            "Procedures (one per line, as the detail API serves them)",
        ),
        BulkFile(
            "catalog.jsonld",
            "JSON-LD",
            "application/ld+json",
            "Danh mục theo CPSV-AP 3.2 (một đồ thị JSON-LD)",
            "The catalog in CPSV-AP 3.2 (one JSON-LD graph)",
        ),
        _csv("procedures", "Bảng thủ tục", "Procedures table"),
        _csv("steps", "Bảng trình tự thực hiện", "Steps table"),
        _csv("methods", "Bảng cách thức thực hiện", "Execution methods table"),
        _csv("fees", "Bảng phí, lệ phí", "Fees table"),
        _csv("cases", "Bảng trường hợp hồ sơ", "Dossier cases table"),
        _csv("documents", "Bảng thành phần hồ sơ", "Required documents table"),
        _csv("legal_basis", "Bảng căn cứ pháp lý", "Legal basis table"),
        _csv("departments", "Danh sách cơ quan, đơn vị", "Departments"),
        _csv("fields", "Danh sách lĩnh vực", "Fields"),
        _csv("levels", "Danh sách cấp thực hiện", "Levels"),
        _csv("subject_types", "Danh sách đối tượng thực hiện", "Subject types"),
        _csv("life_events", "Danh sách sự kiện (nhóm thủ tục)", "Life events"),
        _csv("results", "Danh sách kết quả thực hiện", "Results"),
        _csv("legal_documents", "Danh sách văn bản pháp luật", "Legal documents"),
        _csv("forms", "Danh sách mẫu đơn, tờ khai", "Form templates"),
        BulkFile(
            "catalog-backup.zip",
            "ZIP",
            "application/zip",
            "Bản sao danh mục để khôi phục (restore_catalog)",
            "Catalog archive for restore_catalog",
        ),
    )
}

Progress = Callable[[str, int, int], None]


def _no_progress(stage: str, done: int, total: int) -> None:
    pass


def served_dir() -> Path:
    return Path(settings.OPEN_DATA_DIR) / "current"


def default_origin() -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def state_key(state) -> dict[str, Any]:
    """What a dump was built from; a dump is stale when the catalog's differs."""
    cpsv = cpsv_mapping()
    return {
        "dump_version": DUMP_VERSION,
        "representation_version": REPRESENTATION_VERSION,
        "mapping_version": getattr(cpsv, "MAPPING_VERSION", None),
        "shared": state.shared,
        "last_event_id": state.last_event_id,
    }


def cpsv_mapping():
    """catalog.opendata.cpsv (the CPSV-AP mapping), or None where it is not installed."""
    try:
        from catalog.opendata import cpsv
    except ImportError:
        return None
    return cpsv


# --- writing -----------------------------------------------------------------------------


def _file_digest(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _write_procedures(
    folder: Path, *, shared: str, origin: str, progress: Progress
) -> dict[str, int]:
    """procedures.jsonl and the procedure CSV tables in one pass over the stored JSON."""
    ids = list(
        with_sort_code(published_procedures())
        .order_by("sort_code", "pk")
        .values_list("pk", flat=True)
    )
    with contextlib.ExitStack() as stack:
        jsonl = stack.enter_context(open(folder / "procedures.jsonl", "wb"))
        tables = {
            name: CsvTable(
                stack.enter_context(
                    open(folder / f"{name}.csv", "w", encoding="utf-8", newline="")
                ),
                columns,
            )
            for name, columns in PROCEDURE_TABLES.items()
        }
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            rows = version_rows(published_procedures().filter(pk__in=chunk))
            bodies = bodies_for(rows, shared=shared)
            for pk in chunk:
                body = bodies.get(pk)
                if body is None:  # unpublished while we read
                    continue
                body = with_origin(body, origin)
                jsonl.write(body + b"\n")
                for name, table_rows in procedure_rows(orjson.loads(body)).items():
                    tables[name].write(table_rows)
            progress("thủ tục", min(start + CHUNK, len(ids)), len(ids))
        counts = {f"{name}.csv": table.rows for name, table in tables.items()}
    counts["procedures.jsonl"] = counts["procedures.csv"]
    return counts


def _list_rows(origin: str) -> dict[str, list[dict[str, Any]]]:
    def absolute(url: str) -> str:
        return origin + url if url.startswith("/") else url

    counts = department_procedure_counts()
    departments = []
    for department in published_departments().select_related("parent_department"):
        row = department_dict(department, counts=counts, request=None)
        parent = row.pop("parent")
        departments.append({**row, "parent_code": parent["code"] if parent else None})
    departments.sort(key=lambda row: row["code"])
    return {
        "departments": departments,
        "fields": [coded(entry) for entry in Field.objects.all()],
        "levels": [
            {"code": e.code, "name": e.name, "sort_order": e.sort_order}
            for e in Level.objects.all()
        ],
        "subject_types": [coded(entry) for entry in SubjectType.objects.all()],
        "life_events": [
            {"code": e.code, "name": e.name, "description": e.description}
            for e in LifeEvent.objects.all()
        ],
        "results": [coded(entry) for entry in Result.objects.all()],
        "legal_documents": [
            legal_document(document)
            for document in LegalDocument.objects.order_by("number")
        ],
        "forms": [
            {
                **form_file(form, absolute),
                "department_code": form.department.code if form.department else None,
            }
            for form in published_forms().order_by("code")
        ],
    }


def _write_lists(folder: Path, *, origin: str) -> dict[str, int]:
    counts = {}
    for name, rows in _list_rows(origin).items():
        with open(folder / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            table = CsvTable(handle, LIST_TABLES[name])
            table.write(rows)
        counts[f"{name}.csv"] = table.rows
    return counts


def _write_graph(folder: Path, cpsv, *, origin: str) -> int:
    """catalog.jsonld: procedures_to_cpsv's one graph (shared nodes once), streamed from
    procedures.jsonl so that only the node ids seen so far stay in memory."""
    seen: set[str] = set()
    count = 0
    with (
        open(folder / "procedures.jsonl", "rb") as lines,
        open(folder / "catalog.jsonld", "wb") as handle,
    ):
        handle.write(b'{"@context":' + orjson.dumps(cpsv.CONTEXT) + b',"@graph":[')
        first = True
        for line in lines:
            for node in cpsv.procedure_nodes(orjson.loads(line), base_url=origin):
                if node["@id"] in seen:
                    continue
                seen.add(node["@id"])
                handle.write((b"" if first else b",\n") + orjson.dumps(node))
                first = False
            count += 1
        handle.write(b"]}\n")
    return count


def write_dump(
    target: Path,
    *,
    origin: str | None = None,
    progress: Progress = _no_progress,
    log: Callable[[str], None] = lambda message: None,
    parallel: bool = False,
) -> dict[str, Any]:
    """Write the whole published catalog as bulk files, then swap `target` to them; returns
    the manifest.

    `parallel` writes the archive in a second process while this one writes the rest (a
    second core: a third less wall time on 10,000 procedures, docs/open-data.md); it is
    skipped inside a transaction, which a second connection could not see."""
    started = time.monotonic()
    origin = (origin or default_origin()).rstrip("/")
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not target.is_symlink():
        raise FileExistsError(
            f"{target} là thư mục hoặc tệp thường; lệnh này quản lý nó như một liên kết tới "
            "bản xuất mới nhất: hãy xóa nó hoặc chọn đường dẫn khác."
        )
    generated_at = timezone.now()
    folder = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    archiver = None
    try:
        folder.chmod(0o755)
        state = catalog_state()
        if parallel and _can_fork():
            archiver = _ArchiveProcess(folder / ARCHIVE, log=log)
        stages: dict[str, float] = {}
        clock = time.monotonic()

        def stage(name: str) -> None:
            nonlocal clock
            now = time.monotonic()
            stages[name] = round(now - clock, 2)
            clock = now
            log(f"  {name}: {stages[name]} s")

        rows = _write_procedures(
            folder, shared=state.shared, origin=origin, progress=progress
        )
        stage("JSON Lines + CSV")
        rows.update(_write_lists(folder, origin=origin))
        stage("danh mục dùng chung")
        cpsv = cpsv_mapping()
        if cpsv is not None:
            rows["catalog.jsonld"] = _write_graph(folder, cpsv, origin=origin)
            stage("JSON-LD")
        else:
            log("  JSON-LD: bỏ qua (chưa có ánh xạ CPSV-AP catalog.opendata.cpsv)")
        if archiver is not None:
            archive = archiver.result()
            stage("catalog-backup.zip (chờ)")
            stages["catalog-backup.zip"] = archive["seconds"]
        else:
            archive = _write_archive(folder / ARCHIVE, log=log)
            stage("catalog-backup.zip")
        rows["catalog-backup.zip"] = archive["procedures"]["total"]
        files = []
        for name, spec in FILES.items():
            path = folder / name
            if not path.exists():
                continue
            size, sha256 = _file_digest(path)
            files.append(
                {
                    "name": name,
                    "format": spec.format,
                    "media_type": spec.media_type,
                    "title_vi": spec.title_vi,
                    "title_en": spec.title_en,
                    "size": size,
                    "sha256": sha256,
                    "rows": rows[name],
                }
            )
        manifest = {
            "format": FORMAT,
            "format_version": 1,
            "generated_at": iso(generated_at),
            "seconds": round(time.monotonic() - started, 2),
            "stages": stages,
            "origin": origin,
            "catalog_state": {
                **state_key(state),
                "changed_at": iso(state.changed_at),
            },
            "procedures": rows["procedures.jsonl"],
            "files": files,
        }
        (folder / MANIFEST).write_bytes(
            orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
        )
    except BaseException:
        if archiver is not None:
            archiver.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    _swap(folder, target)
    return manifest


ARCHIVE = "catalog-backup.zip"


def _write_archive(path: Path, *, log: Callable[[str], None]) -> dict[str, Any]:
    return write_backup(
        path,
        public=True,
        progress=lambda message: log(message),
        compresslevel=1,  # 3x faster than the default, a few % larger
    )


def _can_fork() -> bool:
    from django.db import connection

    return (
        (os.cpu_count() or 1) > 1
        and "fork" in multiprocessing.get_all_start_methods()
        and not connection.in_atomic_block
        and not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    )


class _ArchiveProcess:
    """`_write_archive` in a forked process, which opens its own database connection."""

    def __init__(self, path: Path, *, log: Callable[[str], None]):
        from django.db import connections

        connections.close_all()  # a forked child must not share the parent's socket
        context = multiprocessing.get_context("fork")
        self.receive, send = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_archive_child, args=(path, log, send), daemon=True
        )
        self.process.start()
        send.close()

    def result(self) -> dict[str, Any]:
        try:
            ok, value = self.receive.recv()
        except EOFError:
            ok, value = False, f"tiến trình thoát với mã {self.process.exitcode}"
        self.process.join()
        if not ok:
            raise RuntimeError(f"catalog-backup.zip: {value}")
        return value

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


def _archive_child(path: Path, log: Callable[[str], None], send) -> None:
    from django.db import connections

    try:
        send.send((True, _write_archive(path, log=log)))
    except BaseException as error:  # the parent raises it with the dump's cleanup
        send.send((False, f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()


def _swap(folder: Path, target: Path) -> None:
    """Point the symlink `target` at `folder` in one rename; keep the previous folder, drop
    older ones."""
    previous = os.readlink(target) if target.is_symlink() else None
    link = target.parent / f".{target.name}.link-{os.getpid()}-{time.monotonic_ns()}"
    os.symlink(folder.name, link)
    os.replace(link, target)
    keep = {folder.name, previous}
    for old in target.parent.glob(f".{target.name}-*"):
        if old.name not in keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


# --- reading and freshness ---------------------------------------------------------------


@dataclass(frozen=True)
class Dump:
    folder: Path  # the generation folder itself, not the symlink
    manifest: dict[str, Any]

    @property
    def generated_at(self) -> datetime:
        return parse_datetime(self.manifest["generated_at"])

    def file(self, name: str) -> dict[str, Any] | None:
        return next((f for f in self.manifest["files"] if f["name"] == name), None)

    def is_fresh(self, state) -> bool:
        built = dict(self.manifest.get("catalog_state", {}))
        built.pop("changed_at", None)
        return built == state_key(state)


def read_dump(target: Path | None = None) -> Dump | None:
    """The dump `target` points at now (resolved once, so a swap cannot mix two dumps)."""
    target = target or served_dir()
    try:
        folder = target.resolve(strict=True)
        manifest = orjson.loads((folder / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    if manifest.get("format") != FORMAT:
        return None
    return Dump(folder, manifest)


@contextlib.contextmanager
def build_lock():
    """One builder at a time across processes on this host (the dump is a local folder)."""
    Path(settings.OPEN_DATA_DIR).mkdir(parents=True, exist_ok=True)
    with open(Path(settings.OPEN_DATA_DIR) / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def rebuild_if_stale() -> Dump | None:
    """Build the served dump unless it matches the catalog; waits for another builder."""
    with build_lock():
        dump = read_dump()
        if dump is not None and dump.is_fresh(catalog_state()):
            return dump
        write_dump(served_dir())
        return read_dump()


def _queued_backend() -> bool:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    return not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], ImmediateBackend)


def _ask_worker() -> None:
    from django.core.cache import cache

    try:
        if cache.add("opendata:rebuild_requested", 1, REBUILD_ASK_EVERY):
            rebuild_open_data.enqueue()
    except Exception:  # the previous dump is still served; the next request asks again
        logger.exception("could not queue an open-data rebuild")


def fresh_dump() -> Dump:
    """The served dump, as of the catalog's last change where that can be had now.

    With a queued task backend a stale dump is served while the worker rebuilds it (a 10,000
    procedure dump takes tens of seconds); only the very first dump is built in the request.
    """
    from django.core.cache import cache

    dump = read_dump()
    if dump is not None and dump.is_fresh(catalog_state()):
        return dump
    if dump is not None and _queued_backend():
        _ask_worker()
        return dump
    if dump is not None and cache.get(FAILED_KEY):
        return dump  # the last build failed moments ago: no retry on every request
    try:
        return rebuild_if_stale()
    except Exception:
        # A failed build (a form file missing from storage, a full disk) keeps the last good
        # dump in place; it is served, dated, and the build is tried again a minute later.
        logger.exception("open-data dump failed; serving the previous one")
        cache.set(FAILED_KEY, True, REBUILD_ASK_EVERY)
        if dump is None:
            raise
        return dump


@task()
def rebuild_open_data() -> dict:
    """Queued by a request that found the served dump older than the catalog."""
    dump = rebuild_if_stale()
    return {"generated_at": dump.manifest["generated_at"] if dump else None}

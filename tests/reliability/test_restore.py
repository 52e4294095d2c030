"""Backup and restore: the demo catalog backed up from one instance and restored into a new,
empty one serves the same API, procedure by procedure; broken archives and non-empty targets are
refused with nothing written.

Each instance is its own process with its own SQLite file and VAR_DIR (media, search index), as a
new server would be; the suite's own database is not used. Same settings module, so the same
BASE_URL and Site (localhost:80), hence the same absolute URLs.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from django.conf import settings

import pytest

pytestmark = pytest.mark.reliability

ROOT = Path(settings.BASE_DIR)
SNAPSHOT = ROOT / "tests" / "reliability" / "catalog_instance.py"


class Instance:
    """One catalog installation: a SQLite file and a VAR_DIR, driven through manage.py."""

    def __init__(self, folder: Path, template: Path | None = None):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.db = folder / "db.sqlite3"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "DATABASE_URL": f"sqlite:///{self.db}",
            "TEST_VAR_DIR": str(folder),
            "VAR_DIR": str(folder),
            "LOG_LEVEL": "WARNING",
            "API_ANON_RATE": "1000000/min",
            "API_SUGGEST_RATE": "1000000/min",
            "PYTHONPATH": str(ROOT),
        }
        if template is not None:
            shutil.copy(template, self.db)
        else:
            self.manage("migrate", "-v0")

    def python(self, *args, check=True) -> subprocess.CompletedProcess:
        """`python *args` in this instance's environment (a script, `-c`, manage.py)."""
        result = subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
        if check:
            assert result.returncode == 0, result.stdout + result.stderr
        return result

    def manage(self, *args, check=True) -> subprocess.CompletedProcess:
        return self.python(str(ROOT / "manage.py"), *args, check=check)

    def snapshot(self) -> dict:
        out = self.folder / "snapshot.json"
        self.python(str(SNAPSHOT), str(out))
        return json.loads(out.read_text(encoding="utf-8"))


def differences(left, right, path="") -> list[str]:
    """Every place two JSON values differ, as 'path: left != right'."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right)):
            if key not in left or key not in right:
                found.append(f"{path}/{key}: only on one side")
            else:
                found += differences(left[key], right[key], f"{path}/{key}")
        return found
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return [f"{path}: {len(left)} items != {len(right)} items"]
        found = []
        for number, (a, b) in enumerate(zip(left, right, strict=True)):
            found += differences(a, b, f"{path}[{number}]")
        return found
    return [] if left == right else [f"{path}: {left!r} != {right!r}"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A migrated empty database (copied for every new instance), the demo source and its backup."""
    base = tmp_path_factory.mktemp("restore")
    empty = Instance(base / "empty")
    source = Instance(base / "source", template=empty.db)
    source.manage("load_demo")
    archive = base / "catalog.zip"
    started = time.monotonic()
    result = source.manage("backup_catalog", str(archive))
    backup_seconds = time.monotonic() - started
    assert "Sao lưu danh mục" in result.stderr  # progress goes to stderr
    return {
        "base": base,
        "empty": empty.db,
        "source": source,
        "archive": archive,
        "backup_seconds": backup_seconds,
    }


def rewrite(archive: Path, target: Path, change) -> None:
    """Copy `archive` member by member, letting `change(name, data)` alter bytes."""
    with zipfile.ZipFile(archive) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info.filename)))


def assert_nothing_written(instance: Instance) -> None:
    snapshot = instance.snapshot()
    assert snapshot["counts"] == {}
    assert snapshot["list"] == []
    assert not (instance.folder / "media" / "documents").exists() or not any(
        (instance.folder / "media" / "documents").iterdir()
    )


def test_demo_catalog_restored_into_an_empty_instance_serves_the_same_api(world):
    source = world["source"]
    target = Instance(world["base"] / "target", template=world["empty"])
    started = time.monotonic()
    result = target.manage("restore_catalog", str(world["archive"]))
    restore_seconds = time.monotonic() - started
    assert "Đã khôi phục" in result.stdout
    assert "Kiểm tra tệp sao lưu" in result.stderr

    before, after = source.snapshot(), target.snapshot()
    assert before["counts"] == after["counts"]
    found = differences(before["list"], after["list"], "/procedures")
    for code, detail in before["details"].items():
        found += differences(detail, after["details"].get(code), f"/procedures/{code}")
    compared = len(before["details"])
    print(
        f"\nbackup→restore: {compared} procedures compared (list + detail), "
        f"{len(found)} differences; archive {world['archive'].stat().st_size} bytes; "
        f"backup {world['backup_seconds']:.1f} s, restore {restore_seconds:.1f} s (wall, incl. start-up)"
    )
    assert compared >= 40
    assert found == [], found[:20]
    # The forms really are downloadable from the new instance's media.
    detail = next(
        d
        for d in after["details"].values()
        if any(doc["form"] for c in d["dossier_cases"] for doc in c["documents"])
    )
    form = next(
        doc["form"]
        for c in detail["dossier_cases"]
        for doc in c["documents"]
        if doc["form"]
    )
    stored = (
        target.folder / "media" / "documents" / form["download_url"].rsplit("/", 1)[1]
    )
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == form["sha256"]

    # A second restore into the now non-empty instance is refused without --replace...
    refused = target.manage("restore_catalog", str(world["archive"]), check=False)
    assert refused.returncode != 0
    assert "không trống" in refused.stderr
    # ...and with --replace everything is replaced, and still equal.
    target.manage("restore_catalog", "--replace", str(world["archive"]))
    again = target.snapshot()
    assert differences(before["details"], again["details"]) == []
    assert differences(before["list"], again["list"]) == []


@pytest.mark.parametrize(
    "damage, message",
    [
        (
            lambda name, data: (
                data.replace(b"\xc4\x90", b"\xc4\x91", 1)
                if name == "procedures.jsonl"
                else data
            ),
            "procedures.jsonl: sha256 differs",
        ),
        (
            lambda name, data: (
                data[: len(data) // 2] if name == "events.jsonl" else data
            ),
            "events.jsonl:",
        ),
        (
            lambda name, data: (
                data.replace(b'"format_version": 1', b'"format_version": 99')
                if name == "manifest.json"
                else data
            ),
            "format version 99 is not supported",
        ),
    ],
    ids=["bad-checksum", "truncated-member", "unknown-format-version"],
)
def test_a_damaged_archive_is_refused_and_nothing_is_written(world, damage, message):
    broken = world["base"] / f"broken-{time.monotonic_ns()}.zip"
    rewrite(world["archive"], broken, damage)
    target = Instance(world["base"] / broken.stem, template=world["empty"])
    result = target.manage("restore_catalog", str(broken), check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "không ghi gì" in result.stderr
    assert_nothing_written(target)


def test_a_truncated_archive_file_is_refused(world):
    broken = world["base"] / "cut.zip"
    data = world["archive"].read_bytes()
    broken.write_bytes(data[: len(data) // 3])
    target = Instance(world["base"] / "cut", template=world["empty"])
    result = target.manage("restore_catalog", str(broken), check=False)
    assert result.returncode != 0
    assert "truncated" in result.stderr or "damaged" in result.stderr, result.stderr
    assert_nothing_written(target)


def test_a_bad_line_is_named_and_nothing_is_written(world):
    """A line that parses but names a field entry the archive lacks: refused before writing,
    with member and line; checksums recomputed so only the content is wrong."""
    broken = world["base"] / "bad-line.zip"
    with zipfile.ZipFile(world["archive"]) as old:
        manifest = json.loads(old.read("manifest.json"))
        lines = old.read("procedures.jsonl").decode().splitlines(keepends=True)
        record = json.loads(lines[2])
        record["fields"] = [{"code": "KHONG-CO", "name": "Không có"}]
        lines[2] = json.dumps(record, ensure_ascii=False) + "\n"
        changed = "".join(lines).encode()
        manifest["members"]["procedures.jsonl"].update(
            sha256=hashlib.sha256(changed).hexdigest(), size=len(changed)
        )
        with zipfile.ZipFile(broken, "w") as new:
            for info in old.infolist():
                data = old.read(info.filename)
                if info.filename == "procedures.jsonl":
                    data = changed
                elif info.filename == "manifest.json":
                    data = json.dumps(manifest).encode()
                new.writestr(info.filename, data)
    target = Instance(world["base"] / "bad-line", template=world["empty"])
    result = target.manage("restore_catalog", str(broken), check=False)
    assert result.returncode != 0
    assert "procedures.jsonl, line 3" in result.stderr and "KHONG-CO" in result.stderr
    assert_nothing_written(target)


OPENGOV = settings.SHARED_DATA_DIR / "raw" / "dvcqg-opengov" / "details"
NATIONAL_SAMPLE = int(os.environ.get("RESTORE_NATIONAL_SAMPLE", "150"))


@pytest.mark.shared_data
@pytest.mark.whole_catalog  # about 1.5 minutes beyond the demo fixture
def test_national_sample_round_trip(world):
    """The first NATIONAL_SAMPLE national detail records (by file name), imported
    with import_catalog --publish (real data: long texts, many fees, attachments without files,
    departments created from agency names), backed up, restored, compared through the API."""
    if not OPENGOV.is_dir():
        pytest.skip(f"shared data absent: {OPENGOV} is needed for this test")
    sample = world["base"] / "national-details"
    sample.mkdir()
    for path in sorted(OPENGOV.glob("*.json"))[:NATIONAL_SAMPLE]:
        shutil.copy(path, sample / path.name)
    source = Instance(world["base"] / "national-source", template=world["empty"])
    source.manage("import_catalog", "--publish", str(sample))
    archive = world["base"] / "national.zip"
    started = time.monotonic()
    source.manage("backup_catalog", str(archive))
    backup_seconds = time.monotonic() - started
    target = Instance(world["base"] / "national-target", template=world["empty"])
    started = time.monotonic()
    target.manage("restore_catalog", str(archive))
    restore_seconds = time.monotonic() - started
    before, after = source.snapshot(), target.snapshot()
    assert before["counts"] == after["counts"]
    found = differences(before["list"], after["list"], "/procedures")
    for code, detail in before["details"].items():
        found += differences(detail, after["details"].get(code), f"/procedures/{code}")
    print(
        f"\nnational sample: {len(before['details'])} procedures compared, {len(found)} "
        f"differences; archive {archive.stat().st_size} bytes; backup {backup_seconds:.1f} s, "
        f"restore {restore_seconds:.1f} s (wall, incl. start-up)"
    )
    assert len(before["details"]) >= min(NATIONAL_SAMPLE, 100)
    assert found == [], found[:20]


@pytest.mark.django_db
def test_spreadsheet_export_reimports_unchanged_where_lists_and_forms_exist(tmp_path):
    """The admin's xlsx export is for editing: into a catalog that has the same departments,
    shared lists and forms (here: the same one after its procedures were deleted), it imports
    back with every procedure equal in content. Without those lists it cannot carry their names
    (list cells are codes): that is what backup_catalog is for."""
    import io

    from django.core.management import call_command

    from wagtail.models import Page

    from catalog.demo.loader import load_demo
    from catalog.importing.exporting import iter_snapshots, write_xlsx
    from catalog.models import ProcedurePage

    load_demo(log=lambda message: None)

    def snapshots():
        return {
            snapshot["local_code"] or snapshot["national_code"]: (snapshot, department)
            for snapshot, department in iter_snapshots(ProcedurePage.objects.all())
        }

    before = snapshots()
    path = tmp_path / "thu-tuc.xlsx"
    write_xlsx(ProcedurePage.objects.all(), path)
    for page in ProcedurePage.objects.all():
        Page.objects.get(pk=page.pk).delete()
    out = io.StringIO()
    call_command("import_catalog", "--publish", str(path), stdout=out)
    assert f"Tạo mới: {len(before)}  Cập nhật: 0  Không đổi: 0  Bị từ chối: 0" in (
        out.getvalue()
    )
    after = snapshots()
    changed = [code for code in before if before[code] != after.get(code)]
    print(f"\nspreadsheet re-import: {len(before)} procedures, {len(changed)} differ")
    assert len(before) >= 40 and changed == []


def test_an_error_while_writing_rolls_everything_back_and_removes_written_files(world):
    """Two form templates with one code pass the reading checks but break the database's
    unique code after the form files were written: the error names the line, the transaction
    leaves nothing, and the files this run wrote are deleted again."""
    broken = world["base"] / "duplicate-form.zip"
    with zipfile.ZipFile(world["archive"]) as old:
        manifest = json.loads(old.read("manifest.json"))
        lines = old.read("form_templates.jsonl").decode().splitlines(keepends=True)
        copy = json.loads(lines[0])
        copy["pk"] = 999999
        lines.append(json.dumps(copy, ensure_ascii=False) + "\n")
        changed = "".join(lines).encode()
        manifest["members"]["form_templates.jsonl"].update(
            sha256=hashlib.sha256(changed).hexdigest(), size=len(changed)
        )
        manifest["counts"]["form_templates.jsonl"] = len(lines)
        with zipfile.ZipFile(broken, "w") as new:
            for info in old.infolist():
                data = old.read(info.filename)
                if info.filename == "form_templates.jsonl":
                    data = changed
                elif info.filename == "manifest.json":
                    data = json.dumps(manifest).encode()
                new.writestr(info.filename, data)
    target = Instance(world["base"] / "duplicate-form", template=world["empty"])
    result = target.manage("restore_catalog", str(broken), check=False)
    assert result.returncode != 0
    assert f"form_templates.jsonl, line {len(lines)}" in result.stderr, result.stderr
    assert_nothing_written(target)

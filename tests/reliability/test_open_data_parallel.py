"""`manage.py export_open_data` writes the archive in a second process beside the other files
(api.opendata._ArchiveProcess); its files are byte for byte those of the one-process path, and
the catalog-backup.zip members too (only the archive's own manifest carries times)."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from tests.reliability.test_restore import Instance

pytestmark = pytest.mark.reliability

SERIAL = """
import sys
from pathlib import Path
from api.opendata import write_dump
write_dump(Path(sys.argv[1]))
"""


def files(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.resolve().iterdir())
        if path.name not in ("manifest.json", "catalog-backup.zip")
    }


def archive_members(folder: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(folder / "catalog-backup.zip") as opened:
        return {
            name: opened.read(name)
            for name in opened.namelist()
            if name != "manifest.json"
        }


def test_the_archive_written_beside_the_rest_is_the_same(tmp_path):
    instance = Instance(tmp_path / "source")
    instance.manage("load_demo")
    parallel, serial = tmp_path / "parallel", tmp_path / "serial"

    instance.manage("export_open_data", str(parallel))
    instance.manage("shell", "-c", SERIAL.replace("sys.argv[1]", repr(str(serial))))

    stages = json.loads((parallel / "manifest.json").read_text())["stages"]
    assert "catalog-backup.zip (chờ)" in stages  # the second process did write it
    assert (
        "catalog-backup.zip (chờ)"
        not in json.loads((serial / "manifest.json").read_text())["stages"]
    )
    assert len(files(parallel)) >= 10
    assert files(parallel) == files(serial)
    members = archive_members(parallel)
    assert "procedures.jsonl" in members
    assert members == archive_members(serial)

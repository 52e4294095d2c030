"""The open-data archive, downloaded as a citizen would from /api/v1/datasets/, restores into a
new, empty instance that then serves the same API as the source, procedure by procedure.

Also: the public archive carries no draft-only or withdrawn procedure. Instances, snapshots and the
comparison are test_restore's (one SQLite file and VAR_DIR per instance, driven in processes).
"""

import hashlib
import json
import zipfile

import pytest

from tests.reliability.test_restore import Instance, differences

pytestmark = pytest.mark.reliability

DOWNLOAD = """
import hashlib, json, sys
import django
django.setup()
from django.test import Client
client = Client()
record = client.get("/api/v1/datasets/").json()
[file] = [
    d for d in record["dcat:dataset"][0]["dcat:distribution"]
    if d["@id"].endswith("/catalog-backup.zip")
]
response = client.get(file["dcat:downloadURL"]["@id"].split("testserver", 1)[1])
data = b"".join(response.streaming_content)
assert hashlib.sha256(data).hexdigest() == file["spdx:checksum"]["spdx:checksumValue"]["@value"]
open(sys.argv[1], "wb").write(data)
"""


def test_the_downloaded_open_data_archive_restores_to_the_same_api(tmp_path):
    empty = Instance(tmp_path / "empty")
    source = Instance(tmp_path / "source", template=empty.db)
    source.manage("load_demo")
    # A procedure taken off the site must not travel in the public archive.
    source.manage(
        "shell",
        "-c",
        "from catalog.models import ProcedurePage; "
        "ProcedurePage.objects.live().order_by('pk').last().unpublish()",
    )
    archive = tmp_path / "downloaded.zip"
    source.python("-c", DOWNLOAD, str(archive))
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
    assert manifest["scope"] == "public"

    target = Instance(tmp_path / "target", template=empty.db)
    target.manage("restore_catalog", str(archive))
    before, after = source.snapshot(), target.snapshot()
    found = differences(before["list"], after["list"], "/procedures")
    for code, detail in before["details"].items():
        found += differences(detail, after["details"].get(code), f"/procedures/{code}")
    print(
        f"\nopen-data archive → restore: {len(before['details'])} procedures compared, "
        f"{len(found)} differences; archive {archive.stat().st_size} bytes, "
        f"sha256 {hashlib.sha256(archive.read_bytes()).hexdigest()[:12]}…"
    )
    assert len(before["details"]) >= 40
    assert found == [], found[:20]
    # Only the published procedures went: the withdrawn one is not in the new instance at all.
    assert after["counts"]["thủ tục hành chính"] == len(before["details"])

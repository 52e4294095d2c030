"""Bulk open-data downloads: what the files say equals what the API says, what the DCAT record
says about a file equals the bytes served, and a change to the catalog makes a newer dump."""

import csv
import hashlib
import io
import json

from django.core.management import call_command

import orjson
import pytest

from api import opendata
from catalog.opendata import cpsv
from tests.api.conftest import republish
from tests.factories import make_procedure

ORIGIN = "http://testserver"


@pytest.fixture
def dump_dir(tmp_path, settings):
    from django.core.cache import cache

    settings.OPEN_DATA_DIR = tmp_path / "served"
    keys = (opendata.FAILED_KEY, "opendata:rebuild_requested")
    cache.delete_many(keys)
    yield tmp_path
    cache.delete_many(keys)


def export(path, **kwargs) -> dict:
    err = io.StringIO()
    call_command(
        "export_open_data", str(path), origin=ORIGIN, stdout=io.StringIO(), stderr=err
    )
    assert "thủ tục" in err.getvalue()  # progress on stderr
    return json.loads((path / "manifest.json").read_bytes())


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_json_lines_are_the_detail_api_responses_byte_for_byte(
    catalog, client, dump_dir
):
    manifest = export(dump_dir / "dump")
    lines = (dump_dir / "dump" / "procedures.jsonl").read_bytes().splitlines()
    codes = [orjson.loads(line)["code"] for line in lines]
    assert sorted(codes) == ["1.000001", "1.000002", "1.000004", "HCM.PBT.01"]
    for code, line in zip(codes, lines, strict=True):
        assert client.get(f"/api/v1/procedures/{code}/").content == line
    assert manifest["procedures"] == 4
    assert {f["name"]: f["rows"] for f in manifest["files"]}["procedures.jsonl"] == 4


def test_csv_tables_open_in_excel_and_count_what_the_manifest_says(catalog, dump_dir):
    make_procedure(
        department=catalog["stp"],
        national_code="1.000009",
        title='=HYPERLINK("http://x.invalid")',
    )
    manifest = export(dump_dir / "dump")
    tables = [f for f in manifest["files"] if f["format"] == "CSV"]
    assert {f["name"] for f in tables} >= {
        "procedures.csv",
        "steps.csv",
        "methods.csv",
        "fees.csv",
        "cases.csv",
        "documents.csv",
        "legal_basis.csv",
        "fields.csv",
        "departments.csv",
        "forms.csv",
    }
    for file in tables:
        data = (dump_dir / "dump" / file["name"]).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), file["name"]
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert len(rows) - 1 == file["rows"], file["name"]
        assert hashlib.sha256(data).hexdigest() == file["sha256"]
        assert len(data) == file["size"]
    by_name = {f["name"]: f["rows"] for f in manifest["files"]}
    # make_procedure: two steps, two methods with three fees, two cases with three documents
    assert by_name["steps.csv"] == 5 * 2
    assert by_name["fees.csv"] == 5 * 3
    assert by_name["documents.csv"] == 5 * 3
    assert by_name["legal_basis.csv"] == 1
    fees = list(
        csv.DictReader(
            io.StringIO((dump_dir / "dump" / "fees.csv").read_text("utf-8-sig"))
        )
    )
    assert list(fees[0]) == [
        "procedure_code",
        "method_no",
        "fee_no",
        "kind",
        "amount",
        "currency",
        "description",
    ]
    assert {fee["currency"] for fee in fees} == {"VND"}
    procedures = (dump_dir / "dump" / "procedures.csv").read_text("utf-8-sig")
    assert "'=HYPERLINK" in procedures  # a spreadsheet shows it, does not run it
    jsonl = (dump_dir / "dump" / "procedures.jsonl").read_text("utf-8")
    assert '"=HYPERLINK' in jsonl  # the JSON keeps the text as it is


def test_the_json_ld_file_is_the_mapping_of_the_whole_catalog(catalog, dump_dir):
    export(dump_dir / "dump")
    lines = (dump_dir / "dump" / "procedures.jsonl").read_bytes().splitlines()
    expected = cpsv.procedures_to_cpsv(
        [orjson.loads(line) for line in lines], base_url=ORIGIN
    )
    assert orjson.loads((dump_dir / "dump" / "catalog.jsonld").read_bytes()) == (
        orjson.loads(orjson.dumps(expected))
    )


def test_dcat_record_checksums_and_sizes_match_the_served_bytes(
    catalog, client, dump_dir
):
    response = client.get("/api/v1/datasets/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response["Last-Modified"] and response["ETag"]
    record = response.json()
    assert record["@type"] == "dcat:Catalog"
    assert {t["@language"] for t in record["dct:title"]} == {"vi", "en"}
    dataset = record["dcat:dataset"][0]
    assert dataset["dct:license"]["@id"].startswith("https://creativecommons.org/")
    distributions = dataset["dcat:distribution"]
    assert {d["dct:format"] for d in distributions} >= {
        "JSON Lines",
        "CSV",
        "JSON-LD",
        "ZIP",
    }
    for distribution in distributions:
        url = distribution["dcat:downloadURL"]["@id"]
        assert url.startswith(f"{ORIGIN}/api/v1/datasets/")
        served = client.get(url[len(ORIGIN) :])
        assert served.status_code == 200, url
        data = body(served)
        checksum = distribution["spdx:checksum"]
        assert checksum["spdx:algorithm"]["@id"] == "spdx:checksumAlgorithm_sha256"
        assert (
            hashlib.sha256(data).hexdigest() == checksum["spdx:checksumValue"]["@value"]
        )
        assert str(len(data)) == distribution["dcat:byteSize"]["@value"]
        name = url.rsplit("/", 1)[1]
        assert served["Content-Disposition"] == f'attachment; filename="{name}"'
        assert served["ETag"] == f'"{checksum["spdx:checksumValue"]["@value"]}"'
        assert served["Last-Modified"] == response["Last-Modified"]


def test_conditional_get_answers_304(catalog, client, dump_dir):
    record = client.get("/api/v1/datasets/")
    assert (
        client.get("/api/v1/datasets/", HTTP_IF_NONE_MATCH=record["ETag"]).status_code
        == 304
    )
    file = client.get("/api/v1/datasets/fees.csv")
    again = client.get("/api/v1/datasets/fees.csv", HTTP_IF_NONE_MATCH=file["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get(
        "/api/v1/datasets/fees.csv", HTTP_IF_MODIFIED_SINCE=file["Last-Modified"]
    )
    assert since.status_code == 304
    stale = client.get("/api/v1/datasets/fees.csv", HTTP_IF_NONE_MATCH='"0000"')
    assert stale.status_code == 200


def test_an_unknown_file_is_a_json_404(catalog, client, dump_dir):
    for name in ("nope.csv", ".lock", "manifest.jsonx", "..%2Fdb", "procedures.csv/"):
        response = client.get(f"/api/v1/datasets/{name}")
        assert response.status_code == 404, name
        assert set(response.json()) == {"message"}, name
    assert client.get("/api/v1/datasets/procedures.csv").status_code == 200


def test_a_publish_makes_the_next_dump_newer(catalog, client, dump_dir):
    first = client.get("/api/v1/datasets/").json()
    page = catalog["marriage"]
    page.title = "Đăng ký kết hôn (sửa)"
    republish(page)
    second = client.get("/api/v1/datasets/")
    modified = second.json()["dct:modified"]["@value"]
    assert modified > first["dct:modified"]["@value"]
    lines = body(client.get("/api/v1/datasets/procedures.jsonl")).decode()
    assert "Đăng ký kết hôn (sửa)" in lines
    # Unchanged catalog: the same dump, not rebuilt on every request.
    third = client.get("/api/v1/datasets/").json()
    assert third["dct:modified"]["@value"] == modified


def test_with_a_worker_a_stale_dump_is_served_while_the_worker_rebuilds(
    catalog, client, dump_dir, monkeypatch
):
    first = client.get("/api/v1/datasets/").json()["dct:modified"]
    asked = []
    task = opendata.rebuild_open_data

    class Queue:
        def enqueue(self):
            asked.append(True)

    monkeypatch.setattr(opendata, "_queued_backend", lambda: True)
    monkeypatch.setattr(opendata, "rebuild_open_data", Queue())
    republish(catalog["marriage"])
    assert client.get("/api/v1/datasets/").json()["dct:modified"] == first
    assert client.get("/api/v1/datasets/").json()["dct:modified"] == first
    assert asked == [True]  # once a minute at most, across processes
    task.call()
    assert client.get("/api/v1/datasets/").json()["dct:modified"] != first


def test_a_dump_is_swapped_in_whole_or_not_at_all(catalog, dump_dir, monkeypatch):
    target = dump_dir / "dump"
    export(target)
    old = target.resolve()
    export(target)
    assert target.is_symlink() and target.resolve() != old
    assert old.exists()  # a download that began on it can finish

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(opendata, "write_backup", broken)
    current = target.resolve()
    with pytest.raises(OSError):
        opendata.write_dump(target)
    assert target.resolve() == current  # still the last good dump
    folders = sorted(p.name for p in dump_dir.iterdir() if p.name.startswith(".dump-"))
    assert len(folders) == 2  # the current and the previous one; no half-written folder


def test_export_refuses_to_replace_a_plain_folder(dump_dir):
    from django.core.management.base import CommandError

    (dump_dir / "mine").mkdir()
    with pytest.raises(CommandError, match="thư mục hoặc tệp thường"):
        call_command("export_open_data", str(dump_dir / "mine"), stdout=io.StringIO())


def test_the_open_data_page_lists_the_files_in_vietnamese(catalog, client, dump_dir):
    response = client.get("/du-lieu-mo/")
    assert response.status_code == 200
    html = response.content.decode()
    manifest = opendata.read_dump().manifest
    assert "Dữ liệu mở" in html and "Giấy phép" in html
    for file in manifest["files"]:
        assert f"/api/v1/datasets/{file['name']}" in html
        assert file["sha256"] in html
    assert 'href="/api/v1/datasets/"' in html and 'href="/api/v1/docs/"' in html
    assert "<script>" not in html  # the strict CSP allows no inline script
    client.cookies["django_language"] = "en"
    english = client.get("/du-lieu-mo/").content.decode()
    assert "Open data: the catalog of administrative procedures" in english
    assert "Procedures table" in english  # file titles in English too


def test_the_datasets_endpoints_are_in_the_openapi_schema(client, db):
    document = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    catalog_op = document["paths"]["/api/v1/datasets/"]["get"]
    assert "application/ld+json" in catalog_op["responses"]["200"]["content"]
    assert {"200", "304"} <= set(catalog_op["responses"])
    file_op = document["paths"]["/api/v1/datasets/{name}"]["get"]
    assert {"200", "304", "404"} <= set(file_op["responses"])


def test_a_failed_rebuild_serves_the_last_good_dump_and_waits_before_trying_again(
    catalog, client, dump_dir, monkeypatch
):
    first = client.get("/api/v1/datasets/").json()["dct:modified"]
    attempts = []

    def broken(*args, **kwargs):
        attempts.append(True)
        raise FileNotFoundError("media/documents/tk01.pdf")

    monkeypatch.setattr(opendata, "write_backup", broken)
    republish(catalog["marriage"])
    for _ in range(3):
        response = client.get("/api/v1/datasets/")
        assert response.status_code == 200
        assert response.json()["dct:modified"] == first
    assert len(attempts) == 1
    assert client.get("/api/v1/datasets/procedures.jsonl").status_code == 200

"""A fee's currency through backup_catalog and restore_catalog, in this process: what the page
and the API show after a restore is what they showed before, and an archive written before
fees had a currency restores them as đồng."""

import hashlib
import io
import json
import zipfile

from django.core.management import call_command

import pytest

from catalog.models import FeeItem, ProcedurePage
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def abroad(department):
    """A procedure whose in-person fee is 20 USD, beside fees in đồng."""
    page = make_procedure(
        department=department, national_code="1.000736", title="Ghi chú kết hôn"
    )
    methods = list(page.execution_methods.all())
    methods[0].fees = [
        FeeItem(kind="charge", amount=20, currency="USD", sort_order=0),
        FeeItem(kind="fee", amount=8000, sort_order=1),
    ]
    page.execution_methods = methods
    page.change_note = "Lệ phí tại cơ quan đại diện"
    page.save_revision().publish()
    return page


def fees_shown(client) -> tuple[list, str]:
    """The first method's fees in the API, and the procedure page's HTML."""
    page = ProcedurePage.objects.get(national_code="1.000736")
    body = client.get("/api/v1/procedures/1.000736/").json()
    fees = [
        (fee["amount"], fee["currency"]) for fee in body["execution_methods"][0]["fees"]
    ]
    return fees, client.get(page.url).content.decode()


def backup_and_restore(path, change=None) -> None:
    call_command(
        "backup_catalog", str(path), stdout=io.StringIO(), stderr=io.StringIO()
    )
    if change is not None:
        rewrite_procedures(path, change)
    call_command(
        "restore_catalog",
        str(path),
        "--replace",
        "--no-search-index",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )


def rewrite_procedures(path, change) -> None:
    """Apply `change` to each procedures.jsonl record, with the manifest's checksums updated."""
    with zipfile.ZipFile(path) as old:
        members = {name: old.read(name) for name in old.namelist()}
    lines = members["procedures.jsonl"].decode().splitlines(keepends=True)
    data = "".join(
        json.dumps(change(json.loads(line)), ensure_ascii=False) + "\n"
        for line in lines
    ).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["members"]["procedures.jsonl"].update(
        sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
    members["procedures.jsonl"] = data
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as new:
        for name, content in members.items():
            new.writestr(name, content)


def test_restore_gives_back_the_fee_currency(client, abroad, tmp_path):
    before = fees_shown(client)
    assert before[0] == [(20, "USD"), (8000, "VND")]
    assert "20 USD" in before[1]

    backup_and_restore(tmp_path / "catalog.zip")

    fees, html = fees_shown(client)
    assert fees == before[0]
    assert "Lệ phí: <strong>20 USD</strong>" in html
    assert "Phí: <strong>8.000 đồng</strong>" in html


def test_an_archive_from_before_currencies_restores_fees_as_dong(
    client, abroad, tmp_path
):
    def without_currency(record):
        for method in record["execution_methods"]:
            for fee in method["fees"]:
                del fee["currency"]
        return record

    backup_and_restore(tmp_path / "old.zip", change=without_currency)

    fees, html = fees_shown(client)
    assert fees == [(20, "VND"), (8000, "VND")]
    assert "20 đồng" in html

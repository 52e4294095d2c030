"""The example sync client (docs/examples/sync_client.py) mirrors the demo catalog through edits."""

import json
import subprocess
import sys
import urllib.request

from django.conf import settings as django_settings
from django.db.models import Q

import pytest

from api.services import issue_api_key
from catalog.models import (
    DepartmentPage,
    Field,
    FormTemplate,
    ProcedurePage,
    RequiredDocument,
)
from tests.api.conftest import refreshed, set_first_fee
from tests.factories import make_procedure

CLIENT = django_settings.BASE_DIR / "docs" / "examples" / "sync_client.py"


def run_client(live_server, db_path, *args):
    result = subprocess.run(
        [
            sys.executable,
            str(CLIENT),
            "--base-url",
            live_server.url,
            "--db",
            str(db_path),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def mirror(db_path):
    sys.path.insert(0, str(CLIENT.parent))
    try:
        from sync_client import load_mirror
    finally:
        sys.path.pop(0)
    return load_mirror(str(db_path))


def api_catalog(live_server) -> dict:
    """Every published procedure as the list endpoint serves it, keyed by id."""
    items, url = [], f"{live_server.url}/api/v1/procedures/?page_size=200"
    while url:
        with urllib.request.urlopen(url) as response:
            body = json.load(response)
        items += body["items"]
        url = body["meta"]["next"]
    return {item["id"]: item for item in items}


@pytest.fixture
def demo_catalog(transactional_db):
    from catalog.demo.loader import load_demo

    load_demo(log=lambda message: None)
    assert ProcedurePage.objects.live().count() >= 40


@pytest.mark.django_db(transaction=True)
def test_sync_client_mirrors_the_demo_catalog_through_edits(
    live_server, demo_catalog, tmp_path
):
    _, api_key = issue_api_key(name="Một cửa thử nghiệm", per_minute=100000)
    db_path = tmp_path / "mirror.sqlite3"

    first = run_client(live_server, db_path, "--api-key", api_key, "--page-size", "17")
    published = api_catalog(live_server)
    assert first["procedures"] == len(published)
    assert mirror(db_path) == published

    # The catalog changes: publish, edit a fee, unpublish, delete, delete after unpublish, move.
    pages = list(ProcedurePage.objects.live().order_by("pk"))
    departments = list(DepartmentPage.objects.order_by("pk"))
    new = make_procedure(
        department=departments[0], national_code="9.000001", title="Thủ tục mới"
    )
    edited = (
        set_first_fee(pages[0], 123456) if pages[0].execution_methods.exists() else None
    )
    refreshed(pages[1]).unpublish()
    refreshed(pages[2]).delete()
    refreshed(pages[3]).unpublish()
    refreshed(pages[3]).delete()
    target = next(d for d in departments if d.pk != pages[4].get_parent().pk)
    refreshed(pages[4]).move(target, pos="last-child")

    second = run_client(live_server, db_path, "--api-key", api_key)
    assert second["upserted"] + second["deleted"] <= 8  # only the changes travelled
    published = api_catalog(live_server)
    copy = mirror(db_path)
    assert copy == published
    assert new.pk in copy and pages[1].pk not in copy and pages[2].pk not in copy
    assert pages[3].pk not in copy
    assert copy[pages[4].pk]["department"]["code"] == target.code
    if edited is not None:
        assert copy[edited.pk]["execution_methods"][0]["fees"][0]["amount"] == 123456

    # Shared data the procedures show changes: a field and a department are renamed, a form
    # gets a new version. Only the procedures that show them travel, and the mirror follows.
    field = Field.objects.filter(procedurepage__live=True).order_by("pk").first()
    field.name = "Lĩnh vực đã đổi tên"
    field.save()
    renamed = departments[1].specific
    renamed.title = "Đơn vị đã đổi tên"
    renamed.save_revision().publish()
    form = (
        FormTemplate.objects.filter(
            pk__in=RequiredDocument.objects.values("form_template")
        )
        .order_by("pk")
        .first()
    )
    form.version = "2026.2"
    form.save()
    showing = (
        ProcedurePage.objects.live()
        .filter(
            Q(fields=field)
            | Q(path__startswith=renamed.path)
            | Q(dossier_cases__documents__form_template=form)
        )
        .distinct()
        .count()
    )
    fourth = run_client(live_server, db_path, "--api-key", api_key, "--no-lists")
    assert 0 < fourth["upserted"] <= showing and fourth["deleted"] == 0
    published = api_catalog(live_server)
    copy = mirror(db_path)
    assert copy == published
    assert any(
        entry["name"] == "Lĩnh vực đã đổi tên"
        for item in copy.values()
        for entry in item["fields"]
    )
    assert any(
        (item["department"] or {}).get("title") == "Đơn vị đã đổi tên"
        for item in copy.values()
    )
    # The public history shows what editors wrote, not these refreshes.
    history = [
        entry
        for item in copy.values()
        if item["department"] and item["department"]["code"] == renamed.code
        for entry in item["change_history"]
    ]
    assert history and all(entry["change_note"] for entry in history)

    # Nothing changed since: a third run applies nothing; a fresh mirror is identical.
    third = run_client(live_server, db_path, "--api-key", api_key, "--no-lists")
    assert third["upserted"] == third["deleted"] == 0
    fresh_path = tmp_path / "fresh.sqlite3"
    run_client(live_server, fresh_path, "--no-lists")
    assert mirror(fresh_path) == published

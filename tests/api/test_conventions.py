"""What every endpoint shares: JSON envelopes, {"message"} errors, ETag / Last-Modified and 304."""

import os
import re
import secrets
import subprocess
import sys

from django.conf import settings as django_settings

import pytest

from tests.api.conftest import get_json

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/api/v1/procedures/",
    "/api/v1/departments/",
    "/api/v1/fields/",
    "/api/v1/levels/",
    "/api/v1/subject-types/",
    "/api/v1/life-events/",
    "/api/v1/legal-documents/",
    "/api/v1/forms/",
    "/api/v1/changes/",
]
DETAIL_URLS = [
    "/api/v1/procedures/1.000001/",
    "/api/v1/departments/STP/",
    "/api/v1/forms/TK01/",
]


def test_lists_are_meta_and_items(client, catalog):
    for url in LIST_URLS:
        response, body = get_json(client, url)
        assert response.status_code == 200
        assert set(body) == {"meta", "items"}
        assert body["items"], url


def test_every_get_has_etag_and_last_modified_and_answers_304(client, catalog):
    for url in LIST_URLS + DETAIL_URLS + ["/api/v1/schema/"]:
        first = client.get(url)
        assert first.status_code == 200, url
        etag, modified = first["ETag"], first["Last-Modified"]
        assert etag.startswith('"') and modified.endswith("GMT")
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b"", url
        assert again["ETag"] == etag
        assert client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_a_change_changes_the_etag_and_the_date(client, catalog):
    from tests.api.conftest import set_first_fee

    url = "/api/v1/procedures/1.000002/"
    first = client.get(url)
    set_first_fee(catalog["marriage"], 99000)
    stale = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert stale.status_code == 200
    assert stale["ETag"] != first["ETag"]
    assert stale.json()["execution_methods"][0]["fees"][0]["amount"] == 99000


def test_unknown_parameters_are_400(client, catalog):
    for url in LIST_URLS + DETAIL_URLS:
        response, body = get_json(client, url + "?unexpected=1")
        assert response.status_code == 400, url
        assert "unexpected" in body["message"]


def test_unknown_paths_and_methods_answer_json(client, catalog):
    response, body = get_json(client, "/api/v1/no-such-thing/")
    assert response.status_code == 404 and set(body) == {"message"}
    # written as every other answer: Vietnamese as is, compact
    assert response.content == ('{"message":"' + body["message"] + '"}').encode()
    response, body = get_json(client, "/api/v1/departments/NOPE/")
    assert response.status_code == 404 and set(body) == {"message"}
    response = client.post("/api/v1/procedures/", {})
    assert response.status_code == 405 and set(response.json()) == {"message"}


def test_interactive_docs_use_local_assets_only(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    )
    assert "cdn" not in html.lower() and "https://" not in html
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")


def test_departments_count_published_procedures_only(client, catalog):
    _, body = get_json(client, "/api/v1/departments/")
    counts = {item["code"]: item["procedure_count"] for item in body["items"]}
    assert counts == {"STP": 2, "PBT": 2}


def test_forms_carry_what_a_client_needs_to_verify_the_file(client, catalog):
    _, body = get_json(client, "/api/v1/forms/TK01/")
    assert body["size"] == len(b"%PDF-1.4 demo")
    import hashlib

    assert body["sha256"] == hashlib.sha256(b"%PDF-1.4 demo").hexdigest()
    download = client.get(body["download_url"].removeprefix("http://testserver"))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"


TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00$")


def _times(value, path=""):
    """(path, value) of every `*_at` key in a JSON body."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.endswith("_at") and inner is not None:
                yield f"{path}.{key}", inner
            else:
                yield from _times(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _times(inner, f"{path}[{index}]")


def test_every_time_has_one_shape_even_on_a_whole_second(client, catalog):
    """isoformat() drops a zero fraction: a time stored to the second (an import, a restore)
    came back as 10:00:00+00:00 beside 10:00:00.418000+00:00 everywhere else."""
    import datetime

    from catalog.models import CatalogEvent, FormTemplate, ProcedurePage

    whole = datetime.datetime(2026, 1, 5, 3, 0, tzinfo=datetime.UTC)
    birth = catalog["birth"]
    ProcedurePage.objects.filter(pk=birth.pk).update(first_published_at=whole)
    CatalogEvent.objects.filter(page_id=birth.pk).update(occurred_at=whole)
    FormTemplate.objects.filter(code="TK01").update(updated_at=whole)
    _, detail = get_json(client, "/api/v1/procedures/1.000001/")
    assert detail["first_published_at"] == "2026-01-05T03:00:00.000000+00:00"
    assert detail["change_history"][0]["occurred_at"] == (
        "2026-01-05T03:00:00.000000+00:00"
    )
    assert detail["decision_date"] is None or len(detail["decision_date"]) == 10
    _, form = get_json(client, "/api/v1/forms/TK01/")
    assert form["updated_at"] == "2026-01-05T03:00:00.000000+00:00"
    seen = []
    for url in [*LIST_URLS, *DETAIL_URLS]:
        _, body = get_json(client, url)
        for path, value in _times(body):
            seen.append(path)
            assert TIMESTAMP.fullmatch(value), (url, path, value)
    assert len(seen) > 20


def test_legal_documents_page_by_cursor(client, db):
    from catalog.models import LegalDocument
    from tests.api.conftest import all_items

    for number in range(5):
        LegalDocument.objects.create(number=f"{number}/2025/NĐ-CP", title="Nghị định")
    items = all_items(client, "/api/v1/legal-documents/?page_size=2")
    assert [item["number"] for item in items] == [f"{n}/2025/NĐ-CP" for n in range(5)]


def test_dev_may_browse_but_production_renders_json_only():
    assert django_settings.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == [
        "api.renderers.JSONRenderer"
    ]
    code = (
        "from django.conf import settings; "
        "print(settings.REST_FRAMEWORK['DEFAULT_RENDERER_CLASSES'])"
    )
    output = run_manage(["shell", "-c", code], settings="cms.settings.production")
    assert "['api.renderers.JSONRenderer']" in output.splitlines()


def test_check_deploy_is_clean_with_production_settings():
    output = run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        settings="cms.settings.production",
    )
    assert "no issues" in output


def run_manage(args, *, settings):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings,
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "catalog.example.invalid",
        "DATABASE_URL": "sqlite:///:memory:",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr

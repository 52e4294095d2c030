"""Form files go to the disk by default and to an S3-API bucket with MEDIA_STORAGE=s3.

The bucket test runs against moto's S3 server (an S3 API emulator over HTTP on loopback), not a
real S3, MinIO or Ceph: it shows the upload, the download and the names go through the storage
API, not that a given provider's quirks are handled.
"""

import importlib
import json
import os
import socket
import sys
from pathlib import Path

from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

import pytest

from catalog.models import FormTemplate
from catalog.services.roles import grant_role
from cms.config import ConfigError
from cms.storage import media_storage

PDF = b"%PDF-1.4\n% to khai dang ky ho kinh doanh\n" + b"2" * 400
BUCKET = "catalog-forms"


def test_local_disk_is_the_default(monkeypatch):
    monkeypatch.delenv("MEDIA_STORAGE", raising=False)
    assert media_storage() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def test_s3_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "https://s3.example.vn")
    monkeypatch.setenv("AWS_S3_REGION_NAME", "hcm-1")
    monkeypatch.setenv("AWS_S3_CUSTOM_DOMAIN", "tep.dichvucong.example/")
    monkeypatch.setenv("AWS_LOCATION", "catalog")
    assert media_storage() == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": "https://s3.example.vn",
            "region_name": "hcm-1",
            "custom_domain": "tep.dichvucong.example",
            "location": "catalog",
            "querystring_auth": False,  # public links through the CDN domain
            "querystring_expire": 3600,
            "file_overwrite": False,
        },
    }
    monkeypatch.delenv("AWS_S3_CUSTOM_DOMAIN")
    assert media_storage()["OPTIONS"]["querystring_auth"] is True  # signed links


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE='ftp': choose one of local, s3."),
        ({"MEDIA_STORAGE": "s3"}, "MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME"),
        (
            {
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": BUCKET,
                "AWS_S3_ENDPOINT_URL": "s3.example.vn",
            },
            "AWS_S3_ENDPOINT_URL='s3.example.vn' is not an http(s) URL.",
        ),
        (
            {
                "MEDIA_STORAGE": "s3",
                "AWS_STORAGE_BUCKET_NAME": BUCKET,
                "AWS_S3_CUSTOM_DOMAIN": "https://cdn.example.vn/tep",
            },
            "give a host name",
        ),
    ],
)
def test_bad_storage_settings_stop_start_up(monkeypatch, environ, message):
    for name in (
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_CUSTOM_DOMAIN",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        media_storage()
    assert message in str(raised.value)


def test_production_settings_use_the_bucket(monkeypatch, tmp_path):
    for name, value in {
        "VAR_DIR": str(tmp_path),
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "dichvucong.example",
        "MEDIA_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
    }.items():
        monkeypatch.setenv(name, value)
    # the settings modules run afresh with this environment; the originals come back after
    monkeypatch.delitem(sys.modules, "cms.settings.production", raising=False)
    monkeypatch.delitem(sys.modules, "cms.settings.base")
    production = importlib.import_module("cms.settings.production")
    assert production.STORAGES["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    assert production.STORAGES["default"]["OPTIONS"]["bucket_name"] == BUCKET
    assert production.STORAGES["staticfiles"]["BACKEND"].endswith(
        "ManifestStaticFilesStorage"
    )


# --- live, against an S3-API server on loopback ----------------------------------------------


@pytest.fixture
def s3_server(monkeypatch):
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    for name, value in {
        "AWS_ACCESS_KEY_ID": "catalog-test",
        "AWS_SECRET_ACCESS_KEY": "catalog-test-secret",  # noqa: S105
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    }.items():
        monkeypatch.setenv(name, value)
    import boto3

    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=BUCKET)
    yield endpoint, client
    server.stop()


@pytest.fixture
def bucket_storage(s3_server, settings, monkeypatch, tmp_path):
    endpoint, client = s3_server
    # an empty disk of its own: files other tests left in the shared MEDIA_ROOT do not count
    settings.MEDIA_ROOT = str(tmp_path / "media")
    monkeypatch.setenv("MEDIA_STORAGE", "s3")
    monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", BUCKET)
    monkeypatch.setenv("AWS_S3_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_S3_REGION_NAME", "us-east-1")
    monkeypatch.setenv("AWS_LOCATION", "hcmc")
    settings.STORAGES = {**settings.STORAGES, "default": media_storage()}
    yield client
    storages._backends.clear()


@pytest.mark.reliability  # starts a server: run once, in the PostgreSQL pass
@pytest.mark.django_db
def test_an_uploaded_form_lands_in_the_bucket_and_downloads(
    client, bucket_storage, django_user_model, superuser, department, settings
):
    editor = django_user_model.objects.create_user("editor", password="pw")
    grant_role(actor=superuser, user=editor, department=department, role="editor")
    client.force_login(editor)
    response = client.post(
        "/admin/snippets/choose/catalog/formtemplate/create/",
        {
            "code": "HKD-01",
            "name": "Tờ khai đăng ký hộ kinh doanh",
            "version": "1",
            "effective_on": "01/07/2025",
            "file": SimpleUploadedFile("to-khai.pdf", PDF, "application/pdf"),
        },
    )
    assert json.loads(response.content)["step"] == "chosen"
    template = FormTemplate.objects.get(code="HKD-01")
    # the object is in the bucket under the installation's prefix; nothing on the host's disk
    keys = [
        item["Key"]
        for item in bucket_storage.list_objects_v2(Bucket=BUCKET)["Contents"]
    ]
    assert keys == [f"hcmc/{template.document.file.name}"]
    stored = bucket_storage.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read()
    assert stored == PDF
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    # the checksum the API publishes was read back from the bucket
    assert template.size == len(PDF)
    # a citizen downloads it through the public documents link
    client.logout()
    download = client.get(template.document.url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    # a second upload with the same file name gets its own object, never replaces the first
    client.force_login(editor)
    client.post(
        "/admin/snippets/choose/catalog/formtemplate/create/",
        {
            "code": "HKD-02",
            "name": "Tờ khai thay đổi hộ kinh doanh",
            "version": "1",
            "effective_on": "01/07/2025",
            "file": SimpleUploadedFile(
                "to-khai.pdf", b"%PDF-1.4 khac", "application/pdf"
            ),
        },
    )
    second = FormTemplate.objects.get(code="HKD-02")
    assert second.document.file.name != template.document.file.name
    assert bucket_storage.get_object(Bucket=BUCKET, Key=keys[0])["Body"].read() == PDF

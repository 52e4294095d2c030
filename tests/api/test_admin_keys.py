"""Catalog administrators issue, revoke and set quotas for API keys in the Wagtail admin; nobody else."""

from django.contrib.auth.models import Group, Permission

import pytest

from api.models import ApiKey, hash_key
from api.services import issue_api_key
from catalog.permissions import CATALOG_ADMIN_GROUP

pytestmark = pytest.mark.django_db

ADD = "/admin/api-keys/new/"
INDEX = "/admin/api-keys/"


@pytest.fixture
def catalog_admin(django_user_model):
    user = django_user_model.objects.create_user("quantri", password="pw")
    group, _ = Group.objects.get_or_create(name=CATALOG_ADMIN_GROUP)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    user.groups.add(group)
    return user


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("bientap", password="pw")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def issue(client, **data):
    form = {
        "name": "Một cửa phường Bến Thành",
        "contact": "",
        "per_minute": "60",
        "per_day": "",
    }
    form.update(data)
    return client.post(ADD, form)


def test_catalog_admin_issues_a_key_shown_once_and_stored_hashed(client, catalog_admin):
    client.force_login(catalog_admin)
    response = issue(client, per_day="1000")
    assert response.status_code == 200
    html = response.content.decode()
    key = ApiKey.objects.get()
    assert (key.per_minute, key.per_day, key.created_by) == (60, 1000, catalog_admin)
    raw = html.split("data-api-key")[0].rsplit('value="', 1)[1].split('"', 1)[0]
    assert raw.startswith(key.prefix) and key.key_hash == hash_key(raw)
    assert "no-store" in response["Cache-Control"]
    # The key works, and is never shown again.
    assert client.get("/api/v1/levels/", HTTP_X_API_KEY=raw).status_code == 200
    listing = client.get(INDEX).content.decode()
    assert key.prefix in listing and raw not in listing
    edit = client.get(f"/admin/api-keys/edit/{key.pk}/").content.decode()
    assert raw not in edit and key.key_hash not in edit


def test_catalog_admin_sets_quota_and_revokes(client, catalog_admin):
    key, raw = issue_api_key(name="Cổng dịch vụ công", per_minute=10)
    client.force_login(catalog_admin)
    url = f"/admin/api-keys/edit/{key.pk}/"
    form = {"name": key.name, "contact": "", "per_minute": "2", "per_day": ""}
    assert client.post(url, form).status_code == 302
    assert ApiKey.objects.get().per_minute == 2
    statuses = [
        client.get("/api/v1/levels/", HTTP_X_API_KEY=raw).status_code for _ in range(3)
    ]
    assert statuses == [200, 200, 429]

    assert client.post(url, {**form, "revoked": "on"}).status_code == 302
    assert ApiKey.objects.get().revoked_at is not None
    assert client.get("/api/v1/levels/", HTTP_X_API_KEY=raw).status_code == 401
    assert "Đã thu hồi" in client.get(INDEX).content.decode()


def test_others_cannot_see_or_issue_keys(client, editor):
    issue_api_key(name="Cổng dịch vụ công")
    client.force_login(editor)
    for response in (client.get(INDEX), client.get(ADD), issue(client)):
        assert response.status_code in (302, 403)
    assert ApiKey.objects.count() == 1
    # Positive control: the same requests succeed for a superuser.
    editor.is_superuser = True
    editor.save()
    assert client.get(INDEX).status_code == 200

"""Admin login throttling (django-axes): the limits, the message, forged addresses, unlocking.

The probe that opened issue 17 sent 40 wrong admin passwords in 13 s and every one was checked.
Now the 5th wrong password for one username from one address locks that pair for 15 minutes;
while locked even the right password is refused unchecked.
"""

import datetime
import html
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import pytest
from axes.models import AccessAttempt

pytestmark = pytest.mark.django_db

LOGIN = reverse("wagtailadmin_login")
LOCKED = "Tài khoản tạm thời bị khóa vì đăng nhập sai quá nhiều lần"
WRONG = "wrong-password"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser(
        "bientap", "bientap@example.invalid", "dung-mat-khau"
    )


def attempt(client, password, username="bientap", **meta):
    return client.post(LOGIN, {"username": username, "password": password}, **meta)


def text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>|\s+", " ", response.content.decode()))


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_limits_are_five_failures_and_fifteen_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == datetime.timedelta(minutes=15)
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert (
        "guardian.backends.ObjectPermissionBackend" in settings.AUTHENTICATION_BACKENDS
    )


def test_four_wrong_passwords_then_the_right_one_logs_in_and_clears_the_count(editor):
    client = Client()
    for _ in range(4):
        response = attempt(client, WRONG)
        assert response.status_code == 200
        assert LOCKED not in text(response)
    response = attempt(client, "dung-mat-khau")
    assert response.status_code == 302 and logged_in(client)
    # the success cleared the count: four more wrong ones still do not lock
    other = Client()
    for _ in range(4):
        assert attempt(other, WRONG).status_code == 200
    assert attempt(other, "dung-mat-khau").status_code == 302


def test_fifth_wrong_password_locks_and_the_right_one_is_then_refused(editor):
    client = Client()
    statuses = [attempt(client, WRONG).status_code for _ in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    response = attempt(client, "dung-mat-khau")
    assert response.status_code == 429
    assert (
        response["Retry-After"] == "900"
    )  # a client or script is told when to come back
    page = text(response)
    assert LOCKED in page and "15 phút" in page
    assert "Đăng nhập" in page  # still Wagtail's login page, in Vietnamese
    assert not logged_in(client)
    # 40 attempts, as the probe sent: all refused, and refusals do not extend the count
    for _ in range(40):
        assert attempt(client, WRONG).status_code == 429
    assert AccessAttempt.objects.get(username="bientap").failures_since_start == 5


def test_the_lock_holds_one_username_from_one_address_only(editor):
    get_user_model().objects.create_superuser("kiemduyet", "k@example.invalid", "pw-k")
    for _ in range(5):
        attempt(Client(), WRONG, REMOTE_ADDR="198.51.100.7")
    assert (
        attempt(Client(), "dung-mat-khau", REMOTE_ADDR="198.51.100.7").status_code
        == 429
    )
    # the same person from another address, another user from the locked address
    assert (
        attempt(Client(), "dung-mat-khau", REMOTE_ADDR="198.51.100.8").status_code
        == 302
    )
    response = attempt(
        Client(), "pw-k", username="kiemduyet", REMOTE_ADDR="198.51.100.7"
    )
    assert response.status_code == 302


def test_a_forged_x_forwarded_for_does_not_start_a_fresh_count(editor, settings):
    settings.API_TRUSTED_PROXIES = 0  # no proxy: the header is the client's own word
    for n in range(5):
        attempt(Client(), WRONG, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    forged = attempt(Client(), "dung-mat-khau", HTTP_X_FORWARDED_FOR="203.0.113.99")
    assert forged.status_code == 429 and LOCKED in text(forged)


def test_behind_one_proxy_only_the_address_it_appended_counts(editor, settings):
    settings.API_TRUSTED_PROXIES = 1
    for n in range(
        5
    ):  # the client forges the left part; the proxy appends the real address
        attempt(Client(), WRONG, HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 203.0.113.5")
    locked = attempt(
        Client(), "dung-mat-khau", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5"
    )
    assert locked.status_code == 429
    elsewhere = attempt(Client(), "dung-mat-khau", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert elsewhere.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.5"


def test_the_lock_ends_after_the_cool_off(editor):
    for _ in range(5):
        attempt(Client(), WRONG)
    assert attempt(Client(), "dung-mat-khau").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - datetime.timedelta(minutes=16)
    )
    assert attempt(Client(), "dung-mat-khau").status_code == 302


def test_a_catalog_admin_unlocks_with_axes_reset_username(editor):
    for _ in range(5):
        attempt(Client(), WRONG)
    assert attempt(Client(), "dung-mat-khau").status_code == 429
    call_command("axes_reset_username", "bientap")
    assert attempt(Client(), "dung-mat-khau").status_code == 302


def test_force_login_and_logged_in_pages_are_untouched(editor):
    client = Client()
    client.force_login(editor)
    assert client.get("/admin/").status_code == 200


def test_a_browser_set_to_english_is_told_in_english(editor):
    for _ in range(5):
        attempt(Client(), WRONG, HTTP_ACCEPT_LANGUAGE="en")
    response = attempt(Client(), "dung-mat-khau", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "temporarily locked after too many failed sign-in attempts" in text(response)
    assert "15 minutes" in text(response)

import os

import pytest

from tests.factories import make_department, make_procedure


def pytest_report_header(config):
    from django.db import connection

    return f"database: {connection.vendor} ({os.environ.get('TEST_DATABASE', 'from DATABASE_URL')})"


@pytest.fixture
def department(db):
    return make_department(code="STP", title="Sở Tư pháp")


@pytest.fixture
def other_department(db):
    return make_department(code="PBT", title="UBND phường Bến Thành", kind="ward")


@pytest.fixture
def procedure(department):
    return make_procedure(
        department=department, national_code="1.000001", title="Đăng ký khai sinh"
    )


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser(
        "root", "root@example.invalid", "pw"
    )

"""The department's editor and moderator, as the groups its setup made give them their rights."""

from django.contrib.auth.models import Group

import pytest


@pytest.fixture
def editor(django_user_model, department):
    user = django_user_model.objects.create_user("bien-tap", password="pw")
    user.groups.add(Group.objects.get(name="STP · Biên tập viên"))
    return user


@pytest.fixture
def moderator(django_user_model, department):
    user = django_user_model.objects.create_user("kiem-duyet", password="pw")
    user.groups.add(Group.objects.get(name="STP · Kiểm duyệt viên"))
    return user

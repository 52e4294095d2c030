"""Search tuning in the admin: catalog administrators only, applied at once."""

from django.contrib.auth.models import Group

import pytest

from search.models import BestBet, Synonym

LIST = "/admin/snippets/search/synonym/"
ADD = "/admin/snippets/search/synonym/add/"
BEST_BETS = "/admin/snippets/search/bestbet/"


@pytest.fixture
def catalog_admin(db, django_user_model):
    """A catalog administrator made as the project makes them (not a superuser)."""
    from catalog.services.roles import grant_catalog_admin

    root = django_user_model.objects.create_superuser(
        "granter", "granter@example.invalid", "pw"
    )
    user = django_user_model.objects.create_user("tuner", "tuner@example.invalid", "pw")
    grant_catalog_admin(actor=root, user=user)
    return user


@pytest.fixture
def department_editor(department, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.invalid", "pw"
    )
    user.groups.add(Group.objects.get(name="STP · Biên tập viên"))
    return user


@pytest.mark.parametrize("url", [LIST, ADD, BEST_BETS])
def test_who_may_tune_search(client, superuser, catalog_admin, department_editor, url):
    for user, allowed in (
        (superuser, True),
        (catalog_admin, True),
        (department_editor, False),
    ):
        client.force_login(user)
        response = client.get(url)
        if allowed:
            assert response.status_code == 200, user
        else:
            assert response.status_code in (302, 403), user
            assert response.status_code != 200


def test_menu_shows_tuning_only_to_administrators(
    client, catalog_admin, department_editor
):
    client.force_login(catalog_admin)
    assert LIST in client.get("/admin/").content.decode()
    client.force_login(department_editor)
    assert LIST not in client.get("/admin/").content.decode()


def test_synonym_added_in_the_admin_is_validated_and_saved(client, catalog_admin):
    client.force_login(catalog_admin)
    response = client.post(ADD, {"terms": "chỉ một cụm", "active": "on", "note": ""})
    assert response.status_code == 200  # form redisplayed with the error
    assert not Synonym.objects.exists()
    response = client.post(
        ADD, {"terms": "mua xe, đăng ký xe", "active": "on", "note": "thử"}
    )
    assert response.status_code == 302
    assert Synonym.objects.get().terms == "mua xe, đăng ký xe"


def test_best_bet_keys_on_the_folded_query(procedure):
    bet = BestBet.objects.create(
        query="  Đăng ký KHAI SINH cho con ", procedure=procedure
    )
    # "cho con" is a question frame (search/resources/query_frames.txt): the key is what the engine
    # searches for, so the bet answers "đăng ký khai sinh cho con" as well as "dang ky khai sinh".
    assert bet.normalized_query == "dang ky khai sinh"

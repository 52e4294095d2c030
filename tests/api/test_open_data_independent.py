"""Defects an independent tester found by using the open data from outside (issue 19): each
test replays the request a client, a harvester or an operator made and asserts what they
should have got."""

import io

from django.core.management import call_command

import pytest

from api import opendata

DETAIL = "/api/v1/procedures/1.000001/"


@pytest.fixture
def fresh_instance(tmp_path, settings):
    """OPEN_DATA_DIR as on a new instance: not created yet."""
    from django.core.cache import cache

    settings.OPEN_DATA_DIR = tmp_path / "var" / "opendata"
    keys = (opendata.FAILED_KEY, "opendata:rebuild_requested")
    cache.delete_many(keys)
    yield settings.OPEN_DATA_DIR
    cache.delete_many(keys)


def test_export_without_path_works_on_a_new_instance(catalog, fresh_instance):
    # The documented set-up (migrate, load_demo, export_open_data) stopped here with
    # "CommandError: Không có thư mục .../opendata": the folder the command manages did
    # not exist yet, though the lock it takes next creates it.
    call_command("export_open_data", stdout=io.StringIO(), stderr=io.StringIO())
    assert (fresh_instance / "current" / "manifest.json").is_file()


def test_the_open_data_page_answers_head(catalog, client, fresh_instance):
    # Link checkers and harvesters probe with HEAD; the page answered 405.
    response = client.head("/du-lieu-mo/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not response.content


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        # RFC 9110 12.4.2: q=0 means "not acceptable"; a more specific range overrides */*.
        ("application/json;q=0, */*", "application/ld+json"),
        ("application/json;q=0, application/ld+json;q=0, */*", "text/turtle"),
        ("application/*;q=0, */*", "text/turtle"),
        # Unchanged: the ordinary cases.
        ("*/*", "application/json"),
        ("application/json;q=0.1, text/turtle", "text/turtle"),
        (
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "application/json",
        ),
        ("text/*", "text/turtle"),
    ],
)
def test_accept_q_zero_excludes_a_representation(client, catalog, accept, expected):
    response = client.get(DETAIL, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(expected)


def test_accept_refusing_everything_offered_is_a_json_406(client, catalog):
    response = client.get(
        DETAIL,
        HTTP_ACCEPT="application/json;q=0, application/ld+json;q=0, text/turtle;q=0, */*",
    )
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    assert "message" in response.json()


@pytest.mark.parametrize(
    ("url", "accept", "media_type"),
    [
        # A harvester asking for the type the DCAT record gives (dcat:mediaType) got a 406
        # in English, while `Accept: application/json` got the CSV.
        ("/api/v1/datasets/procedures.csv", "text/csv", "text/csv"),
        (
            "/api/v1/datasets/catalog.jsonld",
            "application/ld+json",
            "application/ld+json",
        ),
        ("/api/v1/datasets/catalog-backup.zip", "application/zip", "application/zip"),
        ("/api/v1/datasets/procedures.jsonl", "application/jsonl", "application/jsonl"),
        ("/api/v1/datasets/", "application/ld+json", "application/ld+json"),
        ("/api/v1/datasets/procedures.csv", "application/json", "text/csv"),
    ],
)
def test_dataset_files_answer_an_accept_naming_their_own_type(
    client, catalog, fresh_instance, url, accept, media_type
):
    response = client.get(url, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)


def test_an_unknown_dataset_file_is_a_json_404_whatever_was_accepted(
    client, catalog, fresh_instance
):
    response = client.get("/api/v1/datasets/nope.csv", HTTP_ACCEPT="text/csv")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_list_endpoint_refuses_an_accept_it_cannot_meet_in_vietnamese(
    client, catalog
):
    # DRF's own 406 message is English ("Could not satisfy the request Accept header.").
    response = client.get("/api/v1/procedures/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 406
    message = response.json()["message"]
    assert "Accept" in message and "Could not satisfy" not in message

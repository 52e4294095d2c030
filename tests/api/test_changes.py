"""The change feed: replayed from the start or from a stored cursor, it yields the published catalog."""

import datetime

from django.utils import timezone

import pytest

from api.params import cursor_scope, encode_cursor
from catalog.models import CatalogEvent
from tests.api.conftest import all_items, get_json, refreshed, republish, set_first_fee
from tests.factories import make_procedure

pytestmark = pytest.mark.django_db


def read_feed(client, cursor=None, page_size=2):
    """Every entry after `cursor`, and the cursor to store."""
    entries = []
    while True:
        query = f"?page_size={page_size}" + (f"&cursor={cursor}" if cursor else "")
        response, body = get_json(client, "/api/v1/changes/" + query)
        assert response.status_code == 200, body
        entries += body["items"]
        cursor = body["meta"]["next_cursor"]
        if not body["meta"]["has_more"]:
            return entries, cursor


def apply(mirror: dict, entries: list) -> dict:
    for entry in entries:
        if entry["procedure"] is None:
            assert entry["action"] in ("unpublished", "deleted")
            mirror.pop(entry["id"], None)
        else:
            assert entry["action"] in ("published", "updated", "moved")
            assert entry["procedure"]["id"] == entry["id"]
            mirror[entry["id"]] = entry["procedure"]
    return mirror


def published(client) -> dict:
    return {
        item["id"]: item
        for item in all_items(client, "/api/v1/procedures/?page_size=200")
    }


def assert_mirrors(client, mirror):
    assert mirror == published(client)


def test_replay_from_start_is_the_published_catalog(client, catalog):
    entries, _ = read_feed(client)
    sequences = [entry["sequence"] for entry in entries]
    assert sequences == sorted(sequences)
    assert len({entry["id"] for entry in entries}) == len(
        entries
    )  # one entry per procedure
    mirror = apply({}, entries)
    assert_mirrors(client, mirror)
    assert "Bản nháp bí mật" not in str(entries)
    withdrawn = [e for e in entries if e["id"] == catalog["withdrawn"].pk]
    assert withdrawn and withdrawn[0]["action"] == "unpublished"


def test_every_kind_of_change_reaches_a_mirror_from_its_cursor(client, catalog):
    mirror_entries, cursor = read_feed(client)
    mirror = apply({}, mirror_entries)

    # publish, edit a fee, unpublish, delete after unpublish, delete a live page, move,
    # an update later unpublished, and a re-publish of something unpublished.
    new = make_procedure(
        department=catalog["stp"], national_code="1.000099", title="Mới"
    )
    set_first_fee(catalog["marriage"], 15000)
    birth = refreshed(catalog["birth"])
    birth.unpublish()
    set_first_fee(catalog["land"], 1000)
    refreshed(catalog["land"]).unpublish()
    refreshed(catalog["land"]).delete()
    refreshed(catalog["ward_birth"]).move(catalog["stp"], pos="last-child")
    refreshed(new).delete()
    republish(refreshed(catalog["withdrawn"]), note="Công bố lại")

    entries, cursor = read_feed(client, cursor)
    mirror = apply(mirror, entries)
    assert_mirrors(client, mirror)
    by_id = {entry["id"]: entry for entry in entries}
    assert by_id[catalog["birth"].pk]["action"] == "unpublished"
    assert by_id[catalog["land"].pk]["action"] == "deleted"
    assert by_id[catalog["ward_birth"].pk]["action"] == "moved"
    assert by_id[catalog["ward_birth"].pk]["procedure"]["department"]["code"] == "STP"
    assert (
        by_id[catalog["marriage"].pk]["procedure"]["execution_methods"][0]["fees"][0][
            "amount"
        ]
        == 15000
    )
    assert by_id[catalog["withdrawn"].pk]["action"] == "published"

    # A fresh client replaying from the start ends in the same state.
    assert apply({}, read_feed(client)[0]) == mirror
    # Nothing new: the stored cursor yields nothing.
    assert read_feed(client, cursor)[0] == []


def test_an_event_that_commits_late_is_not_skipped(client, catalog):
    """A sequence number drawn by a transaction still open when the client read is read later."""
    _, cursor = read_feed(client)
    last = CatalogEvent.objects.order_by("-id").first()
    page = catalog["marriage"]
    # Event last+2 commits first; last+1 belongs to a transaction that commits afterwards.
    CatalogEvent.objects.create(
        id=last.pk + 2,
        page_id=catalog["ward_birth"].pk,
        national_code="1.000004",
        action="updated",
    )
    entries, cursor = read_feed(client, cursor)
    assert [e["sequence"] for e in entries] == [last.pk + 2]
    page.summary = "Sửa muộn"
    page.save_revision()
    CatalogEvent.objects.create(
        id=last.pk + 1,
        page_id=page.pk,
        national_code=page.national_code,
        action="updated",
    )
    entries, cursor = read_feed(client, cursor)
    assert [e["sequence"] for e in entries] == [last.pk + 1]
    assert entries[0]["id"] == page.pk
    assert read_feed(client, cursor)[0] == []


FEED_SCOPE = cursor_scope("changes", {})


def cursor_payload(cursor):
    from api.params import decode_cursor

    class Request:
        query_params = {"cursor": cursor}

    return decode_cursor(Request, endpoint="changes", scope=FEED_SCOPE)


def test_a_gap_that_never_fills_expires(client, catalog):
    """Rolled-back sequence numbers are not carried for ever (API_CHANGES_GAP_SECONDS)."""
    _, cursor = read_feed(client)
    last = CatalogEvent.objects.order_by("-id").first()
    CatalogEvent.objects.create(
        id=last.pk + 2,
        page_id=catalog["ward_birth"].pk,
        national_code="1.000004",
        action="updated",
    )
    _, fresh = read_feed(client, cursor)
    gaps = [gap for gap, _seen in cursor_payload(fresh)["g"]]
    # (On PostgreSQL, numbers drawn by earlier tests' rolled-back transactions show up too.)
    assert last.pk + 1 in gaps and last.pk + 2 not in gaps

    # The same gaps first seen two hours ago are dropped...
    payload = cursor_payload(fresh)
    payload["g"] = [[gap, seen - 7200] for gap, seen in payload["g"]]
    _, later = read_feed(
        client, encode_cursor(payload, endpoint="changes", scope=FEED_SCOPE)
    )
    assert cursor_payload(later)["g"] == []
    # ...and so is one whose following event is older than the horizon.
    CatalogEvent.objects.filter(id=last.pk + 2).update(
        occurred_at=timezone.now() - datetime.timedelta(hours=2)
    )
    _, old = read_feed(client, cursor)
    assert last.pk + 1 not in [gap for gap, _seen in cursor_payload(old)["g"]]


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJzIjoxfQ",  # {"s":1}
        "eyJzIjotMSwiZyI6W119",  # {"s":-1,"g":[]}
        "eyJzIjoxLCJnIjpbWzUsMV1dfQ",  # gap above the position
        "e30",  # {}
    ],
)
def test_bad_cursors_are_400(client, catalog, cursor):
    response, body = get_json(client, f"/api/v1/changes/?cursor={cursor}")
    assert response.status_code == 400
    assert "cursor" in body["message"]


def test_a_stored_cursor_edited_or_from_another_endpoint_is_400(client, catalog):
    _, cursor = read_feed(client)
    _, listing = get_json(client, "/api/v1/procedures/?page_size=1&fields=title")
    payload, signature = cursor.split(".")
    forged = encode_cursor({"s": 0, "g": []}, endpoint="changes", scope=FEED_SCOPE)
    for bad in [
        payload + "." + signature[::-1],
        listing["meta"]["next_cursor"],
        forged[:-2],
    ]:
        response, body = get_json(client, f"/api/v1/changes/?cursor={bad}")
        assert response.status_code == 400, bad
        assert "cursor" in body["message"]
    # the genuine one still works
    response, _ = get_json(client, f"/api/v1/changes/?cursor={cursor}")
    assert response.status_code == 200


def test_a_section_made_private_and_public_again_reaches_a_mirror(client, catalog):
    """A page view restriction on a department takes its procedures out of every public answer:
    the feed serves them as tombstones, then as updated when the restriction goes."""
    from wagtail.models import PageViewRestriction

    entries, cursor = read_feed(client)
    mirror = apply({}, entries)
    _response, before = get_json(client, "/api/v1/procedures/?page_size=200")
    inside = {p.pk for p in catalog["stp"].get_descendants().live()}
    assert inside & set(mirror)
    restriction = PageViewRestriction.objects.create(
        page=catalog["stp"], restriction_type="password", password="x"
    )
    entries, cursor = read_feed(client, cursor)
    assert {e["id"] for e in entries} >= inside & set(mirror)
    mirror = apply(mirror, entries)
    assert_mirrors(client, mirror)
    assert not inside & set(mirror)
    restriction.delete()
    entries, cursor = read_feed(client, cursor)
    mirror = apply(mirror, entries)
    assert_mirrors(client, mirror)
    assert inside <= set(mirror)

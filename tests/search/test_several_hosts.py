"""Several hosts, each with its own embedded index: a change published on one host reaches
every host's index through its own cursor, and one host's progress never costs another its
pending changes. (The same on real processes: tests/reliability/test_several_hosts.py.)"""

import logging
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO
from unittest import mock

from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

import pytest

from search.engines import EngineUnavailable, get_engine
from search.indexing import (
    HOLD_SECONDS,
    CursorHeld,
    claim,
    follow,
    held_elsewhere,
    index_identity,
    rebuild_index,
    reconcile,
    update_index,
)
from search.models import IndexCursor, PendingIndexChange
from search.queries import SearchQuery
from tests.factories import make_procedure


@pytest.fixture
def hosts(host, department):
    """Hosts a and b with an index each, built from a catalog of one procedure."""
    make_procedure(
        department=department, national_code="2.000200", title="Đăng ký khai sinh"
    )
    for name in ("a", "b"):
        with host(name):
            rebuild_index()


@pytest.fixture
def host(tmp_path):
    """`with host("a"):` runs the block as host a: its SEARCH_HOST_ID and its own index."""

    @contextmanager
    def _as(name):
        with override_settings(
            SEARCH_HOST_ID=name, SEARCH_INDEX_DIR=tmp_path / f"host-{name}"
        ):
            yield

    return _as


def codes(text):
    result = get_engine().search(SearchQuery(text=text))
    assert result.fallback is False  # the host's own index answered
    return [hit.code for hit in result.hits]


def test_a_change_published_on_one_host_reaches_the_other_through_its_cursor(
    host, hosts, department, django_capture_on_commit_callbacks
):
    with host("a"), django_capture_on_commit_callbacks(execute=True):
        make_procedure(
            department=department, national_code="2.000201", title="Cấp hộ chiếu"
        )
    with host("a"):
        assert codes("ho chieu") == ["2.000201"]
    with host("b"):
        assert IndexCursor.objects.get(name="b").last_event_id < (
            IndexCursor.objects.get(name="a").last_event_id
        )
        assert codes("ho chieu") == []  # b has not read the event yet
        assert update_index()["applied"] == 1  # what `search_index follow` runs on b
        assert codes("ho chieu") == ["2.000201"]
    assert not PendingIndexChange.objects.exists()


def test_one_host_applying_its_changes_leaves_the_others_pending(
    host, hosts, department, django_capture_on_commit_callbacks
):
    with (
        host("b"),
        mock.patch(
            "search.engines.embedded.EmbeddedEngine.index",
            side_effect=EngineUnavailable("disk full"),
        ),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            make_procedure(
                department=department, national_code="2.000202", title="Cấp thị thực"
            )
    kept = PendingIndexChange.objects.get(indexer="b")
    assert kept.attempts == 1 and "disk full" in kept.last_error
    with host("a"):
        assert update_index()["applied"] == 1
        rebuild_index()  # its clean-up of pending changes is its own too
        assert codes("thi thuc") == ["2.000202"]
    assert PendingIndexChange.objects.get(indexer="b").pk == kept.pk
    with host("b"):
        assert update_index()["applied"] == 1
        assert codes("thi thuc") == ["2.000202"]
    assert not PendingIndexChange.objects.exists()


def test_healthz_reports_the_lag_of_this_hosts_index(
    host, hosts, client, department, django_capture_on_commit_callbacks
):
    with host("a"), django_capture_on_commit_callbacks(execute=True):
        make_procedure(
            department=department, national_code="2.000203", title="Cấp visa"
        )
    with host("a"):
        lag = client.get("/healthz").json()["search"]["lag"]
        assert (lag["indexer"], lag["unread_events"]) == ("a", 0)
    with host("b"):
        lag = client.get("/healthz").json()["search"]["lag"]
        assert lag["indexer"] == "b" and lag["unread_events"] >= 1
        update_index()
        assert client.get("/healthz").json()["search"]["lag"]["unread_events"] == 0


@override_settings(SEARCH_ENGINE="database", SEARCH_HOST_ID="a")
def test_a_shared_index_reads_the_log_once_for_every_host(
    department, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_procedure(
            department=department, national_code="2.000204", title="Cấp phép"
        )
    assert list(IndexCursor.objects.values_list("name", flat=True)) == ["shared"]
    with override_settings(SEARCH_HOST_ID="b"):
        assert update_index()["events"] == 0  # b shares a's reading


def test_a_retired_host_is_forgotten_and_the_others_keep_theirs(
    host, hosts, department
):
    with (
        host("b"),
        mock.patch(
            "search.indexing.get_engine", side_effect=EngineUnavailable("b is off")
        ),
    ):
        # host b is gone: what it had not indexed stays pending under its name
        make_procedure(
            department=department, national_code="2.000202", title="Cấp hộ chiếu"
        )
        update_index()
    assert PendingIndexChange.objects.filter(indexer="b").exists()
    with host("a"):
        out = StringIO()
        call_command("search_index", "retire", "--host", "b", stdout=out)
        assert "Host 'b' retired: cursor deleted: yes; pending changes deleted: 1." in (
            out.getvalue()
        )
        assert not IndexCursor.objects.filter(name="b").exists()
        assert not PendingIndexChange.objects.filter(indexer="b").exists()
        assert IndexCursor.objects.filter(name="a").exists()  # the others keep theirs
        with pytest.raises(CommandError, match="is the index this host uses"):
            call_command("search_index", "retire", "--host", "a")
        with pytest.raises(CommandError, match="No host 'web-9' is known; .*: a"):
            call_command("search_index", "retire", "--host", "web-9")
        with pytest.raises(CommandError, match="needs --host"):
            call_command("search_index", "retire")
        with pytest.raises(CommandError, match="--host goes with retire only"):
            call_command("search_index", "check", "--host", "b")


def test_a_second_host_with_the_same_host_id_is_refused_not_left_to_steal_events(
    tmp_path, department, client, django_capture_on_commit_callbacks
):
    """An operator copied host a's settings to a new host and kept SEARCH_HOST_ID=a."""
    first = override_settings(SEARCH_HOST_ID="a", SEARCH_INDEX_DIR=tmp_path / "one")
    copy = override_settings(SEARCH_HOST_ID="a", SEARCH_INDEX_DIR=tmp_path / "two")
    make_procedure(department=department, national_code="2.000210", title="Khai sinh")
    with first:
        rebuild_index()
    with copy:
        with pytest.raises(CursorHeld, match="SEARCH_HOST_ID='a' is in use"):
            rebuild_index()
    with django_capture_on_commit_callbacks(execute=True):
        make_procedure(
            department=department, national_code="2.000211", title="Cấp hộ chiếu"
        )
    cursor = IndexCursor.objects.get(name="a").last_event_id
    with copy:
        with pytest.raises(CursorHeld):
            update_index()
        # it has read nothing: the events are still there for the host that holds the cursor
        assert IndexCursor.objects.get(name="a").last_event_id == cursor
        search = client.get("/healthz").json()["search"]
        assert search["status"] == "degraded"
        assert "SEARCH_HOST_ID in use by another host" in search["problems"]
        assert str(tmp_path) not in str(
            search
        )  # where the other runs: the log's, not the public's
    with first:
        update_index()
        assert codes("ho chieu") == ["2.000211"]
        assert (
            "SEARCH_HOST_ID in use by another host"
            not in (client.get("/healthz").json()["search"]["problems"])
        )
    # `search_index follow` on the copy waits and says why (once), instead of stopping
    stop = iter([False, False, False, True])
    with (
        copy,
        mock.patch("search.indexing.time.sleep"),
        mock.patch("search.indexing.logger.log") as log,
    ):
        follow(interval=0, reconcile_every=0, stop=lambda: next(stop))
    [(level, _text, error)] = [c.args for c in log.call_args_list]
    assert level == logging.ERROR and "give each host its own" in str(error)
    # once the first host has been silent for HOLD_SECONDS (taken out), the copy takes over
    IndexCursor.objects.filter(name="a").update(
        held_at=timezone.now() - timedelta(seconds=HOLD_SECONDS + 1)
    )
    with copy:
        reconcile()
        assert codes("ho chieu") == ["2.000211"]


def test_the_processes_of_one_host_are_one_holder(tmp_path, settings):
    settings.SEARCH_HOST_ID, settings.SEARCH_INDEX_DIR = "a", tmp_path / "index"
    first = index_identity()
    assert first == index_identity()  # read back from the index folder, not made again
    assert str(tmp_path / "index") in first


def test_an_index_folder_deleted_and_rebuilt_on_the_same_host_is_still_its_holder(
    tmp_path, settings, department
):
    """An operator removes a damaged index folder (its id file with it) and rebuilds."""
    import shutil

    settings.SEARCH_HOST_ID, settings.SEARCH_INDEX_DIR = "a", tmp_path / "index"
    make_procedure(department=department, national_code="2.000220", title="Khai tử")
    rebuild_index()
    before = index_identity()
    shutil.rmtree(tmp_path / "index")
    assert index_identity() == before  # the id lives beside the folder
    rebuild_index()  # not refused as "another host"
    assert codes("khai tu") == ["2.000220"]


def test_two_cloned_hosts_with_one_hostname_and_one_var_dir_path_are_still_refused(
    tmp_path,
):
    """Two machines cloned from one image (same host name), same settings (same
    SEARCH_HOST_ID, same VAR_DIR path), each with its own disk at that path: only the id
    tells them apart (found by an independent operator check with two mount namespaces)."""
    folder = tmp_path / "search"
    with override_settings(SEARCH_HOST_ID="web-1", SEARCH_INDEX_DIR=folder):
        me = index_identity()  # host B's id file
        token, _, where = me.partition(" ")
        host_a = IndexCursor(
            name="web-1",
            holder=f"{'f' * 32} {where}",  # host A: another id, same hostname and path
            held_at=timezone.now() - timedelta(seconds=1),
        )
        assert token != "f" * 32
        assert held_elsewhere(host_a) is not None


def test_follow_logs_the_duplicate_host_id_error_once_a_minute(tmp_path, db):
    """docs/operations.md: `follow` logs the error once a minute, though its text changes
    every second ("<N> s ago")."""
    IndexCursor.objects.update_or_create(
        name="web-1",
        defaults={
            "holder": f"{'f' * 32} elsewhere:/var/search",
            "held_at": timezone.now(),
        },
    )
    looks = iter(range(6))

    def stop():
        n = next(looks, None)
        if n is None:
            return True
        # the other host stopped n seconds ago
        IndexCursor.objects.filter(name="web-1").update(
            held_at=timezone.now() - timedelta(seconds=n)
        )
        return False

    with (
        override_settings(SEARCH_HOST_ID="web-1", SEARCH_INDEX_DIR=tmp_path / "s"),
        mock.patch("search.indexing.time.sleep"),
        mock.patch("search.indexing.reconcile", side_effect=lambda: _held_elsewhere()),
        mock.patch(
            "search.indexing.update_index", side_effect=lambda: _held_elsewhere()
        ),
        mock.patch("search.indexing.logger.log") as log,
    ):
        follow(interval=0, reconcile_every=60, stop=stop)
    errors = [c for c in log.call_args_list if c.args[0] == logging.ERROR]
    assert len(errors) == 1, [str(c.args[2])[:90] for c in errors]


def _held_elsewhere():
    cursor = IndexCursor.objects.get(name="web-1")
    claim(cursor)
    raise AssertionError("claim should have raised")

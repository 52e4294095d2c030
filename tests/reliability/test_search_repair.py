"""Search keeps answering when its index folder is lost or damaged, and mends itself.

Real tantivy files, real damage (deleted, truncated, garbage, stray files, an outdated
schema, a folder that cannot be written), seen through the API, the public page and
`/healthz`; `search_index rebuild` recovers from each; `search_index update` catches up
procedures that an interrupted import committed without indexing them.
"""

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from catalog.models import ProcedurePage
from search import engines
from tests.importing.helpers import catalog_row
from tests.search.conftest import build_catalog

API = "/api/v1/search/"
SUGGEST = "/api/v1/search/suggest/"
PAGE = "/tim-kiem/"
QUERIES = ["dang ky khai sinh", "can cuoc", "giay phep lai xe", "dang ky", "1.000020"]


@pytest.fixture
def index_dir(settings, tmp_path):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    yield settings.SEARCH_INDEX_DIR
    restart()


def restart():
    """What a restarted server process has: no open index, no remembered health."""
    engines._engines.clear()


def rebuild() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("search_index", "rebuild", "--no-progress", stdout=out, stderr=err)
    return out.getvalue()


def update() -> str:
    out = io.StringIO()
    call_command("search_index", "update", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def answers(client) -> dict:
    """What a client sees for the test queries: totals and hits, in order."""
    seen = {}
    for query in QUERIES:
        body = client.get(API, {"q": query}).json()
        seen[query] = (
            body["meta"]["total_count"],
            [(i["code"], i["name"], i["url"], i["highlight"]) for i in body["items"]],
        )
    return seen


@pytest.fixture
def catalog(db, index_dir, client):
    """The small search catalog, indexed by `search_index rebuild`, and what search answered."""
    pages = build_catalog()
    rebuild()
    restart()
    before = answers(client)
    assert before["dang ky khai sinh"][1][0][0] == "1.000001"  # positive control
    assert client.get(API, {"q": "dang ky"}).json()["meta"]["fallback"] is False
    return pages, before


def link(index_dir) -> Path:
    return index_dir / settings.SEARCH_INDEX_NAME


def generation(index_dir) -> Path:
    return Path(os.path.realpath(link(index_dir)))


def segment_files(index_dir, *suffixes) -> list[Path]:
    return [p for p in generation(index_dir).iterdir() if p.suffix in suffixes]


def delete_folder(index_dir):
    shutil.rmtree(index_dir)


def garbage_meta(index_dir):
    (generation(index_dir) / "meta.json").write_text('{"segments": [garbage')


def truncated_segments(index_dir):
    for path in segment_files(index_dir, ".store", ".idx", ".term"):
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def deleted_segments(index_dir):
    for path in segment_files(index_dir, ".term", ".pos"):
        path.unlink()


def link_replaced_by_a_file(index_dir):
    link(index_dir).unlink()
    link(index_dir).write_bytes(os.urandom(4096))


def outdated_schema(index_dir):
    (generation(index_dir) / "schema_version").write_text("1")


DAMAGE = {
    "folder deleted": delete_folder,
    "garbage meta.json": garbage_meta,
    "truncated segment files": truncated_segments,
    "segment files deleted": deleted_segments,
    "index replaced by a file": link_replaced_by_a_file,
    "index from an older schema": outdated_schema,
}


@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_answers_from_the_database_then_rebuild_restores_it(
    client, catalog, index_dir, damage
):
    _pages, before = catalog
    DAMAGE[damage](index_dir)
    restart()

    body = client.get(API, {"q": "dang ky khai sinh"}).json()
    assert body["meta"]["fallback"] is True
    assert body["meta"]["engine"] == "database"
    assert body["meta"]["fallback_reason"]
    assert "1.000001" in [item["code"] for item in body["items"]]
    page = client.get(PAGE, {"q": "the can cuoc"})
    assert page.status_code == 200
    assert "Cấp thẻ căn cước" in page.content.decode()
    assert "tìm kiếm dự phòng" in page.content.decode()
    suggest = client.get(SUGGEST, {"q": "dang ky kh"})
    assert suggest.status_code == 200
    assert "Đăng ký khai sinh" in [item["name"] for item in suggest.json()["items"]]
    health = engines.get_engine().health()
    assert health["status"] == "degraded" and health["fallback"] is True
    assert health["problem"] in ("missing", "corrupt", "outdated")
    assert health["expected"] == 12 and health["database_copy"] == 12
    assert client.get("/healthz").json()["search"]["status"] == "degraded"

    assert "Indexed 12 procedures" in rebuild()
    assert answers(client) == before
    assert engines.get_engine().health()["status"] == "ok"
    restart()  # and a fresh process opens the swapped-in index
    assert answers(client) == before
    assert engines.get_engine().health() | {"path": ""} == {
        "status": "ok",
        "problem": "",
        "reason": "",
        "documents": 12,
        "expected": 12,
        "database_copy": 12,
        "fallback": False,
        "path": "",
    }


def test_stray_files_and_a_stale_lock_do_not_stop_search_or_rebuild(
    client, catalog, index_dir
):
    _pages, before = catalog
    folder = generation(index_dir)
    (folder / ".tantivy-writer.lock").write_text("pid 999999")
    (folder / "core.12345").write_bytes(os.urandom(10_000))
    (index_dir / ".test_procedures-123-1").mkdir()  # a rebuild killed long ago
    (index_dir / ".test_procedures-123-1" / "meta.json").write_text("half")
    restart()
    assert answers(client) == before
    assert engines.get_engine().health()["status"] == "ok"
    rebuild()
    assert answers(client) == before
    leftovers = [
        p.name for p in index_dir.iterdir() if p.is_dir() and not p.is_symlink()
    ]
    assert leftovers == [generation(index_dir).name]  # old and failed ones removed


def test_a_folder_emptied_by_hand_is_seen_as_incomplete(client, catalog, index_dir):
    """An empty index (someone restored an empty folder): the database copy knows more."""
    _pages, before = catalog
    engines.get_engine().clear()
    restart()
    body = client.get(API, {"q": "dang ky ket hon"}).json()
    assert body["meta"]["fallback"] is True
    assert body["items"][0]["code"] == "1.000002"
    health = engines.get_engine().health()
    assert (health["status"], health["problem"], health["documents"]) == (
        "degraded",
        "incomplete",
        0,
    )
    assert "Reconciled: 12 missing, 0 extra, 0 stale" in update()
    assert answers(client) == before


def test_update_rebuilds_an_unreadable_index_by_itself(client, catalog, index_dir):
    _pages, before = catalog
    garbage_meta(index_dir)
    restart()
    assert "the unreadable index was rebuilt (12 procedures)" in update()
    assert answers(client) == before


def test_searches_during_a_rebuild_use_the_old_index(client, catalog, index_dir):
    """The new generation is filled beside the old one; the swap is one rename."""
    _pages, before = catalog
    engine = engines.get_engine()
    from search.documents import iter_documents

    def documents_while_searching():
        for number, document in enumerate(iter_documents()):
            if number == 6:  # halfway: the old index still answers everything
                assert answers(client) == before
            yield document

    engine.rebuild(documents_while_searching())
    assert answers(client) == before


def test_unwritable_folder_is_one_clear_line_and_exit_code(tmp_path):
    """As root chmod stops nothing, so the index folder's parent is a regular file."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the index folder should be")
    environment = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(settings.BASE_DIR),
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "TEST_VAR_DIR": str(blocker),  # SEARCH_INDEX_DIR = <file>/search
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "search_index", "rebuild"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "CommandError: Search engine unavailable: cannot write the search index folder"
    )
    assert "Not a directory" in lines[0]


def _immutable(path: Path, on: bool) -> bool:
    flag = "+i" if on else "-i"
    done = subprocess.run(["chattr", flag, str(path)], capture_output=True)
    return done.returncode == 0


def test_failed_rebuild_leaves_the_old_index_serving(client, catalog, index_dir):
    """The folder made immutable (root ignores modes, not `chattr +i`): rebuild fails, search
    goes on from the old index."""
    _pages, before = catalog
    if shutil.which("chattr") is None or not _immutable(index_dir, True):
        pytest.skip("this filesystem has no immutable attribute (chattr +i)")
    try:
        with pytest.raises(CommandError, match="cannot write the search index folder"):
            rebuild()
        restart()
        assert answers(client) == before
        assert engines.get_engine().health()["status"] == "ok"
    finally:
        _immutable(index_dir, False)
    rebuild()
    assert answers(client) == before


# ---- procedures committed but never indexed


def _national_catalog(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        catalog_row(f"3.{n:06d}", f"Cấp giấy phép hoạt động ngành nghề số {n}")
        for n in range(1, count + 1)
    ]
    path = folder / "catalog.jsonl"
    path.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
        encoding="utf-8",
    )
    return path


def _import(path: Path) -> str:
    out = io.StringIO()
    call_command(
        "import_catalog", str(path), "--publish", stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def _found(client, query: str) -> set[str]:
    body = client.get(API, {"q": query, "page_size": 100}).json()
    return {item["code"] for item in body["items"]}


def test_an_import_that_died_before_indexing_is_caught_up_without_rerunning_it(
    client, catalog, index_dir, tmp_path
):
    """The import commits procedures and their events; the process dies before the indexer
    runs (here: the test's transaction never runs on_commit callbacks, exactly the work a
    killed process never did). Re-running the import changes nothing; `update` mends it."""
    _pages, before = catalog
    path = _national_catalog(tmp_path / "dvcqg", 40)
    assert "Tạo mới: 40" in _import(path)
    wanted = {f"3.{n:06d}" for n in range(1, 41)}
    assert ProcedurePage.objects.live().filter(national_code__in=wanted).count() == 40
    assert _found(client, "giay phep hoat dong nganh nghe") == set()  # not indexed
    assert "Không đổi: 40" in _import(
        path
    )  # the probe's finding: re-running is no cure
    assert _found(client, "giay phep hoat dong nganh nghe") == set()
    assert engines.get_engine().health()["problem"] == "behind"

    assert "applied 40" in update()  # the durable event log drives the catch-up
    assert _found(client, "giay phep hoat dong nganh nghe") == wanted
    assert engines.get_engine().health()["status"] == "ok"
    # the others are still found (their scores shift: 40 more documents change BM25)
    assert client.get(API, {"q": "dang ky khai sinh"}).json()["items"][0]["code"] == (
        "1.000001"
    )
    assert before


def test_reconciliation_finds_what_the_event_log_lost(client, catalog, index_dir):
    """Cursor past the events and pending rows gone (a crash between the two writes, a
    restored database): the comparison of live revisions with the index still finds the
    missing, stale and extra documents."""
    from search.models import IndexCursor, PendingIndexChange, SearchRecord

    pages, before = catalog
    from catalog.models import CatalogEvent
    from tests.factories import make_procedure

    extra = pages["1.000031"]
    extra.unpublish()  # should leave the index
    renamed = pages["1.000012"]
    renamed.title = "Đăng ký tạm trú cho người nước ngoài"
    renamed.save_revision().publish()  # should be re-indexed (new live revision)
    new = make_procedure(
        department=pages["1.000001"].get_parent().specific,
        national_code="1.000099",
        title="Đăng ký giám hộ",
    )
    IndexCursor.objects.update_or_create(
        name="default",
        defaults={"last_event_id": CatalogEvent.objects.latest("id").id},
    )
    PendingIndexChange.objects.all().delete()
    assert "1.000099" not in _found(client, "dang ky giam ho")

    output = update()
    assert "New catalog events: 0; applied 0" in output
    assert "Reconciled: 1 missing, 1 extra, 1 stale" in output
    body = client.get(API, {"q": "dang ky giam ho"}).json()
    assert body["items"][0]["code"] == new.code
    assert "1.000031" not in _found(client, "dang ky xe")
    body = client.get(API, {"q": "tam tru nguoi nuoc ngoai"}).json()
    assert body["items"][0]["name"] == "Đăng ký tạm trú cho người nước ngoài"
    assert SearchRecord.objects.count() == 12
    assert engines.get_engine().health()["status"] == "ok"
    assert "Reconciled: 0 missing, 0 extra, 0 stale" in update()  # nothing left
    assert before  # (the fixture's answers are for the catalog before these edits)


def test_follow_reconciles_at_start(client, catalog, index_dir):
    """`search_index follow` (the indexer process) needs nobody to run update first."""
    from search.indexing import follow

    engines.get_engine().clear()
    runs = []
    follow(
        interval=0,
        reconcile_every=60,
        stop=lambda: bool(runs),
        log=runs.append,
    )
    assert runs[0]["missing"] == 12 and runs[0]["synced"] == 12
    assert answers(client) == catalog[1]


def test_a_web_process_that_finds_damage_queues_one_repair(
    client, catalog, index_dir, settings
):
    """With a worker (a queued task backend), the first search that finds the index
    unwell queues one reconciliation; later searches within the minute queue no more."""
    from django.core.cache import cache

    from django_tasks import task_backends

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}
    }
    cache.delete("search:repair_requested")
    garbage_meta(index_dir)
    restart()
    for _ in range(3):
        restart()  # three processes, or three looks after the 5 s memory
        assert client.get(API, {"q": "khai sinh"}).json()["meta"]["fallback"] is True
    queued = [r.task.name for r in task_backends["default"].results]
    assert queued == ["reconcile_index"]
    cache.delete("search:repair_requested")

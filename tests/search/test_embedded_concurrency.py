"""Several processes on one index folder: one writer at a time (the lock is retried), readers
see other processes' commits."""

import json
import subprocess
import sys
import textwrap

from django.conf import settings

import pytest

from search.documents import ProcedureDocument
from search.engines import EngineUnavailable
from search.engines import embedded as embedded_module
from search.engines.embedded import EmbeddedEngine
from search.queries import SearchQuery


def document(page_id, name):
    return ProcedureDocument(
        page_id=page_id,
        code=f"9.{page_id:06d}",
        codes=[f"9.{page_id:06d}"],
        name=name,
        url=f"/p/{page_id}/",
    )


CHILD = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import django
    django.setup()
    from search.documents import ProcedureDocument
    from search.engines.embedded import EmbeddedEngine
    directory, name, page_id, title, hold = sys.argv[1:6]
    engine = EmbeddedEngine(directory=Path(directory), index_name=name)
    if hold == "hold":
        writer = engine._writer()
        print("locked", flush=True)
        sys.stdin.readline()
        del writer
    else:
        engine.index([ProcedureDocument(page_id=int(page_id), code="9." + page_id, codes=["9." + page_id], name=title)])
        print("done", flush=True)
    """
)


def child(directory, *args, stdin=False):
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            CHILD,
            str(directory),
            settings.SEARCH_INDEX_NAME,
            *args,
        ],
        stdout=subprocess.PIPE,
        stdin=subprocess.PIPE if stdin else None,
        text=True,
        cwd=settings.BASE_DIR,
        env={
            "DJANGO_SETTINGS_MODULE": "cms.settings.test",
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(settings.BASE_DIR),
        },
    )


@pytest.fixture
def reader(tmp_path, db):
    engine = EmbeddedEngine(directory=tmp_path, index_name=settings.SEARCH_INDEX_NAME)
    engine.index([document(1, "Đăng ký khai sinh")])
    return engine


def names(engine, text):
    return [h.name for h in engine.search(SearchQuery(text=text)).hits]


def test_reader_sees_another_process_commit(reader, tmp_path):
    assert names(reader, "ket hon") == []
    process = child(tmp_path, "2", "Đăng ký kết hôn", "write")
    assert process.communicate(timeout=60)[0].strip() == "done"
    assert names(reader, "ket hon") == ["Đăng ký kết hôn"]
    assert names(reader, "khai sinh") == ["Đăng ký khai sinh"]


def test_writer_waits_for_the_lock_then_gives_up_cleanly(reader, tmp_path, monkeypatch):
    holder = child(tmp_path, "0", "-", "hold", stdin=True)
    assert holder.stdout.readline().strip() == "locked"
    monkeypatch.setattr(embedded_module, "WRITER_WAIT_SECONDS", 0.3)
    with pytest.raises(EngineUnavailable, match="locked"):
        reader.index([document(3, "Đăng ký khai tử")])
    holder.stdin.write("\n")
    holder.stdin.flush()
    holder.wait(timeout=60)
    # the lock is free again: the retry succeeds
    monkeypatch.setattr(embedded_module, "WRITER_WAIT_SECONDS", 10)
    reader.index([document(3, "Đăng ký khai tử")])
    assert names(reader, "khai tu") == ["Đăng ký khai tử"]


def test_two_processes_writing_at_once_both_land(reader, tmp_path):
    processes = [
        child(tmp_path, str(n), f"Thủ tục song song {n}", "write") for n in (10, 11, 12)
    ]
    for process in processes:
        assert process.communicate(timeout=90)[0].strip() == "done"
    found = names(reader, "thu tuc song song")
    assert sorted(found) == [f"Thủ tục song song {n}" for n in (10, 11, 12)]
    assert json.dumps(reader.health())  # still healthy


def test_rebuild_adds_every_document_while_the_next_are_read(reader):
    """The rebuild's converter thread must not drop or repeat documents across batches."""
    names = [f"Thủ tục số {n}" for n in range(1, 251)]
    count = reader.rebuild(document(n, name) for n, name in enumerate(names, 1))
    assert count == 250
    assert set(reader.fingerprints()) == set(range(1, 251))
    result = reader.search(SearchQuery(text="thu tuc so 137"))
    assert result.hits[0].name == "Thủ tục số 137"


def test_rebuild_that_fails_midway_keeps_the_old_index(reader):
    """Readers keep the complete old index when the document source breaks during a rebuild."""
    reader.rebuild([document(1, "Đăng ký khai sinh"), document(2, "Đăng ký kết hôn")])

    def broken():
        for n in range(100, 350):  # past the first converter batch
            yield document(n, f"Thủ tục mới {n}")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError, match="database went away"):
        reader.rebuild(broken())
    assert set(reader.fingerprints()) == {1, 2}
    assert reader.search(SearchQuery(text="khai sinh")).hits[0].page_id == 1

    def unconvertible():
        yield document(3, "Đăng ký khai tử")
        yield ProcedureDocument(page_id=-1, code="x", codes=["x"], name="âm")

    with pytest.raises(OverflowError):
        reader.rebuild(unconvertible())
    assert set(reader.fingerprints()) == {1, 2}

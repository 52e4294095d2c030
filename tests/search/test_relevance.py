"""Relevance over the demo catalog: success@5 and MRR of the judged queries, with thresholds
that fail the build when ranking regresses. The scores are printed at the end of the run."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

import pytest
import yaml

from search.documents import iter_documents
from search.engines.embedded import EmbeddedEngine
from search.indexing import save_records
from search.queries import SearchQuery

JUDGED = Path(__file__).with_name("judged_queries.yaml")
SUCCESS_AT_5 = 0.9
MRR = 0.8
SCORES: list[str] = []  # printed by tests/search/conftest.py:pytest_terminal_summary


def judged():
    return yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["queries"]


def evaluate(engine, queries):
    """(success@5, MRR, misses) for `queries` on `engine`."""
    successes, reciprocal, misses = 0, 0.0, []
    for item in queries:
        hits = engine.search(SearchQuery(text=item["q"], page_size=10)).hits
        found = [hit.code for hit in hits]
        rank = next(
            (i for i, code in enumerate(found, 1) if code in item["relevant"]), None
        )
        if rank is not None and rank <= 5:
            successes += 1
        reciprocal += 1 / rank if rank else 0.0
        if rank != 1:
            misses.append(f"{item['q']!r}: rank {rank} (top: {found[:3]})")
    return successes / len(queries), reciprocal / len(queries), misses


@pytest.fixture(scope="module")
def demo_engine(tmp_path_factory, django_db_setup, django_db_blocker):
    from django.conf import settings
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        documents = list(iter_documents())
        engine = EmbeddedEngine(
            directory=tmp_path_factory.mktemp("demo"),
            index_name=settings.SEARCH_INDEX_NAME,
        )
        engine.rebuild(documents)
        save_records(documents)
        yield engine, documents
        transaction.set_rollback(True)


def test_the_judged_set_is_large_and_judged_on_real_codes(demo_engine):
    _engine, documents = demo_engine
    queries = judged()
    assert len(queries) >= 40
    codes = {d.code for d in documents}
    for item in queries:
        assert set(item["relevant"]) <= codes, item
    styles = {item["style"] for item in queries}
    assert {"plain", "typo", "acronym", "code", "everyday"} <= styles


def test_relevance_of_the_judged_queries(demo_engine, db):
    engine, _documents = demo_engine
    queries = judged()
    success, mrr, misses = evaluate(engine, queries)
    SCORES.append(
        f"embedded engine, demo catalog, {len(queries)} judged queries: "
        f"success@5 = {success:.3f} (threshold {SUCCESS_AT_5}), MRR = {mrr:.3f} (threshold {MRR})"
    )
    SCORES.extend(f"  not first: {miss}" for miss in misses)
    print("\n".join(SCORES))
    assert success >= SUCCESS_AT_5, misses
    assert mrr >= MRR, misses


def test_the_scores_can_fail(demo_engine, db):
    """Negative control: with the ranking replaced by name order the thresholds are missed."""
    engine, _documents = demo_engine

    class NameOrder(EmbeddedEngine):
        def _scoring(self, analyzed):
            return []

    blind = NameOrder(directory=engine.path.parent, index_name=engine.path.name)
    queries = [q for q in judged() if q["style"] in ("everyday", "acronym")]
    success, mrr, _ = evaluate(blind, queries)
    assert mrr < MRR

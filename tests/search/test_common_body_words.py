"""The embedded engine's common-terms rule: a word that more than BODY_MATCH_MAX_DOCS bodies
hold does not make a match by itself (in a national catalog giấy, nộp, hồ sơ are in nearly
every body), unless nothing matches without it. Here the limit is lowered to 0, so that every
body word of the small catalog is "common"; on the national catalog no body word reaches the
real limit, and the judged sets score the same with and without the rule. At the end, its
typo rule: a word some name holds is not widened to its neighbours one edit away."""

import pytest

from search.engines import embedded
from search.queries import SearchQuery
from tests.search.conftest import engine_for


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """Only the embedded engine has the rule (Elasticsearch prunes by itself: docs/search.md)."""
    return engine_for("embedded", tmp_path_factory.mktemp("engine"))


def codes(engine, text):
    return [hit.code for hit in engine.search(SearchQuery(text=text)).hits]


def test_a_common_body_word_alone_does_not_make_a_match(engine, indexed, monkeypatch):
    # "khai tử" names 1.000003 and is only body text for 1.000004
    assert "1.000004" in codes(engine, "khai tu")
    monkeypatch.setattr(embedded, "BODY_MATCH_MAX_DOCS", 0)
    found = codes(engine, "khai tu")
    assert found[0] == "1.000003"
    assert "1.000004" not in found


def test_when_nothing_else_matches_common_body_words_count_after_all(
    engine, indexed, monkeypatch
):
    # "chết" is only in the body of 1.000003 ("Khai tử cho người đã chết.")
    assert codes(engine, "chet") == ["1.000003"]
    monkeypatch.setattr(embedded, "BODY_MATCH_MAX_DOCS", 0)
    assert codes(engine, "chet") == ["1.000003"]


def test_a_word_the_names_hold_is_taken_as_typed(engine, indexed):
    # "nhượng" (chuyển nhượng) is one edit from "thường" (thường trú): looked up with typos,
    # it matched every procedure with "thường" in its name
    assert codes(engine, "nhuong") == ["1.000021"]
    # a word no name holds is still looked up with typos
    assert codes(engine, "nhuomg") == ["1.000021"]
    assert codes(engine, "thuomg tru")[0] == "1.000011"

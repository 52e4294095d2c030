"""The embedded engine looks up words side by side in a name from `name_pairs` (each adjacent
pair of the name's words as one term) instead of a phrase over `name`: a phrase of common words
(cấp giấy phép) read the positions of most of a large catalog. The two must match the same
procedures, for the query's words and for any run of a name's own words."""

import pytest

from search.analysis import folded_tokens
from search.engines import embedded
from tests.search.conftest import engine_for


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    return engine_for("embedded", tmp_path_factory.mktemp("engine"))


def matching(engine, query):
    searcher = engine._searcher()
    result = searcher.search(query, limit=10_000)
    return {searcher.doc(address)["page_id"][0] for _score, address in result.hits}


def runs(words, longest=5):
    for size in range(2, longest + 1):
        for start in range(len(words) - size + 1):
            yield words[start : start + size]


def test_word_pairs_join_adjacent_words():
    assert embedded.word_pairs(["cap", "giay", "phep"]) == ["cap_giay", "giay_phep"]
    assert embedded.word_pairs(["khai"]) == []


def test_pairs_match_what_a_phrase_in_the_name_matches(engine, indexed):
    searcher = engine._searcher()
    names = [
        searcher.doc(address)["payload"][0]
        for _score, address in searcher.search(
            embedded.Query.all_query(), limit=10_000
        ).hits
    ]
    assert names, "the small catalog is indexed"
    checked = 0
    for payload in names:
        name = embedded.orjson.loads(payload)["name"]
        words = folded_tokens(name)
        # runs of the name's own words, one reversed (not adjacent in that order), and a
        # pair across the name's punctuation, all as a query would spell them
        for run in [*runs(words), words[:2][::-1]]:
            if len(run) < 2:
                continue
            phrase = embedded.Query.phrase_query(engine._schema, "name", run, 0)
            assert matching(engine, engine._adjacent_in_name(run)) == matching(
                engine, phrase
            ), (name, run)
            checked += 1
    assert checked > 100

"""The judged development set (issue 16) is a well-formed file: it loads, is large enough in
every style, both splits appear in every style, and every relevant code is a real national
procedure. It checks the file only; scoring it against the engine is wired in elsewhere."""

import collections
import json
from pathlib import Path

from django.conf import settings

import pytest
import yaml

RAW = settings.SHARED_DATA_DIR / "raw"
JUDGED = Path(__file__).with_name("judged_queries_dev.yaml")
CATALOG = RAW / "dvcqg-opengov" / "catalog.jsonl"

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.skipif(not RAW.is_dir(), reason=f"shared data absent: no {RAW}"),
]
STYLES = {"unaccented", "accented", "typo", "everyday", "short", "question", "english"}
SPLITS = {"dev", "heldout"}


@pytest.fixture(scope="module")
def queries():
    return yaml.safe_load(JUDGED.read_text(encoding="utf-8"))["queries"]


@pytest.fixture(scope="module")
def national_codes():
    if not CATALOG.exists():
        pytest.skip(f"the national catalog is not at {CATALOG}")
    with CATALOG.open(encoding="utf-8") as lines:
        return {json.loads(line)["code"] for line in lines if line.strip()}


def test_every_entry_has_the_documented_fields(queries):
    for item in queries:
        assert set(item) == {"q", "relevant", "style", "split"}, item
        assert isinstance(item["q"], str) and item["q"].strip(), item
        assert item["relevant"] and all(isinstance(c, str) for c in item["relevant"]), (
            item
        )
        assert len(set(item["relevant"])) == len(item["relevant"]), item
        assert item["style"] in STYLES, item
        assert item["split"] in SPLITS, item


def test_the_set_is_large_in_every_style_with_both_splits(queries):
    assert len(queries) >= 300
    per_style = collections.Counter(item["style"] for item in queries)
    assert set(per_style) == STYLES
    assert min(per_style.values()) >= 35, per_style
    splits = collections.defaultdict(set)
    for item in queries:
        splits[item["style"]].add(item["split"])
    assert all(splits[style] == SPLITS for style in STYLES), dict(splits)


def test_no_query_is_judged_twice(queries):
    typed = collections.Counter(" ".join(item["q"].lower().split()) for item in queries)
    assert [q for q, n in typed.items() if n > 1] == []


def test_every_relevant_code_is_a_national_procedure(queries, national_codes):
    unknown = [
        (item["q"], code)
        for item in queries
        for code in item["relevant"]
        if code not in national_codes
    ]
    assert unknown == []

"""The everyday-to-official vocabulary (search/resources/synonyms.txt), one check per rule.

Each rule parses; what a citizen types (the left side) expands through analyze_query to the
words procedures use (the right side, or the other phrases of a group); and those words occur in
a procedure or department name: the demo catalog's (catalog/demo) when it has them, otherwise the
national catalog's (../shared/data; without it such a rule is skipped, saying why). The end-to-end check (the colloquial
words find such a procedure in the top 5) runs over the imported national catalog in
test_national_data.py, which already builds that index once.
"""

import ast
import json
from functools import cache
from pathlib import Path

from django.conf import settings

import pytest

from search.analysis import (
    RESOURCES,
    SynonymRule,
    analyze_query,
    file_synonyms,
    folded_tokens,
    parse_synonym_line,
)

DEMO = Path(settings.BASE_DIR) / "catalog" / "demo"
NATIONAL_CATALOG = settings.SHARED_DATA_DIR / "raw" / "dvcqg-opengov" / "catalog.jsonl"


def vocabulary() -> list[tuple[int, str, SynonymRule]]:
    """(line number, line, parsed rule) for every rule line of the file."""
    rules = []
    text = (RESOURCES / "synonyms.txt").read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        if line.split("#", 1)[0].strip():
            rules.append((number, line, parse_synonym_line(line)))
    return rules


def official_phrases(rule: SynonymRule) -> tuple[tuple[str, ...], ...]:
    """The right of `=>`; for a group, its phrases (at least one must be in use)."""
    return rule.targets


def is_group(rule: SynonymRule) -> bool:
    return rule.sources == rule.targets


def _folded_lines(texts) -> str:
    return "\n".join(" " + " ".join(folded_tokens(t)) + " " for t in texts if t)


def _used(phrase: tuple[str, ...], corpus: str) -> bool:
    return f" {' '.join(phrase)} " in corpus


def uses_official_words(rule: SynonymRule, corpus: str) -> bool:
    phrases = official_phrases(rule)
    if is_group(rule):
        return any(_used(p, corpus) for p in phrases)
    return all(_used(p, corpus) for p in phrases)


@cache
def demo_names() -> str:
    texts = [
        d["title"]
        for d in json.loads((DEMO / "departments.json").read_text())["departments"]
    ]
    for path in sorted((DEMO / "procedures").glob("*.json")):
        texts += [p["title"] for p in json.loads(path.read_text())["procedures"]]
    return _folded_lines(texts)


@cache
def national_names() -> str:
    texts = []
    with NATIONAL_CATALOG.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            departments = record.get("departments") or []
            if isinstance(departments, str):
                departments = ast.literal_eval(departments)
            texts += [record["name"], record.get("departmentPromulgate"), *departments]
    return _folded_lines(texts)


RULES = vocabulary()


@pytest.fixture(autouse=True)
def _fresh_search_state():
    """No index and no cache here: skipping the per-test folder keeps 1,300 checks fast."""


@pytest.fixture(autouse=True)
def _fresh_default_cache():
    """As above: these checks read only the file and the catalogs' names."""


def _id(entry) -> str:
    number, line, _rule = entry
    return f"{number}:{line.split('=>')[0].split(',')[0].strip()}"


def test_the_vocabulary_has_at_least_300_rules_and_a_version():
    text = (RESOURCES / "synonyms.txt").read_text(encoding="utf-8")
    assert any(line.startswith("# version: ") for line in text.splitlines())
    assert len(RULES) >= 300
    assert len(file_synonyms().rules) == len(RULES)


@pytest.mark.parametrize("entry", RULES, ids=_id)
def test_the_rule_parses_and_what_citizens_type_expands_to_the_official_words(entry):
    _number, line, rule = entry
    assert rule is not None, line
    left = line.split("#", 1)[0].split("=>")[0]
    typed = [text.strip() for text in left.split(",") if text.strip()]
    for text in typed:  # as written (with diacritics) and as typed without them
        for query in (text, " ".join(folded_tokens(text))):
            source = tuple(folded_tokens(text))
            typed_sources = {
                p for p in rule.sources if _used(p, f" {' '.join(source)} ")
            }
            expected = set(rule.targets) - typed_sources
            analyzed = analyze_query(query, file_synonyms())
            assert expected <= set(analyzed.expansions), (query, line)


@pytest.mark.parametrize("entry", RULES, ids=_id)
def test_the_official_words_are_in_procedure_or_department_names(entry):
    _number, line, rule = entry
    if uses_official_words(rule, demo_names()):
        return
    if not NATIONAL_CATALOG.exists():
        pytest.skip(
            f"not in the demo catalog, and no national data at {NATIONAL_CATALOG}"
        )
    assert uses_official_words(rule, national_names()), line


def test_the_demo_catalog_alone_checks_part_of_the_vocabulary():
    """Without ../shared/data, at least these rules are still checked against real names."""
    covered = [
        line for _n, line, rule in RULES if uses_official_words(rule, demo_names())
    ]
    assert len(covered) >= 40, len(covered)

"""Which queries the search page treats as English, and the Vietnamese words it offers."""

import pytest

from search.analysis import analyze_query
from search.english import (
    FEW_RESULTS,
    english_hint,
    english_spelling,
    looks_english,
    vietnamese_terms,
)


@pytest.fixture(autouse=True)
def _fresh_search_state():
    """Pure functions of the text: no index folder or cache needed."""


@pytest.mark.parametrize(
    "text",
    [
        "birth certificate",
        "marriage registration",
        "work permit renewal",
        "how to get a birth certificate for my baby",
        "lost passport",
        "e-visa",
        "tax code",
        # outside the vocabulary: words no Vietnamese syllable spells
        "swimming pool",
        "food hygiene inspection",
        "adoption",
    ],
)
def test_english_queries_are_recognised(text):
    assert looks_english(text)


@pytest.mark.parametrize(
    "text",
    [
        "dang ky khai sinh",
        "the can cuoc",  # "the" and "can" are English words too
        "cap lai ho chieu",
        "Đăng ký kết hôn",
        "cccd",
        "1.000080",
        "so do",
        "giay phep lao dong cho nguoi nuoc ngoai",
        # a typo among Vietnamese words, and abbreviations, are not English
        "giay phepp xay dung",
        "dang kyy khai sinh",
        "gplx bhxh bhyt",
        "luowng huwu",  # telex keys typed without the input method
        "khaisinh",  # syllables typed without spaces
        "dangkykethon",
        "hochieu",
        "",
    ],
)
def test_vietnamese_queries_are_not(text):
    assert not looks_english(text)


def test_the_hint_offers_the_vietnamese_words_written_with_diacritics():
    assert vietnamese_terms("birth certificate copy")[:2] == [
        "bản sao giấy khai sinh",
        "trích lục",
    ]
    assert english_hint("marriage certificate", total=1) == {
        "terms": ["đăng ký kết hôn", "kết hôn"]
    }


def test_the_hint_only_when_results_are_few():
    assert english_hint("marriage certificate", total=FEW_RESULTS) is None
    assert english_hint("dang ky ket hon", total=0) is None
    # no phrase of the vocabulary, but its single English words: "licence" is giấy phép
    assert english_hint("fishing licence for a boat", total=0) == {
        "terms": ["giấy phép"]
    }


@pytest.mark.parametrize(
    "typed, spelled",
    [
        ("recrod", "record"),  # a transposition
        ("registraton", "registration"),
        ("divorse", "divorce"),
        ("passprot", "passport"),
        ("permits", "permit"),
    ],
)
def test_an_english_typo_is_read_as_the_vocabulary_spells_it(typed, spelled):
    assert english_spelling(typed) == spelled


@pytest.mark.parametrize("word", ["visa", "lawyer", "australian", "minh", "khaisinh"])
def test_known_unknown_and_vietnamese_words_are_left_alone(word):
    assert english_spelling(word) == word


def test_a_typo_as_close_to_two_words_is_left_alone():
    assert english_spelling("translaton") == "translaton"  # translation or translator


def test_an_english_query_is_analysed_with_its_words_respelled():
    analyzed = analyze_query("criminal recrod certificate for foreigner")
    assert analyzed.folded == ["criminal", "record", "certificate", "foreigner"]
    assert ("phieu", "ly", "lich", "tu", "phap") in analyzed.expansions
    # a Vietnamese query is not respelled: "recrod" there is just an unknown word
    assert analyze_query("ly lich tu phap recrod").folded[-1] == "recrod"

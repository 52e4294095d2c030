"""Queries typed in English: recognise them and offer the Vietnamese words they stand for.

The vocabulary's English section (search/resources/synonyms.txt) already makes an English query
search for the Vietnamese names; when such a query still finds few procedures, the search page
shows the Vietnamese words to try, read from the same rules (as written, with diacritics).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from search.analysis import (
    RESOURCES,
    edit_distance,
    folded_tokens,
    fuzzy_distance,
    has_diacritics,
    telex_reading,
)

FEW_RESULTS = 5  # fewer hits than this and an English query gets the hint
MAX_TERMS = 4

# Everyday English around the vocabulary's terms ("how to get a ... for my ...").
COMMON_WORDS = frozenset(
    """a an and apply application at by can card certificate change copy do does for foreign
    foreigner foreigners from get how i in is lost me my need new of on or register
    registration renew renewal replace the to what where with your vietnam vietnamese""".split()
)

# One Vietnamese syllable, folded: optional initial, one to three vowels, optional final.
_VIETNAMESE_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}"
    r"(ch|ng|nh|[cmnpt])?$"
)


@dataclass(frozen=True)
class EnglishTerm:
    phrase: tuple[str, ...]  # the English words, folded
    vietnamese: tuple[str, ...]  # what they stand for, as written in the file


@lru_cache(maxsize=1)
def english_vocabulary() -> tuple[frozenset[str], tuple[EnglishTerm, ...]]:
    """The words of the file's English section, and its rules (English => Vietnamese)."""
    words: set[str] = set(COMMON_WORDS)
    terms: list[EnglishTerm] = []
    in_section = False
    for line in (RESOURCES / "synonyms.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ----"):
            in_section = "English" in line
            continue
        body = line.split("#", 1)[0].strip()
        if not in_section or "=>" not in body:
            continue
        left, right = body.split("=>", 1)
        vietnamese = tuple(t.strip() for t in right.split(",") if t.strip())
        for source in left.split(","):
            phrase = tuple(folded_tokens(source))
            if phrase:
                terms.append(EnglishTerm(phrase, vietnamese))
                words.update(phrase)
    # Longest phrases first, so "birth certificate copy" wins over "birth certificate".
    terms.sort(key=lambda term: -len(term.phrase))
    return frozenset(words), tuple(terms)


def could_be_vietnamese(word: str) -> bool:
    return bool(_VIETNAMESE_SYLLABLE.match(word))


def _syllables_joined(word: str, most: int = 4) -> bool:
    """`word` is Vietnamese syllables typed without spaces: khaisinh, dangkykethon."""
    if not word:
        return True
    if most == 0:
        return False
    return any(
        could_be_vietnamese(word[:end]) and _syllables_joined(word[end:], most - 1)
        for end in range(len(word), 0, -1)
    )


def foreign_word(word: str) -> bool:
    """A word no Vietnamese syllable spells, typed plainly, with telex keys (luowng) or as
    syllables run together (khaisinh), and with a vowel other than y (so not an abbreviation:
    cccd, gplx, bhyt)."""
    if len(word) < 3 or not word.isalpha() or _syllables_joined(word):
        return False
    if not any(letter in "aeiou" for letter in word):
        return False
    reading = telex_reading(word)
    return not (reading and could_be_vietnamese(reading))


def looks_english(text: str) -> bool:
    """No Vietnamese marks, at least half the words English, and one that no syllable spells.

    English is the vocabulary's words, or, when they are most of the query, words outside it
    that no syllable spells ("swimming pool"); one such word among Vietnamese ones is more
    likely a typo ("giay phepp").
    """
    if not text or has_diacritics(text) or not text.isascii():
        return False
    words = [w for w in folded_tokens(text) if not w.isdigit()]
    if not words:
        return False
    known, _terms = english_vocabulary()
    english = [w for w in words if w in known]
    foreign = [w for w in words if w not in known and foreign_word(w)]
    if 2 * len(foreign) > len(words):
        return True
    return 2 * len(english + foreign) >= len(words) and any(
        not could_be_vietnamese(w) for w in english
    )


@lru_cache(maxsize=4096)
def english_spelling(word: str) -> str:
    """An English word as the vocabulary spells it: `recrod` is *record*, `notarised` is
    *notarized*, `registraton` is *registration* (the vocabulary's phrases match exactly).

    Only a word the vocabulary does not know and no Vietnamese syllable spells, within the
    edits the index allows a typo (none below 4 letters), and only when one word is closest.
    """
    known, _terms = english_vocabulary()
    distance = fuzzy_distance(word)
    if word in known or not distance or not foreign_word(word):
        return word
    best, closest = distance + 1, []
    for candidate in known:
        if abs(len(candidate) - len(word)) > distance:
            continue
        edits = edit_distance(word, candidate, limit=distance)
        if edits < best:
            best, closest = edits, [candidate]
        elif edits == best:
            closest.append(candidate)
    return closest[0] if len(closest) == 1 else word


def vietnamese_terms(text: str) -> list[str]:
    """The Vietnamese words the vocabulary gives for the English phrases in `text`."""
    tokens = folded_tokens(text)
    joined = f" {' '.join(tokens)} "
    found: list[str] = []
    _known, terms = english_vocabulary()
    for term in terms:
        if f" {' '.join(term.phrase)} " in joined:
            joined = joined.replace(f" {' '.join(term.phrase)} ", " | ")
            found += [v for v in term.vietnamese if v not in found]
    return found[:MAX_TERMS]


def english_hint(text: str, total: int) -> dict | None:
    """What the search page shows under an English query with few results (None: nothing)."""
    if total >= FEW_RESULTS or not looks_english(text):
        return None
    return {"terms": vietnamese_terms(text)}

"""The one definition of text analysis that every engine, the highlighter and the fallback share.

Pipeline: NFC-normalise -> split on anything that is not a letter or digit -> lowercase.
That gives the *exact* form (diacritics kept, used for boosting). Folding then removes the
combining marks and maps đ/Đ to d, giving the *folded* form that matching runs on.
Question frames and filler (search/resources/query_frames.txt) are removed from queries and from
the whole-name keys only (indexes keep every word so phrases still line up).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

RESOURCES = Path(__file__).resolve().parent / "resources"

# Letters and digits, nothing else: the same split as tantivy's "simple" tokenizer.
_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
_CODE_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{1,39}$")


def normalize(text: str) -> str:
    """NFC first: 109 real names arrive decomposed and must compare equal to composed ones."""
    return unicodedata.normalize("NFC", text or "")


def _build_fold_table() -> dict[int, str | None]:
    """Every precomposed Latin letter -> its base letter, marks dropped, đ -> d: str.translate speed."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "d"}
    for start, end in ((0x00C0, 0x024F), (0x1E00, 0x1EFF)):
        for code in range(start, end + 1):
            char = chr(code)
            base = "".join(
                c
                for c in unicodedata.normalize("NFD", char)
                if not unicodedata.combining(c)
            )
            if base != char and base.isascii():
                table[code] = base.lower()
    for code in range(0x0300, 0x0370):  # stray combining marks
        table[code] = None
    return table


_FOLD = _build_fold_table()


def fold(text: str) -> str:
    """Lowercase and strip Vietnamese marks, including đ -> d (a letter, not a mark)."""
    return normalize(text).lower().translate(_FOLD)


def exact_tokens(text: str) -> list[str]:
    """Lowercased tokens with diacritics kept: the "exact" analyzer."""
    return [token.lower() for token in _TOKEN_RE.findall(normalize(text))]


def folded_tokens(text: str) -> list[str]:
    """Lowercased, folded tokens: the "folded" analyzer used for matching."""
    return _TOKEN_RE.findall(fold(text))


# A syllable ending in i or y after its consonant is written either way (ký/kí, lý/lí, mỹ/mĩ,
# quý/quí, tỷ/tỉ): both spellings are in use, so a query word in one also finds the other.
# Only whole syllables "consonant + i/y": "huy", "thuy", "tin" are other words.
_I_OR_Y = re.compile(
    r"^(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|nh|p|ph|qu|r|s|t|th|tr|v|x)([iy])$"
)


# Telex leftovers: the keys that type Vietnamese marks on a keyboard without an input method
# ("dangw kys" for "đăng ký", "luowng huwu" for "lương hưu"). No Vietnamese syllable has a w or
# ends in s, f, r, x or j, so such a word is read once more without them (English plurals too:
# "permits" -> "permit").
_TELEX_TONE = re.compile(r"^([a-z]*(?:[aeiouy]|ng|nh|ch|[cmnpt]))[sfrxj]$")
_TELEX_MARKS = (("uow", "uo"), ("uw", "u"), ("ow", "o"), ("aw", "a"), ("w", ""))
_TELEX_DOUBLES = re.compile(r"(aa|ee|oo|dd)")


def telex_reading(token: str) -> str | None:
    """The word without telex keys, when it has some and reads as a syllable: `kys` -> `ky`."""
    word = token
    if "w" in word[1:]:
        for mark, plain in _TELEX_MARKS:
            word = word.replace(mark, plain)
    match = _TELEX_TONE.match(word)
    if match and re.search(r"[aeiouy]", match.group(1)):
        word = match.group(1)
    if word != token:
        word = _TELEX_DOUBLES.sub(lambda m: m.group(1)[0], word)
    if word == token or len(word) < 2 or not re.search(r"[aeiouy]", word):
        return None
    return word


def spellings(token: str) -> tuple[str, ...]:
    """A folded query word and its other standard spellings: `ki` -> ("ki", "ky").

    Also its reading without telex keys (`kys` -> "ky", "ki").
    """
    forms = [token]
    telex = telex_reading(token)
    if telex:
        forms.append(telex)
    for form in list(forms):
        match = _I_OR_Y.match(form)
        if match is not None:
            forms.append(match.group(1) + ("y" if match.group(2) == "i" else "i"))
    return tuple(dict.fromkeys(forms))


def respellings(tokens: list[str], limit: int = 4) -> list[list[str]]:
    """The query with its i/y words written every other way (at most `limit`, the query excluded).

    The query with every telex leftover read comes first (`dangw kys tam tru` -> `dang ky tam tru`).
    """
    read = [telex_reading(token) or token for token in tokens]
    found: list[list[str]] = [[]]
    for token in tokens:
        found = [start + [form] for start in found for form in spellings(token)][
            : limit + 1
        ]
    if read != tokens:
        found = [read] + [words for words in found if words != read][:limit]
    return [words for words in found if words != tokens][:limit]


@lru_cache(maxsize=8192)  # hit names repeat across queries (and across departments)
def token_spans(text: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, folded token) over the NFC text, for highlighting the original words."""
    text = normalize(text)
    folded = fold(text)
    if len(folded) == len(text):  # one folded character per character: same offsets
        return tuple(
            (m.start(), m.end(), folded[m.start() : m.end()])
            for m in _TOKEN_RE.finditer(text)
        )
    return tuple(
        (m.start(), m.end(), fold(m.group())) for m in _TOKEN_RE.finditer(text)
    )


def has_diacritics(text: str) -> bool:
    text = normalize(text)
    return fold(text) != text.lower()


def looks_like_code(text: str) -> bool:
    """A procedure code such as 1.000080 or HCM.HT.01: one word, with a digit and a separator."""
    text = text.strip()
    return bool(
        _CODE_RE.match(text)
        and any(ch.isdigit() for ch in text)
        and any(ch in ".-_" for ch in text)
    )


# ---------------------------------------------------------------- query frames


@dataclass(frozen=True)
class QueryFrames:
    """The question frames and filler of search/resources/query_frames.txt, by first word.

    `any_spelling` phrases are folded (dropped however typed); `as_typed` phrases keep their
    diacritics (dropped only when typed so: "thì" is a frame, "thi" an exam); `english` ones
    are dropped only from a query that reads as English ("in" is also *in*, to print).
    """

    any_spelling: dict[str, tuple[tuple[str, ...], ...]]
    as_typed: dict[str, tuple[tuple[str, ...], ...]]
    english: dict[str, tuple[tuple[str, ...], ...]] = field(default_factory=dict)
    entries: tuple[
        tuple[str, str], ...
    ] = ()  # (section, entry as written), in file order
    version: str = ""


def parse_query_frames(text: str) -> QueryFrames:
    sections: dict[str, dict[str, list[tuple[str, ...]]]] = {
        "any spelling": {},
        "as typed": {},
        "english": {},
    }
    version, section, entries = "", None, []
    for line in text.splitlines():
        if line.startswith("# version:"):
            version = line.split(":", 1)[1].strip()
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip()
            if section not in sections:
                raise ValueError(f"unknown query frame section [{section}]")
            continue
        if section is None:
            raise ValueError(f"query frame outside a section: {line!r}")
        words = folded_tokens(line) if section != "as typed" else exact_tokens(line)
        if words:
            sections[section].setdefault(words[0], []).append(tuple(words))
            entries.append((section, line))

    def longest_first(table):
        return {
            first: tuple(sorted(set(phrases), key=len, reverse=True))
            for first, phrases in table.items()
        }

    return QueryFrames(
        any_spelling=longest_first(sections["any spelling"]),
        as_typed=longest_first(sections["as typed"]),
        english=longest_first(sections["english"]),
        entries=tuple(entries),
        version=version,
    )


@lru_cache(maxsize=1)
def query_frames() -> QueryFrames:
    """The versioned list shipped with the code (search/resources/query_frames.txt)."""
    return parse_query_frames(
        (RESOURCES / "query_frames.txt").read_text(encoding="utf-8")
    )


def _frame_length(frames: QueryFrames, exact, folded, i: int, english: bool) -> int:
    """How many words from position i form a frame (0: none); the longest entry wins."""
    best = 0
    tables = [(frames.any_spelling, folded), (frames.as_typed, exact)]
    if english:
        tables.append((frames.english, folded))
    for table, words in tables:
        for phrase in table.get(words[i], ()):
            if len(phrase) > best and tuple(words[i : i + len(phrase)]) == phrase:
                best = len(phrase)
                break  # longest first
    return best


def content_positions(
    exact: list[str], folded: list[str], english: bool = False
) -> list[int]:
    """Positions of the query words left once frames are dropped (all of them if none would be).

    `exact` and `folded` are the same words with and without diacritics; entries typed
    "as typed" compare with `exact`, the others with `folded`. With `english` (the query reads
    as English), the English function words go too.
    """
    frames = query_frames()
    if len(exact) != len(folded):  # a fold that split a word: compare folded only
        exact = folded
    kept: list[int] = []
    i = 0
    while i < len(folded):
        length = _frame_length(frames, exact, folded, i, english)
        if length:
            i += length
        else:
            kept.append(i)
            i += 1
    return kept or list(range(len(folded)))


def content_tokens(text: str) -> list[str]:
    """Folded words of `text` without its question frames: what a query or a name is about."""
    folded = folded_tokens(text)
    return [folded[i] for i in content_positions(exact_tokens(text), folded)]


def remove_stop_words(tokens: list[str]) -> list[str]:
    """Folded words without the frames that are dropped however typed (no diacritics known)."""
    return [tokens[i] for i in content_positions(tokens, tokens)]


# Words naming a follow-up of a first procedure, as written in names (diacritics kept).
# Reissuing, exchanging, extending, amending, revoking or copying follow a first procedure; a
# query that names none of them is more likely after the first one ("khai tử" is Đăng ký khai
# tử, not Đăng ký lại khai tử): names without them earn the "primary" points.
FOLLOW_UPS = tuple(
    tuple(phrase.split())
    for phrase in (
        "lại",
        "cấp đổi",
        "gia hạn",
        "thu hồi",
        "chấm dứt",
        "khôi phục",
        "điều chỉnh",
        "sửa đổi",
        "rút",
        "hủy",
        "huỷ",
        "tạm ngừng",
        "bản sao",
        "mất",
        "tạm dừng",
        "đính chính",
        "chuyển nơi",
    )
)
# Where a name says what it is: up to its first comma, semicolon or bracket. "Thay đổi, cải
# chính, bổ sung thông tin hộ tịch, xác định lại dân tộc" is a first procedure with a follow-up
# beside it, "Cấp, cấp lại Giấy phép …" first issuing as well as reissuing, "… phần diện tích
# còn lại" no reissue at all; "Cấp lại Giấy phép …" and "Đăng ký lại khai sinh" are follow-ups.
_NAME_HEAD = re.compile(r"[,;(\[]")


# Each of FOLLOW_UPS with its folded form padded for a whole-word search (" cap doi ").
FOLDED_FOLLOW_UPS = tuple(
    (words, f" {' '.join(folded_tokens(' '.join(words)))} ") for words in FOLLOW_UPS
)


def follow_ups_in(name: str) -> list[str]:
    """The FOLLOW_UPS in the head of a name (_NAME_HEAD), as typed: indexed, so the query looks
    up terms, not phrases."""
    head = _NAME_HEAD.split(name, maxsplit=1)[0]
    padded = f" {' '.join(exact_tokens(head))} "
    return [" ".join(words) for words in FOLLOW_UPS if f" {' '.join(words)} " in padded]


# Words: from here a query is a sentence (a question), and half its words may miss.
LONG_QUERY = 6


def minimum_should_match(n: int) -> int:
    """How many of n content words a document must have: three quarters, half from LONG_QUERY.

    Citizens add words the procedure does not use ("làm giấy khai sinh" for *Đăng ký khai
    sinh*): up to three words all count (with two of three, "tiêm phòng dại" found every
    "văn phòng đại diện"), from four one in four may miss (4 -> 3, 5 -> 4), and from
    LONG_QUERY words half, since a question's leftover words ("đi làm xa nhà lâu ngày ...
    khai báo tạm vắng") outnumber the procedure's name. Scoring still puts documents with
    every word first.
    """
    if n >= LONG_QUERY:
        return math.ceil(n / 2)
    return math.ceil(n * 0.75)


# Words side by side: a name holding this many of the query's words in a row matches, whatever
# the count (see AnalyzedQuery.name_runs).
NAME_RUN = 3


def relaxed_minimum(n: int) -> int:
    """When nothing has minimum_should_match(n) words: 60 % of them (never more than that)."""
    return max(1, min(minimum_should_match(n), math.ceil(n * 0.6)))


def bigrams(tokens: list[str]) -> list[tuple[str, str]]:
    """Adjacent query words, scored as a phrase: Vietnamese words are often two syllables."""
    return list(dict.fromkeys(zip(tokens, tokens[1:], strict=False)))


# ---------------------------------------------------------------- synonyms


@dataclass(frozen=True)
class SynonymRule:
    """`sources` phrases (folded token tuples) expand to every phrase in `targets`."""

    sources: tuple[tuple[str, ...], ...]
    targets: tuple[tuple[str, ...], ...]


@dataclass
class SynonymTable:
    rules: list[SynonymRule] = field(default_factory=list)
    version: str = ""

    def _rules_for(self, tokens: list[str]) -> list[SynonymRule]:
        """Only the rules with a source phrase starting with a query word (in rule order)."""
        key = (id(self.rules), len(self.rules))
        index = self.__dict__.get("_first_words")
        if index is None or index[0] != key:
            by_first: dict[str, set[int]] = {}
            for position, rule in enumerate(self.rules):
                for source in rule.sources:
                    by_first.setdefault(source[0], set()).add(position)
            index = (key, by_first)
            self.__dict__["_first_words"] = index
        positions: set[int] = set()
        for token in set(tokens):
            positions |= index[1].get(token, set())
        return [self.rules[p] for p in sorted(positions)]

    def variants(
        self, tokens: list[str], limit: int = 12, keep: set[int] | None = None
    ) -> list[tuple[str, ...]]:
        """The whole query with one synonym phrase swapped in ("mat can cuoc" -> "mat cccd").

        With `keep`, the words outside the swapped phrase are only those positions: a source
        phrase may take in a frame word ("đổi tên cho con") that the rest of the query drops.
        """
        found: list[tuple[str, ...]] = []
        positions = range(len(tokens)) if keep is None else sorted(keep)
        for rule in self._rules_for(tokens):
            for source in rule.sources:
                n = len(source)
                for i in range(len(tokens) - n + 1):
                    if tuple(tokens[i : i + n]) != source:
                        continue
                    before = tuple(tokens[j] for j in positions if j < i)
                    after = tuple(tokens[j] for j in positions if j >= i + n)
                    for target in rule.targets:
                        variant = before + target + after
                        if variant != tuple(tokens) and variant not in found:
                            found.append(variant)
                            if len(found) >= limit:
                                return found
        return found

    def combined(self, tokens: list[str]) -> tuple[str, ...] | None:
        """The query with every synonym phrase swapped at once, when it has two or more.

        Left to right, the longest source phrase at each word is replaced by its rule's first
        official phrase: "tax code registration for individuals" -> "mã số thuế registration
        for cá nhân", so words translated by different rules are found together.
        """
        rules = self._rules_for(tokens)
        words: list[str] = []
        swaps = i = 0
        while i < len(tokens):
            best = None
            for rule in rules:
                for source in rule.sources:
                    n = len(source)
                    if tuple(tokens[i : i + n]) != source:
                        continue
                    target = next((t for t in rule.targets if t != source), None)
                    if target and (best is None or n > len(best[0])):
                        best = (source, target)
            if best:
                words += best[1]
                i += len(best[0])
                swaps += 1
            else:
                words.append(tokens[i])
                i += 1
        return tuple(words) if swaps > 1 else None

    def words(self) -> frozenset[str]:
        """Every word of every phrase of the rules (folded), kept while the rules are the same."""
        key = (id(self.rules), len(self.rules))
        memo = self.__dict__.get("_words")
        if memo is None or memo[0] != key:
            memo = (
                key,
                frozenset(
                    word
                    for rule in self.rules
                    for phrase in rule.sources + rule.targets
                    for word in phrase
                ),
            )
            self.__dict__["_words"] = memo
        return memo[1]

    def expansions(self, tokens: list[str]) -> list[tuple[str, ...]]:
        """Alternative phrases for every source phrase found (contiguously) in `tokens`."""
        found: list[tuple[str, ...]] = []
        for rule in self._rules_for(tokens):
            matched = [s for s in rule.sources if _contains(tokens, s)]
            if matched:
                # A target inside a longer source still counts alone: "tach ho khau" -> "tach ho",
                # and so does a target that is also a shorter source: "di du hoc" -> "du hoc".
                for target in rule.targets:
                    if any(s != target for s in matched) and target not in found:
                        found.append(target)
        return found

    def scattered(self, words: list[str]) -> list[tuple[str, ...]]:
        """Targets of the rules with a source phrase that stands in the query's content words
        as two runs, apart and in either order, where no source phrase stands whole.

        A question splits a phrase of the vocabulary with its own words: "mua xe máy cũ thì
        sang tên" holds *sang tên xe*, "người nước ngoài muốn cưới vợ việt nam" holds *cưới vợ
        nước ngoài*. `words` are the content words (frames dropped), so "làm" of "mất căn cước
        phải làm sao" does not complete *làm căn cước*.
        """
        present = set(words)
        found: list[tuple[str, ...]] = []
        for position in self._split_candidates(present):
            rule = self.rules[position]
            if any(_contains(words, source) for source in rule.sources):
                continue  # expansions() has it already
            if not any(
                set(source) <= present and _in_two_runs(source, words)
                for source in rule.sources
            ):
                continue
            found += [
                t for t in rule.targets if t not in found and t not in rule.sources
            ]
        return found

    def _split_candidates(self, words: set[str]) -> list[int]:
        """Positions of the rules with a source that may stand split among `words`: each such
        source is filed under its rarest word, so a common word ("cấp") brings in few rules."""
        key = (id(self.rules), len(self.rules))
        index = self.__dict__.get("_split_index")
        if index is None or index[0] != key:
            sources = [
                (position, source)
                for position, rule in enumerate(self.rules)
                for source in rule.sources
                if len(set(source) - SCATTER_GLUE) >= 3
            ]
            frequency = Counter(word for _p, source in sources for word in set(source))
            by_word: dict[str, set[int]] = {}
            for position, source in sources:
                rarest = min(source, key=lambda word: (frequency[word], word))
                by_word.setdefault(rarest, set()).add(position)
            index = (key, by_word)
            self.__dict__["_split_index"] = index
        positions: set[int] = set()
        for word in words:
            positions |= index[1].get(word, set())
        return sorted(positions)


def _in_two_runs(source: tuple[str, ...], words: list[str]) -> bool:
    """Whether `source` stands in `words` as two runs of its words, in either order.

    At least three words of it must be more than glue: the two syllables of one Vietnamese
    word ("chứng tử") are not a phrase to find apart ("chứng chỉ từ sổ gốc").
    """
    if len(set(source) - SCATTER_GLUE) < 3:
        return False
    return any(
        _contains(words, source[:cut]) and _contains(words, source[cut:])
        for cut in range(1, len(source))
    )


# Words that join a phrase of the vocabulary and say nothing alone (SynonymTable.scattered).
SCATTER_GLUE = frozenset(
    ["cho", "va", "cua", "voi", "o", "tai", "ve", "de", "la", "the", "of", "for", "to"]
    + ["a", "an", "in", "and"]
)


def _contains(tokens: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == phrase for i in range(len(tokens) - n + 1))


def _phrase(text: str) -> tuple[str, ...]:
    return tuple(folded_tokens(text))


def parse_synonym_line(line: str) -> SynonymRule | None:
    """`a, b, c` makes an equivalence group; `a, b => c, d` expands a and b to c and d only."""
    line = line.split("#", 1)[0].strip()
    if not line:
        return None
    if "=>" in line:
        left, right = line.split("=>", 1)
        sources = tuple(p for p in (_phrase(x) for x in left.split(",")) if p)
        targets = tuple(p for p in (_phrase(x) for x in right.split(",")) if p)
    else:
        sources = tuple(p for p in (_phrase(x) for x in line.split(",")) if p)
        targets = sources
    if not sources or not targets:
        return None
    if targets == sources and len(sources) < 2:
        return None
    return SynonymRule(sources=sources, targets=targets)


@lru_cache(maxsize=1)
def file_synonyms() -> SynonymTable:
    """The versioned synonyms shipped with the code (search/resources/synonyms.txt)."""
    path = RESOURCES / "synonyms.txt"
    table = SynonymTable()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# version:"):
            table.version = line.split(":", 1)[1].strip()
        rule = parse_synonym_line(line)
        if rule:
            table.rules.append(rule)
    return table


OLD_AGENCY_SECTION = "old names after the 2025 reforms"


@lru_cache(maxsize=1)
def old_agency_names() -> frozenset[tuple[str, ...]]:
    """What citizens type for an agency renamed or abolished in 2025 (sở lđtbxh, ubnd quận,
    phòng tài nguyên môi trường): the sources of the vocabulary's "old names" section."""
    names: set[tuple[str, ...]] = set()
    in_section = False
    for line in (RESOURCES / "synonyms.txt").read_text(encoding="utf-8").splitlines():
        if line.startswith("# ----"):
            in_section = OLD_AGENCY_SECTION in line
            continue
        rule = parse_synonym_line(line) if in_section else None
        if rule:
            names.update(rule.sources)
    return frozenset(names)


def without_old_agencies(folded: list[str], kept: list[int]) -> list[int]:
    """`kept` without the words of an old agency name: they say where the citizen thinks to go,
    which no department is called any more, not what is asked ("ubnd quận chứng thực bản
    sao"). The query still reads them for its synonyms; a query of nothing else keeps them."""
    names = old_agency_names()
    longest = max((len(n) for n in names), default=0)
    dropped: set[int] = set()
    for i in range(len(folded)):
        for n in range(min(longest, len(folded) - i), 0, -1):
            if tuple(folded[i : i + n]) in names:
                dropped.update(range(i, i + n))
                break
    rest = [i for i in kept if i not in dropped]
    return rest if rest else kept


def synonym_lines() -> list[str]:
    """The file's rules as text lines, for the Elasticsearch index settings."""
    path = RESOURCES / "synonyms.txt"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append(" ".join(folded_tokens(line.replace("=>", " => "))))
    return lines


# ---------------------------------------------------------------- the analysed query


@dataclass
class AnalyzedQuery:
    raw: str
    folded: list[str]  # tokens for matching (stop words removed)
    exact: list[str]  # tokens with diacritics, only when the user typed diacritics
    expansions: list[tuple[str, ...]]  # synonym phrases to also look for
    variants: list[tuple[str, ...]]  # the whole query with a synonym swapped in
    code: str | None  # the text as a procedure code, when it looks like one

    @property
    def is_empty(self) -> bool:
        return not self.folded and not self.code

    def name_runs(self) -> list[tuple[str, ...]]:
        """Runs of NAME_RUN consecutive query words, each enough for a match in the name.

        A question's circumstance words ("không có tiền thuê luật sư thì xin trợ giúp pháp lý")
        outnumber the words of the name it is about (*Thủ tục yêu cầu trợ giúp pháp lý*): half
        of nine words is five, and that name holds four, side by side. Three query words in a
        row in a name are the object or the action, not a coincidence. Only where the minimum
        asks for more than a run (from five words); otherwise the run already meets it.
        """
        words = self.folded
        if minimum_should_match(len(words)) <= NAME_RUN:
            return []
        runs = zip(*(words[i:] for i in range(NAME_RUN)), strict=False)
        return list(dict.fromkeys(runs))

    def name_parts(self, limit: int = 6) -> list[str]:
        """Runs of two or more words of the query and of its first synonym variants, space-joined,
        each shorter than its phrasing: a name equal to one is named inside the query.

        "đổi bằng lái ô tô hết hạn" reads as "đổi giấy phép lái xe ô tô hết hạn", which holds
        the whole of *Đổi giấy phép lái xe*; the whole phrasing is name_full's already.
        """
        parts: list[str] = []
        for words in [tuple(self.folded), *self.variants][:limit]:
            parts += query_parts(list(words))
        return list(dict.fromkeys(parts))

    def name_start_runs(self) -> list[str]:
        """Runs of NAME_START words of the query and of every synonym variant: a name that
        begins with one of them is about what the query asks (see NAME_START)."""
        runs: list[str] = []
        for words in [tuple(self.folded), *self.variants]:
            runs += [
                " ".join(words[start : start + NAME_START])
                for start in range(len(words) - NAME_START + 1)
            ]
        return list(dict.fromkeys(runs))

    def bigram_phrasings(self, limit: int = 6) -> list[list[tuple[str, str]]]:
        """Adjacent word pairs of the query and of its first synonym variants, one list each.

        Scored as phrases in the name (the best phrasing counts): the syllables of one
        Vietnamese word ("căn cước", "thất nghiệp") side by side, whichever words are missing.
        """
        found = []
        for words in [tuple(self.folded), *self.variants][:limit]:
            pairs = bigrams(list(words))
            if len(words) > 2 and pairs not in found:
                found.append(pairs)
        return found


def analyze_query(text: str, synonyms: SynonymTable | None = None) -> AnalyzedQuery:
    # NFKC: full-width letters and digits (ｄａｎｇ ｋｙ, typed with an East Asian input method)
    # read as the plain ones; Vietnamese letters compose as with NFC.
    text = unicodedata.normalize("NFKC", text or "").strip()
    all_folded = folded_tokens(text)
    all_exact = exact_tokens(text)
    from search.english import english_spelling, looks_english  # they read this module

    english = looks_english(text)
    if english:  # no diacritics: the exact words are the folded ones
        all_folded = all_exact = [english_spelling(word) for word in all_folded]
    kept = content_positions(all_exact, all_folded, english=english)
    kept = without_old_agencies(all_folded, kept)
    folded = [all_folded[i] for i in kept]
    exact = []
    if has_diacritics(text) and len(all_exact) == len(all_folded):
        exact = [all_exact[i] for i in kept]
    table = synonyms if synonyms is not None else file_synonyms()
    expansions = table.expansions(all_folded)
    expansions += [e for e in table.scattered(folded) if e not in expansions]
    variants = table.variants(folded)
    combined = table.combined(folded)
    if combined:
        variants.insert(0, combined)
    if len(kept) < len(
        all_folded
    ):  # a phrase of the vocabulary that holds a frame word
        for variant in table.variants(all_folded, keep=set(kept)):
            if variant != tuple(folded) and variant not in variants:
                variants.append(variant)
    # "dang ki khai sinh" is also "dang ky khai sinh", with that spelling's synonyms.
    for words in respellings(folded):
        for variant in [tuple(words), *table.variants(words)]:
            if variant not in variants and len(variants) < 16:
                variants.append(variant)
    for words in respellings(all_folded):
        expansions += [e for e in table.expansions(words) if e not in expansions]
    code = text.lower() if looks_like_code(text) else None
    return AnalyzedQuery(
        raw=text,
        folded=folded,
        exact=exact,
        expansions=expansions,
        variants=variants,
        code=code,
    )


def query_parts(tokens: list[str], longest: int = 6) -> list[str]:
    """Every run of two or more consecutive query words, space-joined (a keyword inside the query)."""
    parts = []
    for size in range(2, min(len(tokens) - 1, longest) + 1):
        for start in range(len(tokens) - size + 1):
            parts.append(" ".join(tokens[start : start + size]))
    return list(dict.fromkeys(parts))


# A name's first words say what it is: *Hưởng lương hưu đối với người tham gia bảo hiểm xã hội*
# is the pension itself, where *Chế độ đối với người lao động không đủ điều kiện hưởng lương
# hưu* only mentions it. A name whose first two words (folded, question frames such as a leading
# "thủ tục" left out) the query or a synonym variant holds side by side earns the name_start
# points. Two words say it all for fixed points: a name whose first n words are a run of the
# query's has its first two there too.
NAME_START = 2


def name_starts(name: str) -> list[str]:
    """The name's first NAME_START words as one term (indexed); none for a one-word name."""
    return start_terms(content_tokens(name))


def start_terms(words: list[str]) -> list[str]:
    """name_starts of a name's content words, already analysed."""
    return [" ".join(words[:NAME_START])] if len(words) >= NAME_START else []


def edit_distance(a: str, b: str, limit: int = 3) -> int:
    """Damerau-Levenshtein (adjacent transpositions count 1), cut off above `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def fuzzy_distance(token: str) -> int:
    """How many edits a query word may be off by: none for short words, where typos collide."""
    if len(token) >= 8:
        return 2
    if len(token) >= 4:
        return 1
    return 0

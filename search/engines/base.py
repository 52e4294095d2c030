"""The engine interface and the pieces every engine shares: synonyms, best bets, highlights,
facet labels and "did you mean", so that ranking differences come only from the engines."""

from __future__ import annotations

import collections
import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict
from html import escape

from django.core.cache import cache
from django.utils.translation import gettext

from search.analysis import (
    AnalyzedQuery,
    SynonymRule,
    SynonymTable,
    analyze_query,
    edit_distance,
    exact_tokens,
    file_synonyms,
    fold,
    folded_tokens,
    fuzzy_distance,
    normalize,
    parse_synonym_line,
    spellings,
    token_spans,
)
from search.documents import ProcedureDocument
from search.english import looks_english
from search.queries import FACETS, Bucket, Hit, SearchQuery, SearchResult

TUNING_TTL = 15  # seconds: admin synonyms and best bets reach every process within this
FEW_RESULTS = 3  # below this many hits, offer "did you mean"
# "Did you mean" looks for a name pair among this many of the nearest candidates.
PAIR_CHECKS = 8
# Autocomplete reads this many names before putting the ones that begin with the typed words first.
SUGGEST_POOL = 40
# Past this many words a query is a question: a respelling of all of it, for one word no name
# holds, helps no one when it found results (a citizen's pasted question got "... hai quan ...").
DID_YOU_MEAN_WORDS = 6
VOCABULARY_TTL = 60
FACET_SIZE = 100

Progress = Callable[[int], None]


class EngineUnavailable(RuntimeError):
    """The engine cannot answer now (down, locked, too slow); callers fall back or retry later."""


class SearchEngine:
    name = "base"

    # ---- what each engine implements

    def _search(
        self, query: SearchQuery, analyzed: AnalyzedQuery
    ) -> tuple[int, list[tuple[dict, float]], dict[str, dict[str, int]]]:
        """(total, [(payload, score)], {facet: {value: count}}) for one page."""
        raise NotImplementedError

    def _fetch(self, page_ids: list[int]) -> dict[int, dict]:
        """Payloads of the given documents (for best bets)."""
        raise NotImplementedError

    def _count_matching(
        self, analyzed: AnalyzedQuery, query: SearchQuery, page_ids: list[int]
    ) -> set[int]:
        """Which of `page_ids` the query matches anyway (so pinned hits are not counted twice)."""
        raise NotImplementedError

    def _suggest(self, tokens: list[str], limit: int) -> list[dict]:
        raise NotImplementedError

    def vocabulary(self) -> dict[str, int]:
        """Indexed words (folded) with their document frequency, for "did you mean".

        Read from the database copy of the index and kept for VOCABULARY_TTL seconds.
        """
        cached = getattr(self, "_db_vocabulary", None)
        if cached and time.monotonic() - cached[0] < VOCABULARY_TTL:
            return cached[1]
        from search.models import SearchRecord

        counts: dict[str, int] = {}
        names = SearchRecord.objects.values_list("name_folded", flat=True)
        for name in names.iterator():
            for token in set(folded_tokens(name)):
                if not token.isdigit():
                    counts[token] = counts.get(token, 0) + 1
        self._db_vocabulary = (time.monotonic(), counts)
        return counts

    def written_forms(self) -> dict[str, list[str]]:
        """Each folded name word's written forms, most frequent first ("tu" -> ["tư", "tử",
        "từ", ...]), so that a "did you mean" for a query typed with diacritics keeps them. Read
        from the database copy of the index, whatever the engine, kept VOCABULARY_TTL seconds."""
        cached = getattr(self, "_db_written_forms", None)
        if cached and time.monotonic() - cached[0] < VOCABULARY_TTL:
            return cached[1]
        from search.models import SearchRecord

        counts: collections.Counter[str] = collections.Counter()
        for name in SearchRecord.objects.values_list("name", flat=True).iterator():
            counts.update(exact_tokens(name))
        forms: dict[str, list[str]] = {}
        for word, _count in counts.most_common():
            forms.setdefault(fold(word), []).append(word)
        self._db_written_forms = (time.monotonic(), forms)
        return forms

    def written_like(self, folded: str, typed: str) -> str:
        """The written form of a corrected word nearest what was typed: "tửu" -> *tử* (khai tử),
        though *tư* is the more frequent "tu"."""
        forms = self.written_forms().get(folded) or [folded]
        return min(forms, key=lambda form: edit_distance(typed, form, limit=3))

    def health(self) -> dict:
        raise NotImplementedError

    def index(self, documents: Iterable[ProcedureDocument]) -> int:
        raise NotImplementedError

    def delete(self, page_ids: Iterable[int]) -> None:
        raise NotImplementedError

    def rebuild(
        self, documents: Iterable[ProcedureDocument], progress: Progress | None = None
    ) -> int:
        raise NotImplementedError

    def fingerprints(self) -> dict[int, str]:
        """page_id -> fingerprint of every indexed document, for `search_index check`."""
        raise NotImplementedError

    # ---- the shared flow

    def search(self, query: SearchQuery) -> SearchResult:
        started = time.perf_counter()
        synonyms = current_synonyms()
        analyzed = analyze_query(query.text, synonyms)
        if query.text and analyzed.is_empty:
            # Only punctuation: an ordinary empty result, never an error.
            return SearchResult(
                total=0,
                hits=[],
                facets=self._label_facets({}, query),
                engine=self.name,
                took_ms=_ms(started),
            )
        total, rows, facet_counts = self._search(query, analyzed)
        hits = [_hit(payload, score) for payload, score in rows]
        # a word of the vocabulary (cccd, visa, birth) is no typo, though no name holds it
        known = synonyms.words()
        unknown = [
            t for t in analyzed.folded if t not in known and not self.is_known(t)
        ]
        if query.text:
            total, hits = self._apply_best_bets(query, analyzed, total, hits)
            for hit in hits:
                hit.highlight = highlight(hit.name, analyzed, typos=unknown)
        else:
            for hit in hits:
                hit.highlight = escape(hit.name)
        suggestion = None
        if (
            query.text
            and (
                total < FEW_RESULTS
                or (unknown and len(analyzed.folded) <= DID_YOU_MEAN_WORDS)
            )
            and not looks_english(query.text)
        ):
            # English is answered by the English hint: its words are no Vietnamese typos
            suggestion = self.did_you_mean(analyzed, known)
        return SearchResult(
            total=total,
            hits=hits,
            facets=self._label_facets(facet_counts, query),
            suggestion=suggestion,
            engine=self.name,
            took_ms=_ms(started),
        )

    def suggest(self, text: str, limit: int = 8) -> list[dict]:
        """Autocomplete on procedure names: the last word may be unfinished."""
        if not isinstance(text, str):
            return []
        tokens = folded_tokens(text[:200])[:10]
        limit = max(1, min(int(limit), 20))
        if not tokens:
            return []
        found = self._suggest(tokens, max(limit, SUGGEST_POOL))
        # Names that begin with what was typed first, then the others; shorter ones before
        # longer ones: "dang ky kh" offers *Đăng ký khai sinh* before *Đăng ký khai sinh kết hợp
        # đăng ký nhận cha, mẹ, con*, and "khai s" *Thủ tục đăng ký khai sinh* before a name
        # where "triển khai sau" comes 60 characters in.
        typed = " ".join(tokens)
        # ... and another province's specific procedures after this city's, as in the search
        found = _once(
            sorted(
                found, key=lambda item: (bool(item.get("elsewhere")), len(item["name"]))
            )
        )
        leading = [item for item in found if _begins_with(item["name"], typed)]
        found = [item for item in found if item not in leading]
        if sum(not item.get("elsewhere") for item in leading) >= limit:
            return leading[:limit]
        # An abbreviation or everyday word no name holds ("cccd", "gplx", "passport", "so do"),
        # or words no name holds in this order ("khai tu cho ba", "dang ky khai sinh cho be"):
        # what the search answers for the text, which knows the vocabulary and the frames.
        vocabulary = bool(analyze_query(text[:200]).expansions)
        meant = []
        if vocabulary or not found:
            hits = self.search(SearchQuery(text=text[:200], page_size=limit)).hits
            meant = [suggestion(asdict(hit)) for hit in hits]
        ordered = _once(leading + (meant + found if vocabulary else found + meant))
        # this city's before another province's, whichever begins with the typed words
        # (an independent check: `ho tro doanh nghiep` offered seven provinces' first)
        return sorted(ordered, key=lambda item: bool(item.get("elsewhere")))[:limit]

    def is_known(self, token: str) -> bool:
        """Whether a query word occurs in the index at all (typos usually do not)."""
        return len(token) < 3 or token.isdigit() or token in self.vocabulary()

    def did_you_mean(
        self, analyzed: AnalyzedQuery, known: frozenset[str] = frozenset()
    ) -> str | None:
        """The query with each word no name holds (and not in `known`) replaced by the most
        frequent indexed word within 2 edits, when one is. A query typed with diacritics gets
        its words back as typed and the replacements as names write them ("đăng ký khia sinh"
        -> "đăng ký khai sinh"); one typed without gets plain letters."""
        vocabulary = self.vocabulary()
        if not vocabulary or not analyzed.folded:
            return None
        typed = analyzed.exact if len(analyzed.exact) == len(analyzed.folded) else []
        changed = False
        words = []
        for position, token in enumerate(analyzed.folded):
            if token in known or self.is_known(token):
                words.append(typed[position] if typed else token)
                continue
            candidates = []
            mask = _letters(token)
            for candidate, frequency, letters in self._lettered(vocabulary):
                if abs(len(candidate) - len(token)) > 2:
                    continue
                # Each letter one word has and the other lacks costs an edit: more than two
                # such letters either way and the distance is over 2 (no need to compute it).
                if (mask & ~letters).bit_count() > 2 or (
                    letters & ~mask
                ).bit_count() > 2:
                    continue
                distance = edit_distance(token, candidate, limit=2)
                if distance <= 2:
                    candidates.append((distance, -frequency, candidate))
            before = [fold(words[-1])] if words else []
            after = analyzed.folded[position + 1 : position + 2]
            best = self._best_correction(sorted(candidates), before, after)
            if best:
                written = self.written_like(best, typed[position]) if typed else best
                words.append(written)
                changed = True
            else:
                words.append(typed[position] if typed else token)
        return " ".join(words) if changed else None

    def _best_correction(self, candidates, before: list[str], after: list[str]):
        """Among the nearest candidates, one that some name holds beside the neighbouring word
        ("khai tuu": *tu*, as in khai tử, not the more frequent *thu*; "ket honn": *hon*, not
        *hoan*), else the most frequent."""
        if not candidates:
            return None
        nearest = [c for c in candidates if c[0] == candidates[0][0]][:PAIR_CHECKS]
        for _distance, _frequency, candidate in nearest:
            if (before and self.in_some_name(before[0], candidate)) or (
                after and self.in_some_name(candidate, after[0])
            ):
                return candidate
        return nearest[0][2]

    def in_some_name(self, first: str, second: str) -> bool:
        """Whether some procedure name holds the two folded words side by side (read from the
        database copy of the index, so every engine answers alike)."""
        from search.models import SearchRecord

        pair = re.escape(f"{first} {second}")
        return SearchRecord.objects.filter(
            name_folded__regex=rf"(^|[^a-z0-9]){pair}([^a-z0-9]|$)"
        ).exists()

    def _lettered(self, vocabulary: dict[str, int]) -> list[tuple[str, int, int]]:
        """The vocabulary with each word's letter set, kept while the vocabulary is the same."""
        memo = getattr(self, "_lettered_memo", None)
        if memo is None or memo[0] is not vocabulary:
            memo = (vocabulary, [(w, f, _letters(w)) for w, f in vocabulary.items()])
            self._lettered_memo = memo
        return memo[1]

    def _apply_best_bets(
        self, query: SearchQuery, analyzed: AnalyzedQuery, total: int, hits: list[Hit]
    ) -> tuple[int, list[Hit]]:
        pinned_ids = best_bets().get(" ".join(analyzed.folded), [])
        if not pinned_ids or query.filters:
            return total, hits
        payloads = self._fetch(pinned_ids)
        pinned_ids = [pid for pid in pinned_ids if pid in payloads]
        if not pinned_ids:
            return total, hits
        already = self._count_matching(analyzed, query, pinned_ids)
        total += len([pid for pid in pinned_ids if pid not in already])
        rest = [hit for hit in hits if hit.page_id not in pinned_ids]
        if query.page == 1:
            pinned = [_hit(payloads[pid], 0.0) for pid in pinned_ids]
            for hit in pinned:
                hit.pinned = True
            hits = (pinned + rest)[: query.page_size]
        else:
            hits = rest
        return total, hits

    def _label_facets(
        self, counts: dict[str, dict[str, int]], query: SearchQuery
    ) -> dict[str, list[Bucket]]:
        labels = {**facet_labels(), "online": _online_labels()}
        facets: dict[str, list[Bucket]] = {}
        for name in FACETS:
            values = dict(counts.get(name, {}))
            selected = query.filters.get(name, [])
            for value in selected:
                values.setdefault(value, 0)
            buckets = [
                Bucket(
                    value=value,
                    label=labels.get(name, {}).get(value, value),
                    count=count,
                    selected=value in selected,
                )
                for value, count in values.items()
            ]
            buckets.sort(key=lambda b: (-b.count, b.label))
            facets[name] = buckets
        return facets


def _once(items: list[dict]) -> list[dict]:
    """One line per procedure, and per name and department: copies of a procedure (the national
    data holds several provinces' versions of one) would fill the list with the same line."""
    kept, seen = [], set()
    for item in items:
        key = (item["name"], item["department"])
        if item["url"] not in seen and key not in seen:
            seen.update((item["url"], key))
            kept.append(item)
    return kept


def _begins_with(name: str, typed: str) -> bool:
    """Whether a name, less a leading "Thủ tục", begins with the typed (folded) words; the
    last word may be unfinished."""
    words = " ".join(folded_tokens(name))
    if words.startswith("thu tuc "):
        words = words[len("thu tuc ") :]
    return words.startswith(typed)


def suggestion(payload: dict) -> dict:
    """One autocomplete item: the department tells apart procedures of the same name (each
    ward's own "Đăng ký khai sinh"); `elsewhere` says when it is another province's specific
    procedure, whose department here is only where the import filed it."""
    authority = payload.get("announced_elsewhere_by") or ""
    return {
        "code": payload["code"],
        "name": payload["name"],
        "url": payload.get("url", ""),
        "department": payload.get("department", ""),
        "elsewhere": gettext("Thủ tục đặc thù của %(authority)s")
        % {"authority": authority}
        if authority
        else "",
    }


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def _hit(payload: dict, score: float) -> Hit:
    return Hit(
        page_id=int(payload["page_id"]),
        code=payload.get("code", ""),
        name=payload.get("name", ""),
        department=payload.get("department", ""),
        department_code=payload.get("department_code", ""),
        url=payload.get("url", ""),
        score=float(score) if isinstance(score, int | float) else 0.0,
        online_level=payload.get("online_level", ""),
        fee_min=payload.get("fee_min"),
        fee_max=payload.get("fee_max"),
        processing_time=payload.get("processing_time", ""),
        announced_elsewhere_by=payload.get("announced_elsewhere_by", ""),
    )


def highlight(
    text: str, analyzed: AnalyzedQuery, typos: list[str] | None = None
) -> str:
    """Safe HTML: every character escaped, only <mark> added around matched words.

    Words match on their folded form; words the index does not know (typos) also match
    the name's words within their edit distance.
    """
    wanted = {form for token in analyzed.folded for form in spellings(token)}
    for phrase in analyzed.expansions:
        wanted.update(phrase)
    typos = typos or []
    parts: list[str] = []
    position = 0
    text = normalize(text)
    for start, end, folded in token_spans(text):
        if folded in wanted or _near(folded, typos):
            parts.append(escape(text[position:start]))
            parts.append(f"<mark>{escape(text[start:end])}</mark>")
            position = end
    parts.append(escape(text[position:]))
    return "".join(parts)


def _letters(word: str) -> int:
    """A bit per letter of `word` (letters sharing a bit only make the bound looser)."""
    mask = 0
    for char in word:
        mask |= 1 << (ord(char) & 63)
    return mask


def _near(token: str, typos: list[str]) -> bool:
    for word in typos:
        distance = fuzzy_distance(word)
        if distance and abs(len(word) - len(token)) <= distance:
            if edit_distance(word, token, limit=distance) <= distance:
                return True
    return False


# ---- administrator tuning, cached briefly per process


_MEMO: dict[str, tuple[str, object]] = {}


def _tuning(name: str, load):
    """This process's copy of a tuning table, valid while the cache's stamp is unchanged.

    Unpickling the tables from the cache on every query cost more than a millisecond; the
    stamp is one small cache read. It expires after TUNING_TTL (other processes reload
    within that) and forget_tuning() or a cache clear removes it at once.
    """
    stamp = cache.get("search:tuning_stamp")
    if stamp is None:
        stamp = uuid.uuid4().hex
        cache.set("search:tuning_stamp", stamp, TUNING_TTL)
    memo = _MEMO.get(name)
    if memo is not None and memo[0] == stamp:
        return memo[1]
    value = load()
    _MEMO[name] = (stamp, value)
    return value


# An administrator's unsaved rule, applied to this context's searches only (the tuning preview).
_PROPOSED: ContextVar[dict | None] = ContextVar("search_proposed_tuning", default=None)


@contextmanager
def proposed_tuning(
    *, synonym: str | None = None, best_bet: tuple[str, int] | None = None
):
    """Search as if `synonym` (a rule line) or `best_bet` (analysed query key, page id) were saved."""
    token = _PROPOSED.set({"synonym": synonym, "best_bet": best_bet})
    try:
        yield
    finally:
        _PROPOSED.reset(token)


def current_synonyms() -> SynonymTable:
    """The versioned file plus the administrators' active rules."""
    proposed = _PROPOSED.get()
    rule = proposed and proposed["synonym"] and parse_synonym_line(proposed["synonym"])
    if rule:  # the preview: exactly the table that saving the rule would give
        return _load_synonyms(extra=rule)
    return _tuning("synonyms", _load_synonyms)


def _load_synonyms(extra: SynonymRule | None = None) -> SynonymTable:
    """An administrator's rule whose first phrase starts a file rule replaces that rule
    (an inactive one switches it off); the other file rules and the active ones apply.
    `extra`: a rule not saved yet, as if it were."""
    from search.models import Synonym

    base = file_synonyms()
    replaced: set[tuple[str, ...]] = set()
    admin_rules = []
    saved = [
        (parse_synonym_line(terms), active)
        for terms, active in Synonym.objects.values_list("terms", "active")
    ]
    for rule, active in [*saved, (extra, True)]:
        if rule:
            replaced.add(rule.sources[0])
            if active:
                admin_rules.append(rule)
    rules = [rule for rule in base.rules if rule.sources[0] not in replaced]
    return SynonymTable(rules=rules + admin_rules, version=base.version)


def best_bets() -> dict[str, list[int]]:
    bets = _tuning("best_bets", _load_best_bets)
    proposed = _PROPOSED.get()
    if proposed and proposed["best_bet"]:
        key, page_id = proposed["best_bet"]
        bets = {**bets, key: [*bets.get(key, []), page_id]}
    return bets


def _load_best_bets() -> dict[str, list[int]]:
    from search.models import BestBet

    bets: dict[str, list[int]] = {}
    for key, page_id in (
        BestBet.objects.filter(active=True, procedure__live=True)
        .order_by("normalized_query", "sort_order", "pk")
        .values_list("normalized_query", "procedure_id")
    ):
        bets.setdefault(key, []).append(page_id)
    return bets


def facet_labels() -> dict[str, dict[str, str]]:
    return _tuning("facet_labels", _load_facet_labels)


def _load_facet_labels() -> dict[str, dict[str, str]]:
    """Names as the records hold them (the same in either language); kept per process."""
    from catalog.models import DepartmentPage, Field, Level, SubjectType

    return {
        "department": dict(DepartmentPage.objects.values_list("code", "title")),
        "field": dict(Field.objects.values_list("code", "name")),
        "level": dict(Level.objects.values_list("code", "name")),
        "subject": dict(SubjectType.objects.values_list("code", "name")),
    }


def _online_labels() -> dict[str, str]:
    """The interface's own words, in this request's language: never kept across requests, or a
    Vietnamese page would show the labels of the last English one."""
    from catalog.models import OnlineLevel

    return {value: str(label) for value, label in OnlineLevel.choices}


def forget_tuning() -> None:
    """Called when an administrator saves synonyms or best bets, so this process applies them at once."""
    cache.delete("search:tuning_stamp")
    _MEMO.clear()
